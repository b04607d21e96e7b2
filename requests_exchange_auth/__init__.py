"""Requests authentication plugins (``AuthBase`` subclasses) for crypto-exchange APIs.

::

    requests.post("https://api.binance.com/api/v3/order", data=order,
                  auth=BinanceQueryAuth(key, secret))

The same auths sign for httpx (:class:`requests_exchange_auth.httpx.HttpxAuth`) and for
any other client (``auth.sign(method, url, headers=..., body=...)``).

Names load on first use (PEP 562): the scheme modules in
``requests_exchange_auth.schemes`` import no HTTP client, and importing this package
does not import one either until an auth is built.
"""

import typing as _typing

from ._lazy import lazy_attributes as _lazy_attributes

if _typing.TYPE_CHECKING:
    from ._adapter import ExchangeAdapter, OrderedAdapter
    from ._draft import SignedRequest
    from ._file_nonce import FileNonce
    from ._ordered import OrderedNonce
    from ._redis_nonce import RedisNonce
    from ._retry import SignedRetry
    from ._user_data import decrypt_user_data
    from .clock import BinanceServerClock, ServerClock
    from .exceptions import (
        ConfigurationError,
        CrossOriginRedirectError,
        DecryptionError,
        ExchangeAuthError,
        InsecureTransportError,
        MissingDependencyError,
        NonceError,
        NonceTimeoutError,
        ServerTimeError,
        UnsignableRequestError,
    )
    from .nonce import MonotonicNonce
    from .schemes.binance import BinanceQueryAuth
    from .schemes.binance_key import BinanceApiKeyAuth
    from .schemes.binance_open import BinanceOpenApiJwtAuth
    from .schemes.bingx import BingxAuth
    from .schemes.bitget import BitgetAuth
    from .schemes.bybit import BybitAuth
    from .schemes.coinbase import CoinbaseAuth
    from .schemes.gate import GateAuth
    from .schemes.kraken import KrakenAuth
    from .schemes.kraken_futures import KrakenFuturesAuth
    from .schemes.kucoin import KucoinAuth
    from .schemes.mexc import MexcAuth
    from .schemes.mexc_futures import MexcFuturesAuth
    from .schemes.okx import OkxAuth
    from .schemes.poloniex import PoloniexAuth
    from .schemes.poloniex_legacy import PoloniexBodyDigestAuth

__version__ = "0.3.0"

_HOMES = {
    "._adapter": "ExchangeAdapter OrderedAdapter",
    "._draft": "SignedRequest",
    "._file_nonce": "FileNonce",
    "._ordered": "OrderedNonce",
    "._redis_nonce": "RedisNonce",
    "._retry": "SignedRetry",
    "._user_data": "decrypt_user_data",
    ".clock": "BinanceServerClock ServerClock",
    ".exceptions": (
        "ConfigurationError CrossOriginRedirectError DecryptionError ExchangeAuthError "
        "InsecureTransportError MissingDependencyError NonceError NonceTimeoutError "
        "ServerTimeError UnsignableRequestError"
    ),
    ".nonce": "MonotonicNonce",
    ".schemes.binance": "BinanceQueryAuth",
    ".schemes.binance_key": "BinanceApiKeyAuth",
    ".schemes.binance_open": "BinanceOpenApiJwtAuth",
    ".schemes.bingx": "BingxAuth",
    ".schemes.bitget": "BitgetAuth",
    ".schemes.bybit": "BybitAuth",
    ".schemes.coinbase": "CoinbaseAuth",
    ".schemes.gate": "GateAuth",
    ".schemes.kraken": "KrakenAuth",
    ".schemes.kraken_futures": "KrakenFuturesAuth",
    ".schemes.kucoin": "KucoinAuth",
    ".schemes.mexc": "MexcAuth",
    ".schemes.mexc_futures": "MexcFuturesAuth",
    ".schemes.okx": "OkxAuth",
    ".schemes.poloniex": "PoloniexAuth",
    ".schemes.poloniex_legacy": "PoloniexBodyDigestAuth",
}
__getattr__, __dir__ = _lazy_attributes(__name__, _HOMES)


__all__ = [
    "BinanceApiKeyAuth",
    "BinanceOpenApiJwtAuth",
    "BinanceQueryAuth",
    "BinanceServerClock",
    "BingxAuth",
    "BitgetAuth",
    "BybitAuth",
    "CoinbaseAuth",
    "ConfigurationError",
    "CrossOriginRedirectError",
    "DecryptionError",
    "ExchangeAdapter",
    "ExchangeAuthError",
    "FileNonce",
    "GateAuth",
    "InsecureTransportError",
    "KrakenAuth",
    "KrakenFuturesAuth",
    "KucoinAuth",
    "MexcAuth",
    "MexcFuturesAuth",
    "MissingDependencyError",
    "MonotonicNonce",
    "NonceError",
    "NonceTimeoutError",
    "OkxAuth",
    "OrderedAdapter",
    "OrderedNonce",
    "PoloniexAuth",
    "PoloniexBodyDigestAuth",
    "RedisNonce",
    "ServerClock",
    "ServerTimeError",
    "SignedRequest",
    "SignedRetry",
    "UnsignableRequestError",
    "decrypt_user_data",
]
