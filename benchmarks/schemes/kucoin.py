"""KuCoin: a limit order in a JSON body (high-frequency spot order).

The floor is HMAC-SHA256 of exactly what the auth signed: timestamp + ``POST`` + the path
+ the body as sent (kucoin.md §3), read back from the signed request; the passphrase's
HMAC is computed once, when the auth is built, so it is no part of a request's cost.
ccxt's ``kucoin`` signs the same order with its own timestamp (and adds its partner
signature, a second HMAC, as it always does): its check pins it and compares the
signature.
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {"clientOid": "bench-0001", "side": "buy", "symbol": "BTC-USDT", "type": "limit",
         "price": "50000", "size": "0.001"}  # fmt: skip
PATH = "/api/v1/hf/orders"


def _payload(signed: SignedRequest) -> bytes:
    return f"{signed.headers['KC-API-TIMESTAMP']}POST{PATH}".encode() + (signed.body or b"")


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS
    out = exchange.sign("hf/orders", ["private"], "POST", dict(ORDER))
    headers, body = out["headers"], out["body"]
    if json.loads(body) != ORDER or headers.get("KC-API-KEY") != account["api_key"]:
        msg = f"signs another request: {body!r}"
        raise AssertionError(msg)
    mac = hmac.digest(account["secret"].encode(), f"{CHECK_MS}POST{PATH}{body}".encode(), "sha256")
    if headers.get("KC-API-SIGN") != base64.b64encode(mac).decode():
        msg = "its KC-API-SIGN is not the spec's HMAC"
        raise AssertionError(msg)
    return "check: same order, key, secret and passphrase; its timestamp pinned: same recipe"


ROWS = Rows(
    request=Example("a limit order in a JSON body", "POST", PATH, json=ORDER),
    origin="https://api.kucoin.com",
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of timestamp + POST + path + body",
        payload=_payload,
        primitive=hmac_floor("sha256"),
        wire=lambda signed: base64.b64decode(signed.headers["KC-API-SIGN"]),
    ),
    ccxt=CcxtPeer("kucoin", "hf/orders", ["private"], "POST", ORDER, check=_ccxt_check),
)
