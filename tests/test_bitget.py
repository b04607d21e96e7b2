"""BitgetAuth: the spec's vectors, the canonical query, byte parity with Bitget's official
signing code and with ccxt, its body policy and its answers.

Specification: shared/specs/bitget.md (section numbers below refer to it).
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import string
from urllib.parse import unquote_plus, urlsplit

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.bitget import API_KEY, CASES, CLOCK_NS, PASSPHRASE, SECRET, TIMESTAMP_MS
from skew import resends_after_three_seconds

from requests_exchange_auth import BitgetAuth, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_bitget import BITGET, bitget_prehashes

HOST = "https://api.bitget.com"
OWNED = ("ACCESS-KEY", "ACCESS-SIGN", "ACCESS-TIMESTAMP", "ACCESS-PASSPHRASE")


def fixed_clock() -> int:
    return CLOCK_NS


def bitget_auth(**options) -> BitgetAuth:
    return BitgetAuth(API_KEY, SECRET, PASSPHRASE, clock=fixed_clock, **options)


def _owned(headers) -> dict[str, str]:
    return {name: headers[name] for name in OWNED}


# -- Bitget's official Python signing code --------------------------------------------------
# Not on PyPI (bitget.md §1), so reproduced here, function for function, from
# BitgetLimited/v3-bitget-api-sdk, bitget-python-sdk-api/bitget/utils.py at commit 9bdab50
# (2024-02-22): sign, pre_hash, parse_params_to_str, toQueryWithNoEncode. Its client.py
# puts request_path + parse_params_to_str(params) in the URL of a GET, raw.


def sdk_sign(message, secret_key):
    mac = hmac.new(bytes(secret_key, encoding="utf8"), bytes(message, encoding="utf-8"),
                   digestmod="sha256")  # fmt: skip
    d = mac.digest()
    return str(base64.b64encode(d), "utf8")


def sdk_pre_hash(timestamp, method, request_path, body=""):
    return str(timestamp) + str.upper(method) + request_path + body


def sdk_parse_params_to_str(params):
    params = [(key, val) for key, val in params.items()]
    params.sort(key=lambda x: x[0])
    url = "?" + sdk_to_query_with_no_encode(params)
    if url == "?":
        return ""
    return url


def sdk_to_query_with_no_encode(params):
    url = ""
    for key, value in params:
        url = url + str(key) + "=" + str(value) + "&"
    return url[0:-1]


# -- §9: the vectors -----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vector_signs_its_prehash(case):
    """§9 G1-G7: the wire query after the rewrite, the prehash, the signature."""
    _, method, url, body, target, prehash, signature = case
    headers = {"Content-Type": "application/json"} if body else {}
    r = requests.Request(method, url, data=body, headers=headers, auth=bitget_auth()).prepare()
    assert "/" + r.url.partition("://")[2].partition("/")[2] == target
    assert bitget_prehashes(Received.from_prepared(r))[0][0] == prehash
    assert r.headers["ACCESS-SIGN"] == signature
    assert r.body == body


def test_spec_vectors_agree_with_the_official_sdk_functions():
    """§9: the SDK's own query builder and HMAC give every vector's signature."""
    params = {
        "G2": {"symbol": "BTCUSDT", "productType": "USDT-FUTURES", "marginCoin": "USDT"},
        "G3": {"symbol": "龙虾USDT", "productType": "USDT-FUTURES", "marginCoin": "USDT"},
        "G4": {"coin": "$AI", "chain": "BEP20"},
        "G6": {"symbol": "BTCUSDT", "orderId": "1234567890"},
        "G7": {"symbol": "BTCUSDT", "clientOid": "a b+c/d"},
    }
    for name, method, url, *_, signature in CASES:
        if name in params:
            path = urlsplit(url).path + sdk_parse_params_to_str(params[name])
            assert sdk_sign(sdk_pre_hash(TIMESTAMP_MS, method, path), SECRET) == signature, name


@pytest.mark.parametrize(("typed", "wire"), [
    ("b=2&a=1", "a=1&b=2"),
    ("a=x+y", "a=x%20y"),  # a typed '+' is a space (§5 step 1)
    ("a=x%2By", "a=x%2By"),
    ("a=%7e%41", "a=~A"),  # escapes of unreserved characters are spelt out
    ("a=$&a=!", "a=%24&a=%21"),  # repeated names keep their order (stable sort)
    ("flag&&b=", "b=&flag="),
])  # fmt: skip
def test_the_query_is_rewritten_to_its_canonical_form(typed, wire):
    """§5: decoded form-style, sorted by name, re-encoded strictly (space %20, never '+')."""
    signed = bitget_auth().sign("GET", f"{HOST}/api/v2/x?{typed}")
    assert signed.url == f"{HOST}/api/v2/x?{wire}"


def test_the_canonical_query_is_a_fixed_point():
    """§8 step 5: re-signing a signed request changes only the timestamp and signature."""
    clock = FakeClock(CLOCK_NS)
    auth = BitgetAuth(API_KEY, SECRET, PASSPHRASE, clock=clock)
    first = auth.sign("GET", CASES[6][2])
    clock.advance(ms=3)
    again = auth.sign(first.method, first.url, headers=first.headers)
    assert again.url == first.url
    assert sorted(again.headers) == sorted(first.headers)
    assert again.headers["ACCESS-TIMESTAMP"] == str(TIMESTAMP_MS + 3)


def test_an_escape_that_is_not_utf8_is_refused():
    """§5 step 1: the server decodes UTF-8, so %FF cannot be signed as it would read it."""
    with pytest.raises(UnsignableRequestError, match="not UTF-8 text"):
        bitget_auth().sign("GET", f"{HOST}/api/v2/x?a=%FF")


# -- parity with the official SDK and ccxt ---------------------------------------------------------

NAMES = st.text(string.ascii_letters, min_size=1, max_size=8)
UNRESERVED = string.ascii_letters + string.digits + "-_.~"
PLAIN = st.text(UNRESERVED, max_size=10)
ANY = st.text(UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600", max_size=10)
PARAMS = st.dictionaries(NAMES, st.one_of(PLAIN, ANY), max_size=5)
METHODS = st.sampled_from(["GET", "POST", "DELETE"])  # DELETE: the generic rule (§9 G6)
PATH = "/api/v2/spot/trade/orderInfo"


def ours(method: str, params: dict[str, str]) -> requests.PreparedRequest:
    """The request a user of this package sends: params= in the query, json.dumps body."""
    if method == "POST":
        body = json.dumps(params).encode()
        return requests.Request(method, HOST + PATH, data=body, auth=bitget_auth()).prepare()
    return requests.Request(method, HOST + PATH, params=params, auth=bitget_auth()).prepare()


def _decoded(url: str) -> str:
    """The query of a URL as a form decoder reads it back."""
    pieces = urlsplit(url).query.split("&") if urlsplit(url).query else []
    return "&".join("=".join(unquote_plus(p) for p in piece.split("=", 1)) for piece in pieces)


def assert_sdk_parity(method: str, params: dict[str, str], mine: requests.PreparedRequest) -> None:
    """The official SDK signs the same string as we do, so the same signature, for every
    request; but it sends its raw query, which requests re-quotes only in part: a '+',
    '&', '#' or '%' reaches Bitget as something else than it signed. Ours is always read
    back as signed (§3, §5)."""
    query = "" if method == "POST" else sdk_parse_params_to_str(params)
    body = json.dumps(params) if method == "POST" else ""
    theirs = sdk_sign(sdk_pre_hash(TIMESTAMP_MS, method, PATH + query, body), SECRET)
    assert mine.headers["ACCESS-SIGN"] == theirs
    assert _decoded(mine.url) == query[1:]


@pytest.fixture(scope="module")
def ccxt_bitget():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.bitget({"apiKey": API_KEY, "secret": SECRET, "password": PASSPHRASE})
    exchange.nonce = lambda: TIMESTAMP_MS  # offline, fixed
    return exchange


def assert_ccxt_parity(exchange, method: str, params: dict[str, str], mine) -> None:
    """ccxt 4.5.90 ``bitget.sign()`` signs the decoded sorted query too (ccxt#28890): the
    same signature as ours, given the same parameters or given ccxt's own wire request;
    its URL differs from ours only by the literal '$' of ccxt#21169."""
    out = exchange.sign("v2/spot/trade/orderInfo", ["private", "spot"], method, dict(params))
    assert mine.headers["ACCESS-SIGN"] == out["headers"]["ACCESS-SIGN"]
    body = out["body"].encode() if out["body"] else None
    prepared = requests.Request(method, out["url"], data=body, headers=out["headers"]).prepare()
    signed = bitget_auth().sign(method, prepared.url, headers=dict(prepared.headers), body=body)
    assert _owned(signed.headers) == _owned(out["headers"])
    assert signed.url == out["url"].replace("$", "%24")


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(method=METHODS, params=PARAMS)
def test_parity_with_the_official_sdk_and_ccxt(ccxt_bitget, method, params):
    """2,000 random GETs and DELETEs (parameters that need encoding among them) and JSON
    POSTs, each checked against Bitget's official signing code and ccxt's, offline."""
    mine = ours(method, params)
    assert_sdk_parity(method, params, mine)
    if method != "POST":  # ccxt signs its own compact JSON: compared on its body below
        assert_ccxt_parity(ccxt_bitget, method, params, mine)
    else:
        out = ccxt_bitget.sign("v2/spot/trade/orderInfo", ["private", "spot"], method, dict(params))
        signed = bitget_auth().sign(method, out["url"], body=out["body"].encode())
        assert _owned(signed.headers) == _owned(out["headers"])


def test_where_the_official_sdk_sends_what_it_did_not_sign():
    """§10: the SDK's raw query 'a=x+y' reaches a form decoder as 'x y', and '%41' as 'A':
    and a "#" starts a fragment that is never sent: it signed another string than Bitget reads."""
    for value in ("x+y", "%41", "x#y"):
        sent = requests.Request(
            "GET", HOST + PATH + sdk_parse_params_to_str({"a": value})
        ).prepare()
        assert _decoded(sent.url) != f"a={value}"
        assert _decoded(ours("GET", {"a": value}).url) == f"a={value}"


# -- body policy, answers and clock ---------------------------------------------------------


@pytest.mark.parametrize(("method", "kwargs", "fragment"), [
    ("POST", {"data": {"a": "1"}}, "signs JSON bodies only"),
    ("GET", {"json": {"a": "1"}}, "this request has a body"),
])  # fmt: skip
def test_unsignable_bodies_are_refused(method, kwargs, fragment):
    """§8 step 2: JSON bodies only, and none on a GET."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request(method, HOST + PATH, auth=bitget_auth(), **kwargs).prepare()


def test_demo_trading_sends_paptrading():
    """§1: a demo key sends paptrading: 1, outside the signature."""
    plain = bitget_auth().sign("GET", HOST + PATH)
    demo = bitget_auth(demo_trading=True).sign("GET", HOST + PATH)
    assert demo.headers["paptrading"] == "1"
    assert "paptrading" not in plain.headers
    assert demo.headers["ACCESS-SIGN"] == plain.headers["ACCESS-SIGN"]


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"code":"40008","msg":"Request timestamp expired","data":null}', True),
    (b'{"code":"40004","msg":"Request timestamp expired"}', True),
    (b'{"code":"40009","msg":"sign signature error"}', False),
    (b'{"code":"40005","msg":"Invalid ACCESS_TIMESTAMP"}', False),
    (b"[]", False),
])  # fmt: skip
def test_rejects_timestamp_only_on_its_expiry_codes(body, expected):
    """§7: 40008 (and 40004, the same message in ccxt's table) prove the time was refused."""
    assert bitget_auth().rejects_timestamp(400, body) is expected


def test_server_clock_reads_bitget_time_endpoint():
    """§6: /api/v2/public/time, data.serverTime a string of milliseconds."""
    assert BitgetAuth.server_clock(HOST).url == f"{HOST}/api/v2/public/time"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = BitgetAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() - CLOCK_NS) < 5_000_000_000


@pytest.mark.parametrize(("change", "code"), [
    ({"ACCESS-PASSPHRASE": "wrong"}, "40012"),
    ({"ACCESS-PASSPHRASE": ""}, "40011"),
    ({"ACCESS-TIMESTAMP": "1781234567.890"}, "40005"),
    ({"ACCESS-SIGN": ""}, "40003"),
    ({"ACCESS-KEY": ""}, "40001"),
    ({"ACCESS-KEY": "other"}, "40006"),
    ({"ACCESS-SIGN": CASES[0][6]}, "40009"),
])  # fmt: skip
def test_the_local_exchange_answers_in_bitgets_words(change, code):
    """§7: each header mistake gets its own code, with HTTP 400."""
    signed = bitget_auth().sign("GET", f"{HOST}/api/v2/spot/account/assets?coin=USDT")
    headers = {**signed.headers, **change}
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    status, answer = exchange.handle(Received("GET", "/api/v2/spot/account/assets?coin=USDT",
                                              headers))  # fmt: skip
    assert (status, answer["code"]) == (400, code)


def test_the_verifier_takes_the_query_sorted_or_as_sent():
    """§10: sorting is undocumented either way; the kit accepts both readings."""
    prehash = f"{TIMESTAMP_MS}GET{PATH}?b=2&a=1"
    headers = {
        "ACCESS-KEY": API_KEY,
        "ACCESS-PASSPHRASE": PASSPHRASE,
        "ACCESS-TIMESTAMP": str(TIMESTAMP_MS),
        "ACCESS-SIGN": sdk_sign(prehash, SECRET),
    }
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    assert exchange.handle(Received("GET", f"{PATH}?b=2&a=1", headers))[0] == 200


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_three_seconds_behind_is_fatal_with_a_two_second_window(monkeypatch, transport):
    """§6: Bitget's window is not documented (30 s is the kit's assumption), so a 3 s skew
    passes it; with the kit's window narrowed to 2 s it is 40008, one sync, one resend."""
    monkeypatch.setattr(BITGET, "window_ms", 2000)
    resends_after_three_seconds("bitget", transport, "40008")


def test_a_query_that_is_not_utf8_never_verifies():
    """§5: what the server cannot decode, no client could have signed: 40009."""
    signed = bitget_auth().sign("GET", f"{HOST}/api/v2/spot/account/assets")
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    received = Received("GET", "/api/v2/spot/account/assets?a=%FF", signed.headers)
    assert exchange.handle(received)[1]["code"] == "40009"


def test_demo_trading_is_visible():
    """The auth says whether it sends the demo header."""
    assert bitget_auth(demo_trading=True).demo_trading
    assert not bitget_auth().demo_trading
