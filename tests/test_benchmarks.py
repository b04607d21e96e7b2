"""The benchmark covers every registered scheme, runs, and prints every target (no timing judged).

The run is a subprocess, as ``.ci/run`` runs it: its peers (ccxt, python-binance) are
not ours to hold to this suite's warnings-are-errors rule. The scheme files in
``benchmarks/schemes/`` are only loaded here: they import nothing but ``_bench``, the
package and the standard library.
"""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys
from importlib import metadata

import pytest

from requests_exchange_auth._registry import SCHEMES

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
#: the registered schemes whose benchmark file may say "signs nothing": no floor exists
SIGNS_NOTHING = {"binance-key"}  # BinanceApiKeyAuth sets a header and signs nothing
TARGETS = [
    "BinanceQueryAuth per request ÷ hmac.digest",
    "BinanceQueryAuth per request ÷ fastest peer's signing path",
    "BinanceQueryAuth per request ÷ ccxt binance.sign",
    "PoloniexBodyDigestAuth per request ÷ HMAC-SHA512",
    "PoloniexBodyDigestAuth per request ÷ ccxt zaif.sign",
    "BinanceOpenApiJwtAuth per request ÷ jwt.encode",
    "prepare_request with BinanceQueryAuth ÷ no-op",
    "keep-alive req/s with BinanceQueryAuth ÷ no-op",
    "HttpxAuth(BinanceQueryAuth) ÷ (sign() + httpx.Request)",
    "httpx.Client req/s with BinanceQueryAuth ÷ no auth",
    "httpx.AsyncClient req/s with BinanceQueryAuth ÷ no auth",
    "MonotonicNonce, one thread (draws/s)",
]
SECTIONS = [
    "Schemes: every registered scheme",
    "The floor",
    "Our auths called on a prepared request",
    "Session.prepare_request",
    "ccxt's sign() for the same exchange",
    "Signing the same Binance order",
    "The whole path from a params dict",
    "One request signed for requests, for any client (auth.sign()) and for httpx",
    "End to end: one keep-alive Session",
    "End to end with httpx.Client",
    "End to end with httpx.AsyncClient",
    "MonotonicNonce",
    "Targets",
]
PEERS = {  # distribution -> how its row in the Binance section starts
    "ccxt": "ccxt",
    "python-binance": "python-binance",
    "binance-connector": "binance-connector",
}


def _bench():
    """``benchmarks/_bench.py``, importable by name as the scheme files import it."""
    if "_bench" not in sys.modules:
        spec = importlib.util.spec_from_file_location("_bench", BENCHMARKS / "_bench.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["_bench"] = module
        spec.loader.exec_module(module)
    return sys.modules["_bench"]


def _with_rows():
    """(registry entry, its Rows) for every registered scheme that has rows."""
    bench = _bench()
    return [
        (entry, rows) for entry in SCHEMES if isinstance(rows := bench.load(entry.id), bench.Rows)
    ]


def _scheme_targets(entry, rows):
    label = entry.auth_class.__name__
    found = [
        f"{label} per request ÷ {rows.floor.short}",
        f"prepare_request with {label} ÷ no-op",
        f"keep-alive req/s with {label} ÷ no-op",
        f"HttpxAuth({label}) ÷ (sign() + httpx.Request)",
        f"httpx.Client req/s with {label} ÷ no auth",
        f"httpx.AsyncClient req/s with {label} ÷ no auth",
    ]
    if rows.ccxt is not None:
        found.append(f"{label} per request ÷ ccxt {rows.ccxt.exchange}.sign")
    return found


@pytest.fixture(scope="module")
def smoke() -> str:
    """The output of one smoke run of the benchmark, as .ci/run starts it."""
    done = subprocess.run(  # noqa: S603  # our own script, with this interpreter
        [sys.executable, str(BENCHMARKS / "run.py"), "--smoke", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("scheme_id", [entry.id for entry in SCHEMES])
def test_every_registered_scheme_has_a_benchmark_file(scheme_id):
    """Each registered scheme has benchmarks/schemes/<id>.py; only a listed one signs nothing."""
    bench = _bench()
    rows = bench.load(scheme_id)
    assert rows is not None, f"add {bench.scheme_file(scheme_id).relative_to(ROOT)}"
    if scheme_id in SIGNS_NOTHING:
        assert isinstance(rows, bench.SignsNothing)
    else:
        assert isinstance(rows, bench.Rows), "only SIGNS_NOTHING schemes may have no rows"


@pytest.mark.parametrize("scheme_id", [entry.id for entry in SCHEMES])
def test_smoke_run_lists_every_registered_scheme(smoke, scheme_id):
    """The run says, for each registered scheme, whether it has rows or signs nothing."""
    lines = _section(smoke, "Schemes: every registered scheme")
    (line,) = [line for line in lines if line.split()[:1] == [scheme_id]]
    expected = "signs nothing" if scheme_id in SIGNS_NOTHING else "rows"
    assert line.split(None, 1)[1].startswith(expected), line


@pytest.mark.parametrize("section", SECTIONS)
def test_smoke_run_prints_every_section(smoke, section):
    """Every part of the table is printed, even in smoke mode."""
    assert f"\n{section}" in smoke


@pytest.mark.parametrize(
    "target",
    sorted(set(TARGETS).union(*(_scheme_targets(e, r) for e, r in _with_rows()))),
)
def test_smoke_run_prints_every_target(smoke, target):
    """Each row of the targets table, every scheme's included, has a verdict or a reason."""
    (line,) = [line for line in smoke.splitlines() if line.strip().startswith(target)]
    assert line.rstrip().endswith(("met", "NOT MET")) or "not measured:" in line


def test_smoke_run_says_it_judges_nothing(smoke):
    """A smoke run says that its numbers mean nothing."""
    assert "SMOKE RUN" in smoke


def _section(smoke: str, title: str) -> list[str]:
    lines = smoke.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 2, len(lines)) if not lines[i]), len(lines))
    return lines[start + 2 : end]


def test_tutorial_recipe_signs_like_ours(smoke):
    """The hand-written recipe, always present, signs the order exactly as we do."""
    lines = _section(smoke, "Signing the same Binance order")
    (row,) = [i for i, line in enumerate(lines) if "tutorial recipe" in line]
    assert lines[row + 1].strip() == "check: same signature as ours"


@pytest.mark.parametrize("dist", sorted(PEERS))
def test_installed_peers_sign_like_ours(smoke, dist):
    """Each installed Binance peer passed the like-for-like check; a missing one says so."""
    lines = _section(smoke, "Signing the same Binance order")
    (row,) = [i for i, line in enumerate(lines) if line.strip().startswith(PEERS[dist])]
    try:
        metadata.version(dist)
    except metadata.PackageNotFoundError:
        assert "skipped: not installed (bench extra)" in lines[row]
    else:
        assert lines[row + 1].strip().startswith("check: same"), lines[row + 1]


@pytest.mark.parametrize(
    "exchange", sorted({rows.ccxt.exchange for _, rows in _with_rows() if rows.ccxt})
)
def test_ccxt_peers_sign_like_ours(smoke, exchange):
    """Each scheme's ccxt peer passed its file's check, or says ccxt is not installed
    (one ccxt class may serve several schemes: MEXC's spot and contract APIs)."""
    lines = _section(smoke, "ccxt's sign() for the same exchange")
    rows = [
        i
        for i, line in enumerate(lines)
        if line.strip().startswith("ccxt") and f" {exchange}.sign" in line
    ]
    assert rows, exchange
    try:
        metadata.version("ccxt")
    except metadata.PackageNotFoundError:
        assert all("skipped: not installed (bench extra)" in lines[row] for row in rows)
    else:
        for row in rows:
            assert lines[row + 1].strip().startswith("check: same"), lines[row + 1]
