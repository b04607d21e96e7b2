"""Requests authentication plugins (``AuthBase`` subclasses) for crypto-exchange APIs.

::

    requests.post("https://api.binance.com/api/v3/order", data=order,
                  auth=BinanceQueryAuth(key, secret))
"""

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
    "InsecureTransportError",
    "MissingDependencyError",
    "MonotonicNonce",
    "NonceError",
    "PoloniexBodyDigestAuth",
    "UnsignableRequestError",
    "decrypt_user_data",
]
