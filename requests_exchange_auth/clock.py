"""The Binance server's clock, learned from its time endpoint, for ``clock=`` of the auths.

Specification: ``specs/binance-signed-requests.md`` §5 (timing) and §6 (-1021). The server
rejects a ``timestamp`` that is 1000 ms or more ahead of its clock, and one older than
``recvWindow``; being a little behind is harmless, being ahead is fatal. So the estimate
here is deliberately biased to stay at or behind the server's clock.
"""

from __future__ import annotations

import logging
import os
import re
import statistics
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from .exceptions import ConfigurationError, ServerTimeError

log = logging.getLogger("requests_exchange_auth")

# §5: the time endpoint of each API; SAPI lives on the spot host and uses spot's.
_TIME_PATH = {
    "api": "/api/v3/time",
    "sapi": "/api/v3/time",
    "fapi": "/fapi/v1/time",
    "dapi": "/dapi/v1/time",
    "eapi": "/eapi/v1/time",
}
# Hosts whose API is clear from the name alone (api1.binance.com, testnet.binance.vision...).
_HOST_API = (("fapi", "fapi"), ("dapi", "dapi"), ("eapi", "eapi"), ("api", "api"))
_SPOT_TESTNET = "testnet.binance.vision"
_MIN_SERVER_TIME_MS = 10**12  # 2001-09-09: anything smaller is not a millisecond timestamp
_MAX_SERVER_TIME_MS = 10**13


def time_url(url: str) -> str:
    """The time endpoint that fits ``url``: a request URL, an API base URL or the endpoint.

    The first path segment decides (``/api``, ``/sapi``, ``/fapi``, ``/dapi``, ``/eapi``);
    a URL without a path is judged by its host (``fapi.binance.com``); a path ending in
    ``/time`` is taken as it is.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = (
            f"BinanceServerClock needs an http(s) URL of a Binance API, not {_redact(url)!r}; "
            "e.g. 'https://api.binance.com' or 'https://fapi.binance.com'."
        )
        raise ConfigurationError(msg)
    path = parts.path.rstrip("/")
    if path.endswith("/time"):
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    api = path.split("/")[1] if path else _api_of_host(parts.hostname)
    if api not in _TIME_PATH:
        msg = (
            f"cannot tell which Binance API {_redact(url)!r} belongs to; pass a URL whose path "
            "starts with /api, /sapi, /fapi, /dapi or /eapi (e.g. "
            "'https://testnet.binancefuture.com/fapi'), or the time endpoint itself "
            "(e.g. '.../fapi/v1/time')."
        )
        raise ConfigurationError(msg)
    return urlunsplit((parts.scheme, parts.netloc, _TIME_PATH[api], "", ""))


def _api_of_host(host: str) -> str:
    if host == _SPOT_TESTNET:
        return "api"
    label = host.split(".", maxsplit=1)[0]
    return next((api for prefix, api in _HOST_API if label.startswith(prefix)), "")


class BinanceServerClock:
    """The Binance server's time, in nanoseconds, as a ``clock=`` for the auths.

    Learns the server's time from the time endpoint (§5) when :meth:`sync` is called,
    then counts forward on the local monotonic clock, so a local wall clock that drifts or
    steps does not move it. Share one object between any number of auths and threads::

        clock = BinanceServerClock("https://api.binance.com").sync()
        auth = BinanceQueryAuth(key, secret, clock=clock)

    Each sync reads ``samples`` server times. A server time was stamped somewhere between
    sending and receiving, so "server time at receipt" is at least that value: each sample
    gives a reading that is never ahead of the server, and the median of the readings is
    robust to one slow sample. Timestamps end up behind the server by about the one-way
    latency of the time request, which ``recvWindow`` absorbs (§5: being ahead by 1000 ms
    is rejected, being behind is not).

    The clock never does I/O when it is read: an auth calling it costs no network round
    trip. It syncs when asked, from a background thread every ``resync_every`` seconds
    if set, and from an auth's ``retry_invalid_timestamp`` recovery.

    :param url: a URL of the API to follow: a request URL, a base URL
        (``https://fapi.binance.com``) or the time endpoint itself.
    :param samples: time requests per sync (odd numbers give a true median).
    :param resync_every: seconds between background syncs; ``None`` (default) syncs only
        when asked.
    :param session: the :class:`requests.Session` for the time requests (default: a new one).
    :param timeout: seconds for each time request.
    :param timer: a monotonic clock in nanoseconds (default :func:`time.monotonic_ns`);
        tests inject one.
    :raises ConfigurationError: for an invalid argument.

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        url: str,
        *,
        samples: int = 5,
        resync_every: float | None = None,
        session: requests.Session | None = None,
        timeout: float = 5.0,
        timer: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.url = time_url(url)
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
        self.resync_every = resync_every
        self.timeout = timeout
        self._own_session = session is None
        self._session = session or requests.Session()
        self._timer = timer
        # (server ns minus monotonic ns, monotonic ns of the sync), replaced as one object
        # so readers never see half an update, with or without a GIL.
        self._state: tuple[int, int] | None = None
        self._closed = False
        self._reset_locks()
        _ALL.add(self)

    def _reset_locks(self) -> None:
        # _sync_lock is held during the time requests; _thread_lock only briefly, so
        # close() never waits for a sync in flight.
        self._sync_lock = threading.Lock()
        self._thread_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop: threading.Event | None = None

    def __call__(self) -> int:
        """The server's current Unix time in nanoseconds (the ``clock`` contract)."""
        state = self._state
        if state is None:
            msg = (
                f"BinanceServerClock({_redact(self.url)!r}) has not synced yet; call its "
                "sync() once before signing, e.g. BinanceServerClock(url).sync()."
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

    def sync(self, *, max_age: float | None = None) -> BinanceServerClock:
        """Read the server time now (``samples`` requests) and adopt the estimate.

        Blocks for up to ``samples`` × ``timeout`` seconds when the endpoint is slow.

        :param max_age: skip the requests when the last sync is younger than this many
            seconds (lets many threads that met the same -1021 share one sync).
        :returns: the clock itself, so ``BinanceServerClock(url).sync()`` reads well.
        :raises ServerTimeError: when the time endpoint does not answer with a server time;
            the previous estimate, if any, stays in use.
        """
        with self._sync_lock:
            state = self._state
            if max_age is None or state is None or self._timer() - state[1] >= max_age * 1e9:
                readings = [self._reading() for _ in range(self.samples)]
                self._state = (int(statistics.median_low(readings)), self._timer())
        self._start_background()
        return self

    def close(self) -> None:
        """Stop the background syncs for good; the clock keeps its last estimate.

        ``sync()`` still works after ``close()``; it no longer starts background syncs.
        """
        with self._thread_lock:
            self._closed = True
            thread, stop = self._thread, self._stop
            self._thread = self._stop = None
        if stop is not None:
            stop.set()
        if thread is not None and thread is not threading.current_thread():
            # A sync in flight ends within samples × timeout; don't wait longer than that.
            thread.join(timeout=self.samples * self.timeout + 1)
        if self._own_session:
            self._session.close()

    def __enter__(self) -> BinanceServerClock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _reading(self) -> int:
        """One sample: server time minus the monotonic time at which the answer arrived."""
        problem = ""
        try:
            response = self._session.get(self.url, timeout=self.timeout)
            received = self._timer()
            response.raise_for_status()
            server_ms = response.json()["serverTime"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            problem = f"{type(exc).__name__}: {_redact(str(exc))}"
        else:
            if type(server_ms) is int and _MIN_SERVER_TIME_MS <= server_ms < _MAX_SERVER_TIME_MS:
                return server_ms * 1_000_000 - received
            problem = f"serverTime is {server_ms!r}, not Unix milliseconds"
        msg = (
            f"could not read the Binance server time from {_redact(self.url)} ({problem}); "
            "check the URL and the network, then call sync() again."
        )
        raise ServerTimeError(msg)

    def _start_background(self) -> None:
        """Start the resync thread once, if asked for and not closed."""
        if self.resync_every is None:
            return
        with self._thread_lock:
            if self._closed or self._thread is not None:
                return
            # Each thread gets its own stop event, so a stopped thread stays stopped.
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=_resync_forever,
                args=(weakref.ref(self), self._stop, self.resync_every),
                name="BinanceServerClock-resync",
                daemon=True,
            )
            self._thread.start()

    def __repr__(self) -> str:
        offset = self.offset_ms
        shown = "not synced" if offset is None else f"offset_ms={offset:.1f}"
        return f"BinanceServerClock({_redact(self.url)!r}, {shown})"

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
        self._reset_locks()
        self._state = None
        if wall_offset is not None:
            now = self._timer()
            self._state = (time.time_ns() + wall_offset - now, now - age)
        _ALL.add(self)


# Locks and threads do not pickle or survive a fork; the state does.
_UNPICKLED = frozenset({"_sync_lock", "_thread_lock", "_thread", "_stop", "_state"})
_ALL: weakref.WeakSet[BinanceServerClock] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A fork copies a lock held by a sync in flight, and no threads: start clean."""
    for clock in list(_ALL):
        clock._reset_locks()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _seconds(value: object, *, minimum: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= minimum


def _redact(text: str) -> str:
    """Hide a ``user:password@`` in URLs (a proxy or gateway URL may carry one)."""
    return _USERINFO.sub(r"\1***@", text)


_USERINFO = re.compile(r"(//)[^/@\s]+@")


def _resync_forever(
    ref: weakref.ref[BinanceServerClock], stop: threading.Event, every: float
) -> None:
    """Sync every ``every`` seconds until stopped or the clock is garbage-collected."""
    while not stop.wait(every):
        clock = ref()
        if clock is None:
            return
        try:
            clock.sync()
        except ServerTimeError as exc:
            log.warning("background sync failed, keeping the last estimate: %s", exc)
        del clock  # hold no reference while waiting, so the clock can be collected
