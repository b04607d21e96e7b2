"""bybit.md §9: the HMAC vectors B1-B7 and the same strings signed with the RSA test key,
as requests on the wire (the URL is what requests makes of the spec's ``params=``)."""

from __future__ import annotations

from requests_exchange_auth.schemes.bybit import BybitAuth
from scheme_vectors import WireVector, fixed

# §9: keys GENERATED FOR TESTING, never valid on Bybit
API_KEY = "WddW3XjUF3Z8QSaA71"
SECRET = "QnOkKQYGYxE2XJdHEaOdJpqCjTKQBwiTXEMp"
TIMESTAMP_MS = 1781234567890
CLOCK_NS = 1781234567890999999  # truncated to the millisecond, never rounded (§6)
RSA_PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDqD3nV4NmclFkJ\n"
    "YGY9a5WL4nLlPFJsE+NBM6jz6UMnPnK4tbMFtHOnrbbZd1ZkusEaMo3kxvWRk83Y\n"
    "H1iRYoPVNmJvzzQl1Pm/gubVfBRdfDuO6Rxv2yLyCF92klZhgDvRHbCmAPb9Z0+y\n"
    "s7rfRi/A7ZQL/2lbECUECAYBePcP7Q5ZH7kBwqDAIPvrs8UggeRn2DDkMJOxeNXm\n"
    "u848ILhUpewENAhdRTjvL97gQjQpsQ8/rJIWFTN/954wAAijKM0i0p6oRvsQX1ly\n"
    "zUlIFOS9Gvunajk3BRMlxswXnWHr1oVZ9N9/0B2AQL2wB/1rdgORy9wIanOgz05C\n"
    "eI88YzY7AgMBAAECggEAZEHMxjhR/iftG38XTCfRHuIYpOh5xaGfLkaakB/Si/TL\n"
    "3yK1VDQ/dguKzwu3Dd6Q6E/PR7eRaJIPEgwbO+se3S02bP4sMChR8h54EencL08P\n"
    "k992NtN+3H2Jpph4N7td4+z7xZ+ULGccVEd4PDssKU+aoqj8z+zSbi+hou/VpBPs\n"
    "5D34W7CkKKrr5ZXzGBtijNvErfs7S8kbTObD4u611+sFVtPvtM/zaNCdE6luyq2D\n"
    "bzJeHrDA3jQ6UNTBvKXAhEPU1g5WzQlAuBK+ilD+hDBCsoI4StPCxvlbkiylzCmu\n"
    "BLpJE/kx8F3h2P9gP9P+6ZPrpdxv1GHDSovi+QU6QQKBgQD2MYnykGWq22KwBg/O\n"
    "+ofjyu+I99PMXRMgX0w0KAhG4v5kxMfFny/l2nnoFo/j6CWfJNpAS6JPtWcYuEcr\n"
    "/Qj/TmYq1VJ3kriyCAMjCzxEFE2ETxZGSlvbJMZmAuub0qDZd0PSd5VzeF41dTq+\n"
    "A2l5i7B1Rc4SvepGvuCBeVDGVwKBgQDzYjcJi+jj3JSrnBWxS9quK9fvZ0r3RS61\n"
    "jBYUHf5kGwxzUGjrCyCOwFZ8HHD/BPPapkJUja/1F1cHIs+HD0HmZbX7NjfhR888\n"
    "0UKcc7Z6F3ykVUq7I/9BPonAE05otVazRL2ehVOiSIZelRv0fRgmiPaC55kwgm7q\n"
    "8wEPGnh4vQKBgEv588lwuH9m3ujVphFJDaDF4vBREwLRgnKOFlVOOWeu67UraT9a\n"
    "pgx4RQDT3aoG3X1kgRowfTG+GMfvLr+rghhQGIWFecK++9KtWFJ7SCj2XwnC4mvk\n"
    "zL4vdi7LHezjrpIOFVchYnTVI7W5rNww7178NgOq/DKae29DvsMWLlBXAoGAeBqu\n"
    "mEpvygpvX2RuHAkXyD2gmOa7StzcGQEhYBoREKt8cGds7xiVn3xw8VxDssVp5SuI\n"
    "rhshiuxSqRXXnYm89oqYzHhMCSMbtKJ7oaNEmGmAu8PPVhyEeVj4N04PsoJSX7L7\n"
    "c//NbtclYAVrPzKAOXv7Ukwh/5tOSylSC3b/nm0CgYAqIUTIeow5a5iK/ZJBqCzr\n"
    "OlB7QzWRU+TI5w/87hfDaviR5LQyqVHj+s+jCpwb904lKieWzx8+ar1Far88jJwy\n"
    "FLa7G2NG5M7bAgXZwptUrBo53UWgFvqHzAIweTHaSRFIYIVPGltDZliL4qBmHZ31\n"
    "c1NqCZuLyeyHh23oATQvyA==\n"
    "-----END PRIVATE KEY-----\n"
)
ORDER_COMPACT = (
    b'{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit",'
    b'"qty":"0.001","price":"10000","timeInForce":"GTC","orderLinkId":"spec-b5-0001"}'
)
ORDER_SPACED = (  # requests' json= (spaces after ':' and ',')
    b'{"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", '
    b'"qty": "0.001", "price": "10000", "timeInForce": "GTC", "orderLinkId": "spec-b5-0001"}'
)
MAIN = "https://api.bybit.com"
# (id, method, URL as requests sends it, body, recv_window, string to sign, HMAC signature)
CASES = (
    ("B1", "GET", f"{MAIN}/v5/user/query-api", None, 5000,
     "1781234567890WddW3XjUF3Z8QSaA715000",
     "24f2f88e552917cca8dee396a40e8e23cff560ce4831109cad8dcd2dab4a3e98"),
    ("B2", "GET", f"{MAIN}/v5/order/realtime?symbol=BTCUSDT&category=linear&settleCoin=USDT",
     None, 5000,
     "1781234567890WddW3XjUF3Z8QSaA715000symbol=BTCUSDT&category=linear&settleCoin=USDT",
     "5ca318bd9ee363e6b8d3538c940c7cb3859c90b01730a566d7b408620b99a0e7"),
    ("B3", "GET",
     f"{MAIN}/v5/asset/transfer/query-account-coins-balance?accountType=UNIFIED&coin=MNT%2CUSDT",
     None, 5000, "1781234567890WddW3XjUF3Z8QSaA715000accountType=UNIFIED&coin=MNT%2CUSDT",
     "cb6226882631a633d59242ae9defcc9c4f70eae58527f9f4877c2aed83424bb0"),
    ("B4", "GET",
     f"{MAIN}/v5/order/history?category=linear&limit=50&cursor=page_args%253Dfd4300ae-7847-"
     "404e-b947-b46980a4d140%2526symbol%253D6%2526",
     None, 5000,
     "1781234567890WddW3XjUF3Z8QSaA715000category=linear&limit=50&cursor=page_args%253D"
     "fd4300ae-7847-404e-b947-b46980a4d140%2526symbol%253D6%2526",
     "85cfb9449437084765d5099c01d20924a13748bafef4f16d24d365c3487086a5"),
    ("B5", "POST", f"{MAIN}/v5/order/create", ORDER_COMPACT, 5000,
     "1781234567890WddW3XjUF3Z8QSaA715000" + ORDER_COMPACT.decode(),
     "d69a3f9dd07d1441ee29e8f58a507788e868ac1d054fb3b7534345f42ca54d56"),
    ("B6", "POST", f"{MAIN}/v5/order/create", ORDER_SPACED, 5000,
     "1781234567890WddW3XjUF3Z8QSaA715000" + ORDER_SPACED.decode(),
     "12ee154e3639aa594b2937f85b7eef08ad188af85f63db9172cb130029e77de4"),
    ("B7", "GET", "https://api-testnet.bybit.com/v5/position/list?category=linear&symbol=BTCUSDT",
     None, 20000, "1781234567890WddW3XjUF3Z8QSaA7120000category=linear&symbol=BTCUSDT",
     "e4f725c20a33d5161704ca51b02555484a2bbe9965dd3c86922518be58080dee"),
)  # fmt: skip
# §9 "RSA": the same strings, RSASSA-PKCS1-v1_5 / SHA-256, base64 (deterministic)
RSA_SIGNATURES = {
    "B1": (
        "hbVqZakm8BSFEME//vNm1+9z8dHCaTCLwS2gZ0tS1cryUmnQuC09lyt+jDwqLVj9U23EzFNuG+c47FuY57pF"
        "5Lx1wRSmwMOfyGkR5dQc4Ppv6I7UKpTrXzyI6cKVuHVmddPLe8a3b9NikPMDUnsFk13hUmCOiNCS0VxZ9X//"
        "izXOz2wSRpBPSYnLPpF33ps4nVjBcjOgXszfA+hsphkcA0FO9jrQT/RX2FI+s+/x7KDAfYxI7/80i6quls/G"
        "QbqGoXXlBWTvqCWbpWOGOTBCUrlwNxK8pW3gT5UwK1L83QfCusTa7qGXpmUC7MKFgvm9MpPqfzNP+H+02yCl"
        "z3HhFQ=="
    ),
    "B2": (
        "RbxWYkMzlp2i28NeoXzSpGcGxLm3leDdo3cGuY169T3wctl2y7UGiujnwPKw6jb3M8GHpUqeZds2oFYiCm8L"
        "Z3/RNadjJEuiBSRL9A1sdFe9jw89LHkkdUoeWxpggUxGVmFh5/l+7RADrw79qTBSZ2lw7aEYz8mhEJq+kuvT"
        "ZplaNZm2Gy0HjkrHNoiyaUdrM+mCzPcquIU8jV4zKYKIrXyJ1QlYxnV4EC/oTk1RFhAe+1SRQDSdHOluHGTM"
        "iA+lDekiSocCy+zIbQclsP6zF0H5iKr2HzpNdfTvZ2UOdEOYEOMopBqhNAQsKTwy2+M5emhko2REix9HpuB8"
        "y9sXGQ=="
    ),
    "B3": (
        "vVy4wbAc6HGm7XCcSY5aIPomDqbdgwc8P7emilX2CDhgi1/tnIQOSPe0nBhamnFeffa8iU5ICeThJ7U4+vGR"
        "GR292ba0wZ6R4wWDLO7wpNvR96np6F1zrq+x3oDHxnfmrAu/182Db3nl1rrrxJ6hbKxE2W4QlCjLG7MYdre8"
        "+t/DazRZoHeGn6XtCqX8p/nLPwqPTXQEN6MaieRC+dm7+ZY+qvwcpkIwoXWSc+kx3fANUkpcKxk5hC9TCiWU"
        "KTg/I4z+fTHx9Mxf5t9cXoy59mwezgVPL37XOczvbhGcaj9+wTqDpb1xmq3ElNJ92gGcUDP3sb5zG6nWmhK9"
        "x6GnKA=="
    ),
    "B4": (
        "o+QJf4OJiBwm3EEiIogjiXnyoprHmDkldOFvKy30pHQsCJlDge7Nz2o5b72wc9lWLhoRYrLctUp1QNOxW8EH"
        "0OGb8h9StgAuWIMCH3D34VW2xuCy8R2zpFt8AZpGdTo6DOpoeFkZCJe8OSVrhhOxhWgnGnH+rj564ZwzQzms"
        "BkP5EW1qPXAk15+xXTDSykCXRYCU1SVXPYbfm3FAo6MK6SOvkTm//GoKuoHX0kqzvnmEaxEFevoSvaml+7ND"
        "CNAhbzDuz5bpUq5jshinks7MTGTrZ7OEhTGuB0KJG7cF+sNDjib3g2v+7GEhqZ6Md5o1IOP6nnVH4CironRI"
        "Vb6nvA=="
    ),
    "B5": (
        "h25hiLSRnu0xFuipY33UQ+CB4G0U7kG91C3nMaIHOghqKTYWByv8fUymA7iduXFvgYuDOKkvjzUV8jEO+/UY"
        "uH71BavYe7419SNmcnnsfOnkYszmpgFrYnB9bzItR9VCEURxVK/vut5JMXuWbNs0rgLeDSpB4+dmIJH6NGAu"
        "SJW8Y11tZbjGXhJVPlRc5gHxVfnIjWOyUyJAbC0sgddvrW/ApQv/Tzj7UrHVkqVuWdqId7pFdt+n5KReNs0+"
        "dQM13iRMznKzGJLcyoVZcSgLx6a4WdASmNyU7EntmZ4DXUYmgghGICgfQY4Z1Z6cQXWRBrQ3QGSTPH5at50b"
        "jwqx+A=="
    ),
    "B6": (
        "IbA23bdVmwfLQehf/pvEVmfATfLRYkdFJeR0I+9A1iGxFJ/CJY+ZyWmCy/iWJ1mHeFNuYeeTT72jpPX4k7Oo"
        "1hwYNsF1Dyq9rLCChYOm++0jgRxmWIr6imoNwJuobQZu15dgpivYeHZZWYIUbKGm5xtzmYGNof8EMbmqr33t"
        "EgnoRdNfCTGrjXuMrVV9dbBTu/MVqJnC+hvykeXhmE7yrI9VD3I3HPFJ1+RZIsHI1tyJnrObZ8XuGihdEYJI"
        "x78UDrJwtyIuS522r2eo99VxxJBzWjnTME6aTSQs5DzhL8D7aci5ZsjiYsKNGv7q/OWKGVRHDz60olI3BdKC"
        "XNIbGg=="
    ),
    "B7": (
        "BjDIlfwBINljJPmwzHePWYAxcsJd11mZm2r9Pv1cjZLGTTiMN0o+aeev34Txgtqy4GW3zzbPP40f7dCkzpT2"
        "YVqYTgMAlNtNDtuax+a8lVsVGjkoz00QWtjl3uQopwksIJtrp0NmQyFgS68stNaJ2vE+8wq6A2gXszQpsA8S"
        "VEOLRq21rzf30zmqyv+eI0EZ4X8OHpnfaQL7sa3geYU0W9j/sI67e8MIVwbaYZXUle4QMHZdFgcDLDMzGL6A"
        "YTkx3PZiI/0xinALhM/azbCW+/kJ98ERL56hVwUtP53YV8qkIdpRMXZH202jK1WhEnm0Bnv6AH0d8dfFwo1Z"
        "WPb66w=="
    ),
}
_JSON = {"Content-Type": "application/json"}


def _auth(recv_window: int, **credential: object):
    return lambda: BybitAuth(API_KEY, **credential, recv_window=recv_window, clock=fixed(CLOCK_NS))


def _vector(name: str, case: tuple, signature: str, credential: dict) -> WireVector:
    _, method, url, body, window, _, _ = case
    target = "/" + url.partition("://")[2].partition("/")[2]
    return WireVector(
        name, _auth(window, **credential), method, url, target=target, body=body,
        headers=_JSON if body else {}, signed_body=body,
        signed_headers={"X-BAPI-API-KEY": API_KEY, "X-BAPI-TIMESTAMP": str(TIMESTAMP_MS),
                        "X-BAPI-RECV-WINDOW": str(window), "X-BAPI-SIGN": signature,
                        "X-BAPI-SIGN-TYPE": "2"},
        account={"api_key": API_KEY, **credential}, now_ns=CLOCK_NS,
    )  # fmt: skip


VECTORS = (
    *(_vector(case[0], case, case[6], {"secret": SECRET}) for case in CASES),
    *(_vector(f"RSA-{case[0]}", case, RSA_SIGNATURES[case[0]], {"private_key": RSA_PRIVATE_KEY})
      for case in CASES),
)  # fmt: skip
