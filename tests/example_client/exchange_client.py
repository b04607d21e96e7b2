"""A small exchange client, written the way a library author builds one on our auths.

``test_exchange_client.py`` next to it tests it as its author would, with only the
public testing kit; ``tests/test_example_client.py`` proves that suite catches a
client that signs wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from requests.auth import AuthBase

from requests_exchange_auth import BinanceQueryAuth, PoloniexBodyDigestAuth


class ExchangeError(Exception):
    """The exchange answered with an error."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}: {text}")
        self.status = status


class _Client:
    """Sends signed requests and returns the JSON answer."""

    def __init__(self, base_url: str, auth: AuthBase, session: requests.Session | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.session = session or requests.Session()

    def _call(self, method: str, path: str, **parts: Any) -> Any:
        request = requests.Request(method, self.base_url + path, auth=self.auth, **parts)
        prepared = self.session.prepare_request(request)
        response = self.session.send(prepared, timeout=10)
        if not response.ok:
            raise ExchangeError(response.status_code, response.text)
        return response.json()


class BinanceClient(_Client):
    """Spot orders on Binance."""

    def __init__(
        self,
        api_key: str,
        secret: str,
        *,
        base_url: str = "https://api.binance.com",
        clock: Callable[[], int] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        auth = BinanceQueryAuth(api_key, secret, recv_window=5000, clock=clock)
        super().__init__(base_url, auth, session)

    def place_order(self, symbol: str, side: str, quantity: str, price: str) -> Any:
        order = {"symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": "GTC",
                 "quantity": quantity, "price": price}  # fmt: skip
        return self._call("POST", "/api/v3/order", data=order)

    def open_orders(self, symbol: str) -> Any:
        return self._call("GET", "/api/v3/openOrders", params={"symbol": symbol})


class PoloniexClient(_Client):
    """Balances on the Poloniex legacy trading API."""

    def __init__(
        self,
        api_key: str,
        secret: str,
        *,
        base_url: str = "https://poloniex.com",
        nonce: Callable[[], int] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        auth = PoloniexBodyDigestAuth(api_key, secret, nonce=nonce)
        super().__init__(base_url, auth, session)

    def balances(self) -> Any:
        return self._call("POST", "/tradingApi", data={"command": "returnBalances"})
