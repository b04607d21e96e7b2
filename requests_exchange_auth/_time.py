"""Clocks and time units: the one place a ``clock=`` is checked and read.

A clock is a zero-argument callable returning Unix time in nanoseconds as an ``int``,
the shape of :func:`time.time_ns` (DESIGN.md, "Public contract"). Every auth, nonce
generator and verifier reads it here, in the unit its exchange wants.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Collection
from datetime import datetime, timezone
from typing import Literal

from .exceptions import ConfigurationError

__all__ = ["Clock", "TimeUnit", "Timestamps", "checked_clock", "divisor", "iso_ms"]

Clock = Callable[[], int]
#: The time units of ``unit=`` options, everywhere in the package.
TimeUnit = Literal["s", "ms", "us", "ns"]
NS_PER_UNIT: dict[str, int] = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_UNIT_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}


def checked_clock(value: object, name: str = "clock") -> Clock:
    """The injected clock, or :func:`time.time_ns` for ``None``.

    :raises ConfigurationError: when it is not callable.
    """
    if value is None:
        return time.time_ns
    if not callable(value):
        msg = (
            f"{name} must be a zero-argument callable returning Unix time in nanoseconds "
            f"as an int (like time.time_ns), not {type(value).__name__}."
        )
        raise ConfigurationError(msg)
    return value


def divisor(unit: object, allowed: Collection[str], owner: str) -> int:
    """Nanoseconds per ``unit``, which must be one of ``allowed``.

    :raises ConfigurationError: naming the units ``owner`` accepts.
    """
    if not isinstance(unit, str) or unit not in allowed:
        choices = ", ".join(f"{u!r} ({_UNIT_WORDS[u]})" for u in allowed)
        msg = f"{owner} unit must be one of {choices}, not {unit!r}."
        raise ConfigurationError(msg)
    return NS_PER_UNIT[unit]


def checked_now(now: object, unit: str) -> int:
    """What a clock returned, if it is an ``int``: a float clock fails loudly, not as 1.5e12."""
    if type(now) is not int:
        msg = (
            f"the clock returned {type(now).__name__}; it must return Unix time in "
            f"nanoseconds as an int, like time.time_ns. It is converted to {unit} here."
        )
        raise ConfigurationError(msg)
    return now


class Timestamps:
    """Reads a clock in one unit: ``Timestamps(clock, "ms").now()`` is Unix milliseconds now.

    :param clock: the injected clock, or ``None`` for :func:`time.time_ns`.
    :param unit: the unit of the timestamps.
    """

    __slots__ = ("_divisor", "clock", "unit")

    def __init__(self, clock: object, unit: TimeUnit = "ms") -> None:
        self.clock = checked_clock(clock)
        self.unit = unit
        self._divisor = NS_PER_UNIT[unit]

    def now(self) -> int:
        """The clock now, in :attr:`unit`."""
        now = self.clock()
        if type(now) is not int:  # checked here first: this runs on every request
            checked_now(now, _UNIT_WORDS[self.unit])
        return now // self._divisor

    def __reduce__(self) -> tuple[type[Timestamps], tuple[Clock, str]]:
        return (Timestamps, (self.clock, self.unit))


# ".000Z" to ".999Z": a format spec in an f-string costs more than the rest of iso_ms.
_MS_SUFFIXES = tuple(f".{ms:03d}Z" for ms in range(1000))


def iso_ms(ms: int) -> str:
    """Unix milliseconds as ISO 8601 UTC with milliseconds and ``Z``:
    ``2020-12-08T09:08:57.715Z`` (OKX style)."""
    seconds, rest = divmod(ms, 1000)
    return _utc_second(seconds) + _MS_SUFFIXES[rest]


# Consecutive requests fall in the same second: formatting it once per second (a bounded,
# thread-safe cache) spares the datetime work on every signature.
@functools.lru_cache(maxsize=16)
def _utc_second(seconds: int) -> str:
    return f"{datetime.fromtimestamp(seconds, tz=timezone.utc):%Y-%m-%dT%H:%M:%S}"
