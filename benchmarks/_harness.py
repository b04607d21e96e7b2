"""Interleaved timing: every case runs once per round, rounds repeat, medians win.

On a shared 2-core machine the speed drifts by tens of percent within a minute. Timing
each case in a block of its own would turn that drift into a difference between cases;
running all cases once per round, many rounds, and taking medians makes every case see
the same drift. Ratios are the median of per-round ratios: numerator and denominator
were measured in the same round, moments apart, so the drift cancels in each pair.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import threading
import time
import timeit
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: one round's measurements: case key -> seconds per operation
Round = Mapping[str, float]


@dataclass
class Case:
    """Something to time: ``sample(number)`` runs ``number`` operations, returns seconds.

    A sampler may instead return ``{key: seconds}`` for several interleaved operations
    (see :func:`alternating`); each key is then recorded as a case of its own.
    """

    key: str
    sample: Callable[[int], float | dict[str, float]]
    #: a sample of this case lasts about this many times the run's sample length
    weight: float = 1.0
    number: int = 1


def _total(took: float | dict[str, float]) -> float:
    return sum(took.values()) if isinstance(took, dict) else took


def statement(stmt: str, namespace: dict[str, Any]) -> Callable[[int], float]:
    """A sampler for one Python statement, compiled into timeit's loop (no call overhead)."""
    timer = timeit.Timer(stmt, globals=namespace)
    return timer.timeit


def calibrate(case: Case, sample_seconds: float) -> None:
    """Pick ``number`` so that one sample of the case lasts about ``sample_seconds``."""
    number = 1
    while True:
        took = _total(case.sample(number))
        if took >= sample_seconds * case.weight / 4 or number >= 1 << 24:
            break
        number *= 2
    case.number = max(1, round(number * sample_seconds * case.weight / max(took, 1e-9)))


def run(
    cases: list[Case],
    rounds: int,
    sample_seconds: float,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, float]]:
    """Calibrate, then run ``rounds`` rounds; each round runs every case once, in a rotated order.

    Rotating the order (round ``i`` starts at case ``i``) keeps any one case from always
    following the same neighbour, without a random generator.
    """
    for case in cases:
        case.sample(1)  # warm up: imports, caches, first-call costs
        calibrate(case, sample_seconds)
    results: list[dict[str, float]] = []
    for i in range(rounds):
        start = i % len(cases)
        measured: dict[str, float] = {}
        for case in cases[start:] + cases[:start]:
            took = case.sample(case.number)
            for key, seconds in (took if isinstance(took, dict) else {case.key: took}).items():
                measured[key] = seconds / case.number
        results.append(measured)
        if progress is not None:
            progress(i + 1)
    return results


def median(values: Iterable[float]) -> float:
    """The median, or NaN for no values (a row whose cases did not run)."""
    data = list(values)
    return statistics.median(data) if data else float("nan")


def alternating(ops: Mapping[str, Callable[[], object]]) -> Callable[[int], dict[str, float]]:
    """A sampler that runs the operations in turn, ``number`` times each, timing each call.

    For slow operations (a ``prepare_request``, a whole HTTP round trip) whose ratio
    matters: each pair is measured within a millisecond, so even fast drift cancels.
    One untimed pass first warms the caches that the previous case left cold, and the
    order flips on every pass (A B, B A, ...), so neither operation is always the one
    that runs first. A sample reports each operation's median call (times ``number``),
    so one stalled call (a thread switch, another job) does not move it. The garbage
    collector is off while sampling, as :mod:`timeit` does.
    """
    clock = time.perf_counter
    forward = list(ops.items())
    backward = forward[::-1]

    def sample(number: int) -> dict[str, float]:
        spent: dict[str, list[float]] = {key: [] for key in ops}
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for op in ops.values():
                op()
            for i in range(number):
                for key, op in backward if i % 2 else forward:
                    began = clock()
                    op()
                    spent[key].append(clock() - began)
        finally:
            if was_enabled:
                gc.enable()
        return {key: statistics.median(times) * number for key, times in spent.items()}

    return sample


def async_alternating(
    ops: Mapping[str, Callable[[], Awaitable[object]]], loop: asyncio.AbstractEventLoop
) -> Callable[[int], dict[str, float]]:
    """:func:`alternating` for coroutines, run on ``loop`` (an event loop of the case's own).

    The same passes (one untimed, then A B, B A, ...), each await timed alone, each
    operation's median call reported; the loop runs only while a sample is taken.
    """
    clock = time.perf_counter
    forward = list(ops.items())
    backward = forward[::-1]

    async def passes(number: int) -> dict[str, list[float]]:
        spent: dict[str, list[float]] = {key: [] for key in ops}
        for op in ops.values():
            await op()
        for i in range(number):
            for key, op in backward if i % 2 else forward:
                began = clock()
                await op()
                spent[key].append(clock() - began)
        return spent

    def sample(number: int) -> dict[str, float]:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            spent = loop.run_until_complete(passes(number))
        finally:
            if was_enabled:
                gc.enable()
        return {key: statistics.median(times) * number for key, times in spent.items()}

    return sample


def threaded_sampler(op: Callable[[], object], threads: int) -> Callable[[int], float]:
    """A sampler that splits ``number`` calls of ``op`` over ``threads`` threads.

    The clock runs from the moment all threads are released together until the last one
    is done; starting the threads is not timed.
    """

    def sample(number: int) -> float:
        share = max(1, number // threads)
        gate = threading.Barrier(threads + 1)

        def work() -> None:
            gate.wait()
            for _ in range(share):
                op()

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        was_enabled = gc.isenabled()
        gc.disable()  # as timeit does
        try:
            gate.wait()
            began = time.perf_counter()
            for worker in workers:
                worker.join()
            took = time.perf_counter() - began
        finally:
            if was_enabled:
                gc.enable()
        return took * number / (share * threads)

    return sample
