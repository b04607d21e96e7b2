"""Requests authentication plugins (``AuthBase`` subclasses) for crypto-exchange APIs.

::

    requests.post("https://api.binance.com/api/v3/order", data=order,
                  auth=BinanceQueryAuth(key, secret))
"""

from ._file_nonce import FileNonce
from ._ordered import OrderedAdapter, OrderedNonce
from ._redis_nonce import RedisNonce
from .binance import BinanceApiKeyAuth, BinanceQueryAuth
from .binance_open import BinanceOpenApiJwtAuth, decrypt_user_data
from .clock import BinanceServerClock
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
from .poloniex import PoloniexBodyDigestAuth

__version__ = "0.2.0"

__all__ = [
    "BinanceApiKeyAuth",
    "BinanceOpenApiJwtAuth",
    "BinanceQueryAuth",
    "BinanceServerClock",
    "ConfigurationError",
    "CrossOriginRedirectError",
    "DecryptionError",
    "ExchangeAuthError",
    "FileNonce",
    "InsecureTransportError",
    "MissingDependencyError",
    "MonotonicNonce",
    "NonceError",
    "NonceTimeoutError",
    "OrderedAdapter",
    "OrderedNonce",
    "PoloniexBodyDigestAuth",
    "RedisNonce",
    "ServerTimeError",
    "UnsignableRequestError",
    "decrypt_user_data",
]
