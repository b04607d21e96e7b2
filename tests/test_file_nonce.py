"""FileNonce: a high-water mark in a file, under a lock file, shared by processes."""

from __future__ import annotations

import copy
import os
import pickle
import stat
import threading
import time
import warnings

import pytest

from requests_exchange_auth import FileNonce, NonceError, NonceTimeoutError, _file_nonce
from requests_exchange_auth._file_nonce import PATH_CHECK_S

NOW_NS = 1_700_000_000_123_456_789
NOW_US = NOW_NS // 1000


def frozen_clock() -> int:
    """A module-level (so picklable) clock stuck at NOW_NS."""
    return NOW_NS


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


class Checks:
    """The clock FileNonce times its checks of the path by, moved by hand, and a count
    of those checks (each is one ``lstat`` of the path)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now, self.count = 100.0, 0
        lstat = os.lstat
        monkeypatch.setattr(_file_nonce, "_monotonic", lambda: self.now)
        monkeypatch.setattr(_file_nonce, "_lstat", self._counted(lstat))

    def _counted(self, lstat):
        def counted(path):
            self.count += 1
            return lstat(path)

        return counted

    def advance(self, seconds: float = PATH_CHECK_S) -> None:
        self.now += seconds


@pytest.fixture
def checks(monkeypatch):
    return Checks(monkeypatch)


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


def test_deleted_file_never_takes_the_process_back(nonce_path, checks):
    """If the file disappears while running, the process continues above its own last value."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    before = [nonce() for _ in range(3)]
    nonce_path.unlink()
    checks.advance()  # the next draw checks the path again

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
    """A draw blocked in another thread makes this one raise after ``timeout``, naming why,
    and leaves that thread's lock held: the next caller waits and times out too."""
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
        for _ in range(2):
            with pytest.raises(NonceTimeoutError, match="another thread of this process holds"):
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

    from requests_exchange_auth import _file_nonce, _lock_file

    def no_flock(fd: int, operation: int) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(_lock_file, "FLOCK", no_flock)
    monkeypatch.setattr(_file_nonce, "FLOCK", no_flock)

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


# -- one file, several names; links that lead elsewhere -----------------------------------


def _draw_interleaved(generators: list[FileNonce], draws: int) -> list[int]:
    """``draws`` values from each generator, each in two threads of its own, all at once."""
    values: list[int] = []
    start = threading.Barrier(2 * len(generators))

    def draw(nonce: FileNonce) -> None:
        start.wait()
        values.extend(nonce() for _ in range(draws))

    threads = [threading.Thread(target=draw, args=(n,)) for n in generators for _ in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return values


@pytest.mark.parametrize("second_name", ["hard-link", "directory-symlink"])
def test_two_names_of_one_file_share_one_sequence(nonce_path, tmp_path, second_name):
    """Generators on two names of one file (here in threads, as in processes) never repeat."""
    nonce_path.write_text(f"{NOW_US}\n")
    if second_name == "hard-link":
        other = tmp_path / "same.nonce"
        os.link(nonce_path, other)
    else:
        (tmp_path / "through").symlink_to(tmp_path, target_is_directory=True)
        other = tmp_path / "through" / nonce_path.name
    generators = [FileNonce(nonce_path, clock=frozen_clock), FileNonce(other, clock=frozen_clock)]

    values = _draw_interleaved(generators, 2000)

    assert len(values) == len(set(values)) == 8000  # not one duplicate
    assert int(nonce_path.read_text()) == max(values) == NOW_US + 8000


def test_symlink_to_another_file_is_refused_and_the_file_untouched(nonce_path, tmp_path):
    """A link planted at the path (here to a PID file) raises NonceError; its target stays."""
    pid_file = tmp_path / "service.pid"
    pid_file.write_text("4242\n")
    nonce_path.symlink_to(pid_file)

    with pytest.raises(NonceError, match="is a symbolic link") as info:
        FileNonce(nonce_path)()

    assert str(nonce_path) in str(info.value)
    assert "os.path.realpath" in str(info.value)
    assert pid_file.read_text() == "4242\n"
    assert nonce_path.is_symlink()


def test_symlink_to_the_nonce_file_is_refused_and_the_sequence_intact(nonce_path, tmp_path):
    """Through a link to the real nonce file nothing is drawn; the real path continues alone."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    link = tmp_path / "link.nonce"
    link.symlink_to(nonce_path)
    through_link = FileNonce(link, clock=frozen_clock)

    drawn = []
    for _ in range(3):
        drawn.append(nonce())
        with pytest.raises(NonceError, match="is a symbolic link"):
            through_link()

    assert drawn == [NOW_US, NOW_US + 1, NOW_US + 2]
    assert nonce_path.read_text() == f"{NOW_US + 2}\n"


def test_dangling_symlink_is_refused_not_replaced(nonce_path, tmp_path):
    """A link to a file that does not exist yet is neither followed nor replaced by a file."""
    target = tmp_path / "elsewhere.nonce"
    nonce_path.symlink_to(target)

    with pytest.raises(NonceError, match="is a symbolic link"):
        FileNonce(nonce_path)()

    assert nonce_path.is_symlink()
    assert not target.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_fifo_at_the_path_is_an_error_not_a_hang(nonce_path):
    """A FIFO (or device) at the path raises NonceError at once instead of blocking a read."""
    os.mkfifo(nonce_path)

    with pytest.raises(NonceError, match="not a regular file") as info:
        FileNonce(nonce_path)()

    assert "pass FileNonce another path" in str(info.value)


def test_file_replaced_while_waiting_for_its_lock_is_not_used(nonce_path):
    """A draw that opened a file which is then replaced continues the file now at the path."""
    import filelock

    nonce_path.write_text(f"{NOW_US}\n")
    old = os.open(nonce_path, os.O_RDWR)
    try:
        assert filelock.lock_descriptor(old, blocking=False)
        nonce = FileNonce(nonce_path, clock=frozen_clock)
        result: list[int] = []
        waiting = threading.Thread(target=lambda: result.append(nonce()))
        waiting.start()
        time.sleep(0.1)  # the draw has opened the old file and waits for its lock
        replacement = nonce_path.with_suffix(".new")
        replacement.write_text(f"{NOW_US + 5000}\n")
        os.replace(replacement, nonce_path)
        filelock.unlock_descriptor(old)
        waiting.join(10)
        assert os.pread(old, 32, 0) == f"{NOW_US}\n".encode()  # the replaced file: untouched
    finally:
        os.close(old)

    assert result == [NOW_US + 5001]


def test_lock_on_the_file_held_elsewhere_times_out(nonce_path):
    """While another open file description holds the nonce file's lock, a draw times out."""
    import filelock

    nonce_path.write_text(f"{NOW_US}\n")
    fd = os.open(nonce_path, os.O_RDWR)
    try:
        assert filelock.lock_descriptor(fd, blocking=False)
        with pytest.raises(NonceTimeoutError, match=r"waited 0\.05 s for the nonce file") as info:
            FileNonce(nonce_path, timeout=0.05)()
    finally:
        os.close(fd)

    assert "another process holds it" in str(info.value)
    assert nonce_path.read_text() == f"{NOW_US}\n"  # nothing was issued


def test_deleted_file_is_forgotten_by_every_other_generator(nonce_path):
    """The file is the memory: once deleted, a new generator starts again from the clock."""
    FileNonce(nonce_path, clock=lambda: NOW_NS + 10**9)()  # a value one second ahead
    nonce_path.unlink()

    assert FileNonce(nonce_path, clock=frozen_clock)() == NOW_US  # below the lost value


def test_damaged_file_is_reported_once_not_as_unusable(nonce_path):
    """A file holding something else says so, not wrapped in 'cannot use the nonce file'."""
    nonce_path.write_bytes(b"12x4\n")

    with pytest.raises(NonceError, match="does not hold a nonce") as info:
        FileNonce(nonce_path)()

    assert "cannot use the nonce file" not in str(info.value)
    assert info.value.__cause__ is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_forked_child_does_not_share_the_open_file_or_its_lock(nonce_path):
    """The file a parent keeps open (and holds locked mid-draw) is not the child's to use."""
    inside, release = threading.Event(), threading.Event()

    def clock() -> int:
        if threading.current_thread().name == "stuck":
            inside.set()
            release.wait(10)
        return NOW_NS

    nonce = FileNonce(nonce_path, clock=clock, timeout=10)
    assert nonce() == NOW_US  # the file exists now, and stays open in this process
    stuck = threading.Thread(target=nonce, name="stuck")
    stuck.start()
    inside.wait(10)  # the parent holds the file's lock, through the descriptor it keeps
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with a thread: on purpose
        pid = os.fork()
    if pid == 0:  # the child: an inherited descriptor would share that very lock
        code = 1
        try:
            os.write(write_end, b"%d" % nonce())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    time.sleep(0.1)  # a child that used the inherited descriptor would have drawn by now
    release.set()
    stuck.join()
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        child_value = int(pipe.read() or 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert child_value == NOW_US + 2  # after the parent's NOW_US + 1, from the file


def test_symlink_swapped_in_while_the_file_is_open_is_refused(nonce_path, tmp_path):
    """The file kept open between draws does not hide a link put at the path since."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    nonce(), nonce()  # the second draw opened the file the first created, and keeps it
    pid_file = tmp_path / "service.pid"
    pid_file.write_text("4242\n")
    nonce_path.unlink()
    nonce_path.symlink_to(pid_file)

    with pytest.raises(NonceError, match="is a symbolic link"):
        nonce()

    assert pid_file.read_text() == "4242\n"


def test_one_check_of_the_path_holds_for_draws_within_path_check_s(nonce_path, checks):
    """Draws in a row check the path once per PATH_CHECK_S, not each time (its lstat
    costs as much as the rest of a draw); the first draw after that checks it again."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    nonce(), nonce()  # created, then opened and kept: each of these looks at the path
    checks.count = 0

    nonce(), nonce()
    assert checks.count == 1
    checks.advance(PATH_CHECK_S / 2)
    nonce()
    assert checks.count == 1
    checks.advance(PATH_CHECK_S / 2)  # PATH_CHECK_S after the check, to the tick
    nonce()
    assert checks.count == 2
    assert nonce() == NOW_US + 6
    assert checks.count == 2


def test_link_swapped_in_between_checks_gets_no_write_and_is_then_refused(
    nonce_path, tmp_path, checks
):
    """Within PATH_CHECK_S of a check, a draw writes to the file it holds open, never
    through a link put at the path since; the next check refuses the link."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    nonce(), nonce(), nonce()  # the third draw checked the path
    kept = nonce_path.with_suffix(".kept")
    os.link(nonce_path, kept)  # a second name, to read the file after it is unlinked
    pid_file = tmp_path / "service.pid"
    pid_file.write_text("4242\n")
    nonce_path.unlink()
    nonce_path.symlink_to(pid_file)

    assert nonce() == NOW_US + 3
    assert kept.read_text() == f"{NOW_US + 3}\n"
    checks.advance()
    with pytest.raises(NonceError, match="is a symbolic link"):
        nonce()
    assert pid_file.read_text() == "4242\n"
    assert kept.read_text() == f"{NOW_US + 3}\n"


def test_file_created_by_another_process_meanwhile_is_continued(nonce_path):
    """A draw that waited to create the file continues the one another process created."""
    import filelock

    held = os.open(f"{nonce_path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        assert filelock.lock_descriptor(held, blocking=False)  # as another creator would
        nonce = FileNonce(nonce_path, clock=frozen_clock)
        result: list[int] = []
        waiting = threading.Thread(target=lambda: result.append(nonce()))
        waiting.start()
        time.sleep(0.1)  # the draw found no file and waits to create it
        nonce_path.write_text(f"{NOW_US + 5000}\n")
        filelock.unlock_descriptor(held)
        waiting.join(10)
    finally:
        os.close(held)

    assert result == [NOW_US + 5001]


def test_padded_value_written_while_the_file_is_open_is_rewritten_whole(nonce_path):
    """A value hand-padded with zeros while the file is kept open is read, and the next
    value replaces it whole (it is shorter than the padded text)."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    nonce()
    nonce()  # the file is now kept open
    with open(nonce_path, "r+b") as same_file:  # the same inode, rewritten in place
        same_file.write(b"00000%d\n" % (NOW_US + 10))

    assert nonce() == NOW_US + 11
    assert nonce_path.read_text() == f"{NOW_US + 11}\n"


def test_value_without_newline_written_while_open_is_read(nonce_path):
    """A value written by hand without its newline, while the file is open, is continued."""
    nonce = FileNonce(nonce_path, clock=frozen_clock)
    nonce()
    nonce()
    nonce_path.write_text(f"{NOW_US + 50}")  # truncates and rewrites the same inode

    assert nonce() == NOW_US + 51
