"""The request rewriting rules, on auths called directly on prepared requests (DESIGN.md #3)."""

from __future__ import annotations

import pytest
import requests

from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    ConfigurationError,
    CrossOriginRedirectError,
    InsecureTransportError,
    PoloniexBodyDigestAuth,
    UnsignableRequestError,
)
from requests_exchange_auth._requests import RedirectGuard
from requests_exchange_auth._retry import Answer, Attempt
from requests_exchange_auth.schemes.binance import time_url
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
    # requests encodes a dict to str; a str or bytes body keeps its type
    assert type(r.body) is (str if isinstance(data, dict) else type(data))


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


def test_a_stale_signature_without_a_timestamp_gets_a_fresh_pair():
    """A request that carries only an old signature gets the timestamp and one new signature."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS)
    in_query = auth(prepared("GET", "https://api.binance.com/api/v3/x?a=1&signature=old"))
    assert in_query.url.split("?")[1].split("&signature=")[0] == "a=1&timestamp=1499827319559"
    assert in_query.url.count("signature=") == 1
    assert "signature=old" not in in_query.url
    in_body = auth(prepared(data="signature=old&a=1"))
    assert in_body.body.startswith("a=1&timestamp=1499827319559&signature=")
    assert in_body.body.count("signature=") == 1


@pytest.mark.parametrize(
    ("spelling", "name"),
    [("time%73tamp", "timestamp"), ("%74imestamp", "timestamp"), ("sig%6Eature", "signature")],
)
def test_owned_names_are_recognised_as_the_server_decodes_them(spelling, name):
    """A percent-encoded spelling of an owned name is the owned name (DESIGN.md #2), in
    the body and in the query."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS)
    r = auth(prepared(data=f"a=1&{spelling}=1"))
    assert spelling not in r.body
    assert r.body.count(f"{name}=") == 1
    # sign(): requests would have unquoted an escaped unreserved letter itself (requote_uri)
    query = auth.sign("GET", f"https://api.binance.com/api/v3/x?{spelling}=1").url
    assert spelling not in query
    assert query.count(f"{name}=") == 1


def test_a_fragment_stays_on_the_url_when_the_signature_goes_in_the_body():
    """sign() returns the URL as given, fragment included (a client drops it on the
    wire), wherever the signature goes."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS)
    url = "https://api.binance.com/api/v3/order?a=1#part"
    in_body = auth.sign("POST", url, body="b=2")
    assert (in_body.url, in_body.body[:31]) == (url, b"b=2&timestamp=1499827319559&sig")
    in_query = auth.sign("GET", url).url
    assert in_query.startswith("https://api.binance.com/api/v3/order?a=1&timestamp=1499827319559&")
    assert in_query.endswith("#part")


def test_poloniex_nonce_spelt_with_an_escape_is_replaced():
    """``non%63e`` is the nonce: dropped, so the server reads one fresh nonce."""
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 9)
    assert auth(prepared(data="non%63e=1&a=1")).body == "a=1&nonce=9"


def test_a_bodyless_poloniex_request_is_sent_as_a_form():
    """A session's JSON Content-Type does not label the nonce body the auth writes."""
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 3)
    r = auth(prepared(headers={"Content-Type": "application/json"}))
    assert r.body == "nonce=3"
    assert r.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_body_starting_with_a_bracket_is_taken_for_json():
    """Without a Content-Type, a ``[`` body is JSON, which a form scheme refuses."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: NOW_NS)
    r = requests.Request("POST", "https://api.binance.com/api/v3/order", data="[1]").prepare()
    assert "Content-Type" not in r.headers  # requests labels no str body
    with pytest.raises(UnsignableRequestError, match="looks like JSON"):
        auth(r)


@pytest.mark.parametrize(
    ("value", "rendered"),
    [(60000, "60000"), ("6000.346", "6000.346"), (0.001, "0.001"), (1, "1"), ("1.500", "1.5")],
)
def test_recv_window_edges_that_are_accepted(value, rendered):
    """Up to 60000, more than 0, at most three decimals (§5)."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=value, clock=lambda: NOW_NS)
    assert f"recvWindow={rendered}&" in auth(prepared("GET")).url


@pytest.mark.parametrize(
    ("value", "problem"),
    [(60000.001, "is out of range"), (0, "is out of range"), (-1, "is out of range"),
     ("6000.3461", "has more than three decimals"), (True, "must be a number"),
     ("nan", "must be a number")],
)  # fmt: skip
def test_recv_window_edges_that_are_refused(value, problem):
    """Just above 60000, zero or less, four decimals, a bool or NaN: refused by name."""
    with pytest.raises(ConfigurationError, match=f"recv_window {problem}"):
        BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=value)


def _redirected(request, location):
    response = requests.Response()
    response.status_code = 302
    response.headers["Location"] = location
    response.request = request
    return response


def test_key_only_keeps_the_transport_and_redirect_policies():
    """key_only() hands on allow_insecure_http and on_cross_origin_redirect (§1)."""
    url = "http://10.0.0.1/api/v3/userDataStream"
    strict = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET).key_only()
    with pytest.raises(InsecureTransportError, match="http://"):
        strict.sign("POST", url)
    lenient = BinanceQueryAuth(
        BINANCE_KEY, BINANCE_SECRET, allow_insecure_http=True, on_cross_origin_redirect="raise"
    ).key_only()
    assert lenient.sign("POST", url).headers["X-MBX-APIKEY"] == BINANCE_KEY
    signed = lenient(prepared("POST", "https://api.binance.com/api/v3/userDataStream"))
    where = "from https://api.binance.com:443 to https://elsewhere.example:443"
    with pytest.raises(CrossOriginRedirectError, match=f"{where}; it was not followed"):
        RedirectGuard(lenient)(_redirected(signed, "https://elsewhere.example/x"))


# -- retry answers (DESIGN.md #8) ----------------------------------------------------------

LEGACY_URL = "https://poloniex.com/tradingApi"


def _legacy(body: bytes | None):
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET)
    return lambda status, answer=b"{}": auth.retry_answer(
        Attempt("POST", LEGACY_URL, body), status, answer
    )


@pytest.mark.parametrize("status", [200, 403, 422, 503])
def test_legacy_nonce_rejection_is_safe_to_retry_at_any_status(status):
    """ "Nonce must be greater than …": nothing was done, a fresh nonce fixes it."""
    answer = b'{"error": "Nonce must be greater than 1700000000000. You provided 5."}'
    assert _legacy(b"command=buy&nonce=5")(status, answer) is Answer.SAFE


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (b"command=returnBalances&nonce=1", 503, Answer.SAFE),  # a read: nothing to repeat
        (b"nonce=1&command=returnOpenOrders&currencyPair=all", 503, Answer.SAFE),
        (b"command=returnBalances&note=\xff&nonce=1", 503, Answer.SAFE),  # not ASCII
        (b"command=buy&rate=1&nonce=1", 503, None),  # its outcome is unknown
        (b"command=returnBalances&nonce=1", 502, None),
        (b"command=returnBalances&nonce=1", 500, None),
        (b"commands=returnBalances&nonce=1", 503, None),  # no command at all
        (b"", 503, None),
        (None, 503, None),
    ],
)
def test_legacy_503_is_safe_only_for_a_read(body, status, expected):
    assert _legacy(body)(status) is expected


def test_legacy_other_errors_are_left_to_the_general_rules():
    assert _legacy(b"command=buy&nonce=5")(422, b'{"error": "Not enough BTC."}') is None
    assert _legacy(b"command=buy&nonce=5")(422, b'["Nonce must be greater than 1"]') is None


@pytest.mark.parametrize(
    "auth",
    [BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET), BinanceApiKeyAuth(BINANCE_KEY)],
    ids=["signed", "key"],
)
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b'{"code": -1006, "msg": "An unexpected response was received."}', Answer.UNKNOWN),
        (b'{"code": -1007, "msg": "Timeout waiting for response."}', Answer.UNKNOWN),
        (b'{"code": -1021, "msg": "Timestamp for this request is outside."}', None),
        (b'{"code": -2010, "msg": "Account has insufficient balance."}', None),
        (b"[-1006]", None),
    ],
)
def test_binance_status_unknown_answers(auth, answer, expected):
    """§6: "execution status unknown" may have been a success; -1021 is for the resend."""
    attempt = Attempt("POST", "https://api.binance.com/api/v3/order", b"")
    assert auth.retry_answer(attempt, 400, answer) is expected


@pytest.mark.parametrize(
    "url", ["ftp://api.binance.com", "api.binance.com/api", "https:///api/v3/order"]
)
def test_time_url_needs_an_http_url(url):
    with pytest.raises(ConfigurationError) as caught:
        time_url(url)
    assert str(caught.value) == (
        f"BinanceServerClock needs an http(s) URL of a Binance API, not {url!r}; "
        "e.g. 'https://api.binance.com' or 'https://fapi.binance.com'."
    )


@pytest.mark.parametrize("url", ["https://example.com", "https://h.example/v1/order"])
def test_time_url_of_an_unknown_api_says_what_to_pass(url):
    with pytest.raises(ConfigurationError) as caught:
        time_url(url)
    assert str(caught.value) == (
        f"cannot tell which Binance API {url!r} belongs to; pass a URL whose path starts "
        "with /api, /sapi, /fapi, /dapi or /eapi (e.g. 'https://testnet.binancefuture.com/fapi'), "
        "or the time endpoint itself (e.g. '.../fapi/v1/time')."
    )
