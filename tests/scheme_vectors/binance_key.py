"""binance-signed-requests.md §1: an API-key-only request (listenKey) carries the key alone."""

from __future__ import annotations

from vectors import BINANCE_API_KEY

from requests_exchange_auth.schemes.binance_key import BinanceApiKeyAuth
from scheme_vectors import WireVector

VECTORS = (
    WireVector("listenKey", lambda: BinanceApiKeyAuth(BINANCE_API_KEY), "POST",
               "https://api.binance.com/api/v3/userDataStream", target="/api/v3/userDataStream",
               signed_headers={"X-MBX-APIKEY": BINANCE_API_KEY},
               account={"api_key": BINANCE_API_KEY, "secret": "unused"}),
)  # fmt: skip
