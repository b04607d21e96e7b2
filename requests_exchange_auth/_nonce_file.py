"""The nonce file on disk: opened without following links, read, written in place, created.

What :class:`~requests_exchange_auth.FileNonce` does to its file, and why, is in
``_file_nonce``'s notes; here are the system calls. Every error is a
:class:`NonceError` naming the path and the fix, and never shows what the file holds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from .exceptions import NonceError

__all__ = ["create", "linked", "open_for_update", "read_last", "still_at", "store", "unusable"]

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; elsewhere the check after locking
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO at the path must not block the open
MAX_BYTES = 32  # a nonce below 2**64 has at most 20 digits; anything longer is not ours


def open_for_update(path: str) -> tuple[int, os.stat_result] | None:
    """The nonce file opened for update, with its identity; ``None`` when it is missing."""
    try:
        fd = os.open(path, os.O_RDWR | _O_BINARY | _O_NOFOLLOW | _O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if os.path.islink(path):
            raise linked(path) from exc
        raise unusable(exc, path) from exc
    try:
        identity = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise unusable(exc, path) from exc
    if not stat.S_ISREG(identity.st_mode):  # a FIFO or a device: reading could block
        os.close(fd)
        raise unusable(OSError(errno.EINVAL, "not a regular file"), path)
    return fd, identity


def still_at(path: str, identity: os.stat_result) -> bool:
    """Whether the path still names the file that was opened (checked under its lock)."""
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise unusable(exc, path) from exc
    if stat.S_ISLNK(now.st_mode):
        raise linked(path)
    return os.path.samestat(now, identity)


def read_last(fd: int, path: str) -> tuple[int, int]:
    """The last value issued, as the file at ``fd`` holds it, and the file's size."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)  # the file stays open between draws
        stored = os.read(fd, MAX_BYTES)
    except OSError as exc:
        raise unusable(exc, path) from exc
    if len(stored) < MAX_BYTES and stored.strip().isdigit():
        return int(stored), len(stored)
    size = f"{len(stored)}+" if len(stored) >= MAX_BYTES else str(len(stored))
    # The content is never shown, not even among a traceback's locals: the path might
    # lead to something secret (a key file, say).
    del stored
    msg = (
        f"the nonce file {path} does not hold a nonce (one decimal integer, the "
        f"last value issued) but {size} bytes of something else, so the last nonce "
        "issued is unknown and a new one could repeat it; nothing was sent. Write into "
        "the file a number at least as large as the last nonce the exchange accepted "
        "for this key (its 'Nonce must be greater than N' error names N), or delete "
        "the file if the clock is past every nonce issued from it."
    )
    raise NonceError(msg)


def store(fd: int, path: str, value: int, old_size: int, *, durable: bool) -> None:
    """Write ``value`` in place of the last one, at offset 0 (the module notes say why)."""
    new = b"%d\n" % value
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        _write(fd, new)
        if len(new) < old_size:  # a hand-edited file, with padding or leading zeros
            os.ftruncate(fd, len(new))
        if durable:
            os.fsync(fd)
    except OSError as exc:
        raise unusable(exc, path) from exc


def create(path: str, value: int, *, durable: bool) -> None:
    """Create the file holding ``value``: written to ``<path>.tmp``, then renamed."""
    tmp = f"{path}.tmp"
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # left by a process killed while creating the file
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
        try:
            _write(fd, b"%d\n" % value)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        if durable and os.name == "posix":  # the new name must be durable too
            directory = os.open(os.path.dirname(path), os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    except OSError as exc:
        raise unusable(exc, path) from exc


def _write(fd: int, data: bytes) -> None:
    if os.write(fd, data) != len(data):  # only a full disk or a quota does this
        raise OSError(0, "short write (is the disk full?)")


def unusable(exc: OSError, path: str) -> NonceError:
    msg = (
        f"cannot use the nonce file {path}: {exc.strerror or exc}; nothing was sent. It "
        "must be a regular file this user can read and write, in an existing directory on "
        "a local disk: fix the owner, permissions or directory, or pass FileNonce another "
        "path."
    )
    return NonceError(msg)


def linked(path: str) -> NonceError:
    msg = (
        f"the nonce file {path} is a symbolic link; FileNonce never writes through one, "
        "since a stale or planted link can lead to a file that is not a nonce file (a PID "
        "file, another key's nonces) and would overwrite it; nothing was sent. Pass "
        "FileNonce the real path of the file (os.path.realpath(path)), or remove the link."
    )
    return NonceError(msg)
