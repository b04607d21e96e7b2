"""BingxAuth: the spec's vectors, the decoded query, the parameters it owns, byte parity with
ccxt, its body policy, its answers and its clock.

BingX publishes no Python SDK on PyPI (``bingx`` there is ccxt's single-exchange build),
so ccxt is the one peer. Specification: shared/specs/bingx.md (section numbers below).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import string
from urllib.parse import urlencode

import pytest
import requests
from scheme_vectors.bingx import API_KEY, CASES, CLOCK_NS, SECRET, TIMESTAMP_MS
from skew import resends_after_three_seconds

from requests_exchange_auth import BingxAuth, ConfigurationError, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_bingx import bingx_signed

HOST = "https://open-api.bingx.com"
ORDER_PATH = "/openApi/spot/v1/trade/order"


def bingx_auth(**options) -> BingxAuth:
    return BingxAuth(API_KEY, SECRET, clock=lambda: CLOCK_NS, **options)


def _query(url: str) -> str:
    return url.partition("?")[2]


def _hmac(text: str) -> str:
    return hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()


# -- §8: the vectors ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vector_signs_its_decoded_query(case):
    """§8 B1-B6 through requests: the wire query, the decoded text signed, the signature."""
    _, method, url, wire, signed, signature = case
    r = requests.Request(method, url, auth=bingx_auth()).prepare()
    assert _query(r.url) == f"{wire}&signature={signature}"
    assert bingx_signed(Received.from_prepared(r)).decode() == signed
    assert _hmac(signed) == signature
    assert r.headers["X-BX-APIKEY"] == API_KEY
    assert r.body is None


def test_b4_in_the_docs_samples_order():
    """§8: the docs' Python sample appends timestamp last, after ``type``: another valid
    order, and the auth's own when the caller places no timestamp."""
    params = {"newClientOrderId": "my order/1", "price": "60000", "quantity": "0.0001",
              "side": "BUY", "symbol": "BTC-USDT", "type": "LIMIT"}  # fmt: skip
    r = requests.Request("POST", HOST + ORDER_PATH, params=params, auth=bingx_auth()).prepare()
    signed, _, signature = _query(r.url).rpartition("&signature=")
    assert signed.endswith(f"&type=LIMIT&timestamp={TIMESTAMP_MS}")
    assert signature.startswith("8b9757097dc83568")


@pytest.mark.parametrize(("typed", "wire"), [
    ("b=2&a=1", "b=2&a=1"),  # the caller's order is kept (§3: "without sorting")
    ("a=x+y", "a=x%20y"),  # a typed '+' is a space (§4: never send '+')
    ("a=%7e%41", "a=~A"),
    ("a=[1,2]", "a=%5B1%2C2%5D"),
])  # fmt: skip
def test_the_query_is_rewritten_to_its_canonical_form(typed, wire):
    """§4: decoded form-style, order kept, re-encoded strictly (space %20, never '+')."""
    url = bingx_auth().sign("GET", f"{HOST}/openApi/x?{typed}").url
    assert _query(url).startswith(f"{wire}&timestamp={TIMESTAMP_MS}&signature=")


# -- what the auth owns (§5, §7) ----------------------------------------------------------------


def test_recv_window_goes_just_before_the_timestamp():
    """§5: ``recvWindow`` is added before ``timestamp`` unless the caller sent one."""
    url = bingx_auth(recv_window=5000).sign("GET", f"{HOST}/openApi/x?symbol=BTC-USDT").url
    assert _query(url).startswith(f"symbol=BTC-USDT&recvWindow=5000&timestamp={TIMESTAMP_MS}&")
    url = bingx_auth(recv_window=5000).sign("GET", CASES[1][2]).url
    assert _query(url) == f"{CASES[1][3]}&signature={CASES[1][5]}"


@pytest.mark.parametrize("value", [0, -1, 60001, "5e3x", 1.2345, True])
def test_a_bad_recv_window_is_refused(value):
    """§5: milliseconds, greater than 0; the auth caps it at 60000, the largest documented."""
    with pytest.raises(ConfigurationError, match="recv_window"):
        bingx_auth(recv_window=value)


def test_recv_window_is_visible():
    """The auth says which recvWindow it adds."""
    assert (bingx_auth().recv_window, bingx_auth(recv_window=7000).recv_window) == (None, "7000")


def test_resigning_replaces_timestamp_in_place_and_signature():
    """§7 step 3-4: a signed URL signed again keeps its form; only the values change."""
    clock = FakeClock(CLOCK_NS)
    auth = BingxAuth(API_KEY, SECRET, clock=clock, recv_window=5000)
    first = auth.sign("POST", CASES[3][2])
    clock.advance(ms=7)
    again = auth.sign("POST", first.url)
    stamp = f"timestamp={TIMESTAMP_MS + 7}"
    expected = CASES[3][3].replace(f"timestamp={TIMESTAMP_MS}", f"recvWindow=5000&{stamp}")
    assert _query(again.url).partition("&signature=")[0] == expected
    assert _query(again.url).count("signature=") == 1


def test_owned_names_count_in_any_spelling():
    """DESIGN.md #2: ``time%73tamp`` is ``timestamp``; copies and stray signatures go."""
    url = f"{HOST}/openApi/x?a=1&time%73tamp=5&signature=zz&b=2&timestamp=6&sig%6Eature=yy"
    assert _query(bingx_auth().sign("GET", url).url).startswith(
        f"a=1&timestamp={TIMESTAMP_MS}&b=2&signature="
    )


# -- parity with ccxt ---------------------------------------------------------------------------

UNRESERVED = string.ascii_letters + string.digits + "-_.~"
ANY = UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600"
METHODS = ("GET", "POST", "DELETE", "PUT")


def _random_requests(seed: int, count: int = 2000):
    """Up to six parameters each, about half of their values needing encoding (seeded)."""
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not secrets
    for _ in range(count):
        params = {}
        for _ in range(rng.randrange(7)):
            name = "".join(rng.choices(string.ascii_letters, k=rng.randint(1, 8)))
            alphabet = ANY if rng.random() < 0.5 else UNRESERVED
            params[name] = "".join(rng.choices(alphabet, k=rng.randrange(11)))
        params.pop("timestamp", None)
        params.pop("signature", None)
        yield rng.choice(METHODS), params


@pytest.fixture(scope="module")
def ccxt_bingx():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.bingx({"apiKey": API_KEY, "secret": SECRET})
    exchange.nonce = lambda: TIMESTAMP_MS  # offline, fixed
    return exchange


def test_parity_with_ccxt(ccxt_bingx):
    """2,000 random requests (values that need encoding among them, every method), each
    signed by ccxt 4.5.90 ``bingx.sign()`` offline: on ccxt's own URL (its timestamp in
    place) the auth sends ccxt's URL, byte for byte, signature included (§3, §4)."""
    for method, params in _random_requests(38):
        out = ccxt_bingx.sign("trade/order", ["spot", "v1", "private"], method, dict(params))
        mine = bingx_auth().sign(method, out["url"])
        assert mine.url == out["url"]
        assert mine.headers["X-BX-APIKEY"] == out["headers"]["X-BX-APIKEY"]


def test_where_ccxt_differs_it_sorts_and_tags(ccxt_bingx):
    """§3, §9: ccxt sorts the parameters by name and adds its broker header
    ``X-SOURCE-KEY: CCXT``; the auth keeps the caller's order and adds only the key.
    Both orders verify: BingX checks the order as sent."""
    params = {"symbol": "BTC-USDT", "side": "BUY"}
    out = ccxt_bingx.sign("trade/order", ["spot", "v1", "private"], "POST", dict(params))
    assert _query(out["url"]).startswith(f"side=BUY&symbol=BTC-USDT&timestamp={TIMESTAMP_MS}&")
    assert out["headers"]["X-SOURCE-KEY"] == "CCXT"
    mine = requests.Request("POST", HOST + ORDER_PATH, params=params, auth=bingx_auth()).prepare()
    assert _query(mine.url).startswith(f"symbol=BTC-USDT&side=BUY&timestamp={TIMESTAMP_MS}&")
    assert "X-SOURCE-KEY" not in mine.headers
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    assert exchange.handle(Received.from_prepared(mine))[1]["code"] == 0


# -- body policy, answers and clock ------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{"data": {"a": "1"}}, {"json": {"a": "1"}}, {"data": "a=1"}])
def test_any_body_is_refused(kwargs):
    """§2, §7 step 2: form and JSON bodies are out of scope; parameters go in the query."""
    with pytest.raises(UnsignableRequestError, match=re.escape("params={...}")):
        requests.Request("POST", HOST + ORDER_PATH, auth=bingx_auth(), **kwargs).prepare()


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"code":100421,"msg":"Null timestamp or timestamp mismatch"}', True),
    (b'{"code":100421,"msg":"This pair is currently restricted from API trading"}', False),
    (b'{"code":100001,"msg":"Signature verification failed due to signature mismatch"}', False),
    (b'{"code":"100421","msg":"timestamp"}', False),
    (b"100421", False),
])  # fmt: skip
def test_rejects_timestamp_only_on_100421_about_the_timestamp(body, expected):
    """§6, §9: 100421 proves the timestamp was refused only when its message says so."""
    assert bingx_auth().rejects_timestamp(200, body) is expected


def test_server_clock_reads_bingx_time_endpoint():
    """§5: the swap server-time endpoint, ``data.serverTime`` in milliseconds."""
    assert BingxAuth.server_clock(HOST).url == f"{HOST}/openApi/swap/v2/server/time"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = BingxAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() - CLOCK_NS) < 5_000_000_000


@pytest.mark.parametrize(("change", "code"), [
    ({"url": lambda q: q.replace("&signature=", "&signaturex=")}, 100412),
    ({"url": lambda q: q.replace(f"timestamp={TIMESTAMP_MS}", "timestamp=soon")}, 100421),
    ({"url": lambda q: q.replace("symbol=BTC", "symbol=BTD")}, 100001),
    ({"headers": {"X-BX-APIKEY": "other"}}, 100413),
    ({"headers": {"X-BX-APIKEY": ""}}, 100413),
])  # fmt: skip
def test_the_local_exchange_answers_in_bingxs_words(change, code):
    """§6: each mistake gets its code, in an HTTP 200 answer."""
    signed = bingx_auth().sign("DELETE", CASES[4][2])
    target = "/" + signed.url.partition("://")[2].partition("/")[2]
    target = change.get("url", lambda q: q)(target)
    headers = {**signed.headers, **change.get("headers", {})}
    status, answer = LocalExchange(clock=FakeClock(CLOCK_NS)).handle(
        Received("DELETE", target, headers)
    )
    assert (status, answer["code"]) == (200, code)


@pytest.mark.parametrize(("window", "skew_ms", "ok"), [
    (None, 5000, True), (None, 5001, False), (2000, 2001, False), (None, -999, True),
    (None, -1000, False),
])  # fmt: skip
def test_the_window_is_recv_window_behind(window, skew_ms, ok):
    """§5: a timestamp older than recvWindow (default 5000 ms) is refused; the kit refuses
    one 1000 ms or more ahead (BingX documents no tolerance: §9)."""
    signed = bingx_auth(recv_window=window).sign("GET", CASES[0][2])
    exchange = LocalExchange(clock=FakeClock(TIMESTAMP_MS * 10**6 + skew_ms * 10**6))
    assert (exchange.handle(Received.from_prepared(signed))[1]["code"] == 0) is ok


def test_end_to_end_accepted_and_one_changed_byte_rejected():
    """On the local exchange: B3's request is accepted; with one byte of its query changed
    after signing, it is 100001."""

    def tamper(r):
        r = bingx_auth(allow_insecure_http=True)(r)
        r.url = r.url.replace("M%C3%98TH", "M%C3%99TH")
        return r

    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        url = (
            exchange.url + "/openApi/spot/v1/trade/openOrders?" + urlencode({"symbol": "MØTH-USDT"})
        )
        assert requests.get(url, auth=bingx_auth(), timeout=5).json()["code"] == 0
        assert requests.get(url, auth=tamper, timeout=5).json()["code"] == 100001


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_three_seconds_behind_is_fatal_with_a_two_second_window(transport):
    """§5, §6: with recv_window=2000, a server 3 s ahead answers 100421; one sync, one
    resend."""
    resends_after_three_seconds("bingx", transport, "100421", recv_window=2000)
