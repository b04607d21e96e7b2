"""A Binance WebSocket API on 127.0.0.1 that verifies SIGNED requests and ``session.logon``
the way binance-websocket-api.md §1-§4 describe the server (``websockets``' threaded server).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._signing import require
from .._time import Clock, checked_clock
from . import _accounts
from ._credential import binance_credential
from ._verdict import Verdict
from ._verify_binance_ws import check_websocket, parse_request

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = ["LocalBinanceWebSocket"]

# Methods that need no signature (§4 "time"; session.status/logout act on the session).
_UNSIGNED = frozenset({"ping", "time", "session.status", "session.logout"})


@dataclass
class _Session:
    """One connection's state: the key it logged on with, if any (§3)."""

    since: int
    api_key: str | None = None


class LocalBinanceWebSocket:
    """A verifying Binance WebSocket API on 127.0.0.1, for tests and examples.

    Answers every request frame as Binance does: ``{"id", "status": 200, "result"}``, or
    ``{"id", "status": 4xx, "error": {"code", "msg"}}`` when the request would be
    rejected (-1022 for a bad signature, -1021 for a timestamp outside ``recvWindow``).
    ``time`` answers the server time; ``session.logon`` (Ed25519 keys only) logs the
    connection on, after which requests may leave out ``apiKey`` and ``signature``;
    every other method is checked as a SIGNED request and answered with
    ``{"accepted": true, "params": ...}``. Use it as a context manager; :attr:`url` is
    its ``ws://`` address and :attr:`verdicts` what it decided, in order. Needs the
    ``websockets`` library (``pip install 'requests-exchange-auth[websocket]'``).

    :param accounts: API key -> HMAC secret or RSA/Ed25519 public key (PEM or key
        object); default: the specs' Binance test accounts.
    :param clock: the server's clock, Unix time in nanoseconds (default
        :func:`time.time_ns`).

    .. versionadded:: 0.3.0
    """

    #: the server's address, ``ws://127.0.0.1:<port>/ws-api/v3``, once started
    url: str
    #: what the server decided about each request it checked, in order
    verdicts: list[Verdict]
    _thread: threading.Thread  # serving, from __enter__ to __exit__

    def __init__(self, accounts: Mapping[str, Any] | None = None, *, clock: Clock | None = None):
        given = _accounts.binance_accounts() if accounts is None else accounts
        self._accounts = {key: binance_credential(value) for key, value in given.items()}
        self._clock = checked_clock(clock)
        self.verdicts: list[Verdict] = []
        self.url = ""
        self._server: Any = None

    def __enter__(self) -> Self:
        sync = require("websockets.sync.server", extra="websocket", feature=type(self).__name__)
        self._server = sync.serve(self._connection, "127.0.0.1", 0, compression=None)
        port = self._server.socket.getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws-api/v3"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._thread.join()

    def _connection(self, connection: Any) -> None:
        session = _Session(self._now_ms())
        for frame in connection:
            connection.send(_dumps(self.answer(frame, session)))

    def _now_ms(self) -> int:
        return self._clock() // 1_000_000

    def answer(self, frame: str | bytes, session: _Session) -> dict[str, Any]:
        """The answer to one request frame on a connection with ``session``'s state."""
        try:
            request = parse_request(frame)
        except ValueError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return _error(None, 400, "-1102", "Malformed request: expected {id, method, params}.")
        rid, method = request.get("id"), request["method"]
        params = request.get("params", {})
        if method in _UNSIGNED:
            return self._unsigned(rid, method, session)
        verdict = check_websocket(
            params, self._accounts, self._now_ms(), logon=method == "session.logon",
            session_key=session.api_key,
        )  # fmt: skip
        self.verdicts.append(verdict)
        if not verdict:
            status = 401 if verdict.code in ("-2014", "-2015") else 400
            return _error(rid, status, verdict.code, verdict.reason)
        if method == "session.logon":
            session.api_key = params["apiKey"]
            return _ok(rid, self._status(session))
        return _ok(rid, {"accepted": True, "params": params})

    def _unsigned(self, rid: Any, method: str, session: _Session) -> dict[str, Any]:
        if method == "time":
            return _ok(rid, {"serverTime": self._now_ms()})
        if method == "session.logout":
            session.api_key = None
        return _ok(rid, {} if method == "ping" else self._status(session))

    def _status(self, session: _Session) -> dict[str, Any]:
        return {
            "apiKey": session.api_key,
            "authorizedSince": session.since if session.api_key else None,
            "connectedSince": session.since,
            "returnRateLimits": False,
            "serverTime": self._now_ms(),
            "userDataStream": False,
        }


def _ok(rid: Any, result: Any) -> dict[str, Any]:
    return {"id": rid, "status": 200, "result": result}


def _error(rid: Any, status: int, code: str, msg: str) -> dict[str, Any]:
    return {"id": rid, "status": status, "error": {"code": int(code), "msg": msg}}


def _dumps(answer: dict[str, Any]) -> str:
    """JSON text; the numbers of the request, kept as their digits, go back out as numbers."""
    return _ENCODER.encode(answer)


class _Encoder(json.JSONEncoder):
    def encode(self, o: Any) -> str:
        return super().encode(_numbers(o))


def _numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if type(value) is not str and isinstance(value, str):  # a number kept as its digits
        return json.loads(value)
    return value


_ENCODER = _Encoder()
