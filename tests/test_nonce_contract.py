"""What every nonce generator promises: ints that only go up, whatever the clock does.

Each generator is built on a fresh store per call (its own file, its own Redis key), with
an injected clock; RedisNonce runs against the real test server.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_exchange_auth import FileNonce, MonotonicNonce, OrderedNonce, RedisNonce

NOW_NS = 1_700_000_000_123_456_789
HOUR_NS = 3600 * 10**9
Clock = Callable[[], int]
Make = Callable[[Clock, str], Callable[[], int]]


def ticking(*readings: int) -> Clock:
    return iter(readings).__next__


@pytest.fixture(params=["MonotonicNonce", "FileNonce", "RedisNonce", "OrderedNonce"])
def make(request, tmp_path) -> Make:
    """Build the generator under test on a store of its own, with the given clock and unit."""
    counter = itertools.count()
    if request.param == "MonotonicNonce":
        return lambda clock, unit: MonotonicNonce(clock=clock, unit=unit)
    if request.param == "FileNonce":
        return lambda clock, unit: FileNonce(tmp_path / f"n{next(counter)}", clock=clock, unit=unit)
    if request.param == "OrderedNonce":
        return lambda clock, unit: OrderedNonce(
            FileNonce(tmp_path / f"n{next(counter)}", clock=clock, unit=unit)
        )
    client = request.getfixturevalue("redis_client")
    return lambda clock, unit: RedisNonce(client, f"k{next(counter)}", clock=clock, unit=unit)


def test_is_a_zero_argument_callable_and_an_iterator(make):
    """``nonce()`` and ``next(nonce)`` draw ints from one sequence."""
    nonce = make(ticking(NOW_NS, NOW_NS, NOW_NS), "us")

    values = [nonce(), next(nonce), next(iter(nonce))]

    assert all(type(v) is int for v in values)
    assert values == [NOW_NS // 1000 + i for i in range(3)]


def test_clock_stepping_back_an_hour_never_lowers_output(make):
    """After the clock steps back an hour, values go on from the last one, never lower."""
    readings = [NOW_NS, NOW_NS + 10**9, NOW_NS + 10**9 - HOUR_NS, NOW_NS - HOUR_NS, NOW_NS]
    nonce = make(ticking(*readings), "us")

    values = [nonce() for _ in readings]

    last_before_step = (NOW_NS + 10**9) // 1000
    assert values == [NOW_NS // 1000, last_before_step, *(last_before_step + i for i in (1, 2, 3))]


_UNITS = {"s": 10**9, "ms": 10**6, "us": 10**3}
# readings around 2023, with steps anywhere from an hour back to an hour forward
_readings = st.integers(10**18, 2 * 10**18).flatmap(
    lambda start: st.lists(st.integers(-HOUR_NS, HOUR_NS), min_size=1, max_size=20).map(
        lambda steps: list(itertools.accumulate(steps, initial=start))
    )
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(readings=_readings, unit=st.sampled_from(sorted(_UNITS)))
def test_any_clock_sequence_gives_max_of_last_plus_one_and_clock(make, readings, unit):
    """For any clock readings, backward jumps included, each value is max(last + 1, now)."""
    nonce = make(ticking(*readings), unit)
    expected, last = [], 0
    for reading in readings:
        last = max(last + 1, reading // _UNITS[unit])
        expected.append(last)

    assert [nonce() for _ in readings] == expected
