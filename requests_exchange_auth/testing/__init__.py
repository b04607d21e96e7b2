"""A testing kit for exchange clients built on these auths.

- :func:`verify` checks a request of any registered scheme as its exchange's server
  would and says why it fails (a :class:`Verdict`); :func:`verify_binance`,
  :func:`verify_poloniex` and :func:`verify_open_api` are the same for one scheme each;
- :class:`LocalExchange`, a verifying exchange on 127.0.0.1 for any test framework,
  with a route for every registered scheme; :class:`LocalBinanceWebSocket`, a verifying
  Binance WebSocket API (signed requests and ``session.logon``), with
  :func:`verify_binance_websocket` for one request frame;
- requests-mock matchers: :func:`matcher` (and :func:`binance_matcher`,
  :func:`poloniex_matcher`, :func:`open_api_matcher`);
- deterministic :class:`FakeClock` and :class:`CountingNonce`;
- pytest fixtures (``local_exchange``, ``frozen_clock``, ``counting_nonce``) from the
  plugin in :mod:`requests_exchange_auth.testing.pytest_plugin`, active on install.

Names load on first use (PEP 562), so that pytest, which imports the plugin in every
run, pays nothing for what a run does not use.

:func:`spec_credentials` and the ``*_KEY``/``*_SECRET`` constants are the specs'
throw-away test credentials, which :class:`LocalExchange` accepts by default; they are
worthless on a real exchange.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

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
    from ._exchange import Interaction, LocalExchange
    from ._fakes import SPEC_TIME_NS, CountingNonce, FakeClock
    from ._mock import (
        SignatureMatcher,
        SignatureMismatch,
        binance_matcher,
        matcher,
        open_api_matcher,
        poloniex_matcher,
    )
    from ._received import Received
    from ._verdict import Failure, Verdict
    from ._verify import spec_credentials, verify
    from ._verify_binance import verify_binance
    from ._verify_binance_ws import verify_binance_websocket
    from ._verify_open_api import open_api_canonical_request, open_api_digest, verify_open_api
    from ._verify_poloniex import verify_poloniex
    from ._ws_exchange import LocalBinanceWebSocket

_HOMES = {
    "._accounts": (
        "BINANCE_ED25519_KEY BINANCE_ED25519_PRIVATE_KEY BINANCE_ED25519_PUBLIC_KEY BINANCE_KEY "
        "BINANCE_RSA_KEY BINANCE_RSA_PRIVATE_KEY BINANCE_RSA_PUBLIC_KEY BINANCE_SECRET "
        "OPEN_API_KEY OPEN_API_SECRET POLONIEX_KEY POLONIEX_SECRET"
    ),
    "._exchange": "Interaction LocalExchange",
    "._fakes": "SPEC_TIME_NS CountingNonce FakeClock",
    "._mock": (
        "SignatureMatcher SignatureMismatch binance_matcher matcher open_api_matcher "
        "poloniex_matcher"
    ),
    "._received": "Received",
    "._verdict": "Failure Verdict",
    "._verify": "spec_credentials verify",
    "._verify_binance": "verify_binance",
    "._verify_binance_ws": "verify_binance_websocket",
    "._verify_open_api": "open_api_canonical_request open_api_digest verify_open_api",
    "._verify_poloniex": "verify_poloniex",
    "._ws_exchange": "LocalBinanceWebSocket",
}
__getattr__, __dir__ = lazy_attributes(__name__, _HOMES)

__all__ = [
    "BINANCE_ED25519_KEY",
    "BINANCE_ED25519_PRIVATE_KEY",
    "BINANCE_ED25519_PUBLIC_KEY",
    "BINANCE_KEY",
    "BINANCE_RSA_KEY",
    "BINANCE_RSA_PRIVATE_KEY",
    "BINANCE_RSA_PUBLIC_KEY",
    "BINANCE_SECRET",
    "OPEN_API_KEY",
    "OPEN_API_SECRET",
    "POLONIEX_KEY",
    "POLONIEX_SECRET",
    "SPEC_TIME_NS",
    "CountingNonce",
    "Failure",
    "FakeClock",
    "Interaction",
    "LocalBinanceWebSocket",
    "LocalExchange",
    "Received",
    "SignatureMatcher",
    "SignatureMismatch",
    "Verdict",
    "binance_matcher",
    "matcher",
    "open_api_canonical_request",
    "open_api_digest",
    "open_api_matcher",
    "poloniex_matcher",
    "spec_credentials",
    "verify",
    "verify_binance",
    "verify_binance_websocket",
    "verify_open_api",
    "verify_poloniex",
]
