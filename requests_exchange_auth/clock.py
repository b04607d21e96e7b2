"""Server clocks: an exchange's own time, learned from its public time endpoint, for ``clock=``.

Every timestamp exchange rejects a timestamp too far ahead of its clock, and one older
than its window (binance-signed-requests.md §5, bybit.md §6, okx.md §6, …); being a
little behind is harmless, being ahead is fatal. So the estimate here is deliberately
biased to stay at or behind the server's clock. Each timestamp auth knows its exchange's
endpoint: ``BybitAuth.server_clock("https://api.bybit.com").sync()``.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from ._fork import reset_after_fork
from ._resync import Background
from ._time_sample import redact, server_time, shown
from .exceptions import ConfigurationError, ServerTimeError

__all__ = ["BinanceServerClock", "ServerClock"]

_MIN_SERVER_TIME_MS = 10**12  # 2001-09-09: anything smaller is not a millisecond timestamp
_MAX_SERVER_TIME_MS = 10**13


def server_time_field(answer: Any) -> object:
    """``{"serverTime": <ms>}``, the answer of Binance's (and MEXC's, Poloniex's) endpoint."""
    return answer["serverTime"]


class ServerClock:
    """An exchange server's time, in nanoseconds, as a ``clock=`` for the auths.

    Learns the server's time from its time endpoint when :meth:`sync` is called, then
    counts forward on the local monotonic clock, so a local wall clock that drifts or
    steps does not move it. Share one object between any number of auths and threads;
    each timestamp auth builds one for its exchange::

        clock = BybitAuth.server_clock("https://api.bybit.com").sync()
        auth = BybitAuth(key, secret, clock=clock, retry_invalid_timestamp=True)

    Each sync reads ``samples`` server times. A server time was stamped somewhere between
    sending and receiving, so "server time at receipt" is at least that value: each sample
    gives a reading that is never ahead of the server, and the median of the readings is
    robust to one slow sample. Timestamps end up behind the server by about the one-way
    latency of the time request, which the exchange's window absorbs.

    The clock never does I/O when it is read: an auth calling it costs no network round
    trip. It syncs when asked, from a background thread every ``resync_every`` seconds
    if set, and from an auth's ``retry_invalid_timestamp`` recovery.

    :param url: the time endpoint.
    :param read: what the endpoint's JSON answer holds: a function of the parsed JSON
        returning the server time in Unix milliseconds (default: its ``serverTime``). A
        module-level function, so that the clock pickles.
    :param exchange: the exchange's name, for messages.
    :param samples: time requests per sync (odd numbers give a true median).
    :param resync_every: seconds between background syncs; ``None`` (default) syncs only
        when asked.
    :param session: the :class:`requests.Session` for the time requests (default: a new one).
    :param timeout: seconds each sample may take in all, from connecting to the last byte
        of the answer, however slowly the server sends it; an answer still incomplete by
        then fails the sample.
    :param timer: a monotonic clock in nanoseconds (default :func:`time.monotonic_ns`);
        tests inject one.
    :raises ConfigurationError: for an invalid argument.

    .. versionadded:: 0.3.0 (as ``BinanceServerClock`` in 0.2.0)
    """

    def __init__(
        self,
        url: str,
        *,
        read: Callable[[Any], object] = server_time_field,
        exchange: str = "exchange",
        samples: int = 5,
        resync_every: float | None = None,
        session: requests.Session | None = None,
        timeout: float = 5.0,
        timer: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.url = url
        self.exchange = exchange
        self._read = read
        if type(samples) is not int or not 1 <= samples <= 25:
            msg = f"samples must be an int from 1 to 25 (5 is a good choice), not {samples!r}."
            raise ConfigurationError(msg)
        if resync_every is not None and not _seconds(resync_every, minimum=1):
            msg = (
                f"resync_every must be seconds, at least 1 (e.g. 300), or None, "
                f"not {resync_every!r}."
            )
            raise ConfigurationError(msg)
        if not _seconds(timeout, minimum=0.001):
            msg = f"timeout must be seconds greater than 0 (e.g. 5), not {timeout!r}."
            raise ConfigurationError(msg)
        self.samples = samples
        self._background = Background(resync_every, f"{type(self).__name__}-resync")
        self.timeout = timeout
        self._own_session = session is None
        self._session = session or requests.Session()
        self._timer = timer
        # (server ns minus monotonic ns, monotonic ns of the sync), replaced as one object
        # so readers never see half an update, with or without a GIL.
        self._state: tuple[int, int] | None = None
        self._after_fork()
        reset_after_fork(self)

    def _after_fork(self) -> None:
        """Fresh locks and no thread: a fork copies locks, not threads (``_fork``)."""
        self._sync_lock = threading.Lock()  # held during the time requests
        self._background.after_fork()

    @property
    def resync_every(self) -> float | None:
        """Seconds between background syncs (``None``: only when asked)."""
        return self._background.every

    @resync_every.setter
    def resync_every(self, every: float | None) -> None:
        self._background.every = every

    @property
    def _thread(self) -> threading.Thread | None:
        return self._background.thread

    def __call__(self) -> int:
        """The server's current Unix time in nanoseconds (the ``clock`` contract)."""
        state = self._state
        if state is None:
            msg = (
                f"{self!r} has not synced yet; call its sync() once before signing, e.g. "
                "clock = ...server_clock(url).sync()."
            )
            raise ConfigurationError(msg)
        return self._timer() + state[0]

    @property
    def offset_ms(self) -> float | None:
        """The server's clock minus the local wall clock, in ms (``None`` before a sync)."""
        state = self._state
        if state is None:
            return None
        return (self._timer() + state[0] - time.time_ns()) / 1e6

    @property
    def age(self) -> float | None:
        """Seconds since the last successful sync (``None`` before one)."""
        state = self._state
        return None if state is None else (self._timer() - state[1]) / 1e9

    def sync(self, *, max_age: float | None = None) -> ServerClock:
        """Read the server time now (``samples`` requests) and adopt the estimate.

        Blocks for at most ``samples`` × ``timeout`` seconds, however slow the endpoint
        (also when the timestamp recovery of an auth calls it).

        :param max_age: skip the requests when the last sync is younger than this many
            seconds (lets many threads that met the same rejection share one sync).
        :returns: the clock itself, so ``clock = ServerClock(url).sync()`` reads well.
        :raises ServerTimeError: when the time endpoint does not answer with a server time
            in time, or answers anything that cannot be read as one (not JSON, nested too
            deep, longer than 16 KiB); the previous estimate, if any, stays in use.
        """
        # "Younger than max_age" as of this call: time spent waiting for another thread's
        # sync below must not make that very sync look too old to share.
        since = None if max_age is None else self._timer() - max_age * 1e9
        with self._sync_lock:
            state = self._state
            if since is None or state is None or state[1] < since:
                readings = [self._reading() for _ in range(self.samples)]
                self._state = (int(statistics.median_low(readings)), self._timer())
        self._background.start(self)
        return self

    def close(self) -> None:
        """Stop the background syncs for good; the clock keeps its last estimate.

        ``sync()`` still works after ``close()``; it no longer starts background syncs.
        """
        # A sync in flight ends within samples × timeout; don't wait longer than that.
        self._background.close(wait=self.samples * self.timeout + 1)
        if self._own_session:
            self._session.close()

    def __enter__(self) -> ServerClock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _reading(self) -> int:
        """One sample: server time minus the monotonic time at which the answer arrived."""
        outcome = server_time(self._session, self.url, self.timeout, self._timer, self._read)
        if isinstance(outcome, str):
            problem = redact(outcome)
        else:
            server_ms, received = outcome
            if type(server_ms) is int and _MIN_SERVER_TIME_MS <= server_ms < _MAX_SERVER_TIME_MS:
                return server_ms * 1_000_000 - received
            problem = f"the server time is {shown(server_ms)}, not Unix milliseconds"
        msg = (
            f"could not read the {self.exchange} server time from {redact(self.url)} "
            f"({problem}); check the URL and the network, then call sync() again."
        )
        raise ServerTimeError(msg)

    def __repr__(self) -> str:
        offset = self.offset_ms
        state = "not synced" if offset is None else f"offset_ms={offset:.1f}"
        return f"{type(self).__name__}({redact(self.url)!r}, {state})"

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in _UNPICKLED}
        # Monotonic readings are per boot and per host; carry the offset from the wall
        # clock instead, which the copy re-bases on its own monotonic clock.
        if self._state is not None:
            state["_wall_offset_ns"] = self._timer() + self._state[0] - time.time_ns()
            state["_age_ns"] = self._timer() - self._state[1]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        wall_offset, age = state.pop("_wall_offset_ns", None), state.pop("_age_ns", 0)
        self.__dict__.update(state)
        self._after_fork()
        self._state = None
        if wall_offset is not None:
            now = self._timer()
            self._state = (time.time_ns() + wall_offset - now, now - age)
        reset_after_fork(self)


# Locks and threads do not pickle or survive a fork; the state does.
_UNPICKLED = frozenset({"_sync_lock", "_state"})


def _seconds(value: object, *, minimum: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= minimum


class BinanceServerClock(ServerClock):
    """The Binance server's time, in nanoseconds, as a ``clock=`` for the auths.

    A :class:`ServerClock` on the time endpoint of the API a URL belongs to
    (binance-signed-requests.md §5): ``/api``, ``/sapi``, ``/fapi``, ``/dapi`` or ``/eapi``
    by the URL's first path segment, or by its host when it has no path; a URL ending in
    ``/time`` is the endpoint itself. The same as ``BinanceQueryAuth.server_clock(url)``::

        clock = BinanceServerClock("https://api.binance.com").sync()
        auth = BinanceQueryAuth(key, secret, clock=clock)

    :param url: a request URL, a base URL (``https://fapi.binance.com``) or the endpoint.
    :param options: as for :class:`ServerClock` (``samples``, ``resync_every``, …).

    .. versionadded:: 0.2.0
    """

    def __init__(self, url: str, **options: Any) -> None:
        from .schemes.binance import time_url  # noqa: PLC0415  # the scheme knows its URLs

        super().__init__(time_url(url), exchange="Binance", **options)
