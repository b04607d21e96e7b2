"""The main job: ``python -m requests_exchange_auth demo``."""

from __future__ import annotations

import io
import re
import subprocess
import sys

from requests_exchange_auth import __main__ as cli
from requests_exchange_auth import _demo
from requests_exchange_auth._registry import SCHEMES
from requests_exchange_auth.testing import BINANCE_SECRET, OPEN_API_SECRET, POLONIEX_SECRET


def _steps(out: str) -> list[tuple[str, str]]:
    """(title line, verdict line) of every step the demo printed."""
    titles = re.findall(r"^\[\d+\] (.*)$", out, re.MULTILINE)
    verdicts = re.findall(r"^    (?:verdict|skipped)  (.*)$", out, re.MULTILINE)
    assert len(titles) == len(verdicts)
    return list(zip(titles, verdicts, strict=True))


def test_demo_runs_as_a_module_and_passes():
    """The README's command exits 0, accepts every honest request and rejects the tampered."""
    done = subprocess.run(
        [sys.executable, "-m", "requests_exchange_auth", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    steps = _steps(done.stdout)
    for entry in SCHEMES:  # every registered scheme: accepted, and rejected when tampered
        mine = [(t, v) for t, v in steps if t.startswith(entry.title + ": ")]
        honest = [v for t, v in mine if "TAMPERED" not in t]
        tampered = [v for t, v in mine if "TAMPERED" in t]
        assert honest, f"{entry.id} sent no request"
        assert all(v.startswith("HTTP 200, accepted (as expected)") for v in honest), honest
        assert tampered, f"{entry.id} sent no tampered request"
        assert all("rejected" in v and v.endswith("(as expected)") for v in tampered), tampered
    assert '"code": -1022' in done.stdout
    assert "Invalid API key/secret pair." in done.stdout
    accepted = sum("accepted (as expected)" in v for _, v in steps)
    rejected = sum(v.endswith("(as expected)") and "rejected" in v for _, v in steps)
    summary = f"demo passed: {accepted} accepted, {rejected} tampered rejected"
    assert done.stdout.rstrip().endswith(summary)


def test_demo_shows_no_secret_or_whole_signature(capsys):
    """What the demo prints masks the API keys and shows no secret."""
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    for secret in (BINANCE_SECRET, POLONIEX_SECRET, OPEN_API_SECRET):
        assert secret not in out
    assert "X-MBX-APIKEY: vmPU…h8A" in out
    for line in out.splitlines():
        if "signature=" in line:
            signature = line.split("signature=")[1].split("&")[0]
            assert signature.endswith("…")
            assert len(signature) == 9


def test_demo_fails_when_a_tampered_request_is_accepted(monkeypatch):
    """If tampering went unnoticed, the demo exits 1 and says so."""
    monkeypatch.setattr(_demo, "tamper", lambda r, owned: None)
    out = io.StringIO()
    assert _demo.run(out) == 1
    tampered = sum("TAMPERED" in title for title, _ in _steps(out.getvalue()))
    assert tampered == len(SCHEMES)
    assert f"demo FAILED: {tampered} unexpected verdicts" in out.getvalue()


def test_demo_counts_the_steps_it_skips(monkeypatch):
    """Without PyJWT the JWT schemes' steps (the Open Service's among them) are skipped and
    counted, with the extra named."""
    monkeypatch.setitem(sys.modules, "jwt", None)
    out = io.StringIO()
    assert _demo.run(out) == 0
    text = out.getvalue()
    skipped = [t for t, v in _steps(text) if re.match(r"\w+Auth needs PyJWT", v)]
    assert any(t.startswith("Binance Open Service") for t in skipped)
    assert f"{len(skipped)} skipped (pip install 'requests-exchange-auth[jwt]' runs them)" in text
    assert "demo passed" in text


def test_cli_without_a_command_prints_help(capsys):
    """No subcommand prints the help, which lists the commands, and exits 0."""
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "usage:" in out
    assert all(command in out for command in ("demo", "sign", "verify"))
