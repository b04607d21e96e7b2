"""PoloniexAuth (poloniex.md Part B, v3): the spec's vectors, parity with Poloniex's own
signing code and with ccxt on random requests, the body policy, timestamps and answers.

Poloniex's official Python SDK (github.com/poloniex/polo-sdk-python) is not on PyPI, so its
signing function is reproduced below (``_polo_sdk_signature``), and cited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import quote, urlencode

import ccxt
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.poloniex import CASES, KEY, SECRET, TIMESTAMP_MS, VECTORS

from requests_exchange_auth import ConfigurationError, PoloniexAuth, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received, verify

HOST = "https://api.poloniex.com"
NOW_NS = TIMESTAMP_MS * 1_000_000
PARITY = settings(max_examples=2000, deadline=None, derandomize=True)


def auth(**options) -> PoloniexAuth:
    return PoloniexAuth(KEY, SECRET, clock=lambda: NOW_NS, **options)


# -- the spec's vectors ------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_spec_vector_request_string_and_signature(name):
    """poloniex.md Part B "v3 vectors" A-F: the request string's HMAC is the printed signature."""
    method, path, query, body, string, signature = CASES[name]
    mac = hmac.digest(SECRET.encode(), string.encode(), hashlib.sha256)
    assert base64.b64encode(mac).decode() == signature
    url = HOST + path + (f"?{query}" if query else "")
    headers = {"Content-Type": "application/json"} if body else None
    signed = auth().sign(method, url, body=body, headers=headers)
    assert signed.headers["signature"] == signature
    assert signed.headers["signTimestamp"] == str(TIMESTAMP_MS)


def test_the_wire_query_is_the_signed_one_sorted_and_encoded():
    """Vector B through requests: requests' '+' becomes %20, the query is sorted on the wire."""
    params = {"symbol": "ETH_USDT", "clientOrderId": "my id/1"}
    r = requests.Request("GET", HOST + "/orders/history", auth=auth(), params=params).prepare()
    assert r.url == HOST + "/orders/history?clientOrderId=my%20id%2F1&symbol=ETH_USDT"
    assert r.headers["signature"] == CASES["B"][5]


# -- parity with Poloniex's official Python SDK ---------------------------------------------


def _polo_sdk_signature(secret: str, method: str, path: str, params: dict, body: str, ts: str):  # noqa: PLR0917  # the SDK's own arguments
    """polo-sdk-python ``polosdk/spot/rest/request.py`` ``Request._get_sig_header`` (commit
    c2f7c62), reproduced: ``signTimestamp`` merged into the params, sorted by name, each
    value ``quote(v, safe="~()*!'")``; or ``requestBody=<body>&signTimestamp=<ts>``."""
    if not body:
        merged = {"signTimestamp": ts, **params}
        safe = "~()*!'"  # the SDK's encode_uri_component
        param_string = "&".join(
            f"{k}={quote(str(v), safe=safe)}" for k, v in sorted(merged.items())
        )
    else:
        param_string = f"requestBody={body}&signTimestamp={ts}"
    payload = f"{method}\n{path}\n{param_string}"
    mac = hmac.new(secret.encode("utf8"), payload.encode("utf8"), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


NAMES = st.text("ABCXYZabcxyz0189_", min_size=1, max_size=8).filter(lambda n: n != "signTimestamp")
VALUES = st.text(max_size=12).map(lambda v: v.replace("\x00", ""))
SAFE_VALUES = st.text("ABCXYZabcxyz0189_.-~", max_size=12)
PATHS = st.sampled_from(["/orders", "/orders/history", "/accounts/balances", "/v3/trade/order"])


@PARITY
@given(path=PATHS, params=st.dictionaries(NAMES, VALUES, max_size=5),
       order=st.dictionaries(NAMES, VALUES, min_size=1, max_size=4),
       methods=st.tuples(st.sampled_from(["GET", "DELETE"]),
                         st.sampled_from(["POST", "PUT", "DELETE"])))  # fmt: skip
def test_parity_with_the_official_sdk(path, params, order, methods):
    """2,000 random requests (any Unicode values), each as a query and as a JSON body (the
    SDK's json.dumps text, signed verbatim): the same signatures as the SDK's code."""
    ts = str(TIMESTAMP_MS)
    url = HOST + path + (f"?{urlencode(params)}" if params else "")
    signed = auth().sign(methods[0], url)
    assert signed.headers["signature"] == _polo_sdk_signature(SECRET, methods[0], path, params,
                                                              "", ts)  # fmt: skip
    body = json.dumps(order)  # what the SDK sends (default separators)
    signed = auth().sign(methods[1], HOST + path, body=body,
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert signed.body == body.encode()
    assert signed.headers["signature"] == _polo_sdk_signature(SECRET, methods[1], path, {},
                                                              body, ts)  # fmt: skip


# -- parity with ccxt ---------------------------------------------------------------------

CCXT = ccxt.poloniex({"apiKey": KEY, "secret": SECRET})
CCXT.nonce = lambda: TIMESTAMP_MS  # ccxt's signTimestamp source (poloniex.nonce)


@PARITY
@given(path=PATHS, params=st.dictionaries(NAMES, SAFE_VALUES, max_size=5),
       body=st.dictionaries(NAMES, SAFE_VALUES, min_size=1, max_size=5))  # fmt: skip
def test_parity_with_ccxt(path, params, body):
    """2,000 random GETs and POSTs on the values all sources agree on (A-Z a-z 0-9 _.-~):
    ccxt's signature; for a POST also its body bytes. ccxt sends the query unsorted."""
    got = CCXT.sign(path.lstrip("/"), ["private"], "GET", dict(params))
    ours = auth().sign("GET", got["url"])
    assert ours.headers["signature"] == got["headers"]["signature"]
    assert ours.url == HOST + path + (f"?{urlencode(sorted(params.items()))}" if params else "")
    got = CCXT.sign(path.lstrip("/"), ["private"], "POST", dict(body))
    ours = auth().sign("POST", got["url"], body=got["body"], headers=got["headers"])
    assert (ours.body, ours.headers["signature"]) == (got["body"].encode(),
                                                      got["headers"]["signature"])  # fmt: skip


def test_ccxt_encodes_parentheses_and_a_symbol_differently():
    """Where ccxt differs (poloniex.md "Where sources disagree"): it encodes ``!*'()`` and
    encodes a GET ``symbol`` twice; the auth follows the docs and the official SDK."""
    got = CCXT.sign("orders", ["private"], "GET", {"clientOrderId": "a(1)", "symbol": "A B"})
    assert got["url"].endswith("?clientOrderId=a%281%29&symbol=A%2520B")
    ours = auth().sign("GET", HOST + "/orders?clientOrderId=a%281%29&symbol=A+B")
    assert ours.url.endswith("?clientOrderId=a(1)&symbol=A%20B")
    sdk = _polo_sdk_signature(SECRET, "GET", "/orders", {"clientOrderId": "a(1)", "symbol": "A B"},
                              "", str(TIMESTAMP_MS))  # fmt: skip
    assert ours.headers["signature"] == sdk != got["headers"]["signature"]


# -- what the auth owns, and its body policy ------------------------------------------------


def test_resigning_replaces_the_headers_and_keeps_the_url():
    """Re-signing overwrites signTimestamp and signature; the URL and body stay as they were."""
    clock = FakeClock(NOW_NS)
    poloniex = PoloniexAuth(KEY, SECRET, clock=clock, recv_window=1500)
    first = poloniex.sign("GET", HOST + "/orders?symbol=ETH_USDT&signTimestamp=1")
    clock.advance(ms=5)
    again = poloniex.sign("GET", first.url, headers=first.headers)
    assert again.url == first.url == HOST + "/orders?symbol=ETH_USDT"
    assert again.headers["signTimestamp"] == str(TIMESTAMP_MS + 5)
    assert sorted(again.headers) == ["key", "recvWindow", "signTimestamp", "signature"]
    assert again.headers["recvWindow"] == "1500"


def test_a_query_with_a_json_body_is_refused():
    """The SDKs disagree on query + body (Java signs both): refused, nothing sent."""
    with pytest.raises(UnsignableRequestError, match="both a query and a JSON body"):
        auth().sign("POST", HOST + "/orders?a=1", body=b'{"b":"2"}',
                    headers={"Content-Type": "application/json"})  # fmt: skip


def test_a_form_body_is_refused():
    """Poloniex v3 takes JSON bodies only: data={...} is refused with the fix."""
    with pytest.raises(UnsignableRequestError, match="JSON bodies only"):
        requests.Request("POST", HOST + "/orders", data={"a": "1"}, auth=auth()).prepare()


def test_json_without_content_type_gets_it():
    """A JSON body sent as plain bytes gets Content-Type: application/json."""
    signed = auth().sign("POST", HOST + "/orders", body=b'{"a":"1"}')
    assert signed.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("value", [0, -1, 1.5, "1500", True])
def test_recv_window_must_be_positive_int_milliseconds(value):
    """recv_window is a positive int, refused otherwise with the fix."""
    with pytest.raises(ConfigurationError, match="positive int of milliseconds"):
        PoloniexAuth(KEY, SECRET, recv_window=value)


# -- the exchange's answers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (408, b"", True),
        (400, b'{"code": 400, "message": "signTimestamp is more than 1 second from ..."}', True),
        (400, b'{"code": "FORBIDDEN", "message": "Invalid API key/secret pair."}', False),
        (400, b'{"code": 601, "message": "Invalid Parameter"}', False),
        (400, b"not json", False),
        (500, b'{"message": "timestamp"}', False),
    ],
)
def test_what_counts_as_the_timestamp_rejection(status, body, expected):
    """408, or a 400 naming the timestamp; never a signature error, never a 5xx."""
    assert (status in auth().rejection_statuses and auth().rejects_timestamp(status, body)) is (
        expected
    )


def _received(signed) -> Received:
    return Received.from_prepared(signed)


@pytest.mark.parametrize(("skew_ms", "status", "code"), [(1001, 400, 400), (-5001, 408, 408)])
def test_local_exchange_answers_a_timestamp_out_of_its_window(skew_ms, status, code):
    """Ahead by more than 1 s: 400; older than recvWindow (or 5000 ms without it): 408."""
    exchange = LocalExchange(clock=FakeClock(NOW_NS - skew_ms * 1_000_000))
    answer = exchange.handle(_received(auth().sign("GET", HOST + "/orders")))
    assert answer[0] == status
    assert answer[1]["code"] == code
    assert auth().rejects_timestamp(*answer[:1], json.dumps(answer[1]).encode())


def test_recv_window_narrows_the_window():
    """With recvWindow=1500, a request 1501 ms old is rejected with 408."""
    exchange = LocalExchange(clock=FakeClock(NOW_NS + 1501 * 1_000_000))
    status, _ = exchange.handle(_received(auth(recv_window=1500).sign("GET", HOST + "/orders")))
    assert status == 408


def test_a_bad_signature_is_explained():
    """The signature answer in Poloniex's words, with a detail naming what to check."""
    signed = auth().sign("GET", HOST + "/orders?limit=5")
    tampered = Received("GET", "/orders?limit=6", signed.headers)
    verdict = verify("poloniex", tampered, api_key=KEY, secret=SECRET, clock=lambda: NOW_NS)
    assert not verdict
    assert verdict.reason == "Invalid API key/secret pair."
    assert "sorted by name" in verdict.detail
    assert verdict.payload == "GET\n/orders\nlimit=6&signTimestamp=1659259836247"


def test_every_vector_is_in_the_wire_contract():
    """All six vectors of Part B are wire vectors (tests/test_contract_wire.py sends them)."""
    assert [v.id for v in VECTORS] == list("ABCDEF")
