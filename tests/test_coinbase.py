"""CoinbaseAuth: the spec's exact tokens on every transport, its key forms and errors, the
local exchange's checks (expiry among them), and parity with coinbase-advanced-py and ccxt.

Specification: shared/specs/coinbase.md (section numbers below refer to it).
"""

from __future__ import annotations

import asyncio
import base64
import json
import pickle
import re

import httpx
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from scheme_vectors.coinbase import (
    CASES,
    EC,
    EC_PUBLIC_PEM,
    ED,
    ED_FORMS,
    ED_PUBLIC_PEM,
    MAIN,
    NONCE,
    NOW_NS,
    NOW_S,
    TOKENS,
    make,
)
from transports import TRANSPORTS, send

from requests_exchange_auth import CoinbaseAuth, ConfigurationError, UnsignableRequestError
from requests_exchange_auth.httpx import HttpxAuth
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_coinbase import COINBASE

JSON = {"Content-Type": "application/json"}


def claims_of(token: str) -> tuple[dict, dict]:
    """The header and claims of a compact JWT, decoded without checking anything."""
    head, body = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
                  for p in token.split(".")[:2])  # fmt: skip
    return head, body


def bearer(headers) -> str:
    scheme, _, token = headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


# -- §8: the exact tokens, through requests, httpx (sync and async) and sign() -----------------


class _Capture(requests.adapters.BaseAdapter):
    """A requests adapter that keeps what it is given and answers 200: nothing is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        response = requests.Response()
        response.status_code, response._content, response.request = 200, b"{}", request
        return response

    def close(self) -> None:
        pass


def _sent_through(transport: str, auth: CoinbaseAuth, method: str, url: str, body) -> str:
    """The token of a request signed on ``transport`` for the real host, nothing sent."""
    headers = JSON if body else {}
    if transport == "requests":
        session, capture = requests.Session(), _Capture()
        session.mount("https://", capture)
        session.request(method, url, data=body, headers=headers, auth=auth)
        return bearer(capture.sent[0].headers)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    if transport == "httpx":
        with httpx.Client(transport=httpx.MockTransport(answer), auth=HttpxAuth(auth)) as client:
            client.request(method, url, content=body, headers=headers)
    elif transport == "httpx-async":

        async def run() -> None:
            mock = httpx.MockTransport(answer)
            async with httpx.AsyncClient(transport=mock, auth=HttpxAuth(auth)) as client:
                await client.request(method, url, content=body, headers=headers)

        asyncio.run(run())
    else:
        return bearer(auth.sign(method, url, headers=headers, body=body).headers)
    return bearer(seen[0].headers)


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async", "sign"])
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vector_is_the_exact_token(case, transport):
    """§8 C1-C9: the spec's token byte for byte (ES256 with RFC 6979 k and low s)."""
    name, account, method, path, body, uri = case
    token = _sent_through(transport, make(account), method, MAIN + path, body)
    assert token == TOKENS[name]
    assert claims_of(token)[1]["uri"] == uri


@pytest.mark.parametrize("form", ED_FORMS)
def test_c9_the_same_key_three_ways_gives_the_same_token(form):
    """§8 C9: base64, PEM and PEM with literal \\n escapes are one key, one token."""
    auth = make({**ED, "private_key": ED_FORMS[form]})
    assert bearer(auth.sign("GET", MAIN + "/v2/accounts").headers) == TOKENS["C9"]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vectors_on_the_local_exchange(transport, case):
    """Every vector sent for real is accepted; its token with one byte changed is not, but
    its query and body may change: Coinbase signs neither (§2)."""
    _, account, method, path, body, _ = case
    clock = FakeClock(NOW_NS)
    with LocalExchange(clock=clock) as exchange:
        auth = make(account)
        reply = send(
            transport, auth, method, exchange.url + path, body=body, headers=JSON if body else {}
        )
        assert reply.status == 200, exchange.received[-1].verdict
        received = exchange.received[-1].request
        token = bearer(received.headers)
        for last in ("A", "B"):  # one of them differs from the token's last character
            changed = dict(received.headers, Authorization=f"Bearer {token[:-1]}{last}")
            if changed["Authorization"] != received.headers["Authorization"]:
                again = Received(received.method, received.target, changed, received.body)
                assert exchange.handle(again)[0] == 401
        target = received.target + ("&" if "?" in path else "?") + "x=1"
        respaced = received.body[:-1] + b" }" if body else b""
        unsigned = Received(received.method, target, received.headers, respaced)
        assert exchange.handle(unsigned)[0] == 200, exchange.received[-1].verdict


# -- §3, §5: a fresh token per request, the clock, the uri ---------------------------------------


def test_every_request_gets_a_fresh_nonce_and_times_from_the_clock():
    """§3, §5: 64 hex characters from secrets each time; nbf the clock floored, exp + 120."""
    clock = FakeClock(NOW_NS)  # one nanosecond before the next second
    auth = CoinbaseAuth(**EC, clock=clock)
    first = claims_of(bearer(auth.sign("GET", MAIN + "/api/v3/brokerage/accounts").headers))
    clock.advance(ms=1000)
    second = claims_of(bearer(auth.sign("GET", MAIN + "/api/v3/brokerage/accounts").headers))
    assert first[0]["nonce"] != second[0]["nonce"]
    assert all(re.fullmatch("[0-9a-f]{64}", h["nonce"]) for h, _ in (first, second))
    assert (first[1]["nbf"], first[1]["exp"]) == (NOW_S, NOW_S + 120)
    assert second[1]["nbf"] == NOW_S + 1
    assert list(first[1]) == ["sub", "iss", "nbf", "exp", "uri"]
    assert first[0] == {"alg": "ES256", "kid": EC["api_key_name"], "nonce": first[0]["nonce"],
                        "typ": "JWT"}  # fmt: skip


def test_resigning_replaces_the_token_and_leaves_the_request_alone():
    """§2, §7 step 3: one Authorization header, replaced; URL and body untouched."""
    url = MAIN + "/api/v3/brokerage/orders?x=%2F1"
    r = requests.Request("POST", url, json={"a": "1"}, auth=CoinbaseAuth(**ED)).prepare()
    first = r.headers["Authorization"]
    CoinbaseAuth(**ED)(r)
    assert r.headers["Authorization"] != first
    assert r.url == url
    assert r.body == b'{"a": "1"}'


@pytest.mark.parametrize(("url", "uri"), [
    ("https://api.coinbase.com:443/v2/accounts", "api.coinbase.com/v2/accounts"),
    ("https://api.coinbase.com:8443/v2/accounts", "api.coinbase.com:8443/v2/accounts"),
    ("https://user:pw@api.coinbase.com/v2/accounts", "api.coinbase.com/v2/accounts"),
    ("https://api.coinbase.com/v2/accounts/a%2Fb?limit=1#x", "api.coinbase.com/v2/accounts/a%2Fb"),
    ("https://api.coinbase.com", "api.coinbase.com/"),
])  # fmt: skip
def test_the_uri_claim_is_the_host_header_and_the_path_as_sent(url, uri):
    """§3: host as in the Host header (no default port, no userinfo), the path still
    percent-encoded, no query and no fragment."""
    token = bearer(CoinbaseAuth(**EC).sign("GET", url).headers)
    assert claims_of(token)[1]["uri"] == f"GET {uri}"


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"data": {"a": "1"}}, "signs JSON bodies only"),
    ({"files": {"f": b"x"}}, "signs JSON bodies only"),
    ({"data": iter([b"{}"])}, "a stream, file or generator"),
])  # fmt: skip
def test_bodies_other_than_json_are_refused_before_sending(kwargs, fragment):
    """§7 step 4: Coinbase takes JSON; a form, multipart or stream body is refused."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request("POST", MAIN + "/api/v3/brokerage/orders", auth=CoinbaseAuth(**EC),
                         **kwargs).prepare()  # fmt: skip


# -- §1: key forms and refusals ---------------------------------------------------------------


def _pem(key, fmt) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt,
                             serialization.NoEncryption()).decode()  # fmt: skip


_EC_KEY = serialization.load_pem_private_key(EC["private_key"].encode(), None)
_ED_KEY = serialization.load_pem_private_key(ED_FORMS["pem"].encode(), None)


@pytest.mark.parametrize(("account", "key", "alg"), [
    (EC, EC["private_key"].encode(), "ES256"),
    (EC, _pem(_EC_KEY, serialization.PrivateFormat.PKCS8), "ES256"),
    (EC, EC["private_key"].replace("\n", "\\n"), "ES256"),
    (EC, _EC_KEY, "ES256"),
    (ED, base64.b64encode(base64.b64decode(ED["private_key"])[:32]).decode(), "EdDSA"),
    (ED, " " + ED["private_key"][:40] + "\n" + ED["private_key"][40:] + "\n", "EdDSA"),
    (ED, _ED_KEY, "EdDSA"),
], ids=["sec1-bytes", "ec-pkcs8", "ec-escaped", "ec-object", "ed-seed", "ed-spaced",
        "ed-object"])  # fmt: skip
def test_every_key_form_signs_what_the_public_key_verifies(account, key, alg):
    """§1: SEC 1 and PKCS#8 EC PEM, escaped newlines, the 32-byte seed, base64 with
    whitespace and key objects; the token verifies with the spec's public key."""
    import jwt

    auth = CoinbaseAuth(account["api_key_name"], key)
    assert auth.algorithm == alg
    token = bearer(auth.sign("GET", MAIN + "/api/v3/brokerage/accounts").headers)
    public = EC_PUBLIC_PEM if alg == "ES256" else ED_PUBLIC_PEM
    claims = jwt.decode(token, public, algorithms=[alg])
    assert claims["sub"] == account["api_key_name"]


_RSA = rsa.generate_private_key(65537, 2048)
_K1 = ec.generate_private_key(ec.SECP256K1())


@pytest.mark.parametrize(("key", "fragment"), [
    (_pem(_RSA, serialization.PrivateFormat.PKCS8), "is a RSAPrivateKey"),
    (_RSA, "is a RSAPrivateKey"),
    (_pem(_K1, serialization.PrivateFormat.TraditionalOpenSSL), "curve secp256k1, not P-256"),
    (base64.b64encode(bytes(48)).decode(), "is base64 of 48 bytes"),
    ("not a key at all!", "it is not base64"),
    (base64.b64encode(bytes(32) + bytes(range(32))).decode(), "not the first half's public"),
    (EC_PUBLIC_PEM, "is a public key"),
    ("", "private_key is empty"),
    ("\\n", "private_key is empty"),
], ids=["rsa-pem", "rsa-object", "secp256k1", "48-bytes", "garbage", "mismatched-halves",
        "public-key", "empty", "only-escapes"])  # fmt: skip
def test_keys_coinbase_does_not_take_are_refused_without_showing_them(key, fragment):
    """§1: RSA, curves other than P-256, base64 not of 32/64 bytes, garbage: one
    ConfigurationError naming private_key and the key types, showing no key material."""
    with pytest.raises(ConfigurationError, match=re.escape(fragment)) as caught:
        CoinbaseAuth(EC["api_key_name"], key)
    text = str(caught.value)
    assert "private_key" in text
    body = "".join(line for line in (key if isinstance(key, str) else "").splitlines()
                   if "-----" not in line)  # fmt: skip
    assert not any(body[i : i + 12] in text for i in range(max(0, len(body) - 11)))
    assert caught.value.__context__ is None or "Coinbase" not in str(caught.value.__context__)


def test_an_empty_key_name_is_refused():
    """§1: the key name is the token's sub and kid; an empty one is a configuration error."""
    with pytest.raises(ConfigurationError, match="api_key_name is empty"):
        CoinbaseAuth("", ED["private_key"])


def test_repr_and_pickle_show_and_keep_what_they_should():
    """DESIGN.md #6-7: repr masks the key name; a pickle signs the same tokens."""
    auth = make(EC)
    assert repr(auth) == "CoinbaseAuth(api_key_name='orga…f91')"
    copy = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own object
    url = MAIN + "/api/v3/brokerage/accounts"
    assert bearer(copy.sign("GET", url).headers) == TOKENS["C1"]


# -- from_file() and from_env() ---------------------------------------------------------------


def test_from_file_reads_coinbases_key_file_as_it_comes(tmp_path):
    """§1: the downloaded JSON ({"name", "privateKey"} with \\n escapes, older fields too)."""
    path = tmp_path / "cdp_api_key.json"
    content = {"id": "8ff14d18", "name": EC["api_key_name"], "principal": "p", "publicKey": "x",
               "privateKey": EC["private_key"], "scopes": ["view"]}  # fmt: skip
    path.write_text(json.dumps(content, indent=2))
    assert "\\n" in path.read_text()  # as Coinbase writes it
    auth = CoinbaseAuth.from_file(path, clock=make(EC).clock, jwt_nonce=lambda: NONCE)
    assert bearer(auth.sign("GET", MAIN + "/api/v3/brokerage/accounts").headers) == TOKENS["C1"]


def test_from_file_takes_a_doubly_escaped_key_and_the_packages_own_shape(tmp_path):
    """A privateKey whose newlines are literal \\n text, and {"key", "private_key"}."""
    coinbase = tmp_path / "coinbase.json"
    escaped = ED_FORMS["pem"].replace("\n", "\\n")
    coinbase.write_text(json.dumps({"name": ED["api_key_name"], "privateKey": escaped}))
    own = tmp_path / "own.json"
    own.write_text(json.dumps({"key": ED["api_key_name"], "private_key": ED["private_key"]}))
    for path in (coinbase, own):
        assert CoinbaseAuth.from_file(path).algorithm == "EdDSA"


@pytest.mark.parametrize(("text", "fragment"), [
    ("{not json", "is not UTF-8 JSON"),
    ('{"name": "organizations/x", "privateKey": 5}', 'string fields "name" and "privateKey"'),
    ('{"key": "k"}', 'string fields "key" and "private_key"'),
])  # fmt: skip
def test_bad_key_files_are_refused_without_echoing_them(tmp_path, text, fragment):
    """A file that is not the key file says what it must hold, and never shows its content."""
    path = tmp_path / "key.json"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=re.escape(fragment)) as caught:
        CoinbaseAuth.from_file(path)
    assert text not in str(caught.value)


def test_from_env_reads_the_key_name_and_an_escaped_private_key():
    """COINBASE_API_KEY and COINBASE_API_PRIVATE_KEY, the PEM on one line with \\n escapes."""
    environ = {"COINBASE_API_KEY": EC["api_key_name"],
               "COINBASE_API_PRIVATE_KEY": EC["private_key"].replace("\n", "\\n")}  # fmt: skip
    auth = CoinbaseAuth.from_env(environ=environ, clock=make(EC).clock,
                                 jwt_nonce=lambda: NONCE)  # fmt: skip
    assert bearer(auth.sign("GET", MAIN + "/api/v3/brokerage/accounts").headers) == TOKENS["C1"]


# -- §5, §6 end to end: accepted, changed, expired, early, reused -------------------------------


def _verdict(exchange: LocalExchange, request) -> object:
    status, _ = exchange.handle(Received.from_prepared(request))
    return status, exchange.received[-1].verdict


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("account", [EC, ED], ids=["ES256", "EdDSA"])
def test_end_to_end_accepted_changed_and_expired(transport, account):
    """On the local exchange: accepted; the token with one byte changed rejected; the same
    kind of request 120 s later, with the client's clock left behind, rejected as expired."""
    clock = FakeClock(NOW_S * 1_000_000_000)
    with LocalExchange(clock=clock) as exchange:
        auth = CoinbaseAuth(**account, clock=FakeClock(NOW_S * 1_000_000_000))
        url = exchange.url + "/api/v3/brokerage/orders"
        assert send(transport, auth, "POST", url, json={"a": "1"}).status == 200
        received = exchange.received[-1].request
        token = bearer(received.headers)
        middle = len(token) // 3  # inside the claims
        changed = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
        headers = dict(received.headers, Authorization=f"Bearer {changed}")
        assert exchange.handle(Received("POST", received.target, headers, received.body))[0] == 401
        clock.advance(ms=119_999)
        assert send(transport, auth, "POST", url, json={"a": "1"}).status == 200
        clock.advance(ms=1)
        assert send(transport, auth, "POST", url, json={"a": "1"}).status == 401
        assert str(exchange.received[-1].verdict.failure) == "stale_timestamp"


def test_a_token_ahead_of_the_server_or_for_another_path_is_rejected():
    """§5: nbf in the future is a 401; §3: a token is for one method and path."""
    exchange = LocalExchange(clock=FakeClock(NOW_NS - 1_000_000_000))
    url = "https://api.coinbase.com/api/v3/brokerage/accounts"
    r = requests.Request("GET", url, auth=make(EC)).prepare()
    status, verdict = _verdict(exchange, r)
    assert (status, str(verdict.failure)) == (401, "timestamp_ahead")
    exchange = LocalExchange(clock=FakeClock(NOW_NS))
    r.prepare_url(MAIN + "/api/v3/brokerage/orders", None)
    status, verdict = _verdict(exchange, r)
    assert (status, str(verdict.failure)) == (401, "payload_mismatch")
    headers = dict(r.headers, Host="api.coinbase.com")
    received = Received("GET", "/api/v3/brokerage/accounts", headers)
    assert exchange.handle(received)[0] == 200
    assert (
        exchange.handle(Received("GET", received.target, dict(headers, Host="evil.example")))[0]
        == 401
    )


def test_a_401_resends_once_after_syncing_with_coinbases_clock(local_exchange):
    """§5-6: with a server clock and retry_invalid_timestamp, a token the server finds
    expired (its clock ten minutes ahead) is re-made once, after a sync, and accepted."""
    url = local_exchange.url + "/api/v3/brokerage/accounts"
    clock = CoinbaseAuth.server_clock(url, samples=1).sync()
    local_exchange.clock_offset_ms = 600_000
    auth = CoinbaseAuth(**EC, clock=clock, retry_invalid_timestamp=True)
    assert requests.get(url, auth=auth, timeout=10).status_code == 200
    assert [r.verdict.ok for r in local_exchange.received if r.scheme == "coinbase"] == [
        False,
        True,
    ]


def test_the_verifier_pins_the_algorithm_to_the_key():
    """§8 step 1: an HS256 (or none) token under the key name is rejected."""
    import jwt

    token = jwt.encode({"sub": EC["api_key_name"], "iss": "cdp", "nbf": NOW_S, "exp": NOW_S + 120,
                        "uri": "GET api.coinbase.com/v2/accounts"}, "s" * 32, algorithm="HS256",
                       headers={"kid": EC["api_key_name"], "nonce": NONCE})  # fmt: skip
    headers = {"Authorization": f"Bearer {token}", "Host": "api.coinbase.com"}
    verdict = COINBASE.check(Received("GET", "/v2/accounts", headers), COINBASE.accounts(),
                             NOW_S * 1000)  # fmt: skip
    assert str(verdict.failure) == "bad_signature"
