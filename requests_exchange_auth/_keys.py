"""Loading private keys with the optional ``cryptography`` package; errors show no key material."""

from __future__ import annotations

from typing import Any

from ._signing import require
from .exceptions import ConfigurationError

_PEM_MARK = b"-----BEGIN"


def load_private_key(
    key: object, password: str | bytes | None, *, accept: tuple[type, ...], feature: str
) -> Any:
    """A private-key object of one of the ``accept`` types, from PEM ``str``/``bytes`` or an object.

    :param feature: named in the error when ``cryptography`` is missing.
    """
    require("cryptography", extra="crypto", feature=feature)
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    wanted = " or ".join(t.__name__ for t in accept)
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(key, bytes):
        if _PEM_MARK not in key:
            msg = (
                "private_key must be PEM text starting with '-----BEGIN PRIVATE KEY-----' "
                f"(or a cryptography {wanted} object); this str/bytes has no BEGIN line."
            )
            raise ConfigurationError(msg)
        key = _load_pem(load_pem_private_key, key, password)
    if not isinstance(key, accept):
        msg = f"private_key is a {type(key).__name__}; {feature} accepts {wanted} keys only."
        raise ConfigurationError(msg)
    return key


def _load_pem(load: Any, pem: bytes, password: str | bytes | None) -> Any:
    secret = password.encode("utf-8") if isinstance(password, str) else password
    problem = ""
    try:
        return load(pem, password=secret)
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
