"""kraken.md F8: the Futures vectors F1-F5, as requests on the wire.

F6 and F7 have no Nonce header (ccxt's form): the auth always sends one (F4), so they are
not wire vectors here; tests/test_kraken_futures.py checks them against the verifier and ccxt.
"""

from __future__ import annotations

from urllib.parse import urlencode

from requests_exchange_auth.schemes.kraken_futures import KrakenFuturesAuth
from scheme_vectors import WireVector, fixed

KEY = "cqz1m9b61J0IFW8Wbg5cbIh1GPJ44vcP1jFmUkbUxaybnZfN/4vUy1ud"
SECRET = "enQXzCPXAiPL0qa8RxXkDJ6fZcbFqmtBUIBEoY0q9rTPnM0OvEVYxvExUja6wyD3x2XFOS8I1HIXAPQJ+n5fQg=="
HOST = "https://futures.kraken.com"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BATCH = (
    '{"batchOrder":[{"order":"send","order_tag":"1","orderType":"lmt","symbol":"PF_XBTUSD",'
    '"side":"buy","size":0.01,"limitPrice":40000},{"order":"cancel","order_id":'
    '"c18f0c17-9971-40e6-8e5b-10df05d422f0"}]}'
)
SEND_ORDER = (
    "orderType=lmt&symbol=PF_XBTUSD&side=buy&size=0.01&limitPrice=50000&cliOrdId=my_order%2F1"
)
#: id -> (method, path and query, form body, nonce, Authent)
CASES = {
    "F1": ("GET", "/derivatives/api/v3/openpositions", None, 1708430400000,
           "2yAw2/UvW48AmqE4qfs+A8UN9aNArOdJ2xHWt108S6je6scZG2FG0DCrufwy/kcnttlsE9FajEI5P/p1m74pGA=="),
    "F2": ("GET", "/derivatives/api/v3/fills?lastFillTime=2024-02-20T10%3A00%3A00.000Z", None,
           1708430400001,
           "7UwvW8xi2M+HeXhAWADPiMovxdUOwzvKOP1ITYViu3U5PEAQ8pf5w6PoPsR6nJ1jJ7UojYLlOTTk4fIML6aCow=="),
    "F3": ("POST", "/derivatives/api/v3/sendorder", SEND_ORDER, 1708430400002,
           "xsuw63x4zNCGbRj8WIzwyUvWMbeundxvhGwhFIbPkgwW5I4I9t24YuS/jQ+fmf6Y+L1X9xfQrLb6G9z75LHRFg=="),
    "F4": ("POST", "/derivatives/api/v3/batchorder", urlencode({"json": BATCH}), 1708430400003,
           "BczjOvoG9gPIuA23b1W67LnnHsvpVYe9Cdc/u2ZlbEvzld9wXu2yDARV/ABNmuI2Yr/K6haOTtv1vY9ht86T2w=="),
    "F5": ("GET", "/api/history/v2/orders?since=1708430000000&count=50", None, 1708430400004,
           "UMQwJASVsRBJsUezTOXO2u2bBl89I9I3kH9oX7aovSZZ6uvWpR8BTUgSvH9u0934MmxUf044ybuF9l4zafDByQ=="),
}  # fmt: skip


def _auth(nonce: int):
    return lambda: KrakenFuturesAuth(KEY, SECRET, nonce=fixed(nonce))


def _vector(name: str) -> WireVector:
    method, target, body, nonce, authent = CASES[name]
    return WireVector(
        name, _auth(nonce), method, HOST + target, target=target,
        body=None if body is None else body.encode(), headers=FORM if body else {},
        signed_body=None if body is None else body.encode(),
        signed_headers={"APIKey": KEY, "Nonce": str(nonce), "Authent": authent},
        account={"api_key": KEY, "secret": SECRET},
    )  # fmt: skip


VECTORS = tuple(_vector(name) for name in CASES)
