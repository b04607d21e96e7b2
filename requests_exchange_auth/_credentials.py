"""Checking, masking and loading credentials; nothing here ever shows a secret."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from .exceptions import ConfigurationError

StrOrBytes = str | bytes


def mask(api_key: str) -> str:
    """Show enough of an API key to recognise it and no more: ``'vmPU…h8A'``."""
    return f"{api_key[:4]}…{api_key[-3:]}" if len(api_key) >= 12 else "…"


def _utf8(secret: bytes) -> str | None:
    try:
        return secret.decode("utf-8")
    except UnicodeDecodeError:
        return None


def utf8_bytes(secret: str) -> bytes | None:
    """``secret`` as UTF-8, or None when it holds a lone surrogate, which has no encoding.

    The caller raises outside any except block: a caught UnicodeEncodeError would ride
    along as ``__context__``, with the whole secret in its ``.object``.
    """
    try:
        return secret.encode("utf-8")
    except UnicodeEncodeError:
        return None


def not_unicode(name: str) -> str:
    """The message for a credential holding a lone surrogate; it shows none of it."""
    return (
        f"{name} holds a lone surrogate, which is not text and has no bytes to sign with "
        "('\\udc80' to '\\udcff' stand for bytes that were not UTF-8, e.g. in an "
        "environment variable; a '\\ud800'-style escape in a JSON file gives one too); set "
        "it to the exact text the exchange showed, or pass its raw bytes as bytes."
    )


def _text(secret: object, name: str) -> str:
    """A credential (secret or API key) as text; the local names keep it from scrubbed logs."""
    if isinstance(secret, bytes):
        # Raised outside any except block: a caught UnicodeDecodeError would ride along
        # as __context__, with the secret in its .object.
        secret_text = _utf8(secret)
        if secret_text is None:
            msg = f"{name} must be UTF-8 text; got bytes that are not. Pass it as str."
            raise ConfigurationError(msg)
        return secret_text
    if isinstance(secret, str):
        if utf8_bytes(secret) is None:
            raise ConfigurationError(not_unicode(name))
        return secret
    msg = f"{name} must be str or bytes, not {type(secret).__name__}."
    raise ConfigurationError(msg)


def _empty(name: str) -> ConfigurationError:
    return ConfigurationError(f"{name} is empty; pass the value shown when the key was created.")


def _spaced(name: str) -> ConfigurationError:
    msg = (
        f"{name} contains whitespace or control characters (often a newline copied "
        "from a file or terminal); strip them, e.g. value.strip()."
    )
    return ConfigurationError(msg)


def api_key(api_key: object, name: str = "api_key") -> str:
    """Validate an API key, which travels in a header and must be one printable token."""
    api_key_text = _text(api_key, name)
    if not api_key_text:
        raise _empty(name)
    if not api_key_text.isprintable() or any(c.isspace() for c in api_key_text):
        raise _spaced(name)
    if not api_key_text.isascii():
        msg = f"{name} contains non-ASCII characters; API keys are ASCII. Check the value."
        raise ConfigurationError(msg)
    return api_key_text


def secret(secret: object, name: str = "secret") -> bytes:
    """Validate a secret and convert it once to the bytes the MAC is keyed with."""
    secret_bytes = secret if isinstance(secret, bytes) else _text(secret, name).encode("utf-8")
    if not secret_bytes:
        raise _empty(name)
    if secret_bytes != secret_bytes.strip():
        raise _spaced(name)
    return secret_bytes


def header_secret(secret_value: object, name: str = "passphrase") -> str:
    """A secret that travels as it is in a header (OKX's and Bitget's passphrase): checked
    as :func:`secret`, and printable ASCII, which every HTTP client can send."""
    secret_text = secret(secret_value, name).decode("latin-1")
    if not secret_text.isascii() or not secret_text.isprintable():
        msg = (
            f"{name} must be printable ASCII: it is sent as it is in a header; pass the "
            "exact value chosen when the API key was created."
        )
        raise ConfigurationError(msg)
    return secret_text


def from_env(
    prefix: str, fields: tuple[str, ...], environ: Mapping[str, str] | None
) -> tuple[str, ...]:
    """Read ``<PREFIX>_API_KEY`` and ``<PREFIX>_API_<FIELD>`` per field; name any missing."""
    secrets_env = os.environ if environ is None else environ
    names = [f"{prefix}_API_{field.upper()}" for field in ("key", *fields)]
    missing = [name for name in names if not secrets_env.get(name)]
    if missing:
        what = "variable" if len(missing) == 1 else "variables"
        verb = "is" if len(missing) == 1 else "are"
        msg = (
            f"environment {what} {_and(missing)} {verb} not set or empty; export "
            f"{_and(names)} with your credentials, or pass them to the constructor."
        )
        raise ConfigurationError(msg)
    return tuple(secrets_env[name] for name in names)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def from_file(path: str | os.PathLike[str], fields: tuple[str, ...]) -> tuple[str, ...]:
    """Read a JSON key file ``{"key": "...", "<field>": "...", ...}``; never echo its content.

    Errors are raised outside the ``except`` blocks: a caught ``JSONDecodeError`` or
    ``UnicodeDecodeError`` carries the whole file, and would ride along as ``__context__``.
    """
    where = os.fspath(path)
    wanted = ("key", *fields)
    shape = "{" + ", ".join(f'"{name}": "..."' for name in wanted) + "}"
    problem = ""
    try:
        key_and_secret = json.loads(Path(where).read_bytes().decode("utf-8"))
    except OSError as exc:
        problem = f"cannot read key file {where!r} ({exc.strerror}); check path and permissions."
    except UnicodeDecodeError:
        problem = f"key file {where!r} is not UTF-8 text; save it as UTF-8 JSON."
    except json.JSONDecodeError as exc:
        problem = (
            f"key file {where!r} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}); it must hold {shape}."
        )
    if problem:
        raise ConfigurationError(problem)
    if not isinstance(key_and_secret, dict) or not all(
        isinstance(key_and_secret.get(f), str) for f in wanted
    ):
        listed = _and([f'"{name}"' for name in wanted])
        msg = (
            f"key file {where!r} must hold a JSON object with string fields {listed}, e.g. {shape}."
        )
        raise ConfigurationError(msg)
    return tuple(key_and_secret[name] for name in wanted)
