"""Pure signers: bytes in, text out; no requests types, so other transports can reuse them.

Optional libraries are imported on first use and reported by the extra that provides
them (DESIGN.md, "Dependencies").
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
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


# hmac.py's own translation tables: the key XOR ipad / opad, byte by byte (RFC 2104 §2)
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class HmacSigner:
    """Lowercase hex HMAC under one key, with the key schedule done once (RFC 2104 §2).

    :func:`hmac.digest` derives ``K XOR ipad`` and ``K XOR opad`` and looks the digest up
    by name on every call, which costs as much as hashing a short payload twice. Here
    both padded keys are absorbed into hash objects once, in ``__init__``, and each
    call copies them: ``H(K XOR opad, H(K XOR ipad, payload))``, the same bytes
    :mod:`hmac` returns. The objects are only ever copied, never updated, so one signer
    serves many threads. It pickles as its key and digest name, and shows neither.

    :param key: the secret's bytes.
    :param digest: a :mod:`hashlib` name, ``"sha256"`` or ``"sha512"``.
    """

    __slots__ = ("_digest", "_inner", "_key", "_outer")

    def __init__(self, key: bytes, digest: str) -> None:
        self._key = key
        self._digest = digest
        block_size = hashlib.new(digest).block_size
        if len(key) > block_size:  # RFC 2104 §2: hash a long key first
            key = hashlib.new(digest, key).digest()
        key = key.ljust(block_size, b"\0")
        self._inner = hashlib.new(digest, key.translate(_IPAD))
        self._outer = hashlib.new(digest, key.translate(_OPAD))

    def hex(self, payload: bytes) -> str:
        """The hex HMAC of ``payload``."""
        inner = self._inner.copy()
        inner.update(payload)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def __reduce__(self) -> tuple[type[HmacSigner], tuple[bytes, str]]:
        return (HmacSigner, (self._key, self._digest))

    def __repr__(self) -> str:
        return f"HmacSigner({self._digest!r})"


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


# JWT claims JSON as PyJWT writes it (api_jwt: compact separators, ensure_ascii), from one
# encoder: json.dumps with separators= would build a new JSONEncoder on every call.
_CLAIMS_JSON = json.JSONEncoder(separators=(",", ":"))


def jwt_hs256_claims(claims: dict[str, Any], secret: bytes) -> str:
    """:func:`jwt_hs256` for plain claims (str and int values), a third faster.

    ``jwt.encode`` copies the claims, converts datetimes, checks ``iss`` and serializes
    with a fresh encoder before it hands the bytes to PyJWS; for claims that are already
    plain JSON values, this serializes them the same way and hands the same bytes to
    PyJWS, which makes the token. Same token, byte for byte.
    """
    from jwt import api_jws  # noqa: PLC0415  # optional extra, present once the auth was built

    return api_jws.encode(_CLAIMS_JSON.encode(claims).encode(), secret, algorithm="HS256")
