"""What the command line needs per scheme: its auth, its verifier, its payload, its advice."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from requests.auth import AuthBase

from .._keys import load_private_key
from ..binance import BinanceQueryAuth
from ..binance_open import BinanceOpenApiJwtAuth
from ..poloniex import PoloniexBodyDigestAuth
from ..testing._received import Received
from ..testing._verdict import Verdict
from ..testing._verify_binance import binance_payload, verify_binance
from ..testing._verify_open_api import TOKEN_HEADER, open_api_canonical_request, verify_open_api
from ..testing._verify_poloniex import verify_poloniex
from ._creds import Credentials


@dataclass(frozen=True)
class Options:
    """The signing and checking options the user gave (None: not given)."""

    timestamp_ms: int | None = None
    nonce: int | None = None
    recv_window: str | None = None
    ts_unit: str = "s"
    allow_insecure_http: bool = False
    now_ms: int | None = None
    last_nonce: int | None = None


@dataclass(frozen=True)
class Scheme:
    """One scheme of the command line."""

    name: str
    title: str
    env_prefix: str
    payload_title: str
    advice: str  # what to check when the signature does not match
    make_auth: Callable[[Credentials, Options], AuthBase]
    verify: Callable[[Received, Credentials, Options], Verdict]
    payload: Callable[[Received], str]


def _clock(options: Options) -> Callable[[], int] | None:
    """A clock standing at ``--timestamp`` (milliseconds), to reproduce a documented example."""
    if options.timestamp_ms is None:
        return None
    ns = options.timestamp_ms * 1_000_000
    return lambda: ns


def _binance_auth(creds: Credentials, options: Options) -> AuthBase:
    common: dict[str, Any] = {
        "recv_window": options.recv_window,
        "clock": _clock(options),
        "allow_insecure_http": options.allow_insecure_http,
    }
    if creds.private_key is not None:
        return BinanceQueryAuth(
            creds.api_key,
            private_key=creds.private_key,
            private_key_password=creds.password,
            **common,
        )
    return BinanceQueryAuth(creds.api_key, creds.secret, **common)


def _binance_verify(received: Received, creds: Credentials, options: Options) -> Verdict:
    if creds.secret is not None:
        return verify_binance(received, creds.api_key, creds.secret, now_ms=options.now_ms)
    key: Any = creds.public_key
    if creds.private_key is not None:  # its public half checks the signature
        from cryptography.hazmat.primitives.asymmetric import ed25519, rsa  # noqa: PLC0415  # optional extra

        key = load_private_key(
            creds.private_key, creds.password,
            accept=(rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey), feature="verify --private-key",
        )  # fmt: skip
    return verify_binance(received, creds.api_key, public_key=key, now_ms=options.now_ms)


def _binance_payload(received: Received) -> str:
    split = binance_payload(received)
    return split[0] if split is not None else ""


def _poloniex_auth(creds: Credentials, options: Options) -> AuthBase:
    nonce = options.nonce
    return PoloniexBodyDigestAuth(
        creds.api_key,
        creds.secret or "",
        nonce=(lambda: nonce) if nonce is not None else None,
        allow_insecure_http=options.allow_insecure_http,
    )


def _poloniex_verify(received: Received, creds: Credentials, options: Options) -> Verdict:
    secret, last = creds.secret or "", options.last_nonce
    return verify_poloniex(received, creds.api_key, secret, last_nonce=last)


def _open_api_auth(creds: Credentials, options: Options) -> AuthBase:
    return BinanceOpenApiJwtAuth(
        creds.api_key, creds.secret or "", clock=_clock(options), ts_unit=options.ts_unit,
        allow_insecure_http=options.allow_insecure_http,
    )  # fmt: skip


def _open_api_verify(received: Received, creds: Credentials, options: Options) -> Verdict:
    return verify_open_api(received, creds.api_key, creds.secret or "", now_ms=options.now_ms)


def _open_api_payload(received: Received) -> str:
    """The canonical request, and the claims the token carries (its header and payload)."""
    canonical = open_api_canonical_request(received.method, received.target, received.body)
    token = received.headers.get(TOKEN_HEADER, "")
    claims = token.split(".")[1] if token.count(".") == 2 else ""
    try:
        text = json.dumps(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))))
    except (ValueError, binascii.Error):
        text = "(no readable token)"
    return f"{canonical}\n\nclaims: {text}"


SCHEMES = {
    "binance": Scheme(
        "binance", "Binance SIGNED request", BinanceQueryAuth.env_prefix,
        "payload signed (binance-signed-requests.md §3: query + body as sent, no '&' between)",
        "Sign the query string followed by the body exactly as sent, with no '&' between "
        "them; percent-encode values before signing; put signature last; use the secret of "
        "this API key (RSA/Ed25519 keys sign base64, percent-encoded).",
        _binance_auth, _binance_verify, _binance_payload,
    ),
    "poloniex": Scheme(
        "poloniex", "Poloniex legacy trading-API request", PoloniexBodyDigestAuth.env_prefix,
        "payload signed (poloniex.md Part A: the exact body, nonce included)",
        "Sign the exact body bytes after the nonce is in it; key HMAC-SHA512 with the "
        "secret's own text (do not hex-decode it); send Sign as lowercase hex.",
        _poloniex_auth, _poloniex_verify, lambda received: received.body.decode("latin-1"),
    ),
    "open-api": Scheme(
        "open-api", "Binance Open Service request", BinanceOpenApiJwtAuth.env_prefix,
        "canonical request (binance-open-api-jwt.md §2; its SHA-256 is the token's dig)",
        "Make the token with HS256 and the secret key's own text; compute dig from the "
        "request exactly as sent (method, path with a trailing '/', sorted re-encoded "
        "query, SHA-256 of the body).",
        _open_api_auth, _open_api_verify, _open_api_payload,
    ),
}  # fmt: skip
