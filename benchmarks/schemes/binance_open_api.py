"""Binance Open Service: the ``user-open-data`` GET of the docs, a JWT over its digest.

The floor is PyJWT's ``jwt.encode`` of the same claims with the same secret, HS256
(binance-open-api-jwt.md §3); the run checks that it makes our token, byte for byte.
The bound is 1.5: a JWT auth does little besides the encoding, so it must come close.
ccxt does not sign Open Service requests.
"""

from __future__ import annotations

import functools
from typing import Any

from _bench import Example, Floor, Rows, SignedRequest

TOKEN_HEADER = "X-Mp-Open-Api-Token"  # noqa: S105  # a header name, not a password
APP = "/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd"


def _claims(signed: SignedRequest) -> dict[str, Any]:
    """The claims our token carries, read back from it."""
    import jwt  # noqa: PLC0415  # the jwt extra, imported by the run, not at load

    claims: dict[str, Any] = jwt.decode(
        signed.headers[TOKEN_HEADER], options={"verify_signature": False}
    )
    return claims


def _encode(account: Any, claims: dict[str, Any]) -> Any:
    import jwt  # noqa: PLC0415  # the jwt extra, imported by the run, not at load

    key = account["secret_key"]
    key = key.encode() if isinstance(key, str) else key
    return functools.partial(jwt.encode, claims, key, algorithm="HS256")


ROWS = Rows(
    request=Example(
        "GET user-open-data", "GET", f"{APP}/user-open-data", params={"openData": "dt_TEST/abc+1=="}
    ),
    origin="https://www.binance.com",
    floor=Floor(
        "jwt.encode",
        "jwt.encode HS256 of the Open Service claims",
        payload=_claims,
        primitive=_encode,
        wire=lambda signed: signed.headers[TOKEN_HEADER],
    ),
    bound=1.5,
    no_peer="ccxt does not sign Binance Open Service requests",
)
