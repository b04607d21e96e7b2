"""Known answers: every spec vector, reproduced through the public auth classes.

Each request is built with ``requests.Request(...).prepare()`` and a fixed clock or nonce,
and the test pins the exact URL, body and headers that would go on the wire.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, NamedTuple

import jwt
import pytest
import requests
from vectors import (
    BINANCE_API_KEY,
    BINANCE_ORDER,
    BINANCE_ORDER_URL,
    BINANCE_SECRET,
    BINANCE_TIMESTAMP_MS,
    FUTURES_MIXED_BODY,
    FUTURES_MIXED_QUERY,
    FUTURES_MIXED_SIGNATURE,
    FUTURES_ORDER_URL,
    FUTURES_PAYLOAD,
    FUTURES_SECRET,
    FUTURES_SIGNATURE,
    FUTURES_TIMESTAMP_MS,
    H1_QUERY,
    H1_SIGNATURE,
    H2_BODY,
    H2_SIGNATURE,
    H3_BODY,
    H3_QUERY,
    H3_SIGNATURE,
    H4_QUERY,
    H4_SIGNATURE,
    H4_SYMBOL,
    H4_WRONG_SIGNATURE,
    H5_QUERY,
    H5_SIGNATURE,
    H6_CLIENT_ORDER_ID,
    H6_QUERY,
    H6_SIGNATURE,
    OPEN_API_AK,
    OPEN_API_CANONICAL_GET,
    OPEN_API_DATA_TOKEN,
    OPEN_API_DIG,
    OPEN_API_GET_URL,
    OPEN_API_JWT,
    OPEN_API_POST_BODY,
    OPEN_API_POST_BODY_SHA256,
    OPEN_API_POST_CANONICAL,
    OPEN_API_POST_DIG,
    OPEN_API_POST_URL,
    OPEN_API_SK,
    OPEN_API_TS,
    OPEN_API_USER_DATA_URL,
    POLONIEX_API_KEY,
    POLONIEX_BODY_1,
    POLONIEX_BODY_2,
    POLONIEX_NONCE_1,
    POLONIEX_NONCE_2,
    POLONIEX_SECRET,
    POLONIEX_SIGN_1,
    POLONIEX_SIGN_2,
    POLONIEX_URL,
    RSA_TEST_KEY_PEM,
    USER_DATA_PLAINTEXT,
    USER_DATA_STD,
    USER_DATA_URL,
    USER_DATA_URL_NOPAD,
)

from requests_exchange_auth import (
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    PoloniexBodyDigestAuth,
    decrypt_user_data,
)
from requests_exchange_auth.schemes.binance_open import canonical_request

FORM = "application/x-www-form-urlencoded"
ACCOUNT_URL = "https://api.binance.com/api/v3/account"
RECV = (("recvWindow", "5000"),)
ORDER_WITH_RECV = BINANCE_ORDER + RECV
H1_PREFIX = H1_QUERY.rpartition("&timestamp=")[0]  # the caller's part: up to recvWindow
H4_ORDER = (("symbol", H4_SYMBOL), *BINANCE_ORDER[1:], *RECV)


def clock_ms(ms: int) -> Any:
    """A clock (nanoseconds, like time.time_ns) that always reads ``ms`` milliseconds."""
    return lambda: ms * 1_000_000


def prepare(auth: Any, method: str, url: str, **kwargs: Any) -> requests.PreparedRequest:
    return requests.Request(method, url, auth=auth, **kwargs).prepare()


def framing(r: requests.PreparedRequest, key_header: str) -> dict[str, str | None]:
    """The headers a vector pins: the key header and the body framing."""
    names = (key_header, "Content-Type", "Content-Length")
    return {name: r.headers.get(name) for name in names}


# -- Binance HMAC: binance-signed-requests.md §8 ----------------------------------------


class BinanceCase(NamedTuple):
    """One request to sign and the exact request that must come out."""

    method: str
    url: str
    request: dict[str, Any]  # keyword arguments of requests.Request
    expected_url: str
    expected_body: str | bytes | None
    expected_headers: dict[str, str | None]
    options: dict[str, Any]  # keyword options of BinanceQueryAuth


def in_query(
    method: str, url: str, query: str, signature: str, options: Any = None, **request: Any
) -> BinanceCase:
    """A case whose signed parameters all end up in the URL (no body)."""
    length = None if method == "GET" else "0"  # requests frames a body-less POST as 0
    expected_url = f"{url.partition('?')[0]}?{query}&signature={signature}"
    headers = {"Content-Type": None, "Content-Length": length}
    return BinanceCase(method, url, request, expected_url, None, headers, options or {})


def in_body(
    url: str, body: str | bytes, signature: str, options: Any = None, **request: Any
) -> BinanceCase:
    """A POST case whose signed parameters end up at the end of the form body.

    Only the H3 cases have a query, and it is always H3's.
    """
    tail = f"&signature={signature}"
    expected_body = body + tail if isinstance(body, str) else body + tail.encode()
    base = url.partition("?")[0]
    expected_url = f"{base}?{H3_QUERY}" if body == H3_BODY else base
    headers: dict[str, str | None] = {
        "Content-Type": FORM,
        "Content-Length": str(len(expected_body)),
    }
    return BinanceCase("POST", url, request, expected_url, expected_body, headers, options or {})


ORDER = BINANCE_ORDER_URL
H4_LOWER = "%ef%bc%91%ef%bc%92%ef%bc%93%ef%bc%94%ef%bc%95%ef%bc%96"
STALE = "&timestamp=1&signature=00"
BINANCE_CASES = [
    pytest.param(
        in_query("POST", ORDER, H1_QUERY, H1_SIGNATURE, params=ORDER_WITH_RECV),
        id="H1-params",
    ),
    pytest.param(
        in_query("POST", ORDER, H1_QUERY, H1_SIGNATURE, {"recv_window": 5000},
                 params=BINANCE_ORDER),
        id="H1-params-recv_window-option",
    ),
    pytest.param(
        in_query("POST", f"{ORDER}?symbol=LTCBTC", H1_QUERY, H1_SIGNATURE,
                 params=ORDER_WITH_RECV[1:]),
        id="H1-url-query-plus-params",
    ),
    pytest.param(
        in_query("POST", f"{ORDER}?{H1_PREFIX}", H1_QUERY, H1_SIGNATURE),
        id="H1-url-query-only",
    ),
    pytest.param(
        in_query("POST", f"{ORDER}?{H1_PREFIX}{STALE}", H1_QUERY, H1_SIGNATURE),
        id="H1-stale-timestamp-and-signature-replaced",
    ),
    pytest.param(
        in_body(ORDER, H2_BODY, H2_SIGNATURE, data=dict(ORDER_WITH_RECV)),
        id="H2-data-dict",
    ),
    pytest.param(
        in_body(ORDER, H2_BODY, H2_SIGNATURE, data=list(ORDER_WITH_RECV)),
        id="H2-data-list-of-tuples",
    ),
    pytest.param(
        in_body(ORDER, H2_BODY, H2_SIGNATURE, {"recv_window": "5000"}, data=dict(BINANCE_ORDER)),
        id="H2-data-recv_window-option",
    ),
    pytest.param(
        in_body(ORDER, H2_BODY, H2_SIGNATURE, data=H1_PREFIX),
        id="H2-data-str-form-encoded",
    ),
    pytest.param(
        in_body(ORDER, H2_BODY.encode(), H2_SIGNATURE, data=H1_PREFIX.encode()),
        id="H2-data-bytes-form-encoded",
    ),
    pytest.param(
        in_body(ORDER, H2_BODY, H2_SIGNATURE, data=H1_PREFIX + STALE),
        id="H2-stale-timestamp-and-signature-replaced",
    ),
    pytest.param(
        in_body(ORDER, H3_BODY, H3_SIGNATURE, params=BINANCE_ORDER[:4],
                data=BINANCE_ORDER[4:] + RECV),
        id="H3-params-and-data",
    ),
    pytest.param(
        in_body(f"{ORDER}?symbol=LTCBTC", H3_BODY, H3_SIGNATURE, params=BINANCE_ORDER[1:4],
                data=BINANCE_ORDER[4:] + RECV),
        id="H3-url-query-plus-params-and-data",
    ),
    pytest.param(
        in_query("POST", ORDER, H4_QUERY, H4_SIGNATURE, params=H4_ORDER),
        id="H4-params-non-ascii-str",
    ),
    pytest.param(
        in_query("POST", f"{ORDER}?symbol={H4_SYMBOL}", H4_QUERY, H4_SIGNATURE,
                 params=H4_ORDER[1:]),
        id="H4-url-raw-non-ascii-plus-params",
    ),
    pytest.param(
        in_query("POST", f"{ORDER}?symbol={H4_LOWER}", H4_QUERY, H4_SIGNATURE,
                 params=H4_ORDER[1:]),
        id="H4-url-lowercase-escapes-plus-params",
    ),
    pytest.param(
        in_body(ORDER, H4_QUERY, H4_SIGNATURE, data=H4_ORDER),
        id="H4-data-non-ascii-str",
    ),
    pytest.param(
        in_query("GET", ACCOUNT_URL, H5_QUERY, H5_SIGNATURE, params=RECV),
        id="H5-get-params",
    ),
    pytest.param(
        in_query("GET", ACCOUNT_URL, H5_QUERY, H5_SIGNATURE, {"recv_window": 5000}),
        id="H5-get-recv_window-option",
    ),
    pytest.param(
        in_query("POST", f"{ORDER}?symbol=BTCUSDT&newClientOrderId=my%20order%2F1", H6_QUERY,
                 H6_SIGNATURE),
        id="H6-url-query-with-%20",
    ),
    pytest.param(
        in_query("POST", f"{ORDER}?symbol=BTCUSDT", H6_QUERY, H6_SIGNATURE,
                 params="newClientOrderId=my%20order%2F1"),
        id="H6-url-query-plus-encoded-str-params",
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", BINANCE_CASES)
def test_binance_hmac_vector(case):
    """BinanceQueryAuth reproduces binance-signed-requests.md §8 H1–H6 byte for byte."""
    clock = clock_ms(BINANCE_TIMESTAMP_MS)
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, clock=clock, **case.options)

    r = prepare(auth, case.method, case.url, **case.request)

    assert r.url == case.expected_url
    assert r.body == case.expected_body
    assert framing(r, "X-MBX-APIKEY") == {
        "X-MBX-APIKEY": BINANCE_API_KEY,
        **case.expected_headers,
    }


H4_REQUESTS = [
    pytest.param({"params": H4_ORDER}, id="params"),
    pytest.param({"data": H4_ORDER}, id="data"),
    pytest.param({"params": H4_ORDER[:1], "data": H4_ORDER[1:]}, id="params-and-data"),
]


@pytest.mark.parametrize("kwargs", H4_REQUESTS)
def test_binance_never_signs_unencoded_payload(kwargs):
    """The H4-wrong signature (over the raw ``symbol=１２３…``, §3) is never produced."""
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, clock=clock_ms(BINANCE_TIMESTAMP_MS))

    r = prepare(auth, "POST", BINANCE_ORDER_URL, **kwargs)

    body = r.body.decode() if isinstance(r.body, bytes) else r.body or ""
    sent = f"{r.url} {body}"
    assert H4_WRONG_SIGNATURE not in sent
    assert H4_SYMBOL not in sent


def test_binance_signs_plus_for_space_when_requests_sends_plus():
    """A params dict sends the H6 space as ``+`` (§3), and the signature covers that ``+``."""
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, clock=clock_ms(BINANCE_TIMESTAMP_MS))
    params = {"symbol": "BTCUSDT", "newClientOrderId": H6_CLIENT_ORDER_ID}
    wire = "symbol=BTCUSDT&newClientOrderId=my+order%2F1&timestamp=1499827319559"
    expected = hmac.new(BINANCE_SECRET.encode(), wire.encode(), hashlib.sha256).hexdigest()

    r = prepare(auth, "POST", BINANCE_ORDER_URL, params=params)

    assert r.url == f"{BINANCE_ORDER_URL}?{wire}&signature={expected}"
    assert expected != H6_SIGNATURE


FUTURES_PARAMS = FUTURES_PAYLOAD.rpartition("&timestamp=")[0]  # the caller's part
FUTURES_CASES = [
    pytest.param(
        {"params": FUTURES_PARAMS},
        f"{FUTURES_ORDER_URL}?{FUTURES_PAYLOAD}&signature={FUTURES_SIGNATURE}",
        None,
        id="plain-in-query",
    ),
    pytest.param(
        {"data": FUTURES_PARAMS},
        FUTURES_ORDER_URL,
        f"{FUTURES_PAYLOAD}&signature={FUTURES_SIGNATURE}",
        id="plain-in-body",
    ),
    pytest.param(
        {"params": FUTURES_MIXED_QUERY, "data": FUTURES_MIXED_BODY.rpartition("&timestamp=")[0]},
        f"{FUTURES_ORDER_URL}?{FUTURES_MIXED_QUERY}",
        f"{FUTURES_MIXED_BODY}&signature={FUTURES_MIXED_SIGNATURE}",
        id="corrected-mixed",
    ),
]


@pytest.mark.parametrize(("kwargs", "expected_url", "expected_body"), FUTURES_CASES)
def test_binance_futures_vector(kwargs, expected_url, expected_body):
    """The USDⓈ-M futures example of §8, plain and the corrected mixed one, byte for byte."""
    auth = BinanceQueryAuth(BINANCE_API_KEY, FUTURES_SECRET, clock=clock_ms(FUTURES_TIMESTAMP_MS))

    r = prepare(auth, "POST", FUTURES_ORDER_URL, **kwargs)

    assert (r.url, r.body) == (expected_url, expected_body)


# -- Poloniex legacy: poloniex.md Part A "Legacy vector" ---------------------------------

POLONIEX_CASES = [
    pytest.param({"command": "returnBalances"}, POLONIEX_NONCE_1, POLONIEX_BODY_1,
                 POLONIEX_SIGN_1, id="returnBalances-data-dict"),
    pytest.param("command=returnBalances&nonce=1", POLONIEX_NONCE_1, POLONIEX_BODY_1,
                 POLONIEX_SIGN_1, id="returnBalances-data-str-stale-nonce-replaced"),
    pytest.param([("command", "buy"), ("currencyPair", "BTC_ETH"), ("rate", "0.01"),
                  ("amount", "1")], POLONIEX_NONCE_2, POLONIEX_BODY_2, POLONIEX_SIGN_2,
                 id="buy-data-list-of-tuples"),
    pytest.param("command=buy&currencyPair=BTC_ETH&rate=0.01&amount=1", POLONIEX_NONCE_2,
                 POLONIEX_BODY_2, POLONIEX_SIGN_2, id="buy-data-str"),
    pytest.param(b"command=buy&currencyPair=BTC_ETH&rate=0.01&amount=1", POLONIEX_NONCE_2,
                 POLONIEX_BODY_2.encode(), POLONIEX_SIGN_2, id="buy-data-bytes"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "nonce", "expected_body", "expected_sign"), POLONIEX_CASES)
def test_poloniex_legacy_vector(data, nonce, expected_body, expected_sign):
    """PoloniexBodyDigestAuth reproduces poloniex.md Part A's ``Sign`` over the exact body."""
    auth = PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, nonce=lambda: nonce)

    r = prepare(auth, "POST", POLONIEX_URL, data=data)

    assert r.url == POLONIEX_URL
    assert r.body == expected_body
    assert r.headers["Sign"] == expected_sign
    assert framing(r, "Key") == {
        "Key": POLONIEX_API_KEY,
        "Content-Type": FORM,
        "Content-Length": str(len(expected_body)),
    }


# -- Binance Open Service JWT: binance-open-api-jwt.md §6 --------------------------------

OPEN_API_GET_CASES = [
    pytest.param(OPEN_API_USER_DATA_URL, {"params": {"openData": OPEN_API_DATA_TOKEN}},
                 OPEN_API_TS * 10**9, id="params-dict"),
    pytest.param(OPEN_API_GET_URL, {}, OPEN_API_TS * 10**9, id="url-with-encoded-query"),
    pytest.param(OPEN_API_USER_DATA_URL, {"params": {"openData": OPEN_API_DATA_TOKEN}},
                 OPEN_API_TS * 10**9 + 999_999_999, id="clock-late-in-the-second"),
]  # fmt: skip


def open_api_get(url: str, kwargs: dict[str, Any], now_ns: int) -> requests.PreparedRequest:
    auth = BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=lambda: now_ns)
    return prepare(auth, "GET", url, **kwargs)


@pytest.mark.parametrize(("url", "kwargs", "now_ns"), OPEN_API_GET_CASES)
def test_open_api_worked_example_leaves_request_as_sent(url, kwargs, now_ns):
    """The §6 GET keeps its URL, has no body and carries only the token header."""
    r = open_api_get(url, kwargs, now_ns)

    assert (r.url, r.body) == (OPEN_API_GET_URL, None)
    assert framing(r, "X-Mp-Open-Api-Token") == {
        "X-Mp-Open-Api-Token": OPEN_API_JWT,
        "Content-Type": None,
        "Content-Length": None,
    }


def test_open_api_worked_example_canonical_request():
    """canonical_request of the §6 GET is the spec's four lines, and its SHA-256 is ``dig``."""
    canonical = canonical_request("GET", OPEN_API_GET_URL, b"")

    assert canonical == OPEN_API_CANONICAL_GET
    assert hashlib.sha256(canonical.encode()).hexdigest() == OPEN_API_DIG


@pytest.mark.parametrize(("url", "kwargs", "now_ns"), OPEN_API_GET_CASES)
def test_open_api_worked_example_token_decodes(url, kwargs, now_ns):
    """The §6 token verifies with SK under HS256 and holds exactly iss, dig and ts."""
    token = open_api_get(url, kwargs, now_ns).headers["X-Mp-Open-Api-Token"]

    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert jwt.decode(token, OPEN_API_SK, algorithms=["HS256"]) == {
        "iss": OPEN_API_AK,
        "dig": OPEN_API_DIG,
        "ts": OPEN_API_TS,
    }


@pytest.mark.parametrize(("url", "kwargs", "now_ns"), OPEN_API_GET_CASES)
def test_open_api_worked_example_token_is_byte_identical(url, kwargs, now_ns):
    """PyJWT makes the token, so it equals the spec's §6 token string byte for byte."""
    token = open_api_get(url, kwargs, now_ns).headers["X-Mp-Open-Api-Token"]

    assert token == OPEN_API_JWT


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(OPEN_API_POST_BODY, id="bytes"),
        pytest.param(OPEN_API_POST_BODY.decode(), id="str"),
    ],
)
def test_open_api_post_digest_example(body):
    """The §6 POST example: the body is sent untouched and the token's dig is the spec's."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=lambda: OPEN_API_TS * 10**9)
    headers = {"Content-Type": "application/json"}

    r = prepare(auth, "POST", OPEN_API_POST_URL, data=body, headers=headers)

    claims = jwt.decode(r.headers["X-Mp-Open-Api-Token"], OPEN_API_SK, algorithms=["HS256"])
    assert (r.url, r.body) == (OPEN_API_POST_URL, body)
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["Content-Length"] == str(len(OPEN_API_POST_BODY))
    assert hashlib.sha256(OPEN_API_POST_BODY).hexdigest() == OPEN_API_POST_BODY_SHA256
    assert canonical_request("POST", r.url, OPEN_API_POST_BODY) == OPEN_API_POST_CANONICAL
    assert claims == {"iss": OPEN_API_AK, "dig": OPEN_API_POST_DIG, "ts": OPEN_API_TS}


def _loaded_rsa_key() -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(RSA_TEST_KEY_PEM.encode(), password=None)


@pytest.mark.parametrize(
    "ciphertext",
    [
        pytest.param(USER_DATA_STD, id="std"),
        pytest.param(USER_DATA_URL, id="url"),
        pytest.param(USER_DATA_URL_NOPAD, id="url-without-padding"),
        pytest.param(USER_DATA_STD.encode(), id="std-as-bytes"),
        pytest.param("\n".join(USER_DATA_STD[i : i + 64] for i in range(0, 344, 64)),
                     id="std-wrapped-at-64"),
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    "key",
    [
        pytest.param(lambda: RSA_TEST_KEY_PEM, id="pem-str"),
        pytest.param(RSA_TEST_KEY_PEM.encode, id="pem-bytes"),
        pytest.param(_loaded_rsa_key, id="key-object"),
    ],
)
def test_decrypt_user_data_vector(key, ciphertext):
    """Every spelling of the §6 ciphertext decrypts to ``o_TEST_0001`` with the test key."""
    assert decrypt_user_data(key(), ciphertext) == USER_DATA_PLAINTEXT
