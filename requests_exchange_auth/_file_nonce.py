"""FileNonce: one strictly increasing sequence for every process on one machine.

The last value issued (the high-water mark) lives in a small text file. A draw locks
the file itself (:mod:`._lock_file`: ``flock`` on its open descriptor), which makes read,
compute and write one step across threads and processes. That lock follows the file's
identity (device and inode), not its name, so every name of the file shares it. How the
file is written, and why:

- It is **opened, never followed**: ``O_NOFOLLOW``, and a check after locking that the
  path still names the locked file. A symbolic link at the path is refused, since it
  could lead to a file that is not a nonce file (a PID file, another key's nonces) and
  would be overwritten; a file deleted or replaced since it was opened is opened again.
  It stays open between draws (a forked child closes its copy, which shares the lock)
  and is written through that descriptor only, so a link put at the path later cannot
  redirect a write. Draws in a row check the path once per ``PATH_CHECK_S`` (1 ms): the
  ``lstat`` costs as much as the rest of a draw. A check per draw would not close the
  window either: deleting or renaming a file takes no lock, so it can come between a
  draw's check and its write.
- It is **created** whole, under the lock file ``<path>.lock`` (one creator at a time:
  a file that does not exist yet has no lock of its own): the first value goes into
  ``<path>.tmp`` (mode 0o600), which is then renamed onto ``<path>`` (``os.replace``,
  atomic). The file never exists without a value, so an empty or garbled file always
  means damage, never our crash.
- It is **updated in place**: one ``write`` at offset 0. A process killed at any instant
  leaves the old or the new value, never half of one (a write of a few bytes within one
  page is not split by a signal), and the text never gets shorter, since values only
  grow. A rename per draw would be as safe but far slower (ext4 flushes the data of a
  file renamed over another: ~0.5 ms, against ~10 µs here), and would break hard links.
- A process crash loses nothing: the value is in the kernel's page cache before
  ``__call__`` returns. Only an OS crash or a power cut can lose recent writes; after
  one, the clock has moved past the lost values unless they ran ahead of it (a clock
  that stepped back). ``durable=True`` closes that gap with an ``fsync`` per value.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from . import _nonce_file as nonce_file
from ._lock_file import FLOCK, LOCK_NB_EX, LOCK_UN, LockFile
from ._signing import require
from .nonce import check_timeout, clock_in_units

# The hot path's system calls, looked up once (POSIX; Windows takes the general path).
_FAST = sys.platform != "win32"
_lstat, _pread, _pwrite = os.lstat, getattr(os, "pread", None), getattr(os, "pwrite", None)
_monotonic = time.monotonic
_MAX_BYTES = nonce_file.MAX_BYTES
PATH_CHECK_S = 0.001  # how long a check of the path holds for draws in a row (notes above)


class FileNonce:
    """Strictly increasing nonces shared by every process that uses the same file.

    Each value is ``max(now, last + 1)``, with ``last`` read from the file and written
    back under a lock on the file itself, so processes (workers, cron jobs, a restarted
    script) never repeat or go below a value any of them issued, even while the wall
    clock steps back. The lock follows the file, not its name: two paths to one file
    (hard links, or a directory reached through a symlink) share one sequence. The file
    holds one decimal number, the last value issued; it is created with owner-only
    permissions (0o600), starting from the clock. A damaged or unreadable file raises
    :class:`NonceError` naming the path and the fix, rather than risking a repeat.

    A symbolic link at ``path`` is refused with :class:`NonceError`, never followed: a
    stale or planted link could lead to a file that is not a nonce file (a PID file,
    another key's nonces), which a draw would overwrite. Pass the real path instead
    (``os.path.realpath``). The file stays open between draws and is written through
    that descriptor only; draws in a row check the path once per millisecond, so a link
    or another file put at the path while it is open is noticed within 1 ms.

    The file is the memory: while it exists, no value is ever issued twice. Deleting it
    deletes what it remembered. A generator that drew before continues above its own
    last value, but any other (another process, a restarted one) starts again from the
    clock, which repeats earlier values if they ran ahead of it.

    Thread-safe through a lock of its own (not the GIL). It pickles as a generator on the
    same file (by absolute path), so a copy sent to a worker process continues the one
    sequence; within a process, ``copy`` returns the generator itself.

    Keep one file per API key and one unit per file, on a local disk (``flock`` does not
    reach across NFS hosts: use :class:`RedisNonce` there), and leave the ``.lock`` file
    in place while processes use it.

    :param path: the nonce file; its directory must exist.
    :param unit: ``"us"`` (default), ``"ms"``, ``"s"`` or ``"ns"``, as for
        :class:`MonotonicNonce`.
    :param clock: Unix time in nanoseconds as an ``int``; default :func:`time.time_ns`.
    :param timeout: seconds to wait for the lock before raising
        :class:`NonceTimeoutError` (default 10).
    :param durable: ``fsync`` each value before returning it, so that not even a power
        cut can lose it (about 1 ms per value on an SSD).
    :raises MissingDependencyError: without the ``file`` extra (``filelock``).

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        unit: str = "us",
        clock: Callable[[], int] | None = None,
        timeout: float = 10.0,
        durable: bool = False,
    ) -> None:
        require("filelock", extra="file", feature="FileNonce")
        self._clock, self._divisor = clock_in_units(clock, unit)
        self._unit = unit
        self._path = os.path.abspath(os.fspath(path))
        self._durable = bool(durable)
        self._lock = LockFile(f"{self._path}.lock", check_timeout(timeout), nonce_file.unusable)
        self._last = 0
        self._path_seen_until = 0.0  # the fast path checks the path again from then on

    @property
    def path(self) -> str:
        """The absolute path of the nonce file."""
        return self._path

    @property
    def last(self) -> int:
        """The most recent value this process drew (0 before the first)."""
        return self._last

    def __call__(self) -> int:
        """The next value. The hot path (the file open, its lock free, its content one
        ``%d\\n`` value, the new one no shorter) makes four system calls, and an
        ``lstat`` of the path at most once per ``PATH_CHECK_S``; anything unusual is left
        to ``_draw``, which waits, or names the problem and the fix."""
        lock = self._lock
        threads = lock.threads
        deadline = 0.0  # the wait for the file's lock starts once the thread lock is ours
        if not threads.acquire(False):  # another thread is drawing: wait, within timeout
            deadline = lock.acquire_threads("the nonce file", self._path)
        try:
            kept = lock.fast
            if kept is not None and _FAST:
                fd, inode, device = kept
                try:
                    FLOCK(fd, LOCK_NB_EX)  # type: ignore[misc]  # _FAST: not None
                except OSError:  # held by another process, or no flock here
                    pass
                else:
                    try:
                        seen = _monotonic()
                        if seen < self._path_seen_until or self._still_names(seen, inode, device):
                            stored = _pread(fd, _MAX_BYTES, 0)  # type: ignore[misc]
                            if stored[-1:] == b"\n" and stored[:-1].isdigit():
                                last, mine = int(stored), self._last
                                floor = last if last > mine else mine  # as in _next
                                now = self._clock() // self._divisor
                                value = now if now > floor else floor + 1
                                data = b"%d\n" % value
                                size = len(data)
                                if size >= len(stored) and (
                                    _pwrite(fd, data, 0) == size  # type: ignore[misc]
                                ):
                                    if self._durable:
                                        os.fsync(fd)
                                    self._last = value
                                    return value
                    except OSError:  # _draw raises the error naming the path and the fix
                        pass
                    finally:
                        FLOCK(fd, LOCK_UN)  # type: ignore[misc]  # _FAST: not None
            self._last = value = self._draw(deadline or time.monotonic() + lock.timeout)
            return value
        finally:
            threads.release()

    def _still_names(self, seen: float, inode: int, device: int) -> bool:
        """Whether the path still names the open file (``inode`` on ``device``). Checked
        at ``seen``, that holds for the draws of the next ``PATH_CHECK_S``; ``_draw``
        handles a change (it checks again, then reopens or refuses)."""
        self._path_seen_until = seen + PATH_CHECK_S
        at_path = _lstat(self._path)
        return at_path.st_ino == inode and at_path.st_dev == device

    def __next__(self) -> int:
        return self()

    def __iter__(self) -> Iterator[int]:
        return self

    # -- under the thread lock ----------------------------------------------------------

    def _draw(self, deadline: float) -> int:
        """Lock the file itself, read the last value, store the next one, return it."""
        while True:
            opened = self._lock.kept() or self._open()
            if opened is None:  # no file to lock yet: one creator at a time
                with self._lock.held(deadline):
                    if not os.path.lexists(self._path):
                        return self._create(self._next(0))
                continue  # another process created it meanwhile
            fd, identity = opened
            try:
                self._lock.lock(fd, "the nonce file", self._path, deadline)
                try:
                    if self._still_at_path(identity):
                        return self._advance(fd)
                finally:
                    self._lock.unlock(fd)
            except BaseException:
                self._lock.close_kept()
                raise
            # Deleted or replaced since it was opened: the file at the path now counts.
            self._lock.close_kept()

    def _open(self) -> tuple[int, os.stat_result] | None:
        """The nonce file opened for update (and kept), with its identity; None if missing."""
        opened = nonce_file.open_for_update(self._path)
        if opened is not None:
            self._lock.keep(*opened)
        return opened

    def _still_at_path(self, identity: os.stat_result) -> bool:
        return nonce_file.still_at(self._path, identity)

    def _advance(self, fd: int) -> int:
        """Read the last value from ``fd``, store the next one, return it."""
        last, old_size = nonce_file.read_last(fd, self._path)
        value = self._next(last)
        nonce_file.store(fd, self._path, value, old_size, durable=self._durable)
        return value

    def _create(self, value: int) -> int:
        nonce_file.create(self._path, value, durable=self._durable)
        return value

    def _next(self, last: int) -> int:
        # Never below this process's own last value either: a file deleted or restored
        # from a backup while we run does not take us back.
        return max(self._clock() // self._divisor, last + 1, self._last + 1)

    # -- copies and pickles --------------------------------------------------------------

    def __repr__(self) -> str:
        return f"FileNonce({self._path!r}, unit={self._unit!r}, last={self._last})"

    def __copy__(self) -> FileNonce:
        return self  # as MonotonicNonce: a copy in one process is the generator itself

    def __deepcopy__(self, memo: dict[int, Any]) -> FileNonce:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Another process gets a generator on the same file: the file is the shared state.
        options = (self._unit, self._clock, self._lock.timeout, self._durable)
        return (_restore, (self._path, *options))


def _restore(
    path: str, unit: str, clock: Callable[[], int], timeout: float, durable: bool
) -> FileNonce:
    return FileNonce(path, unit=unit, clock=clock, timeout=timeout, durable=durable)
