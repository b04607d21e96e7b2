"""MEXC spot v3 SIGNED: a LIMIT order in a form body, with ``recvWindow``.

The floor is HMAC-SHA256 of the query followed by the body, exactly as sent, without
the signature (mexc.md §3). ccxt's ``mexc`` puts every parameter in the query, then
``timestamp`` and its ``recvWindow=5000``: its check pins its nonce, signs the order and
compares its URL with ours for the same parameters in the same order, byte for byte.
"""

from __future__ import annotations

from typing import Any

import requests

from _bench import CHECK_MS, CHECK_NS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor
from requests_exchange_auth import MexcAuth

ORIGIN = "https://api.mexc.com"
ORDER = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "quantity": "0.001",
    "price": "50000",
    "newClientOrderId": "bench-0001",
}


def _total_params(signed: SignedRequest) -> tuple[bytes, str]:
    """§3: query + body as sent, no '&' between; and the signature put last."""
    text = signed.url.partition("?")[2].encode() + (signed.body or b"")
    payload, _, signature = text.rpartition(b"&signature=")
    return payload, signature.decode()


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS  # ccxt's timestamp source (mexc.nonce)
    out = exchange.sign("order", ["spot", "private"], "POST", dict(ORDER))
    auth = MexcAuth(account["api_key"], account["secret"], clock=lambda: CHECK_NS)
    params = [*ORDER.items(), ("timestamp", ""), ("recvWindow", "5000")]  # ccxt's order
    ours = requests.Request("POST", f"{ORIGIN}/api/v3/order", params=params, auth=auth).prepare()
    if ours.url != out["url"]:
        msg = f"signs another request: {out['url']!r}"
        raise AssertionError(msg)
    if out["headers"].get("X-MEXC-APIKEY") != account["api_key"]:
        msg = "does not send the API key in X-MEXC-APIKEY"
        raise AssertionError(msg)
    return "check: same URL and signature as ours, byte for byte (all in the query)"


ROWS = Rows(
    request=Example("a LIMIT order in a form body", "POST", "/api/v3/order", data=ORDER),
    origin=ORIGIN,
    options={"recv_window": 5000},
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of the MEXC payload",
        payload=lambda signed: _total_params(signed)[0],
        primitive=hmac_floor("sha256"),
        wire=lambda signed: bytes.fromhex(_total_params(signed)[1]),
    ),
    ccxt=CcxtPeer("mexc", "order", ["spot", "private"], "POST", ORDER, check=_ccxt_check),
)
