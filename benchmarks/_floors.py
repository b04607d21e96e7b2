"""Each nonce generator against the bare mechanism it is built on, for benchmarks/nonces.py.

- MonotonicNonce: a bare locked counter, ``max(now, last + 1)`` under a
  ``threading.Lock`` in a closure (the fastest way CPython runs it: acquire/release, no
  attribute lookups); the same with ``with lock:`` is shown too.
- FileNonce: a bare cycle on a file kept open: ``flock``, ``pread``, ``max(now, last +
  1)``, ``pwrite``, unlock; no thread lock and no check of the path.
- RedisNonce: the same Lua script called through the same client
  (``execute_command("EVALSHA", ...)``) on another key; a call on a raw connection,
  below the client, is shown too.

Pairs are timed back to back (the order swapped every round), one thread, and each
ratio is the median of the per-round ratios ``floor time ÷ our time``.
"""

from __future__ import annotations

import fcntl
import os
import statistics
import threading
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from requests_exchange_auth import FileNonce, MonotonicNonce, RedisNonce
from requests_exchange_auth._redis_nonce import _SCRIPT

SAMPLE_S = 0.01  # one timing of one side of a pair


@dataclass
class Pair:
    """A generator, its floor, the issue's target for the ratio, and rows shown alongside."""

    name: str
    ours: Callable[[], object]
    floor_label: str
    floor: Callable[[], object]
    target: float
    also: dict[str, Callable[[], object]] = field(default_factory=dict)
    number: int = 1
    times: dict[str, list[float]] = field(default_factory=dict)
    ratios: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "generator": self.name,
            "floor": self.floor_label,
            "ratio": round(statistics.median(self.ratios), 3),
            "target": self.target,
        }


def bare_counter() -> Callable[[], int]:
    lock, clock, last = threading.Lock(), time.time_ns, 0

    def draw() -> int:
        nonlocal last
        now = clock() // 1000
        lock.acquire()
        try:
            value = last = now if now > last else last + 1
        finally:
            lock.release()
        return value

    return draw


def bare_counter_with() -> Callable[[], int]:
    lock, clock, last = threading.Lock(), time.time_ns, 0

    def draw() -> int:
        nonlocal last
        now = clock() // 1000
        with lock:
            value = last = now if now > last else last + 1
        return value

    return draw


def bare_flock(path: Path, *, check_path: bool = False) -> Callable[[], int]:
    """The cycle; with ``check_path``, also an ``lstat`` of the path on every draw, the
    check FileNonce makes under the lock at most once per millisecond of draws in a row
    (that the path still names the open file: not deleted, replaced or linked)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.write(fd, b"1\n")
    clock, flock, ex, un = time.time_ns, fcntl.flock, fcntl.LOCK_EX, fcntl.LOCK_UN
    lstat = os.lstat

    def draw() -> int:
        flock(fd, ex)
        last = int(os.pread(fd, 32, 0))
        now = clock() // 1000
        value = now if now > last else last + 1
        os.pwrite(fd, b"%d\n" % value, 0)
        flock(fd, un)
        return value

    def checked() -> int:
        flock(fd, ex)
        lstat(path)
        last = int(os.pread(fd, 32, 0))
        now = clock() // 1000
        value = now if now > last else last + 1
        os.pwrite(fd, b"%d\n" % value, 0)
        flock(fd, un)
        return value

    return checked if check_path else draw


def bare_script(client: Any) -> tuple[Callable[[], object], Callable[[], object]]:
    """The script through the client, and on a raw connection of its pool."""
    sha = client.script_load(_SCRIPT)
    execute = client.execute_command
    conn = client.connection_pool.get_connection()

    def through_client() -> object:
        return execute("EVALSHA", sha, 1, "bench:floor", 1, "", 1)

    def raw() -> object:
        conn.send_command("EVALSHA", sha, 1, "bench:raw", 1, "", 1)
        return conn.read_response()

    return through_client, raw


def pairs(directory: Path, client: Any) -> list[Pair]:
    found = [
        Pair("MonotonicNonce", MonotonicNonce(), "a bare locked counter", bare_counter(),
             0.9, {"the same counter with 'with lock:'": bare_counter_with()}),
        Pair("FileNonce", FileNonce(directory / "floor-ours.nonce"),
             "a bare flock + pread + pwrite cycle", bare_flock(directory / "floor.bare"), 0.7,
             {"the same cycle and an lstat per draw":
              bare_flock(directory / "floor.checked", check_path=True)}),
    ]  # fmt: skip
    if client is not None:
        through_client, raw = bare_script(client)
        found.append(
            Pair(
                "RedisNonce",
                RedisNonce(client, "bench:ours"),
                "a bare script round trip",
                through_client,
                0.8,
                {"the script on a raw connection": raw},
            )
        )
    return found


def _per_call(call: Callable[[], object], number: int) -> float:
    return timeit.Timer(call).timeit(number) / number


def measure(found: list[Pair], rounds: int) -> list[Pair]:
    for pair in found:
        pair.ours()
        pair.ours()  # a FileNonce opens and keeps its file on its second draw
        pair.number = max(10, round(SAMPLE_S / _per_call(pair.floor, 200)))
        pair.times = {key: [] for key in ("ours", "floor", *pair.also)}
    for i in range(rounds):
        for pair in found:
            sides = [("ours", pair.ours), ("floor", pair.floor), *pair.also.items()]
            took = {key: _per_call(call, pair.number) for key, call in sides[:: 1 - 2 * (i % 2)]}
            for key, value in took.items():
                pair.times[key].append(value)
            pair.ratios.append(took["floor"] / took["ours"])
    return found


def _show(seconds: float) -> str:
    return f"{seconds * 1e6:8.2f} µs" if seconds >= 1e-6 else f"{seconds * 1e9:8.0f} ns"


def report(found: list[Pair], rounds: int, redis_missing: bool) -> None:
    print(f"Each generator against its floor: one thread, {rounds} rounds, pairs back to back")
    for pair in found:
        ours = statistics.median(pair.times["ours"])
        floor = statistics.median(pair.times["floor"])
        print(f"  {pair.name:<40} {_show(ours)}")
        print(f"  {pair.floor_label:<40} {_show(floor)}")
        for label in pair.also:
            print(f"  {label:<40} {_show(statistics.median(pair.times[label]))}")
    print("\nTargets (ours ÷ floor in draws per second: the floor's time ÷ ours)")
    for pair in found:
        ratio = statistics.median(pair.ratios)
        verdict = "met" if ratio >= pair.target else "NOT MET"
        print(f"  {pair.name} ÷ {pair.floor_label}: {ratio:.3f}× (≥ {pair.target}×) {verdict}")
        for label in pair.also:  # for reading the target, not a target
            pairs_ = zip(pair.times[label], pair.times["ours"], strict=True)
            ratio = statistics.median(other / ours for other, ours in pairs_)
            print(f"    (for comparison: {pair.name} ÷ {label}: {ratio:.2f}×)")
    if redis_missing:
        print("  RedisNonce ÷ a bare script round trip: not measured: no redis-server")
