"""poloniex.md Part A "Legacy vector": the two bodies and their Sign headers."""

from __future__ import annotations

from vectors import (
    POLONIEX_API_KEY,
    POLONIEX_BODY_1,
    POLONIEX_BODY_2,
    POLONIEX_NONCE_1,
    POLONIEX_NONCE_2,
    POLONIEX_SECRET,
    POLONIEX_SIGN_1,
    POLONIEX_SIGN_2,
    POLONIEX_URL,
)

from requests_exchange_auth.schemes.poloniex_legacy import PoloniexBodyDigestAuth
from scheme_vectors import WireVector, fixed

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_ACCOUNT = {"api_key": POLONIEX_API_KEY, "secret": POLONIEX_SECRET}


def _auth(nonce: int):
    return lambda: PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, nonce=fixed(nonce))


_CASES = (
    (1, POLONIEX_NONCE_1, POLONIEX_BODY_1, POLONIEX_SIGN_1),
    (2, POLONIEX_NONCE_2, POLONIEX_BODY_2, POLONIEX_SIGN_2),
)
VECTORS = tuple(
    WireVector(
        f"legacy-{n}",
        _auth(nonce),
        "POST",
        POLONIEX_URL,
        body=body.rpartition("&nonce=")[0].encode(),
        headers=_FORM,
        target="/tradingApi",
        signed_body=body.encode(),
        signed_headers={"Key": POLONIEX_API_KEY, "Sign": sign},
        account=_ACCOUNT,
    )
    for n, nonce, body, sign in _CASES
)
