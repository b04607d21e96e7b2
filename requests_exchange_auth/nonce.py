"""Nonce generators: zero-argument callables returning strictly increasing integers.

Exchanges reject any nonce not greater than the last one they accepted for a key,
forever (poloniex.md "Nonce rules", kraken.md §3). Within one process,
:class:`MonotonicNonce` guarantees that; across processes :class:`FileNonce`
(``_file_nonce``) and across hosts :class:`RedisNonce` (``_redis_nonce``) do, and
:class:`OrderedNonce` (``_ordered``) makes requests *arrive* in nonce order. All four
import from here::

    from requests_exchange_auth.nonce import FileNonce, MonotonicNonce
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from ._fork import reset_after_fork, resets_after_fork
from ._time import NS_PER_UNIT, TimeUnit, checked_clock, divisor
from .exceptions import ConfigurationError

if TYPE_CHECKING:
    from ._file_nonce import FileNonce
    from ._ordered import OrderedNonce
    from ._redis_nonce import RedisNonce

__all__ = ["FileNonce", "MonotonicNonce", "OrderedNonce", "RedisNonce"]

_LAZY = {"FileNonce": "._file_nonce", "OrderedNonce": "._ordered", "RedisNonce": "._redis_nonce"}


def __getattr__(name: str) -> Any:
    """The other generators, loaded on first use (they import this module)."""
    if name not in _LAZY:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib  # noqa: PLC0415  # only for the lazy names

    return getattr(importlib.import_module(_LAZY[name], __package__), name)


def clock_in_units(
    clock: Callable[[], int] | None, unit: str, units: Collection[str] = NS_PER_UNIT
) -> tuple[Callable[[], int], int]:
    """Check a generator's ``clock=`` and ``unit=``; return the clock and its divisor.

    :raises ConfigurationError: for a unit outside ``units`` or a clock that is not callable.
    """
    return checked_clock(clock), divisor(unit, units, "the nonce generator's")


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

    # Slots, and ``with lock``, not acquire() ... finally: release(): the latter is faster
    # alone (~80 ns on CPython 3.11) but collapses when threads share the generator. The
    # interpreter may hand the GIL to another thread right after the acquire() call
    # returns, with the lock held, and every other drawer then blocks on it in the OS:
    # 8 threads took 8-10x longer than one (3.11-3.13); with ``with`` they take no longer.
    __slots__ = ("__weakref__", "_clock", "_divisor", "_last", "_lock", "_unit")

    _shared: ClassVar[MonotonicNonce | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, *, clock: Callable[[], int] | None = None, unit: TimeUnit = "us") -> None:
        self._clock, self._divisor = clock_in_units(clock, unit)
        self._unit = unit
        self._lock = threading.Lock()
        self._last = 0
        reset_after_fork(self)

    def _after_fork(self) -> None:
        """A fork copies a lock another thread may hold mid-draw: the child gets a new one.

        The child keeps the last value, so its own draws still increase.
        """
        self._lock = threading.Lock()

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
            last = self._last
            self._last = value = now if now > last else last + 1
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


@resets_after_fork
def _renew_shared_lock() -> None:
    """A fork while another thread holds the class lock would wedge the child's shared()."""
    MonotonicNonce._shared_lock = threading.Lock()


def _restore(clock: Callable[[], int], unit: TimeUnit) -> MonotonicNonce:
    """Unpickle as a fresh generator: a copy re-seeds from its clock, with a new lock."""
    return MonotonicNonce(clock=clock, unit=unit)
