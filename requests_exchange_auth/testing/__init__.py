"""A testing kit for exchange clients built on these auths.

- verifiers, one per scheme, that check a request as the exchange's server would and
  say why it fails: :func:`verify_binance`, :func:`verify_poloniex`,
  :func:`verify_open_api` (each returns a :class:`Verdict`);
- :class:`LocalExchange`, a verifying exchange on 127.0.0.1 for any test framework;
- requests-mock matchers: :func:`binance_matcher`, :func:`poloniex_matcher`,
  :func:`open_api_matcher`;
- deterministic :class:`FakeClock` and :class:`CountingNonce`;
- pytest fixtures (``local_exchange``, ``frozen_clock``, ``counting_nonce``) from the
  plugin in :mod:`requests_exchange_auth.testing.pytest_plugin`, active on install.

Names load on first use (PEP 562), so that pytest, which imports the plugin in every
run, pays nothing for what a run does not use.

The ``*_KEY``/``*_SECRET`` constants are the specs' throw-away test credentials, which
:class:`LocalExchange` accepts by default; they are worthless on a real exchange.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._accounts import (
        BINANCE_ED25519_KEY,
        BINANCE_ED25519_PRIVATE_KEY,
        BINANCE_ED25519_PUBLIC_KEY,
        BINANCE_KEY,
        BINANCE_RSA_KEY,
        BINANCE_RSA_PRIVATE_KEY,
        BINANCE_RSA_PUBLIC_KEY,
        BINANCE_SECRET,
        OPEN_API_KEY,
        OPEN_API_SECRET,
        POLONIEX_KEY,
        POLONIEX_SECRET,
    )
    from ._exchange import Exchange, LocalExchange
    from ._fakes import SPEC_TIME_NS, CountingNonce, FakeClock
    from ._mock import (
        SignatureMatcher,
        SignatureMismatch,
        binance_matcher,
        open_api_matcher,
        poloniex_matcher,
    )
    from ._received import Received
    from ._routes import DEFAULT_ROUTES, SCHEMES
    from ._verdict import Failure, Verdict
    from ._verify_binance import verify_binance
    from ._verify_open_api import open_api_canonical_request, open_api_digest, verify_open_api
    from ._verify_poloniex import verify_poloniex

_HOMES = {
    "._accounts": (
        "BINANCE_ED25519_KEY BINANCE_ED25519_PRIVATE_KEY BINANCE_ED25519_PUBLIC_KEY BINANCE_KEY "
        "BINANCE_RSA_KEY BINANCE_RSA_PRIVATE_KEY BINANCE_RSA_PUBLIC_KEY BINANCE_SECRET "
        "OPEN_API_KEY OPEN_API_SECRET POLONIEX_KEY POLONIEX_SECRET"
    ),
    "._exchange": "Exchange LocalExchange",
    "._fakes": "SPEC_TIME_NS CountingNonce FakeClock",
    "._mock": (
        "SignatureMatcher SignatureMismatch binance_matcher open_api_matcher poloniex_matcher"
    ),
    "._received": "Received",
    "._routes": "DEFAULT_ROUTES SCHEMES",
    "._verdict": "Failure Verdict",
    "._verify_binance": "verify_binance",
    "._verify_open_api": "open_api_canonical_request open_api_digest verify_open_api",
    "._verify_poloniex": "verify_poloniex",
}
_HOME = {name: module for module, names in _HOMES.items() for name in names.split()}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__all__ = [
    "BINANCE_ED25519_KEY",
    "BINANCE_ED25519_PRIVATE_KEY",
    "BINANCE_ED25519_PUBLIC_KEY",
    "BINANCE_KEY",
    "BINANCE_RSA_KEY",
    "BINANCE_RSA_PRIVATE_KEY",
    "BINANCE_RSA_PUBLIC_KEY",
    "BINANCE_SECRET",
    "DEFAULT_ROUTES",
    "OPEN_API_KEY",
    "OPEN_API_SECRET",
    "POLONIEX_KEY",
    "POLONIEX_SECRET",
    "SCHEMES",
    "SPEC_TIME_NS",
    "CountingNonce",
    "Exchange",
    "Failure",
    "FakeClock",
    "LocalExchange",
    "Received",
    "SignatureMatcher",
    "SignatureMismatch",
    "Verdict",
    "binance_matcher",
    "open_api_canonical_request",
    "open_api_digest",
    "open_api_matcher",
    "poloniex_matcher",
    "verify_binance",
    "verify_open_api",
    "verify_poloniex",
]
