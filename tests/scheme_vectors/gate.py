"""gate.md §8: the official vectors O1-O2 and the generated vectors G1-G7, as requests on
the wire: the URL is what requests makes of the spec's parameters, the target what the
auth rewrites its query to (§4)."""

from __future__ import annotations

from requests_exchange_auth.schemes.gate import GateAuth
from scheme_vectors import WireVector, fixed

# §8 "Official": the docs' key, secret and Timestamp
DOCS_KEY, DOCS_SECRET, DOCS_TIMESTAMP = "key", "secret", 1541993715
# §8 "Generated for testing": credentials GENERATED FOR TESTING, throw-away
API_KEY = "fbe81fb8919769cfbb231813d22f0ae2"
SECRET = "7c9c3bd8bbcaf47a88a42d7fe95d992ff50877b980b1d48ef77c76c48aac1c2d"
TIMESTAMP = 1767268800
CLOCK_NS = 1767268800_999_999_999  # truncated to the second, never rounded (§5)
EMPTY = (
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
)
O2_BODY = b'{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}'
G4_BODY = (
    b'{"text":"t-my-order-1","currency_pair":"ETH_BTC","type":"limit","account":"spot",'
    b'"side":"buy","amount":"1","price":"0.03","time_in_force":"gtc"}'
)
G7_BODY = b'[{"currency_pair":"BTC_USDT","id":"123456"},{"currency_pair":"ETH_USDT","id":"654321"}]'
HOST = "https://api.gateio.ws"
# (id, method, URL as requests sends it, body, target after the rewrite, signed query, SIGN)
CASES = (
    ("G1", "GET", f"{HOST}/api/v4/spot/accounts", None, "/api/v4/spot/accounts", "",
     "25d0a4657bfcd58958ac2a0be39fba4a3dfa7fd174d8dd09b0624e8976c16538"
     "0cc6eb65eb04e96d99c473920f097ea40f3496616b5887cceee638f1283eeb8d"),
    ("G2", "GET", f"{HOST}/api/v4/spot/orders?currency_pair=BTC_USDT&status=open&page=1&limit=100",
     None, "/api/v4/spot/orders?currency_pair=BTC_USDT&status=open&page=1&limit=100",
     "currency_pair=BTC_USDT&status=open&page=1&limit=100",
     "60e5335c58ecec2ac893eae35c1cb7776d777e84c642fe99a401e6d2380f9747"
     "4890e653f35fa011ca2c1cf7ff1323781118ea6a178106df20f43db02287563a"),
    ("G3", "GET",
     f"{HOST}/api/v4/unified/estimate_rate?currencies=BTC%2CGT%2CETH&note=a+b%2F%C3%A9%2B1", None,
     "/api/v4/unified/estimate_rate?currencies=BTC%2CGT%2CETH&note=a%20b%2F%C3%A9%2B1",
     "currencies=BTC,GT,ETH&note=a b/é+1",
     "ae5f23a0c01e68d94c4abe1f6736215148994064bd4427452f10e7e74c2a3496"
     "ba0853897e5a933d26c48e5fbea623ee18eee58c87a5d032c85fb8ae26650301"),
    ("G4", "POST", f"{HOST}/api/v4/spot/orders", G4_BODY, "/api/v4/spot/orders", "",
     "6059251831ba1c579f5540ff72332604db9c99f92dffd041251f06fa55c5cbc6"
     "b332c49b5042a727818c05c1788f8de09292b27cebd05dd97e9dd2c298306683"),
    ("G5", "DELETE", f"{HOST}/api/v4/spot/orders/12345678?currency_pair=BTC_USDT", None,
     "/api/v4/spot/orders/12345678?currency_pair=BTC_USDT", "currency_pair=BTC_USDT",
     "7b6aa922d49ad278a3446d4314b69ffcbedf29c6a594e5c94b5a85ad1274eee8"
     "aeb4c0b1a4226ca519894e9ed481173e9b4f73a06c332051637ffa833bdabb86"),
    ("G6", "POST", f"{HOST}/api/v4/futures/usdt/positions/BTC_USDT/margin?change=0.01", None,
     "/api/v4/futures/usdt/positions/BTC_USDT/margin?change=0.01", "change=0.01",
     "8a215d3b34d4ff3ca792cbe8f230940f0b12d9e02011078e15683e5844b751ef"
     "ac8b5bef4a8a174323144c448d9359cfd4f90c8e0c0b1203417a76697514e032"),
    ("G7", "POST", f"{HOST}/api/v4/spot/cancel_batch_orders", G7_BODY,
     "/api/v4/spot/cancel_batch_orders", "",
     "df6675ba7d8d653aec8d4466262f51adeebe58cfbe1f3e50307315110338b4ec"
     "e16fdc1d388aa9e8c5ae3a154f2bef5ed5e0113087d3f493c2050ef73fe05653"),
)  # fmt: skip
# (id, method, URL, body, target, signed query, SIGN): the docs' own two
OFFICIAL = (
    ("O1", "GET", f"{HOST}/api/v4/futures/orders?contract=BTC_USD&status=finished&limit=50", None,
     "/api/v4/futures/orders?contract=BTC_USD&status=finished&limit=50",
     "contract=BTC_USD&status=finished&limit=50",
     "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6"
     "fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a"),
    ("O2", "POST", f"{HOST}/api/v4/futures/orders", O2_BODY, "/api/v4/futures/orders", "",
     "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541f"
     "c4c2c14017581b4199a1418d54471c269c03a38d788d802e2c306c37636389f0"),
)  # fmt: skip
_JSON = {"Content-Type": "application/json"}


def _auth(key: str, secret: str, clock_ns: int):
    return lambda: GateAuth(key, secret, clock=fixed(clock_ns))


def _vector(case: tuple, key: str, secret: str, stamp: int, clock_ns: int) -> WireVector:
    name, method, url, body, target, _, signature = case
    return WireVector(
        name, _auth(key, secret, clock_ns), method, url, target=target, body=body,
        headers=_JSON if body else {}, signed_body=body,
        signed_headers={"KEY": key, "Timestamp": str(stamp), "SIGN": signature},
        account={"api_key": key, "secret": secret}, now_ns=clock_ns,
    )  # fmt: skip


VECTORS = (
    *(_vector(c, DOCS_KEY, DOCS_SECRET, DOCS_TIMESTAMP, DOCS_TIMESTAMP * 10**9) for c in OFFICIAL),
    *(_vector(c, API_KEY, SECRET, TIMESTAMP, CLOCK_NS) for c in CASES),
)
