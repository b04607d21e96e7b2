"""Pure signers: bytes in, text out; no requests types, so other transports can reuse them.

Optional libraries are imported on first use and reported by the extra that provides
them (DESIGN.md, "Dependencies").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
from types import ModuleType
from typing import Any

from .exceptions import MissingDependencyError


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import an optional dependency, or say which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = (
            f"{feature} needs the optional package {module!r}, which is not installed; "
            f"install it with: pip install 'requests-exchange-auth[{extra}]'"
        )
        raise MissingDependencyError(msg) from exc


def hmac_sha256_hex(secret: bytes, payload: bytes) -> str:
    """Lowercase hex HMAC-SHA256 (Binance HMAC keys, binance-signed-requests.md §4)."""
    return hmac.digest(secret, payload, "sha256").hex()


def hmac_sha512_hex(secret: bytes, payload: bytes) -> str:
    """Lowercase hex HMAC-SHA512 (Poloniex legacy ``Sign``, poloniex.md Part A)."""
    return hmac.digest(secret, payload, "sha512").hex()


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 (Open API payload hash and ``dig``, binance-open-api-jwt.md §2-3)."""
    return hashlib.sha256(data).hexdigest()


def jwt_hs256(claims: dict[str, Any], secret: bytes) -> str:
    """A compact HS256 JWS of ``claims`` (binance-open-api-jwt.md §3), made by PyJWT.

    Callers check for PyJWT once, at construction (:func:`require`); here the import
    is a ``sys.modules`` lookup, not a search.
    """
    import jwt  # noqa: PLC0415  # optional extra, present once the auth was built

    token: str = jwt.encode(claims, secret, algorithm="HS256")
    return token


def rsa_sha256_b64(private_key: Any, payload: bytes) -> str:
    """Base64 RSASSA-PKCS1-v1_5 with SHA-256 (Binance RSA keys, binance-signed-requests.md §4).

    :param private_key: a ``cryptography`` RSA private key; PKCS#1 v1.5 is deterministic.
    """
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415  # optional extra
    from cryptography.hazmat.primitives.asymmetric import padding  # noqa: PLC0415

    return base64.b64encode(private_key.sign(payload, padding.PKCS1v15(), hashes.SHA256())).decode()


def ed25519_b64(private_key: Any, payload: bytes) -> str:
    """Base64 pure Ed25519, RFC 8032 without pre-hash (Binance Ed25519 keys, §4)."""
    return base64.b64encode(private_key.sign(payload)).decode()
