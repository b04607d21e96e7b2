"""Binance SIGNED: a LIMIT order in a form body, with ``recvWindow``.

The floor is HMAC-SHA256 of the query followed by the body, exactly as sent, without
the signature (binance-signed-requests.md §3). The bound is 4, not the issue's 3: the
target this scheme has had since the first benchmark.

Also here: :func:`compare`, the like-for-like check of any path that signs this order
(ccxt below, and the tutorial recipe, python-binance and binance-connector in
``_peers.py``).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

import requests

from _bench import CHECK_MS, CHECK_NS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor
from requests_exchange_auth import BinanceQueryAuth
from requests_exchange_auth.testing import BINANCE_KEY, BINANCE_SECRET

ORIGIN = "https://api.binance.com"
URL = f"{ORIGIN}/api/v3/order"
ACCOUNT_URL = f"{ORIGIN}/api/v3/account"
ORDER = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.001",
    "price": "50000",
    "newClientOrderId": "bench-0001",
}
RECV_WINDOW = 5000
#: what every other path is given: the order and the window ours adds
PARAMS = {**ORDER, "recvWindow": str(RECV_WINDOW)}


def _total_params(signed: SignedRequest) -> tuple[bytes, str]:
    """§3: query + body as sent, no '&' between; and the signature put last."""
    text = signed.url.partition("?")[2].encode() + (signed.body or b"")
    payload, _, signature = text.rpartition(b"&signature=")
    return payload, signature.decode()


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS  # ccxt's timestamp source (binance.nonce)
    exchange.options["recvWindow"] = None  # its default 10000 would be added

    def sign(params: dict[str, str]) -> tuple[str, str, str | None, dict[str, str]]:
        method = "POST" if params else "GET"
        out = exchange.sign("order" if params else "account", ["private"], method, dict(params))
        return out["method"], out["url"], out["body"], out["headers"]

    return compare(sign)


ROWS = Rows(
    request=Example("a LIMIT order in a form body", "POST", "/api/v3/order", data=ORDER),
    origin=ORIGIN,
    options={"recv_window": RECV_WINDOW},
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of the Binance payload",
        payload=lambda signed: _total_params(signed)[0],
        primitive=hmac_floor("sha256"),
        wire=lambda signed: bytes.fromhex(_total_params(signed)[1]),
    ),
    bound=4.0,
    ccxt=CcxtPeer("binance", "order", ["private"], "POST", PARAMS, check=_ccxt_check),
)


# -- the like-for-like check of every other signing path ------------------------------------

Signer = Callable[[dict[str, str]], tuple[str, str, str | None, dict[str, str]]]


def ours(params: dict[str, str]) -> str:
    """What our auth signs and sends for the same params and time: body, or query if none."""
    if params:
        order = {k: v for k, v in params.items() if k != "recvWindow"}
        auth = BinanceQueryAuth(
            BINANCE_KEY, BINANCE_SECRET, recv_window=RECV_WINDOW, clock=lambda: CHECK_NS
        )
        r = requests.Request("POST", URL, data=order, auth=auth).prepare()
        return r.body.decode() if isinstance(r.body, bytes) else str(r.body)
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=lambda: CHECK_NS)
    r = requests.Request("GET", ACCOUNT_URL, auth=auth).prepare()
    return str(r.url).partition("?")[2]


def _signed_text(url: str, body: str | None) -> str:
    """Query followed by body, as Binance concatenates them (totalParams)."""
    return url.partition("?")[2] + (body or "")


def compare(sign: Signer) -> str:
    """Check a path that signs ``PARAMS`` at ``CHECK_MS``: the table's line, or AssertionError.

    - the parameters it signs are ours, piece for piece (``name=value``);
    - its signature is HMAC-SHA256 of what it signs, under the same secret;
    - where it orders the parameters as we do, its signature is ours, character for
      character; and for a request with no parameters but the timestamp (where every
      path orders alike) its signature is ours.
    """
    mine = ours(PARAMS)
    _, url, body, headers = sign(dict(PARAMS))
    theirs = _signed_text(url, body)
    payload, _, signature = theirs.rpartition("&signature=")
    if sorted(payload.split("&")) != sorted(mine.rpartition("&signature=")[0].split("&")):
        msg = f"signs other parameters: {payload!r}"
        raise AssertionError(msg)
    if signature != hmac.digest(BINANCE_SECRET.encode(), payload.encode(), "sha256").hex():
        msg = "its signature is not HMAC-SHA256 of what it signs under the secret"
        raise AssertionError(msg)
    if headers.get("X-MBX-APIKEY") != BINANCE_KEY:
        msg = "does not send the API key in X-MBX-APIKEY"
        raise AssertionError(msg)
    _, url, body, _ = sign({})
    if _signed_text(url, body) != ours({}):
        msg = "signs a timestamp-only request differently from ours"
        raise AssertionError(msg)
    if theirs == mine:
        return "check: same signature as ours"
    return "check: same params+time+key; own param order; timestamp-only: same signature"
