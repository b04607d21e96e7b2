"""Testing helpers: a local verifying exchange and the server-side checks behind it.

The ``*_KEY``/``*_SECRET`` constants are the specs' throw-away test credentials, which
:class:`LocalExchange` accepts by default; they are worthless on a real exchange.
"""

from __future__ import annotations

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
from ._verify import Received, Verdict

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
    "Exchange",
    "LocalExchange",
    "Received",
    "Verdict",
]
