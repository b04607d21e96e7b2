"""BingX: a spot limit order, every parameter in the query (bingx.md §2).

The floor is HMAC-SHA256 of exactly what the auth signed: the query as sent without
``&signature=``, decoded (bingx.md §3), read back from the signed request. ccxt's
``bingx`` signs the same order with its own timestamp, its parameters sorted by name:
its check pins the timestamp and recomputes its signature by the same recipe.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import unquote

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest, hmac_floor

ORDER = {"symbol": "BTC-USDT", "side": "BUY", "type": "LIMIT", "quantity": "0.0001",
         "price": "60000", "newClientOrderId": "bench-0001"}  # fmt: skip
PATH = "/openApi/spot/v1/trade/order"


def _split(url: str) -> tuple[bytes, str]:
    """(the decoded query before ``&signature=``, the signature)."""
    query, _, signature = url.partition("?")[2].rpartition("&signature=")
    return unquote(query).encode(), signature


def _payload(signed: SignedRequest) -> bytes:
    return _split(signed.url)[0]


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: CHECK_MS
    out = exchange.sign("trade/order", ["spot", "v1", "private"], "POST", dict(ORDER))
    payload, signature = _split(out["url"])
    params = dict(piece.split("=", 1) for piece in payload.decode().split("&"))
    if params != {**ORDER, "timestamp": str(CHECK_MS)}:
        msg = f"signs another request: {payload!r}"
        raise AssertionError(msg)
    if (
        out["headers"].get("X-BX-APIKEY") != account["api_key"]
        or signature != hmac.new(account["secret"].encode(), payload, "sha256").hexdigest()
    ):
        msg = "its signature is not the spec's HMAC"
        raise AssertionError(msg)
    return "check: same order, key and secret; its timestamp pinned: same recipe (sorted)"


ROWS = Rows(
    request=Example("a spot limit order in the query", "POST", PATH, params=ORDER),
    origin="https://open-api.bingx.com",
    floor=Floor(
        "hmac.digest",
        "hmac.digest HMAC-SHA256 of the decoded BingX query",
        payload=_payload,
        primitive=hmac_floor("sha256"),
        wire=lambda signed: bytes.fromhex(_split(signed.url)[1]),
    ),
    ccxt=CcxtPeer("bingx", "trade/order", ["spot", "v1", "private"], "POST", ORDER,
                  check=_ccxt_check),
)  # fmt: skip
