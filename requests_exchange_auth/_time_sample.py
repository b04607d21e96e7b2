"""One reading of a time endpoint that ends by its deadline, whatever the server does.

requests' ``timeout`` bounds each wait for a byte, not the whole answer: a server that
sends a byte every 0.2 s keeps a ``timeout=0.5`` request busy for as long as it likes,
in the headers as in the body. So the request runs in a thread of its own, and the
caller waits for it at most ``timeout`` seconds (``Thread.join``): the one bound that
holds in every phase. The thread reads a capped body in small chunks and stops at the
first chunk after the caller gave up, so an abandoned reader ends soon too.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import requests

from ._transport import redact

__all__ = ["redact", "server_time", "shown"]

# {"serverTime":1700000000000} is 28 bytes; room for a gateway's padding, not for a flood
_MAX_ANSWER_BYTES = 16_384
_CHUNK_BYTES = 64  # an abandoned reader notices after at most this many more bytes


class _Abandoned(Exception):
    """The caller stopped waiting; nobody reads this sample any more."""


class _Sample:
    """The request of one sample, run in its own thread."""

    def __init__(
        self,
        session: Any,
        url: str,
        timeout: float,
        timer: Callable[[], int],
        read: Callable[[Any], object],
    ) -> None:
        self._session, self._url, self._timeout, self._timer = session, url, timeout, timer
        self._read = read
        self.abandoned = threading.Event()
        self.answer: tuple[object, int] | None = None
        self.problem = ""

    def run(self) -> None:
        try:
            self.answer = self._fetch()
        except Exception as exc:  # whatever the answer did (even RecursionError): a problem
            self.problem = f"{type(exc).__name__}: {exc}"

    def _fetch(self) -> tuple[object, int]:
        response: requests.Response
        with self._session.get(self._url, timeout=self._timeout, stream=True) as response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_content(_CHUNK_BYTES):
                if self.abandoned.is_set():
                    raise _Abandoned
                body += chunk
                if len(body) > _MAX_ANSWER_BYTES:
                    msg = f"the answer is longer than {_MAX_ANSWER_BYTES} bytes"
                    raise ValueError(msg)
            received = self._timer()
        # Any JSON, however deep or odd: a RecursionError or a TypeError is a problem too.
        return self._read(json.loads(bytes(body))), received


def server_time(
    session: Any,
    url: str,
    timeout: float,
    timer: Callable[[], int],
    read: Callable[[Any], object],
) -> tuple[object, int] | str:
    """The server time ``read`` finds in the answer from ``url``, and the ``timer`` reading
    when it arrived, within ``timeout``.

    :returns: the value (not yet checked) and the arrival time, or what went wrong, as text.
    """
    sample = _Sample(session, url, timeout, timer, read)
    reader = threading.Thread(target=sample.run, name="ServerClock-sample", daemon=True)
    reader.start()
    reader.join(timeout)
    if reader.is_alive():  # still busy: its answer, if it ever comes, is too late to use
        sample.abandoned.set()
        return f"no complete answer within timeout={timeout:g} s"
    return sample.answer if sample.answer is not None else sample.problem


def shown(value: object) -> str:
    """A short view of what a server sent as its time (it may be anything, or huge)."""
    if value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
        return text if len(text) <= 40 else f"{text[:40]}… ({len(text)} characters)"
    return f"a JSON {type(value).__name__}"
