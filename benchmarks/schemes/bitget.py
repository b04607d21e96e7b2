"""Bitget v2: a limit order in a JSON body.

The floor is HMAC-SHA256 of exactly what the auth signed: timestamp + ``POST`` + the path
+ the body as sent (bitget.md §3; a POST has no query to decode), read back from the
signed request. ccxt's ``bitget`` signs the same order with its own timestamp: its check
pins it and compares the signature.
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {"symbol": "BTCUSDT", "side": "buy", "orderType": "limit", "force": "gtc",
         "price": "50000", "size": "0.001", "clientOid": "bench-0001"}  # fmt: skip
PATH = "/api/v2/spot/trade/place-order"


def _payload(signed: SignedRequest) -> bytes:
    return f"{signed.headers['ACCESS-TIMESTAMP']}POST{PATH}".encode() + (signed.body or b"")


def _setup(exchange: Any) -> None:
    exchange.options["timeDifference"] = 0  # what load_time_difference() would set, offline


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS
    out = exchange.sign("v2/spot/trade/place-order", ["private", "spot"], "POST", dict(ORDER))
    headers, body = out["headers"], out["body"]
    if json.loads(body) != ORDER or headers.get("ACCESS-KEY") != account["api_key"]:
        msg = f"signs another request: {body!r}"
        raise AssertionError(msg)
    mac = hmac.digest(account["secret"].encode(), f"{CHECK_MS}POST{PATH}{body}".encode(), "sha256")
    if headers.get("ACCESS-SIGN") != base64.b64encode(mac).decode():
        msg = "its ACCESS-SIGN is not the spec's HMAC"
        raise AssertionError(msg)
    return "check: same order, key, secret and passphrase; its timestamp pinned: same recipe"


ROWS = Rows(
    request=Example("a limit order in a JSON body", "POST", PATH, json=ORDER),
    origin="https://api.bitget.com",
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of timestamp + POST + path + body",
        payload=_payload,
        primitive=hmac_floor("sha256"),
        wire=lambda signed: base64.b64decode(signed.headers["ACCESS-SIGN"]),
    ),
    ccxt=CcxtPeer(
        "bitget",
        "v2/spot/trade/place-order",
        ["private", "spot"],
        "POST",
        ORDER,
        setup=_setup,
        check=_ccxt_check,
    ),
)
