"""Requests authentication plugins (``AuthBase`` subclasses) for crypto-exchange APIs.

::

    requests.post("https://api.binance.com/api/v3/order", data=order,
                  auth=BinanceQueryAuth(key, secret))
"""

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
    "InsecureTransportError",
    "MissingDependencyError",
    "MonotonicNonce",
    "NonceError",
    "PoloniexBodyDigestAuth",
    "ServerTimeError",
    "UnsignableRequestError",
    "decrypt_user_data",
]
