"""Gate APIv4: a spot limit order in a JSON body (gate.md).

The floor is HMAC-SHA512 of exactly what the auth signed: ``POST``, the path, an empty
query, the hex SHA-512 of the body as sent and the timestamp, joined by newlines
(gate.md §3), read back from the signed request; the body's SHA-512 is part of our cost,
not of the floor's. ccxt's ``gate`` signs the same order with its own timestamp: its check
pins it and compares the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {"text": "t-bench-0001", "currency_pair": "BTC_USDT", "type": "limit",
         "account": "spot", "side": "buy", "amount": "0.001", "price": "50000"}  # fmt: skip
PATH = "/api/v4/spot/orders"


def _string(body: bytes, stamp: str) -> bytes:
    return f"POST\n{PATH}\n\n{hashlib.sha512(body).hexdigest()}\n{stamp}".encode()


def _payload(signed: SignedRequest) -> bytes:
    return _string(signed.body or b"", signed.headers["Timestamp"])


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS
    out = exchange.sign("orders", ["private", "spot"], "POST", dict(ORDER))
    headers, body = out["headers"], out["body"]
    if json.loads(body) != ORDER or headers.get("KEY") != account["api_key"]:
        msg = f"signs another request: {body!r}"
        raise AssertionError(msg)
    text = _string(body.encode(), str(CHECK_MS // 1000))
    if headers.get("SIGN") != hmac.new(account["secret"].encode(), text, "sha512").hexdigest():
        msg = "its SIGN is not the spec's HMAC"
        raise AssertionError(msg)
    return "check: same order, key and secret; its timestamp pinned: same recipe"


ROWS = Rows(
    request=Example("a spot limit order in a JSON body", "POST", PATH, json=ORDER),
    origin="https://api.gateio.ws",
    floor=Floor(
        "HMAC-SHA512",
        "hmac.digest HMAC-SHA512 of the Gate sign string",
        payload=_payload,
        primitive=hmac_floor("sha512"),
        wire=lambda signed: bytes.fromhex(signed.headers["SIGN"]),
    ),
    ccxt=CcxtPeer("gate", "orders", ["private", "spot"], "POST", ORDER, check=_ccxt_check),
)
