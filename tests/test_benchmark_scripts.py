"""benchmarks/nonces.py and benchmarks/ordered.py run and print every target (no timing
judged): their smoke runs, in a subprocess as a user would start them."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def smoke(script: str) -> str:
    done = subprocess.run(  # noqa: S603  # our own script, with this interpreter
        [sys.executable, str(ROOT / "benchmarks" / script), "--smoke"],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def ordered() -> str:
    return smoke("ordered.py")


@pytest.fixture(scope="module")
def nonces() -> str:
    return smoke("nonces.py")


@pytest.mark.parametrize("server", ["loop", "threads"])
@pytest.mark.parametrize("row", ["at 5 ms", "at 50 ms", "out-of-order arrivals"])
def test_ordered_prints_each_target(ordered, server, row):
    """Each target of ordered mode is printed with a verdict, for both servers."""
    (line,) = [
        ln for ln in ordered.splitlines() if ln.strip().startswith(f"{server}:") and row in ln
    ]
    assert line.rstrip().endswith(("met", "NOT MET"))


def test_ordered_smoke_says_it_judges_nothing(ordered):
    assert "SMOKE RUN" in ordered


@pytest.mark.parametrize("generator", ["MonotonicNonce", "FileNonce", "RedisNonce"])
def test_nonces_prints_each_floor_target(nonces, generator):
    """Each generator's ratio to its floor is printed with a verdict (or why not)."""
    (line,) = [ln for ln in nonces.splitlines() if ln.strip().startswith(f"{generator} ÷ a bare")]
    assert line.rstrip().endswith(("met", "NOT MET", "no redis-server"))
