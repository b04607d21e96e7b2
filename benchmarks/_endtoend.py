"""End to end: signed requests through one keep-alive Session to a local exchange.

The server is :class:`LocalExchange` with verification off, so it does the same small
amount of work for every request whatever the auth, and the ratio shows what signing
adds to a whole round trip (HTTP on loopback, both sides in this process). The no-op
and the signed request alternate, one each in turn, so both see the same machine.
"""

from __future__ import annotations

import functools
from typing import Any

import requests

from _cases import NoopAuth, Scheme
from _harness import Case, alternating
from requests_exchange_auth.testing import LocalExchange, Received

_PATHS = {"binance": "/api/v3/order", "poloniex": "/tradingApi", "open_api": "/mp-api/v1/x"}


class UnverifiedExchange(LocalExchange):
    """A LocalExchange that answers every request 200 without checking it."""

    def handle(self, received: Received) -> tuple[int, dict[str, Any]]:
        return 200, {"accepted": True}


def cases(exchange: LocalExchange, session: requests.Session, schemes: list[Scheme]) -> list[Case]:
    """Per scheme, its request with a no-op auth and with ours, alternating request by request."""
    found = []
    for scheme in schemes:
        url = exchange.url + _PATHS[scheme.key]
        kwargs: dict[str, Any] = {"data": scheme.data, "params": scheme.params}
        ops = {
            f"e2e.{name}.{scheme.key}": functools.partial(
                session.request, scheme.method, url, auth=auth, **kwargs
            )
            for name, auth in (("noop", NoopAuth()), ("ours", scheme.auth))
        }
        found.append(Case(f"e2e.{scheme.key}", alternating(ops), weight=16))
    return found
