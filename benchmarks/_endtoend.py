"""End to end: signed requests through one keep-alive Session to a local exchange.

The server is :class:`LocalExchange` with verification off, so it does the same small
amount of work for every request whatever the auth, and the ratio shows what signing
adds to a whole round trip (HTTP on loopback, both sides in this process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from requests.auth import AuthBase

from _cases import NoopAuth, Scheme
from _harness import Case
from requests_exchange_auth.testing import LocalExchange, Received

_PATHS = {"binance": "/api/v3/order", "poloniex": "/tradingApi", "open_api": "/mp-api/v1/x"}


class UnverifiedExchange(LocalExchange):
    """A LocalExchange that answers every request 200 without checking it."""

    def handle(self, received: Received) -> tuple[int, dict[str, Any]]:
        return 200, {"accepted": True}


def _sampler(
    session: requests.Session, method: str, url: str, kwargs: dict[str, Any], auth: AuthBase
) -> Callable[[int], float]:
    def sample(number: int) -> float:
        began = time.perf_counter()
        for _ in range(number):
            session.request(method, url, auth=auth, **kwargs)
        return time.perf_counter() - began

    return sample


def cases(exchange: LocalExchange, session: requests.Session, schemes: list[Scheme]) -> list[Case]:
    """A no-op auth per scheme's request, and the scheme's auth, on the same session."""
    found = []
    for scheme in schemes:
        url = exchange.url + _PATHS[scheme.key]
        kwargs = {"data": scheme.data, "params": scheme.params}
        for name, auth in (("noop", NoopAuth()), ("ours", scheme.auth)):
            sample = _sampler(session, scheme.method, url, kwargs, auth)
            found.append(Case(f"e2e.{name}.{scheme.key}", sample, weight=8))
    return found
