"""Coinbase Advanced Trade: GET accounts with an ECDSA (ES256) CDP key, a JWT per request.

The floor is PyJWT's ``jwt.encode`` of the same claims and header fields (``kid``,
``nonce``) with the same key, loaded once, ES256 (coinbase.md §3): what the official
SDK does per request, minus its PEM parsing. The bound is 1.5: a JWT auth does little
besides the encoding. ES256 signatures are randomised in PyJWT (ours use RFC 6979), so
the floor cannot be compared byte for byte; the run checks its claims instead. ccxt's
``coinbase`` signs the same GET with its own ES256 code and claims (§10): its check pins
its clock, compares sub, nbf, exp and uri, and verifies its signature.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, SignedRequest

PATH = "/api/v3/brokerage/accounts"


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
                    for p in token.split(".")[:2])  # fmt: skip
    return head, claims


def _payload(signed: SignedRequest) -> tuple[dict[str, Any], dict[str, str]]:
    """The claims our token carries, and its header's kid and nonce, read back from it."""
    head, claims = _parts(signed.headers["Authorization"].removeprefix("Bearer "))
    return claims, {"kid": head["kid"], "nonce": head["nonce"]}


def _key(account: Any) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key  # noqa: PLC0415

    return load_pem_private_key(account["private_key"].encode(), password=None)


def _encode(account: Any, payload: tuple[dict[str, Any], dict[str, str]]) -> Any:
    import jwt  # noqa: PLC0415  # the jwt extra, imported by the run, not at load

    claims, headers = payload
    encode = functools.partial(jwt.encode, claims, _key(account), algorithm="ES256",
                               headers=headers)  # fmt: skip
    if _parts(encode())[1] != claims:
        msg = "the floor's claims are not the auth's"
        raise AssertionError(msg)
    return encode


def _ccxt_check(exchange: Any, account: Any) -> str:
    import jwt  # noqa: PLC0415

    seconds = CHECK_MS // 1000
    exchange.seconds = lambda: seconds
    out = exchange.sign("brokerage/accounts", ["v3", "private"], "GET", {})
    token = out["headers"]["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, _key(account).public_key(), algorithms=["ES256"],
                        options={"verify_exp": False, "verify_nbf": False,
                                 "verify_aud": False})  # fmt: skip
    wanted = {"sub": account["api_key_name"], "nbf": seconds, "exp": seconds + 120,
              "uri": f"GET api.coinbase.com{PATH}"}  # fmt: skip
    if out["url"] != f"https://api.coinbase.com{PATH}" or any(
        claims.get(k) != v for k, v in wanted.items()
    ):
        msg = f"signs another request: {out['url']!r}, {claims!r}"
        raise AssertionError(msg)
    return "check: same sub, nbf, exp and uri, its own iss/aud/iat; its ES256 verifies"


ROWS = Rows(
    request=Example("GET accounts", "GET", PATH),
    origin="https://api.coinbase.com",
    floor=Floor(
        "jwt.encode",
        "jwt.encode ES256 of the Coinbase claims (key object, kid, nonce)",
        payload=_payload,
        primitive=_encode,
        note="ES256 signatures are randomised in PyJWT: compared by claims, not bytes",
    ),
    bound=1.5,
    ccxt=CcxtPeer(
        "coinbase",
        "brokerage/accounts",
        ["v3", "private"],
        "GET",
        {},
        config=lambda account: {
            "apiKey": account["api_key_name"],
            "secret": account["private_key"],
        },
        check=_ccxt_check,
    ),
)
