"""urllib3 connections that say when a request's bytes have been written.

:class:`~requests_exchange_auth.ExchangeAdapter` needs two moments of each send that
requests does not show: when the request is about to go out (an ordered hold across
hosts checks its lease there) and when its last byte has been written (a failure before
it proves that the exchange has nothing to act on; an ``OrderedNonce(release="sent")``
hold is given back then). urllib3's ``HTTPConnection.request`` writes the request line,
the headers and the whole body, and returns; the response is read afterwards
(``HTTPConnectionPool._make_request``). So the pools of a watched pool manager make
connections whose ``request`` reports to the :class:`Watch` of the send in progress,
found through a context variable (a send runs in one thread, start to end).
"""

from __future__ import annotations

import contextvars
from typing import Any

from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import pool_classes_by_scheme

__all__ = ["WATCH", "Watch", "watch"]


class Watch:
    """What one send did: reached a watched pool, wrote the request; with its nonce hold."""

    __slots__ = ("hold", "watched", "written")

    def __init__(self, hold: Any) -> None:
        self.hold = hold
        self.watched = False  # a pool of ours took the send: ``written`` can be trusted
        self.written = False  # the request's last byte was handed to the socket

    def sending(self) -> None:
        """The request is about to be written (its hold may refuse: an expired lease)."""
        if self.hold is not None:
            self.hold.sending()

    def sent(self) -> None:
        """The request's last byte is written."""
        self.written = True
        if self.hold is not None:
            self.hold.sent()


#: the Watch of the send in progress in this thread (set by ExchangeAdapter.send)
WATCH: contextvars.ContextVar[Watch | None] = contextvars.ContextVar(
    "requests_exchange_auth_watch", default=None
)


class _Watched:
    """Reports the start and the end of writing each request to the send's Watch."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        current = WATCH.get()
        if current is None:  # a send that is not ours, on a shared pool manager
            return super().request(*args, **kwargs)  # type: ignore[misc]
        current.sending()
        result = super().request(*args, **kwargs)  # type: ignore[misc]
        current.sent()
        return result

    def request_chunked(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover  # urllib3 1.26
        current = WATCH.get()
        if current is None:
            return super().request_chunked(*args, **kwargs)  # type: ignore[misc]
        current.sending()
        result = super().request_chunked(*args, **kwargs)  # type: ignore[misc]
        current.sent()
        return result


class _WatchedPool:
    """Marks a send as watched once one of these pools takes it."""

    def urlopen(self, *args: Any, **kwargs: Any) -> Any:
        current = WATCH.get()
        if current is not None:
            current.watched = True
        return super().urlopen(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    """An ``http://`` connection that reports its writes."""


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    """An ``https://`` connection that reports its writes."""


class WatchedHTTPPool(_WatchedPool, HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(_WatchedPool, HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


_POOLS = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


def watch(manager: object) -> None:
    """Have ``manager`` make watched pools, unless it makes its own (a SOCKS proxy's)."""
    if (
        isinstance(manager, PoolManager)
        and manager.pool_classes_by_scheme is pool_classes_by_scheme
    ):
        manager.pool_classes_by_scheme = _POOLS
