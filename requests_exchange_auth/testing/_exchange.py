"""A local verifying exchange: a real HTTP server on 127.0.0.1 that checks every scheme."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from .._registry import SCHEMES, scheme
from ._canned import CannedAnswers
from ._received import Received
from ._routes import PUBLIC, TIME, Route, Routes
from ._server import LoopbackServer
from ._verdict import ACCEPTED, Failure, Verdict, rejected

__all__ = ["Interaction", "LocalExchange"]

Canned = tuple[int, Any]


@dataclass(frozen=True)
class Interaction:
    """One request the local exchange received, and what it answered.

    :param request: the request as received.
    :param scheme: the scheme id of the route that took it (``"time"``, ``"public"``, or
        ``"none"`` without a route).
    :param verdict: the verification's :class:`Verdict`.
    :param status: the HTTP status sent back.
    :param response: the JSON body sent back.

    .. versionadded:: 0.3.0 (``Exchange`` before).
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

    Every registered scheme has its routes (its exchange's paths, and its time
    endpoints); a path that several exchanges share goes to the scheme whose key header
    the request carries. Each request is checked as that exchange's server would
    (strict per-key nonces where the exchange has them), answered in its own error
    format, and recorded in :attr:`received`. Accounts default to the specs'
    throw-away credentials. Use it from any test framework: ``start()`` and ``stop()``
    do what ``with`` does.

    :param accounts: per scheme id, API key -> credential (the secret, or for an
        RSA/Ed25519 scheme the registered public key); replaces that scheme's test
        accounts.
    :param clock: the server's time in nanoseconds (default :func:`time.time_ns`).
    :param clock_offset_ms: added to ``clock``: run the server ahead (>0) or behind
        (<0); may be changed while running.
    :param routes: path (exact, or a prefix ending in ``/``) to a scheme id, ``"time"``
        or ``"public"``, added to or overriding the registered routes.
    :param responses: path to the JSON body a verified request gets (see :meth:`respond`).
    :param strict_nonce: reject a nonce not greater than the key's last one.
    :param port: the port to listen on (default 0: an ephemeral one).

    .. versionchanged:: 0.3.0
       One route table for every registered scheme; ``accounts`` replaces the
       ``binance``, ``poloniex`` and ``open_api`` arguments; ``port``.
    """

    def __init__(
        self,
        *,
        accounts: Mapping[str, Mapping[str, Any]] | None = None,
        clock: Callable[[], int] = time.time_ns,
        clock_offset_ms: int = 0,
        routes: Mapping[str, str] | None = None,
        responses: Mapping[str, Any] | None = None,
        strict_nonce: bool = True,
        port: int = 0,
    ) -> None:
        given = dict(accounts or {})
        self.accounts: dict[str, dict[str, Any]] = {}
        for entry in SCHEMES:
            kit = entry.kit
            if entry.id in given:
                self.accounts[entry.id] = {
                    key: kit.credential(value) for key, value in given.pop(entry.id).items()
                }
            else:
                self.accounts[entry.id] = kit.accounts()
        if given:
            scheme(next(iter(given)))  # raises, naming the registered ids
        self.clock = clock
        self.clock_offset_ms = clock_offset_ms
        self.routes = Routes(routes)
        self.strict_nonce = strict_nonce
        #: every request received, in order, with its verdict and answer
        self.received: list[Interaction] = []
        self._lock = threading.Lock()
        self._nonces: dict[tuple[str, str], int] = {}
        self._canned = CannedAnswers()
        for path, body in (responses or {}).items():
            self.respond(path, body)
        self.port = port
        self._server: LoopbackServer | None = None

    # -- configuration ----------------------------------------------------------------

    def add_account(self, scheme_id: str, key: str, credential: Any) -> None:
        """Register an account of a scheme (a registry id, e.g. ``"binance"``).

        :param credential: the secret, or for an RSA/Ed25519 scheme the public key.
        """
        kit = scheme(scheme_id).kit
        self.accounts[scheme_id][key] = kit.credential(credential)

    def respond(
        self,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        method: str | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """Answer verified requests to ``path`` with ``body`` (JSON) and ``status``.

        The request is still verified first; a rejection gets the exchange's error.

        :param body: a JSON-serialisable value, or a callable taking the
            :class:`Received` request and returning one.
        :param status: the HTTP status, e.g. 400 to test how a client handles an
            exchange error.
        :param method: answer only this method (default: any).
        :param headers: response headers to add, e.g. ``{"Retry-After": "1"}``.
        :param times: answer only the next ``times`` verified requests so, then as
            before (a 503 once, then the usual answer: a retry test).

        .. versionchanged:: 0.3.0 ``headers`` and ``times``.
        """
        self._canned.add(path, body, status=status, method=method, headers=headers, times=times)

    @property
    def rejected(self) -> list[Interaction]:
        """The received requests that failed verification."""
        return [r for r in self.received if not r.verdict.ok]

    def last_nonce(self, api_key: str, scheme_id: str | None = None) -> int | None:
        """The last nonce accepted for ``api_key`` (of ``scheme_id``, or of any scheme)."""
        found = [n for (s, k), n in self._nonces.items() if k == api_key and scheme_id in (None, s)]
        return max(found) if found else None

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
            self._server = LoopbackServer(self._handle, port=self.port)
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
        status, answer, _ = self._handle(received)
        return status, answer

    def _handle(self, received: Received) -> tuple[int, Any, dict[str, str]]:
        route = self.routes.route(received)
        verdict = self._verify(route, received)
        headers: dict[str, str] = {}
        if verdict.ok:
            status, answer, headers = self._answer(route, received, verdict)
        elif route is not None and route.verifier is not None:
            status, answer = route.verifier.reject(verdict)
        else:
            status, answer = 404, {"error": verdict.reason}
        name = "none" if route is None else route.name
        with self._lock:
            self.received.append(Interaction(received, name, verdict, status, answer))
        return status, answer, headers

    def _verify(self, route: Route | None, received: Received) -> Verdict:
        if route is None:
            return rejected(Failure.NO_ROUTE, "404", f"no route for {received.path}")
        kit = route.verifier
        if route.kind in (TIME, PUBLIC) or kit is None:
            return ACCEPTED
        accounts = self.accounts[kit.account_scheme]
        if not kit.tracks_nonces:
            return kit.check(received, accounts, self.now_ms())
        with self._lock:  # check and record atomically: per key, forever
            key = (kit.account_scheme, kit.key_of(received))
            last = self._nonces.get(key) if self.strict_nonce else None
            verdict = kit.check(received, accounts, self.now_ms(), last)
            if verdict.ok and verdict.nonce is not None:
                self._nonces[key] = max(verdict.nonce, self._nonces.get(key, 0))
        return verdict

    def _answer(
        self, route: Route | None, received: Received, verdict: Verdict
    ) -> tuple[int, Any, dict[str, str]]:
        canned = self._canned.take(received)
        if canned is not None:
            body = canned.body(received) if callable(canned.body) else canned.body
            return canned.status, body, canned.headers
        kit = route.verifier if route is not None else None
        if kit is None:
            return 200, {}, {}
        if route is not None and route.kind == TIME:
            return 200, kit.time_answer(self.now_ms()), {}
        return (*kit.accept(received, verdict, self.now_ms()), {})
