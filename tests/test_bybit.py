"""BybitAuth: the spec's vectors, byte parity with pybit and ccxt, its body and header rules.

Specification: shared/specs/bybit.md (section numbers below refer to it).
"""

from __future__ import annotations

import hashlib
import hmac
import pickle
import re
import string
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.bybit import API_KEY, CASES, CLOCK_NS, RSA_PRIVATE_KEY, SECRET, TIMESTAMP_MS
from scheme_vectors.bybit import RSA_SIGNATURES as RSA
from skew import resends_after_three_seconds

from requests_exchange_auth import BybitAuth, ConfigurationError, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_bybit import BYBIT, bybit_payload

MAIN = "https://api.bybit.com"
PREFIX = f"{TIMESTAMP_MS}{API_KEY}5000"


def fixed_clock() -> int:
    return CLOCK_NS


def hmac_auth(**options) -> BybitAuth:
    return BybitAuth(API_KEY, SECRET, clock=fixed_clock, **options)


def _hex(text: str) -> str:
    return hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()


# -- §9: the vectors -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
@pytest.mark.parametrize("key", ["HMAC", "RSA"])
def test_spec_vector_signs_its_string(case, key):
    """§9 B1-B7: the string to sign and the signature, HMAC hex and RSA base64 alike."""
    name, method, url, body, window, text, signature = case
    credential = {"secret": SECRET} if key == "HMAC" else {"private_key": RSA_PRIVATE_KEY}
    auth = BybitAuth(API_KEY, **credential, recv_window=window, clock=fixed_clock)
    headers = {"Content-Type": "application/json"} if body else {}
    r = requests.Request(method, url, data=body, headers=headers, auth=auth).prepare()
    assert bybit_payload(Received.from_prepared(r)) == text
    assert r.headers["X-BAPI-SIGN"] == (signature if key == "HMAC" else RSA[name])
    assert r.url == url  # §8 step 4: never touch the URL or the body
    assert r.body == body


def test_b4_cursor_is_signed_as_requests_encoded_it():
    """§9 B4: a cursor that already holds escapes is signed re-escaped (%253D), as sent."""
    cursor = "page_args%3Dfd4300ae-7847-404e-b947-b46980a4d140%26symbol%3D6%26"
    params = [("category", "linear"), ("limit", "50"), ("cursor", cursor)]
    r = requests.Request(
        "GET", f"{MAIN}/v5/order/history", params=params, auth=hmac_auth()
    ).prepare()
    assert r.headers["X-BAPI-SIGN"] == CASES[3][6]
    assert "cursor=page_args%253D" in r.url


def test_b6_json_keyword_body_is_signed_as_sent():
    """§9 B6: requests' json= (with spaces) signs those exact bytes."""
    order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
             "qty": "0.001", "price": "10000", "timeInForce": "GTC",
             "orderLinkId": "spec-b5-0001"}  # fmt: skip
    r = requests.Request("POST", f"{MAIN}/v5/order/create", json=order, auth=hmac_auth()).prepare()
    assert r.headers["X-BAPI-SIGN"] == CASES[5][6]


def test_headers_of_section_4():
    """§4: key, ms timestamp, the window always sent (default 5000), sign type 2."""
    r = requests.Request("GET", f"{MAIN}/v5/user/query-api", auth=hmac_auth()).prepare()
    assert {k: v for k, v in r.headers.items() if k.startswith("X-BAPI")} == {
        "X-BAPI-API-KEY": API_KEY,
        "X-BAPI-TIMESTAMP": str(TIMESTAMP_MS),
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN-TYPE": "2",
        "X-BAPI-SIGN": CASES[0][6],
    }


# -- parity with pybit and ccxt (§10) -----------------------------------------------------------

NAMES = st.text(string.ascii_letters, min_size=1, max_size=8)
UNRESERVED = string.ascii_letters + string.digits + "-_.~"
PLAIN = st.text(UNRESERVED, max_size=10)
# every ASCII character that needs encoding somewhere, and some that are not ASCII
ANY = st.text(UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600", max_size=10)
PARAMS = st.dictionaries(NAMES, st.one_of(PLAIN, ANY), max_size=5)
METHODS = st.sampled_from(["GET", "POST"])  # §1: Bybit v5 has no DELETE


def _signed_by_us(auth: BybitAuth, prepared: requests.PreparedRequest) -> dict[str, str]:
    """Our headers for exactly the request another client puts on the wire."""
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    signed = auth.sign(prepared.method, prepared.url, headers=dict(prepared.headers), body=body)
    return {k: v for k, v in signed.headers.items() if k.startswith("X-BAPI")}


def _wire_query(prepared: requests.PreparedRequest) -> str:
    """The query as it goes on the request line (a '#' starts a fragment, never sent)."""
    return urlsplit(prepared.url).query


@pytest.fixture(scope="module")
def pybit_session():
    from pybit import _helpers
    from pybit.unified_trading import HTTP

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_helpers, "generate_timestamp", lambda: TIMESTAMP_MS)  # offline, fixed
        yield HTTP(api_key=API_KEY, api_secret=SECRET, recv_window=5000)


def pybit_request(session, method: str, params: dict[str, str]):
    """pybit 5.17.0 ``_submit_request`` without the send: payload, headers, prepared request."""
    payload = session.prepare_payload(method, dict(params))
    headers = session._prepare_headers(payload, 5000)
    return payload, headers, session._prepare_request(method, f"{MAIN}/v5/x/y", payload, headers)


@pytest.fixture(scope="module")
def ccxt_bybit():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.bybit({"apiKey": API_KEY, "secret": SECRET})
    exchange.nonce = lambda: TIMESTAMP_MS  # offline, fixed
    return exchange


def ccxt_request(exchange, method: str, params: dict[str, str]):
    """ccxt 4.5.90 ``bybit.sign()``, and the request its fetch() hands requests."""
    path = "v5/order/create" if method == "POST" else "v5/order/realtime"
    out = exchange.sign(path, ["private"], method, dict(params))
    body = out["body"].encode() if out["body"] else None
    return out, requests.Request(method, out["url"], data=body, headers=out["headers"]).prepare()


def assert_pybit_parity(session, method: str, params: dict[str, str]) -> None:
    """On pybit's own wire request our X-BAPI-* headers are pybit's, byte for byte, whenever
    pybit sends what it signs; where requests re-quotes pybit's raw query (a space, '#',
    non-ASCII), pybit signs bytes that are not sent and we sign the wire (§10)."""
    payload, headers, prepared = pybit_request(session, method, params)
    ours = _signed_by_us(hmac_auth(), prepared)
    theirs = {k: v for k, v in headers.items() if k.startswith("X-BAPI")}
    sent = _wire_query(prepared) if method == "GET" else payload
    if sent == payload:
        assert ours == theirs
    else:
        assert ours["X-BAPI-SIGN"] == _hex(PREFIX + sent) != theirs["X-BAPI-SIGN"]


def assert_ccxt_parity(exchange, method: str, params: dict[str, str]) -> None:
    """On ccxt's own wire request our headers are ccxt's whenever ccxt sends what it signs;
    where it signs the un-encoded query (rawencode) that requests then re-quotes, we sign
    the wire (§10)."""
    out, prepared = ccxt_request(exchange, method, params)
    ours = _signed_by_us(hmac_auth(), prepared)
    theirs = {k: v for k, v in out["headers"].items() if k.startswith("X-BAPI")}
    ours.pop("X-BAPI-SIGN-TYPE")  # ccxt sends it for v3 paths only (§10)
    signed = out["body"] if method == "POST" else out["url"].partition("?")[2]
    if (prepared.body or b"").decode() + _wire_query(prepared) == signed:
        assert ours == theirs
    else:
        assert ours["X-BAPI-SIGN"] == _hex(PREFIX + _wire_query(prepared)) != theirs["X-BAPI-SIGN"]


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(method=METHODS, params=PARAMS)
def test_parity_with_pybit_and_ccxt(pybit_session, ccxt_bybit, method, params):
    """2,000 random GETs (parameters that need encoding among them) and JSON POSTs, each
    checked against pybit's and ccxt's signing code, driven offline."""
    assert_pybit_parity(pybit_session, method, params)
    assert_ccxt_parity(ccxt_bybit, method, params)


@pytest.mark.parametrize(("values", "equal"), [
    ({"symbol": "BTCUSDT", "category": "linear"}, True),
    ({"accountType": "UNIFIED", "coin": "MNT,USDT"}, False),  # §9 B3
    ({"cursor": "a%3Db"}, False),  # §9 B4
])  # fmt: skip
def test_the_same_parameters_through_requests_and_through_ccxt(ccxt_bybit, values, equal):
    """params= through requests gives ccxt's URL and signature only for unreserved values:
    ccxt signs and sends 'coin=MNT,USDT', requests sends (and we sign) 'MNT%2CUSDT' (§10)."""
    out, _ = ccxt_request(ccxt_bybit, "GET", values)
    ours = requests.Request("GET", f"{MAIN}/v5/order/realtime", params=values,
                            auth=hmac_auth()).prepare()  # fmt: skip
    assert (ours.url == out["url"]) is equal
    assert (ours.headers["X-BAPI-SIGN"] == out["headers"]["X-BAPI-SIGN"]) is equal


def test_rsa_matches_ccxt_with_the_pem_as_secret(ccxt_bybit):
    """§9: ccxt signs RSA when its secret is a PEM; B2 agrees."""
    import ccxt

    exchange = ccxt.bybit({"apiKey": API_KEY, "secret": RSA_PRIVATE_KEY})
    exchange.nonce = lambda: TIMESTAMP_MS
    params = {"symbol": "BTCUSDT", "category": "linear", "settleCoin": "USDT"}
    out = exchange.sign("v5/order/realtime", ["private"], "GET", params)
    assert out["headers"]["X-BAPI-SIGN"] == RSA["B2"]


# -- body policy and what the auth owns (§2, §8) ------------------------------------------------


@pytest.mark.parametrize(("method", "url", "kwargs", "fragment"), [
    ("DELETE", f"{MAIN}/v5/order/cancel", {}, "GET (params=) and POST (json=) only"),
    ("PUT", f"{MAIN}/v5/order/amend", {"json": {"a": "1"}}, "cannot sign a PUT"),
    ("POST", f"{MAIN}/v5/order/create?symbol=BTCUSDT", {"json": {}}, "this POST has a query"),
    ("POST", f"{MAIN}/v5/order/create", {"data": {"a": "1"}}, "signs JSON bodies only"),
    ("GET", f"{MAIN}/v5/order/realtime", {"json": {"a": "1"}}, "this request has a body"),
])  # fmt: skip
def test_unsignable_requests_are_refused_before_sending(method, url, kwargs, fragment):
    """§2, §8 steps 1-2: GET with a query, POST with JSON; nothing else is signed."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request(method, url, auth=hmac_auth(), **kwargs).prepare()


def test_resigning_replaces_every_header_it_owns():
    """§8 step 4: set by assignment, so a re-sign (any spelling) leaves one fresh copy."""
    clock = FakeClock(CLOCK_NS)
    auth = BybitAuth(API_KEY, SECRET, clock=clock)
    stale = {"x-bapi-sign": "0" * 64, "X-Bapi-Timestamp": "1", "x-bapi-recv-window": "9"}
    first = auth.sign("GET", f"{MAIN}/v5/order/realtime?symbol=BTCUSDT", headers=stale)
    clock.advance(ms=5)
    again = auth.sign(first.method, first.url, headers=first.headers)
    assert sorted(again.headers) == sorted(first.headers)
    assert again.headers["X-BAPI-TIMESTAMP"] == str(TIMESTAMP_MS + 5)
    assert again.headers["X-BAPI-SIGN"] == _hex(f"{TIMESTAMP_MS + 5}{API_KEY}5000symbol=BTCUSDT")


def test_a_json_body_without_content_type_gets_one():
    """§8 step 2: a JSON body sent without Content-Type gets application/json."""
    signed = hmac_auth().sign("POST", f"{MAIN}/v5/order/create", body=b'{"a":"1"}')
    assert signed.headers["Content-Type"] == "application/json"


# -- construction ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "abc", "5e3", "", "٥٠٠٠"])
def test_recv_window_must_be_whole_milliseconds(value):
    """§4, §6: a positive whole number of milliseconds."""
    with pytest.raises(ConfigurationError, match="recv_window must be whole milliseconds"):
        BybitAuth(API_KEY, SECRET, recv_window=value)


def test_recv_window_text_is_taken():
    """The CLI passes --recv-window as text."""
    assert BybitAuth(API_KEY, SECRET, recv_window="20000").recv_window == 20000


@pytest.mark.parametrize("kwargs", [{}, {"secret": SECRET, "private_key": RSA_PRIVATE_KEY}])
def test_exactly_one_of_secret_and_private_key(kwargs):
    """§1: an HMAC key or an RSA key, not both, not neither."""
    with pytest.raises(ConfigurationError, match="exactly one of secret"):
        BybitAuth(API_KEY, **kwargs)


def test_a_password_needs_a_private_key():
    """private_key_password alone is a mix-up."""
    with pytest.raises(ConfigurationError, match="without private_key"):
        BybitAuth(API_KEY, SECRET, private_key_password="pw")


def test_only_rsa_keys():
    """Bybit's self-generated keys are RSA: an Ed25519 key is refused by name."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    with pytest.raises(ConfigurationError, match="accepts RSAPrivateKey keys only"):
        BybitAuth(API_KEY, private_key=ed25519.Ed25519PrivateKey.generate())


def test_an_rsa_auth_pickles_and_signs_the_same():
    """The RSA key travels in the pickle (as DER) and signs B1 again."""
    auth = BybitAuth(API_KEY, private_key=RSA_PRIVATE_KEY, clock=fixed_clock)
    copy = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own object
    assert copy.key_type == "RSA"
    assert copy.sign("GET", f"{MAIN}/v5/user/query-api").headers["X-BAPI-SIGN"] == RSA["B1"]


# -- the exchange's answers and clock (§6, §7) ----------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"retCode":10002,"retMsg":"invalid request","result":{}}', True),
    (b'{"retCode":10004,"retMsg":"Error sign"}', False),
    (b'{"retCode":"10002"}', False),
    (b'[10002]', False),
    (b'10002 not json', False),
    (b'{"retCode":0,"result":{"id":"10002"}}', False),
])  # fmt: skip
def test_rejects_timestamp_only_on_retcode_10002(body, expected):
    """§7: 10002 alone proves the request was refused for its time."""
    assert hmac_auth().rejects_timestamp(200, body) is expected


def test_server_clock_reads_bybit_time_endpoint():
    """§6: /v5/market/time on the URL's origin, read from result.timeNano."""
    clock = BybitAuth.server_clock("https://api-testnet.bybit.com/v5/order/create")
    assert clock.url == "https://api-testnet.bybit.com/v5/market/time"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = BybitAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() // 1_000_000 - TIMESTAMP_MS) < 5_000


def test_the_local_exchange_answers_in_bybits_format():
    """§7: 10002 in an HTTP 200 answer; a bad signature 10004 with HTTP 401."""
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS + 10_000_000_000))
    signed = hmac_auth().sign("GET", f"{MAIN}/v5/user/query-api")
    status, answer = exchange.handle(Received.from_prepared(signed))
    assert (status, answer["retCode"]) == (200, 10002)
    assert "req_timestamp[1781234567890]" in answer["retMsg"]
    tampered = Received("GET", "/v5/user/query-api?x=1", signed.headers)
    assert exchange.handle(tampered)[1]["retCode"] == 10004
    assert BYBIT.reject(exchange.received[-1].verdict)[0] == 401


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_three_seconds_behind_is_fatal_with_a_two_second_window(transport):
    """§6: Bybit takes a timestamp up to recv_window old, so a server 3 s ahead rejects
    it only with recv_window under 3000: with 2000, 10002, one sync, one resend."""
    resends_after_three_seconds("bybit", transport, "10002", recv_window=2000)


def test_three_seconds_behind_passes_the_default_window():
    """§6: with the default 5000 ms window, a 3 s lag is inside it."""
    with LocalExchange() as exchange:
        exchange.clock_offset_ms = 3000
        r = requests.get(exchange.url + "/v5/user/query-api", auth=BYBIT.make_auth(), timeout=5)
    assert r.json()["retCode"] == 0


def test_a_local_clock_one_second_ahead_is_fatal():
    """§6: being ahead by 1000 ms or more is fatal, whatever the window."""
    with LocalExchange() as exchange:
        exchange.clock_offset_ms = -3000
        r = requests.get(exchange.url + "/v5/user/query-api", auth=BYBIT.make_auth(), timeout=5)
    assert (r.status_code, r.json()["retCode"]) == (200, 10002)
    assert exchange.received[-1].verdict.failure == "timestamp_ahead"


@pytest.mark.parametrize(("method", "change", "code", "status"), [
    ("DELETE", {}, 10001, 400),  # §1: GET and POST only
    ("GET", {"X-BAPI-TIMESTAMP": "1781234567.890"}, 10001, 400),
    ("GET", {"X-BAPI-RECV-WINDOW": "5e3"}, 10001, 400),
    ("GET", {"X-BAPI-TIMESTAMP": ""}, 10001, 400),
    ("GET", {"X-BAPI-SIGN": ""}, 10004, 401),
    ("GET", {"X-BAPI-API-KEY": "other"}, 10003, 401),
])  # fmt: skip
def test_each_header_mistake_gets_bybits_code(method, change, code, status):
    """§2, §4, §7: verbs and header shapes are checked before the signature."""
    signed = hmac_auth().sign("GET", f"{MAIN}/v5/user/query-api")
    headers = {**signed.headers, **change}
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    assert exchange.handle(Received(method, "/v5/user/query-api", headers))[0] == status
    assert exchange.received[-1].verdict.code == str(code)


def test_the_kit_takes_a_key_object_for_an_rsa_account():
    """An RSA account may be registered as a cryptography key object (its public half)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(RSA_PRIVATE_KEY.encode(), password=None)
    exchange = LocalExchange(accounts={"bybit": {API_KEY: key}}, clock=FakeClock(CLOCK_NS))
    signed = BybitAuth(API_KEY, private_key=key, clock=fixed_clock).sign(
        "GET", f"{MAIN}/v5/user/query-api"
    )
    assert exchange.handle(Received.from_prepared(signed))[0] == 200


def test_the_properties_say_how_it_signs():
    """key_type and recv_window, for logs and the CLI."""
    auth = BybitAuth(API_KEY, private_key=RSA_PRIVATE_KEY, recv_window=7000)
    assert (auth.key_type, auth.recv_window) == ("RSA", 7000)
    assert (hmac_auth().key_type, hmac_auth().recv_window) == ("HMAC", 5000)


def test_a_password_must_be_text():
    """private_key_password is str or bytes."""
    with pytest.raises(ConfigurationError, match="private_key_password must be str or bytes"):
        BybitAuth(API_KEY, private_key=RSA_PRIVATE_KEY, private_key_password=12)
