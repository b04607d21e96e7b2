"""Ordered mode: requests signed from one generator reach the server in nonce order.

Nonces leave an auth in order, but concurrent requests overtake each other on the wire,
and a venue that rejects every nonce not greater than the last one accepted
(poloniex.md "Nonce rules") then rejects the overtaken ones. :class:`OrderedNonce` keeps
one request in flight at a time: the order is taken when the nonce is drawn and given
back when that request is over.

A request is over when its response arrives (a response hook) or its send fails. For a
failure requests calls no hook, which is why three more releases exist: the thread that
holds the order signs again (requests sends in the signing thread, one request at a
time, so its earlier request is over), :class:`OrderedAdapter` ends every send with a
release, and a request object that is garbage-collected releases too. A caller that waits
longer than ``timeout`` gets :class:`NonceTimeoutError`, so nothing hangs forever.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from ._wire import release_now, release_when_done
from .exceptions import ConfigurationError, NonceTimeoutError
from .nonce import MonotonicNonce, check_timeout


class NonceHold:
    """One value drawn from an :class:`OrderedNonce`, and the order it keeps until released."""

    __slots__ = ("_owner", "thread", "value")

    def __init__(self, owner: OrderedNonce, thread: threading.Thread) -> None:
        self._owner = owner
        self.thread = thread
        self.value = 0

    def release(self) -> None:
        """Give the order back (once; later calls do nothing)."""
        self._owner._release(self)


class OrderedNonce:
    """Wraps a nonce generator so that requests signed with it arrive in nonce order.

    An auth given an ``OrderedNonce`` as ``nonce=`` holds the generator's order from the
    moment it draws a value until that request's response is back, or its send has
    failed; every other request signed from this generator waits its turn, so the
    requests of one process reach the server one at a time, in nonce order. Mount
    :class:`OrderedAdapter` on the session so that a failed send gives the order back at
    once; without it, a failed request keeps the order until its thread signs again or
    the request is garbage-collected.

    Calling the object directly waits for the request in flight, draws, and keeps no
    order. Thread-safe through a condition lock (not the GIL); it pickles as a new
    ``OrderedNonce`` around a pickled copy of the generator, and ``copy`` returns itself.

    :param nonce: the generator to draw from; default :meth:`MonotonicNonce.shared`.
    :param timeout: seconds a caller waits for the request in flight before raising
        :class:`NonceTimeoutError` (default 30). Keep it above requests' own
        ``timeout=``, so that a slow request fails before the ones behind it.

    .. versionadded:: 0.2.0
    """

    def __init__(self, nonce: Callable[[], int] | None = None, *, timeout: float = 30.0) -> None:
        if nonce is not None and not callable(nonce):
            msg = (
                "nonce must be a zero-argument callable returning an increasing int "
                f"(e.g. FileNonce(path)), not {type(nonce).__name__}."
            )
            raise ConfigurationError(msg)
        self._nonce = nonce or MonotonicNonce.shared()
        self._timeout = check_timeout(timeout)
        self._turn = threading.Condition(threading.Lock())
        self._holder: NonceHold | None = None

    @property
    def nonce(self) -> Callable[[], int]:
        """The wrapped generator."""
        return self._nonce

    def hold(self) -> NonceHold:
        """Wait for the order, draw the next value, and keep the order until released.

        :returns: a :class:`NonceHold` with the ``value`` and a ``release()`` method.
        :raises NonceTimeoutError: when the order is not free within ``timeout``.
        """
        me = threading.current_thread()
        with self._turn:
            if self._holder is not None and self._holder.thread is me:
                self._holder = None  # this thread's earlier request is over: see the module notes
            if not self._turn.wait_for(self._is_free, self._timeout):
                raise NonceTimeoutError(self._timeout_message())
            self._holder = hold = NonceHold(self, me)
        try:  # drawn outside the condition lock, so waiters keep their timeout
            hold.value = self._nonce()
        except BaseException:
            hold.release()
            raise
        return hold

    def __call__(self) -> int:
        hold = self.hold()
        hold.release()
        return hold.value

    def __next__(self) -> int:
        return self()

    def __iter__(self) -> Iterator[int]:
        return self

    def _is_free(self) -> bool:
        return self._holder is None

    def _release(self, hold: NonceHold) -> None:
        with self._turn:
            if self._holder is hold:
                self._holder = None
                self._turn.notify()

    def _timeout_message(self) -> str:
        holder = self._holder.thread.name if self._holder is not None else "?"
        return (
            f"waited {self._timeout:g} s for the nonce order: the request signed before "
            f"this one (by thread {holder!r}) is not over; nothing was sent. Give requests "
            "a timeout= shorter than the OrderedNonce's, and send each request in the "
            "thread that signs it, right after signing (as session.post() does); mount "
            "OrderedAdapter so that failed sends release the order at once."
        )

    def __repr__(self) -> str:
        return f"OrderedNonce({self._nonce!r}, timeout={self._timeout:g})"

    def __copy__(self) -> OrderedNonce:
        return self  # the order is per generator: a copy in one process is the same order

    def __deepcopy__(self, memo: dict[int, Any]) -> OrderedNonce:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # A hold is per process: the copy gets a fresh, free order around the generator.
        return (_restore, (self._nonce, self._timeout))


def _restore(nonce: Callable[[], int], timeout: float) -> OrderedNonce:
    return OrderedNonce(nonce, timeout=timeout)


def draw_for(r: PreparedRequest, nonce: Callable[[], int]) -> int:
    """The next value for ``r``; from an :class:`OrderedNonce`, held until ``r`` is over."""
    if not isinstance(nonce, OrderedNonce):
        return nonce()
    release_now(r)  # signed again: its earlier send is over, whichever thread re-signs it
    hold = nonce.hold()
    release_when_done(r, hold.release)
    return hold.value


class OrderedAdapter(HTTPAdapter):
    """A transport adapter that ends every send by giving back the request's nonce order.

    requests calls response hooks only when a response arrives; when a send raises
    (connection refused, a timeout, a TLS error) nothing tells the auth that the request
    is over. Mounted on a session, this adapter releases the :class:`OrderedNonce` order
    the request holds as soon as its send returns or raises::

        session.mount("https://", OrderedAdapter())

    It takes :class:`requests.adapters.HTTPAdapter`'s arguments (``max_retries``, pool
    sizes) and changes nothing else.

    .. versionadded:: 0.2.0
    """

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().send(request, *args, **kwargs)
        finally:
            release_now(request)
