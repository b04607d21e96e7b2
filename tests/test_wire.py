"""The request rewriting rules, on auths called directly on prepared requests (DESIGN.md #3)."""

from __future__ import annotations

import pytest
import requests

from requests_exchange_auth import BinanceOpenApiJwtAuth, BinanceQueryAuth, PoloniexBodyDigestAuth
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    OPEN_API_KEY,
    OPEN_API_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
)

NOW_NS = 1_499_827_319_559_000_000


def prepared(method="POST", url="https://api.binance.com/api/v3/order", **options):
    """A request prepared by requests without any auth."""
    return requests.Request(method, url, **options).prepare()


@pytest.mark.parametrize("data", [{"a": "1"}, "a=1", b"a=1"], ids=["dict", "str", "bytes"])
@pytest.mark.parametrize(
    "auth",
    [
        BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS),
        PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 42),
    ],
    ids=["binance", "poloniex"],
)
def test_direct_call_keeps_framing_headers_right(auth, data):
    """Called outside requests, an auth still leaves a matching Content-Length and a form type."""
    r = auth(prepared(data=data))
    assert r.headers["Content-Length"] == str(len(r.body))
    assert r.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert type(r.body) is type(data) or isinstance(data, dict)


def test_body_type_is_kept():
    """A bytes body stays bytes and a str body stays str after signing."""
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 5)
    assert auth(prepared(data=b"a=1")).body == b"a=1&nonce=5"
    assert auth(prepared(data="a=1")).body == "a=1&nonce=5"


def test_fragment_and_existing_query_are_kept():
    """A URL fragment stays after the signed query, and an existing query keeps its order."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS)
    r = auth(prepared("GET", "https://api.binance.com/api/v3/x?b=2&a=1#frag"))
    assert r.url.startswith(
        "https://api.binance.com/api/v3/x?b=2&a=1&timestamp=1499827319559&signature="
    )
    assert r.url.endswith("#frag")


def test_callers_recv_window_is_left_alone():
    """A recvWindow the caller sent wins over the configured one, in the query or the body."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=5000, clock=lambda: NOW_NS)
    in_query = auth(prepared(params={"recvWindow": "999"}, data={"a": "1"}))
    assert "recvWindow=999" in in_query.url
    assert "recvWindow" not in in_query.body
    in_body = auth(prepared(data={"recvWindow": "999"}))
    assert in_body.body.count("recvWindow") == 1


def test_callers_timestamp_and_signature_are_replaced():
    """Stale timestamp/signature parameters are replaced by one fresh pair.

    A caller's timestamp keeps its place with a fresh value (the first one: query before
    body); every other copy, and every stale signature, is dropped.
    """
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS)
    r = auth(
        prepared(
            params={"timestamp": "1", "signature": "x"},
            data={"signature": "y", "a": "1", "timestamp": "2"},
        )
    )
    assert r.url == "https://api.binance.com/api/v3/order?timestamp=1499827319559"
    assert r.body.startswith("a=1&signature=")
    in_body = auth(prepared(data=[("timestamp", "1"), ("a", "1"), ("timestamp", "3")]))
    assert in_body.body.startswith("timestamp=1499827319559&a=1&signature=")
    assert in_body.body.count("timestamp") == 1


def test_empty_body_signs_the_query():
    """An empty body counts as no body: the parameters go to the query."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS)
    request = prepared()
    request.body = ""
    r = auth(request)
    assert "timestamp=" in r.url
    assert r.body == ""


def test_non_ascii_str_body_is_sent_as_the_utf8_that_was_hashed():
    """The JWT auth turns a non-ASCII str body into its UTF-8 bytes, so hash and wire agree."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET, clock=lambda: NOW_NS)
    r = auth(prepared(url="https://dip-cb.binanceapi.com/mp-api/v1/x", data='{"n":"é"}'))
    assert r.body == '{"n":"é"}'.encode()
    assert r.headers["Content-Length"] == str(len(r.body))
