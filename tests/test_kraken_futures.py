"""KrakenFuturesAuth (kraken.md Part F): the F8 vectors, parity with python-kraken-sdk and
ccxt on random requests, endpointPath after the 2024 change, the body policy, errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

import ccxt
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.kraken_futures import CASES, HOST, KEY, SECRET

from requests_exchange_auth import KrakenFuturesAuth, UnsignableRequestError
from requests_exchange_auth._registry import scheme
from requests_exchange_auth.schemes.kraken_futures import endpoint_path
from requests_exchange_auth.testing import CountingNonce, LocalExchange, Received, verify

kraken_sdk = pytest.importorskip("kraken.base_api", reason="python-kraken-sdk needs Python 3.11+")

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PARITY = settings(max_examples=2000, deadline=None, derandomize=True)


def auth(nonce: int) -> KrakenFuturesAuth:
    return KrakenFuturesAuth(KEY, SECRET, nonce=lambda: nonce)


def authent(message: bytes) -> str:
    """F2, independently: base64 HMAC-SHA512(decoded secret, SHA256(message))."""
    digest = hashlib.sha256(message).digest()
    return base64.b64encode(hmac.digest(base64.b64decode(SECRET), digest, "sha512")).decode()


# -- the spec's vectors ------------------------------------------------------------------

NO_NONCE = {  # F6 and F7: no Nonce header (ccxt's form); the auth always sends one (F4)
    "F6": ("GET", "/derivatives/api/v3/accounts", b"/api/v3/accounts",
           "vVkOCNSTQyvzQ9Uyk9BzRbbBrRN8d62s2oGmRokgft46oZMFwsnpcoFp+qLqhyg0hxiZwBiXRo+EIlIJPlnLuA=="),
    "F7": ("POST", "/derivatives/api/v3/sendorder?orderType=lmt&symbol=PF_XBTUSD&side=sell"
           "&size=1&limitPrice=60000",
           b"orderType=lmt&symbol=PF_XBTUSD&side=sell&size=1&limitPrice=60000/api/v3/sendorder",
           "XWUeWXPzM+djfQtyWEesdHL9IlSYjObT5W0/WRrGCwGXVI2GxAWfhIggIkEAmDewZfXz+LzyweXFv9tVPBM/1A=="),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_spec_vectors(name):
    """F8, F1-F5: the hashed string (postData ‖ nonce ‖ endpointPath) and Authent as printed."""
    method, target, body, nonce, expected = CASES[name]
    path, _, query = target.partition("?")
    message = f"{query}{body or ''}{nonce}{endpoint_path(path)}".encode()
    assert authent(message) == expected
    signed = auth(nonce).sign(method, HOST + target, body=body, headers=FORM if body else None)
    assert signed.headers["Authent"] == expected
    assert signed.headers["Nonce"] == str(nonce)


@pytest.mark.parametrize("name", NO_NONCE)
def test_vectors_without_a_nonce_match_ccxt_and_verify(name):
    """F6, F7: ccxt's own request (no Nonce) has the printed Authent, and the exchange takes it."""
    method, target, message, expected = NO_NONCE[name]
    assert authent(message) == expected
    path, _, query = target.partition("?")
    got = CCXT.sign(path.rpartition("/")[2], ["private"], method,
                    dict(p.split("=") for p in query.split("&")) if query else {})  # fmt: skip
    assert (got["url"], got["headers"]["Authent"]) == (HOST + target, expected)
    verdict = verify("kraken-futures", Received(method, target, got["headers"]), api_key=KEY,
                     secret=SECRET)  # fmt: skip
    assert verdict
    assert verdict.nonce is None


def test_endpoint_path_drops_derivatives_only():
    """F2: /derivatives goes (after 2024-02-20 too); History API paths are signed whole."""
    assert endpoint_path("/derivatives/api/v3/fills") == "/api/v3/fills"
    assert endpoint_path("/api/history/v2/orders") == "/api/history/v2/orders"
    assert endpoint_path("/derivativesx/api") == "/derivativesx/api"


# -- parity with python-kraken-sdk and ccxt -------------------------------------------------

SDK = kraken_sdk.FuturesClient(key=KEY, secret=SECRET)
CCXT = ccxt.krakenfutures({"apiKey": KEY, "secret": SECRET})
NAMES = st.text("abcxyzABC0189_", min_size=1, max_size=8)
VALUES = st.text(max_size=12)
SAFE = st.text("abcxyzABC0189_.-~:", max_size=12)
ENDPOINTS = st.sampled_from(["sendorder", "editorder", "cancelorder", "fills", "openpositions"])


@PARITY
@given(endpoint=ENDPOINTS, method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
       query=st.dictionaries(NAMES, VALUES, max_size=4),
       form=st.dictionaries(NAMES, VALUES, max_size=4),
       nonce=st.integers(1, 2**63 - 1))  # fmt: skip
def test_parity_with_python_kraken_sdk(endpoint, method, query, form, nonce):
    """2,000 random requests (query and form, any Unicode values): what the SDK's
    ``_prepare_request`` sends, with its nonce fixed, gets our Authent and Nonce exactly."""
    uri = f"/derivatives/api/v3/{endpoint}"
    SDK.get_nonce = lambda: str(nonce)  # the SDK's nonce source, fixed
    _, url, headers, body, query_string = SDK._prepare_request(method, uri, form, query)
    target = url + (f"?{query_string}" if query_string else "")
    signed = auth(nonce).sign(method, target, body=body or None,
                              headers={"Content-Type": headers["Content-Type"]})  # fmt: skip
    assert (signed.headers["Nonce"], signed.headers["Authent"]) == (headers["Nonce"],
                                                                    headers["Authent"])  # fmt: skip
    direct = SDK._get_kraken_futures_signature(uri, query_string + body, str(nonce))
    assert direct == headers["Authent"]


@PARITY
@given(endpoint=ENDPOINTS, params=st.dictionaries(NAMES, SAFE, max_size=5),
       history=st.booleans(), nonce=st.integers(1, 2**63 - 1))  # fmt: skip
def test_parity_with_ccxt(endpoint, params, history, nonce):
    """2,000 random requests (values without spaces, F9): the same URL and postData as
    ccxt's ``sign()``; ccxt's own hash and HMAC over the Nonce-bearing string give our
    Authent (ccxt sends no Nonce, so its header cannot be compared, F8)."""
    api, path = (["history"], "orders") if history else (["private"], endpoint)
    got = CCXT.sign(path, api, "GET" if history else "POST", dict(params))
    signed = auth(nonce).sign("POST", got["url"])
    assert signed.url == got["url"]
    parts = urlsplit(got["url"])
    message = f"{parts.query}{nonce}{endpoint_path(parts.path)}"
    digest = CCXT.hash(CCXT.encode(message), "sha256", "binary")
    ccxt_authent = CCXT.hmac(digest, CCXT.base64_to_binary(SECRET), hashlib.sha512, "base64")
    assert signed.headers["Authent"] == ccxt_authent


def test_ccxt_cannot_express_an_encoded_batchorder():
    """F9: ccxt sends batchorder's json= unencoded; Kraken support asks for it URL-encoded
    (F4's body); the auth signs either as it is, the local exchange checks the signature."""
    got = CCXT.sign("batchorder", ["private"], "POST", {"batchOrder": [{"order": "send"}]})
    assert got["body"] == 'json={"batchOrder":[{"order":"send"}]}'
    assert CASES["F4"][2].startswith("json=%7B%22batchOrder%22")


# -- the body policy, what it owns, errors ---------------------------------------------------


def test_resigning_replaces_nonce_and_authent_and_keeps_the_bytes():
    """Re-signing leaves one fresh Nonce and Authent; URL and body untouched (F7)."""
    futures = KrakenFuturesAuth(KEY, SECRET, nonce=CountingNonce(start=7))
    first = futures.sign("POST", HOST + "/derivatives/api/v3/sendorder", headers=FORM,
                         body="size=1&side=buy")  # fmt: skip
    again = futures.sign("POST", first.url, headers=first.headers, body=first.body)
    assert (again.url, again.body) == (first.url, first.body)
    assert (first.headers["Nonce"], again.headers["Nonce"]) == ("7", "8")
    assert sorted(again.headers) == sorted(first.headers)


@pytest.mark.parametrize(
    ("headers", "body"),
    [({"Content-Type": "application/json"}, '{"a": 1}'), ({}, '{"batchOrder": []}'),
     ({"Content-Type": "text/plain"}, "a")],
    ids=["json", "unlabelled-json", "text"],
)  # fmt: skip
def test_no_json_or_other_body(headers, body):
    """F1: form bodies only; a JSON body is refused with the batchorder fix."""
    with pytest.raises(UnsignableRequestError, match="form bodies only") as caught:
        auth(1).sign("POST", HOST + "/derivatives/api/v3/batchorder", headers=headers, body=body)
    assert "json.dumps(batch)" in str(caught.value)


def test_a_form_body_without_content_type_gets_it():
    """A form body sent as bytes gets the form Content-Type (F3)."""
    signed = auth(1).sign("POST", HOST + "/derivatives/api/v3/sendorder", body=b"size=1")
    assert signed.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_the_2024_encoding_signs_the_query_as_sent():
    """F2 "What changed": the URL-encoded query as it appears in the request is hashed."""
    r = requests.Request("GET", HOST + "/derivatives/api/v3/fills", auth=auth(5),
                         params={"greeting": "hello world"}).prepare()  # fmt: skip
    assert r.headers["Authent"] == authent(b"greeting=hello+world5/api/v3/fills")


@pytest.mark.parametrize(("nonce", "code"), [(100, "nonceDuplicate"), (99, "nonceBelowThreshold")])
def test_nonce_errors_say_which_generator_to_pick(nonce, code):
    """F5: a repeated or lower nonce is answered in Kraken's words, naming the generators."""
    exchange = LocalExchange()
    url = HOST + "/derivatives/api/v3/openpositions"
    exchange.handle(Received.from_prepared(auth(100).sign("GET", url)))
    status, answer = exchange.handle(Received.from_prepared(auth(nonce).sign("GET", url)))
    assert (status, answer["result"], answer["error"]) == (200, "error", code)
    assert "FileNonce" in exchange.received[-1].verdict.detail


def test_authentication_error_says_what_to_check():
    """A Spot-style or /derivatives-prefixed signature: authenticationError, HTTP 200; the
    History API answers 401 (F5)."""
    exchange = LocalExchange()
    for path, status in (("/derivatives/api/v3/fills", 200), ("/api/history/v2/orders", 401)):
        signed = auth(1).sign("GET", HOST + path)
        tampered = Received("GET", path + "?x=1", signed.headers)
        answer = exchange.handle(tampered)
        assert answer[0] == status
        assert scheme("kraken-futures").kit.is_rejection(*answer)
    verdict = exchange.received[-2].verdict
    assert verdict.reason == "authenticationError"
    assert "WITHOUT its leading /derivatives" in verdict.detail
