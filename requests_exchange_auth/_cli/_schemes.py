"""What the command line does per scheme, read from the registry: build its auth, check.

No scheme is named here: the options a scheme takes are the ones its auth's constructor
has (``clock``, ``nonce``, ``recv_window``, ``unit``, ``private_key``), and its payload and
advice come from its testing-kit verifier.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._auth import ExchangeAuth
from .._keys import load_private_key
from .._registry import SCHEMES, Scheme
from ..testing import Received, Verdict
from ._creds import Credentials
from ._errors import CliError

__all__ = ["IDS", "Options", "check", "make_auth", "takes"]

#: the scheme ids, for argparse's choices
IDS = tuple(entry.id for entry in SCHEMES)


@dataclass(frozen=True)
class Options:
    """The signing and checking options the user gave (None: not given)."""

    timestamp_ms: int | None = None
    nonce: int | None = None
    recv_window: str | None = None
    unit: str | None = None
    allow_insecure_http: bool = False
    now_ms: int | None = None
    last_nonce: int | None = None


def takes(entry: Scheme, parameter: str) -> bool:
    """Whether the scheme's auth has a constructor parameter called ``parameter``."""
    return parameter in inspect.signature(entry.auth_class).parameters


def _fixed(value: int) -> Callable[[], int]:
    return lambda: value


def _option(entry: Scheme, parameter: str, flag: str, value: Any) -> dict[str, Any]:
    """``{parameter: value}`` when given, refusing a flag the scheme has no use for."""
    if value is None:
        return {}
    if not takes(entry, parameter):
        raise CliError(f"{flag} is not an option of {entry.id} requests.")
    return {parameter: value}


def make_auth(entry: Scheme, creds: Credentials, options: Options) -> ExchangeAuth:
    """The scheme's auth over the user's credentials and options."""
    ms = options.timestamp_ms
    kwargs: dict[str, Any] = {
        **_option(entry, "clock", "--timestamp", None if ms is None else _fixed(ms * 10**6)),
        **_option(
            entry, "nonce", "--nonce", None if options.nonce is None else _fixed(options.nonce)
        ),
        **_option(entry, "recv_window", "--recv-window", options.recv_window),
        **_option(entry, "unit", "--unit", options.unit),
        "allow_insecure_http": options.allow_insecure_http,
    }
    if creds.private_key is not None:
        kwargs.update(_option(entry, "private_key", "--private-key", creds.private_key))
        kwargs["private_key_password"] = creds.password
        return entry.auth_class(creds.api_key, **kwargs)
    return entry.auth_class(creds.api_key, *creds.values, **kwargs)


def check(entry: Scheme, received: Received, creds: Credentials, options: Options) -> Verdict:
    """The scheme's server-side check of ``received`` with the user's credentials."""
    kit = entry.kit
    if creds.private_key is not None:  # its public half checks the signature
        key: Any = load_private_key(
            creds.private_key, creds.password, accept=(object,), feature="verify --private-key"
        )
        credential = kit.credential(key)
    elif creds.public_key is not None:
        credential = kit.credential(creds.public_key)
    else:
        credential = kit.credential(*creds.values)
    now = options.now_ms if options.now_ms is not None else time.time_ns() // 1_000_000
    return kit.check(received, {creds.api_key: credential}, now, options.last_nonce)
