"""MEXC futures (contract API): a limit order in a JSON body.

The floor is HMAC-SHA256 of exactly what the auth signed: API key + Request-Time + the
body as sent (mexc.md §9), read back from the signed request. ccxt's ``mexc`` signs the
same order for its ``contract`` API with its own timestamp: its check pins it and
compares the signature over its own (compact) body.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {
    "symbol": "BTC_USDT",
    "price": 60000,
    "vol": 1,
    "side": 1,
    "type": 1,
    "openType": 1,
    "leverage": 20,
}


def _payload(signed: SignedRequest) -> bytes:
    headers = signed.headers
    return (headers["ApiKey"] + headers["Request-Time"]).encode() + (signed.body or b"")


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS
    out = exchange.sign("order/submit", ["contract", "private"], "POST", dict(ORDER))
    headers, body = out["headers"], out["body"]
    if json.loads(body) != ORDER or headers.get("ApiKey") != account["api_key"]:
        msg = f"signs another request: {body!r}"
        raise AssertionError(msg)
    text = f"{account['api_key']}{CHECK_MS}{body}"
    if (
        headers.get("Signature")
        != hmac.digest(account["secret"].encode(), text.encode(), "sha256").hex()
    ):
        msg = "its Signature is not the spec's HMAC"
        raise AssertionError(msg)
    return "check: same order, key and secret; its timestamp pinned: same recipe"


ROWS = Rows(
    request=Example(
        "a limit order in a JSON body", "POST", "/api/v1/private/order/submit", json=ORDER
    ),
    origin="https://contract.mexc.com",
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of key + Request-Time + body",
        payload=_payload,
        primitive=hmac_floor("sha256"),
        wire=lambda signed: bytes.fromhex(signed.headers["Signature"]),
    ),
    ccxt=CcxtPeer(
        "mexc", "order/submit", ["contract", "private"], "POST", ORDER, check=_ccxt_check
    ),
)
