"""End to end: a real requests.Session sends to the local verifying exchange (DESIGN.md #1).

Every honest request is accepted; changing one byte of the query, the body or the
signature after signing makes the exchange reject it, in the exchange's own format.
"""

from __future__ import annotations

import string

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_exchange_auth import BinanceOpenApiJwtAuth, BinanceQueryAuth, PoloniexBodyDigestAuth
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    OPEN_API_KEY,
    OPEN_API_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
    LocalExchange,
)

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1", "price": "0.1"}
APP = "/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd"
B64URL = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def binance(**options):
    return BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, **options)


def poloniex():
    return PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET)


def open_api():
    return BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET)


HONEST = {
    "binance-GET-query": (
        "GET",
        "/api/v3/account",
        binance,
        {"params": {"omitZeroBalances": "true"}},
    ),
    "binance-POST-body": ("POST", "/api/v3/order", binance, {"data": ORDER}),
    "binance-POST-mixed": (
        "POST",
        "/api/v3/order",
        binance,
        {"params": {"symbol": "ＢＴＣ"}, "data": ORDER},
    ),
    "binance-recvWindow": (
        "DELETE",
        "/api/v3/order",
        lambda: binance(recv_window="6000.5"),
        {"params": ORDER},
    ),
    "binance-futures": ("POST", "/fapi/v1/order", binance, {"data": ORDER}),
    "binance-sapi-unicode": ("GET", "/sapi/v1/x", binance, {"params": {"note": "a b&c=d/é+%"}}),
    "binance-key-only": ("POST", "/api/v3/userDataStream", lambda: binance().key_only(), {}),
    "poloniex-dict": ("POST", "/tradingApi", poloniex, {"data": {"command": "returnBalances"}}),
    "poloniex-str": ("POST", "/tradingApi", poloniex, {"data": "command=returnBalances"}),
    "poloniex-bytes": ("POST", "/tradingApi", poloniex, {"data": b"command=returnBalances"}),
    "poloniex-no-body": ("POST", "/tradingApi", poloniex, {}),
    "open-api-GET": (
        "GET",
        f"{APP}/user-open-data",
        open_api,
        {"params": {"openData": "dt_TEST/abc+1=="}},
    ),
    "open-api-JSON": ("POST", f"{APP}/message/send", open_api, {"json": {"openId": "o_ü", "n": 1}}),
    "open-api-str": ("POST", f"{APP}/message/send", open_api, {"data": '{"openId":"é"}'}),
}


@pytest.mark.parametrize("case", HONEST)
def test_honest_requests_are_accepted(exchange: LocalExchange, case):
    """A request signed by our auth passes the exchange's own check."""
    method, path, make_auth, options = HONEST[case]
    with requests.Session() as session:
        response = session.request(
            method, exchange.url + path, auth=make_auth(), timeout=5, **options
        )
    assert response.status_code == 200, response.text
    [received] = exchange.received
    assert received.verdict.ok


def test_session_auth_signs_every_request(exchange: LocalExchange):
    """Session.auth signs each request afresh, so a keep-alive session can send many."""
    with requests.Session() as session:
        session.auth = poloniex()
        statuses = [
            session.post(exchange.url + "/tradingApi", data={"command": "x"}, timeout=5).status_code
            for _ in range(20)
        ]
    assert statuses == [200] * 20
    assert all(r.verdict.ok for r in exchange.received)


def _flip(text: str, index: int, alphabet: str = "01") -> str:
    """Replace one character with a different one that changes the decoded value."""
    old = text[index]
    if alphabet == B64URL:  # move by 16 so a base64 character's data bits change, not its padding
        new = B64URL[(B64URL.index(old) + 16) % 64] if old in B64URL else "A"
    else:
        new = alphabet[0] if old != alphabet[0] else alphabet[1]
    return text[:index] + new + text[index + 1 :]


def _send_tampered(exchange, method, path, auth, options, part, index):  # noqa: PLR0917  # one row of TAMPERED
    with requests.Session() as session:
        prepared = session.prepare_request(
            requests.Request(method, exchange.url + path, auth=auth, **options)
        )
        if part == "query":
            base, _, query = prepared.url.partition("?")
            prepared.url = f"{base}?{_flip(query, index % len(query))}"
        elif part == "body":
            body = prepared.body.decode() if isinstance(prepared.body, bytes) else prepared.body
            prepared.body = _flip(body, index % len(body))
        else:
            value = prepared.headers[part]
            alphabet = B64URL if part == "X-Mp-Open-Api-Token" else "01"
            prepared.headers[part] = _flip(value, index % len(value), alphabet)
        return session.send(prepared, timeout=5)


TAMPERED = {
    "binance-query": ("GET", "/api/v3/account", binance, {"params": ORDER}, "query", "code"),
    "binance-body": ("POST", "/api/v3/order", binance, {"data": ORDER}, "body", "code"),
    "binance-mixed-query": (
        "POST",
        "/api/v3/order",
        binance,
        {"params": ORDER, "data": ORDER},
        "query",
        "code",
    ),
    "poloniex-body": ("POST", "/tradingApi", poloniex, {"data": ORDER}, "body", "error"),
    "poloniex-Sign": ("POST", "/tradingApi", poloniex, {"data": ORDER}, "Sign", "error"),
    "open-api-query": (
        "GET",
        f"{APP}/x",
        open_api,
        {"params": {"openData": "abc"}},
        "query",
        "code",
    ),
    "open-api-body": ("POST", f"{APP}/x", open_api, {"json": ORDER}, "body", "code"),
    "open-api-token": (
        "GET",
        f"{APP}/x",
        open_api,
        {"params": ORDER},
        "X-Mp-Open-Api-Token",
        "code",
    ),
}


@pytest.fixture(scope="module")
def shared_exchange():
    with LocalExchange() as running:
        yield running


@pytest.mark.parametrize("case", TAMPERED)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(index=st.integers(min_value=0, max_value=10_000))
def test_one_changed_byte_is_rejected(shared_exchange, case, index):
    """Changing any one byte of the signed query, body or signature makes the exchange reject it."""
    method, path, make_auth, options, part, error_field = TAMPERED[case]
    response = _send_tampered(shared_exchange, method, path, make_auth(), options, part, index)
    assert response.status_code in (400, 401, 403)
    assert error_field in response.json()


def test_binance_rejection_uses_binance_format(exchange: LocalExchange):
    """A bad Binance signature is answered with code -1022, as Binance does."""
    response = _send_tampered(
        exchange, "GET", "/api/v3/account", binance(), {"params": ORDER}, "query", 0
    )
    assert response.json() == {"code": -1022, "msg": "Signature for this request is not valid."}


def test_poloniex_stale_nonce_uses_poloniex_format(exchange: LocalExchange):
    """A nonce not above the last one is answered in Poloniex's words."""
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 7)
    url = exchange.url + "/tradingApi"
    assert requests.post(url, data={"command": "x"}, auth=auth, timeout=5).status_code == 200
    again = requests.post(url, data={"command": "x"}, auth=auth, timeout=5)
    assert again.status_code == 422
    assert again.json() == {"error": "Nonce must be greater than 7. You provided 7."}


def test_open_api_rejection_uses_open_api_format(exchange: LocalExchange):
    """A JWT signed with the wrong secret is answered with code 900002."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_KEY, "not-the-secret-key-0123456789abcdef")
    response = requests.get(exchange.url + f"{APP}/user-open-data", auth=auth, timeout=5)
    assert response.json()["code"] == "900002"
    assert response.json()["success"] is False


def test_unknown_binance_key_is_rejected(exchange: LocalExchange):
    """A key the exchange does not know is answered with -2015."""
    auth = BinanceQueryAuth("UNKNOWNKEY0000000000", BINANCE_SECRET)
    response = requests.get(exchange.url + "/api/v3/account", auth=auth, timeout=5)
    assert response.json()["code"] == -2015


@pytest.mark.parametrize(
    ("server_offset_ms", "recv_window"),
    [(6000, None), (2000, 1000), (-1500, None)],
    ids=["older-than-default-window", "older-than-recvWindow", "1000ms-ahead-of-server"],
)
def test_timing_rules_reject_with_1021(exchange: LocalExchange, server_offset_ms, recv_window):
    """A timestamp 1000 ms ahead of the server or older than recvWindow gets -1021 (§5)."""
    exchange.clock_offset_ms = server_offset_ms
    response = requests.get(
        exchange.url + "/api/v3/account", auth=binance(recv_window=recv_window), timeout=5
    )
    assert response.json()["code"] == -1021
