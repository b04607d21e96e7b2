"""What the benchmark times: the floor, requests' own cost, our auths, MonotonicNonce.

Each scheme signs one realistic request: a Binance LIMIT order in a form body with
``recvWindow``, a Poloniex legacy ``buy``, and the Open Service ``user-open-data`` GET
of the README. The floor of each is computed on exactly what our auth signs: the same
payload bytes for the HMACs, the same claims for :func:`jwt.encode`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests import PreparedRequest
from requests.auth import AuthBase

from _harness import Case, alternating, statement, threaded_sampler
from requests_exchange_auth import (
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    MonotonicNonce,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    OPEN_API_KEY,
    OPEN_API_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
)

BINANCE_URL = "https://api.binance.com/api/v3/order"
ORDER = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.001",
    "price": "50000",
    "newClientOrderId": "bench-0001",
}
RECV_WINDOW = 5000
POLONIEX_URL = "https://poloniex.com/tradingApi"
POLONIEX_ORDER = {"command": "buy", "currencyPair": "BTC_USDT", "rate": "50000", "amount": "0.001"}
OPEN_API_URL = "https://www.binance.com/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/user-open-data"
OPEN_API_PARAMS = {"openData": "dt_TEST/abc+1=="}
#: a fixed time for the one-off checks (the timed runs use each library's real clock)
CHECK_NS = 1_700_000_000_123_000_000
NONCE_THREADS = 8


class NoopAuth(AuthBase):
    """Returns the request untouched: what requests costs with an auth that does nothing."""

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        return r


def copier(template: PreparedRequest) -> Callable[[], PreparedRequest]:
    """A cheap fresh copy of a prepared request: new headers and hooks, the rest shared.

    Each timed auth call needs an unsigned request. ``PreparedRequest.copy`` would do,
    but it also copies the cookie jar (slower, so noisier to subtract) and shares the
    hooks dict, so the redirect guard would be installed only once. This copy is timed
    as its own row and subtracted, round by round.
    """
    state = template.__dict__
    headers = template.headers

    def fresh() -> PreparedRequest:
        r = PreparedRequest.__new__(PreparedRequest)
        r.__dict__.update(state)
        r.headers = headers.copy()
        r.hooks = {"response": []}
        return r

    return fresh


@dataclass
class Scheme:
    """One of our auths and the request it signs in the benchmark."""

    key: str
    auth: AuthBase
    method: str
    url: str
    data: dict[str, str] | None = None
    params: dict[str, str] | None = None

    @property
    def label(self) -> str:
        return type(self.auth).__name__

    def request(self, auth: AuthBase | None) -> requests.Request:
        return requests.Request(
            self.method, self.url, data=self.data, params=self.params, auth=auth
        )

    def signed_once(self, auth: AuthBase) -> PreparedRequest:
        """The request signed by ``auth``, prepared without a session (no netrc lookup)."""
        return self.request(auth).prepare()


def schemes() -> list[Scheme]:
    return [
        Scheme(
            "binance",
            BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=RECV_WINDOW),
            "POST",
            BINANCE_URL,
            data=ORDER,
        ),
        Scheme(
            "poloniex",
            PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET),
            "POST",
            POLONIEX_URL,
            data=POLONIEX_ORDER,
        ),
        Scheme(
            "open_api",
            BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET),
            "GET",
            OPEN_API_URL,
            params=OPEN_API_PARAMS,
        ),
    ]


def binance_payload() -> bytes:
    """Exactly what BinanceQueryAuth signs for the benchmark order: query + body."""
    auth = BinanceQueryAuth(
        BINANCE_KEY, BINANCE_SECRET, recv_window=RECV_WINDOW, clock=lambda: CHECK_NS
    )
    r = Scheme("binance", auth, "POST", BINANCE_URL, data=ORDER).signed_once(auth)
    body = r.body.decode() if isinstance(r.body, bytes) else str(r.body)
    return body.rpartition("&signature=")[0].encode()


def poloniex_payload() -> bytes:
    """Exactly what PoloniexBodyDigestAuth signs: the body with its nonce."""
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: CHECK_NS // 1000)
    r = Scheme("poloniex", auth, "POST", POLONIEX_URL, data=POLONIEX_ORDER).signed_once(auth)
    return r.body if isinstance(r.body, bytes) else str(r.body).encode()


def open_api_claims() -> dict[str, Any]:
    """The claims BinanceOpenApiJwtAuth puts in its token, read back from the token."""
    import jwt  # noqa: PLC0415  # the jwt extra; imported where it is needed

    auth = BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET, clock=lambda: CHECK_NS)
    r = Scheme("open_api", auth, "GET", OPEN_API_URL, params=OPEN_API_PARAMS).signed_once(auth)
    token = r.headers["X-Mp-Open-Api-Token"]
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def floor_cases() -> list[Case]:
    import jwt  # noqa: PLC0415  # the jwt extra; imported where it is needed

    ns: dict[str, Any] = {
        "digest": hmac.digest,
        "encode": jwt.encode,
        "binance_key": BINANCE_SECRET.encode(),
        "binance_payload": binance_payload(),
        "poloniex_key": POLONIEX_SECRET.encode(),
        "poloniex_payload": poloniex_payload(),
        "open_api_key": OPEN_API_SECRET.encode(),
        "claims": open_api_claims(),
    }
    return [
        Case("floor.binance", statement('digest(binance_key, binance_payload, "sha256")', ns)),
        Case("floor.poloniex", statement('digest(poloniex_key, poloniex_payload, "sha512")', ns)),
        Case("floor.open_api", statement('encode(claims, open_api_key, algorithm="HS256")', ns)),
    ]


def auth_cases(scheme: Scheme, session: requests.Session) -> list[Case]:
    """Copy, copy + auth, and Session.prepare_request with a no-op auth and with ours.

    The two prepare_request calls alternate call by call (they take ~200 µs each, so
    timing each call costs nothing): GC pauses and drift then fall on both alike.
    """
    ns: dict[str, Any] = {"fresh": copier(scheme.request(None).prepare()), "auth": scheme.auth}

    def preparing(auth: AuthBase) -> Callable[[], PreparedRequest]:
        def op() -> PreparedRequest:
            return session.prepare_request(scheme.request(auth))

        return op

    prepare = {
        f"prepare.noop.{scheme.key}": preparing(NoopAuth()),
        f"prepare.ours.{scheme.key}": preparing(scheme.auth),
    }
    return [
        Case(f"copy.{scheme.key}", statement("fresh()", ns)),
        Case(f"auth.{scheme.key}", statement("auth(fresh())", ns)),
        Case(f"prepare.{scheme.key}", alternating(prepare), weight=2),
    ]


def nonce_cases() -> list[Case]:
    nonce = MonotonicNonce()
    return [
        Case("nonce.1", statement("nonce()", {"nonce": nonce})),
        Case("nonce.8", threaded_sampler(nonce, NONCE_THREADS), weight=4),
    ]
