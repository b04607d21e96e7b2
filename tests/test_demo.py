"""The main job: ``python -m requests_exchange_auth demo``."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import pytest

from requests_exchange_auth import __main__ as cli
from requests_exchange_auth import _demo
from requests_exchange_auth.testing import BINANCE_SECRET, OPEN_API_SECRET, POLONIEX_SECRET


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
    out = done.stdout
    assert out.count("accepted (as expected)") == 7
    assert out.count("rejected") == 2
    assert '"code": -1022' in out
    assert "Invalid API key/secret pair." in out
    assert out.rstrip().endswith("demo passed")


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
    untampered = tuple(
        dataclasses.replace(step, tamper=lambda r: None) if step.tamper else step
        for step in _demo.STEPS
    )
    monkeypatch.setattr(_demo, "STEPS", untampered)
    out = io.StringIO()
    assert _demo.run(out) == 1
    assert "demo FAILED: 2 unexpected verdicts" in out.getvalue()


def test_demo_skips_a_scheme_whose_extra_is_missing(monkeypatch):
    """Without PyJWT the Open Service steps are skipped with the extra named, not crashed."""
    monkeypatch.setitem(sys.modules, "jwt", None)
    out = io.StringIO()
    assert _demo.run(out) == 0
    assert out.getvalue().count("skipped") == 2
    assert "pip install 'requests-exchange-auth[jwt]'" in out.getvalue()


def test_cli_without_a_command_is_a_usage_error(capsys):
    """No subcommand prints usage and exits 2, as argparse does."""
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert "demo" in capsys.readouterr().err
