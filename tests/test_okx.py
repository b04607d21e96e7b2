"""OkxAuth: the spec's vectors, byte parity with python-okx and ccxt, its timestamp and
passphrase rules, its body policy and its answers.

Specification: shared/specs/okx.md (section numbers below refer to it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import string
from types import SimpleNamespace

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.okx import API_KEY, CASES, CLOCK_NS, PASSPHRASE, SECRET, TIMESTAMP
from skew import resends_after_three_seconds

from requests_exchange_auth import ConfigurationError, OkxAuth, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_okx import OKX, okx_prehash

HOST = "https://www.okx.com"
OWNED = ("OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP", "OK-ACCESS-PASSPHRASE")


def fixed_clock() -> int:
    return CLOCK_NS


def okx_auth(**options) -> OkxAuth:
    return OkxAuth(API_KEY, SECRET, PASSPHRASE, clock=fixed_clock, **options)


def _b64(text: str) -> str:
    mac = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def _owned(headers) -> dict[str, str]:
    return {name: headers[name] for name in OWNED}


# -- §9: the vectors -------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vector_signs_its_prehash(case):
    """§9 O1-O7: the prehash and the signature, from the request as requests sends it."""
    name, method, url, body, prehash, signature = case
    clock = (lambda: 1781234567000999999) if name == "O7" else fixed_clock
    auth = OkxAuth(API_KEY, SECRET, PASSPHRASE, clock=clock, demo_trading=name == "O7")
    headers = {"Content-Type": "application/json"} if body else {}
    r = requests.Request(method, url, data=body, headers=headers, auth=auth).prepare()
    assert okx_prehash(Received.from_prepared(r)) == prehash
    assert r.headers["OK-ACCESS-SIGN"] == signature
    assert r.headers["OK-ACCESS-PASSPHRASE"] == PASSPHRASE  # §4: plain, unlike KuCoin
    assert (r.url, r.body) == (url, body)  # §8 step 3: never rewritten


def test_o2_o3_the_same_through_params():
    """§9 O2, O3: requests' own encoding of params= is what is signed (',' as %2C)."""
    auth = okx_auth()
    o2 = requests.Request("GET", f"{HOST}/api/v5/account/balance", params={"ccy": "BTC,ETH"},
                          auth=auth).prepare()  # fmt: skip
    o3 = requests.Request("GET", f"{HOST}/api/v5/trade/orders-history", auth=auth,
                          params=[("instType", "SPOT"), ("instId", "BTC-USDT"),
                                  ("limit", "20")]).prepare()  # fmt: skip
    assert o2.headers["OK-ACCESS-SIGN"] == CASES[1][5]
    assert o3.headers["OK-ACCESS-SIGN"] == CASES[2][5]


def test_o7_demo_header_is_sent_not_signed():
    """§1, §9 O7: demo_trading adds x-simulated-trading: 1, outside the signature."""
    auth = OkxAuth(API_KEY, SECRET, PASSPHRASE, clock=lambda: 1781234567000999999,
                   demo_trading=True)  # fmt: skip
    signed = auth.sign("GET", f"{HOST}/api/v5/account/positions?instType=SWAP")
    assert signed.headers["x-simulated-trading"] == "1"
    assert signed.headers["OK-ACCESS-TIMESTAMP"] == "2026-06-12T03:22:47.000Z"
    assert signed.headers["OK-ACCESS-SIGN"] == CASES[6][5]
    assert "x-simulated-trading" not in okx_auth().sign("GET", f"{HOST}/api/v5/x").headers


@pytest.mark.parametrize(("ns", "stamp"), [
    (0, "1970-01-01T00:00:00.000Z"),
    (999_999, "1970-01-01T00:00:00.000Z"),  # truncated, never rounded up (§5)
    (1_000_000, "1970-01-01T00:00:00.001Z"),
    (1781234567890999999, TIMESTAMP),
    (4102444799999_000000, "2099-12-31T23:59:59.999Z"),
])  # fmt: skip
def test_timestamp_is_iso_8601_milliseconds_z(ns, stamp):
    """§5: always three millisecond digits and Z, from the nanosecond clock."""
    auth = OkxAuth(API_KEY, SECRET, PASSPHRASE, clock=lambda: ns)
    assert auth.sign("GET", f"{HOST}/api/v5/x").headers["OK-ACCESS-TIMESTAMP"] == stamp


# -- parity with python-okx and ccxt (§10) -------------------------------------------------------

NAMES = st.text(string.ascii_letters, min_size=1, max_size=8)
UNRESERVED = string.ascii_letters + string.digits + "-_.~"
PLAIN = st.text(UNRESERVED, min_size=1, max_size=10)
ANY = st.text(UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600", min_size=1, max_size=10)
PARAMS = st.dictionaries(NAMES, st.one_of(PLAIN, ANY), max_size=5)
METHODS = st.sampled_from(["GET", "POST"])  # §1: OKX v5 has no DELETE


def _signed_by_us(method: str, url: str, headers, body: bytes | None) -> dict[str, str]:
    return _owned(okx_auth().sign(method, url, headers=dict(headers), body=body).headers)


@pytest.fixture(scope="module")
def okx_client():
    """python-okx 0.4.4's client, its clock fixed and its send captured (no network)."""
    from okx import okxclient, utils

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(utils, "get_timestamp", lambda: TIMESTAMP)
        with okxclient.OkxClient(API_KEY, SECRET, PASSPHRASE, flag="0", debug=False) as client:
            yield client


def python_okx_request(client, method: str, params: dict[str, str]):
    """``OkxClient._request`` as it runs, stopped where it would send: the request httpx
    would put on the wire, and the headers python-okx signed."""
    sent = SimpleNamespace()

    # OkxClient.get(url, headers=...) and OkxClient.post(url, data=..., headers=...)
    def capture(url, headers, data=None):
        sent.request = client.build_request(method, url, headers=headers, content=data)
        sent.headers = headers
        return SimpleNamespace(json=dict)

    client.get = client.post = capture
    client._request(method, "/api/v5/trade/orders-pending", dict(params))
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in sent.headers.items()}
    return sent.request, headers


def assert_python_okx_parity(client, method: str, params: dict[str, str]) -> None:
    """On python-okx's own wire request our headers are python-okx's, byte for byte, when
    it sends what it signs; it signs its raw '?k=v' but httpx percent-encodes spaces and
    non-ASCII on the wire, and there we sign the wire (§10)."""
    wire, theirs = python_okx_request(client, method, params)
    body = wire.content or None
    ours = _signed_by_us(method, str(wire.url), wire.headers, body)
    raw = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    sent = wire.url.raw_path.decode()
    if method == "POST" or sent == "/api/v5/trade/orders-pending" + raw:
        assert ours == _owned(theirs)
    else:
        assert ours["OK-ACCESS-SIGN"] == _b64(f"{TIMESTAMP}GET{sent}") != theirs["OK-ACCESS-SIGN"]


@pytest.fixture(scope="module")
def ccxt_okx():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.okx({"apiKey": API_KEY, "secret": SECRET, "password": PASSPHRASE})
    exchange.nonce = lambda: CLOCK_NS // 1_000_000  # offline, fixed
    return exchange


def assert_ccxt_parity(exchange, method: str, params: dict[str, str]) -> None:
    """ccxt signs urlencode(quote) and sends it: on its wire request our headers are its
    own, always (§10)."""
    path = "trade/cancel-order" if method == "POST" else "trade/orders-pending"  # no broker tag
    out = exchange.sign(path, ["private"], method, dict(params))
    body = out["body"].encode() if out["body"] else None
    prepared = requests.Request(method, out["url"], data=body, headers=out["headers"]).prepare()
    assert prepared.url == out["url"]  # what ccxt signs is what goes on the wire
    ours = _signed_by_us(method, prepared.url, prepared.headers, body)
    assert ours == _owned(out["headers"])


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(method=METHODS, params=PARAMS)
def test_parity_with_python_okx_and_ccxt(okx_client, ccxt_okx, method, params):
    """2,000 random GETs (parameters that need encoding among them) and JSON POSTs, each
    checked against python-okx's and ccxt's signing code, driven offline."""
    assert_python_okx_parity(okx_client, method, params)
    assert_ccxt_parity(ccxt_okx, method, params)


def test_a_space_is_sent_as_requests_and_ccxt_each_encode_it(ccxt_okx):
    """§10: requests sends a space as '+', ccxt as '%20'; each signs what it sends, so the
    two signatures differ although both are consistent (OKX's reading is unverified)."""
    out = ccxt_okx.sign("trade/orders-pending", ["private"], "GET", {"instId": "A B"})
    ours = requests.Request("GET", f"{HOST}/api/v5/trade/orders-pending",
                            params={"instId": "A B"}, auth=okx_auth()).prepare()  # fmt: skip
    assert (out["url"].partition("?")[2], ours.url.partition("?")[2]) == (
        "instId=A%20B",
        "instId=A+B",
    )
    assert ours.headers["OK-ACCESS-SIGN"] == _b64(
        f"{TIMESTAMP}GET/api/v5/trade/orders-pending?instId=A+B"
    )


def test_an_empty_post_body_is_signed_as_sent():
    """§10: python-okx sends and signs '{}', ccxt sends and signs nothing; both verify. The
    python-okx helper signature() would sign '' for '{}': not copied."""
    from okx import utils

    auth = okx_auth()
    with_braces = auth.sign("POST", f"{HOST}/api/v5/account/set-greeks", body=b"{}")
    without = auth.sign("POST", f"{HOST}/api/v5/account/set-greeks")
    assert with_braces.headers["OK-ACCESS-SIGN"] == _b64(
        f"{TIMESTAMP}POST/api/v5/account/set-greeks{{}}"
    )
    assert without.headers["OK-ACCESS-SIGN"] == _b64(f"{TIMESTAMP}POST/api/v5/account/set-greeks")
    helper = utils.signature(TIMESTAMP, "POST", "/api/v5/account/set-greeks", "{}", SECRET)
    assert (
        helper.decode()
        == without.headers["OK-ACCESS-SIGN"]
        != with_braces.headers["OK-ACCESS-SIGN"]
    )
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    for signed in (with_braces, without):
        assert exchange.handle(Received.from_prepared(signed))[0] == 200


# -- body policy and what the auth owns (§2, §8) -------------------------------------------------


@pytest.mark.parametrize(("method", "kwargs", "fragment"), [
    ("POST", {"data": {"a": "1"}}, "signs JSON bodies only"),
    ("POST", {"data": "a=1"}, "signs JSON bodies only"),
    ("GET", {"json": {"a": "1"}}, "this request has a body"),
])  # fmt: skip
def test_unsignable_bodies_are_refused(method, kwargs, fragment):
    """§8 step 2: JSON bodies only, and none on a GET."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request(method, f"{HOST}/api/v5/trade/order", auth=okx_auth(), **kwargs).prepare()


def test_a_query_on_a_post_is_part_of_the_request_path():
    """§2: a query on a POST is legal and is signed with the path."""
    signed = okx_auth().sign("POST", f"{HOST}/api/v5/trade/order?x=1", body=b'{"a":"1"}')
    assert signed.headers["OK-ACCESS-SIGN"] == _b64(
        f'{TIMESTAMP}POST/api/v5/trade/order?x=1{{"a":"1"}}'
    )
    assert signed.headers["Content-Type"] == "application/json"


def test_resigning_replaces_every_header_it_owns():
    """§8 step 5: set by assignment, so a re-sign (any spelling) leaves one fresh copy."""
    clock = FakeClock(CLOCK_NS)
    auth = OkxAuth(API_KEY, SECRET, PASSPHRASE, clock=clock)
    stale = {"ok-access-sign": "x", "Ok-Access-Timestamp": "2020-01-01T00:00:00.000Z"}
    first = auth.sign("GET", f"{HOST}/api/v5/account/balance", headers=stale)
    clock.advance(ms=10)
    again = auth.sign(first.method, first.url, headers=first.headers)
    assert sorted(again.headers) == sorted(first.headers)
    assert again.headers["OK-ACCESS-TIMESTAMP"] == "2026-06-12T03:22:47.900Z"


# -- the passphrase ------------------------------------------------------------------------------


@pytest.mark.parametrize(("passphrase", "fragment"), [
    ("", "passphrase is empty"),
    (" pass", "passphrase contains whitespace"),
    ("pässword", "passphrase must be printable ASCII"),
    (None, "passphrase must be str or bytes"),
])  # fmt: skip
def test_a_passphrase_that_cannot_travel_is_refused(passphrase, fragment):
    """The passphrase is a secret: checked at construction, never shown."""
    with pytest.raises(ConfigurationError, match=fragment) as caught:
        OkxAuth(API_KEY, SECRET, passphrase)
    assert SECRET not in str(caught.value)


def test_repr_shows_neither_secret_nor_passphrase():
    """DESIGN.md #6."""
    text = repr(okx_auth())
    assert PASSPHRASE not in text
    assert SECRET not in text


# -- the exchange's answers and clock (§6, §7) ---------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"code":"50102","msg":"Timestamp request expired","data":[]}', True),
    (b'{"code":50102}', True),
    (b'{"code":"50113","msg":"Invalid Sign"}', False),
    (b'{"code":"50112","msg":"Invalid OK-ACCESS-TIMESTAMP"}', False),
    (b"not json", False),
])  # fmt: skip
def test_rejects_timestamp_only_on_50102(body, expected):
    """§7: 50102 is the one answer that proves the timestamp alone was refused."""
    assert okx_auth().rejects_timestamp(401, body) is expected


def test_server_clock_reads_okx_time_endpoint():
    """§6: /api/v5/public/time, its ts a string of milliseconds."""
    assert OkxAuth.server_clock(f"{HOST}/api/v5/trade/order").url == f"{HOST}/api/v5/public/time"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = OkxAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() - CLOCK_NS) < 5_000_000_000


@pytest.mark.parametrize(("change", "code"), [
    ({"OK-ACCESS-PASSPHRASE": "wrong"}, "50105"),
    ({"OK-ACCESS-PASSPHRASE": ""}, "50104"),
    ({"OK-ACCESS-TIMESTAMP": "2026-06-12T03:22:47.890+00:00"}, "50112"),
    ({"OK-ACCESS-TIMESTAMP": "2026-06-12T03:22:47.890123Z"}, "50112"),
    ({"OK-ACCESS-SIGN": ""}, "50106"),
    ({"OK-ACCESS-KEY": ""}, "50103"),
    ({"OK-ACCESS-KEY": "other"}, "50111"),
    ({"OK-ACCESS-SIGN": CASES[1][5]}, "50113"),
])  # fmt: skip
def test_the_local_exchange_answers_in_okxs_words(change, code):
    """§7: each header mistake gets its own code, with HTTP 401."""
    signed = okx_auth().sign("GET", f"{HOST}/api/v5/account/balance")
    headers = {**signed.headers, **change}
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    status, answer = exchange.handle(Received("GET", "/api/v5/account/balance", headers))
    assert (status, answer["code"]) == (401, code)


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_three_seconds_behind_is_fatal_with_a_two_second_window(monkeypatch, transport):
    """§6: OKX's window is not documented (30 s is the kit's assumption), so a 3 s skew
    passes it; with the kit's window narrowed to 2 s it is 50102, one sync, one resend."""
    monkeypatch.setattr(OKX, "window_ms", 2000)
    resends_after_three_seconds("okx", transport, "50102")


def test_three_seconds_pass_the_assumed_thirty_second_window():
    """§6: within the 30 s assumed, a 3 s lag is accepted."""
    with LocalExchange() as exchange:
        exchange.clock_offset_ms = 3000
        r = requests.get(exchange.url + "/api/v5/account/balance", auth=OKX.make_auth(), timeout=5)
    assert r.json()["code"] == "0"


def test_an_impossible_date_is_an_invalid_timestamp():
    """§5: the shape is right, the date is not: 50112."""
    signed = okx_auth().sign("GET", f"{HOST}/api/v5/account/balance")
    headers = {**signed.headers, "OK-ACCESS-TIMESTAMP": "2026-02-30T03:22:47.890Z"}
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    assert (
        exchange.handle(Received("GET", "/api/v5/account/balance", headers))[1]["code"] == "50112"
    )


@pytest.mark.parametrize(
    "credential",
    [(SECRET, PASSPHRASE), [SECRET, PASSPHRASE], {"secret": SECRET, "passphrase": PASSPHRASE}],
    ids=["tuple", "list", "mapping"],
)
def test_the_local_exchange_takes_the_secret_and_passphrase_as_given(credential):
    """A passphrase account is registered as a pair or a mapping."""
    exchange = LocalExchange(accounts={"okx": {API_KEY: credential}}, clock=FakeClock(CLOCK_NS))
    signed = okx_auth().sign("GET", f"{HOST}/api/v5/account/balance")
    assert exchange.handle(Received.from_prepared(signed))[0] == 200
    assert repr(exchange.accounts["okx"][API_KEY]) == "PassphraseAccount(...)"


def test_a_passphrase_account_needs_both_values():
    """The secret alone is not an OKX account: said, showing neither value."""
    with pytest.raises(ConfigurationError, match="need the secret and the passphrase") as caught:
        LocalExchange(accounts={"okx": {API_KEY: SECRET}})
    assert SECRET not in str(caught.value)


def test_demo_trading_is_visible():
    """The auth says whether it sends the demo header."""
    assert okx_auth(demo_trading=True).demo_trading
    assert not okx_auth().demo_trading
