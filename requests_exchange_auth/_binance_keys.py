"""The three Binance key types as signers: payload bytes in, the ``signature`` value out.

Specification: ``specs/binance-signed-requests.md`` §1 (key types) and §4 (algorithms).
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

from . import _credentials
from ._keys import load_private_key
from ._signing import HmacSigner, ed25519_b64, require, rsa_sha256_b64
from .exceptions import ConfigurationError

_MIN_RSA_BITS = 2048  # §1: Binance registers RSA keys of 2048 or 4096 bits


class Signer(Protocol):
    """Signs ``totalParams``; the result goes into the request as it is."""

    key_type: str

    def __call__(self, payload: bytes) -> str: ...

    def plain(self, payload: bytes) -> str:
        """The signature before any URL encoding (the WebSocket API sends it in JSON)."""
        ...


class HmacKeySigner(HmacSigner):
    """HMAC-SHA256 as lowercase hex (§4), which needs no encoding in a URL."""

    __slots__ = ()
    key_type = "HMAC"

    def __init__(self, secret: bytes) -> None:
        super().__init__(secret, "sha256")  # the key schedule once, not per request

    __call__ = plain = HmacSigner.hex

    def __reduce__(self) -> tuple[type[HmacKeySigner], tuple[bytes]]:  # type: ignore[override]
        return (HmacKeySigner, (self._key,))


class KeySigner:
    """RSA PKCS#1 v1.5 SHA-256 or Ed25519, as base64 then percent-encoded (§4).

    The percent-encoding matters: a raw ``+`` in a query or form body decodes to a space
    on the server, and the signature no longer verifies (-1022).

    Pickles as unencrypted PKCS#8 DER, because ``cryptography`` key objects do not pickle
    (DESIGN.md #6: a pickle carries the credentials; treat it as a secret).
    """

    def __init__(self, private_key: Any) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415  # extra

        self._key = private_key
        is_rsa = isinstance(private_key, rsa.RSAPrivateKey)
        self.key_type = "RSA" if is_rsa else "Ed25519"
        self._sign_b64 = rsa_sha256_b64 if is_rsa else ed25519_b64

    def __call__(self, payload: bytes) -> str:
        return quote(self._sign_b64(self._key, payload), safe="")

    def plain(self, payload: bytes) -> str:
        """Base64 as it is, for JSON (binance-websocket-api.md §3)."""
        return self._sign_b64(self._key, payload)

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        from cryptography.hazmat.primitives import serialization as s  # noqa: PLC0415

        der = self._key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())
        return _from_der, (der,)


def _from_der(der: bytes) -> KeySigner:
    from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
        load_der_private_key,  # optional extra, present where the pickle was made
    )

    return KeySigner(load_der_private_key(der, password=None))


def signer(secret: object, private_key: object, password: object) -> Signer:
    """The signer for exactly one of ``secret`` (HMAC) or ``private_key`` (RSA, Ed25519)."""
    if secret is not None and private_key is not None:
        msg = (
            "BinanceQueryAuth takes either secret (an HMAC key) or private_key (an RSA or "
            "Ed25519 key), not both; pass the one that belongs to this API key."
        )
        raise ConfigurationError(msg)
    if private_key is None:
        if password is not None:
            msg = (
                "private_key_password was given without private_key; pass the encrypted "
                "PEM key as private_key=, or drop private_key_password."
            )
            raise ConfigurationError(msg)
        if secret is None:
            msg = (
                "BinanceQueryAuth needs the HMAC secret, BinanceQueryAuth(api_key, secret), "
                "or an RSA/Ed25519 key, BinanceQueryAuth(api_key, private_key=pem). For "
                "endpoints that take only the API key (e.g. listenKey), use "
                "BinanceApiKeyAuth(api_key)."
            )
            raise ConfigurationError(msg)
        return HmacKeySigner(_credentials.secret(secret))
    return KeySigner(_private_key(private_key, password))


def _private_key(private_key: object, password: object) -> Any:
    feature = "BinanceQueryAuth(private_key=...)"
    require("cryptography", extra="crypto", feature=feature)
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa  # noqa: PLC0415

    if password is not None and not isinstance(password, str | bytes):
        msg = f"private_key_password must be str or bytes, not {type(password).__name__}."
        raise ConfigurationError(msg)
    key = load_private_key(
        private_key,
        password,
        accept=(rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey),
        feature=feature,
    )
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < _MIN_RSA_BITS:
        msg = (
            f"private_key is a {key.key_size}-bit RSA key; Binance needs at least 2048 bits "
            "(it registers 2048- and 4096-bit keys). Generate one with 'openssl genpkey "
            "-algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out private.pem', or use Ed25519."
        )
        raise ConfigurationError(msg)
    return key
