"""Draws per second of each nonce generator, in one thread and in 8 threads, and each
generator against the bare mechanism it is built on (its floor), in the same run.

Run from a checkout, with the package and its ``file`` and ``redis`` extras installed::

    python benchmarks/nonces.py                 # a table, then the floors
    python benchmarks/nonces.py --json          # one JSON object per line
    python benchmarks/nonces.py --seconds 3     # measure longer (default 1 s per row)
    python benchmarks/nonces.py --smoke         # short: every row runs

The floors (``_floors``): a bare locked counter for MonotonicNonce, a bare ``flock`` +
``pread`` + ``pwrite`` cycle on an open file for FileNonce, a bare call of the same Lua
script through the same client for RedisNonce. The table shows MonotonicNonce's two
floors at 1 and 8 threads as well (which of them collapses when threads share it). Each
pair is timed back to back, round after round, and the ratio is the median of the
per-round ratios (floor time ÷ ours: 1.0 means ours is as fast as its floor).

RedisNonce rows need ``redis-server`` on PATH (started here on a free loopback port, no
persistence) or ``--redis-url``; without either they are left out. This is a benchmark,
not a test: it asserts nothing, and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

import _floors
from requests_exchange_auth import FileNonce, MonotonicNonce, OrderedNonce, RedisNonce

THREADS = (1, 8)


def draws_per_second(nonce: Callable[[], int], threads: int, seconds: float) -> float:
    """Draw from ``threads`` threads at once for ``seconds``; total draws per second."""
    counts = [0] * threads
    start = threading.Barrier(threads + 1)
    stop = threading.Event()

    def draw(slot: int) -> None:
        start.wait()
        count = 0
        while not stop.is_set():
            for _ in range(100):
                nonce()
            count += 100
        counts[slot] = count

    workers = [threading.Thread(target=draw, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - began)


@contextmanager
def redis_client(url: str | None) -> Iterator[redis.Redis | None]:
    """A client of ``url``, of a throw-away local redis-server, or None."""
    if url:
        yield redis.Redis.from_url(url)
        return
    executable = shutil.which("redis-server")
    if executable is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        server = subprocess.Popen(  # noqa: S603  # the redis-server on PATH, fixed arguments
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", directory],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            client = redis.Redis(port=port)
            for _ in range(200):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            yield client
        finally:
            server.terminate()
            server.wait()


def generators(directory: Path, client: redis.Redis | None) -> dict[str, Callable[[], int]]:
    made: dict[str, Callable[[], int]] = {
        "MonotonicNonce": MonotonicNonce(),
        # Its two floors, for the 8-thread rows: acquire()/release() is the faster alone
        # and collapses when threads share it, the reason MonotonicNonce uses ``with``.
        "  floor: acquire()/release()": _floors.bare_counter(),
        "  floor: with lock:": _floors.bare_counter_with(),
        "OrderedNonce(MonotonicNonce)": OrderedNonce(MonotonicNonce()),
        "FileNonce": FileNonce(directory / "plain.nonce"),
        "FileNonce(durable=True)": FileNonce(directory / "durable.nonce", durable=True),
    }
    if client is not None:
        made["RedisNonce"] = RedisNonce(client, "bench:nonce")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per row (default 1)")
    parser.add_argument("--rounds", type=int, default=40, help="rounds of the floor pairs")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    parser.add_argument("--smoke", action="store_true", help="short rows: every row runs")
    parser.add_argument("--redis-url", help="an existing Redis server, e.g. redis://host:6379/0")
    args = parser.parse_args()
    seconds, rounds = (0.05, 2) if args.smoke else (args.seconds, args.rounds)

    with tempfile.TemporaryDirectory() as directory, redis_client(args.redis_url) as client:
        rows = [
            (name, threads, draws_per_second(nonce, threads, seconds))
            for name, nonce in generators(Path(directory), client).items()
            for threads in THREADS
        ]
        pairs = _floors.measure(_floors.pairs(Path(directory), client), rounds)

    if args.json:
        for name, threads, rate in rows:
            print(json.dumps({"generator": name, "threads": threads, "draws_per_s": round(rate)}))
        for pair in pairs:
            print(json.dumps(pair.as_json()))
        return
    print(f"# Python {platform.python_version()}, {platform.system()}, {os.cpu_count()} CPUs")
    if client is None:
        print("# RedisNonce left out: no redis-server on PATH and no --redis-url")
    if args.smoke:
        print("# SMOKE RUN: rows too short for the numbers to mean anything")
    print(f"{'generator':<30} {'threads':>7} {'draws/s':>12}")
    for name, threads, rate in rows:
        print(f"{name:<30} {threads:>7} {rate:>12,.0f}")
    print()
    _floors.report(pairs, rounds, client is None)


if __name__ == "__main__":
    main()
