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
from requests import PreparedRequest
from requests.auth import AuthBase

from _cases import NoopAuth, Scheme
from _harness import Case, alternating
from requests_exchange_auth.testing import LocalExchange, Received

_PATHS = {"binance": "/api/v3/order", "poloniex": "/tradingApi", "open_api": "/mp-api/v1/x"}


class UnverifiedExchange(LocalExchange):
    """A LocalExchange that answers every request 200 without checking it."""

    def handle(self, received: Received) -> tuple[int, dict[str, Any]]:
        return 200, {"accepted": True}


class ReplayAuth(AuthBase):
    """Writes what our auth wrote, signed once in advance: the same bytes, nothing computed.

    The control between the no-op auth and ours: what the extra headers and parameters
    cost on the wire and in both HTTP stacks, apart from computing them.
    """

    def __init__(self, unsigned: PreparedRequest, signed: PreparedRequest) -> None:
        self.url, self.body = signed.url, signed.body
        self.added = {k: v for k, v in signed.headers.items() if unsigned.headers.get(k) != v}

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.url, r.body = self.url, self.body
        r.headers.update(self.added)
        return r


def cases(exchange: LocalExchange, session: requests.Session, schemes: list[Scheme]) -> list[Case]:
    """Per scheme: no-op auth, replayed signed bytes, and ours, alternating request by request."""
    found = []
    for scheme in schemes:
        url = exchange.url + _PATHS[scheme.key]
        kwargs: dict[str, Any] = {"data": scheme.data, "params": scheme.params}
        unsigned = requests.Request(scheme.method, url, **kwargs).prepare()
        signed = requests.Request(scheme.method, url, auth=scheme.auth, **kwargs).prepare()
        auths = {"noop": NoopAuth(), "replay": ReplayAuth(unsigned, signed), "ours": scheme.auth}
        ops = {
            f"e2e.{name}.{scheme.key}": functools.partial(
                session.request, scheme.method, url, auth=auth, **kwargs
            )
            for name, auth in auths.items()
        }
        found.append(Case(f"e2e.{scheme.key}", alternating(ops), weight=24))
    return found
