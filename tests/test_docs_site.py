"""The built documentation opens in headless Chromium with no console error.

Chromium comes from Debian's packages (``.ci/run`` installs it when missing). It is
driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON messages
ended by NUL on file descriptors 3 and 4), so no websocket client or browser download is
needed. An error is any uncaught exception, any ``console.error``, and any browser log
entry of level error (a stylesheet or script that failed to load, a blocked request).

Without a browser the test skips on a developer's machine and fails in CI (``CI`` set),
as the Redis tests do. The site is the one ``tox -e docs`` built (``DOCS_HTML``), or a
fresh build of ``docs/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [("index.html", "requests-exchange-auth"), ("exchanges/binance.html", "Binance SIGNED")]
# the flags of the brief: without the background-networking ones, Chromium keeps trying
# to reach Google's services, which a closed network answers with floods of errors
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-pipe",
)  # fmt: skip
TIMEOUT = 30.0


def _browser() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    reason = "Chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must open the built docs: see .ci/run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built HTML: tox's docs build, or a fresh one with warnings as errors."""
    given = os.environ.get("DOCS_HTML")
    if given and (Path(given) / "index.html").is_file():
        return Path(given)
    out = tmp_path_factory.mktemp("html")
    build = subprocess.run(  # noqa: S603  # this interpreter, fixed arguments
        [sys.executable, "-m", "sphinx", "-W", "-n", "-q", "-b", "html",
         "-d", str(out / ".doctrees"), str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    return out


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1, as a browser meets it on a host."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _above(fd: int, lowest: int) -> int:
    """``fd`` moved to a descriptor number of at least ``lowest``."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, lowest)
    os.close(fd)
    return moved


class DevTools:
    """A Chromium over the DevTools pipe: send commands, collect events."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser, self._commands = os.pipe()
        self._answers, from_browser = os.pipe()
        # above 4, so that the shell's "3<&a 4>&b" cannot overwrite one with the other
        to_browser, from_browser = (_above(fd, 10) for fd in (to_browser, from_browser))
        self.process = subprocess.Popen(  # noqa: S603  # the Chromium found on PATH
            # bash, not sh: dash reads only one-digit descriptors in a redirection
            [shutil.which("bash") or "bash", "-c",
             f'exec "$0" "$@" 3<&{to_browser} 4>&{from_browser}',
             executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_browser)
        os.close(from_browser)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._replies: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self._next = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        pending = b""
        while chunk := os.read(self._answers, 65536):
            pending += chunk
            *messages, pending = pending.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._arrived:
                        self._replies[message["id"]] = message
                        self._arrived.notify_all()
                else:
                    self.events.put(message)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        ident = self._next
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        with self._arrived:
            if not self._arrived.wait_for(lambda: ident in self._replies, TIMEOUT):
                raise TimeoutError(method)
            reply = self._replies.pop(ident)
        assert "error" not in reply, (method, reply["error"])
        result: dict[str, Any] = reply["result"]
        return result

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError, AssertionError):  # already gone
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    devtools = DevTools(_browser(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield devtools
    finally:
        devtools.close()


def _errors(event: dict[str, Any]) -> list[str]:
    """What in one DevTools event is a console error."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        return [json.dumps(params["exceptionDetails"])[:500]]
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        return [" ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"])]
    if method == "Log.entryAdded" and params["entry"]["level"] == "error":
        entry = params["entry"]
        return [f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}"]
    return []


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p for p, _ in PAGES])
def test_page_opens_without_console_errors(browser, served, path, title):
    """The page loads, renders its title and sidebar, and logs no error."""
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Runtime", "Log", "Page"):
        browser.send(f"{domain}.enable", session)
    browser.send("Page.navigate", session, url=served + path)
    errors: list[str] = []
    loaded, deadline = False, time.monotonic() + TIMEOUT
    settle = None
    while time.monotonic() < (settle or deadline):
        try:
            event = browser.events.get(timeout=0.05)
        except queue.Empty:
            continue
        if event.get("sessionId") != session:
            continue
        errors += _errors(event)
        if event.get("method") == "Page.loadEventFired" and not loaded:
            loaded, settle = True, time.monotonic() + 0.5  # late scripts, deferred loads
    assert loaded, f"{path} did not finish loading within {TIMEOUT} s"
    shown = browser.send(
        "Runtime.evaluate", session, returnByValue=True,
        expression="[document.title, document.querySelectorAll('.sidebar-tree a').length,"
        " getComputedStyle(document.body).display]",
    )["result"]["value"]  # fmt: skip
    browser.send("Target.closeTarget", targetId=target)
    assert errors == []
    assert title in shown[0]
    assert shown[1] > 5  # furo's navigation, built from the toctree
