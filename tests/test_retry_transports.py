"""Retries that re-sign, end to end, on requests, httpx and httpx async.

Each transport sends through its retrying layer: ``ExchangeAdapter`` mounted on a
requests session, ``ExchangeTransport`` under an ``httpx.Client`` and
``AsyncExchangeTransport`` under an ``httpx.AsyncClient``. The local exchange verifies
every attempt (signature, fresh nonce or timestamp) before giving the canned answer.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests

from requests_exchange_auth import (
    BinanceQueryAuth,
    ConfigurationError,
    ExchangeAdapter,
    PoloniexBodyDigestAuth,
    SignedRetry,
)
from requests_exchange_auth.httpx import AsyncExchangeTransport, ExchangeTransport, HttpxAuth
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
    LocalExchange,
)

TRANSPORTS = ("requests", "httpx", "httpx-async")
FAST = SignedRetry(backoff=0.01, max_backoff=0.05)
UNKNOWN = {"code": -1007, "msg": "Timeout waiting for response from backend server. Send "
           "status unknown; execution status unknown."}  # fmt: skip


def retried(transport: str, auth: Any, method: str, url: str, retry: SignedRetry = FAST,
            **kwargs: Any) -> Any:  # fmt: skip
    """Send once through ``transport``'s retrying layer; the response (status, headers)."""
    if transport == "requests":
        with requests.Session() as session:
            session.mount("http://", ExchangeAdapter(retry=retry))
            return session.request(method, url, auth=auth, timeout=5, **kwargs)
    if transport == "httpx":
        layer = ExchangeTransport(retry=retry)
        with httpx.Client(transport=layer, auth=HttpxAuth(auth), timeout=5) as client:
            return client.request(method, url, **kwargs)

    async def go() -> httpx.Response:
        layer = AsyncExchangeTransport(retry=retry)
        async with httpx.AsyncClient(transport=layer, auth=HttpxAuth(auth), timeout=5) as c:
            return await c.request(method, url, **kwargs)

    return asyncio.run(go())


def poloniex() -> PoloniexBodyDigestAuth:
    return PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET)


def binance() -> BinanceQueryAuth:
    return BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET)


def nonces(exchange: LocalExchange) -> list[bytes]:
    return [i.request.body.rpartition(b"nonce=")[2] for i in exchange.received]


# -- Done-when 1: what is retried -----------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_poloniex_503_to_a_read_is_retried_with_a_fresh_nonce(transport, exchange):
    """A legacy read answered 503 then 200 succeeds; each attempt verified, its nonce fresh."""
    exchange.respond("/tradingApi", {"error": "unavailable"}, status=503, times=1)

    r = retried(transport, poloniex(), "POST", exchange.url + "/tradingApi",
                data={"command": "returnBalances"})  # fmt: skip

    assert r.status_code == 200
    assert [(i.status, i.verdict.ok) for i in exchange.received] == [(503, True), (200, True)]
    first, second = nonces(exchange)
    assert int(second) > int(first)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_binance_429_is_retried_after_retry_after(transport, exchange):
    """A 429 with Retry-After: 1 is retried a second later, with a fresh timestamp."""
    exchange.respond("/api/v3/order", {"code": -1003, "msg": "Too many requests."},
                     status=429, headers={"Retry-After": "1"}, times=1)  # fmt: skip
    started = time.monotonic()

    r = retried(transport, binance(), "POST", exchange.url + "/api/v3/order",
                data={"symbol": "BTCUSDT", "side": "BUY"})  # fmt: skip

    assert r.status_code == 200
    assert time.monotonic() - started >= 1.0
    assert [(i.status, i.verdict.ok) for i in exchange.received] == [(429, True), (200, True)]
    stamps = [i.request.body.split(b"timestamp=")[1][:13] for i in exchange.received]
    assert int(stamps[1]) - int(stamps[0]) >= 1000


@pytest.fixture
def refused_once() -> Iterator[tuple[str, LocalExchange]]:
    """A port that refuses the first connection: a LocalExchange starts on it when the
    retry says it will try again (logged before it waits)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exchange = LocalExchange(port=port)

    class StartOnRetry(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("retrying"):
                exchange.start()

    logger = logging.getLogger("requests_exchange_auth")
    handler, level = StartOnRetry(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield f"http://127.0.0.1:{port}", exchange
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        exchange.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_refused_connection_is_retried(transport, refused_once):
    """A connection refused before anything was sent is retried, re-signed, and succeeds."""
    url, exchange = refused_once

    r = retried(transport, poloniex(), "POST", url + "/tradingApi", data={"command": "buy"})

    assert r.status_code == 200
    assert [i.verdict.ok for i in exchange.received] == [True]


# -- Done-when 1: what is sent exactly once ---------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_execution_status_unknown_is_sent_once(transport, exchange):
    """A POST answered 503 "execution status unknown" comes back as it is, sent once."""
    exchange.respond("/api/v3/order", UNKNOWN, status=503, times=1)

    r = retried(transport, binance(), "POST", exchange.url + "/api/v3/order",
                data={"symbol": "BTCUSDT"})  # fmt: skip

    assert r.status_code == 503
    assert len(exchange.received) == 1


@pytest.fixture
def resetting_server() -> Iterator[tuple[str, list[bytes]]]:
    """A server that reads each whole request, then resets the connection (no answer)."""
    seen: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                while len(body) < length:
                    body += conn.recv(65536)
                seen.append(body)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reset_after_sending_is_not_retried(transport, resetting_server):
    """A connection reset after the whole request was written is raised, sent once."""
    url, seen = resetting_server

    with pytest.raises((requests.ConnectionError, httpx.TransportError)):
        retried(transport, poloniex(), "POST", url + "/tradingApi", data={"command": "buy"})

    assert len(seen) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_poloniex_503_to_a_trade_is_sent_once(transport, exchange):
    """A legacy trading command answered 503 is not retried: the order may exist."""
    exchange.respond("/tradingApi", {"error": "unavailable"}, status=503, times=1)

    r = retried(transport, poloniex(), "POST", exchange.url + "/tradingApi",
                data={"command": "buy", "currencyPair": "BTC_ETH"})  # fmt: skip

    assert r.status_code == 503
    assert len(exchange.received) == 1


# -- idempotent requests may opt in --------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("idempotent", [False, True], ids=["default", "opted-in"])
def test_get_answered_503_is_retried_only_when_opted_in(transport, idempotent, exchange):
    """A read answered 503 is retried with SignedRetry(idempotent=True), not without."""
    exchange.respond("/api/v3/account", UNKNOWN, status=503, times=1)
    retry = SignedRetry(backoff=0.01, idempotent=idempotent)

    r = retried(transport, binance(), "GET", exchange.url + "/api/v3/account", retry=retry)

    assert r.status_code == (200 if idempotent else 503)
    assert len(exchange.received) == (2 if idempotent else 1)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_attempts_are_capped(transport, exchange):
    """A request answered 429 every time is sent ``attempts`` times, then returned."""
    exchange.respond("/api/v3/order", {"code": -1003}, status=429, headers={"Retry-After": "0"})

    r = retried(transport, binance(), "POST", exchange.url + "/api/v3/order",
                retry=SignedRetry(attempts=3, backoff=0.01))  # fmt: skip

    assert r.status_code == 429
    assert len(exchange.received) == 3
    assert all(i.verdict.ok for i in exchange.received)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_wait_beyond_the_total_is_not_taken(transport, exchange):
    """A Retry-After longer than what is left of ``total`` returns the answer at once."""
    exchange.respond("/api/v3/order", {"code": -1003}, status=429, headers={"Retry-After": "60"})
    started = time.monotonic()

    r = retried(transport, binance(), "POST", exchange.url + "/api/v3/order",
                retry=SignedRetry(total=5))  # fmt: skip

    assert r.status_code == 429
    assert time.monotonic() - started < 2
    assert len(exchange.received) == 1


# -- requests specifics -----------------------------------------------------------------


def test_requests_keeps_earlier_attempts_in_history(exchange):
    """On requests, the responses of earlier attempts are in ``response.history``."""
    exchange.respond("/tradingApi", {"error": "x"}, status=503, times=1)

    r = retried("requests", poloniex(), "POST", exchange.url + "/tradingApi",
                data={"command": "returnBalances"})  # fmt: skip

    assert [h.status_code for h in r.history] == [503]
    assert r.history[0].request.body != r.request.body  # the attempt, as it was sent


def test_adapter_refuses_urllib3_retries():
    """max_retries on ExchangeAdapter is refused, naming why (the same bytes resent)."""
    with pytest.raises(ConfigurationError, match="Nonce must be greater than X"):
        ExchangeAdapter(max_retries=3)


def test_adapter_checks_its_retry():
    """retry= must be a SignedRetry (or None)."""
    with pytest.raises(ConfigurationError, match="retry must be a SignedRetry"):
        ExchangeAdapter(retry=3)  # type: ignore[arg-type]


def test_unsigned_requests_go_through_once(recording_server):
    """A request this package did not sign is sent once, whatever the answer."""
    server = recording_server(lambda hit, url: (503, {}))
    with requests.Session() as session:
        session.mount("http://", ExchangeAdapter(retry=FAST))
        assert session.get(server.url + "/x").status_code == 503
    assert len(server.hits) == 1


def test_httpx_transport_checks_its_retry():
    """retry= must be a SignedRetry (or None), on httpx too."""
    with pytest.raises(ConfigurationError, match="retry must be a SignedRetry"):
        ExchangeTransport(retry="3")  # type: ignore[arg-type]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_kraken_invalid_nonce_in_a_200_is_retried_with_a_larger_nonce(transport, exchange):
    """Kraken answers an invalid nonce with HTTP 200: the retry reads it and re-signs."""
    from requests_exchange_auth._registry import scheme

    kit = scheme("kraken").kit
    url = exchange.url + "/0/private/Balance"
    retried(transport, kit.make_auth(nonce=lambda: 10**15), "POST", url)  # the key's last
    values = iter([5, 10**15 + 1])

    r = retried(transport, kit.make_auth(nonce=lambda: next(values)), "POST", url)

    assert r.status_code == 200
    assert r.json()["error"] == []
    assert [i.verdict.ok for i in exchange.received] == [True, False, True]
