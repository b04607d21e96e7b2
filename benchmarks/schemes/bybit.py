"""Bybit v5: a limit order in a JSON body.

The floor is HMAC-SHA256 of exactly what the auth signed: timestamp + API key +
recv_window + the body as sent (bybit.md §3), read back from the signed request. ccxt's
``bybit`` signs the same v5 order with its own timestamp: its check pins it and
compares the signature over its own (compact) body.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {
    "category": "linear",
    "symbol": "BTCUSDT",
    "side": "Buy",
    "orderType": "Limit",
    "qty": "0.001",
    "price": "50000",
    "timeInForce": "GTC",
    "orderLinkId": "bench-0001",
}


def _payload(signed: SignedRequest) -> bytes:
    headers = signed.headers
    head = headers["X-BAPI-TIMESTAMP"] + headers["X-BAPI-API-KEY"] + headers["X-BAPI-RECV-WINDOW"]
    return head.encode() + (signed.body or b"")


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS
    out = exchange.sign("v5/order/create", ["private"], "POST", dict(ORDER))
    headers, body = out["headers"], out["body"]
    if json.loads(body) != ORDER or headers.get("X-BAPI-API-KEY") != account["api_key"]:
        msg = f"signs another request: {body!r}"
        raise AssertionError(msg)
    text = f"{CHECK_MS}{account['api_key']}{headers['X-BAPI-RECV-WINDOW']}{body}"
    if (
        headers.get("X-BAPI-SIGN")
        != hmac.digest(account["secret"].encode(), text.encode(), "sha256").hex()
    ):
        msg = "its X-BAPI-SIGN is not the spec's HMAC"
        raise AssertionError(msg)
    return "check: same order, key and secret; its timestamp pinned: same recipe"


ROWS = Rows(
    request=Example("a limit order in a JSON body", "POST", "/v5/order/create", json=ORDER),
    origin="https://api.bybit.com",
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of timestamp + key + recv_window + body",
        payload=_payload,
        primitive=hmac_floor("sha256"),
        wire=lambda signed: bytes.fromhex(signed.headers["X-BAPI-SIGN"]),
    ),
    ccxt=CcxtPeer("bybit", "v5/order/create", ["private"], "POST", ORDER, check=_ccxt_check),
)
