"""KucoinAuth: the official vector and the spec's, the un-encoded query, the passphrase
MAC, byte parity with kucoin-universal-sdk and ccxt, its body policy and its answers.

Specification: shared/specs/kucoin.md (section numbers below refer to it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import string
from types import SimpleNamespace
from urllib.parse import unquote_plus, urlsplit

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.kucoin import (
    API_KEY,
    CASES,
    CLOCK_NS,
    K0_BODY,
    K0_SECRET,
    K0_SIGNATURE,
    K0_TIMESTAMP_MS,
    PASSPHRASE,
    SECRET,
    SIGNED_PASSPHRASE,
    TIMESTAMP_MS,
)
from skew import resends_after_three_seconds

from requests_exchange_auth import ConfigurationError, KucoinAuth, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_kucoin import KUCOIN, kucoin_prehash

SPOT = "https://api.kucoin.com"
OWNED = ("KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", "KC-API-PASSPHRASE", "KC-API-KEY-VERSION")


def fixed_clock() -> int:
    return CLOCK_NS


def kucoin_auth(**options) -> KucoinAuth:
    return KucoinAuth(API_KEY, SECRET, PASSPHRASE, clock=fixed_clock, **options)


def _owned(headers) -> dict[str, str]:
    return {name: headers[name] for name in OWNED}


def _b64(secret: str, text: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    ).decode()


# -- §9: the vectors -----------------------------------------------------------------------


def test_k0_the_official_vector():
    """§9 K0, from Kucoin/kucoin-api-docs "Signing a Message": POST /api/v1/deposit-addresses."""
    auth = KucoinAuth("any-key", K0_SECRET, "any-passphrase", clock=lambda: K0_TIMESTAMP_MS * 10**6)
    signed = auth.sign("POST", f"{SPOT}/api/v1/deposit-addresses", body=K0_BODY)
    assert signed.headers["KC-API-SIGN"] == K0_SIGNATURE


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vector_signs_its_prehash(case):
    """§9 K1-K7: the wire query after the rewrite, the prehash, the signature."""
    _, method, url, body, target, prehash, signature = case
    headers = {"Content-Type": "application/json"} if body else {}
    r = requests.Request(method, url, data=body, headers=headers, auth=kucoin_auth()).prepare()
    assert "/" + r.url.partition("://")[2].partition("/")[2] == target
    assert kucoin_prehash(Received.from_prepared(r)).decode() == prehash
    assert r.headers["KC-API-SIGN"] == signature
    assert r.body == body


def test_the_passphrase_travels_as_its_hmac():
    """§1, §4: KC-API-PASSPHRASE = base64(HMAC-SHA256(secret, passphrase)), never in clear."""
    headers = kucoin_auth().sign("GET", f"{SPOT}/api/v1/accounts").headers
    assert headers["KC-API-PASSPHRASE"] == SIGNED_PASSPHRASE == _b64(SECRET, PASSPHRASE)
    assert PASSPHRASE not in headers.values()
    assert headers["KC-API-KEY-VERSION"] == "3"


def test_key_version_2_signs_alike():
    """§1, §10: version 2 keys differ only in the header."""
    v2 = kucoin_auth(key_version=2).sign("GET", CASES[1][2]).headers
    assert v2["KC-API-KEY-VERSION"] == "2"
    assert v2["KC-API-SIGN"] == CASES[1][6]


@pytest.mark.parametrize("version", [1, 4, "3", True, None])
def test_other_key_versions_are_refused(version):
    """Version 1 keys are retired; only 2 and 3 sign this way."""
    with pytest.raises(ConfigurationError, match="key_version must be 3"):
        kucoin_auth(key_version=version)


@pytest.mark.parametrize(("typed", "wire"), [
    ("b=2&a=1", "b=2&a=1"),  # the order is kept (§5 step 2)
    ("a=x+y", "a=x%20y"),  # a typed '+' is a space
    ("a=%7e%41", "a=~A"),
    ("a=$!", "a=%24%21"),
])  # fmt: skip
def test_the_query_is_rewritten_to_its_canonical_form(typed, wire):
    """§5: decoded form-style, order kept, re-encoded strictly (space %20, never '+')."""
    assert kucoin_auth().sign("GET", f"{SPOT}/api/v1/x?{typed}").url == f"{SPOT}/api/v1/x?{wire}"


def test_the_canonical_query_is_a_fixed_point():
    """§8 step 3: re-signing a signed request changes only the timestamp and signature."""
    clock = FakeClock(CLOCK_NS)
    auth = KucoinAuth(API_KEY, SECRET, PASSPHRASE, clock=clock)
    first = auth.sign("GET", CASES[6][2])
    clock.advance(ms=3)
    again = auth.sign(first.method, first.url, headers=first.headers)
    assert again.url == first.url
    assert sorted(again.headers) == sorted(first.headers)


# -- parity with kucoin-universal-sdk and ccxt -----------------------------------------------------

NAMES = st.text(string.ascii_letters, min_size=1, max_size=8)
UNRESERVED = string.ascii_letters + string.digits + "-_.~"
PLAIN = st.text(UNRESERVED, max_size=10)
ANY = st.text(UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600", max_size=10)
PARAMS = st.dictionaries(NAMES, st.one_of(PLAIN, ANY), max_size=5)
METHODS = st.sampled_from(["GET", "POST", "DELETE"])  # §2: DELETE takes a query
PATH = "/api/v1/hf/orders"


def _decoded(url: str) -> str:
    """The query of a URL as a form decoder reads it back."""
    query = urlsplit(url).query
    return "&".join("=".join(unquote_plus(p) for p in piece.split("=", 1))
                    for piece in query.split("&")) if query else ""  # fmt: skip


@pytest.fixture(scope="module")
def sdk_transport():
    """kucoin-universal-sdk 1.3.2's transport, its clock fixed (no network)."""
    from kucoin_universal_sdk.internal.infra import default_signer
    from kucoin_universal_sdk.internal.infra.default_transport import DefaultTransport
    from kucoin_universal_sdk.model.client_option import ClientOption

    option = ClientOption(key=API_KEY, secret=SECRET, passphrase=PASSPHRASE,
                          spot_endpoint=SPOT, futures_endpoint="", broker_endpoint="",
                          broker_name="", broker_partner="", broker_key="")  # fmt: skip
    # int(time.time() * 1000) of this float is exactly TIMESTAMP_MS
    now = SimpleNamespace(time=lambda: (TIMESTAMP_MS + 0.5) / 1000)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(default_signer, "time", now)
        yield DefaultTransport(option, "v1.3.2")


class _Model:
    """What ``process_request`` reads of a generated request model."""

    model_fields: dict = {}  # noqa: RUF012  # no path variables

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params

    def to_dict(self) -> dict[str, str]:
        return self.params

    def to_json(self) -> str:
        return json.dumps(self.params)


def assert_sdk_parity(transport, method: str, params: dict[str, str]) -> None:
    """The SDK sends urlencode (space '+') and signs the raw values; we read its wire
    query back to the same raw values: on its own wire request our headers are its own,
    byte for byte, always (§3, §5)."""
    prepared = transport.process_request(_Model(params), False, PATH, SPOT, method, False)
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    signed = kucoin_auth().sign(method, prepared.url, headers=dict(prepared.headers), body=body)
    assert _owned(signed.headers) == _owned(prepared.headers)
    if method != "POST" and params:
        assert _decoded(signed.url) == "&".join(f"{k}={v}" for k, v in params.items())


@pytest.fixture(scope="module")
def ccxt_kucoin():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.kucoin({"apiKey": API_KEY, "secret": SECRET, "password": PASSPHRASE})
    exchange.nonce = lambda: TIMESTAMP_MS  # offline, fixed
    return exchange


def assert_ccxt_parity(exchange, method: str, params: dict[str, str]) -> None:
    """ccxt 4.5.90 ``kucoin.sign()`` signs the decoded query too: given the same
    parameters, its headers are ours (key version 2, as it sends). But it puts the raw
    values in its URL, which requests re-quotes only in part: a '+' or '%' reaches KuCoin
    as something else than it signed (§10, K7); ours always reads back as signed."""
    # ccxt reads a 'version' parameter as the API version of its URL, never sent as one
    params = {name: value for name, value in params.items() if name != "version"}
    out = exchange.sign("hf/orders", ["private"], method, dict(params))
    if method == "POST":
        body = out["body"].encode() if out["body"] else None
        mine = kucoin_auth(key_version=2).sign(method, SPOT + PATH, body=body)
    else:
        mine = requests.Request(method, SPOT + PATH, params=params,
                                auth=kucoin_auth(key_version=2)).prepare()  # fmt: skip
    assert _owned(mine.headers) == _owned(out["headers"])
    if method != "POST" and params:
        signed = "&".join(f"{k}={v}" for k, v in params.items())
        assert _decoded(mine.url) == signed
        if not any(c in value for value in params.values() for c in "+%#"):
            theirs = requests.Request(method, out["url"]).prepare()
            assert _decoded(theirs.url) == signed


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(method=METHODS, params=PARAMS)
def test_parity_with_the_universal_sdk_and_ccxt(sdk_transport, ccxt_kucoin, method, params):
    """2,000 random GETs and DELETEs (parameters that need encoding among them) and JSON
    POSTs, each checked against kucoin-universal-sdk's and ccxt's signing code, offline."""
    assert_sdk_parity(sdk_transport, method, params)
    assert_ccxt_parity(ccxt_kucoin, method, params)


def test_where_ccxt_sends_what_it_did_not_sign(ccxt_kucoin):
    """§10, K7: ccxt signs 'remark=a b+c' and sends 'remark=a%20b+c', which KuCoin's form
    decoder reads as 'a b c'; we send 'a%20b%2Bc', read back as signed."""
    out = ccxt_kucoin.sign("accounts", ["private"], "GET", {"currency": "USDT", "remark": "a b+c"})
    theirs = requests.Request("GET", out["url"]).prepare()
    assert theirs.url.endswith("remark=a%20b+c")
    assert _decoded(theirs.url) == "currency=USDT&remark=a b c"
    assert out["headers"]["KC-API-SIGN"] == CASES[6][6]  # yet it signed what we sign


# -- body policy, answers and clock ---------------------------------------------------------


@pytest.mark.parametrize(("method", "kwargs", "fragment"), [
    ("POST", {"data": {"a": "1"}}, "signs JSON bodies only"),
    ("GET", {"json": {"a": "1"}}, "this request has a body"),
    ("DELETE", {"json": {"a": "1"}}, "this request has a body"),
])  # fmt: skip
def test_unsignable_bodies_are_refused(method, kwargs, fragment):
    """§2, §8 step 2: JSON bodies only; GET and DELETE take their parameters in the query."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request(method, SPOT + PATH, auth=kucoin_auth(), **kwargs).prepare()


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"code":"400002","msg":"KC-API-TIMESTAMP Invalid"}', True),
    (b'{"code":"400005","msg":"Signature error"}', False),
    (b'{"code":"400004","msg":"KC-API-PASSPHRASE error"}', False),
    (b"{}", False),
])  # fmt: skip
def test_rejects_timestamp_only_on_400002(body, expected):
    """§7: 400002 proves the timestamp alone was refused."""
    assert kucoin_auth().rejects_timestamp(401, body) is expected


def test_server_clock_reads_kucoin_time_endpoint():
    """§6: /api/v1/timestamp on the spot and the futures host alike."""
    for host in (SPOT, "https://api-futures.kucoin.com"):
        assert KucoinAuth.server_clock(host).url == f"{host}/api/v1/timestamp"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = KucoinAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() - CLOCK_NS) < 5_000_000_000


@pytest.mark.parametrize(("change", "code"), [
    ({"KC-API-PASSPHRASE": PASSPHRASE}, "400004"),  # in clear: a version 1 habit
    ({"KC-API-KEY-VERSION": "1"}, "400004"),
    ({"KC-API-TIMESTAMP": ""}, "400001"),
    ({"KC-API-TIMESTAMP": "1781234567.890"}, "400002"),
    ({"KC-API-KEY": ""}, "400001"),
    ({"KC-API-KEY": "other"}, "400003"),
    ({"KC-API-SIGN": CASES[0][6]}, "400005"),
])  # fmt: skip
def test_the_local_exchange_answers_in_kucoins_words(change, code):
    """§7: each header mistake gets its own code, with HTTP 401."""
    signed = kucoin_auth().sign("GET", f"{SPOT}/api/v1/accounts?currency=BTC&type=trade")
    headers = {**signed.headers, **change}
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    received = Received("GET", "/api/v1/accounts?currency=BTC&type=trade", headers)
    assert exchange.handle(received)[0] == 401
    assert exchange.received[-1].verdict.code == code


def test_the_window_is_under_five_seconds_each_way():
    """§6: "must be less than 5 seconds": 4999 ms passes, 5000 ms is 400002, either way."""
    signed = kucoin_auth().sign("GET", f"{SPOT}/api/v1/accounts")
    received = Received.from_prepared(signed)
    for skew_ms, ok in ((4999, True), (5000, False), (-4999, True), (-5000, False)):
        exchange = LocalExchange(clock=FakeClock(CLOCK_NS - CLOCK_NS % 10**6 + skew_ms * 10**6))
        assert (exchange.handle(received)[0] == 200) is ok, skew_ms


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_three_seconds_behind_is_fatal_with_a_two_second_window(monkeypatch, transport):
    """§6: KuCoin's 5 s window takes a 3 s skew; with the kit's window narrowed to 2 s it
    is 400002, one sync, one resend."""
    monkeypatch.setattr(KUCOIN, "window_ms", 2000)
    resends_after_three_seconds("kucoin", transport, "400002")


def test_a_query_that_is_not_utf8_never_verifies():
    """§5: what the server cannot decode, no client could have signed: 400005."""
    signed = kucoin_auth().sign("GET", f"{SPOT}/api/v1/accounts")
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    exchange.handle(Received("GET", "/api/v1/accounts?a=%FF", signed.headers))
    assert exchange.received[-1].verdict.code == "400005"


def test_an_escape_that_is_not_utf8_is_refused():
    """§5 step 1: KuCoin decodes UTF-8, so %FF cannot be signed as it would read it."""
    with pytest.raises(UnsignableRequestError, match="not UTF-8 text"):
        kucoin_auth().sign("GET", f"{SPOT}/api/v1/accounts?a=%FF")


def test_key_version_is_visible():
    """The auth says which key version it sends."""
    assert (kucoin_auth().key_version, kucoin_auth(key_version=2).key_version) == (3, 2)
