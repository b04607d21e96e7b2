"""The answers a test sets on a :class:`LocalExchange` with ``respond()``."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._received import Received

__all__ = ["Canned", "CannedAnswers"]


@dataclass
class Canned:
    """One answer: for good (``remaining`` is ``None``) or for ``remaining`` more requests."""

    status: int
    body: Any
    headers: dict[str, str]
    remaining: int | None


class CannedAnswers:
    """Per (method or ``None``, path): the answers set, limited ones first in line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str | None, str], list[Canned]] = {}

    def add(
        self,
        path: str,
        body: Any,
        *,
        status: int,
        method: str | None,
        headers: Mapping[str, str] | None,
        times: int | None,
    ) -> None:
        if not callable(body):
            json.dumps(body)  # fail here, in the test, rather than in the server thread
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            msg = f"times must be a positive int (answers to give so) or None, not {times!r}."
            raise ValueError(msg)
        entry = Canned(status, body, dict(headers or {}), times)
        key = (method.upper() if method else None, path)
        with self._lock:
            entries = self._answers.setdefault(key, [])
            if times is None:  # for good: replaces the earlier permanent answer
                entries[:] = [e for e in entries if e.remaining is not None]
                entries.append(entry)
            else:  # first in line until used up
                entries.insert(0, entry)

    def take(self, received: Received) -> Canned | None:
        """The answer for this request, if any (one use of a limited one)."""
        with self._lock:
            for key in ((received.method, received.path), (None, received.path)):
                for entry in self._answers.get(key, ()):
                    if entry.remaining is None:
                        return entry
                    if entry.remaining > 0:
                        entry.remaining -= 1
                        return entry
        return None
