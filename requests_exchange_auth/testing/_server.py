"""The HTTP side of the local exchange: a threaded server on 127.0.0.1 that hands each
request, as received, to a callable and sends back its JSON answer."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from requests.structures import CaseInsensitiveDict

from ._received import Received

Answer = Callable[[Received], tuple[int, Any, dict[str, str]]]


class QuietHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that says nothing when a client hangs up.

    socketserver prints a traceback to stderr for any error of a handler, also for a
    client that went away (timed out, or done with the connection); from a handler
    thread that outlives its test, that lands among pytest's progress dots.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    """Serve ``answer`` (status, JSON, headers) on 127.0.0.1 until :meth:`stop`.

    :param port: the port (default 0: an ephemeral one).
    """

    def __init__(self, answer: Answer, *, port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"answer": staticmethod(answer)})
        self._server = QuietHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop serving and wait for the serving thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    answer: Answer
    protocol_version = "HTTP/1.1"  # keep-alive, as a real exchange
    # Headers and body go out in two writes; with Nagle on, the second waits ~40 ms for
    # the client's delayed ACK, which would cap a keep-alive session at ~25 requests/s.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(self.headers.items())
        extra: dict[str, str] = {}
        try:
            status, answer, extra = self.answer(Received(self.command, self.path, headers, body))
            data = json.dumps(answer).encode()
        except Exception as exc:  # a test's canned-response bug: answer it, don't hang up
            status, data = 500, json.dumps({"error": f"LocalExchange: {exc!r}"}).encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read ``LocalExchange.received`` instead of a log."""
