"""Shared fixtures: the local verifying exchange, a plain recording server, a Redis server.

Also the end-of-run summary of what tests measured (``summary_line``).
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from requests_exchange_auth._params import decoded_query, path_of
from requests_exchange_auth.schemes.binance_open import canonical_uri
from requests_exchange_auth.testing import LocalExchange
from requests_exchange_auth.testing._server import QuietHTTPServer

# tox -e mutation runs with --hypothesis-profile=mutation: the same examples against every
# mutant (no database, no random seed), so a score does not depend on the luck of a run
settings.register_profile("mutation", derandomize=True, database=None, deadline=None)

# The package's own plugin is loaded here rather than from its entry point (see
# pyproject.toml), so coverage sees it; test_plugin.py proves the entry point.
pytest_plugins = ("pytester", "requests_exchange_auth.testing.pytest_plugin")


# -- the signing path's caches --------------------------------------------------------------


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """The signing path's caches emptied before and after: a remembered answer would
    hide the code under test (a mutant of it, in mutation testing)."""
    caches = (path_of, decoded_query, canonical_uri)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


# -- figures a test measures, shown once at the end of the run ------------------------------

_SUMMARY_LINES = pytest.StashKey[list[str]]()


@pytest.fixture
def summary_line(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Add a line to the end-of-run summary (a print would land among the progress dots)."""
    return request.config.stash.setdefault(_SUMMARY_LINES, []).append


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Show what the tests measured, as a section of its own after the results."""
    lines = config.stash.get(_SUMMARY_LINES, [])
    if lines:
        terminalreporter.section("measured by the tests", sep="-")
        for line in lines:
            terminalreporter.line(line)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything collection built (the modules, thousands of test items) out of the
    collector's reach: each full collection would walk it again, which made
    allocation-heavy tests (Hypothesis) slower in the whole suite than alone (the
    gc.freeze recipe)."""
    gc.freeze()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``test_parity_*`` compare with an SDK or ccxt on thousands of requests: the
    ``parity`` marker lets tox run them once, on one Python, instead of on each."""
    for item in items:
        if item.name.startswith("test_parity"):
            item.add_marker(pytest.mark.parity)


@pytest.fixture
def exchange() -> Iterator[LocalExchange]:
    """A fresh local verifying exchange with the specs' test accounts."""
    with LocalExchange() as running:
        yield running


@dataclass
class Hit:
    """One request a recording server received."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


# (status, headers) or (status, headers, body); the body defaults to b"{}"
Responder = Callable[[Hit, str], tuple[Any, ...]]


@dataclass
class RecordingServer:
    """An HTTP server on 127.0.0.1 that records every request and answers via ``respond``."""

    respond: Responder
    hits: list[Hit] = field(default_factory=list)
    url: str = ""

    def serve(self) -> Iterator[RecordingServer]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                hit = Hit(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                recorder.hits.append(hit)
                status, headers, *rest = recorder.respond(hit, recorder.url)
                body = rest[0] if rest else b"{}"
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args: object) -> None:
                pass

        server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        # shutdown() waits for the loop's next poll: 5 ms, so a teardown takes no longer
        thread = threading.Thread(target=server.serve_forever, args=(0.005,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


@pytest.fixture
def recording_server() -> Iterator[Callable[[Responder], RecordingServer]]:
    """Start recording servers on demand; all stop at the end of the test."""
    running: list[Iterator[RecordingServer]] = []

    def start(respond: Responder) -> RecordingServer:
        gen = RecordingServer(respond).serve()
        running.append(gen)
        return next(gen)

    yield start
    for gen in running:
        next(gen, None)


# -- a real Redis server --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A throw-away redis-server on a free loopback port, without persistence; its port.

    Missing redis-server skips the test on a developer's machine, and fails it in CI
    (``CI`` set), where ``.ci/run`` installs it: the Redis tests are never skipped there.
    """
    executable = shutil.which("redis-server")
    if executable is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the Redis tests: see .ci/run")
        pytest.skip(reason)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603  # the redis-server found on PATH, fixed arguments
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_until_listening(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_listening(port: int, server: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"redis-server exited with {server.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
        except OSError:
            time.sleep(0.02)
        else:
            return
    pytest.fail("redis-server did not listen within 10 s")


@pytest.fixture
def redis_client(redis_server: int) -> Iterator[Any]:
    """A client of the test Redis server, emptied before each test."""
    import redis

    client = redis.Redis(port=redis_server)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def nonce_path(tmp_path: Path) -> Path:
    """Where a test's FileNonce keeps its file."""
    return tmp_path / "poloniex.nonce"
