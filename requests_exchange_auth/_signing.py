"""Pure signers: bytes in, text out; no requests types, so other transports can reuse them.

Optional libraries are imported on first use and reported by the extra that provides
them (DESIGN.md, "Dependencies").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import importlib
import json
from types import ModuleType
from typing import Any

from .exceptions import MissingDependencyError

# The distributions behind the optional imports, where the names differ ("pip install
# jwt" is an unrelated package).
_DISTRIBUTIONS = {"jwt": "PyJWT"}


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import an optional dependency, or say which extra brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        dist = _DISTRIBUTIONS.get(module, module)
        msg = (
            f"{feature} needs {dist}, which is not installed; install the extra with: "
            f"pip install 'requests-exchange-auth[{extra}]' (from a checkout, until the "
            f"package is on PyPI: python -m pip install '.[{extra}]')"
        )
        raise MissingDependencyError(msg, extra=extra) from exc


class HmacSigner:
    """HMAC under one key (raw, hex or base64), with the key schedule done once.

    :func:`hmac.digest` derives ``K XOR ipad`` and ``K XOR opad`` and looks the digest up
    by name on every call, which costs as much as hashing a short payload. Here the
    standard library's HMAC object is keyed once, in ``__init__``, and each call signs
    with a copy of it, so the bytes are :mod:`hmac`'s own. Where :mod:`hmac` is backed
    by OpenSSL (CPython's ``_hashlib``) the copy is of OpenSSL's keyed state itself, one
    C call, rather than through :meth:`hmac.HMAC.copy`'s Python wrapper. The keyed
    object is only ever copied, never updated, so one signer serves many threads. It
    pickles as its key and digest name, and shows neither.

    :param secret: the secret's bytes (named so, as every local holding a secret is, for
        the scrubbers of tracebacks that show locals).
    :param digest: a :mod:`hashlib` name, ``"sha256"`` or ``"sha512"``.
    """

    __slots__ = ("_digest", "_key", "_keyed")

    def __init__(self, secret: bytes, digest: str) -> None:
        self._key = secret
        self._digest = digest
        keyed = hmac.new(secret, digestmod=digest)
        # OpenSSL's keyed HMAC, when hmac wraps one (it has the same copy/update/digest).
        # Not mutated: either object signs the same bytes, one of them faster.
        self._keyed: hmac.HMAC = getattr(keyed, "_hmac", None) or keyed  # pragma: no mutate

    def digest(self, payload: bytes) -> bytes:
        """The raw HMAC of ``payload``."""
        mac = self._keyed.copy()
        mac.update(payload)
        return mac.digest()

    def hex(self, payload: bytes) -> str:
        """The lowercase hex HMAC of ``payload``."""
        mac = self._keyed.copy()
        mac.update(payload)
        return mac.hexdigest()

    def b64(self, payload: bytes) -> str:
        """The standard base64 (padded) HMAC of ``payload``."""
        mac = self._keyed.copy()
        mac.update(payload)
        return binascii.b2a_base64(mac.digest(), newline=False).decode()

    def __reduce__(self) -> tuple[type[HmacSigner], tuple[bytes, str]]:
        return (HmacSigner, (self._key, self._digest))

    def __repr__(self) -> str:
        return f"HmacSigner({self._digest!r})"


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 (Open API payload hash and ``dig``, binance-open-api-jwt.md §2-3)."""
    return hashlib.sha256(data).hexdigest()


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


# JWT claims JSON as PyJWT writes it (api_jwt: compact separators, ensure_ascii), from one
# encoder: json.dumps with separators= would build a new JSONEncoder on every call.
_CLAIMS_JSON = json.JSONEncoder(separators=(",", ":"))


class JwtSigner:
    """Compact HS256 JWTs of plain claims under one key, made by PyJWT (binance-open-api-jwt.md §3).

    ``jwt.encode`` re-runs PyJWT's key checks (is this PEM, SSH or DER public-key
    material?) on every call, ~14 µs of its ~35 µs here, and copies and re-serializes
    the claims with a fresh JSON encoder. The key never changes, so PyJWT checks it once,
    here, through a private :class:`jwt.PyJWS` whose HS256 algorithm remembers the
    checked key; PyJWS still makes every token. Claims with ``str``/``int`` values are
    serialized exactly as ``jwt.encode`` does: the token is the same, byte for byte.
    Nothing is mutated after ``__init__``, so one signer serves many threads; it pickles
    as its key and shows none of it.

    :param secret: the HMAC key's bytes.
    """

    __slots__ = ("_jws", "_secret")

    def __init__(self, secret: bytes) -> None:
        import jwt  # noqa: PLC0415  # optional extra: callers checked it with require()

        self._secret = secret
        self._jws = jwt.PyJWS(algorithms=[])
        self._jws.register_algorithm("HS256", _checked_key_hs256(secret))

    def token(self, claims: dict[str, Any]) -> str:
        """The compact JWS of ``claims``."""
        payload = _CLAIMS_JSON.encode(claims).encode()
        return self._jws.encode(payload, self._secret, algorithm="HS256")

    def __reduce__(self) -> tuple[type[JwtSigner], tuple[bytes]]:
        return (JwtSigner, (self._secret,))

    def __repr__(self) -> str:
        return "JwtSigner('HS256')"


def _checked_key_hs256(secret: bytes) -> Any:
    """PyJWT's HS256 algorithm, with ``secret`` checked by PyJWT once instead of per token."""
    from jwt.algorithms import HMACAlgorithm  # noqa: PLC0415  # optional extra

    class CheckedKeyHMAC(HMACAlgorithm):
        def __init__(self) -> None:
            super().__init__(HMACAlgorithm.SHA256)
            self._checked = super().prepare_key(secret)  # raises for unsuitable keys

        # Not mutated: checking our own key again gives the same bytes, only later, and
        # PyJWT is only ever given this secret (JwtSigner.token).
        def prepare_key(self, secret_key: str | bytes) -> bytes:
            if secret_key is secret:  # pragma: no mutate
                return self._checked
            return super().prepare_key(secret_key)  # pragma: no mutate

    return CheckedKeyHMAC()
