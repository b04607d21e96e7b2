"""Deterministic stand-ins for the clock and nonce callables the auths take.

Tests inject these instead of monkeypatching time (STYLE.md, "Inject the clock").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

#: binance-signed-requests.md §8: the official example's timestamp, 1499827319559 ms.
#: A :class:`FakeClock` starts here, so the docs' example signs to its published value.
SPEC_TIME_NS = 1_499_827_319_559_000_000


class FakeClock:
    """A clock that stands still until told to move: Unix time in nanoseconds, as an ``int``.

    It has the shape of :func:`time.time_ns`, so it fits every ``clock=`` of this
    package, and :class:`LocalExchange` ``clock=`` too (share one to keep client and
    server in step)::

        clock = FakeClock()
        auth = BinanceQueryAuth(key, secret, clock=clock)
        clock.advance(ms=1500)

    :param start_ns: the first reading; default :data:`SPEC_TIME_NS`.
    :param step_ns: added after every reading (0: frozen).

    .. versionadded:: 0.2.0
    """

    def __init__(self, start_ns: int = SPEC_TIME_NS, *, step_ns: int = 0) -> None:
        self._now = start_ns
        self._step = step_ns
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            now, self._now = self._now, self._now + self._step
        return now

    def advance(self, *, ms: int = 0, ns: int = 0) -> int:
        """Move forward (or back, with negative values); returns the new reading."""
        with self._lock:
            self._now += ms * 1_000_000 + ns
            return self._now

    def set(self, now_ns: int) -> None:
        """Jump to ``now_ns``."""
        with self._lock:
            self._now = now_ns

    def __getstate__(self) -> dict[str, int]:
        return {"_now": self._now, "_step": self._step}  # a lock does not pickle

    def __setstate__(self, state: dict[str, int]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def ms(self) -> int:
        """The current reading in milliseconds, without stepping."""
        return self._now // 1_000_000

    def __repr__(self) -> str:
        return f"FakeClock({self._now})"


class CountingNonce:
    """Nonces ``start, start + step, …``: thread-safe and strictly increasing.

    For tests that need to know each nonce in advance; pass it as ``nonce=``.

    .. versionadded:: 0.2.0
    """

    def __init__(self, start: int = 1, step: int = 1) -> None:
        if start <= 0 or step <= 0:
            msg = f"start and step must be positive ints, not {start!r} and {step!r}."
            raise ValueError(msg)
        self._next = start
        self._step = step
        self._lock = threading.Lock()
        #: the last value issued (0 before the first)
        self.last = 0

    def __call__(self) -> int:
        with self._lock:
            self.last, self._next = self._next, self._next + self._step
            return self.last

    def __next__(self) -> int:
        return self()

    def __iter__(self) -> Iterator[int]:
        return self

    def __getstate__(self) -> dict[str, int]:
        return {"_next": self._next, "_step": self._step, "last": self.last}

    def __setstate__(self, state: dict[str, int]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CountingNonce(last={self.last})"
