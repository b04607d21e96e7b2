"""What the contract tests share: every registered scheme, an auth for it, its examples.

The contract tests iterate over the registry and name no scheme: a scheme added to the
registry is covered by all of them at once.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from requests_exchange_auth._registry import SCHEMES, Scheme
from requests_exchange_auth.testing import CountingNonce, FakeClock
from requests_exchange_auth.testing._verifier import Example

ENTRIES = [pytest.param(entry, id=entry.id) for entry in SCHEMES]


def takes(entry: Scheme, parameter: str) -> bool:
    """Whether the scheme's auth has a constructor parameter called ``parameter``."""
    return parameter in inspect.signature(entry.auth_class).parameters


def deterministic(entry: Scheme, clock: FakeClock | None = None) -> dict[str, Any]:
    """Options that make the auth's output depend on its inputs alone."""
    options: dict[str, Any] = {}
    if takes(entry, "clock"):
        options["clock"] = clock or FakeClock()
    if takes(entry, "nonce"):
        options["nonce"] = CountingNonce(start=10**12)
    return options


def make(entry: Scheme, **options: Any) -> Any:
    """The scheme's auth over its test account."""
    return entry.kit.make_auth(**options)


def secrets_of(entry: Scheme) -> list[str]:
    """The test account's secret values (everything but the key), for leak scans."""
    account = entry.kit.spec_account()
    return [str(value) for value in list(account.values())[1:]]


def example_kwargs(example: Example) -> dict[str, Any]:
    """An example as the keyword arguments of :func:`transports.send`."""
    kwargs: dict[str, Any] = {"params": dict(example.params) or None}
    if example.json is not None:
        kwargs["json"] = dict(example.json)
    elif example.data:
        kwargs["data"] = dict(example.data)
    return kwargs


def examples(entry: Scheme) -> list[Example]:
    """The scheme's examples that use its test account (others need other keys)."""
    return [e for e in entry.kit.examples if e.account is None] or list(entry.kit.examples)
