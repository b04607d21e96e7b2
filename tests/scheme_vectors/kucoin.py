"""kucoin.md §9: the official vector K0 and the vectors K1-K7, as requests on the wire: the
URL is what requests makes of the spec's ``params=``, the target what the auth rewrites it
to (§5)."""

from __future__ import annotations

from requests_exchange_auth.schemes.kucoin import KucoinAuth
from scheme_vectors import WireVector, fixed

# §9: credentials GENERATED FOR TESTING, throw-away
API_KEY = "cfa08cd5c867897776456fab"
SECRET = "39b3e0b8-519d-49ac-89d2-bf7cae3e7395"
PASSPHRASE = "Kc!TestPass2026"
SIGNED_PASSPHRASE = "TXfI/WVttiGByDE+g3c/yH/X7XhBzqrZCQkiGKKhRQ8="
TIMESTAMP_MS = 1781234567890
CLOCK_NS = 1781234567890999999
# §9 K0, from Kucoin/kucoin-api-docs "Signing a Message" (its passphrase is not a v2/v3 one)
K0_SECRET = "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3"
K0_TIMESTAMP_MS = 1547015186532
K0_BODY = b'{"currency":"BTC"}'
K0_SIGNATURE = "7QP/oM0ykidMdrfNEUmng8eZjg/ZvPafjIqmxiVfYu4="
ORDER_K4 = (
    b'{"clientOid":"spec-k4-0001","side":"buy","symbol":"BTC-USDT","type":"limit",'
    b'"price":"30000","size":"0.001"}'
)
ORDER_K6 = (
    b'{"clientOid":"spec-k6-0001","side":"buy","symbol":"XBTUSDTM","type":"limit",'
    b'"price":"30000","size":1,"leverage":3}'
)
SPOT = "https://api.kucoin.com"
# (id, method, URL as requests sends it, body, target after the rewrite, prehash, signature)
CASES = (
    ("K1", "GET", f"{SPOT}/api/v1/accounts", None, "/api/v1/accounts",
     "1781234567890GET/api/v1/accounts", "UJ/KBIhjVoyzojM0pKUqdCAhtmS4FaPYKkkL4ecGWVQ="),
    ("K2", "GET", f"{SPOT}/api/v1/accounts?currency=BTC&type=trade", None,
     "/api/v1/accounts?currency=BTC&type=trade",
     "1781234567890GET/api/v1/accounts?currency=BTC&type=trade",
     "Vy6YaN/T3IGn++2o5wwx/SZLcZdGrrD5p1JUkQj7+Yc="),
    ("K3", "GET", f"{SPOT}/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc%21%40%2311",
     None, "/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc%21%40%2311",
     "1781234567890GET/api/v1/sub/api-key?apiKey=67b3&subName=test&passphrase=abc!@#11",
     "wLW46IzVBL0qtiyggNiito+TlSi4z686CI+XRBsU9NA="),
    ("K4", "POST", f"{SPOT}/api/v1/hf/orders", ORDER_K4, "/api/v1/hf/orders",
     "1781234567890POST/api/v1/hf/orders" + ORDER_K4.decode(),
     "kWt2ASGX1Rl89wVyn9Oqz98DdG0MJhkZ8trQOuoLeSs="),
    ("K5", "DELETE", f"{SPOT}/api/v1/hf/orders/671124f9365ccb00073debd4?symbol=BTC-USDT", None,
     "/api/v1/hf/orders/671124f9365ccb00073debd4?symbol=BTC-USDT",
     "1781234567890DELETE/api/v1/hf/orders/671124f9365ccb00073debd4?symbol=BTC-USDT",
     "7pQjH1/zPIghOl/gCmjtTFqaJe0q/NMcGLzELDbQSSk="),
    ("K6", "POST", "https://api-futures.kucoin.com/api/v1/orders", ORDER_K6, "/api/v1/orders",
     "1781234567890POST/api/v1/orders" + ORDER_K6.decode(),
     "UURT2PQhAsXu0y4vBi+5JMYkXgdq6W/SeQLz45Mch0U="),
    ("K7", "GET", f"{SPOT}/api/v1/accounts?currency=USDT&remark=a+b%2Bc", None,
     "/api/v1/accounts?currency=USDT&remark=a%20b%2Bc",
     "1781234567890GET/api/v1/accounts?currency=USDT&remark=a b+c",
     "Vbqy0AZKIjJvWyPbM3OQGL5FfEPJijUTmPO92O9D09E="),
)  # fmt: skip
ACCOUNT = {"api_key": API_KEY, "secret": SECRET, "passphrase": PASSPHRASE}
_JSON = {"Content-Type": "application/json"}


def _auth() -> KucoinAuth:
    return KucoinAuth(API_KEY, SECRET, PASSPHRASE, clock=fixed(CLOCK_NS))


def _vector(case: tuple) -> WireVector:
    name, method, url, body, target, _, signature = case
    signed = {
        "KC-API-KEY": API_KEY,
        "KC-API-SIGN": signature,
        "KC-API-TIMESTAMP": str(TIMESTAMP_MS),
        "KC-API-PASSPHRASE": SIGNED_PASSPHRASE,
        "KC-API-KEY-VERSION": "3",
    }
    return WireVector(
        name, _auth, method, url, target=target, body=body, headers=_JSON if body else {},
        signed_body=body, signed_headers=signed, account=ACCOUNT, now_ns=CLOCK_NS,
    )  # fmt: skip


def _k0() -> KucoinAuth:
    return KucoinAuth("k0-docs-key", K0_SECRET, "any-passphrase",
                      clock=fixed(K0_TIMESTAMP_MS * 1_000_000))  # fmt: skip


# K0's key and passphrase are not in the docs: made up, the signature covers neither
K0 = WireVector(
    "K0", _k0, "POST", f"{SPOT}/api/v1/deposit-addresses", target="/api/v1/deposit-addresses",
    body=K0_BODY, headers=_JSON, signed_body=K0_BODY,
    signed_headers={"KC-API-SIGN": K0_SIGNATURE, "KC-API-TIMESTAMP": str(K0_TIMESTAMP_MS)},
    account={"api_key": "k0-docs-key", "secret": K0_SECRET, "passphrase": "any-passphrase"},
    now_ns=K0_TIMESTAMP_MS * 1_000_000,
)  # fmt: skip
VECTORS = (K0, *(_vector(case) for case in CASES))
