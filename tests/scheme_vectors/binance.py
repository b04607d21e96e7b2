"""binance-signed-requests.md §8: the HMAC vectors H1-H6, the futures ones, and the RSA
and Ed25519 payloads P1/P2, as requests on the wire."""

from __future__ import annotations

from urllib.parse import quote

from vectors import (
    ASYMMETRIC_TIMESTAMP_MS,
    BINANCE_API_KEY,
    BINANCE_SECRET,
    BINANCE_TIMESTAMP_MS,
    ED25519_P1_SIGNATURE,
    ED25519_P2_SIGNATURE,
    ED25519_PUBLIC_KEY_PEM,
    ED25519_TEST_KEY_PEM,
    FUTURES_MIXED_BODY,
    FUTURES_MIXED_QUERY,
    FUTURES_MIXED_SIGNATURE,
    FUTURES_PAYLOAD,
    FUTURES_SECRET,
    FUTURES_SIGNATURE,
    FUTURES_TIMESTAMP_MS,
    H1_QUERY,
    H1_SIGNATURE,
    H2_BODY,
    H2_SIGNATURE,
    H3_BODY,
    H3_QUERY,
    H3_SIGNATURE,
    H4_QUERY,
    H4_SIGNATURE,
    H5_QUERY,
    H5_SIGNATURE,
    H6_QUERY,
    H6_SIGNATURE,
    P1_PAYLOAD,
    P2_PAYLOAD,
    RSA_P1_SIGNATURE,
    RSA_P2_SIGNATURE,
    RSA_TEST_KEY_PEM,
)

from requests_exchange_auth.schemes.binance import BinanceQueryAuth
from scheme_vectors import WireVector, fixed

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_SPOT = "https://api.binance.com/api/v3/order"
_FUTURES = "https://fapi.binance.com/fapi/v1/order"
_ORDER = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
_TAIL = "&recvWindow=5000&timestamp=1499827319559"


def _hmac(secret: str, ms: int) -> BinanceQueryAuth:
    return BinanceQueryAuth(BINANCE_API_KEY, secret, recv_window=5000, clock=fixed(ms * 1_000_000))


def _spot() -> BinanceQueryAuth:
    return _hmac(BINANCE_SECRET, BINANCE_TIMESTAMP_MS)


def _spot_no_window() -> BinanceQueryAuth:
    return BinanceQueryAuth(
        BINANCE_API_KEY, BINANCE_SECRET, clock=fixed(BINANCE_TIMESTAMP_MS * 1_000_000)
    )


def _futures() -> BinanceQueryAuth:
    return _hmac(FUTURES_SECRET, FUTURES_TIMESTAMP_MS)


def _key(pem: str):
    return lambda: BinanceQueryAuth(
        BINANCE_API_KEY, private_key=pem, clock=fixed(ASYMMETRIC_TIMESTAMP_MS * 1_000_000)
    )


_HMAC = {"api_key": BINANCE_API_KEY, "secret": BINANCE_SECRET}
_SPOT_NOW = BINANCE_TIMESTAMP_MS * 1_000_000
# the caller puts timestamp before recvWindow, as the docs' P1/P2 do; the auth keeps it there
_P_QUERY = "&timestamp=0&recvWindow=5000"


def _asymmetric(name: str, pem: str, public: str, payload: str, signature: str) -> WireVector:
    query = payload.partition("&timestamp=")[0] + _P_QUERY
    return WireVector(
        name, _key(pem), "POST", f"{_SPOT}?{query}",
        target=f"/api/v3/order?{payload}&signature={quote(signature, safe='')}",
        account={"api_key": BINANCE_API_KEY, "public_key": public},
        now_ns=ASYMMETRIC_TIMESTAMP_MS * 1_000_000,
    )  # fmt: skip


VECTORS = (
    WireVector("H1", _spot, "POST", f"{_SPOT}?{_ORDER}",
               target=f"/api/v3/order?{H1_QUERY}&signature={H1_SIGNATURE}",
               account=_HMAC, now_ns=_SPOT_NOW),
    WireVector("H2", _spot, "POST", _SPOT, body=_ORDER.encode(), headers=FORM,
               target="/api/v3/order", signed_body=f"{H2_BODY}&signature={H2_SIGNATURE}".encode(),
               signed_headers={"X-MBX-APIKEY": BINANCE_API_KEY}, account=_HMAC, now_ns=_SPOT_NOW),
    WireVector("H3", _spot, "POST", f"{_SPOT}?{H3_QUERY}", body=b"quantity=1&price=0.1",
               headers=FORM, target=f"/api/v3/order?{H3_QUERY}",
               signed_body=f"{H3_BODY}&signature={H3_SIGNATURE}".encode(),
               account=_HMAC, now_ns=_SPOT_NOW),
    WireVector("H4", _spot, "POST", f"{_SPOT}?{H4_QUERY.removesuffix(_TAIL)}",
               target=f"/api/v3/order?{H4_QUERY}&signature={H4_SIGNATURE}",
               account=_HMAC, now_ns=_SPOT_NOW),
    WireVector("H5", _spot, "GET", "https://api.binance.com/api/v3/account",
               target=f"/api/v3/account?{H5_QUERY}&signature={H5_SIGNATURE}",
               account=_HMAC, now_ns=_SPOT_NOW),
    WireVector("H6", _spot_no_window, "POST",
               f"{_SPOT}?{H6_QUERY.removesuffix('&timestamp=1499827319559')}",
               target=f"/api/v3/order?{H6_QUERY}&signature={H6_SIGNATURE}",
               account=_HMAC, now_ns=_SPOT_NOW),
    WireVector("futures", _futures, "POST", _FUTURES,
               body=FUTURES_PAYLOAD.removesuffix("&recvWindow=5000&timestamp=1591702613943").encode(),
               headers=FORM, target="/fapi/v1/order",
               signed_body=f"{FUTURES_PAYLOAD}&signature={FUTURES_SIGNATURE}".encode(),
               account={"api_key": BINANCE_API_KEY, "secret": FUTURES_SECRET},
               now_ns=FUTURES_TIMESTAMP_MS * 1_000_000),
    WireVector("futures-mixed", _futures, "POST", f"{_FUTURES}?{FUTURES_MIXED_QUERY}",
               body=b"quantity=1&price=9000", headers=FORM,
               target=f"/fapi/v1/order?{FUTURES_MIXED_QUERY}",
               signed_body=f"{FUTURES_MIXED_BODY}&signature={FUTURES_MIXED_SIGNATURE}".encode(),
               account={"api_key": BINANCE_API_KEY, "secret": FUTURES_SECRET},
               now_ns=FUTURES_TIMESTAMP_MS * 1_000_000),
    _asymmetric("RSA-P1", RSA_TEST_KEY_PEM, RSA_TEST_KEY_PEM, P1_PAYLOAD, RSA_P1_SIGNATURE),
    _asymmetric("RSA-P2", RSA_TEST_KEY_PEM, RSA_TEST_KEY_PEM, P2_PAYLOAD, RSA_P2_SIGNATURE),
    _asymmetric("Ed25519-P1", ED25519_TEST_KEY_PEM, ED25519_PUBLIC_KEY_PEM, P1_PAYLOAD,
                ED25519_P1_SIGNATURE),
    _asymmetric("Ed25519-P2", ED25519_TEST_KEY_PEM, ED25519_PUBLIC_KEY_PEM, P2_PAYLOAD,
                ED25519_P2_SIGNATURE),
)  # fmt: skip
