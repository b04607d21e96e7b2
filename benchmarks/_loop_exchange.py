"""A strict local exchange on one event loop, for benchmarks/ordered.py.

:class:`LocalExchange`'s own server gives each connection a thread, and two threads
woken a few microseconds apart reach the nonce check in either order (on CPython, in
the order the GIL falls to them). Exchanges front their APIs with event-loop servers
(nginx, Netty, Envoy), which read sockets in the order they became readable. This one
does the same: one asyncio loop reads each request, has ``LocalExchange.handle`` check
it at once (arrival order), then answers ``latency`` later without holding the loop.
Minimal HTTP/1.1 with keep-alive: a request line, headers, a ``Content-Length`` body.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable

from requests.structures import CaseInsensitiveDict

from requests_exchange_auth.testing import LocalExchange, Received


class LoopExchange:
    """``exchange``'s checks behind one event loop on 127.0.0.1, in a thread of its own."""

    def __init__(self, exchange: LocalExchange) -> None:
        self.exchange = exchange
        self.latency = 0.0
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line, *fields = head.decode("latin-1").split("\r\n")[:-2]
                method, target, _ = line.split(" ", 2)
                headers = CaseInsensitiveDict(f.split(": ", 1) for f in fields)
                body = await reader.readexactly(int(headers.get("Content-Length") or 0))
                status, answer = self.exchange.handle(Received(method, target, headers, body))
                if status == 200:
                    await asyncio.sleep(self.latency)
                data = json.dumps(answer).encode()
                writer.write(
                    b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (status, len(data), data)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def call(self, function: Callable[[], object]) -> None:
        """Run ``function`` on the loop (between requests), and wait for it."""
        done = threading.Event()

        def run() -> None:
            function()
            done.set()

        self._loop.call_soon_threadsafe(run)
        done.wait(10)
