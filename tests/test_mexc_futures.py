"""MexcFuturesAuth: the spec's futures vectors, byte parity with ccxt, its body and header
rules, and its answers.

Specification: shared/specs/mexc.md §9 (how MEXC futures sign).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import string

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.mexc import API_KEY, CLOCK_NS, SECRET, TIMESTAMP_MS
from scheme_vectors.mexc_futures import CASES, CONTRACT, ORDER

from requests_exchange_auth import MexcFuturesAuth, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_mexc_futures import (
    MEXC_FUTURES,
    WINDOW_MS,
    mexc_futures_payload,
)

OWNED = ("ApiKey", "Request-Time", "Signature")


def fixed_clock() -> int:
    return CLOCK_NS


def futures_auth(**options) -> MexcFuturesAuth:
    return MexcFuturesAuth(API_KEY, SECRET, clock=fixed_clock, **options)


def _hex(text: str) -> str:
    return hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()


# -- §9: the vectors --------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vector_signs_key_time_and_parameter_string(case):
    """§9 F1-F3: HMAC of key + Request-Time + the sorted query or the JSON body."""
    _, method, path, sent, signed, body, signature = case
    url = f"{CONTRACT}{path}" + (f"?{sent}" if sent else "")
    headers = {"Content-Type": "application/json"} if body else {}
    r = requests.Request(method, url, data=body, headers=headers, auth=futures_auth()).prepare()
    text = f"{API_KEY}{TIMESTAMP_MS}{signed}{(body or b'').decode()}"
    assert r.headers["Signature"] == signature == _hex(text)
    assert r.headers["Request-Time"] == str(TIMESTAMP_MS)
    assert mexc_futures_payload(Received.from_prepared(r)).endswith(signed)


def test_f2_through_params_comes_out_sorted():
    """§9 F2: params= in any order goes out (and is signed) sorted by name."""
    params = {"symbol": "BTC_USDT", "page_size": "20", "page_num": "1"}
    r = requests.Request(
        "GET", f"{CONTRACT}/order/list/history_orders", params=params, auth=futures_auth()
    ).prepare()
    assert r.url.endswith("?page_num=1&page_size=20&symbol=BTC_USDT")
    assert r.headers["Signature"] == CASES[1][6]


def test_f3_through_json_keyword_signs_the_spaced_body():
    """§9: a POST signs its JSON body exactly as sent, requests' spaces included."""
    order = json.loads(ORDER)
    r = requests.Request(
        "POST", f"{CONTRACT}/order/submit", json=order, auth=futures_auth()
    ).prepare()
    assert r.headers["Signature"] == _hex(f"{API_KEY}{TIMESTAMP_MS}{r.body.decode()}")
    assert r.headers["Content-Type"] == "application/json"


# -- parity with ccxt ---------------------------------------------------------------------------

NAMES = st.text(string.ascii_letters + "_", min_size=1, max_size=8)
UNRESERVED = string.ascii_letters + string.digits + "-_.~"
ANY = st.text(UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600", max_size=10)
PARAMS = st.dictionaries(NAMES, st.one_of(st.text(UNRESERVED, max_size=10), ANY), max_size=5)
JSON_VALUES = st.one_of(st.integers(-(10**9), 10**9), ANY, st.booleans())
REQUESTS = st.one_of(
    st.tuples(st.sampled_from(["GET", "DELETE"]), PARAMS),
    st.tuples(st.just("POST"), st.dictionaries(NAMES, JSON_VALUES, max_size=5)),
)


@pytest.fixture(scope="module")
def ccxt_mexc():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.mexc({"apiKey": API_KEY, "secret": SECRET})
    exchange.nonce = lambda: TIMESTAMP_MS  # offline, fixed
    return exchange


def assert_ccxt_parity(exchange, method: str, params: dict) -> None:
    """ccxt's request signed by us carries ccxt's exact headers and URL; for a GET or
    DELETE, the same params= through requests (unsorted, quote_plus) gives ccxt's URL."""
    out = exchange.sign("order/x", ["contract", "private"], method, dict(params))
    body = out["body"].encode() if out["body"] is not None else None
    signed = futures_auth().sign(method, out["url"], headers=out["headers"], body=body)
    assert signed.url == out["url"]
    assert {k: signed.headers[k] for k in OWNED} == {k: out["headers"][k] for k in OWNED}
    if method != "POST":
        r = requests.Request(method, out["url"].partition("?")[0], params=params,
                             auth=futures_auth()).prepare()  # fmt: skip
        assert (r.url, r.headers["Signature"]) == (out["url"], out["headers"]["Signature"])


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(case=REQUESTS)
def test_parity_with_ccxt(ccxt_mexc, case):
    """2,000 random GETs and DELETEs (values that need encoding among them) and JSON
    POSTs, each signed by ccxt's contract signing code, driven offline."""
    assert_ccxt_parity(ccxt_mexc, *case)


# -- body policy and what the auth owns --------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "kwargs", "fragment"), [
    ("PUT", f"{CONTRACT}/order/submit", {"json": {"a": 1}}, "cannot sign a PUT"),
    ("POST", f"{CONTRACT}/order/submit?symbol=BTC_USDT", {"json": {}}, "this POST has a query"),
    ("POST", f"{CONTRACT}/order/submit", {"data": {"a": "1"}}, "signs JSON bodies only"),
    ("GET", f"{CONTRACT}/account/assets", {"json": {"a": 1}}, "this request has a body"),
])  # fmt: skip
def test_unsignable_requests_are_refused_before_sending(method, url, kwargs, fragment):
    """§9: GET/DELETE with a query, POST with JSON; nothing else is signed."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request(method, url, auth=futures_auth(), **kwargs).prepare()


def test_resigning_replaces_every_header_it_owns():
    """The headers are set by assignment: a re-sign leaves one fresh copy of each."""
    clock = FakeClock(CLOCK_NS)
    auth = MexcFuturesAuth(API_KEY, SECRET, clock=clock)
    stale = {"signature": "0" * 64, "request-time": "1"}
    first = auth.sign("GET", f"{CONTRACT}/account/assets?b=2&a=1", headers=stale)
    clock.advance(ms=5)
    again = auth.sign(first.method, first.url, headers=first.headers)
    assert sorted(again.headers) == sorted(first.headers)
    assert again.url == first.url == f"{CONTRACT}/account/assets?a=1&b=2"
    assert again.headers["Signature"] == _hex(f"{API_KEY}{TIMESTAMP_MS + 5}a=1&b=2")


# -- the exchange's answers and clock -------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"success":false,"code":10073,"message":"invalid Request-Time"}', True),
    (b'{"success":false,"code":602,"message":"Signature verification failed!"}', False),
    (b'{"success":true,"code":0,"data":{"id":"10073"}}', False),
    (b"10073 not json", False),
])  # fmt: skip
def test_rejects_timestamp_only_on_10073(body, expected):
    """§9: 10073, invalid Request-Time, is the timestamp answer."""
    assert futures_auth().rejects_timestamp(200, body) is expected


def test_server_clock_reads_the_contract_ping():
    """The contract API's time: /api/v1/contract/ping on the URL's origin, its data."""
    clock = MexcFuturesAuth.server_clock(f"{CONTRACT}/order/submit")
    assert clock.url == "https://contract.mexc.com/api/v1/contract/ping"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = MexcFuturesAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() // 1_000_000 - TIMESTAMP_MS) < 5_000


@pytest.mark.parametrize(("change", "code"), [
    ({"Signature": "0" * 64}, 602),
    ({"Request-Time": "1767268800.123"}, 10073),
    ({"ApiKey": "mx0other"}, 10072),
])  # fmt: skip
def test_the_local_exchange_answers_in_mexcs_words(change, code):
    """§9: 602, 10073, 10072, as {"success": false, "code": ...} in an HTTP 200."""
    signed = futures_auth().sign("GET", f"{CONTRACT}/account/assets")
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    received = Received("GET", "/api/v1/private/account/assets", {**signed.headers, **change})
    status, answer = exchange.handle(received)
    assert (status, answer["success"], answer["code"]) == (200, False, code)
    assert MEXC_FUTURES.is_rejection(status, answer)


def test_the_window_is_ten_seconds_each_way():
    """The local exchange's assumption (not in the spec): 10 s either way."""
    signed = futures_auth().sign("GET", f"{CONTRACT}/account/assets")
    received = Received("GET", "/api/v1/private/account/assets", signed.headers)
    for offset, ok in ((WINDOW_MS, True), (WINDOW_MS + 1, False), (-WINDOW_MS + 1, True)):
        exchange = LocalExchange(clock=FakeClock(CLOCK_NS + offset * 1_000_000))
        assert exchange.handle(received)[1]["success"] is ok, offset


def test_end_to_end_accepted_and_one_changed_byte_rejected():
    """Over HTTP to the local exchange: the signed order is accepted; the same bytes with
    one byte of the JSON body changed get 602."""
    with LocalExchange() as exchange, requests.Session() as session:
        url = exchange.url + "/api/v1/private/order/submit"
        signed = MEXC_FUTURES.make_auth().sign("POST", url, body=ORDER)
        ok = session.post(url, data=signed.body, headers=signed.headers, timeout=5)
        changed = signed.body.replace(b'"vol":1', b'"vol":2')
        bad = session.post(url, data=changed, headers=signed.headers, timeout=5)
    assert ok.json()["success"] is True, ok.text
    assert (bad.status_code, bad.json()["code"]) == (200, 602)
