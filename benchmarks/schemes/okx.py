"""OKX v5: a limit order in a JSON body.

The floor is HMAC-SHA256 of exactly what the auth signed: the ISO timestamp + ``POST`` +
the path + the body as sent (okx.md §3), read back from the signed request. ccxt's
``okx`` signs the same order (its ``clOrdId`` set, so ccxt adds no broker tag) with its
own timestamp: its check pins it and compares the signature.
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {"instId": "BTC-USDT", "tdMode": "cash", "clOrdId": "bench0001", "side": "buy",
         "ordType": "limit", "px": "50000", "sz": "0.001"}  # fmt: skip
PATH = "/api/v5/trade/order"


def _payload(signed: SignedRequest) -> bytes:
    return f"{signed.headers['OK-ACCESS-TIMESTAMP']}POST{PATH}".encode() + (signed.body or b"")


def _setup(exchange: Any) -> None:
    exchange.options["timeDifference"] = 0  # what load_time_difference() would set, offline


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS
    out = exchange.sign("trade/order", ["private"], "POST", dict(ORDER))
    headers, body = out["headers"], out["body"]
    if json.loads(body) != ORDER or headers.get("OK-ACCESS-KEY") != account["api_key"]:
        msg = f"signs another request: {body!r}"
        raise AssertionError(msg)
    text = f"{headers['OK-ACCESS-TIMESTAMP']}POST{PATH}{body}"
    mac = hmac.digest(account["secret"].encode(), text.encode(), "sha256")
    if headers.get("OK-ACCESS-SIGN") != base64.b64encode(mac).decode():
        msg = "its OK-ACCESS-SIGN is not the spec's HMAC"
        raise AssertionError(msg)
    return "check: same order, key, secret and passphrase; its timestamp pinned: same recipe"


ROWS = Rows(
    request=Example("a limit order in a JSON body", "POST", PATH, json=ORDER),
    origin="https://www.okx.com",
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of timestamp + POST + path + body",
        payload=_payload,
        primitive=hmac_floor("sha256"),
        wire=lambda signed: base64.b64decode(signed.headers["OK-ACCESS-SIGN"]),
    ),
    ccxt=CcxtPeer(
        "okx", "trade/order", ["private"], "POST", ORDER, setup=_setup, check=_ccxt_check
    ),
)
