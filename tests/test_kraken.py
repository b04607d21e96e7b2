"""KrakenAuth (kraken.md Part S): the official example and the derived vectors, parity with
python-kraken-sdk and ccxt on random requests, the body policy, the nonce it owns, errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import urlencode

import ccxt
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.kraken import BATCH_JSON, CASES, KEY, ORDER_JSON, SECRET

from requests_exchange_auth import ConfigurationError, KrakenAuth, UnsignableRequestError
from requests_exchange_auth.testing import CountingNonce, LocalExchange, Received, verify

kraken_sdk = pytest.importorskip("kraken.base_api", reason="python-kraken-sdk needs Python 3.11+")

URL = "https://api.kraken.com/0/private/"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
NONCE = 1616492376594
PARITY = settings(max_examples=2000, deadline=None, derandomize=True)


def auth(nonce: int = NONCE) -> KrakenAuth:
    return KrakenAuth(KEY, SECRET, nonce=lambda: nonce)


def check(signed, last_nonce: int | None = None):
    return verify("kraken", Received.from_prepared(signed), api_key=KEY, secret=SECRET,
                  last_nonce=last_nonce)  # fmt: skip


# -- the spec's vectors ------------------------------------------------------------------


def test_official_documentation_example():
    """kraken.md §5, the docs' AddOrder example: data={...} gives the exact post_data
    (the nonce first) and the published API-Sign; the inner digest is the printed one."""
    _, _, _, _, post_data, api_sign = CASES["official"]
    order = {"ordertype": "limit", "pair": "XBTUSD", "price": "37500", "type": "buy",
             "volume": "1.25"}  # fmt: skip
    r = requests.Request("POST", URL + "AddOrder", data=order, auth=auth()).prepare()
    assert r.body == post_data
    assert r.headers["API-Sign"] == api_sign
    inner = hashlib.sha256(f"{NONCE}{post_data}".encode()).hexdigest()
    assert inner == "23a1c1b34c6a11d641af0f24684896cb90f66fb991125c83dc357bdc3dc146f1"


@pytest.mark.parametrize("name", CASES)
def test_spec_vectors(name):
    """§5 and the derived S2-S5: body bytes and API-Sign as printed."""
    path, headers, body, nonce, signed_body, api_sign = CASES[name]
    signed = auth(nonce).sign("POST", URL + path, headers=headers, body=body)
    assert (signed.body, signed.headers["API-Sign"]) == (signed_body.encode(), api_sign)
    assert check(signed)


@pytest.mark.parametrize(
    ("body", "api_sign"),
    [
        ('{"nonce":"1616492376594",' + ORDER_JSON,
         "r/o+GpKxXjV/mls/r5CKLu5R+yzK5psqvQ4hXxMX1nzdxTBhV+ui82QGgPZMMitpFwCOAdPEZMmXgZxD2chJEg=="),
        ('{"nonce":"1616492376597",' + BATCH_JSON,
         "Gz6V4+Fe6sEbx0DiOJ4S6r9L+vFyys+uWpLXvRW4nzKcLIP/jpPIPJIxhkgshE4RBwUw3zgqfHhBAsfVUeOnGQ=="),
    ],
    ids=["S2b", "S5b"],
)  # fmt: skip
def test_string_nonce_vectors_verify(body, api_sign):
    """§5 S2b/S5b (a JSON string nonce, ccxt's form) verify; the auth itself sends a number."""
    nonce = json.loads(body)["nonce"]
    path = "AddOrderBatch" if "orders" in body else "AddOrder"
    key = base64.b64decode(SECRET)
    inner = hashlib.sha256((nonce + body).encode()).digest()
    mac = hmac.digest(key, f"/0/private/{path}".encode() + inner, hashlib.sha512)
    assert base64.b64encode(mac).decode() == api_sign
    headers = {**JSON, "API-Key": KEY, "API-Sign": api_sign}
    assert verify("kraken", Received("POST", f"/0/private/{path}", headers, body),
                  api_key=KEY, secret=SECRET)  # fmt: skip


# -- parity with python-kraken-sdk --------------------------------------------------------

SDK = kraken_sdk.SpotClient(key=KEY, secret=SECRET)
NAMES = st.text("abcxyzABC0189_", min_size=1, max_size=8).filter(lambda n: n != "nonce")
VALUES = st.text(max_size=12)
ENDPOINTS = st.sampled_from(["AddOrder", "Balance", "CancelOrder", "QueryOrders", "AddOrderBatch"])


@PARITY
@given(endpoint=ENDPOINTS, params=st.dictionaries(NAMES, VALUES, max_size=5),
       nonce=st.integers(1, 2**63 - 1))  # fmt: skip
def test_parity_with_python_kraken_sdk(endpoint, params, nonce):
    """2,000 random requests, as a form (not to the batch endpoints) and as JSON: the SDK's
    ``_get_kraken_signature`` over our body and nonce is our API-Sign; and what the SDK's
    ``_prepare_request`` sends (nonce last, a string in JSON) verifies at the exchange."""
    path = f"/0/private/{endpoint}"
    kinds = [("json", JSON, json.dumps(params))]
    if endpoint != "AddOrderBatch":
        kinds.append(("form", FORM, urlencode(params)))
    for kind, headers, body in kinds:
        signed = auth(nonce).sign("POST", "https://api.kraken.com" + path, headers=headers,
                                  body=body)  # fmt: skip
        sdk_sign = SDK._get_kraken_signature(path, signed.body.decode(), nonce)
        assert signed.headers["API-Sign"] == sdk_sign
        SDK.get_nonce = lambda nonce=nonce: str(nonce)  # the SDK's nonce source, fixed
        _, _, sdk_headers, sent, _ = SDK._prepare_request(
            method="POST", uri=path, params=dict(params), do_json=kind == "json"
        )
        sdk_body = json.dumps(sent) if kind == "json" else urlencode(sent, doseq=True)
        received = Received("POST", path, sdk_headers, sdk_body)
        assert verify("kraken", received, api_key=KEY, secret=SECRET)


def test_the_sdk_appends_the_nonce_where_the_auth_puts_it_first():
    """§8 "Nonce position": python-kraken-sdk appends it, the docs and the auth put it
    first; both verify, because the server hashes what it receives."""
    SDK.get_nonce = lambda: str(NONCE)
    _, _, _, sent, _ = SDK._prepare_request(method="POST", uri="/0/private/AddOrder",
                                            params={"pair": "XBTUSD"})  # fmt: skip
    assert urlencode(sent) == f"pair=XBTUSD&nonce={NONCE}"
    ours = auth().sign("POST", URL + "AddOrder", headers=FORM, body="pair=XBTUSD")
    assert ours.body == f"nonce={NONCE}&pair=XBTUSD".encode()


# -- parity with ccxt ---------------------------------------------------------------------

CCXT = ccxt.kraken({"apiKey": KEY, "secret": SECRET})
SAFE = st.text("abcxyzABC0189_.-~", max_size=12)


@PARITY
@given(endpoint=ENDPOINTS.filter(lambda e: e != "AddOrderBatch"),
       params=st.dictionaries(NAMES, SAFE, max_size=5),
       nonce=st.integers(1, 2**63 - 1))  # fmt: skip
def test_parity_with_ccxt(endpoint, params, nonce):
    """2,000 random form requests (values without space or [], §8): ccxt's body bytes and
    API-Sign, byte for byte; its JSON requests (a string nonce) verify at the exchange."""
    CCXT.incrementing_nonce = lambda: nonce  # ccxt's nonce source, fixed
    got = CCXT.sign(endpoint, ["private"], "POST", dict(params))
    batch = CCXT.sign("AddOrderBatch", ["private"], "POST", {"orders": [dict(params)]})
    signed = auth(nonce).sign("POST", got["url"], headers=FORM, body=urlencode(params))
    assert (signed.url, signed.body) == (got["url"], got["body"].encode())
    assert signed.headers["API-Sign"] == got["headers"]["API-Sign"]
    received = Received("POST", "/0/private/AddOrderBatch", batch["headers"], batch["body"])
    assert verify("kraken", received, api_key=KEY, secret=SECRET)


def test_ccxt_cannot_send_a_number_nonce():
    """§8: ccxt always sends the JSON nonce as a string, so it cannot produce S2 or S5."""
    CCXT.incrementing_nonce = lambda: NONCE
    got = CCXT.sign("AddOrderBatch", ["private"], "POST", {"orders": []})
    assert got["body"].startswith(f'{{"nonce":"{NONCE}"')
    ours = auth().sign("POST", URL + "AddOrderBatch", headers=JSON, body='{"orders":[]}')
    assert ours.body == f'{{"nonce":{NONCE},"orders":[]}}'.encode()


# -- the nonce it owns, and the body policy -------------------------------------------------


def test_resigning_replaces_the_nonce_in_a_form_and_in_json():
    """Signing a signed request again leaves one nonce, fresh and first (§6)."""
    kraken = KrakenAuth(KEY, SECRET, nonce=CountingNonce(start=5))
    for headers, body in ((FORM, "pair=XBTUSD&non%63e=1"), (JSON, '{"pair": "XBTUSD"}')):
        first = kraken.sign("POST", URL + "AddOrder", headers=headers, body=body)
        again = kraken.sign("POST", first.url, headers=first.headers, body=first.body)
        drawn = re.search(rb"nonce\W+([0-9]+)", first.body)[1]  # 5, then 7
        assert again.body == first.body.replace(drawn, b"%d" % (int(drawn) + 1), 1)
        assert check(again)
    assert again.body == b'{"nonce":8,"pair": "XBTUSD"}'


def test_otp_stays_where_the_caller_put_it():
    """§1a: otp is the caller's, signed in place; the auth never moves or drops it."""
    signed = auth().sign("POST", URL + "AddOrder", headers=FORM, body="pair=XBTUSD&otp=123456")
    assert signed.body == f"nonce={NONCE}&pair=XBTUSD&otp=123456".encode()


@pytest.mark.parametrize(
    ("method", "url", "headers", "body", "match"),
    [
        ("GET", URL + "Balance", {}, None, "POST requests without a query"),
        ("POST", URL + "Balance?a=1", {}, None, "POST requests without a query"),
        ("POST", URL + "AddOrderBatch", FORM, "pair=XBTUSD", "as JSON only"),
        ("POST", URL + "AddOrder", JSON, "[1, 2]", "one object"),
        ("POST", URL + "AddOrder", JSON, '{"pair": "X", "nonce": 1}', "already has one"),
        ("POST", URL + "AddOrder", JSON, "{not json", "one object"),
        ("POST", URL + "AddOrder", {"Content-Type": "text/plain"}, "a", "form or JSON bodies"),
        ("POST", URL + "AddOrder", {}, '{"pair": "X"}', "looks like JSON"),
    ],
    ids=["GET", "query", "batch-form", "array", "nonce-inside", "broken", "text", "unlabelled"],
)  # fmt: skip
def test_unsignable_requests_are_refused_before_a_nonce_is_used(method, url, headers, body, match):
    """Each refused with the fix, and no nonce drawn (a nonce is spent only when signing)."""
    nonce = CountingNonce(start=1)
    with pytest.raises(UnsignableRequestError, match=match):
        KrakenAuth(KEY, SECRET, nonce=nonce).sign(method, url, headers=headers, body=body)
    assert nonce() == 1


def test_a_bodyless_batch_request_becomes_json():
    """No body to a JSON-only endpoint: the body is {"nonce":n} as JSON, not a form."""
    signed = auth().sign("POST", URL + "CancelOrderBatch")
    assert (signed.body, signed.headers["Content-Type"]) == (
        b'{"nonce":%d}' % NONCE,
        "application/json",
    )


@pytest.mark.parametrize("secret", ["not base64!", "abc", SECRET[:-2] + "!!"])
def test_a_secret_that_is_not_base64_is_refused(secret):
    """§2: the secret is base64 text; anything else is a ConfigurationError not showing it."""
    with pytest.raises(ConfigurationError, match="secret is not base64") as caught:
        KrakenAuth(KEY, secret)
    assert secret not in str(caught.value)


# -- errors users meet ------------------------------------------------------------------------


def test_invalid_nonce_says_which_generator_to_pick():
    """A nonce not above the last: EAPI:Invalid nonce, HTTP 200, naming the generators."""
    exchange = LocalExchange()
    first = Received.from_prepared(auth().sign("POST", URL + "Balance"))
    assert exchange.handle(first) == (200, {"error": [], "result": {"nonce": NONCE}})
    status, answer = exchange.handle(first)
    assert (status, answer) == (200, {"error": ["EAPI:Invalid nonce"]})
    detail = exchange.received[-1].verdict.detail
    assert all(name in detail for name in ("FileNonce", "RedisNonce", "OrderedNonce"))


def test_invalid_signature_says_what_to_check():
    """A body changed after signing: EAPI:Invalid signature, naming what is signed."""
    signed = auth().sign("POST", URL + "AddOrder", headers=FORM, body="pair=XBTUSD")
    tampered = Received("POST", "/0/private/AddOrder", signed.headers, signed.body + b"&x=1")
    verdict = verify("kraken", tampered, api_key=KEY, secret=SECRET)
    assert verdict.reason == "EAPI:Invalid signature"
    assert "base64-DECODED" in verdict.detail
    assert "otp" in verdict.detail


def test_a_batch_form_is_refused_by_the_exchange_too():
    """The local exchange answers a form body to AddOrderBatch with EGeneral:Invalid arguments."""
    body = f"nonce={NONCE}&pair=XBTUSD"
    inner = hashlib.sha256(f"{NONCE}{body}".encode()).digest()
    mac = hmac.digest(base64.b64decode(SECRET), b"/0/private/AddOrderBatch" + inner, "sha512")
    headers = {**FORM, "API-Key": KEY, "API-Sign": base64.b64encode(mac).decode()}
    verdict = verify("kraken", Received("POST", "/0/private/AddOrderBatch", headers, body),
                     api_key=KEY, secret=SECRET)  # fmt: skip
    assert verdict.reason == "EGeneral:Invalid arguments"
