"""Cross-process generators under contention, and a lock holder killed by SIGKILL.

4 processes × 4 threads × 5,000 draws from one FileNonce file and from one RedisNonce key
(a real redis-server, see conftest): no value twice among the 80,000, and every thread's
values strictly increasing.
"""

from __future__ import annotations

import functools
import itertools
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from nonce_workers import file_nonce, redis_nonce, run_processes

from requests_exchange_auth import FileNonce, NonceTimeoutError

PROCESSES, THREADS, DRAWS = 4, 4, 5_000
HOUR_NS = 3600 * 10**9


def assert_unique_and_increasing(per_thread: list[list[int]]) -> None:
    assert len(per_thread) == PROCESSES * THREADS
    assert [len(values) for values in per_thread] == [DRAWS] * (PROCESSES * THREADS)
    everything = list(itertools.chain.from_iterable(per_thread))
    assert len(set(everything)) == PROCESSES * THREADS * DRAWS
    assert all(all(a < b for a, b in itertools.pairwise(values)) for values in per_thread)


def test_file_nonce_is_unique_across_processes_and_threads(nonce_path):
    """4 processes × 4 threads × 5,000 FileNonce draws: 80,000 distinct, increasing per thread."""
    per_thread = run_processes(
        functools.partial(file_nonce, str(nonce_path)), PROCESSES, THREADS, DRAWS
    )

    assert_unique_and_increasing(per_thread)
    assert int(nonce_path.read_text()) == max(itertools.chain.from_iterable(per_thread))


def test_redis_nonce_is_unique_across_processes_and_threads(redis_server):
    """4 processes × 4 threads × 5,000 RedisNonce draws on one key of a real Redis server."""
    per_thread = run_processes(
        functools.partial(redis_nonce, redis_server, "nonce:stress"), PROCESSES, THREADS, DRAWS
    )

    assert_unique_and_increasing(per_thread)


# -- a lock holder killed ----------------------------------------------------------------

# Draws 100 values an hour ahead of the clock, prints the last one, then blocks inside
# the 101st draw, while holding the lock, until it is killed.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from requests_exchange_auth import FileNonce

    ahead, calls = time.time_ns() + 3600 * 10**9, []

    def clock():
        calls.append(1)
        if len(calls) > 100:
            print("holding the lock", flush=True)
            time.sleep(600)
        return ahead

    nonce = FileNonce(sys.argv[1], clock=clock)
    print([nonce() for _ in range(100)][-1], flush=True)
    nonce()
    """
)
DRAW_ONE = (
    "import sys; from requests_exchange_auth import FileNonce; print(FileNonce(sys.argv[1])())"
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_killing_the_lock_holder_wedges_no_one(nonce_path):
    """A process SIGKILLed while holding the lock frees it; the next draws continue above it."""
    holder = subprocess.Popen(  # noqa: S603  # our interpreter running our script
        [sys.executable, "-c", HOLDER, str(nonce_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        last_issued = int(holder.stdout.readline())
        assert holder.stdout.readline() == "holding the lock\n"
        with pytest.raises(NonceTimeoutError, match="another process holds it"):
            FileNonce(nonce_path, timeout=0.05)()  # the lock is really held

        os.kill(holder.pid, signal.SIGKILL)
        assert holder.wait(timeout=30) == -signal.SIGKILL
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()

    after_kill = FileNonce(nonce_path, timeout=5)()
    restarted = subprocess.run(  # noqa: S603  # our interpreter running our script
        [sys.executable, "-c", DRAW_ONE, str(nonce_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    # both came from the file, not the clock: the holder's values were an hour ahead
    assert last_issued < after_kill < int(restarted.stdout)
    assert after_kill == last_issued + 1
