"""bingx.md §8: the generated vectors B1-B6, as requests on the wire: the URL is what
requests makes of the spec's parameters (B4 with a placeholder ``timestamp`` where the
spec puts it, since the auth otherwise appends it last), the target what the auth sends.
The docs' own example signatures do not reproduce (§8), so there is no official vector."""

from __future__ import annotations

from urllib.parse import urlencode

from requests_exchange_auth.schemes.bingx import BingxAuth
from scheme_vectors import WireVector, fixed

# §8: credentials GENERATED FOR TESTING, throw-away
API_KEY = "prdbsKXfF6vfTf4AKEaUOxGTPN9FSSdqOOU0BP9kpmaHnLRZ11Z98NIPiDh6FVcP"
SECRET = "lClmRQMtwfRwjbIBuBHUz4CJNwOe9kMIcR0Kx33HNgHxWQOxNEfRDhwGiftF6MLI"
TIMESTAMP_MS = 1767268800123
CLOCK_NS = 1767268800123_999_999  # truncated to the millisecond, never rounded (§5)
HOST = "https://open-api.bingx.com"
BATCH = (
    '[{"symbol":"ETH-USDT","type":"MARKET","side":"BUY","positionSide":"LONG","quantity":1},'
    '{"symbol":"BTC-USDT","type":"MARKET","side":"BUY","positionSide":"LONG","quantity":0.001}]'
)
_T = f"timestamp={TIMESTAMP_MS}"
# (id, method, URL as requests sends it, wire query before "&signature=", signed text, sig)
CASES = (
    ("B1", "GET", f"{HOST}/openApi/spot/v1/account/balance", _T, _T,
     "703bb37535610ee58dbe524dff06319524089b36233559c14d08a2984bb87f3e"),
    ("B2", "GET", f"{HOST}/openApi/swap/v2/user/positions?recvWindow=5000&symbol=BTC-USDT",
     f"recvWindow=5000&symbol=BTC-USDT&{_T}", f"recvWindow=5000&symbol=BTC-USDT&{_T}",
     "6ece9f014d3b809632da376d5e57746598882e1cb5cc8c77167556a08b7c54f3"),
    ("B3", "GET", f"{HOST}/openApi/spot/v1/trade/openOrders?symbol=M%C3%98TH-USDT",
     f"symbol=M%C3%98TH-USDT&{_T}", f"symbol=MØTH-USDT&{_T}",
     "8d7676ba2ea9f700536bce7c45b2a794db7749ba06bb4ba18aa0181439ca907f"),
    ("B4", "POST",
     f"{HOST}/openApi/spot/v1/trade/order?newClientOrderId=my+order%2F1&price=60000"
     "&quantity=0.0001&side=BUY&symbol=BTC-USDT&timestamp=0&type=LIMIT",
     f"newClientOrderId=my%20order%2F1&price=60000&quantity=0.0001&side=BUY&symbol=BTC-USDT"
     f"&{_T}&type=LIMIT",
     f"newClientOrderId=my order/1&price=60000&quantity=0.0001&side=BUY&symbol=BTC-USDT"
     f"&{_T}&type=LIMIT",
     "3aab42e432756cd77c2816e0f3f1f57c500799c5dcdcd1199171afc0328fdb07"),
    ("B5", "DELETE",
     f"{HOST}/openApi/spot/v1/trade/order?orderId=1736011869418901234&symbol=BTC-USDT",
     f"orderId=1736011869418901234&symbol=BTC-USDT&{_T}",
     f"orderId=1736011869418901234&symbol=BTC-USDT&{_T}",
     "5fb3f752af4a3e4567726f84d9322b6982dc8691c8a533affa2337317b0bded9"),
    ("B6", "POST", f"{HOST}/openApi/swap/v2/trade/batchOrders?{urlencode({'batchOrders': BATCH})}",
     f"{urlencode({'batchOrders': BATCH})}&{_T}", f"batchOrders={BATCH}&{_T}",
     "a412536e4e8ecc764b9f22f7125753fa4b1135021d34cd0f48900309b531ee81"),
)  # fmt: skip
ACCOUNT = {"api_key": API_KEY, "secret": SECRET}


def _auth() -> BingxAuth:
    return BingxAuth(API_KEY, SECRET, clock=fixed(CLOCK_NS))


def _vector(case: tuple) -> WireVector:
    name, method, url, wire, _, signature = case
    path = "/" + url.partition("://")[2].partition("/")[2].partition("?")[0]
    return WireVector(
        name, _auth, method, url, target=f"{path}?{wire}&signature={signature}",
        signed_headers={"X-BX-APIKEY": API_KEY}, account=ACCOUNT, now_ns=CLOCK_NS,
    )  # fmt: skip


VECTORS = tuple(_vector(case) for case in CASES)
