"""The command line never prints a secret: every subcommand, success and error paths alike.

Each scenario runs with every known secret in the environment or in key files, and
all of stdout and stderr is scanned for each secret and for any 16-character piece of
it (so a truncated or partly masked secret counts too).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

import pytest
from test_cli import ENV, ORDER_URL, Cli
from vectors import BINANCE_API_KEY, BINANCE_SECRET, ED25519_TEST_KEY_PEM, SECRETS

from requests_exchange_auth.testing import BINANCE_RSA_KEY, BINANCE_RSA_PRIVATE_KEY

WRONG_SECRET = "wrong-secret-7c1e5d0b9a8f6e4d"
PASSWORD = "pem-password-3b8e61f0c2d94a57"
KNOWN = (*SECRETS, BINANCE_RSA_PRIVATE_KEY, WRONG_SECRET, PASSWORD)
WINDOW = 16


def _pieces(secret: str) -> set[str]:
    """Every WINDOW-character piece of a secret; for a PEM key, of its base64 body."""
    text = "".join(line for line in secret.splitlines() if not line.startswith("-----"))
    return {text[i : i + WINDOW] for i in range(max(1, len(text) - WINDOW + 1))}


#: what a signature looks like in any scheme's output: a hex digest (HMAC-SHA256 or -512),
#: a base64 digest after a signature parameter or header, or a JWT
SIGNATURE = re.compile(
    r"[0-9a-fA-F]{64}|(?i:signature|sign)[=:] ?[A-Za-z0-9+/_%-]{20}|eyJ[A-Za-z0-9_-]{10,}\."
)

KEY_FILE = json.dumps({"key": "vmPU-key-0001", "secret": WRONG_SECRET}).encode()
PIECES = {piece: secret[:6] for secret in KNOWN for piece in _pieces(secret)}


@pytest.fixture
def files(tmp_path):
    def write(name, content):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return str(path)

    return {
        "wrong": write("wrong.json", KEY_FILE.decode()),
        "broken": write("broken.json", f'{{"key": "k", "secret": "{WRONG_SECRET}"'),
        "shape": write("shape.json", json.dumps({"key": 1, "secret": WRONG_SECRET})),
        "rsa": write("rsa.pem", BINANCE_RSA_PRIVATE_KEY),
        "ed25519": write("ed25519.pem", ED25519_TEST_KEY_PEM),
        "not-pem": write("not.pem", WRONG_SECRET),
    }


def scenarios(files, exchange_url, signed_curl):
    """name -> (arguments, extra environment, stdin)."""
    order, polo = exchange_url + "/api/v3/order", exchange_url + "/tradingApi"
    app = exchange_url + "/mp-api/v1/apps/app1/message/send"
    rsa = ["--private-key", files["rsa"], "--api-key", BINANCE_RSA_KEY]
    sign = ["sign", "binance", "GET", ORDER_URL]
    verify = ["verify", "binance"]
    password = ["--private-key-password-env", "PEM_PASSWORD"]
    rows = [
        ("demo", ["demo"]),
        ("sign", [*sign, "symbol=X"]),
        ("sign --only payload", [*sign, "--only", "payload"]),
        ("sign --only request", [*sign, "--only", "request"]),
        ("sign --only curl", [*sign, "--only", "curl"]),
        ("sign poloniex", ["sign", "poloniex", "POST", polo, "command=x"]),
        ("sign open-api", ["sign", "open-api", "POST", app, "--json", '{"a":1}']),
        ("send accepted", ["sign", "binance", "POST", order, "a=1", "--send"]),
        ("send rejected", ["sign", "binance", "POST", order, "--send",
                           "--key-file", files["wrong"]]),
        ("send poloniex", ["sign", "poloniex", "POST", polo, "--send"]),
        ("send open-api", ["sign", "open-api", "POST", app, "--json", "{}", "--send"]),
        ("send refused", [*sign[:3], "http://127.0.0.1:9/x", "--send", "--timeout", "2"]),
        ("verify valid", [*verify, "--now", "1499827319559"], {}, signed_curl),
        ("verify wrong secret", [*verify, "--key-file", files["wrong"]], {}, signed_curl),
        ("verify stale", [*verify, "--now", "1"], {}, signed_curl),
        ("verify poloniex", ["verify", "poloniex"], {}, signed_curl),
        ("verify open-api", ["verify", "open-api"], {}, signed_curl),
        ("verify a key file on stdin", verify, {}, KEY_FILE),
        ("verify a key file as the request", [*verify, files["broken"]]),
        ("key file not JSON", [*sign, "--key-file", files["broken"]]),
        ("key file wrong shape", [*sign, "--key-file", files["shape"]]),
        ("secret with a newline", sign, {"BINANCE_API_SECRET": WRONG_SECRET + "\n"}),
        ("secret not UTF-8", sign, {"BINANCE_API_SECRET": WRONG_SECRET + "\udcff"}),
        ("password not UTF-8", [*sign, *rsa, *password],
         {"PEM_PASSWORD": PASSWORD + "\udcff"}),
        ("sign --private-key", [*sign, *rsa]),
        ("sign --private-key not PEM", [*sign, "--private-key", files["not-pem"],
                                        "--api-key", "K"]),
        ("sign --private-key password", [*sign, *rsa, *password], {"PEM_PASSWORD": PASSWORD}),
        ("verify --private-key", [*verify, *rsa], {}, signed_curl),
        ("verify --private-key Ed25519", [*verify, "--private-key", files["ed25519"],
                                          "--api-key", "K"], {}, signed_curl),
        ("verify --public-key not PEM", [*verify, "--public-key", files["not-pem"],
                                         "--api-key", "K"], {}, signed_curl),
        ("verify --private-key password unset", [*verify, *rsa, *password], {}, signed_curl),
        ("api key with HMAC", [*sign, "--api-key", "K"]),
        ("help", ["--help"]),
        ("sign help", ["sign", "--help"]),
        ("verify help", ["verify", "--help"]),
        ("usage error", ["sign", "binance"]),
        ("unknown scheme", ["verify", "kraken"]),
    ]  # fmt: skip
    defaults = ({}, b"")
    return {row[0]: (row[1], *row[2:], *defaults[len(row) - 2 :]) for row in rows}


SCENARIOS = list(
    scenarios(dict.fromkeys(("wrong", "broken", "shape", "rsa", "ed25519", "not-pem"), ""), "", b"")
)


@pytest.fixture(scope="module")
def signed_curl():
    """A Binance request signed with the environment's secret, as a curl command."""
    payload = "timestamp=1499827319559"
    signature = hmac.new(BINANCE_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return (
        f"curl -H 'X-MBX-APIKEY: {BINANCE_API_KEY}' "
        f"'https://api.binance.com/api/v3/account?{payload}&signature={signature}'"
    ).encode()


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_output_ever_shows_a_secret(  # noqa: PLR0917  # six pytest fixtures
    name, monkeypatch, capsys, files, local_exchange, signed_curl
):
    """Whatever the command and however it ends, stdout and stderr hold no secret; and
    an error (exit 2) shows no signature either: a request that could not be sent is
    still valid for a while, so it must not be printed (rxa sign --send once did)."""
    args, env, stdin = scenarios(files, local_exchange.url, signed_curl)[name]
    status, out, err = Cli(monkeypatch, capsys)(*args, env={**ENV, **env}, stdin=stdin)
    assert status in (0, 1, 2)
    text = out + err
    assert "Traceback" not in text
    leaked = {PIECES[piece] for piece in PIECES if piece in text}
    assert not leaked, f"{name}: output shows secrets starting {sorted(leaked)}"
    if status == 2:
        assert SIGNATURE.search(text) is None, f"{name}: an error shows a signature"


@pytest.mark.parametrize(
    "signed",
    [
        "GET /api/v3/account?timestamp=1&signature=" + "c8db56825ae71d6d79447849e617115f" * 2,
        "Sign: " + "8fa0e96a4b1c2d3e" * 8,
        "X-BAPI-SIGN: dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJrIn0.c2ln",
    ],
    ids=["binance", "poloniex", "base64", "jwt"],
)
def test_the_signature_scan_finds_a_signature(signed):
    """The error check above is not vacuous: each kind of signature is found."""
    assert SIGNATURE.search(f"rxa: error: could not send {signed}") is not None


def test_the_scan_finds_a_leak():
    """The scan is not vacuous: a secret, or a piece of one, in the text is found."""
    for secret in KNOWN:
        piece = "".join(line for line in secret.splitlines() if "-----" not in line)[3:19]
        assert any(p in f"...{piece}..." for p in PIECES)
