"""Helpers that run in other processes: they must be importable by a spawned interpreter."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from typing import Any

from requests_exchange_auth import FileNonce, RedisNonce


def file_nonce(path: str) -> FileNonce:
    return FileNonce(path)


def redis_nonce(port: int, key: str) -> RedisNonce:
    import redis

    return RedisNonce(redis.Redis(port=port), key)


def draw_in_threads(
    make: Callable[[], Callable[[], int]],
    threads: int,
    draws: int,
    start: Barrier,
    results: multiprocessing.Queue[Any],
) -> None:
    """Build a generator, then draw ``draws`` values in each of ``threads`` threads at once.

    Every process waits at ``start`` first, so all threads of all processes contend.
    """
    nonce = make()
    out: list[list[int]] = [[] for _ in range(threads)]
    ready = threading.Barrier(threads)

    def draw(values: list[int]) -> None:
        ready.wait()
        values.extend(nonce() for _ in range(draws))

    workers = [threading.Thread(target=draw, args=(values,)) for values in out]
    start.wait()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(out)


def run_processes(
    make: Callable[[], Callable[[], int]], processes: int, threads: int, draws: int
) -> list[list[int]]:
    """Each thread's values, from ``processes`` spawned processes of ``threads`` threads."""
    context = multiprocessing.get_context("spawn")  # fork would copy this process's threads
    start = context.Barrier(processes)
    results: multiprocessing.Queue[Any] = context.Queue()
    children = [
        context.Process(target=draw_in_threads, args=(make, threads, draws, start, results))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    per_thread = [values for _ in children for values in results.get(timeout=300)]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return per_thread
