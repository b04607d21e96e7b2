"""Checking, masking and loading credentials; nothing here ever shows a secret."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from .exceptions import ConfigurationError

StrOrBytes = str | bytes
Clock = Callable[[], int]


def mask(api_key: str) -> str:
    """Show enough of an API key to recognise it and no more: ``'vmPU…h8A'``."""
    return f"{api_key[:4]}…{api_key[-3:]}" if len(api_key) >= 12 else "…"


def _utf8(value: bytes) -> str | None:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _text(value: object, name: str) -> str:
    if isinstance(value, bytes):
        # Raised outside any except block: a caught UnicodeDecodeError would ride along
        # as __context__, with the secret in its .object.
        text = _utf8(value)
        if text is None:
            msg = f"{name} must be UTF-8 text; got bytes that are not. Pass it as str."
            raise ConfigurationError(msg)
        return text
    if isinstance(value, str):
        return value
    msg = f"{name} must be str or bytes, not {type(value).__name__}."
    raise ConfigurationError(msg)


def _empty(name: str) -> ConfigurationError:
    return ConfigurationError(f"{name} is empty; pass the value shown when the key was created.")


def _spaced(name: str) -> ConfigurationError:
    msg = (
        f"{name} contains whitespace or control characters (often a newline copied "
        "from a file or terminal); strip them, e.g. value.strip()."
    )
    return ConfigurationError(msg)


def api_key(value: object, name: str = "api_key") -> str:
    """Validate an API key, which travels in a header and must be one printable token."""
    text = _text(value, name)
    if not text:
        raise _empty(name)
    if not text.isprintable() or any(c.isspace() for c in text):
        raise _spaced(name)
    if not text.isascii():
        msg = f"{name} contains non-ASCII characters; API keys are ASCII. Check the value."
        raise ConfigurationError(msg)
    return text


def secret(value: object, name: str = "secret") -> bytes:
    """Validate a secret and convert it once to the bytes the MAC is keyed with."""
    data = value if isinstance(value, bytes) else _text(value, name).encode("utf-8")
    if not data:
        raise _empty(name)
    if data != data.strip():
        raise _spaced(name)
    return data


def clock(value: Clock | None) -> Clock:
    """The injected clock (Unix time in nanoseconds), or :func:`time.time_ns`."""
    if value is None:
        return time.time_ns
    if not callable(value):
        msg = (
            f"clock must be a zero-argument callable returning Unix time in nanoseconds "
            f"as an int (like time.time_ns), not {type(value).__name__}."
        )
        raise ConfigurationError(msg)
    return value


def checked_now(now: object, unit: str) -> int:
    """Validate what a clock returned, so a float clock fails loudly instead of signing 1.5e12."""
    if type(now) is not int:
        msg = (
            f"the clock returned {type(now).__name__}; it must return Unix time in "
            f"nanoseconds as an int, like time.time_ns. It is converted to {unit} here."
        )
        raise ConfigurationError(msg)
    return now


def from_env(prefix: str, environ: Mapping[str, str] | None) -> tuple[str, str]:
    """Read ``<PREFIX>_API_KEY`` and ``<PREFIX>_API_SECRET``; name any that is missing."""
    env = os.environ if environ is None else environ
    names = (f"{prefix}_API_KEY", f"{prefix}_API_SECRET")
    missing = [name for name in names if not env.get(name)]
    if missing:
        msg = (
            f"environment variable {' and '.join(missing)} is not set or empty; "
            f"export {names[0]} and {names[1]} with your credentials, or pass them "
            "to the constructor."
        )
        raise ConfigurationError(msg)
    return env[names[0]], env[names[1]]


def from_file(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Read a JSON key file ``{"key": "...", "secret": "..."}``; never echo its content.

    Errors are raised outside the ``except`` blocks: a caught ``JSONDecodeError`` or
    ``UnicodeDecodeError`` carries the whole file, and would ride along as ``__context__``.
    """
    where = os.fspath(path)
    problem = ""
    try:
        data = json.loads(Path(where).read_bytes().decode("utf-8"))
    except OSError as exc:
        problem = f"cannot read key file {where!r} ({exc.strerror}); check path and permissions."
    except UnicodeDecodeError:
        problem = f"key file {where!r} is not UTF-8 text; save it as UTF-8 JSON."
    except json.JSONDecodeError as exc:
        problem = (
            f"key file {where!r} is not valid JSON (line {exc.lineno}, column "
            f'{exc.colno}); it must hold {{"key": "...", "secret": "..."}}.'
        )
    if problem:
        raise ConfigurationError(problem)
    if not isinstance(data, dict) or not all(
        isinstance(data.get(f), str) for f in ("key", "secret")
    ):
        msg = (
            f'key file {where!r} must hold a JSON object with string fields "key" and '
            '"secret", e.g. {"key": "...", "secret": "..."}.'
        )
        raise ConfigurationError(msg)
    return data["key"], data["secret"]
