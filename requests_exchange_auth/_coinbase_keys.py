"""Coinbase CDP keys (EC P-256 and Ed25519) as JWT signers: claims in, a compact JWS out.

Specification: ``specs/coinbase.md`` §1 (key forms) and §3 (algorithms, header).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from typing import Any

from . import _credentials
from ._keys import load_private_key
from ._signing import require
from .exceptions import ConfigurationError

__all__ = ["JwtSigner", "load_key"]

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_CLAIMS_JSON = json.JSONEncoder(separators=(",", ":"))  # PyJWT's compact form (§4)
_KEY_TYPES = (
    "Coinbase CDP keys are ECDSA (EC P-256, the PEM text of the key file) or Ed25519 (the "
    "portal's base64 string, or PKCS#8 PEM); pass the privateKey of a CDP Secret API key "
    "made with one of those algorithms"
)


def _refused(problem: str) -> ConfigurationError:
    return ConfigurationError(f"private_key {problem}; {_KEY_TYPES}.")


def _key_bytes(private_key: str | bytes) -> bytes:
    """§1: the text, with literal ``\\n`` escapes (a JSON file or an env var) as newlines."""
    if isinstance(private_key, str):
        key_bytes = _credentials.utf8_bytes(private_key)
        if key_bytes is None:
            raise ConfigurationError(_credentials.not_unicode("private_key"))
    else:
        key_bytes = private_key
    key_bytes = key_bytes.replace(b"\\n", b"\n").strip()
    if not key_bytes:
        raise _refused("is empty")
    return key_bytes


def _ed25519_from_base64(key_bytes: bytes) -> Any:
    """§1: the portal's base64 of seed ‖ public key (64 bytes), or of the seed alone."""
    from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415  # extra

    raw = None
    with contextlib.suppress(binascii.Error, ValueError):  # raised below, without the key
        raw = base64.b64decode(b"".join(key_bytes.split()), validate=True)
    if raw is None or len(raw) not in (32, 64):
        shape = "is not base64" if raw is None else f"is base64 of {len(raw)} bytes"
        raise _refused(f"is neither PEM nor an Ed25519 key: it {shape}, not of 32 or 64 bytes")
    key = ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32])
    if len(raw) == 64 and key.public_key().public_bytes_raw() != raw[32:]:
        raise _refused("holds 64 bytes whose second half is not the first half's public key")
    return key


def load_key(private_key: object) -> Any:
    """§1: an EC P-256 or Ed25519 private key, from PEM, base64 or a key object."""
    require("cryptography", extra="crypto", feature="CoinbaseAuth")
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: PLC0415  # extra

    key = private_key
    if isinstance(private_key, str | bytes):
        key_bytes = _key_bytes(private_key)
        if b"-----BEGIN" in key_bytes:
            key = load_private_key(key_bytes, None, accept=(object,), feature="CoinbaseAuth")
        else:
            key = _ed25519_from_base64(key_bytes)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise _refused(f"is an EC key on curve {key.curve.name}, not P-256 (secp256r1)")
        return key
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    raise _refused(f"is a {type(key).__name__}, which Coinbase does not take")


def _algorithm(key: Any) -> tuple[str, Any]:
    """PyJWT's algorithm for ``key`` (§3), checked by PyJWT once rather than per token.

    ES256 signs with RFC 6979 deterministic k and a low ``s`` where OpenSSL offers it
    (3.2+), which reproduces the spec's vectors and ccxt's tokens; any k is valid.
    """
    from cryptography.hazmat.backends.openssl import backend  # noqa: PLC0415  # extra
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec, utils  # noqa: PLC0415
    from jwt.algorithms import ECAlgorithm, OKPAlgorithm  # noqa: PLC0415  # jwt extra

    base: Any = ECAlgorithm if isinstance(key, ec.EllipticCurvePrivateKey) else OKPAlgorithm
    # cryptography 44+ over OpenSSL 3.2+; elsewhere a random k (just as valid)
    supported = getattr(backend, "ecdsa_deterministic_supported", lambda: False)()
    ecdsa = ec.ECDSA(hashes.SHA256(), **({"deterministic_signing": True} if supported else {}))

    class Checked(base):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(*((ECAlgorithm.SHA256,) if base is ECAlgorithm else ()))
            self._checked = super().prepare_key(key)  # raises for unsuitable keys

        def prepare_key(self, other: Any) -> Any:
            return self._checked if other is key else super().prepare_key(other)

        def sign(self, msg: bytes, other: Any) -> bytes:
            if base is not ECAlgorithm:
                return super().sign(msg, other)  # type: ignore[no-any-return]
            der = other.sign(msg, ecdsa)
            r, s = utils.decode_dss_signature(der)  # §3: JWS wants raw r ‖ s, not DER
            s = min(s, _P256_ORDER - s)
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return ("ES256" if base is ECAlgorithm else "EdDSA"), Checked()


class JwtSigner:
    """Compact JWS tokens made by PyJWT under one CDP key; pickles as PKCS#8 DER, because
    ``cryptography`` key objects do not (a pickle carries the credentials)."""

    __slots__ = ("_jws", "_key", "alg")

    def __init__(self, key: Any) -> None:
        import jwt  # noqa: PLC0415  # optional extra: checked with require()

        self._key = key
        self.alg, algorithm = _algorithm(key)
        self._jws = jwt.PyJWS(algorithms=[])
        self._jws.register_algorithm(self.alg, algorithm)

    def token(self, claims: dict[str, Any], headers: dict[str, str]) -> str:
        payload = _CLAIMS_JSON.encode(claims).encode()
        return self._jws.encode(payload, self._key, algorithm=self.alg, headers=headers)

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        from cryptography.hazmat.primitives import serialization as s  # noqa: PLC0415

        der = self._key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())
        return _signer_from_der, (der,)

    def __repr__(self) -> str:
        return f"JwtSigner({self.alg!r})"


def _signer_from_der(der: bytes) -> JwtSigner:
    from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
        load_der_private_key,  # optional extra, present where the pickle was made
    )

    return JwtSigner(load_der_private_key(der, password=None))
