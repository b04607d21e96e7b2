"""Binance Open Service ``userData``: RSA PKCS#1 v1.5 decryption with the mini program's key.

Specification: ``specs/binance-open-api-jwt.md`` §5.
"""

from __future__ import annotations

import base64
from typing import Any

from ._keys import load_private_key
from ._signing import require
from .exceptions import ConfigurationError, DecryptionError

__all__ = ["decrypt_user_data"]


def _b64decode_tolerant(data: str | bytes) -> bytes:
    """§5: standard, URL-safe or unpadded base64, whitespace ignored."""
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    text = "".join(text.split()).replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    return base64.b64decode(text, validate=True)


def decrypt_user_data(
    private_key: Any, ciphertext: str | bytes, *, private_key_password: str | bytes | None = None
) -> str:
    """Decrypt the ``userData`` of an Open Service response with your RSA private key (§5).

    :param private_key: the RSA private key registered with Binance: PEM ``str``/``bytes``
        or a ``cryptography`` ``RSAPrivateKey``.
    :param ciphertext: base64 text, standard or URL-safe, padded or not.
    :param private_key_password: the password of an encrypted PEM key.
    :returns: the plaintext (an openid, phone number or e-mail address).
    :raises DecryptionError: when the data is not base64 or does not decrypt with this key
        (deliberately without detail: PKCS#1 v1.5 failures must not become an oracle).
    :raises ConfigurationError: when ``ciphertext`` is not ``str`` or ``bytes``, or the
        key is not an RSA private key.
    :raises MissingDependencyError: when ``cryptography`` (the ``crypto`` extra) is missing.

    .. versionadded:: 0.1.0
    """
    if not isinstance(ciphertext, str | bytes):
        msg = (
            f"ciphertext must be str or bytes (the userData text as received), not "
            f"{type(ciphertext).__name__}."
        )
        raise ConfigurationError(msg)
    require("cryptography", extra="crypto", feature="decrypt_user_data")
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = load_private_key(
        private_key, private_key_password, accept=(rsa.RSAPrivateKey,), feature="decrypt_user_data"
    )
    plaintext = _decrypt(key, ciphertext, padding.PKCS1v15())
    # OpenSSL 3.2+ answers a bad PKCS#1 v1.5 ciphertext with pseudo-random bytes
    # ("implicit rejection") instead of an error; userData is an openid, phone number or
    # e-mail address, so anything empty, not UTF-8 or not printable is such an answer.
    if not plaintext or not plaintext.isprintable():
        msg = (
            "userData could not be decrypted: it is not base64, is damaged, or was encrypted "
            "for another key. Pass the userData string as received, and check that "
            "private_key is the key registered for this mini program."
        )
        raise DecryptionError(msg)
    return plaintext


def _decrypt(key: Any, ciphertext: str | bytes, scheme: Any) -> str:
    """Decode and decrypt; any failure comes back as ``""``, leaving no exception attached."""
    try:
        return str(key.decrypt(_b64decode_tolerant(ciphertext), scheme).decode("utf-8"))
    except ValueError:  # binascii.Error, UnicodeDecodeError and decryption failures
        return ""
