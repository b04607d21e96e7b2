"""Nonce generators: zero-argument callables returning strictly increasing ``int``s.

Exchanges reject any nonce not greater than the last one they accepted for a key,
forever (poloniex.md "Nonce rules", kraken.md §3). Within one process,
:class:`MonotonicNonce` guarantees that; across processes :class:`FileNonce`
(``_file_nonce``) and across hosts :class:`RedisNonce` (``_redis_nonce``) do, and
:class:`OrderedNonce` (``_ordered``) makes requests *arrive* in nonce order.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable, Collection, Iterator
from typing import Any, ClassVar

from .exceptions import ConfigurationError

_NS_PER_UNIT = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}


def clock_in_units(
    clock: Callable[[], int] | None, unit: str, units: Collection[str] = _NS_PER_UNIT
) -> tuple[Callable[[], int], int]:
    """Check a generator's ``clock=`` and ``unit=``; return the clock and its divisor.

    :raises ConfigurationError: for a unit outside ``units`` or a clock that is not callable.
    """
    if unit not in units:
        msg = f"unit must be one of {', '.join(map(repr, units))}, not {unit!r}."
        raise ConfigurationError(msg)
    if clock is not None and not callable(clock):
        msg = "clock must be a zero-argument callable returning nanoseconds, like time.time_ns."
        raise ConfigurationError(msg)
    return clock or time.time_ns, _NS_PER_UNIT[unit]


def check_timeout(timeout: float) -> float:
    """Check a lock timeout in seconds: a positive, finite number.

    :raises ConfigurationError: for anything else.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e9:
        msg = f"timeout must be a positive number of seconds (e.g. 10.0), not {timeout!r}."
        raise ConfigurationError(msg)
    return float(timeout)


class MonotonicNonce:
    """Thread-safe, strictly increasing integers drawn from the clock.

    Each value is ``max(last + 1, now)`` with ``now`` the clock in ``unit`` (microseconds
    by default), taken under a lock: values never repeat and never go down, even while
    the wall clock steps back, and the lock (not the GIL) makes that hold across
    threads. Call the object, or use ``next()``::

        nonce = MonotonicNonce()
        nonce() < nonce() < next(nonce)

    A pickled copy (e.g. sent to a worker process) re-seeds from the receiving clock;
    it does not share state with the original, so two processes using copies with one
    API key can still collide. Give each process its own key.

    :param clock: Unix time in nanoseconds as an ``int``; default :func:`time.time_ns`.
    :param unit: the step of the clock-derived values: ``"us"`` (default), ``"ms"``,
        ``"s"`` or ``"ns"``. Keep one unit per API key: the venue compares numbers, and
        a smaller unit never catches up with values a larger one has issued.

    .. versionadded:: 0.1.0
    """

    _shared: ClassVar[MonotonicNonce | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, *, clock: Callable[[], int] | None = None, unit: str = "us") -> None:
        self._clock, self._divisor = clock_in_units(clock, unit)
        self._unit = unit
        self._lock = threading.Lock()
        self._last = 0
        _ALL.add(self)

    @classmethod
    def shared(cls) -> MonotonicNonce:
        """The process-wide generator that auths use when given no ``nonce=``.

        Sharing one generator keeps every default auth in the process on one sequence.
        """
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def __call__(self) -> int:
        now = self._clock() // self._divisor
        with self._lock:  # the two-line critical section of STYLE.md
            self._last = value = now if now > self._last else self._last + 1
        return value

    def __next__(self) -> int:
        return self()

    def __iter__(self) -> Iterator[int]:
        return self

    @property
    def last(self) -> int:
        """The most recent value issued (0 before the first)."""
        return self._last

    def __repr__(self) -> str:
        return f"MonotonicNonce(unit={self._unit!r}, last={self._last})"

    def __copy__(self) -> MonotonicNonce:
        # Within one process a copy is the same generator: two generators feeding one
        # key could issue the same value in the same microsecond.
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> MonotonicNonce:
        return self

    def __reduce__(self) -> str | tuple[Any, ...]:
        # The process-wide generator stays process-wide: it unpickles as the receiving
        # process's own shared instance, not as a detached copy.
        if self is MonotonicNonce._shared:
            return (MonotonicNonce.shared, ())
        return (_restore, (self._clock, self._unit))


_ALL: weakref.WeakSet[MonotonicNonce] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A fork copies a lock that another thread may hold mid-draw: give the child new ones.

    The child keeps each generator's last value, so its own draws still increase.
    """
    MonotonicNonce._shared_lock = threading.Lock()
    for nonce in list(_ALL):
        nonce._lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _restore(clock: Callable[[], int], unit: str) -> MonotonicNonce:
    """Unpickle as a fresh generator: a copy re-seeds from its clock, with a new lock."""
    return MonotonicNonce(clock=clock, unit=unit)
