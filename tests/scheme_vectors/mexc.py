"""mexc.md §8: the docs' vectors D1-D3 and the generated M1-M8, as requests on the wire.

Where a vector's ``timestamp`` comes before ``recvWindow`` (ccxt's order, in which the
spec generated them), the caller places both and the auth fills in the timestamp where
it stands (§7 step 3). M3 goes in as requests encodes it (``quote_plus``: a space is
``+``) and comes out canonical (§4: ``%20``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from requests_exchange_auth.schemes.mexc import MexcAuth
from scheme_vectors import WireVector, fixed

# §8: the docs' example key, and a key GENERATED FOR TESTING; both throw-away
DOCS_KEY = "mx0aBYs33eIilxBWC5"
DOCS_SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
DOCS_MS = 1644489390087
API_KEY = "mx0W2W9ovAzFr8lOKR"
SECRET = "579da6f58b93f2386364ba8a893edbcb"
TIMESTAMP_MS = 1767268800123
CLOCK_NS = TIMESTAMP_MS * 1_000_000 + 999_999  # truncated to the millisecond (§5)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
MAIN = "https://api.mexc.com"
STAMP = f"timestamp={TIMESTAMP_MS}"
TAIL = f"{STAMP}&recvWindow=5000"  # ccxt's order (§8)
BATCH = (
    '[{"type":"LIMIT","price":"40000","quantity":"0.0002","symbol":"BTCUSDT","side":"BUY",'
    '"newClientOrderId":"9588234"}]'
)
# (id, method, path, query sent, query after signing (without signature), signature)
QUERY_CASES = (
    ("M1", "GET", "/api/v3/account", "", STAMP,
     "3cf84eb3f4b0dec4d7f4353ffdcc9bfe28d64c2c393ff23b7d3c40d9443354f3"),
    ("M2", "GET", "/api/v3/openOrders", "symbol=BTCUSDT&timestamp=0&recvWindow=5000",
     f"symbol=BTCUSDT&{TAIL}",
     "1b3567c66665b1fe923177cae9ddb8808603b6e1c80bc865ac685135e5b2afe9"),
    ("M3", "GET", "/api/v3/capital/withdraw/history",
     urlencode({"coin": "USDT", "network": "BEP20(BSC)", "remark": "a b/é",
                "timestamp": "0", "recvWindow": "5000"}),
     f"coin=USDT&network=BEP20%28BSC%29&remark=a%20b%2F%C3%A9&{TAIL}",
     "fc47e740b3ff550179d12cea6c0f01b1d15787593772026dcc8494cff67a5d2b"),
    ("M4", "POST", "/api/v3/order",
     "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.0001&price=60000&newClientOrderId=my-order_1"
     "&timestamp=0&recvWindow=5000",
     "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.0001&price=60000&newClientOrderId=my-order_1"
     f"&{TAIL}",
     "eb1f62a9306414ed6f3ec8ad7c50a5923770bb832b94f98fa7bf201a59ba9c80"),
    ("M6", "DELETE", "/api/v3/order",
     "symbol=BTCUSDT&orderId=C02__443776347957968896125&timestamp=0&recvWindow=5000",
     f"symbol=BTCUSDT&orderId=C02__443776347957968896125&{TAIL}",
     "607b5d487ac568d39d94696595cea70c5c722ffa461f7f2d2f7b653a605d290d"),
    ("M7", "POST", "/api/v3/batchOrders",
     urlencode({"batchOrders": BATCH, "timestamp": "0", "recvWindow": "5000"}),
     "batchOrders=%5B%7B%22type%22%3A%22LIMIT%22%2C%22price%22%3A%2240000%22%2C%22quantity"
     "%22%3A%220.0002%22%2C%22symbol%22%3A%22BTCUSDT%22%2C%22side%22%3A%22BUY%22%2C%22"
     f"newClientOrderId%22%3A%229588234%22%7D%5D&{TAIL}",
     "533436aed8ca9246356c79f788e4cb1336cb4b125fbd8fdaf360bee29a7ee013"),
    ("M8", "DELETE", "/api/v3/openOrders", urlencode({"symbol": "BTCUSDT,ETHUSDT"}) + "&"
     "timestamp=0&recvWindow=5000", f"symbol=BTCUSDT%2CETHUSDT&{TAIL}",
     "4e5a8236a93f6959cca104e81389aa323d69a0111160b67dbba9a5363e1a168f"),
)  # fmt: skip
D_ORDER = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11"
D_TAIL = f"recvWindow=5000&timestamp={DOCS_MS}"
D2_SIGNATURE = "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
D3_SIGNATURE = "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592"
M5_SIGNATURE = "43c839afaacaf55264c20ce9f5022b003f5740558a7c9cd0011b4c9305e20540"
_ACCOUNT = {"api_key": API_KEY, "secret": SECRET}
_DOCS = {"api_key": DOCS_KEY, "secret": DOCS_SECRET}


def _auth():
    return MexcAuth(API_KEY, SECRET, clock=fixed(CLOCK_NS))


def _docs_auth():
    return MexcAuth(DOCS_KEY, DOCS_SECRET, recv_window=5000, clock=fixed(DOCS_MS * 1_000_000))


def _query_vector(case: tuple[str, str, str, str, str, str]) -> WireVector:
    name, method, path, sent, signed, signature = case
    url = f"{MAIN}{path}?{sent}" if sent else f"{MAIN}{path}"
    return WireVector(
        name, _auth, method, url, target=f"{path}?{signed}&signature={signature}",
        signed_headers={"X-MEXC-APIKEY": API_KEY}, account=_ACCOUNT, now_ns=CLOCK_NS,
    )  # fmt: skip


_D_NOW = DOCS_MS * 1_000_000
VECTORS = (
    WireVector("D1", _docs_auth, "POST", f"{MAIN}/api/v3/order", body=D_ORDER.encode(),
               headers=FORM, target="/api/v3/order",
               signed_body=f"{D_ORDER}&{D_TAIL}&signature={D2_SIGNATURE}".encode(),
               account=_DOCS, now_ns=_D_NOW),
    WireVector("D2", _docs_auth, "POST", f"{MAIN}/api/v3/order?{D_ORDER}",
               target=f"/api/v3/order?{D_ORDER}&{D_TAIL}&signature={D2_SIGNATURE}",
               signed_headers={"X-MEXC-APIKEY": DOCS_KEY}, account=_DOCS, now_ns=_D_NOW),
    WireVector("D3", _docs_auth, "POST", f"{MAIN}/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT",
               body=b"quantity=1&price=11", headers=FORM,
               target="/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT",
               signed_body=f"quantity=1&price=11&{D_TAIL}&signature={D3_SIGNATURE}".encode(),
               account=_DOCS, now_ns=_D_NOW),
    *(_query_vector(case) for case in QUERY_CASES),
    WireVector("M5", _auth, "POST", f"{MAIN}/api/v3/order?symbol=BTCUSDT&side=SELL&type=LIMIT",
               body=b"quantity=0.5&price=70000.1", headers=FORM,
               target="/api/v3/order?symbol=BTCUSDT&side=SELL&type=LIMIT",
               signed_body=f"quantity=0.5&price=70000.1&{STAMP}&signature={M5_SIGNATURE}".encode(),
               account=_ACCOUNT, now_ns=CLOCK_NS),
)  # fmt: skip
