"""A local verifying exchange: a real HTTP server on 127.0.0.1 that checks every scheme."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from ..exceptions import ConfigurationError
from . import _routes
from ._accounts import default_accounts
from ._credential import binance_credential, secret_bytes
from ._received import Received
from ._server import LoopbackServer
from ._verdict import ACCEPTED, Failure, Verdict, rejected
from ._verify_binance import check_binance
from ._verify_open_api import check_open_api
from ._verify_poloniex import check_poloniex

Canned = tuple[int, Any]


@dataclass(frozen=True)
class Exchange:
    """One request the local exchange received, and what it answered.

    :param request: the request as received.
    :param scheme: the scheme of the route that took it (``"none"`` without a route).
    :param verdict: the verification's :class:`Verdict`.
    :param status: the HTTP status sent back.
    :param response: the JSON body sent back.
    """

    request: Received
    scheme: str
    verdict: Verdict
    status: int = 0
    response: Any = None


class LocalExchange:
    """A verifying exchange on 127.0.0.1 (ephemeral port), run as a context manager::

        with LocalExchange() as exchange:
            requests.get(exchange.url + "/api/v3/account", auth=BinanceQueryAuth(...))
            assert exchange.received[-1].verdict.ok

    Each request is checked by the scheme of its route (:data:`DEFAULT_ROUTES`: Binance
    under ``/api/ /sapi/ /fapi/ /dapi/ /eapi/``, Poloniex at ``/tradingApi`` with a
    strict per-key nonce, Open Service JWTs under ``/mp-api/``, the Binance time
    endpoints), answered in that exchange's own error format, and recorded in
    :attr:`received`. Accounts default to the specs' throw-away credentials. Use it from
    any test framework: ``start()`` and ``stop()`` do what ``with`` does.

    :param binance: per API key, an HMAC secret, or an RSA/Ed25519 public key (PEM or a
        ``cryptography`` object) as registered with Binance.
    :param poloniex: per API key, the secret.
    :param open_api: per access key id, the secret key.
    :param clock: the server's time in nanoseconds (default :func:`time.time_ns`).
    :param clock_offset_ms: added to ``clock``: run the server ahead (>0) or behind
        (<0); may be changed while running.
    :param routes: path (exact, or a prefix ending in ``/``) to scheme, added to or
        overriding :data:`DEFAULT_ROUTES`; schemes are listed in :data:`SCHEMES`.
    :param responses: path to the JSON body a verified request gets (see :meth:`respond`).
    :param strict_nonce: reject a Poloniex nonce not greater than the key's last one.

    .. versionchanged:: 0.2.0
       ``routes``, ``responses``, ``strict_nonce``, :meth:`respond`, :meth:`add_account`,
       :meth:`start`, :meth:`stop` and :attr:`rejected`.
    """

    def __init__(
        self,
        *,
        binance: Mapping[str, Any] | None = None,
        poloniex: Mapping[str, str | bytes] | None = None,
        open_api: Mapping[str, str | bytes] | None = None,
        clock: Callable[[], int] = time.time_ns,
        clock_offset_ms: int = 0,
        routes: Mapping[str, str] | None = None,
        responses: Mapping[str, Any] | None = None,
        strict_nonce: bool = True,
    ) -> None:
        defaults = default_accounts()
        binance, poloniex = binance or defaults["binance"], poloniex or defaults["poloniex"]
        self.binance = {k: binance_credential(v) for k, v in binance.items()}
        self.poloniex = {k: secret_bytes(v, "secret") for k, v in poloniex.items()}
        open_api = open_api or defaults["open_api"]
        self.open_api = {k: secret_bytes(v, "secret_key") for k, v in open_api.items()}
        self.clock = clock
        self.clock_offset_ms = clock_offset_ms
        self.routes = _routes.merged_routes(routes)
        self.strict_nonce = strict_nonce
        self.received: list[Exchange] = []
        self._lock = threading.Lock()
        self._nonces: dict[str, int] = {}
        self._canned: dict[tuple[str | None, str], Canned] = {}
        for path, body in (responses or {}).items():
            self.respond(path, body)
        self._server: LoopbackServer | None = None

    # -- configuration ----------------------------------------------------------------

    def add_account(self, scheme: str, key: str, credential: Any) -> None:
        """Register an account: ``scheme`` is ``"binance"``, ``"poloniex"`` or ``"open_api"``.

        :param credential: the secret, or for Binance an RSA/Ed25519 public key.
        """
        accounts = {"binance": self.binance, "poloniex": self.poloniex, "open_api": self.open_api}
        if scheme not in accounts:
            msg = f"scheme must be 'binance', 'poloniex' or 'open_api', not {scheme!r}."
            raise ConfigurationError(msg)
        if scheme == "binance":
            self.binance[key] = binance_credential(credential)
        else:
            accounts[scheme][key] = secret_bytes(credential, "secret")

    def respond(
        self, path: str, body: Any = None, *, status: int = 200, method: str | None = None
    ) -> None:
        """Answer verified requests to ``path`` with ``body`` (JSON) and ``status``.

        The request is still verified first; a rejection gets the exchange's error.

        :param body: a JSON-serialisable value, or a callable taking the
            :class:`Received` request and returning one.
        :param status: the HTTP status, e.g. 400 to test how a client handles an
            exchange error.
        :param method: answer only this method (default: any).
        """
        if not callable(body):
            json.dumps(body)  # fail here, in the test, rather than in the server thread
        with self._lock:
            self._canned[(method.upper() if method else None, path)] = (status, body)

    @property
    def rejected(self) -> list[Exchange]:
        """The received requests that failed verification."""
        return [r for r in self.received if not r.verdict.ok]

    def last_nonce(self, api_key: str) -> int | None:
        """The last Poloniex nonce accepted for ``api_key``, if any."""
        return self._nonces.get(api_key)

    def now_ms(self) -> int:
        """The server's clock in milliseconds, offset included."""
        return self.clock() // 1_000_000 + self.clock_offset_ms

    # -- serving ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            msg = "the LocalExchange is not running; use it as 'with LocalExchange() as ex:'"
            raise RuntimeError(msg)
        return self._server.url

    def start(self) -> LocalExchange:
        """Start serving (on a new ephemeral port); returns ``self``."""
        if self._server is None:
            self._server = LoopbackServer(self.handle)
        return self

    def stop(self) -> None:
        """Stop serving; the record of received requests stays."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalExchange:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- answering ----------------------------------------------------------------------

    def handle(self, received: Received) -> tuple[int, Any]:
        """Verify one request and answer as the exchange would: (HTTP status, JSON body)."""
        scheme = _routes.scheme_for(self.routes, received.path) or "none"
        verdict = self._verify(scheme, received)
        if verdict.ok:
            status, answer = self._answer(scheme, received, verdict)
        else:
            status, answer = _routes.error_answer(scheme, verdict)
        with self._lock:
            self.received.append(Exchange(received, scheme, verdict, status, answer))
        return status, answer

    def _verify(self, scheme: str, received: Received) -> Verdict:
        if scheme in ("binance", "binance_key"):
            key_only = scheme == "binance_key"
            return check_binance(received, self.binance, self.now_ms(), key_only=key_only)
        if scheme == "poloniex":
            with self._lock:  # check and record atomically: per key, forever (Part A)
                key = received.headers.get("Key", "")
                last = self._nonces.get(key) if self.strict_nonce else None
                verdict = check_poloniex(received, self.poloniex, last)
                if verdict.ok and verdict.nonce is not None:
                    self._nonces[key] = max(verdict.nonce, self._nonces.get(key, 0))
            return verdict
        if scheme == "open_api":
            return check_open_api(received, self.open_api, self.now_ms() // 1000)
        if scheme in ("time", "public"):
            return ACCEPTED
        return rejected(Failure.NO_ROUTE, "404", f"no route for {received.path}")

    def _answer(self, scheme: str, received: Received, verdict: Verdict) -> tuple[int, Any]:
        canned = self._canned.get((received.method, received.path)) or self._canned.get(
            (None, received.path)
        )
        if canned is not None:
            status, body = canned
            return status, body(received) if callable(body) else body
        return _routes.success_answer(scheme, received, verdict, self.now_ms())
