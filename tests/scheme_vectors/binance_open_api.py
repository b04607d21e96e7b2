"""binance-open-api-jwt.md §6: the worked example's token, and the POST example's digest."""

from __future__ import annotations

from vectors import (
    OPEN_API_AK,
    OPEN_API_GET_URL,
    OPEN_API_JWT,
    OPEN_API_POST_BODY,
    OPEN_API_POST_URL,
    OPEN_API_SK,
    OPEN_API_TS,
)

from requests_exchange_auth.schemes.binance_open import BinanceOpenApiJwtAuth
from scheme_vectors import WireVector, fixed

_NOW = OPEN_API_TS * 1_000_000_000
_ACCOUNT = {"access_key_id": OPEN_API_AK, "secret_key": OPEN_API_SK}


def _auth() -> BinanceOpenApiJwtAuth:
    return BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=fixed(_NOW))


VECTORS = (
    WireVector("worked-example", _auth, "GET", OPEN_API_GET_URL,
               target=OPEN_API_GET_URL.partition(".com")[2],
               signed_headers={"X-Mp-Open-Api-Token": OPEN_API_JWT},
               account=_ACCOUNT, now_ns=_NOW),
    WireVector("POST-example", _auth, "POST", OPEN_API_POST_URL, body=OPEN_API_POST_BODY,
               headers={"Content-Type": "application/json"},
               target=OPEN_API_POST_URL.partition(".com")[2], signed_body=OPEN_API_POST_BODY,
               account=_ACCOUNT, now_ns=_NOW),
)  # fmt: skip
