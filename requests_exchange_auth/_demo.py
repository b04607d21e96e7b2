"""``python -m requests_exchange_auth demo``: sign real requests against a local verifying exchange.

No credentials or network: the exchange runs on 127.0.0.1 with the specs' throw-away keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import requests
from requests import PreparedRequest

from ._credentials import mask
from .binance import BinanceQueryAuth
from .binance_open import BinanceOpenApiJwtAuth
from .exceptions import MissingDependencyError
from .poloniex import PoloniexBodyDigestAuth
from .testing import LocalExchange
from .testing import _accounts as local

Tamper = Callable[[PreparedRequest], None]
_SIGNATURE = re.compile(r"(signature=)([^&]{8})[^&]*")
_SHOWN_HEADERS = ("X-MBX-APIKEY", "Key", "Sign", "X-Mp-Open-Api-Token", "Content-Type")
_KEY_HEADERS = ("X-MBX-APIKEY", "Key")
_SIGNATURE_HEADERS = ("Sign", "X-Mp-Open-Api-Token")


@dataclass
class Step:
    """One request of the demo; a tampered one must be rejected."""

    title: str
    method: str
    path: str
    make_auth: Callable[[], requests.auth.AuthBase]
    options: dict[str, Any] = field(default_factory=dict)
    tamper: Tamper | None = None


def _change_amount(r: PreparedRequest) -> None:
    """Change one byte of the signed body after signing, as a buggy client or proxy would."""
    body = str(r.body)
    r.body = body.replace("quantity=1", "quantity=9", 1).replace("amount=1", "amount=9", 1)


def _binance() -> BinanceQueryAuth:
    return BinanceQueryAuth(local.BINANCE_KEY, local.BINANCE_SECRET, recv_window=5000)


def _binance_ed25519() -> BinanceQueryAuth:
    return BinanceQueryAuth(
        local.BINANCE_ED25519_KEY, private_key=local.BINANCE_ED25519_PRIVATE_KEY, recv_window=5000
    )


def _poloniex() -> PoloniexBodyDigestAuth:
    return PoloniexBodyDigestAuth(local.POLONIEX_KEY, local.POLONIEX_SECRET)


def _open_api() -> BinanceOpenApiJwtAuth:
    return BinanceOpenApiJwtAuth(local.OPEN_API_KEY, local.OPEN_API_SECRET)


_ORDER = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "1",
    "price": "0.1",
}
_POLONIEX_ORDER = {"command": "buy", "currencyPair": "BTC_ETH", "rate": "0.01", "amount": "1"}
_APP = "/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd"

STEPS = (
    Step("Binance SIGNED GET, parameters in the query", "GET", "/api/v3/account", _binance,
         {"params": {"omitZeroBalances": "true"}}),
    Step("Binance SIGNED POST, parameters in the form body", "POST", "/api/v3/order", _binance,
         {"data": _ORDER}),
    Step("Binance SIGNED POST with an Ed25519 key (Binance's recommended key type)", "POST",
         "/api/v3/order", _binance_ed25519, {"data": _ORDER}),
    Step("Binance API key only (listenKey)", "POST", "/api/v3/userDataStream",
         lambda: _binance().key_only()),
    Step("Poloniex legacy trading API: nonce + HMAC-SHA512 of the body", "POST", "/tradingApi",
         _poloniex, {"data": _POLONIEX_ORDER}),
    Step("Binance Open Service JWT: GET user-open-data", "GET", f"{_APP}/user-open-data",
         _open_api, {"params": {"openData": "dt_TEST/abc+1=="}}),
    Step("Binance Open Service JWT: POST with a JSON body", "POST", f"{_APP}/message/send",
         _open_api, {"json": {"openId": "o_TEST_1", "templateId": "t_1"}}),
    Step("TAMPERED Binance order: quantity changed after signing", "POST", "/api/v3/order",
         _binance, {"data": _ORDER}, tamper=_change_amount),
    Step("TAMPERED Poloniex order: amount changed after signing", "POST", "/tradingApi",
         _poloniex, {"data": _POLONIEX_ORDER}, tamper=_change_amount),
)  # fmt: skip


def _masked(text: str) -> str:
    """Show a signature parameter by its first characters only."""
    return _SIGNATURE.sub(lambda m: f"{m[1]}{m[2]}…", text)


def _show(r: PreparedRequest, out: TextIO) -> None:
    print(f"    sent     {r.method} {_masked(r.path_url)}", file=out)
    for name in _SHOWN_HEADERS:
        value = r.headers.get(name)
        if value is not None:
            shown = mask(str(value)) if name in _KEY_HEADERS else str(value)
            if name in _SIGNATURE_HEADERS:
                shown = shown[:12] + "…"
            print(f"             {name}: {shown}", file=out)
    if r.body:
        body = r.body.decode("utf-8", "replace") if isinstance(r.body, bytes) else str(r.body)
        print(f"             body: {_masked(body)}", file=out)


def run(out: TextIO) -> int:
    """Run every step; 0 when honest requests pass and tampered ones are rejected, else 1."""
    failures = 0
    with LocalExchange() as exchange, requests.Session() as session:
        print(f"Local verifying exchange at {exchange.url} (throw-away test keys, no network)\n",
              file=out)  # fmt: skip
        for number, step in enumerate(STEPS, 1):
            print(f"[{number}] {step.title}", file=out)
            try:
                request = requests.Request(step.method, exchange.url + step.path,
                                           auth=step.make_auth(), **step.options)  # fmt: skip
                prepared = session.prepare_request(request)
            except MissingDependencyError as exc:
                print(f"    skipped  {exc}\n", file=out)
                continue
            if step.tamper is not None:
                step.tamper(prepared)
            _show(prepared, out)
            response = session.send(prepared, timeout=10)
            accepted = response.ok
            expected = step.tamper is None
            verdict = "accepted" if accepted else f"rejected {response.text}"
            mark = "as expected" if accepted == expected else "UNEXPECTED"
            print(f"    verdict  HTTP {response.status_code}, {verdict} ({mark})\n", file=out)
            failures += accepted != expected
    print("demo passed" if not failures else f"demo FAILED: {failures} unexpected verdicts",
          file=out)  # fmt: skip
    return 1 if failures else 0
