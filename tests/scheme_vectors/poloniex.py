"""poloniex.md Part B "v3 vectors" A-F: the request strings' requests, as they go on the wire.

The secret is the spec's, generated for testing; the key is made up (the signature does
not cover it). A GET's query goes on the wire sorted and encoded as it is signed.
"""

from __future__ import annotations

from requests_exchange_auth.schemes.poloniex import PoloniexAuth
from scheme_vectors import WireVector, fixed

KEY = "POLO-V3-TEST-KEY-0001"
SECRET = "polo-test-secret-0123456789abcdef"
TIMESTAMP_MS = 1659259836247
HOST = "https://api.poloniex.com"
ORDER_JSON = (
    b'{"symbol":"ETH_USDT","type":"LIMIT","side":"BUY","price":"1000","quantity":"1",'
    b'"timeInForce":"GTC","clientOrderId":"1234Abc"}'
)
CANCEL_JSON = b'{"orderIds":["1234567890"]}'
#: id -> (method, path, query as a client sends it, body, request string, signature)
CASES = {
    "A": ("GET", "/orders", "symbol=ETH_USDT&limit=5", None,
          "GET\n/orders\nlimit=5&signTimestamp=1659259836247&symbol=ETH_USDT",
          "QFythvxQvbx1XP82JLculHZBmhnnShqvfLBqfxkH2f4="),
    "B": ("GET", "/orders/history", "symbol=ETH_USDT&clientOrderId=my+id%2F1", None,
          "GET\n/orders/history\nclientOrderId=my%20id%2F1&signTimestamp=1659259836247"
          "&symbol=ETH_USDT",
          "s24XEkPrKJMWvojZdWhicBR3Pibm8ei2q0qxLIUhWMY="),
    "C": ("GET", "/accounts/balances", "", None,
          "GET\n/accounts/balances\nsignTimestamp=1659259836247",
          "9WjJaN8Ro1LuUOCKNAO6zhlHI5Pz72/sfNUUDyx+Qok="),
    "D": ("POST", "/orders", "", ORDER_JSON,
          "POST\n/orders\nrequestBody=" + ORDER_JSON.decode() + "&signTimestamp=1659259836247",
          "Ws8pFDCDBmIcFt5/IawnF0WcO7ity/ZUASLkVIjF9e8="),
    "E": ("DELETE", "/orders/cancelByIds", "", CANCEL_JSON,
          "DELETE\n/orders/cancelByIds\nrequestBody=" + CANCEL_JSON.decode()
          + "&signTimestamp=1659259836247",
          "SsDn2unCJoadDKFtYCa5MmhS9z6MghruV0QJTlCTUYg="),
    "F": ("DELETE", "/orders/32487004629499904", "", None,
          "DELETE\n/orders/32487004629499904\nsignTimestamp=1659259836247",
          "DDS9iYt/hDfdkaQuYi6DlcUv0M7hmlStvU1RVgK0K5U="),
}  # fmt: skip


def _auth() -> PoloniexAuth:
    return PoloniexAuth(KEY, SECRET, clock=fixed(TIMESTAMP_MS * 1_000_000))


def _vector(name: str) -> WireVector:
    method, path, query, body, string, signature = CASES[name]
    signed_query = string.rpartition("\n")[2].replace(f"signTimestamp={TIMESTAMP_MS}", "")
    signed_query = "" if body else signed_query.replace("&&", "&").strip("&")
    return WireVector(
        name, _auth, method, HOST + path + (f"?{query}" if query else ""),
        target=path + (f"?{signed_query}" if signed_query else ""),
        body=body, headers={"Content-Type": "application/json"} if body else {},
        signed_body=body,
        signed_headers={"key": KEY, "signTimestamp": str(TIMESTAMP_MS), "signature": signature},
        account={"api_key": KEY, "secret": SECRET}, now_ns=TIMESTAMP_MS * 1_000_000,
    )  # fmt: skip


VECTORS = tuple(_vector(name) for name in CASES)
