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
from .exceptions import (
    ConfigurationError,
    CrossOriginRedirectError,
    DecryptionError,
    ExchangeAuthError,
    InsecureTransportError,
    MissingDependencyError,
    NonceError,
    NonceTimeoutError,
    UnsignableRequestError,
)
from .nonce import MonotonicNonce
from .poloniex import PoloniexBodyDigestAuth

__version__ = "0.1.0"

__all__ = [
    "BinanceApiKeyAuth",
    "BinanceOpenApiJwtAuth",
    "BinanceQueryAuth",
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
    "UnsignableRequestError",
    "decrypt_user_data",
]
