"""Ordered mode across processes and hosts: a lease on the Redis nonce key, fenced by the nonce.

Next to a :class:`RedisNonce`'s key ``K`` (on a Redis Cluster, give ``K`` a hash tag,
``nonce:{poloniex:<key>}``, so that the three keys share a slot):

- ``K``: the last nonce issued, as RedisNonce keeps it;
- ``K:order``: the holder's token, which is the nonce it drew, expiring with its lease;
- ``K:order:free``: a one-element list, pushed when the order is given back; waiters
  block on it (``BLPOP``, Redis 6 or later), and wake at the latest when the lease of
  the holder they wait for runs out.

**Lease and fencing.** One script (atomic on the server) checks that ``K:order`` is
free, draws the next nonce exactly as RedisNonce does, and stores it in ``K:order``
with the lease as its expiry. Leases are therefore granted in nonce order, and the
nonce is the fencing token (the exchange is the fenced resource: it rejects any nonce
not greater than the last one it accepted). A holder whose lease ran out may still be
sending; a later holder's nonce is larger, so whichever of the two reaches the exchange
second is rejected (never executed), and the two are never accepted out of order. And a
holder makes that rare: just before writing its request it checks that its lease is
certainly still held, less than ``lease × 0.99 − 2 ms`` after the moment it *asked* for
it (the server's expiry counts from later; 1 % allows for clocks running at slightly
different rates, as Redlock does), and otherwise refuses to send.

**Release.** Compare-and-delete: only the holder's own token is deleted, then one
waiter is woken. A holder that dies is freed when its lease runs out; a hold that is
abandoned (a signed request garbage-collected unsent) is freed by this process's next
hold, whose script treats that token as free.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._redis_nonce import DRAW, REPLICATE
from .exceptions import ConfigurationError, NonceTimeoutError

if TYPE_CHECKING:
    from ._redis_nonce import RedisNonce

__all__ = ["Lease", "RedisOrder"]

log = logging.getLogger("requests_exchange_auth")

_MARGIN = 0.99, 0.002  # a lease is trusted for lease × 0.99 − 2 ms
_MAX_BLOCK = 1.0  # the longest BLPOP: below any sensible socket timeout of a client

# KEYS: the nonce key, the order key, the free list. ARGV[1..3]: as for the draw (see
# _redis_nonce), ARGV[4]: the lease in ms, ARGV[5]: a token of ours to treat as free.
_ACQUIRE = (
    REPLICATE
    + """
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[5] then
  return {0, redis.call('PTTL', KEYS[2])}
end
"""
    + DRAW
    + """
redis.call('SET', KEYS[2], value, 'PX', ARGV[4])
return {1, value}
"""
)
# KEYS: the order key, the free list. ARGV[1]: the holder's token, ARGV[2]: the free
# list's expiry in ms (a wake-up nobody takes does not linger).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('RPUSH', KEYS[2], '1')
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return 1
end
return 0
"""


def _sha(script: str) -> str:
    return hashlib.sha1(script.encode()).hexdigest()  # noqa: S324  # Redis's name for a script


class Lease:
    """One holder's lease on the order: its token, and until when it is certainly held."""

    __slots__ = ("_order", "_valid_until", "token")

    def __init__(self, order: RedisOrder, token: str, valid_until: float) -> None:
        self._order = order
        self.token = token
        self._valid_until = valid_until

    def check(self) -> None:
        """Raise :class:`NonceTimeoutError` unless the lease is certainly still held."""
        if time.monotonic() >= self._valid_until:
            raise NonceTimeoutError(self._order.expired_message())

    def release(self) -> None:
        """Give the order back on Redis (once the holder is done with it)."""
        self._order.release(self.token)


class RedisOrder:
    """The order of one :class:`RedisNonce` key across every process and host using it.

    :param nonce: the generator whose key, client, clock and unit the order uses.
    :param lease: seconds a holder keeps the order at most.
    """

    def __init__(self, nonce: RedisNonce, lease: float) -> None:
        if isinstance(lease, bool) or not isinstance(lease, int | float):
            lease = math.nan
        if not 0.01 <= lease <= 3600:
            msg = (
                "lease must be a number of seconds between 0.01 and 3600 (e.g. 10.0), the "
                f"longest a holder keeps the order across hosts, not {lease!r}."
            )
            raise ConfigurationError(msg)
        import redis  # noqa: PLC0415  # the extra, checked by RedisNonce

        self._nonce = nonce
        self._lease = float(lease)
        self._lease_ms = max(10, round(lease * 1000))
        self._trusted_for = lease * _MARGIN[0] - _MARGIN[1]
        key = nonce.key
        self._keys = (key, f"{key}:order", f"{key}:order:free")
        self._execute: Callable[..., Any] = nonce.client.execute_command
        self._errors: type[Exception] = redis.RedisError
        self._timeouts: type[Exception] = redis.TimeoutError
        self._missing: type[Exception] = redis.exceptions.NoScriptError

    def acquire(self, deadline: float, stale: str) -> tuple[int, Lease]:
        """Wait (until ``deadline``, monotonic) for the order, take it and draw a nonce.

        :param stale: a token of this process's that no longer holds anything (or "").
        :raises NonceTimeoutError: when the order is not free by ``deadline``.
        :raises NonceError: for a Redis error or a damaged key.
        """
        nonce, keys = self._nonce, self._keys
        while True:
            asked = time.monotonic()
            per_unit, now, floor = nonce.script_args()
            taken, answer = self._run(
                _ACQUIRE, 3, *keys, per_unit, now, floor, self._lease_ms, stale
            )
            if int(taken):
                value = int(answer)
                nonce.took(value)
                token = answer.decode() if isinstance(answer, bytes) else str(answer)
                return value, Lease(self, token, asked + self._trusted_for)
            self._wait(deadline, int(answer))

    def release(self, token: str) -> None:
        """Give the order back if ``token`` still holds it; warn when its lease had run out."""
        try:
            freed = self._run(_RELEASE, 2, self._keys[1], self._keys[2], token, self._lease_ms)
        except Exception as exc:  # a release must not raise: the lease runs out anyway
            log.warning("could not give back the nonce order on Redis (%s); it frees "
                        "itself when its lease of %g s runs out", exc, self._lease)  # fmt: skip
            return
        if not int(freed):
            log.warning(
                "the nonce order's Redis lease on %r (%g s) ran out before its request was "
                "over: another holder may have sent meanwhile, and the exchange rejects "
                "whichever of the two arrived second. Raise lease= above the time from "
                "signing to the response (or use release='sent').",
                self._keys[0], self._lease,
            )  # fmt: skip

    def expired_message(self) -> str:
        return (
            f"the nonce order's Redis lease on {self._keys[0]!r} ({self._lease:g} s) ran "
            "out before the request was written, so another holder may have taken the "
            "order; nothing was sent. Sign the request again (ExchangeAdapter's retry "
            "does), and raise lease= above the time from signing to sending."
        )

    def _wait(self, deadline: float, ttl_ms: int) -> None:
        """Block until the order is given back, its holder's lease runs out, or ``deadline``."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            msg = (
                f"waited for the nonce order on Redis key {self._keys[0]!r}: another holder "
                "(in this or another process or host) kept it; nothing was sent. A holder "
                f"that dies frees it within its lease ({self._lease:g} s); raise the "
                "OrderedNonce's timeout= above the lease, or find the slow holder."
            )
            raise NonceTimeoutError(msg)
        wait = min(remaining, max(ttl_ms, 1) / 1000, _MAX_BLOCK)
        try:  # 0 would block forever: never below a millisecond
            self._execute("BLPOP", self._keys[2], f"{max(wait, 0.001):.3f}")
        except self._timeouts:  # the client's own socket timeout: just ask again
            pass
        except self._errors as exc:
            self._nonce.fail(exc)

    def _run(self, script: str, keys: int, *args: Any) -> Any:
        """Run a script by its SHA1, loading it once if the server does not have it."""
        try:
            try:
                return self._execute("EVALSHA", _SHA[script], keys, *args)
            except self._missing:
                return self._execute("EVAL", script, keys, *args)
        except self._errors as exc:
            self._nonce.fail(exc)


_SHA = {script: _sha(script) for script in (_ACQUIRE, _RELEASE)}
