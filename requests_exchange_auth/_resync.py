"""A server clock's background resyncs: one daemon thread, started once, stopped for good."""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Protocol

from .exceptions import ServerTimeError

__all__ = ["Background"]

log = logging.getLogger("requests_exchange_auth")


class _Syncs(Protocol):
    def sync(self) -> object: ...


class Background:
    """The resync thread of one clock; its lock is held only briefly, so stopping never
    waits for a sync in flight.

    :param every: seconds between syncs, or ``None`` for no background syncs.
    :param name: the thread's name.
    """

    def __init__(self, every: float | None, name: str) -> None:
        self.every = every
        self.name = name
        self.closed = False
        self.after_fork()

    def after_fork(self) -> None:
        """A fresh lock and no thread: a fork copies locks, not threads."""
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self._stop: threading.Event | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"every": self.every, "name": self.name, "closed": self.closed}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.after_fork()  # a copy has a lock of its own and no thread yet

    def start(self, clock: _Syncs) -> None:
        """Start syncing ``clock`` (held weakly), once, unless closed or not asked for."""
        if self.every is None:
            return
        with self._lock:
            if self.closed or self.thread is not None:
                return
            # Each thread gets its own stop event, so a stopped thread stays stopped.
            self._stop = threading.Event()
            self.thread = threading.Thread(
                target=resync_forever,
                args=(weakref.ref(clock), self._stop, self.every),
                name=self.name,
                daemon=True,
            )
            self.thread.start()

    def close(self, wait: float) -> None:
        """Stop for good; wait up to ``wait`` seconds for a sync in flight to end."""
        with self._lock:
            self.closed = True
            thread, stop = self.thread, self._stop
            self.thread = self._stop = None
        if stop is not None:
            stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=wait)


def resync_forever(ref: weakref.ref[_Syncs], stop: threading.Event, every: float) -> None:
    """Sync every ``every`` seconds until stopped or the clock is garbage-collected."""
    while not stop.wait(every):
        clock = ref()
        if clock is None:
            return
        try:
            clock.sync()
        except Exception as exc:  # the thread must outlive any failure, and try again
            log.warning(
                "background sync failed, keeping the last estimate; next try in %g s: %s",
                every,
                exc,
                exc_info=not isinstance(exc, ServerTimeError),  # unexpected: show where
            )
        del clock  # hold no reference while waiting, so the clock can be collected
