"""MexcAuth: the docs' and the spec's vectors, the canonical encoding, byte parity with
ccxt, the official SDK's documented difference, its body policy and its answers.

Specification: shared/specs/mexc.md (section numbers below refer to it).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import string
from urllib.parse import quote

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.mexc import (
    API_KEY,
    CLOCK_NS,
    D2_SIGNATURE,
    D3_SIGNATURE,
    DOCS_KEY,
    DOCS_MS,
    DOCS_SECRET,
    QUERY_CASES,
    SECRET,
    TIMESTAMP_MS,
)
from skew import resends_after_three_seconds

from requests_exchange_auth import ConfigurationError, MexcAuth, UnsignableRequestError
from requests_exchange_auth.schemes.mexc import canonical
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_mexc import MEXC, mexc_payload

MAIN = "https://api.mexc.com"
ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1", "price": "11"}


def fixed_clock() -> int:
    return CLOCK_NS


def mexc_auth(**options) -> MexcAuth:
    return MexcAuth(API_KEY, SECRET, clock=fixed_clock, **options)


def docs_auth() -> MexcAuth:
    return MexcAuth(DOCS_KEY, DOCS_SECRET, recv_window=5000, clock=lambda: DOCS_MS * 1_000_000)


def _hex(text: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


# -- §8: the docs' examples and the generated vectors ------------------------------------------


def test_d2_the_docs_example_in_the_query():
    """§8 D2 (the docs' "Example 2"): the order in params=, signature last in the query."""
    r = requests.Request("POST", f"{MAIN}/api/v3/order", params=ORDER, auth=docs_auth()).prepare()
    assert r.url.endswith(f"&recvWindow=5000&timestamp={DOCS_MS}&signature={D2_SIGNATURE}")
    assert r.headers["X-MEXC-APIKEY"] == DOCS_KEY


def test_d3_the_docs_example_split_between_query_and_body():
    """§8 D3: query and body concatenated without '&'; the signature ends the body."""
    head = {k: ORDER[k] for k in ("symbol", "side", "type")}
    tail = {k: ORDER[k] for k in ("quantity", "price")}
    r = requests.Request(
        "POST", f"{MAIN}/api/v3/order", params=head, data=tail, auth=docs_auth()
    ).prepare()
    assert r.url == f"{MAIN}/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT"
    ours = f"recvWindow=5000&timestamp={DOCS_MS}&signature={D3_SIGNATURE}"
    assert r.body == f"quantity=1&price=11&{ours}"


def test_d1_the_docs_printed_signature_does_not_reproduce():
    """§8 D1: the same string as D2 in the body signs as D2, not as the docs print it."""
    r = requests.Request("POST", f"{MAIN}/api/v3/order", data=ORDER, auth=docs_auth()).prepare()
    assert r.body.endswith(f"&signature={D2_SIGNATURE}")
    assert "323c96ab85a745712e95e63cad28903dd8292e4a905e99c4ee3932023843a117" not in r.body


@pytest.mark.parametrize("case", QUERY_CASES, ids=[case[0] for case in QUERY_CASES])
def test_generated_vector_signs_its_total_params(case):
    """§8 M1-M8: the signature is the lowercase hex HMAC of the canonical totalParams."""
    _, method, path, sent, signed, signature = case
    assert _hex(signed) == signature
    r = requests.Request(method, f"{MAIN}{path}?{sent}", auth=mexc_auth()).prepare()
    assert mexc_payload(Received.from_prepared(r)) == (signed, signature)


def test_m3_through_params_as_users_write_it():
    """§8 M3: params= with the caller placing timestamp before recvWindow gives ccxt's URL."""
    params = {"coin": "USDT", "network": "BEP20(BSC)", "remark": "a b/é",
              "timestamp": "", "recvWindow": "5000"}  # fmt: skip
    r = requests.Request(
        "GET", f"{MAIN}/api/v3/capital/withdraw/history", params=params, auth=mexc_auth()
    ).prepare()
    assert r.url.partition("?")[2] == (
        "coin=USDT&network=BEP20%28BSC%29&remark=a%20b%2F%C3%A9&timestamp=1767268800123&"
        "recvWindow=5000&signature=fc47e740b3ff550179d12cea6c0f01b1d15787593772026dcc8494cff67a5d2b"
    )


# -- §4: one canonical wire form --------------------------------------------------------------


@pytest.mark.parametrize(("typed", "wire"), [
    ("remark=a+b", "remark=a%20b"),  # requests' quote_plus: '+' is a space
    ("remark=a%2Bb", "remark=a%2Bb"),  # a plus stays a plus
    ("symbol=BTCUSDT%2cETHUSDT", "symbol=BTCUSDT%2CETHUSDT"),  # §4: uppercase only
    ("network=BEP20(BSC)", "network=BEP20%28BSC%29"),  # §4: !*'() are encoded
    ("v=!*'", "v=%21%2A%27"),
    ("v=%41%7e~", "v=A~~"),  # unreserved characters go literal
    ("v=é", "v=%C3%A9"),  # raw UTF-8 text, as sign() may be given it
    ("na%6De=1&b=", "name=1&b="),
])  # fmt: skip
def test_text_is_rewritten_to_its_canonical_form(typed, wire):
    """§4: unreserved literal, every other byte uppercase %XX, a space %20, order kept."""
    assert canonical(typed) == wire


def test_the_canonical_form_is_a_fixed_point():
    """§4: canonical text passes unchanged, so re-signing never re-encodes it."""
    text = "a=%20%2B%28&b=~-_.&c=%C3%A9"
    assert canonical(text) == text
    assert canonical(canonical("x=a+b(c)")) == canonical("x=a+b(c)")


def test_a_form_body_is_canonical_too():
    """§4: the body is re-emitted like the query; its '+' becomes %20."""
    r = requests.Request(
        "POST", f"{MAIN}/api/v3/order", data={"note": "a b(1)"}, auth=mexc_auth()
    ).prepare()
    assert r.body == f"note=a%20b%281%29&timestamp={TIMESTAMP_MS}&signature={_hex(r.body[:-75])}"
    assert r.headers["Content-Length"] == str(len(r.body))


def test_an_escape_that_is_not_utf8_is_refused():
    """§4: names and values are UTF-8; a stray byte cannot be put in canonical form."""
    with pytest.raises(UnsignableRequestError, match="not UTF-8"):
        mexc_auth().sign("GET", f"{MAIN}/api/v3/account?x=%ff")


# -- parity with ccxt, and the official SDK's documented difference (§4, §8) ------------------

NAMES = st.text(string.ascii_letters, min_size=1, max_size=8)
UNRESERVED = string.ascii_letters + string.digits + "-_.~"
ANY = st.text(UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600", max_size=10)
PARAMS = st.dictionaries(NAMES, st.one_of(st.text(UNRESERVED, max_size=10), ANY), max_size=5)
METHODS = st.sampled_from(["GET", "POST", "DELETE"])


@pytest.fixture(scope="module")
def ccxt_mexc():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.mexc({"apiKey": API_KEY, "secret": SECRET})
    exchange.nonce = lambda: TIMESTAMP_MS  # offline, fixed
    return exchange


def assert_ccxt_parity(exchange, method: str, params: dict[str, str]) -> str:
    """ccxt's signed URL is ours byte for byte twice over: re-signing ccxt's own request
    (its signature dropped), and signing the same params= as requests encodes them."""
    out = exchange.sign("order", ["spot", "private"], method, dict(params))
    unsigned = out["url"].rpartition("&signature=")[0]
    assert mexc_auth().sign(method, unsigned, headers=out["headers"]).url == out["url"]
    pairs = [*params.items(), ("timestamp", ""), ("recvWindow", "5000")]
    r = requests.Request(method, f"{MAIN}/api/v3/order", params=pairs, auth=mexc_auth()).prepare()
    assert r.url == out["url"]
    assert r.headers["X-MEXC-APIKEY"] == out["headers"]["X-MEXC-APIKEY"]
    return out["url"].rpartition("&signature=")[2]


_URI_COMPONENT = "-_.!~*'()"  # what encodeURIComponent leaves raw, besides letters and digits


def sdk_signature(params: dict[str, str]) -> str:
    """The official TS SDK's signing (mexc-api-sdk src/util/util.ts, §4): values through
    encodeURIComponent, which leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) raw."""
    text = "&".join(f"{k}={quote(v, safe=_URI_COMPONENT)}" for k, v in params.items())
    return _hex(text)


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(method=METHODS, params=PARAMS)
def test_parity_with_ccxt_and_the_sdk_encoding(ccxt_mexc, method, params):
    """2,000 random GETs, POSTs and DELETEs (values that need encoding among them): ccxt
    signs and sends our exact URL; the official SDK's encoding signs ours exactly when no
    value holds one of !*'(), which it leaves raw and §4 encodes."""
    signature = assert_ccxt_parity(ccxt_mexc, method, params)
    ours = {**params, "timestamp": str(TIMESTAMP_MS), "recvWindow": "5000"}
    raw_in_sdk = any(c in "!*'()" for value in params.values() for c in value)
    assert (sdk_signature(ours) == signature) is not raw_in_sdk


def test_the_sdk_encoding_signs_m3_differently():
    """§8: the SDK leaves BEP20(BSC) raw and signs 4b567014...; §4 and ccxt sign fc47e740...
    (raw parentheses are reported to fail: mexc-api-sdk#22)."""
    params = {"coin": "USDT", "network": "BEP20(BSC)", "remark": "a b/é",
              "timestamp": str(TIMESTAMP_MS), "recvWindow": "5000"}  # fmt: skip
    assert sdk_signature(params).startswith("4b567014")
    assert QUERY_CASES[2][5].startswith("fc47e740")


# -- what the auth owns (§5, §7) --------------------------------------------------------------


def test_resigning_replaces_timestamp_and_signature():
    """§7 step 5: a re-sign replaces both, in place, and never adds a second copy."""
    clock = FakeClock(CLOCK_NS)
    auth = MexcAuth(API_KEY, SECRET, recv_window=5000, clock=clock)
    first = auth.sign("GET", f"{MAIN}/api/v3/openOrders?symbol=BTCUSDT")
    clock.advance(ms=5)
    again = auth.sign("GET", first.url)
    query = again.url.partition("?")[2]
    assert query.startswith(f"symbol=BTCUSDT&recvWindow=5000&timestamp={TIMESTAMP_MS + 5}&")
    assert query.count("signature=") == query.count("timestamp=") == 1


def test_an_escaped_spelling_of_an_owned_name_is_replaced():
    """§7 step 3: time%73tamp is timestamp, and a stale signature goes in any spelling."""
    signed = mexc_auth().sign("GET", f"{MAIN}/api/v3/account?time%73tamp=1&sign%61ture=x&a=1")
    assert signed.url == (
        f"{MAIN}/api/v3/account?timestamp={TIMESTAMP_MS}&a=1"
        f"&signature={_hex(f'timestamp={TIMESTAMP_MS}&a=1')}"
    )


def test_a_timestamp_in_the_query_wins_over_one_in_the_body():
    """§7 step 3: the first one is replaced in place, other copies dropped."""
    signed = mexc_auth().sign(
        "POST", f"{MAIN}/api/v3/order?timestamp=1&a=1", body=b"timestamp=2&b=2",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert signed.url.endswith(f"?timestamp={TIMESTAMP_MS}&a=1")
    assert signed.body.startswith(b"b=2&signature=")


def test_the_callers_recv_window_is_kept():
    """§5: recvWindow is added only when the request has none."""
    signed = mexc_auth(recv_window=5000).sign("GET", f"{MAIN}/api/v3/account?recvWindow=9000")
    assert signed.url.count("recvWindow") == 1
    assert "recvWindow=9000&timestamp=" in signed.url


# -- body policy (§2) --------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"json": {"symbol": "BTCUSDT"}}, "signs form bodies only"),
    ({"files": {"f": ("a.txt", b"x")}}, "signs form bodies only"),
    ({"data": io.BytesIO(b"a=1")}, "cannot sign a BytesIO body"),
])  # fmt: skip
def test_unsignable_bodies_are_refused(kwargs, fragment):
    """§2: a form body or none; JSON, multipart and streams are refused before sending."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request("POST", f"{MAIN}/api/v3/order", auth=mexc_auth(), **kwargs).prepare()


# -- construction ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, 60001, 1.5, True, "abc", "5e3", "", "٥٠٠٠"])
def test_recv_window_must_be_whole_milliseconds_up_to_60000(value):
    """§5: integers, 1 to 60000 (700005 above)."""
    with pytest.raises(ConfigurationError, match="recv_window must be whole milliseconds"):
        MexcAuth(API_KEY, SECRET, recv_window=value)


def test_recv_window_is_visible():
    """recv_window, as given (text from the CLI taken too); None means MEXC's default."""
    assert MexcAuth(API_KEY, SECRET, recv_window="60000").recv_window == 60000
    assert MexcAuth(API_KEY, SECRET).recv_window is None


# -- the exchange's answers and clock (§5, §6) --------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"code":700003,"msg":"Timestamp for this request is outside of the recvWindow."}', True),
    (b'{"code":700002,"msg":"Signature for this request is not valid."}', False),
    (b'{"code":"700003"}', False),
    (b"[700003]", False),
    (b"700003 not json", False),
])  # fmt: skip
def test_rejects_timestamp_only_on_700003(body, expected):
    """§6: 700003 alone proves the request was refused for its time."""
    assert mexc_auth().rejects_timestamp(400, body) is expected


def test_server_clock_reads_mexc_time_endpoint():
    """§5: /api/v3/time on the URL's origin, read from serverTime."""
    clock = MexcAuth.server_clock(f"{MAIN}/api/v3/order")
    assert clock.url == f"{MAIN}/api/v3/time"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = MexcAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() // 1_000_000 - TIMESTAMP_MS) < 5_000


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_three_seconds_behind_is_fatal_with_a_two_second_window(transport):
    """§5, §6: a server 3 s ahead rejects a 2000 ms window with 700003; one sync, one
    fresh resend, accepted."""
    resends_after_three_seconds("mexc", transport, "700003", recv_window=2000)


def _signed_account():
    return mexc_auth().sign("GET", f"{MAIN}/api/v3/account?recvWindow=5000")


@pytest.mark.parametrize(("change", "code"), [
    (lambda q: q.upper().replace("TIMESTAMP", "timestamp").replace("RECVWINDOW", "recvWindow")
     .replace("SIGNATURE", "signature"), "700002"),  # uppercase hex: "lowercase only"
    (lambda q: q + "&a=1", "700004"),  # signature no longer last
    (lambda q: q.replace("recvWindow=5000", "recvWindow=70000"), "700002"),
    (lambda q: q.replace("timestamp=", "x="), "700002"),
])  # fmt: skip
def test_the_local_exchange_answers_in_mexcs_words(change, code):
    """§6: HTTP 400 with MEXC's code for each mistake."""
    signed = _signed_account()
    query = change(signed.url.partition("?")[2])
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    status, answer = exchange.handle(Received("GET", f"/api/v3/account?{query}", signed.headers))
    assert (status, str(answer["code"])) == (400, code)


@pytest.mark.parametrize(("text", "code"), [
    (f"recvWindow=70000&timestamp={TIMESTAMP_MS}", "700005"),
    (f"recvWindow=1.5&timestamp={TIMESTAMP_MS}", "700008"),
    ("a=1", "700004"),  # no timestamp
])  # fmt: skip
def test_the_verifier_checks_the_signed_parameters(text, code):
    """§5, §6: a correctly signed request with a bad recvWindow or no timestamp."""
    query = f"{text}&signature={_hex(text)}"
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    headers = {"X-MEXC-APIKEY": API_KEY}
    status, answer = exchange.handle(Received("GET", f"/api/v3/account?{query}", headers))
    assert (status, str(answer["code"])) == (400, code)


def test_an_unknown_key_is_10072():
    """§6: 10072, invalid access key."""
    signed = _signed_account()
    headers = {**signed.headers, "X-MEXC-APIKEY": "mx0other"}
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    target = "/" + signed.url.partition("://")[2].partition("/")[2]
    assert exchange.handle(Received("GET", target, headers))[1]["code"] == 10072


def test_binance_keeps_its_own_api_paths():
    """A request with Binance's key header on /api/v3/ still goes to Binance's checks."""
    from requests_exchange_auth import BinanceQueryAuth
    from requests_exchange_auth.testing import BINANCE_KEY, BINANCE_SECRET

    with LocalExchange() as exchange:
        auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET)
        assert requests.get(exchange.url + "/api/v3/account", auth=auth, timeout=5).ok
        assert requests.get(exchange.url + "/api/v3/account", auth=MEXC.make_auth(), timeout=5).ok
        assert [r.scheme for r in exchange.received] == ["binance", "mexc"]


def test_end_to_end_accepted_and_one_changed_byte_rejected():
    """Over HTTP to the local exchange: the signed order is accepted; the same bytes with
    one byte of the body changed get 700002."""
    with LocalExchange() as exchange, requests.Session() as session:
        auth = MEXC.make_auth(recv_window=5000)
        signed = auth.sign(
            "POST",
            exchange.url + "/api/v3/order",
            body=b"symbol=BTCUSDT&side=BUY",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        ok = session.post(signed.url, data=signed.body, headers=signed.headers, timeout=5)
        changed = signed.body.replace(b"BUY", b"BUZ")
        bad = session.post(signed.url, data=changed, headers=signed.headers, timeout=5)
    assert ok.status_code == 200, ok.text
    assert (bad.status_code, bad.json()["code"]) == (400, 700002)
