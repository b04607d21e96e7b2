"""LockFile: one holder at a time across the threads and processes of one machine.

Threads of a process queue on a :class:`threading.Lock` (not the GIL); processes on the
native lock of a lock file (``flock`` on POSIX, ``LockFileEx`` on Windows), taken with
the ``filelock`` library's :func:`filelock.lock_descriptor` on a descriptor opened once per
process. The kernel drops that lock when its holder dies, even by SIGKILL, so a killed
holder never wedges the others; a stopped one does, and waiters then time out.

:class:`filelock.FileLock` would do the same but reopens and re-checks the file on every
acquisition, about ten times the cost of a draw here.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from types import ModuleType

from .exceptions import NonceTimeoutError

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_POLL_S = 0.001  # how often a process waiting for another process's lock tries again
_LIVE: weakref.WeakSet[LockFile] = weakref.WeakSet()


class LockFile:
    """An exclusive lock on ``path`` (created 0o600, never deleted) for threads and processes.

    :param path: the lock file; deleting it while processes use it would split them
        between two files, so it stays.
    :param timeout: seconds :meth:`held` waits before raising :class:`NonceTimeoutError`.
    :param unusable: builds the error for an ``OSError`` (no such directory, no
        permission, a filesystem without ``flock``).
    """

    def __init__(
        self, path: str, timeout: float, unusable: Callable[[OSError, str], Exception]
    ) -> None:
        self.path = path
        self.timeout = timeout
        self._unusable = unusable
        self._threads = threading.Lock()
        self._fds: list[int] = []  # the descriptor, once opened in this process
        weakref.finalize(self, _close_all, self._fds)
        _LIVE.add(self)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block: first among threads, then among processes."""
        import filelock  # noqa: PLC0415  # optional extra, checked by the generator's __init__

        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            raise NonceTimeoutError(self._timeout_message("another thread of this process"))
        try:
            fd = self._descriptor()
            while not self._try_lock(filelock, fd):
                if time.monotonic() >= deadline:
                    raise NonceTimeoutError(self._timeout_message("another process"))
                time.sleep(_POLL_S)
            try:
                yield
            finally:
                filelock.unlock_descriptor(fd)
        finally:
            self._threads.release()

    def _try_lock(self, filelock: ModuleType, fd: int) -> bool:
        try:
            return bool(filelock.lock_descriptor(fd, blocking=False))
        except OSError as exc:  # ENOSYS: a filesystem without flock (some network mounts)
            raise self._unusable(exc, self.path) from exc

    def _descriptor(self) -> int:
        if not self._fds:
            flags = os.O_RDWR | os.O_CREAT | _O_BINARY | getattr(os, "O_NOFOLLOW", 0)
            try:
                self._fds.append(os.open(self.path, flags, 0o600))
            except OSError as exc:
                raise self._unusable(exc, self.path) from exc
        return self._fds[0]

    def _timeout_message(self, holder: str) -> str:
        return (
            f"waited {self.timeout:g} s for the lock file {self.path}: {holder} holds it (a "
            "process that exits or is killed releases it, a stopped one does not); nothing "
            f"was sent. Find the holder (e.g. 'fuser {self.path}'), or pass a longer "
            "timeout=."
        )

    def _after_fork_in_child(self) -> None:
        # A thread lock held by another thread at fork time would stay held forever here.
        # The inherited descriptor shares its flock with the parent's: close it (closing
        # one of two descriptors unlocks nothing) and open our own on next use.
        self._threads = threading.Lock()
        _close_all(self._fds)


def _close_all(fds: list[int]) -> None:
    while fds:
        os.close(fds.pop())


def _after_fork_in_child() -> None:
    for lock in list(_LIVE):
        lock._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)
