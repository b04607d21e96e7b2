"""bitget.md §9: the vectors G1-G7, as requests on the wire: the URL is what requests
makes of the spec's ``params=``, the target what the auth rewrites it to (§5)."""

from __future__ import annotations

from requests_exchange_auth.schemes.bitget import BitgetAuth
from scheme_vectors import WireVector, fixed

# §9: credentials GENERATED FOR TESTING, throw-away
API_KEY = "bg_413a046db8b15472bff8b27e0eeb14c9"
SECRET = "33574b9e71216a243a320a787a71d68040e2d331be92585ee9931ceb39745a2a"
PASSPHRASE = "BgTest_Pass9876"
TIMESTAMP_MS = 1781234567890
CLOCK_NS = 1781234567890999999
ORDER_G5 = (
    b'{"symbol":"BTCUSDT","side":"buy","orderType":"limit","force":"gtc","price":"30000",'
    b'"size":"0.001","clientOid":"spec-g5-0001"}'
)
HOST = "https://api.bitget.com"
MIX = f"{HOST}/api/v2/mix/account/account"
# (id, method, URL as requests sends it, body, target after the rewrite, prehash, signature)
CASES = (
    ("G1", "GET", f"{HOST}/api/v2/spot/account/assets", None, "/api/v2/spot/account/assets",
     "1781234567890GET/api/v2/spot/account/assets",
     "gmfDacZHRo3Ejr7hKAP71IHIrs3U6oofsvK923Ytirs="),
    ("G2", "GET", f"{MIX}?symbol=BTCUSDT&productType=USDT-FUTURES&marginCoin=USDT", None,
     "/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES&symbol=BTCUSDT",
     "1781234567890GET/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES"
     "&symbol=BTCUSDT",
     "wjnZguizqztfEZ4SeKgOlG+wH6NuUSYFBpdQqg28jPQ="),
    ("G3", "GET",
     f"{MIX}?symbol=%E9%BE%99%E8%99%BEUSDT&productType=USDT-FUTURES&marginCoin=USDT", None,
     "/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES"
     "&symbol=%E9%BE%99%E8%99%BEUSDT",
     "1781234567890GET/api/v2/mix/account/account?marginCoin=USDT&productType=USDT-FUTURES"
     "&symbol=龙虾USDT",
     "ZvD2lgFIUGxGGJQ91XCCaSW/HqLYwsv+axDH6t2f80g="),
    ("G4", "GET", f"{HOST}/api/v2/spot/wallet/deposit-address?coin=%24AI&chain=BEP20", None,
     "/api/v2/spot/wallet/deposit-address?chain=BEP20&coin=%24AI",
     "1781234567890GET/api/v2/spot/wallet/deposit-address?chain=BEP20&coin=$AI",
     "YdfeXKVYwAv6hgnLurGSthKFGaKYAPnyWLrfcHorUow="),
    ("G5", "POST", f"{HOST}/api/v2/spot/trade/place-order", ORDER_G5,
     "/api/v2/spot/trade/place-order",
     "1781234567890POST/api/v2/spot/trade/place-order" + ORDER_G5.decode(),
     "brkvjVz7Y9DIeGS6vAcq0yskuIfUwJTNqGk3U6ZNhdQ="),
    ("G6", "DELETE", f"{HOST}/api/v2/spot/trade/cancel-order?symbol=BTCUSDT&orderId=1234567890",
     None, "/api/v2/spot/trade/cancel-order?orderId=1234567890&symbol=BTCUSDT",
     "1781234567890DELETE/api/v2/spot/trade/cancel-order?orderId=1234567890&symbol=BTCUSDT",
     "FCCmwf6pPscxRBOFvNuVoz7PVhJZjwUnj0IsNLQe/EY="),
    ("G7", "GET", f"{HOST}/api/v2/spot/trade/orderInfo?symbol=BTCUSDT&clientOid=a+b%2Bc%2Fd",
     None, "/api/v2/spot/trade/orderInfo?clientOid=a%20b%2Bc%2Fd&symbol=BTCUSDT",
     "1781234567890GET/api/v2/spot/trade/orderInfo?clientOid=a b+c/d&symbol=BTCUSDT",
     "knXc06ZMizX5iZnGFob7EEBa6VvecZGSzzcrG5aInyw="),
)  # fmt: skip
ACCOUNT = {"api_key": API_KEY, "secret": SECRET, "passphrase": PASSPHRASE}
_JSON = {"Content-Type": "application/json"}


def _auth() -> BitgetAuth:
    return BitgetAuth(API_KEY, SECRET, PASSPHRASE, clock=fixed(CLOCK_NS))


def _vector(case: tuple) -> WireVector:
    name, method, url, body, target, _, signature = case
    signed = {
        "ACCESS-KEY": API_KEY,
        "ACCESS-SIGN": signature,
        "ACCESS-TIMESTAMP": str(TIMESTAMP_MS),
        "ACCESS-PASSPHRASE": PASSPHRASE,
    }
    return WireVector(
        name, _auth, method, url, target=target, body=body, headers=_JSON if body else {},
        signed_body=body, signed_headers=signed, account=ACCOUNT, now_ns=CLOCK_NS,
    )  # fmt: skip


VECTORS = tuple(_vector(case) for case in CASES)
