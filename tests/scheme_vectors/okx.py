"""okx.md §9: the vectors O1-O7, as requests on the wire (the URL is what requests makes
of the spec's ``params=``)."""

from __future__ import annotations

from requests_exchange_auth.schemes.okx import OkxAuth
from scheme_vectors import WireVector, fixed

# §9: credentials GENERATED FOR TESTING, throw-away
API_KEY = "92eaba0a-60ce-4eef-b5fc-79989085ebcd"
SECRET = "963A96684EAC4E755A3AA7F08536BB1E"
PASSPHRASE = "Okx-Test#2026!pass"
CLOCK_NS = 1781234567890999999
CLOCK_O7_NS = 1781234567000999999
TIMESTAMP = "2026-06-12T03:22:47.890Z"
TIMESTAMP_O7 = "2026-06-12T03:22:47.000Z"
ORDER_O4 = (
    b'{"instId":"BTC-USDT","tdMode":"cash","clOrdId":"specO4x0001","side":"buy",'
    b'"ordType":"limit","px":"30000","sz":"0.01"}'
)
CANCEL_O5 = b'{"instId": "BTC-USDT", "ordId": "590908157585625111"}'
HOST = "https://www.okx.com"
# (id, method, URL as requests sends it, body, prehash, signature)
CASES = (
    ("O1", "GET", f"{HOST}/api/v5/account/balance", None,
     "2026-06-12T03:22:47.890ZGET/api/v5/account/balance",
     "uAw+BG2CdMWhU5Y/hUjxS9cwYUViBXXcMNX18SN2sdk="),
    ("O2", "GET", f"{HOST}/api/v5/account/balance?ccy=BTC%2CETH", None,
     "2026-06-12T03:22:47.890ZGET/api/v5/account/balance?ccy=BTC%2CETH",
     "39pl/JfsTRGs9sx24+ok2FSg98zJuCwdO4GdJNKIhGg="),
    ("O3", "GET", f"{HOST}/api/v5/trade/orders-history?instType=SPOT&instId=BTC-USDT&limit=20",
     None,
     "2026-06-12T03:22:47.890ZGET/api/v5/trade/orders-history?instType=SPOT&instId=BTC-USDT"
     "&limit=20",
     "pF7JdUNsmQcYyirgDSB2iOU3CS0v9AkbIITxB3QPi2E="),
    ("O4", "POST", f"{HOST}/api/v5/trade/order", ORDER_O4,
     "2026-06-12T03:22:47.890ZPOST/api/v5/trade/order" + ORDER_O4.decode(),
     "ZZZrOkVAiU7Dfkh2O7ecX7/LoGpomqzzczU5ErAExKU="),
    ("O5", "POST", f"{HOST}/api/v5/trade/cancel-order", CANCEL_O5,
     "2026-06-12T03:22:47.890ZPOST/api/v5/trade/cancel-order" + CANCEL_O5.decode(),
     "8V7vvTh5H1iElYu4mKyTzKr3fA4HQR7l7BhEbsn1OIo="),
    ("O6", "DELETE", f"{HOST}/api/v5/trade/order?instId=BTC-USDT&ordId=590908157585625111", None,
     "2026-06-12T03:22:47.890ZDELETE/api/v5/trade/order?instId=BTC-USDT&ordId=590908157585625111",
     "H81VkQYAE2vrUmr9kktIa+y1mGrGUcthZR402rPEkpM="),
    ("O7", "GET", f"{HOST}/api/v5/account/positions?instType=SWAP", None,
     "2026-06-12T03:22:47.000ZGET/api/v5/account/positions?instType=SWAP",
     "4Vnzq8GaLG0aG1KvLBC5g0fDNp0AAPXatGJCH/TRxr0="),
)  # fmt: skip
ACCOUNT = {"api_key": API_KEY, "secret": SECRET, "passphrase": PASSPHRASE}
_JSON = {"Content-Type": "application/json"}


def _auth(clock_ns: int, **options: object):
    return lambda: OkxAuth(API_KEY, SECRET, PASSPHRASE, clock=fixed(clock_ns), **options)


def _vector(case: tuple) -> WireVector:
    name, method, url, body, _, signature = case
    o7 = name == "O7"  # §9: the .000 milliseconds, and the demo header (not signed)
    clock_ns = CLOCK_O7_NS if o7 else CLOCK_NS
    signed = {
        "OK-ACCESS-KEY": API_KEY,
        "OK-ACCESS-SIGN": signature,
        "OK-ACCESS-TIMESTAMP": TIMESTAMP_O7 if o7 else TIMESTAMP,
        "OK-ACCESS-PASSPHRASE": PASSPHRASE,
    }
    if o7:
        signed["x-simulated-trading"] = "1"
    if body:
        signed["Content-Type"] = "application/json"
    return WireVector(
        name, _auth(clock_ns, demo_trading=o7), method, url,
        target="/" + url.partition("://")[2].partition("/")[2], body=body,
        headers=_JSON if body else {}, signed_body=body, signed_headers=signed,
        account=ACCOUNT, now_ns=clock_ns,
    )  # fmt: skip


VECTORS = tuple(_vector(case) for case in CASES)
