"""FileNonce: a high-water mark in a file, under a lock file, shared by processes."""

from __future__ import annotations

import copy
import os
import pickle
import stat
import threading
import warnings

import pytest

from requests_exchange_auth import FileNonce, NonceError, NonceTimeoutError

NOW_NS = 1_700_000_000_123_456_789
NOW_US = NOW_NS // 1000


def frozen_clock() -> int:
    """A module-level (so picklable) clock stuck at NOW_NS."""
    return NOW_NS


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_missing_file_starts_from_the_clock(nonce_path):
    """With no file, the first value is the clock, and the file then holds it."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)

    assert [nonce(), nonce()] == [NOW_US, NOW_US + 1]
    assert nonce_path.read_text() == f"{NOW_US + 1}\n"
    assert nonce.last == NOW_US + 1


def test_file_and_lock_file_are_owner_only(nonce_path):
    """The nonce file and its lock file are created with mode 0o600, whatever the umask."""
    old_umask = os.umask(0)
    try:
        FileNonce(nonce_path)()
    finally:
        os.umask(old_umask)

    assert mode(nonce_path) == 0o600
    assert mode(f"{nonce_path}.lock") == 0o600
    assert not os.path.exists(f"{nonce_path}.tmp")


def test_next_value_continues_from_the_file(nonce_path):
    """A value in the file above the clock is continued from: max(now, last + 1)."""
    nonce_path.write_text(f"{NOW_US + 5000}\n")

    assert FileNonce(nonce_path, clock=frozen_clock)() == NOW_US + 5001


def test_file_below_the_clock_gives_the_clock(nonce_path):
    """A value in the file below the clock is overtaken by the clock."""
    nonce_path.write_text("12345\n")

    assert FileNonce(nonce_path, clock=frozen_clock)() == NOW_US


@pytest.mark.parametrize(
    "content",
    [b"  1700000000123460  \n\n", b"0001700000000123460", b"1700000000123460"],
    ids=["padded", "leading-zeros", "no-newline"],
)
def test_hand_written_file_is_read_and_rewritten(nonce_path, content):
    """A number written by hand, padded or not, is read; the file is rewritten clean."""
    nonce_path.write_bytes(content)

    value = FileNonce(nonce_path, clock=frozen_clock)()

    assert value == 1_700_000_000_123_461
    assert nonce_path.read_bytes() == b"1700000000123461\n"


def test_two_generators_on_one_file_share_one_sequence(nonce_path):
    """Two FileNonce objects on one file (as in two processes) never repeat a value."""
    first, second = FileNonce(nonce_path, clock=frozen_clock), FileNonce(nonce_path)

    values = [nonce() for _ in range(50) for nonce in (first, second)]

    assert values == sorted(set(values))


def test_deleted_file_never_takes_the_process_back(nonce_path):
    """If the file disappears while running, the process continues above its own last value."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    before = [nonce() for _ in range(3)]
    nonce_path.unlink()

    assert nonce() == before[-1] + 1
    assert nonce_path.read_text() == f"{before[-1] + 1}\n"


def test_unit_scales_the_clock(nonce_path):
    """unit="ms" draws milliseconds, as MonotonicNonce does."""
    assert FileNonce(nonce_path, clock=frozen_clock, unit="ms")() == NOW_NS // 10**6


def test_durable_syncs_every_value(nonce_path, monkeypatch):
    """durable=True fsyncs the file at creation (and its directory) and after every update."""
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    nonce = FileNonce(nonce_path, durable=True)

    nonce(), nonce(), nonce()

    assert len(synced) == 4  # created: file + directory; then one per update
    assert int(nonce_path.read_text()) == nonce.last


def test_not_durable_never_syncs(nonce_path, monkeypatch):
    """By default no fsync is made: a process crash loses nothing without one."""
    monkeypatch.setattr(os, "fsync", lambda fd: pytest.fail("fsync called"))
    nonce = FileNonce(nonce_path)

    nonce(), nonce()


def test_directory_in_place_of_the_file_is_an_error(nonce_path):
    """A path that is not a regular file raises NonceError naming the path and the fix."""
    nonce_path.mkdir()

    with pytest.raises(NonceError, match="cannot use the nonce file") as info:
        FileNonce(nonce_path)()

    assert str(nonce_path) in str(info.value)
    assert "pass FileNonce another path" in str(info.value)


def test_lock_held_by_another_process_times_out(nonce_path):
    """While another open file holds the lock, a draw waits ``timeout`` and then raises."""
    import filelock

    fd = os.open(f"{nonce_path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        assert filelock.lock_descriptor(fd, blocking=False)
        with pytest.raises(NonceTimeoutError, match=r"waited 0\.05 s for the lock file") as info:
            FileNonce(nonce_path, timeout=0.05)()
    finally:
        os.close(fd)

    assert "another process holds it" in str(info.value)
    assert isinstance(info.value, TimeoutError)
    assert not nonce_path.exists()  # nothing was issued


def test_thread_waiting_for_a_stuck_draw_times_out(nonce_path):
    """A draw blocked in another thread makes this one raise after ``timeout``, naming why."""
    inside, release = threading.Event(), threading.Event()

    def slow_clock() -> int:
        inside.set()
        release.wait(10)
        return NOW_NS

    nonce = FileNonce(nonce_path, clock=slow_clock, timeout=0.05)
    stuck = threading.Thread(target=nonce)
    stuck.start()
    inside.wait(10)
    try:
        with pytest.raises(NonceTimeoutError, match="another thread of this process holds it"):
            nonce()
    finally:
        release.set()
        stuck.join()

    assert nonce.last == NOW_US


# -- copies and pickles -------------------------------------------------------------------


@pytest.mark.parametrize("duplicate", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copy_is_the_same_generator(nonce_path, duplicate):
    """Within a process, copying a FileNonce gives the generator itself."""
    nonce = FileNonce(nonce_path)

    assert duplicate(nonce) is nonce


def test_pickled_copy_continues_the_same_file(nonce_path, tmp_path, monkeypatch):
    """An unpickled FileNonce uses the same file (by absolute path) and continues its sequence."""
    monkeypatch.chdir(nonce_path.parent)
    original = FileNonce(nonce_path.name, clock=frozen_clock, unit="ms")
    original()
    monkeypatch.chdir(tmp_path.parent)  # another working directory, as in another process

    twin = pickle.loads(pickle.dumps(original))  # noqa: S301  # our own bytes

    assert twin is not original
    assert twin.path == str(nonce_path)
    assert [twin(), original(), twin()] == [NOW_NS // 10**6 + i for i in (1, 2, 3)]


def test_repr_shows_path_unit_and_last(nonce_path):
    """repr names the file, the unit and the last value drawn here."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    nonce()

    assert repr(nonce) == f"FileNonce({str(nonce_path)!r}, unit='us', last={NOW_US})"


def test_leftover_that_blocks_creation_is_an_error(nonce_path):
    """If the file cannot be created (here: a directory at ``<path>.tmp``), NonceError says so."""
    os.mkdir(f"{nonce_path}.tmp")

    with pytest.raises(NonceError, match="cannot use the nonce file"):
        FileNonce(nonce_path)()

    assert not nonce_path.exists()


def test_filesystem_without_flock_is_an_error(nonce_path, monkeypatch):
    """A filesystem whose flock fails (ENOSYS on some network mounts) raises NonceError."""
    import errno

    import filelock

    def no_flock(fd: int, blocking: bool) -> bool:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(filelock, "lock_descriptor", no_flock)

    with pytest.raises(NonceError, match="Function not implemented") as info:
        FileNonce(nonce_path)()

    assert f"{nonce_path}.lock" in str(info.value)
    assert "local disk" in str(info.value)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_forked_child_draws_while_the_parent_holds_the_lock(nonce_path):
    """A child forked while a parent thread is inside a draw gets its own locks, and waits."""
    inside, release = threading.Event(), threading.Event()

    def clock() -> int:
        if threading.current_thread().name == "stuck":
            inside.set()
            release.wait(10)
        return NOW_NS

    nonce = FileNonce(nonce_path, clock=clock, timeout=10)
    stuck = threading.Thread(target=nonce, name="stuck")
    stuck.start()
    inside.wait(10)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with a thread: on purpose
        pid = os.fork()
    if pid == 0:  # the child: its copy of the thread lock is held by a thread it lacks
        code = 1
        try:
            os.write(write_end, b"%d" % nonce())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    release.set()  # the parent's draw finishes and frees the lock file for the child
    stuck.join()
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        child_value = int(pipe.read() or 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert child_value == NOW_US + 1  # after the parent's NOW_US, from the file
