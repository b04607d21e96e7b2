"""Loading private keys with the optional ``cryptography`` package; errors show no key material."""

from __future__ import annotations

import re
from typing import Any

from ._credentials import not_unicode, utf8_bytes
from .exceptions import ConfigurationError

_PEM_MARK = b"-----BEGIN"
# the private-key PEM blocks load_pem_private_key reads (PKCS#8, encrypted, PKCS#1, SEC 1)
_PKCS_PRIVATE = re.compile(rb"-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----")
# PEM kinds that load_pem_private_key cannot take, with what to do instead.
_WRONG_PEM = {
    b"-----BEGIN PUBLIC KEY-----": (
        "private_key is a public key (PEM 'BEGIN PUBLIC KEY'); pass the private key. The "
        "public key is the one you register with the exchange."
    ),
    b"-----BEGIN OPENSSH PRIVATE KEY-----": (
        "private_key is in OpenSSH format (PEM 'BEGIN OPENSSH PRIVATE KEY'); convert it to "
        "PKCS#8 with 'ssh-keygen -p -m PKCS8 -f KEYFILE', or generate one with "
        "'openssl genpkey -algorithm ed25519 -out private.pem'."
    ),
    b"-----BEGIN CERTIFICATE-----": (
        "private_key is a certificate (PEM 'BEGIN CERTIFICATE'); pass the private key."
    ),
}


def load_private_key(
    private_key: object, password: str | bytes | None, *, accept: tuple[type, ...], feature: str
) -> Any:
    """A private-key object of one of the ``accept`` types, from PEM ``str``/``bytes`` or an object.

    :param accept: the accepted ``cryptography`` key classes; a caller imports them after
        :func:`require` succeeded.
    :param feature: who asks, named in the errors.
    """
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    wanted = " or ".join(t.__name__ for t in accept)
    if isinstance(private_key, str):
        private_key = _encoded(private_key, "private_key")
    if isinstance(private_key, bytes):
        for mark, problem in _WRONG_PEM.items():
            # a bundle may carry both
            if mark in private_key and not _PKCS_PRIVATE.search(private_key):
                raise ConfigurationError(problem)
        if _PEM_MARK not in private_key:
            msg = (
                "private_key must be PEM text starting with '-----BEGIN PRIVATE KEY-----' "
                f"(or a cryptography {wanted} object); this str/bytes has no BEGIN line."
            )
            raise ConfigurationError(msg)
        private_key = _load_pem(load_pem_private_key, private_key, password)
    elif password is not None:
        msg = (
            "private_key_password applies only to PEM text; this private_key is already a "
            "key object, so drop private_key_password."
        )
        raise ConfigurationError(msg)
    if not isinstance(private_key, accept):
        msg = f"private_key is {_describe(private_key)}; {feature} accepts {wanted} keys only."
        raise ConfigurationError(msg)
    return private_key


def _encoded(secret_text: str, name: str) -> bytes:
    """PEM text or a password as UTF-8; a lone surrogate is a ConfigurationError naming ``name``."""
    secret_bytes = utf8_bytes(secret_text)
    if secret_bytes is None:
        raise ConfigurationError(not_unicode(name))
    return secret_bytes


def _describe(key: object) -> str:
    """What kind of object ``key`` is, in words, without showing any of it."""
    from cryptography.hazmat.primitives.asymmetric import (  # optional extra
        dsa,
        ec,
        ed448,
        ed25519,
        rsa,
        x448,
        x25519,
    )

    kinds: tuple[tuple[type, str], ...] = (
        (rsa.RSAPrivateKey, "an RSA private key"),
        (ed25519.Ed25519PrivateKey, "an Ed25519 private key"),
        (ec.EllipticCurvePrivateKey, "an EC (elliptic-curve) private key"),
        (dsa.DSAPrivateKey, "a DSA private key"),
        (ed448.Ed448PrivateKey, "an Ed448 private key"),
        (x25519.X25519PrivateKey, "an X25519 (key-agreement) private key"),
        (x448.X448PrivateKey, "an X448 (key-agreement) private key"),
    )
    name = type(key).__name__
    for kind, words in kinds:
        if isinstance(key, kind):
            return f"{words} ({name})"
    if "PublicKey" in name:
        return f"a public key ({name}); pass the private key, and register the public one"
    return f"a {name}"


def _load_pem(load: Any, private_key_pem: bytes, password: str | bytes | None) -> Any:
    from cryptography.exceptions import UnsupportedAlgorithm  # optional extra

    if isinstance(password, str):
        password = _encoded(password, "private_key_password")
    problem = ""
    try:
        return load(private_key_pem, password=password)
    except UnsupportedAlgorithm:
        problem = (
            "private_key uses a key type or curve that cannot be loaded here (for example "
            "an EC key on an unusual curve); use an RSA (2048 bits or more) or Ed25519 key."
        )
    except TypeError:
        problem = (
            "private_key is encrypted but no private_key_password was given, or a password "
            "was given for a key that is not encrypted; pass the right private_key_password."
        )
    except ValueError:
        problem = (
            "private_key could not be loaded: the PEM data is damaged, is not a private "
            "key, or the private_key_password is wrong. Check it with "
            "'openssl pkey -in key.pem -noout'."
        )
    # Raised here, not in the except blocks, so no loader exception rides along.
    raise ConfigurationError(problem)
