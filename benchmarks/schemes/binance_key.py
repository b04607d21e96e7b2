"""Binance API-key-only endpoints (USER_STREAM, MARKET_DATA): no rows.

``BinanceApiKeyAuth`` sets ``X-MBX-APIKEY`` and signs nothing, so there is no signature
primitive to divide by and nothing for a peer to sign.
"""

from __future__ import annotations

from _bench import SignsNothing

ROWS = SignsNothing("BinanceApiKeyAuth sets X-MBX-APIKEY and signs nothing: no floor, no peer")
