"""Ordered mode: requests signed from one generator reach the server in nonce order.

Nonces leave an auth in order, but concurrent requests overtake each other on the wire,
and a venue that rejects every nonce not greater than the last one accepted
(poloniex.md "Nonce rules") then rejects the overtaken ones. :class:`OrderedNonce` keeps
the order from the moment a nonce is drawn until that request is over
(``release="response"``: one request in flight at a time) or until its bytes have been
written (``release="sent"``: requests leave in nonce order, and overlap on the wire).

Each adapter knows when a request is over, or written, and says so to the hold it took
(``_requests``: a response hook, and ``ExchangeAdapter`` for sends that fail or are
written; ``httpx``: httpcore's trace and the end of the auth flow; ``sign()``:
:meth:`SignedRequest.release`). Two more releases keep a lost hold from blocking
forever: the thread that holds the order signs again (a client sends in the signing
thread, one request at a time, so its earlier request is over), and a request object
that is garbage-collected abandons its hold. A caller that waits longer than ``timeout``
gets :class:`NonceTimeoutError`, so nothing hangs forever.

Around a :class:`RedisNonce`, the order reaches every process and host on the key: after
the local order, a hold takes a lease in Redis (``_redis_order``), fenced by the nonce
itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal

from ._redis_nonce import RedisNonce
from .exceptions import ConfigurationError, NonceTimeoutError
from .nonce import MonotonicNonce, check_timeout

__all__ = ["NonceHold", "OrderedNonce", "Release"]

Release = Literal["response", "sent"]
_RELEASES = ("response", "sent")


class NonceHold:
    """One value drawn from an :class:`OrderedNonce`, and the order it keeps until released."""

    __slots__ = ("_owner", "lease", "thread", "value")

    def __init__(self, owner: OrderedNonce, thread: threading.Thread) -> None:
        self._owner = owner
        self.thread = thread
        self.value = 0
        self.lease: Any = None  # the Redis lease, around a RedisNonce

    def release(self) -> None:
        """Give the order back (once; later calls do nothing)."""
        self._owner._release(self)

    def abandon(self) -> None:
        """Give the order back without I/O (a finalizer calls this): a Redis lease is
        freed by this process's next hold, or runs out."""
        self._owner._release(self, abandoned=True)

    def sending(self) -> None:
        """The request is about to be written: refuse when its Redis lease has run out.

        :raises NonceTimeoutError: the lease is no longer certainly held; nothing was
            sent, and the request must be signed again.
        """
        if self.lease is not None:
            self.lease.check()

    def sent(self) -> None:
        """The request's bytes are written: give the order back if released at send."""
        if self._owner.release == "sent":
            self.release()


class OrderedNonce:
    """Wraps a nonce generator so that requests signed with it arrive in nonce order.

    An auth given an ``OrderedNonce`` as ``nonce=`` holds the generator's order from the
    moment it draws a value; every other request signed from this generator waits its
    turn. When the order passes on is ``release``:

    - ``"response"`` (default): when that request's response is back, or its send has
      failed. One request is in flight at a time, so none can overtake another: a
      strict server rejects none of them, at one request per round trip.
    - ``"sent"``: as soon as the request's bytes have been written (or its send has
      failed). Requests *leave* in nonce order and overlap on the wire, as fast as
      unordered ones; over separate connections they can still *arrive* out of order
      (the ordered-mode guide says how often that was seen). Needs
      :class:`ExchangeAdapter` (or :class:`OrderedAdapter`) on requests; on httpx it
      works through httpcore's trace; with ``sign()``, release after writing.

    Mount :class:`ExchangeAdapter` on the session so that a failed send gives the order
    back at once; without it, a failed request keeps the order until its thread signs
    again or the request is garbage-collected.

    Around a :class:`RedisNonce`, the order holds across processes and hosts: each hold
    also takes a lease on the Redis key (``lease`` seconds), and the nonce is drawn in
    the same atomic step, so it fences the lease. A holder that dies frees the order
    when its lease runs out; a request whose lease ran out before it was written is
    refused (:class:`NonceTimeoutError`, nothing sent).

    Calling the object directly waits for the request in flight, draws, and keeps no
    order. Thread-safe through a condition lock (not the GIL); it pickles as a new
    ``OrderedNonce`` around a pickled copy of the generator, and ``copy`` returns itself.

    :param nonce: the generator to draw from; default :meth:`MonotonicNonce.shared`.
    :param timeout: seconds a caller waits for the order before raising
        :class:`NonceTimeoutError` (default 30). Keep it above requests' own
        ``timeout=``, so that a slow request fails before the ones behind it.
    :param release: ``"response"`` or ``"sent"``, as above.
    :param lease: around a :class:`RedisNonce`, seconds a holder keeps the order at most
        (default 10): keep it above the time from signing to the last byte written
        (and, with ``release="response"``, to the response).
    :raises ConfigurationError: for an invalid argument.

    .. versionadded:: 0.2.0
    .. versionchanged:: 0.3.0 ``release``; across hosts around a :class:`RedisNonce`.
    """

    def __init__(
        self,
        nonce: Callable[[], int] | None = None,
        *,
        timeout: float = 30.0,
        release: Release = "response",
        lease: float | None = None,
    ) -> None:
        if nonce is not None and not callable(nonce):
            msg = (
                "nonce must be a zero-argument callable returning an increasing int "
                f"(e.g. FileNonce(path)), not {type(nonce).__name__}."
            )
            raise ConfigurationError(msg)
        if release not in _RELEASES:
            msg = (
                "release must be 'response' (one request in flight) or 'sent' (the order "
                f"passes on once a request is written), not {release!r}."
            )
            raise ConfigurationError(msg)
        self._nonce = nonce or MonotonicNonce.shared()
        self._timeout = check_timeout(timeout)
        self.release: Release = release
        self._lease = lease
        self._order = _order_for(self._nonce, lease)
        self._turn = threading.Condition(threading.Lock())
        self._holder: NonceHold | None = None
        self._stale = ""  # a Redis lease this process abandoned: its next hold frees it

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
        deadline = time.monotonic() + self._timeout
        with self._turn:
            if self._holder is not None and self._holder.thread is me:
                self._drop(self._holder)  # this thread's earlier request is over: see above
            if not self._turn.wait_for(self._is_free, self._timeout):
                raise NonceTimeoutError(self._timeout_message())
            self._holder = hold = NonceHold(self, me)
            stale, self._stale = self._stale, ""
        try:  # drawn outside the condition lock, so waiters keep their timeout
            if self._order is None:
                hold.value = self._nonce()
            else:
                hold.value, hold.lease = self._order.acquire(deadline, stale)
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

    def _drop(self, hold: NonceHold) -> None:
        """Under the condition lock: end ``hold`` without I/O."""
        self._holder = None
        if hold.lease is not None:
            self._stale, hold.lease = hold.lease.token, None

    def _release(self, hold: NonceHold, *, abandoned: bool = False) -> None:
        with self._turn:
            if self._holder is not hold:
                return
            lease, hold.lease = hold.lease, None  # one caller frees the lease
            if abandoned and lease is not None:
                self._stale, lease = lease.token, None
        if lease is not None:
            lease.release()  # I/O outside the condition lock, while the order is still ours
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
            "ExchangeAdapter so that failed sends release the order at once."
        )

    def __repr__(self) -> str:
        release = "" if self.release == "response" else f", release={self.release!r}"
        return f"OrderedNonce({self._nonce!r}, timeout={self._timeout:g}{release})"

    def __copy__(self) -> OrderedNonce:
        return self  # the order is per generator: a copy in one process is the same order

    def __deepcopy__(self, memo: dict[int, Any]) -> OrderedNonce:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # A hold is per process: the copy gets a fresh, free order around the generator.
        return (_restore, (self._nonce, self._timeout, self.release, self._lease))


def _order_for(nonce: Callable[[], int], lease: float | None) -> Any:
    """The Redis order around a RedisNonce, or ``None`` for an order within the process."""
    if isinstance(nonce, RedisNonce):
        from ._redis_order import RedisOrder  # noqa: PLC0415  # only for a RedisNonce

        return RedisOrder(nonce, 10.0 if lease is None else lease)
    if lease is not None:
        msg = (
            "lease= is for an OrderedNonce around a RedisNonce (an order across hosts); "
            f"an order within one process needs none, and {type(nonce).__name__} is not one."
        )
        raise ConfigurationError(msg)
    return None


def _restore(
    nonce: Callable[[], int], timeout: float, release: Release, lease: float | None
) -> OrderedNonce:
    return OrderedNonce(nonce, timeout=timeout, release=release, lease=lease)
