"""LockFile: one holder at a time across the threads and processes of one machine.

Threads of a process queue on a :class:`threading.Lock` (not the GIL); processes on the
native lock of an open file: ``flock`` on POSIX, taken directly (a draw is a hot path,
and a wrapper per call costs as much as the lock itself), and ``LockFileEx`` on Windows,
through the ``filelock`` library's :func:`filelock.lock_descriptor`. Such a lock belongs to the
file itself (its device and inode), not to the name it was opened by, so every name of
one file (hard links, a directory reached through a symlink) shares it. The kernel drops
it when its holder dies, even by SIGKILL, so a killed holder never wedges the others; a
stopped one does, and waiters then time out.

Two files can be locked: the one the lock guards, which the caller opens and this object
keeps open (:meth:`LockFile.lock` on :meth:`LockFile.kept`), and the lock file ``path``
itself, opened once per process (:meth:`LockFile.held`, for a step that cannot wait for
the guarded file to exist). :class:`filelock.FileLock` would lock by name, and reopens
and re-checks its file on every acquisition, about ten times the cost of a draw here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator

from ._fork import reset_after_fork
from .exceptions import NonceTimeoutError

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_POLL_S = 0.001  # how often a process waiting for another process's lock tries again

if sys.platform != "win32":
    import fcntl

    #: ``flock`` itself, for the hot path of a draw (``None`` on Windows)
    FLOCK: Callable[[int, int], None] | None = fcntl.flock
    LOCK_NB_EX = fcntl.LOCK_EX | fcntl.LOCK_NB
    LOCK_UN = fcntl.LOCK_UN
else:  # pragma: no cover  # Windows: filelock's LockFileEx
    FLOCK = None
    LOCK_NB_EX = LOCK_UN = 0
_CONTENDED = frozenset({errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK})


def try_lock(fd: int) -> bool:
    """Take the native lock of ``fd`` if it is free: ``False`` when another holder has it.

    :raises OSError: when the filesystem cannot lock (``ENOSYS`` on some network mounts).
    """
    if FLOCK is None:  # pragma: no cover  # Windows
        import filelock  # noqa: PLC0415  # optional extra, checked by the generator's __init__

        return bool(filelock.lock_descriptor(fd, blocking=False))
    try:
        FLOCK(fd, LOCK_NB_EX)
    except OSError as exc:
        if exc.errno in _CONTENDED:
            return False
        raise
    return True


def unlock(fd: int) -> None:
    """Give back the native lock of ``fd``."""
    if FLOCK is None:  # pragma: no cover  # Windows
        import filelock  # noqa: PLC0415  # optional extra, checked by the generator's __init__

        filelock.unlock_descriptor(fd)
        return
    FLOCK(fd, LOCK_UN)


class LockFile:
    """Exclusive locks for threads and processes, with one wait bounded by ``timeout``.

    It also keeps the guarded file open between uses (:meth:`kept`), as it keeps the
    lock file's descriptor: reopening it on every use would cost more than the rest.

    :param path: the lock file (created 0o600, never deleted: deleting it while processes
        use it would split them between two files).
    :param timeout: seconds a wait (threads, then processes) may take before
        :class:`NonceTimeoutError`.
    :param unusable: builds the error for an ``OSError`` (no such directory, no
        permission, a filesystem without ``flock``) and the path it concerns.
    """

    def __init__(
        self, path: str, timeout: float, unusable: Callable[[OSError, str], Exception]
    ) -> None:
        self.path = path
        self.timeout = timeout
        self._unusable = unusable
        #: the lock among this process's threads (replaced in a forked child)
        self.threads = threading.Lock()
        self._fds: list[int] = []  # the lock file's descriptor, once opened in this process
        self._kept: list[tuple[int, os.stat_result]] = []  # the guarded file, while open
        #: the guarded file's descriptor, inode and device while it is kept open, else None
        self.fast: tuple[int, int, int] | None = None
        weakref.finalize(self, _close_all, self._fds, self._kept)
        reset_after_fork(self)

    # -- among threads: explicit calls, as the draw that uses them is a hot path ------------

    def acquire_threads(self, what: str, name: str) -> float:
        """Take the lock among this process's threads (the caller releases
        :attr:`threads`); return the deadline for the rest of the wait.

        :param what: what is waited for, in the timeout error (``"the nonce file"``).
        :param name: the path of the file the lock guards.
        """
        deadline = time.monotonic() + self.timeout
        if not self.threads.acquire(timeout=self.timeout):
            holder = "another thread of this process"
            raise NonceTimeoutError(self._timeout_message(what, name, holder))
        return deadline

    # -- among processes ----------------------------------------------------------------

    def lock(self, fd: int, what: str, name: str, deadline: float) -> None:
        """Take the native lock of the open file ``fd``, at ``name``, by ``deadline``."""
        while not self._try_lock(fd, name):
            if time.monotonic() >= deadline:
                raise NonceTimeoutError(self._timeout_message(what, name, "another process"))
            time.sleep(_POLL_S)

    def unlock(self, fd: int) -> None:
        unlock(fd)

    @contextlib.contextmanager
    def held(self, deadline: float) -> Iterator[None]:
        """Hold the lock file itself among processes (while holding the thread lock)."""
        fd = self._descriptor()
        self.lock(fd, "the lock file", self.path, deadline)
        try:
            yield
        finally:
            self.unlock(fd)

    # -- the guarded file, kept open (used under the thread lock) ------------------------

    def kept(self) -> tuple[int, os.stat_result] | None:
        """The guarded file's descriptor and identity, if it is open."""
        return self._kept[0] if self._kept else None

    def keep(self, fd: int, identity: os.stat_result) -> None:
        self._kept.append((fd, identity))
        self.fast = (fd, identity.st_ino, identity.st_dev)

    def close_kept(self) -> None:
        self.fast = None
        _close_all([], self._kept)

    def _try_lock(self, fd: int, name: str) -> bool:
        try:
            return try_lock(fd)
        except OSError as exc:  # ENOSYS: a filesystem without flock (some network mounts)
            raise self._unusable(exc, name) from exc

    def _descriptor(self) -> int:
        if not self._fds:
            flags = os.O_RDWR | os.O_CREAT | _O_BINARY | getattr(os, "O_NOFOLLOW", 0)
            try:
                self._fds.append(os.open(self.path, flags, 0o600))
            except OSError as exc:
                raise self._unusable(exc, self.path) from exc
        return self._fds[0]

    def _timeout_message(self, what: str, name: str, holder: str) -> str:
        return (
            f"waited {self.timeout:g} s for {what} {name}: {holder} holds it (a "
            "process that exits or is killed releases it, a stopped one does not); nothing "
            f"was sent. Find the holder (e.g. 'fuser {name}'), or pass a longer timeout=."
        )

    def _after_fork(self) -> None:
        # A thread lock held by another thread at fork time would stay held forever here.
        # An inherited descriptor shares its open file, and so its flock, with the
        # parent's: locking it here would succeed while the parent holds it. Close them
        # (closing one of two descriptors unlocks nothing) and open our own on next use.
        self.threads = threading.Lock()
        self.fast = None
        _close_all(self._fds, self._kept)


def _close_all(fds: list[int], kept: list[tuple[int, os.stat_result]]) -> None:
    while fds:
        os.close(fds.pop())
    while kept:
        os.close(kept.pop()[0])
