"""FileNonce: one strictly increasing sequence for every process on one machine.

The last value issued (the high-water mark) lives in a small text file; the lock file
``<path>.lock`` (:mod:`._lock_file`) makes read, compute and write one step across
threads and processes. How the file is written, and why:

- It is **created** whole: the first value goes into ``<path>.tmp`` (mode 0o600), which
  is then renamed onto ``<path>`` (``os.replace``, atomic). The file never exists
  without a value, so an empty or garbled file always means damage, never our crash.
- It is **updated in place**: one ``write`` at offset 0. A process killed at any instant
  leaves the old or the new value, never half of one (a write of a few bytes within one
  page is not split by a signal), and the text never gets shorter, since values only
  grow. A rename per draw would be as safe but far slower (ext4 flushes the data of a
  file renamed over another: ~0.5 ms, against ~10 µs here).
- A process crash loses nothing: the value is in the kernel's page cache before
  ``__call__`` returns. Only an OS crash or a power cut can lose recent writes; after
  one, the clock has moved past the lost values unless they ran ahead of it (a clock
  that stepped back). ``durable=True`` closes that gap with an ``fsync`` per value.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from ._lock_file import LockFile
from ._signing import require
from .exceptions import NonceError
from .nonce import check_timeout, clock_in_units

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_MAX_BYTES = 32  # a nonce below 2**64 has at most 20 digits; anything longer is not ours


class FileNonce:
    """Strictly increasing nonces shared by every process that uses the same file.

    Each value is ``max(now, last + 1)``, with ``last`` read from the file and written
    back under the lock file ``<path>.lock``, so processes (workers, cron jobs, a
    restarted script) never repeat or go below a value any of them issued, even while the
    wall clock steps back. The file holds one decimal number, the last value issued; it
    is created with owner-only permissions (0o600), starting from the clock. A damaged or
    unreadable file raises :class:`NonceError` naming the path and the fix, rather than
    risking a repeat.

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
        self._lock = LockFile(f"{self._path}.lock", check_timeout(timeout), _unusable)
        self._last = 0

    @property
    def path(self) -> str:
        """The absolute path of the nonce file."""
        return self._path

    @property
    def last(self) -> int:
        """The most recent value this process drew (0 before the first)."""
        return self._last

    def __call__(self) -> int:
        with self._lock.held():
            self._last = value = self._advance()
        return value

    def __next__(self) -> int:
        return self()

    def __iter__(self) -> Iterator[int]:
        return self

    # -- under the lock -----------------------------------------------------------------

    def _advance(self) -> int:
        """Read the last value, store the next one, return it."""
        try:
            fd = os.open(self._path, os.O_RDWR | _O_BINARY)
        except FileNotFoundError:
            return self._create(self._next(0))
        except OSError as exc:
            raise _unusable(exc, self._path) from exc
        try:
            old = os.read(fd, _MAX_BYTES)
            value = self._next(self._parse(old))
            new = b"%d\n" % value
            os.lseek(fd, 0, os.SEEK_SET)
            _write(fd, new)
            if len(new) < len(old):  # a hand-edited file, with padding or leading zeros
                os.ftruncate(fd, len(new))
            if self._durable:
                os.fsync(fd)
        except OSError as exc:
            raise _unusable(exc, self._path) from exc
        finally:
            os.close(fd)
        return value

    def _next(self, last: int) -> int:
        # Never below this process's own last value either: a file deleted or restored
        # from a backup while we run does not take us back.
        return max(self._clock() // self._divisor, last + 1, self._last + 1)

    def _create(self, value: int) -> int:
        tmp = f"{self._path}.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)  # left by a process killed while creating the file
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
            try:
                _write(fd, b"%d\n" % value)
                if self._durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self._path)
            if self._durable and os.name == "posix":  # the new name must be durable too
                directory = os.open(os.path.dirname(self._path), os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
        except OSError as exc:
            raise _unusable(exc, self._path) from exc
        return value

    def _parse(self, data: bytes) -> int:
        text = data.strip()
        if len(data) < _MAX_BYTES and text.isdigit():
            return int(text)
        # The content is not shown: the path might point at something secret.
        size = f"{len(data)}+" if len(data) >= _MAX_BYTES else str(len(data))
        msg = (
            f"the nonce file {self._path} does not hold a nonce (one decimal integer, the "
            f"last value issued) but {size} bytes of something else, so the last nonce "
            "issued is unknown and a new one could repeat it; nothing was sent. Write into "
            "the file a number at least as large as the last nonce the exchange accepted "
            "for this key (its 'Nonce must be greater than N' error names N), or delete "
            "the file if the clock is past every nonce issued from it."
        )
        raise NonceError(msg)

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


def _write(fd: int, data: bytes) -> None:
    if os.write(fd, data) != len(data):  # only a full disk or a quota does this
        raise OSError(0, "short write (is the disk full?)")


def _unusable(exc: OSError, path: str) -> NonceError:
    msg = (
        f"cannot use the nonce file {path}: {exc.strerror or exc}; nothing was sent. It "
        "must be a regular file this user can read and write, in an existing directory on "
        "a local disk: fix the owner, permissions or directory, or pass FileNonce another "
        "path."
    )
    return NonceError(msg)
