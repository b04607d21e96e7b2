"""mexc.md §9: the futures vectors F1-F3, as requests on the wire (F2's query goes in in
the caller's order and comes out sorted, as signed)."""

from __future__ import annotations

from requests_exchange_auth.schemes.mexc_futures import MexcFuturesAuth
from scheme_vectors import WireVector, fixed
from scheme_vectors.mexc import API_KEY, CLOCK_NS, SECRET, TIMESTAMP_MS

CONTRACT = "https://contract.mexc.com/api/v1/private"
ORDER = b'{"symbol":"BTC_USDT","price":60000,"vol":1,"side":1,"type":1,"openType":1,"leverage":20}'
# (id, method, path, query sent, query after signing, body, signature)
CASES = (
    ("F1", "GET", "/account/assets", "", "", None,
     "0b13a31bf92f89d2c6eccb1089d1037d2b9c79e5720dbebe63ded64e1a483a48"),
    ("F2", "GET", "/order/list/history_orders", "symbol=BTC_USDT&page_size=20&page_num=1",
     "page_num=1&page_size=20&symbol=BTC_USDT", None,
     "13b6a0274e0a29995794411f70c34a9aabf402e4aba9de66a8b7196104b40433"),
    ("F3", "POST", "/order/submit", "", "", ORDER,
     "4a9491844316a8790c0bd2ed38fee9c44e8777ff3a1d0cf8e11d16f1304b554d"),
)  # fmt: skip


def _auth() -> MexcFuturesAuth:
    return MexcFuturesAuth(API_KEY, SECRET, clock=fixed(CLOCK_NS))


def _vector(case: tuple) -> WireVector:
    name, method, path, sent, signed, body, signature = case
    url = f"{CONTRACT}{path}" + (f"?{sent}" if sent else "")
    target = f"/api/v1/private{path}" + (f"?{signed}" if signed else "")
    return WireVector(
        name, _auth, method, url, target=target, body=body,
        headers={"Content-Type": "application/json"} if body else {}, signed_body=body,
        signed_headers={"ApiKey": API_KEY, "Request-Time": str(TIMESTAMP_MS),
                        "Signature": signature},
        account={"api_key": API_KEY, "secret": SECRET}, now_ns=CLOCK_NS,
    )  # fmt: skip


VECTORS = tuple(_vector(case) for case in CASES)
