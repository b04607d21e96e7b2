"""RedisNonce against a real redis-server (conftest.py starts one; never mocked)."""

from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys
import threading
import time

import pytest

from requests_exchange_auth import NonceError, RedisNonce

NOW_NS = 1_700_000_000_123_456_789
NOW_US = NOW_NS // 1000


def frozen_clock() -> int:
    return NOW_NS


def test_server_clock_gives_microseconds_of_now(redis_client):
    """By default the value is the Redis server's TIME in microseconds."""
    before = time.time_ns() // 1000

    value = RedisNonce(redis_client, "k")()

    assert before <= value <= time.time_ns() // 1000
    assert int(redis_client.get("k")) == value


@pytest.mark.parametrize(("unit", "scale"), [("ms", 10**6), ("s", 10**9)])
def test_server_clock_in_other_units(redis_client, unit, scale):
    """unit="ms" or "s" scales the server's TIME."""
    before = time.time_ns() // scale

    value = RedisNonce(redis_client, "k", unit=unit)()

    assert before <= value <= time.time_ns() // scale


def test_values_continue_from_the_key(redis_client):
    """A stored value above the clock is continued from; the key holds the last value."""
    redis_client.set("k", NOW_US + 10)
    nonce = RedisNonce(redis_client, "k", clock=frozen_clock)

    assert [nonce(), nonce()] == [NOW_US + 11, NOW_US + 12]
    assert redis_client.get("k") == str(NOW_US + 12).encode()


def test_keys_are_independent(redis_client):
    """Each key (one per API key) has its own sequence."""
    first = RedisNonce(redis_client, "nonce:a", clock=frozen_clock)
    second = RedisNonce(redis_client, "nonce:b", clock=frozen_clock)

    assert [first(), second(), first()] == [NOW_US, NOW_US, NOW_US + 1]


def test_lost_data_never_goes_below_clock_or_own_last(redis_client):
    """After FLUSHALL, values restart from the clock, and never below a process's own last."""
    running = RedisNonce(redis_client, "k", clock=lambda: NOW_NS + 10**12)
    last_before_loss = running()

    redis_client.flushall()
    restarted = RedisNonce(redis_client, "k", clock=frozen_clock)

    assert restarted() == NOW_US  # the clock: nothing else is known
    assert running() == last_before_loss + 1  # its own last value is a floor
    assert restarted() == last_before_loss + 2  # which Redis stored for everyone


@pytest.mark.parametrize(
    "stored", ["garbage", "12.5", "-3", "", "9007199254740991", "1e15"], ids=repr
)
def test_damaged_key_raises(redis_client, stored):
    """A key that does not hold an exact integer raises NonceError naming the key and fix."""
    redis_client.set("k", stored)

    with pytest.raises(NonceError, match="the Redis key 'k' does not hold a nonce") as info:
        RedisNonce(redis_client, "k")()

    assert "SET the key to a number at least as large" in str(info.value)
    assert redis_client.get("k") == stored.encode()  # nothing was overwritten


def test_threads_share_one_sequence(redis_client):
    """8 threads × 500 draws: no repeats, increasing per thread."""
    nonce = RedisNonce(redis_client, "k")
    results: list[list[int]] = [[] for _ in range(8)]

    def draw(out: list[int]) -> None:
        out.extend(nonce() for _ in range(500))

    threads = [threading.Thread(target=draw, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({v for out in results for v in out}) == 4000
    assert all(out == sorted(set(out)) for out in results)
    assert nonce.last == max(v for out in results for v in out)


def test_refuses_to_pickle(redis_client):
    """Pickling raises TypeError saying why and what to do: a client holds sockets."""
    with pytest.raises(TypeError, match="cannot be pickled: its Redis client holds open sockets"):
        pickle.dumps(RedisNonce(redis_client, "k"))


@pytest.mark.parametrize("duplicate", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copy_is_the_same_generator(redis_client, duplicate):
    """Within a process, copying a RedisNonce gives the generator itself."""
    nonce = RedisNonce(redis_client, "k")

    assert duplicate(nonce) is nonce


def test_repr_names_key_clock_and_last(redis_client):
    """repr shows the key, unit, clock source and last value, and no connection details."""
    nonce = RedisNonce(redis_client, "k", clock=frozen_clock)
    nonce()

    assert repr(nonce) == f"RedisNonce(key='k', unit='us', clock='caller', last={NOW_US})"
    assert nonce.key == "k"
    assert repr(RedisNonce(redis_client, "k")).startswith(
        "RedisNonce(key='k', unit='us', clock='redis TIME'"
    )


@pytest.mark.parametrize(
    ("ci", "outcome"),
    [("true", "CI must run the Redis tests"), ("", "1 skipped")],
    ids=["CI-fails", "locally-skips"],
)
def test_missing_redis_server_fails_in_ci_and_skips_locally(tmp_path, ci, outcome):
    """Without redis-server on PATH, a Redis test fails when CI is set, and is skipped otherwise."""
    test = f"{__file__}::test_server_clock_gives_microseconds_of_now"
    env = {**os.environ, "PATH": str(tmp_path), "CI": ci}  # an empty PATH: no redis-server
    env.pop("COV_CORE_SOURCE", None)

    # --assert=plain: the run only shows whether the fixture skips or fails; rewriting the
    # plugins' modules again (PYTHONDONTWRITEBYTECODE leaves pytest no cache) was 3/4 of it
    done = subprocess.run(  # noqa: S603  # our interpreter running pytest on this file
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--assert=plain", "-rs", test],
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip

    assert outcome in done.stdout, done.stdout + done.stderr
    assert (done.returncode != 0) == bool(ci)
