"""The registry: every signing scheme once, with where its auth and its verifier live.

The testing kit (local exchange routes, verifiers, matchers), the command line, the demo,
the documentation and the contract tests iterate over :data:`SCHEMES`; nothing else
lists schemes, and nothing dispatches on their names. Adding an exchange adds its scheme
module, its verifier, its tests, its docs page and one entry here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .exceptions import ConfigurationError

if TYPE_CHECKING:
    from ._auth import ExchangeAuth
    from .testing._verifier import Verifier

__all__ = ["DOCS_URL", "SCHEMES", "Scheme", "scheme"]

#: Where the documentation lives (setup.cfg's "Documentation" URL): the CLI points there.
DOCS_URL = "https://requests-exchange-auth.readthedocs.io/en/latest/"


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module, __package__), name)


@dataclass(frozen=True)
class Scheme:
    """One signing scheme: an exchange API's authentication.

    :param id: the one name of the scheme everywhere (CLI, kit, docs), e.g. ``"kraken"``.
    :param title: what it signs, for people, to read as "a <title> request".
    :param auth: the auth class, ``module:Name`` relative to the package.
    :param verifier: its testing-kit verifier, ``module:name`` relative to the package.
    :param spec: the signing specification it implements (the project's design
        documents, not shipped: users read :attr:`docs_url`).
    """

    id: str
    title: str
    auth: str
    verifier: str
    spec: str

    @property
    def docs_url(self) -> str:
        """The scheme's page in the documentation (``docs/exchanges/<id>.rst``)."""
        return f"{DOCS_URL}exchanges/{self.id}.html"

    @cached_property
    def auth_class(self) -> type[ExchangeAuth]:
        """The auth class (imported on first use)."""
        cls: type[ExchangeAuth] = _load(self.auth)
        return cls

    @cached_property
    def kit(self) -> Verifier:
        """The testing kit's verifier (imported on first use)."""
        verifier: Verifier = _load(self.verifier)
        return verifier


SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "binance", "Binance SIGNED",
        ".schemes.binance:BinanceQueryAuth", ".testing._verify_binance:BINANCE",
        "binance-signed-requests.md",
    ),
    Scheme(
        "binance-key", "Binance API-key-only",
        ".schemes.binance_key:BinanceApiKeyAuth", ".testing._verify_binance:BINANCE_KEY",
        "binance-signed-requests.md",
    ),
    Scheme(
        "binance-open-api", "Binance Open Service",
        ".schemes.binance_open:BinanceOpenApiJwtAuth", ".testing._verify_open_api:OPEN_API",
        "binance-open-api-jwt.md",
    ),
    Scheme(
        "poloniex-legacy", "Poloniex legacy trading-API",
        ".schemes.poloniex_legacy:PoloniexBodyDigestAuth",
        ".testing._verify_poloniex:POLONIEX_LEGACY", "poloniex.md",
    ),
    Scheme(
        "poloniex", "Poloniex v3",
        ".schemes.poloniex:PoloniexAuth", ".testing._verify_poloniex_v3:POLONIEX",
        "poloniex.md",
    ),
    Scheme(
        "kraken", "Kraken Spot",
        ".schemes.kraken:KrakenAuth", ".testing._verify_kraken:KRAKEN", "kraken.md",
    ),
    Scheme(
        "kraken-futures", "Kraken Futures",
        ".schemes.kraken_futures:KrakenFuturesAuth",
        ".testing._verify_kraken_futures:KRAKEN_FUTURES", "kraken.md",
    ),
    Scheme(
        "bybit", "Bybit v5",
        ".schemes.bybit:BybitAuth", ".testing._verify_bybit:BYBIT", "bybit.md",
    ),
    Scheme(
        "okx", "OKX v5",
        ".schemes.okx:OkxAuth", ".testing._verify_okx:OKX", "okx.md",
    ),
    Scheme(
        "bitget", "Bitget v2",
        ".schemes.bitget:BitgetAuth", ".testing._verify_bitget:BITGET", "bitget.md",
    ),
    Scheme(
        "kucoin", "KuCoin",
        ".schemes.kucoin:KucoinAuth", ".testing._verify_kucoin:KUCOIN", "kucoin.md",
    ),
    Scheme(
        "coinbase", "Coinbase Advanced Trade",
        ".schemes.coinbase:CoinbaseAuth", ".testing._verify_coinbase:COINBASE", "coinbase.md",
    ),
    Scheme(
        "mexc", "MEXC spot v3 SIGNED",
        ".schemes.mexc:MexcAuth", ".testing._verify_mexc:MEXC", "mexc.md",
    ),
    Scheme(
        "mexc-futures", "MEXC futures (contract API)",
        ".schemes.mexc_futures:MexcFuturesAuth",
        ".testing._verify_mexc_futures:MEXC_FUTURES", "mexc.md",
    ),
    Scheme(
        "gate", "Gate APIv4",
        ".schemes.gate:GateAuth", ".testing._verify_gate:GATE", "gate.md",
    ),
    Scheme(
        "bingx", "BingX",
        ".schemes.bingx:BingxAuth", ".testing._verify_bingx:BINGX", "bingx.md",
    ),
)  # fmt: skip


def scheme(id: str) -> Scheme:  # the registry's own word for it
    """The registered scheme called ``id``.

    :raises ConfigurationError: naming the registered ids.
    """
    for entry in SCHEMES:
        if entry.id == id:
            return entry
    msg = f"no scheme {id!r}; expected one of {', '.join(s.id for s in SCHEMES)}."
    raise ConfigurationError(msg)
