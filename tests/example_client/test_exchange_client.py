"""The example client's own tests, as its author would write them: only the public
testing kit of requests-exchange-auth, its pytest fixtures and requests-mock."""

from __future__ import annotations

from exchange_client import BinanceClient, PoloniexClient

from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
    binance_matcher,
    poloniex_matcher,
)

# -- against the local verifying exchange (fixtures of the pytest plugin) ---------------


def test_binance_order_on_local_exchange(local_exchange):
    local_exchange.respond("/api/v3/order", {"orderId": 28, "status": "NEW"})
    client = BinanceClient(BINANCE_KEY, BINANCE_SECRET, base_url=local_exchange.url)
    assert client.place_order("BTCUSDT", "BUY", "0.001", "50000")["orderId"] == 28
    [order] = local_exchange.received
    assert order.verdict, order.verdict
    assert "symbol=BTCUSDT&side=BUY" in order.verdict.payload


def test_binance_open_orders_on_local_exchange(local_exchange, frozen_clock):
    local_exchange.clock = frozen_clock  # the exchange and the client share one time
    local_exchange.respond("/api/v3/openOrders", [])
    client = BinanceClient(
        BINANCE_KEY, BINANCE_SECRET, base_url=local_exchange.url, clock=frozen_clock
    )
    assert client.open_orders("BTCUSDT") == []
    [request] = local_exchange.received
    assert request.verdict, request.verdict
    assert "timestamp=1499827319559&signature=" in request.request.query


def test_poloniex_balances_on_local_exchange(local_exchange, counting_nonce):
    client = PoloniexClient(
        POLONIEX_KEY, POLONIEX_SECRET, base_url=local_exchange.url, nonce=counting_nonce
    )
    client.balances()
    client.balances()
    assert local_exchange.last_nonce(POLONIEX_KEY) == 2
    assert not local_exchange.rejected


# -- with requests-mock: the matcher fails any call whose signature does not verify ------

BINANCE = "https://api.binance.com"
POLONIEX = "https://poloniex.com"


def test_binance_order_with_requests_mock(requests_mock, frozen_clock):
    matcher = binance_matcher(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    requests_mock.post(BINANCE + "/api/v3/order", json={"orderId": 28}, additional_matcher=matcher)
    client = BinanceClient(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    assert client.place_order("BTCUSDT", "BUY", "0.001", "50000") == {"orderId": 28}


def test_binance_open_orders_with_requests_mock(requests_mock, frozen_clock):
    matcher = binance_matcher(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    requests_mock.get(BINANCE + "/api/v3/openOrders", json=[], additional_matcher=matcher)
    client = BinanceClient(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    assert client.open_orders("BTCUSDT") == []


def test_poloniex_balances_with_requests_mock(requests_mock, counting_nonce):
    matcher = poloniex_matcher(POLONIEX_KEY, POLONIEX_SECRET)
    requests_mock.post(POLONIEX + "/tradingApi", json={"BTC": "0.1"}, additional_matcher=matcher)
    client = PoloniexClient(POLONIEX_KEY, POLONIEX_SECRET, nonce=counting_nonce)
    assert client.balances() == {"BTC": "0.1"}
    assert client.balances() == {"BTC": "0.1"}
