"""The credentials a verifier checks with: HMAC secrets as bytes, public keys as objects.

``cryptography`` is imported only when a public key is given (DESIGN.md, "Dependencies").
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._time import Clock
from ..exceptions import ConfigurationError

_PEM = b"-----BEGIN"
_PUBLIC_PEM = b"-----BEGIN PUBLIC KEY-----"


def secret_bytes(value: object, name: str) -> bytes:
    """An HMAC secret as the bytes the MAC is keyed with; a PEM key here is a mix-up."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes) or not value:
        msg = f"{name} must be a non-empty str or bytes (the secret shown when the key was made)."
        raise ConfigurationError(msg)
    if _PEM in value:
        msg = (
            f"{name} holds a PEM key; an RSA or Ed25519 key is checked with public_key=, "
            "not as an HMAC secret."
        )
        raise ConfigurationError(msg)
    return value


def public_key(value: object) -> Any:
    """A ``cryptography`` public-key object from PEM text or a key object.

    A private key (object or PEM) is accepted too and stands for its public half, so a
    test can check with the same key file the client signs with.
    """
    from .._signing import require  # noqa: PLC0415  # only public-key users need cryptography

    require("cryptography", extra="crypto", feature="verifying RSA/Ed25519 signatures")
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes):
        value = _load_pem(serialization, value)
    if hasattr(value, "public_key"):  # a private key object
        value = value.public_key()
    if not hasattr(value, "verify"):
        msg = (
            f"public_key must be an RSA or Ed25519 key as PEM text or a cryptography "
            f"key object, not {type(value).__name__}."
        )
        raise ConfigurationError(msg)
    return value


def _load_pem(serialization: Any, pem: bytes) -> Any:
    problem = ""
    try:
        if _PUBLIC_PEM in pem:
            return serialization.load_pem_public_key(pem)
        return serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        problem = (
            "public_key could not be loaded: expected PEM text starting with "
            "'-----BEGIN PUBLIC KEY-----' (or an unencrypted private key)."
        )
    raise ConfigurationError(problem)  # outside the except: no key material rides along


def binance_credential(value: object) -> Any:
    """A :class:`LocalExchange` Binance account: PEM public key or key object, else HMAC secret."""
    if isinstance(value, (str, bytes)):
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return public_key(raw) if _PEM in raw else secret_bytes(raw, "secret")
    return public_key(value)


def binance_account(secret: object, key: object, *, key_only: bool, who: str) -> Any:
    """The one credential a Binance check takes: ``secret`` or ``public_key``, exactly one."""
    if (secret is None) == (key is None) and not key_only:
        msg = f"{who} needs exactly one of secret= (HMAC keys) and public_key= (RSA/Ed25519 keys)."
        raise ConfigurationError(msg)
    if secret is not None:
        return secret_bytes(secret, "secret")
    return public_key(key) if key is not None else b""


@dataclass(frozen=True, repr=False)
class PassphraseAccount:
    """The credential of a key that has a secret and a passphrase (OKX, Bitget, KuCoin).

    :param secret: the secret's bytes.
    :param passphrase: the passphrase's bytes.
    """

    secret: bytes
    passphrase: bytes

    def __repr__(self) -> str:  # never show either
        return "PassphraseAccount(...)"


def passphrase_account(*values: Any) -> PassphraseAccount:
    """A :class:`PassphraseAccount` from ``(secret, passphrase)``, one such pair or a
    ``{"secret": ..., "passphrase": ...}`` mapping, or an account already made."""
    if len(values) == 1:
        (value,) = values
        if isinstance(value, PassphraseAccount):
            return value
        if isinstance(value, Mapping):
            values = (value.get("secret"), value.get("passphrase"))
        elif isinstance(value, tuple | list):
            values = tuple(value)
    if len(values) != 2:
        msg = (
            "this scheme's accounts need the secret and the passphrase: pass "
            "(secret, passphrase) or {'secret': ..., 'passphrase': ...}."
        )
        raise ConfigurationError(msg)
    return PassphraseAccount(
        secret_bytes(values[0], "secret"), secret_bytes(values[1], "passphrase")
    )


def now_ms(clock: Clock | None) -> int:
    """The server's time for a check, in milliseconds: ``clock``'s, or the wall clock's."""
    return (clock or time.time_ns)() // 1_000_000


def key_signature_ok(public_key: Any, payload: bytes, signature_b64: str) -> bool:
    """Whether base64 ``signature_b64`` is ``public_key``'s signature over ``payload``:
    RSASSA-PKCS1-v1_5 with SHA-256 for an RSA key, pure Ed25519 (RFC 8032) otherwise.

    Only the canonical base64 spelling is accepted: another spelling of the same bytes
    is a different signature text, which the exchanges reject.
    """
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415  # optional extra
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: PLC0415

    try:
        raw = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    if base64.b64encode(raw).decode() != signature_b64:
        return False
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        else:
            public_key.verify(raw, payload)  # Ed25519: pure, no pre-hash
    except InvalidSignature:
        return False
    return True
