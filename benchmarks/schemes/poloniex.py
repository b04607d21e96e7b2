"""Poloniex v3: a limit order in a JSON body, signed with its ``signTimestamp``.

The floor is HMAC-SHA256 of the request string exactly as the auth built it:
``POST\\n/orders\\nrequestBody=<body>&signTimestamp=<ms>`` (poloniex.md Part B), read back
from the signed request. ccxt's ``poloniex`` signs the same v3 API, with its own
timestamp: its check pins it and compares the signature.
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {"symbol": "BTC_USDT", "side": "BUY", "type": "LIMIT", "price": "50000", "quantity": "1"}


def _payload(signed: SignedRequest) -> bytes:
    path = "/" + signed.url.partition("://")[2].partition("/")[2].partition("?")[0]
    stamp = signed.headers["signTimestamp"].encode()
    return (
        b"POST\n"
        + path.encode()
        + b"\nrequestBody="
        + (signed.body or b"")
        + b"&signTimestamp="
        + stamp
    )


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.milliseconds = lambda: CHECK_MS
    out = exchange.sign("orders", ["private"], "POST", dict(ORDER))
    headers, body = out["headers"], out["body"]
    if json.loads(body) != ORDER or headers.get("key") != account["api_key"]:
        msg = f"signs another request: {body!r}"
        raise AssertionError(msg)
    payload = f"POST\n/orders\nrequestBody={body}&signTimestamp={headers['signTimestamp']}"
    mac = hmac.digest(account["secret"].encode(), payload.encode(), "sha256")
    if headers.get("signature") != base64.b64encode(mac).decode():
        msg = "its signature is not the v3 request string's HMAC"
        raise AssertionError(msg)
    return "check: same order, key and secret; the same request-string recipe"


ROWS = Rows(
    request=Example("a limit order in a JSON body", "POST", "/orders", json=ORDER),
    origin="https://api.poloniex.com",
    floor=Floor(
        "HMAC-SHA256",
        "hmac.digest HMAC-SHA256 of the Poloniex v3 request string",
        payload=_payload,
        primitive=hmac_floor("sha256"),
        wire=lambda signed: base64.b64decode(signed.headers["signature"]),
    ),
    ccxt=CcxtPeer("poloniex", "orders", ["private"], "POST", ORDER, check=_ccxt_check),
)
