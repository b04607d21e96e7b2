"""A local verifying exchange: a real HTTP server on 127.0.0.1 that checks every scheme."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from requests.structures import CaseInsensitiveDict

from . import _verify
from ._verify import Received, Verdict

# Throw-away credentials from the specs (shared/specs); never valid on a real exchange.
# ruff: noqa: S105
BINANCE_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
POLONIEX_KEY = "POLO-TEST-KEY-0001"
POLONIEX_SECRET = (
    "7f8e9d0c1b2a3948576a5b4c3d2e1f00112233445566778899aabbccddeeff00"
    "112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00"
)
OPEN_API_KEY = "AKTEST0000000001"
OPEN_API_SECRET = "SKTEST-please-replace-0123456789abcdef"

_BINANCE_PREFIXES = ("/api/", "/sapi/", "/fapi/", "/dapi/", "/eapi/")
_KEY_ONLY_PATHS = ("/api/v3/userDataStream", "/fapi/v1/listenKey", "/dapi/v1/listenKey")


@dataclass(frozen=True)
class Exchange:
    """One request the local exchange received, and what it answered."""

    request: Received
    scheme: str
    verdict: Verdict


def _as_bytes(accounts: Mapping[str, str | bytes]) -> dict[str, bytes]:
    return {k: v.encode() if isinstance(v, str) else v for k, v in accounts.items()}


class LocalExchange:
    """A verifying exchange on 127.0.0.1 (ephemeral port), run as a context manager::

        with LocalExchange() as exchange:
            requests.get(exchange.url + "/api/v3/account", auth=BinanceQueryAuth(...))
            assert exchange.received[-1].verdict.ok

    Routes: ``/api/ /sapi/ /fapi/ /dapi/ /eapi/`` check Binance SIGNED requests (and
    listenKey paths the API key only), ``/tradingApi`` Poloniex legacy requests with a
    strict per-key nonce, ``/mp-api/`` Binance Open Service JWTs. Errors come back in
    each exchange's own format. Accounts default to the specs' throw-away credentials.

    :param clock: the server's time in nanoseconds (default :func:`time.time_ns`).
    :param clock_offset_ms: added to ``clock``: run the server ahead (>0) or behind (<0).
    """

    def __init__(
        self,
        *,
        binance: Mapping[str, str | bytes] | None = None,
        poloniex: Mapping[str, str | bytes] | None = None,
        open_api: Mapping[str, str | bytes] | None = None,
        clock: Callable[[], int] = time.time_ns,
        clock_offset_ms: int = 0,
    ) -> None:
        self.binance = _as_bytes(binance or {BINANCE_KEY: BINANCE_SECRET})
        self.poloniex = _as_bytes(poloniex or {POLONIEX_KEY: POLONIEX_SECRET})
        self.open_api = _as_bytes(open_api or {OPEN_API_KEY: OPEN_API_SECRET})
        self.clock = clock
        self.clock_offset_ms = clock_offset_ms
        self.received: list[Exchange] = []
        self._nonces: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            msg = "the LocalExchange is not running; use it as 'with LocalExchange() as ex:'"
            raise RuntimeError(msg)
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def now_ms(self) -> int:
        """The server's clock in milliseconds, offset included."""
        return self.clock() // 1_000_000 + self.clock_offset_ms

    def __enter__(self) -> LocalExchange:
        handler = type("Handler", (_Handler,), {"exchange": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = None

    def handle(self, received: Received) -> tuple[int, dict[str, Any]]:
        """Verify one request and answer as the exchange would: (HTTP status, JSON body)."""
        path = received.path
        if path.startswith(_BINANCE_PREFIXES):
            scheme, status, answer = "binance", *self._binance(received)
        elif path == "/tradingApi":
            scheme, status, answer = "poloniex", *self._poloniex(received)
        elif path.startswith("/mp-api/"):
            scheme, status, answer = "open_api", *self._open_api(received)
        else:
            scheme, status, answer = "none", 404, {"error": f"no route for {path}"}
        ok = 200 <= status < 300
        with self._lock:
            verdict = Verdict(True) if ok else Verdict(False, *_code_and_reason(answer))
            self.received.append(Exchange(received, scheme, verdict))
        return status, answer

    def _binance(self, received: Received) -> tuple[int, dict[str, Any]]:
        key_only = received.path in _KEY_ONLY_PATHS
        verdict = _verify.verify_binance(received, self.binance, self.now_ms(), key_only=key_only)
        if not verdict.ok:
            status = 401 if verdict.code in ("-2014", "-2015") else 400
            return status, {"code": int(verdict.code), "msg": verdict.reason}
        if key_only:
            return 200, {"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8"}
        params = dict(parse_qsl(received.body.decode("latin-1"), keep_blank_values=True))
        params.update(parse_qsl(received.query, keep_blank_values=True))
        return 200, {"accepted": True, "params": params}

    def _poloniex(self, received: Received) -> tuple[int, dict[str, Any]]:
        verdict, nonce = _verify.verify_poloniex(received, self.poloniex)
        if not verdict.ok:
            return 403, {"error": verdict.reason}
        key = received.headers["Key"]
        with self._lock:  # per key, forever: poloniex.md "Nonce rules"
            last = self._nonces.get(key, 0)
            if nonce <= last:
                msg = f"Nonce must be greater than {last}. You provided {nonce}."
                return 422, {"error": msg}
            self._nonces[key] = nonce
        return 200, {"success": 1, "nonce": nonce}

    def _open_api(self, received: Received) -> tuple[int, dict[str, Any]]:
        verdict = _verify.verify_open_api(received, self.open_api, self.now_ms() // 1000)
        if not verdict.ok:
            return 401, {
                "code": verdict.code,
                "message": verdict.reason,
                "data": None,
                "success": False,
            }
        return 200, {"code": "000000", "message": None, "data": {"userData": ""}, "success": True}


def _code_and_reason(answer: Mapping[str, Any]) -> tuple[str, str]:
    if "error" in answer:
        return "error", str(answer["error"])
    return str(answer.get("code", "")), str(answer.get("msg", answer.get("message", "")))


class _Handler(BaseHTTPRequestHandler):
    exchange: LocalExchange
    protocol_version = "HTTP/1.1"  # keep-alive, as a real exchange
    # Headers and body go out in two writes; with Nagle on, the second waits ~40 ms for
    # the client's delayed ACK, which would cap a keep-alive session at ~25 requests/s.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(self.headers.items())
        status, answer = self.exchange.handle(Received(self.command, self.path, headers, body))
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read ``LocalExchange.received`` instead of a log."""
