"""The command line: sign, verify, exit statuses, and the official example end to end.

Commands run in-process through ``main`` with credentials in the environment or a key
file, as a user would give them; one test runs the installed ``rxa`` script.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import requests
from vectors import (
    BINANCE_API_KEY,
    BINANCE_SECRET,
    ED25519_P1_WIRE,
    H1_QUERY,
    H1_SIGNATURE,
    OPEN_API_AK,
    OPEN_API_DIG,
    OPEN_API_SK,
    P1_PAYLOAD,
    POLONIEX_API_KEY,
    POLONIEX_BODY_1,
    POLONIEX_SECRET,
    POLONIEX_SIGN_1,
    RSA_TEST_KEY_PEM,
)

from requests_exchange_auth._cli import main
from requests_exchange_auth._cli._render import raw_http
from requests_exchange_auth._demo import tamper
from requests_exchange_auth._registry import DOCS_URL, SCHEMES, scheme
from requests_exchange_auth.testing import (
    BINANCE_ED25519_KEY,
    BINANCE_ED25519_PUBLIC_KEY,
    BINANCE_RSA_KEY,
    BINANCE_RSA_PRIVATE_KEY,
    BINANCE_RSA_PUBLIC_KEY,
)

ENV = {
    "BINANCE_API_KEY": BINANCE_API_KEY,
    "BINANCE_API_SECRET": BINANCE_SECRET,
    "POLONIEX_API_KEY": POLONIEX_API_KEY,
    "POLONIEX_API_SECRET": POLONIEX_SECRET,
    "BINANCE_OPEN_API_API_KEY": OPEN_API_AK,
    "BINANCE_OPEN_API_API_SECRET": OPEN_API_SK,
}
ORDER_URL = "https://api.binance.com/api/v3/order"
# binance-signed-requests.md §8, docs example 2 (H1): every parameter in the query
OFFICIAL = ["sign", "binance", "POST", f"{ORDER_URL}?{H1_QUERY.split('&recvWindow')[0]}",
            "--recv-window", "5000", "--timestamp", "1499827319559"]  # fmt: skip
OPEN_URL = "https://dip-cb.binanceapi.com/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/user-open-data"


class Cli:
    """Run the command line in-process; collect exit status, stdout and stderr."""

    def __init__(self, monkeypatch, capsys):
        self.monkeypatch, self.capsys = monkeypatch, capsys
        for name in ENV:
            monkeypatch.delenv(name, raising=False)

    def __call__(self, *args, env=ENV, stdin=b""):
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        self.monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        try:
            status = main(list(args), prog="rxa")
        except SystemExit as exc:  # argparse: --help, usage errors
            status = exc.code
        out, err = self.capsys.readouterr()
        for name in env:
            self.monkeypatch.delenv(name)
        return status, out, err


@pytest.fixture
def cli(monkeypatch, capsys):
    return Cli(monkeypatch, capsys)


@pytest.fixture
def key_files(tmp_path):
    """Key files for every credential the commands take."""
    files = {}
    for name, content in {
        "binance.json": json.dumps({"key": BINANCE_API_KEY, "secret": BINANCE_SECRET}),
        "wrong.json": json.dumps({"key": BINANCE_API_KEY, "secret": "not-the-secret"}),
        "poloniex.json": json.dumps({"key": POLONIEX_API_KEY, "secret": POLONIEX_SECRET}),
        "rsa.pem": BINANCE_RSA_PRIVATE_KEY,
        "rsa.pub": BINANCE_RSA_PUBLIC_KEY,
        "ed25519.pub": BINANCE_ED25519_PUBLIC_KEY,
    }.items():
        files[name] = tmp_path / name
        files[name].write_text(content, encoding="utf-8")
    return {name: str(path) for name, path in files.items()}


# -- done-when 3: the official example, signed and verified ---------------------------------


def test_sign_reproduces_the_official_binance_example(cli):
    """sign, given the docs' key, parameters and timestamp, prints the docs' signature."""
    status, out, err = cli(*OFFICIAL)
    assert (status, err) == (0, "")
    assert f"\n{H1_QUERY}\n" in out  # the exact payload that was signed
    assert f"&signature={H1_SIGNATURE} HTTP/1.1" in out  # the signed request
    assert f"{H1_QUERY}&signature={H1_SIGNATURE}'" in out  # the curl command
    assert BINANCE_SECRET not in out


def test_sign_reproduces_the_official_example_in_the_body(cli):
    """The docs' example 1 (all in the body) has the same signature (§8 H2)."""
    params = [f"{k}={v}" for k, v in (p.split("=") for p in H1_QUERY.split("&")[:6])]
    status, out, _ = cli("sign", "binance", "POST", ORDER_URL, *params, "--recv-window", "5000",
                         "--timestamp", "1499827319559", "--only", "request")  # fmt: skip
    assert status == 0
    assert out.rstrip("\n").endswith(f"\n\n{H1_QUERY}&signature={H1_SIGNATURE}")


@pytest.mark.parametrize("form", ["curl", "request"])
def test_verify_says_the_signature_does_not_match_with_a_wrong_secret(cli, key_files, form):
    """The official request, checked with a wrong secret, exits 1 and says why."""
    _, captured, _ = cli(*OFFICIAL, "--only", form)
    status, out, err = cli("verify", "binance", "--key-file", key_files["wrong.json"],
                           "--now", "1499827319559", stdin=captured.encode())  # fmt: skip
    assert (status, err) == (1, "")
    assert "INVALID: the signature does not match (bad_signature)" in out
    assert "-1022 Signature for this request is not valid." in out
    assert f"\n{H1_QUERY}\n" in out  # the payload the server would sign


@pytest.mark.parametrize("form", ["curl", "request"])
def test_verify_accepts_the_official_request_with_the_right_secret(cli, form):
    """The same request with the docs' secret, at its own time, is valid: exit 0."""
    _, captured, _ = cli(*OFFICIAL, "--only", form)
    status, out, _ = cli("verify", "binance", "--now", "1499827319559", stdin=captured.encode())
    assert status == 0
    assert "VALID: the signature matches" in out


def _spec_env(entry):
    """The environment holding the scheme's throw-away test account, as ``from_env`` reads it."""
    cls = entry.auth_class
    fields = ("key", *cls.credential_fields)
    return {
        f"{cls.env_prefix}_API_{field.upper()}": str(value)
        for field, value in zip(fields, entry.kit.spec_account().values(), strict=False)
    }


@pytest.mark.parametrize("entry", SCHEMES, ids=lambda e: e.id)
def test_sign_and_verify_point_at_the_scheme_page_not_at_a_spec(cli, entry):
    """Both commands print the scheme's docs page; no heading cites a spec file."""
    example = entry.kit.examples[0]
    url = "https://example.com" + example.path
    env = _spec_env(entry)
    _, signed, _ = cli("sign", entry.id, example.method, url, env=env)
    curl = cli("sign", entry.id, example.method, url, "--only", "curl", env=env)[1]
    _, checked, _ = cli("verify", entry.id, stdin=curl.encode(), env=env)
    page = f"== documentation\n{DOCS_URL}exchanges/{entry.id}.html\n"
    assert signed.endswith(page)
    assert checked.endswith(page)
    assert ".md" not in signed + checked
    assert "§" not in signed + checked


def _capture(entry, *, tampered):
    """The scheme's first example signed with its test account, as the raw HTTP that
    ``verify`` reads; ``tampered``: one signed byte changed afterwards, as the demo does."""
    example = entry.kit.examples[0]
    request = requests.Request(
        example.method, "https://example.com" + example.path,
        auth=entry.kit.make_auth(entry.kit.spec_account()), params=dict(example.params),
        data=dict(example.data), json=example.json,
    ).prepare()  # fmt: skip
    if tampered:
        tamper(request, entry.auth_class.owned_headers)
    return raw_http(request).encode()


@pytest.mark.parametrize("entry", SCHEMES, ids=lambda e: e.id)
def test_a_failed_verify_cites_no_spec_section(cli, entry):
    """A rejected request's explanation (tampered; or honest, checked against a clock far
    behind or after a larger nonce) is in words a user can act on: no "§4" of a spec file
    the user does not have."""
    env = _spec_env(entry)
    honest = _capture(entry, tampered=False)
    runs = [
        cli("verify", entry.id, stdin=_capture(entry, tampered=True), env=env),
        cli("verify", entry.id, "--now", "1", stdin=honest, env=env),
    ]
    if entry.kit.tracks_nonces:
        runs.append(cli("verify", entry.id, "--last-nonce", str(10**20), stdin=honest, env=env))
    failed = [out for status, out, _ in runs if status == 1]
    assert runs[0][0] == 1
    assert all(err == "" for _, _, err in runs)
    # a scheme with a timestamp or a nonce fails one of the honest checks as well
    timed = getattr(entry.auth_class, "time_endpoint", None) is not None
    assert len(failed) >= 1 + (entry.kit.tracks_nonces or timed)
    for out in failed:
        assert "INVALID: " in out
        assert "§" not in out


def test_a_refused_request_cites_no_spec_section(cli):
    """An auth's refusal reaches the command line without its spec citation."""
    status, out, err = cli("sign", "kraken", "GET", "https://api.kraken.com/0/private/Balance",
                           env=_spec_env(scheme("kraken")))  # fmt: skip
    assert (status, out) == (2, "")
    assert err == (
        "rxa: error: KrakenAuth signs POST requests without a query (Kraken's private "
        "calls), not GET: pass the parameters as data={...} or json={...}; nothing was sent.\n"
    )


def test_verify_an_old_capture_suggests_now(cli):
    """Without --now an old request is stale, and the output says how to check it as of then."""
    _, captured, _ = cli(*OFFICIAL, "--only", "curl")
    status, out, _ = cli("verify", "binance", stdin=captured.encode())
    assert status == 1
    assert "the timestamp is too old (stale_timestamp)" in out
    assert "--now" in out


# -- the other schemes -----------------------------------------------------------------------


def test_sign_reproduces_the_poloniex_vector(cli, key_files):
    """poloniex.md Part A: the body and Sign of the first legacy vector."""
    status, out, _ = cli("sign", "poloniex-legacy", "POST", "https://poloniex.com/tradingApi",
                         "command=returnBalances", "--nonce", "154264078495300",
                         "--key-file", key_files["poloniex.json"], "--only", "request",
                         env={})  # fmt: skip
    assert status == 0
    assert f"Sign: {POLONIEX_SIGN_1}\n" in out
    assert out.rstrip("\n").endswith(POLONIEX_BODY_1)


def test_poloniex_verify_checks_the_last_nonce(cli):
    """--last-nonce applies the exchange's nonce rule."""
    _, captured, _ = cli("sign", "poloniex-legacy", "POST", "https://poloniex.com/tradingApi",
                         "--nonce", "5", "--only", "curl")  # fmt: skip
    assert cli("verify", "poloniex-legacy", "--last-nonce", "4", stdin=captured.encode())[0] == 0
    status, out, _ = cli("verify", "poloniex-legacy", "--last-nonce", "5", stdin=captured.encode())
    assert status == 1
    assert "Nonce must be greater than 5. You provided 5." in out


def test_sign_open_api_shows_the_canonical_request_and_claims(cli):
    """binance-open-api-jwt.md §6: the canonical request, and the token's dig."""
    status, out, _ = cli("sign", "binance-open-api", "GET", OPEN_URL, "openData=dt_TEST/abc+1==",
                         "--timestamp", "1700000000000", "--only", "payload")  # fmt: skip
    assert status == 0
    assert "\n/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/user-open-data/\n" in out
    assert f'"dig": "{OPEN_API_DIG}", "ts": 1700000000' in out


def test_open_api_json_body_round_trip(cli):
    """A JSON body signed with --json verifies, and a changed body does not."""
    url = OPEN_URL.replace("user-open-data", "msg")
    _, captured, _ = cli("sign", "binance-open-api", "POST", url,
                         "--json", '{"openId":"o_1"}', "--only", "curl")  # fmt: skip
    assert cli("verify", "binance-open-api", stdin=captured.encode())[0] == 0
    tampered = captured.replace("o_1", "o_2").encode()
    status, out, _ = cli("verify", "binance-open-api", stdin=tampered)
    assert status == 1
    assert "validly signed, but for a different request (payload_mismatch)" in out


def test_verify_binance_with_a_public_key(cli, key_files):
    """The spec's Ed25519 P1 request verifies with the registered public key."""
    request = (f"GET /api/v3/order?{P1_PAYLOAD}&signature={ED25519_P1_WIRE} HTTP/1.1\n"
               f"Host: api.binance.com\nX-MBX-APIKEY: {BINANCE_ED25519_KEY}\n\n")  # fmt: skip
    status, out, _ = cli("verify", "binance", "--public-key", key_files["ed25519.pub"],
                         "--api-key", BINANCE_ED25519_KEY, "--now", "1668481559918",
                         stdin=request.encode(), env={})  # fmt: skip
    assert status == 0, out
    status, out, _ = cli("verify", "binance", "--public-key", key_files["rsa.pub"],
                         "--api-key", BINANCE_ED25519_KEY, "--now", "1668481559918",
                         stdin=request.encode(), env={})  # fmt: skip
    assert "signature does not match" in out


def test_sign_with_a_private_key_and_verify_with_it(cli, key_files):
    """sign --private-key (RSA) and verify --private-key agree."""
    _, captured, _ = cli("sign", "binance", "GET", "https://api.binance.com/api/v3/account",
                         "--private-key", key_files["rsa.pem"], "--api-key", BINANCE_RSA_KEY,
                         "--only", "curl", env={})  # fmt: skip
    status, out, _ = cli("verify", "binance", "--private-key", key_files["rsa.pem"],
                         "--api-key", BINANCE_RSA_KEY, stdin=captured.encode(), env={})  # fmt: skip
    assert status == 0, out


def test_sign_with_a_private_key_before_merge_is_a_clear_error(cli, key_files):
    """Until main's RSA work is merged, --private-key reports it rather than crashing."""
    status, _, err = cli("sign", "binance", "GET", "https://api.binance.com/api/v3/account",
                         "--private-key", key_files["rsa.pem"], "--api-key", BINANCE_RSA_KEY,
                         env={})  # fmt: skip
    assert status in (0, 2)
    assert "Traceback" not in err
    assert RSA_TEST_KEY_PEM.splitlines()[1] not in err


# -- --send --------------------------------------------------------------------------------


def test_send_to_a_verifying_exchange(cli, local_exchange, key_files):
    """--send sends the signed request and shows the answer; exit 1 when it is rejected."""
    url = local_exchange.url + "/api/v3/order"
    status, out, _ = cli("sign", "binance", "POST", url, "symbol=BTCUSDT", "--send")
    assert status == 0
    assert '== response\nHTTP 200 OK\n{"accepted": true' in out
    status, out, _ = cli("sign", "binance", "POST", url, "--send", "--key-file",
                         key_files["wrong.json"], env={})  # fmt: skip
    assert status == 1
    assert '"code": -1022' in out


def test_send_failure_is_an_error_not_a_traceback(cli, unused_tcp_port):
    """A connection that cannot be made is exit 2 with one line."""
    url = f"http://127.0.0.1:{unused_tcp_port}/api/v3/order"
    status, _, err = cli("sign", "binance", "GET", url, "--send", "--timeout", "2")
    assert status == 2
    assert err.startswith("rxa: error: could not send the request to 127.0.0.1:")


@pytest.fixture
def unused_tcp_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- usage errors and help -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sign", "binance-open-api", "GET", OPEN_URL, "--nonce", "3"],
            "--nonce is not an option of binance-open-api requests",
        ),
        (
            ["sign", "poloniex-legacy", "POST", "https://p.example/", "--timestamp", "1"],
            "--timestamp is not an option of poloniex-legacy requests",
        ),
        (["sign", "binance", "GET", "api.binance.com/x"], "URL must be absolute"),
        (["sign", "binance", "GET", ORDER_URL, "novalue"], "NAME=VALUE"),
        (["sign", "binance", "POST", ORDER_URL, "-d", "a=1", "--body", "b=2"], "either"),
        (["sign", "binance", "POST", ORDER_URL, "--json", "{}"], "signs form bodies only"),
        (["sign", "binance", "GET", ORDER_URL, "--api-key", "K"], "--api-key goes with"),
        (
            ["sign", "poloniex-legacy", "GET", ORDER_URL, "--private-key", "k.pem"],
            "key pairs, which poloniex-legacy has not",
        ),
        (
            ["sign", "binance", "GET", ORDER_URL, "--recv-window", "70000"],
            "--recv-window is out of range",
        ),
        (
            ["verify", "binance", "--last-nonce", "1"],
            "--last-nonce is for schemes with a nonce, not binance",
        ),
        (["verify", "binance", "/nonexistent/request.txt"], "cannot read"),
        (["sign", "binance", "GET", ORDER_URL, "--key-file", "/nonexistent.json"], "key file"),
        (["sign", "binance", "GET", "http://10.0.0.1/x"], "pass --allow-insecure-http if"),
        (
            ["sign", "binance", "GET", ORDER_URL, "--private-key", "k.pem", "--key-file", "k.json"],
            "pass one of",
        ),
        (["verify", "binance", "--private-key", "k.pem", "--public-key", "k.pub"], "pass one of"),
        (
            ["sign", "binance", "GET", ORDER_URL, "--private-key", "/nonexistent.pem"],
            "cannot read key file '/nonexistent.pem'",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value[:2]),
)
def test_user_errors_exit_2_in_one_line(cli, args, message):
    """Each user error is one line on stderr, exit 2, with what to do."""
    status, out, err = cli(*args)
    assert (status, out) == (2, "")
    assert err.startswith("rxa: error: ")
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("byte", [b"\xff", "é".encode("latin-1")], ids=["0xff", "latin-1"])
def test_a_secret_that_is_not_text_exits_2_in_one_line(cli, byte):
    """BINANCE_API_SECRET with bytes that are not UTF-8 is one line naming the secret, exit 2."""
    secret = os.fsdecode(BINANCE_SECRET.encode() + byte)  # as Python reads such a variable
    status, out, err = cli("sign", "binance", "GET", ORDER_URL,
                           env={**ENV, "BINANCE_API_SECRET": secret})  # fmt: skip
    assert (status, out) == (2, "")
    assert err.startswith("rxa: error: secret holds a lone surrogate")
    assert err.count("\n") == 1
    assert BINANCE_SECRET[:16] not in err


def test_a_key_pair_needs_its_api_key(cli):
    """--private-key without --api-key or PREFIX_API_KEY names both ways to give it."""
    status, _, err = cli("sign", "binance", "GET", ORDER_URL, "--private-key", "k.pem",
                         "--env-prefix", "MYAPP", env={})  # fmt: skip
    assert status == 2
    assert "pass --api-key, or set MYAPP_API_KEY" in err


def test_credentials_repr_shows_no_secret():
    """Even a debugger or traceback shows the key masked and no secret."""
    from requests_exchange_auth._cli._creds import Credentials

    assert repr(Credentials(BINANCE_API_KEY, (BINANCE_SECRET,))) == (
        "Credentials(api_key='vmPU…h8A')"
    )


def test_non_ascii_json_body_round_trip(cli):
    """A non-ASCII JSON body goes out as UTF-8 bytes, is shown as text, and verifies."""
    url = OPEN_URL.replace("user-open-data", "msg")
    _, captured, _ = cli("sign", "binance-open-api", "POST", url, "--json", '{"openId":"é"}',
                         "--only", "request")  # fmt: skip
    assert captured.rstrip("\n").endswith('{"openId":"é"}')
    assert "Content-Length: 15\n" in captured
    assert cli("verify", "binance-open-api", stdin=captured.encode())[0] == 0


def test_missing_credentials_name_the_variables(cli):
    """Without credentials, the error names the variables to set."""
    status, _, err = cli(
        "sign", "poloniex-legacy", "POST", "https://poloniex.com/tradingApi", env={}
    )
    assert status == 2
    assert "variables POLONIEX_API_KEY and POLONIEX_API_SECRET are not set" in err
    assert err.endswith("with your credentials, or pass --key-file PATH.\n")  # not "constructor"


@pytest.mark.parametrize("args", [["sign"], ["verify", "nope"], ["sign", "binance", "GET"]])
def test_argparse_usage_errors_exit_2(cli, args):
    """Missing or unknown arguments print usage and exit 2."""
    status, _, err = cli(*args)
    assert status == 2
    assert "usage: rxa" in err


def test_version_prints_the_package_version(cli):
    """``rxa --version`` prints the installed version and exits 0."""
    status, out, _ = cli("--version")
    assert (status, out) == (0, f"rxa {metadata.version('requests-exchange-auth')}\n")


def test_each_command_help_describes_it_and_only_its_options(cli):
    """demo --help says what the demo does; sign --help names no option of verify's."""
    _, demo, _ = cli("demo", "--help")
    assert "local verifying exchange" in demo
    _, sign, _ = cli("sign", "--help")
    _, verify, _ = cli("verify", "--help")
    assert "--public-key" not in sign
    assert "--public-key" in verify


@pytest.mark.parametrize("command", [[], ["sign"], ["verify"]])
def test_help_explains_the_exit_statuses(cli, command):
    """--help exits 0 and documents the exit statuses."""
    status, out, _ = cli(*command, "--help")
    assert status == 0
    assert "Exit status: 0 " in out
    assert "2 an error" in out


def test_verify_prompts_when_stdin_is_a_terminal(cli, monkeypatch):
    """Reading from a terminal, verify says what to paste (on stderr)."""
    stdin = io.TextIOWrapper(io.BytesIO(b""))
    monkeypatch.setattr(stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setenv("BINANCE_API_KEY", BINANCE_API_KEY)
    monkeypatch.setenv("BINANCE_API_SECRET", BINANCE_SECRET)
    status = main(["verify", "binance"], prog="rxa")
    assert status == 2
    assert "Paste a curl command" in cli.capsys.readouterr().err


def test_verify_reads_a_file(cli, tmp_path):
    """A captured request can be a file."""
    _, captured, _ = cli(*OFFICIAL, "--only", "curl")
    path = tmp_path / "request.txt"
    path.write_text(captured, encoding="utf-8")
    assert cli("verify", "binance", str(path), "--now", "1499827319559")[0] == 0


def test_console_script_is_installed():
    """The short name, rxa, runs the same command line."""
    rxa = shutil.which("rxa", path=str(Path(sys.executable).parent))
    assert rxa is not None
    done = subprocess.run(  # noqa: S603  # the installed script of this package
        [rxa, "sign", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("usage: rxa sign")
