"""The Binance server's clock, learned from its time endpoint, for ``clock=`` of the auths.

Specification: ``specs/binance-signed-requests.md`` §5 (timing) and §6 (-1021). The server
rejects a ``timestamp`` that is 1000 ms or more ahead of its clock, and one older than
``recvWindow``; being a little behind is harmless, being ahead is fatal. So the estimate
here is deliberately biased to stay at or behind the server's clock.
"""

from __future__ import annotations

import logging
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
            f"BinanceServerClock needs an http(s) URL of a Binance API, not {url!r}; "
            "e.g. 'https://api.binance.com' or 'https://fapi.binance.com'."
        )
        raise ConfigurationError(msg)
    path = parts.path.rstrip("/")
    if path.endswith("/time"):
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    api = path.split("/")[1] if path else _api_of_host(parts.hostname)
    if api not in _TIME_PATH:
        msg = (
            f"cannot tell which Binance API {url!r} belongs to; pass a URL whose path starts "
            "with /api, /sapi, /fapi, /dapi or /eapi (e.g. 'https://testnet.binancefuture.com"
            "/fapi'), or the time endpoint itself (e.g. '.../fapi/v1/time')."
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
        if resync_every is not None and not (
            isinstance(resync_every, int | float) and resync_every >= 1
        ):
            msg = (
                f"resync_every must be seconds, at least 1 (e.g. 300), or None, "
                f"not {resync_every!r}."
            )
            raise ConfigurationError(msg)
        self.samples = samples
        self.resync_every = resync_every
        self.timeout = timeout
        self._session = session or requests.Session()
        self._timer = timer
        # (server ns minus monotonic ns, monotonic ns of the sync), replaced as one object
        # so readers never see half an update, with or without a GIL.
        self._state: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self) -> int:
        """The server's current Unix time in nanoseconds (the ``clock`` contract)."""
        state = self._state
        if state is None:
            msg = (
                f"BinanceServerClock({self.url!r}) has not synced yet; call its sync() "
                "once before signing, e.g. BinanceServerClock(url).sync()."
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

        :param max_age: skip the requests when the last sync is younger than this many
            seconds (lets many threads that met the same -1021 share one sync).
        :returns: the clock itself, so ``BinanceServerClock(url).sync()`` reads well.
        :raises ServerTimeError: when the time endpoint does not answer with a server time;
            the previous estimate, if any, stays in use.
        """
        with self._lock:
            state = self._state
            if max_age is None or state is None or self._timer() - state[1] >= max_age * 1e9:
                readings = [self._reading() for _ in range(self.samples)]
                self._state = (int(statistics.median_low(readings)), self._timer())
            if self.resync_every is not None and self._thread is None:
                self._start_background()
        return self

    def close(self) -> None:
        """Stop the background syncs (if any); the clock keeps its last estimate."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

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
            problem = f"{type(exc).__name__}: {exc}"
        else:
            if type(server_ms) is int and _MIN_SERVER_TIME_MS <= server_ms < _MAX_SERVER_TIME_MS:
                return server_ms * 1_000_000 - received
            problem = f"serverTime is {server_ms!r}, not Unix milliseconds"
        msg = (
            f"could not read the Binance server time from {self.url} ({problem}); check the "
            "URL and the network, then call sync() again."
        )
        raise ServerTimeError(msg)

    def _start_background(self) -> None:
        assert self.resync_every is not None  # noqa: S101  # checked by the caller
        self._stop.clear()
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
        return f"BinanceServerClock({self.url!r}, {shown})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        # A monotonic reading means nothing in another process: the copy must sync again.
        for name in ("_lock", "_stop", "_thread", "_state"):
            del state[name]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._state = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None


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
