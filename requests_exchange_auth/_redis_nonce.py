"""RedisNonce: one strictly increasing sequence for every host that shares a Redis server.

One Lua script computes and stores ``max(now, last + 1)`` atomically on the server
(Redis runs a script with nothing interleaved), so any number of processes on any number
of hosts draw one sequence per key.

Where ``now`` comes from: the Redis server's ``TIME`` by default, so that every host
counts from one clock. Host clocks disagree, and a host whose clock runs ahead would push
the stored value ahead of real time; if the Redis data were then lost, the sequence would
restart from the true clock, below values the exchange has already accepted. With the
server's clock the stored value only leaves the clock behind when draws outpace the unit
(a million per second for microseconds). ``clock=`` switches to the caller's clock, for
tests and for servers whose clock cannot be trusted.

A script that calls ``TIME`` (non-deterministic) and then writes must be replicated by
its effects, not its text: the default since Redis 5; for 3.2-4.x the script asks for it
with ``redis.replicate_commands()``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

from ._signing import require
from .exceptions import ConfigurationError, NonceError
from .nonce import clock_in_units

if TYPE_CHECKING:
    from redis import Redis

_UNITS = {"s": 1_000_000, "ms": 1_000, "us": 1}  # microseconds (TIME's resolution) per unit
_DAMAGED = "requests-exchange-auth: not a nonce"

# KEYS[1]: the nonce key. ARGV[1]: microseconds per unit. ARGV[2]: the caller's clock in
# units, or "" for the server's TIME. ARGV[3]: the caller's own last value + 1.
# Lua numbers are doubles: integers are exact below 2**53 (9.007e15; microseconds since
# 1970 stay below it until the year 2255), and "%.0f" writes them back without exponent.
#: the draw, which the ordered mode's lease script runs too (``_redis_order``); it sets
#: ``value``, the new last value, as a string
DRAW = """
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / tonumber(ARGV[1]))
end
local last = 0
local stored = redis.call('GET', KEYS[1])
if stored then
  last = string.match(stored, '^%d+$') and #stored <= 16 and tonumber(stored)
  if not last or last > 9007199254740990 then
    return redis.error_reply('@DAMAGED@')
  end
end
local value = string.format('%.0f', math.max(now, last + 1, tonumber(ARGV[3])))
redis.call('SET', KEYS[1], value)
""".replace("@DAMAGED@", _DAMAGED)
#: every script of this package that writes starts so (see the module notes)
REPLICATE = "if redis.replicate_commands then redis.replicate_commands() end\n"
_SCRIPT = REPLICATE + DRAW + "return value\n"


class RedisNonce:
    """Strictly increasing nonces shared by every process and host using one Redis key.

    Each value is ``max(now, last + 1)``, computed and stored by one atomic server-side
    script, with ``now`` from the Redis server's clock (see the module notes for why) or
    from ``clock=``. Use one key per API key. If the Redis data is lost, values restart
    from the clock, and never go below this process's own last value either.

    Thread-safe: the script is atomic on the server, and the process's own last value is
    kept under a lock (not the GIL). It does not pickle, because a Redis client holds
    sockets and a pool: build a ``RedisNonce`` with its own client in each process.

    :param client: a synchronous :class:`redis.Redis` (or ``RedisCluster``) client.
    :param key: the Redis key holding the last value, e.g. ``"nonce:poloniex:<api key>"``.
    :param unit: ``"us"`` (default), ``"ms"`` or ``"s"``; not ``"ns"``, which Lua's
        doubles cannot count exactly.
    :param clock: the caller's Unix time in nanoseconds; default: the server's ``TIME``.
    :raises MissingDependencyError: without the ``redis`` extra.

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        client: Redis,
        key: str,
        *,
        unit: str = "us",
        clock: Callable[[], int] | None = None,
    ) -> None:
        redis = require("redis", extra="redis", feature="RedisNonce")
        if not isinstance(client, (redis.Redis, redis.RedisCluster)):
            msg = (
                "client must be a synchronous redis.Redis client, e.g. "
                f"redis.Redis(host='localhost', port=6379), not {type(client).__name__}."
            )
            raise ConfigurationError(msg)
        if not isinstance(key, str) or not key:
            msg = (
                "key must be a non-empty str, one per API key (e.g. "
                f"'nonce:poloniex:<api key>'), not {key!r}."
            )
            raise ConfigurationError(msg)
        self._server_clock = clock is None
        self._clock, divisor = clock_in_units(clock, unit, _UNITS)
        self._divisor = divisor
        self._unit = unit
        self._key = key
        self._client: Redis = client
        # The script is called by its SHA1 straight through the client (EVALSHA), and
        # loaded on the one call that finds the server without it: redis-py's Script
        # wrapper costs about a tenth of a loopback round trip per call.
        self._sha = hashlib.sha1(_SCRIPT.encode()).hexdigest()  # noqa: S324  # Redis's name for it
        self._execute = client.execute_command
        self._per_unit = _UNITS[unit]
        self._errors: type[Exception] = redis.RedisError
        self._missing: type[Exception] = redis.exceptions.NoScriptError
        self._lock = threading.Lock()
        self._last = 0

    @property
    def key(self) -> str:
        """The Redis key holding the last value issued."""
        return self._key

    @property
    def last(self) -> int:
        """The most recent value this process drew (0 before the first)."""
        return self._last

    def __call__(self) -> int:
        now = "" if self._server_clock else self._clock() // self._divisor
        floor = self._last + 1  # a plain read: a stale floor is only less strict
        try:
            reply = self._execute("EVALSHA", self._sha, 1, self._key, self._per_unit, now, floor)
        except self._missing:  # a new or flushed server: load the script, once
            reply = self._call_loading(now, floor)
        except self._errors as exc:  # any Redis error: refuse to guess a value
            self._fail(exc)
        value = int(reply)
        self.took(value)
        return value

    def _call_loading(self, now: object, floor: int) -> Any:
        try:
            return self._execute("EVAL", _SCRIPT, 1, self._key, self._per_unit, now, floor)
        except self._errors as exc:
            self._fail(exc)

    def script_args(self) -> tuple[int, object, int]:
        """The draw's arguments for a script: µs per unit, the caller's clock (or "" for
        the server's ``TIME``), and the floor (this process's last value + 1)."""
        now = "" if self._server_clock else self._clock() // self._divisor
        return self._per_unit, now, self._last + 1

    @property
    def client(self) -> Redis:
        """The Redis client."""
        return self._client

    def fail(self, exc: Exception) -> NoReturn:
        """Raise the :class:`NonceError` for a Redis error while drawing."""
        self._fail(exc)

    def took(self, value: int) -> None:
        """Note ``value`` as drawn by this process (the floor of its next draws)."""
        with self._lock:  # not acquire/release: see MonotonicNonce, threads share this
            self._last = max(self._last, value)

    def __next__(self) -> int:
        return self()

    def __iter__(self) -> Iterator[int]:
        return self

    def _fail(self, exc: Exception) -> NoReturn:
        if _DAMAGED in str(exc):
            msg = (
                f"the Redis key {self._key!r} does not hold a nonce (a decimal integer below "
                "2**53, the last value issued), so the last nonce issued is unknown and a new "
                "one could repeat it; nothing was sent. SET the key to a number at least as "
                "large as the last nonce the exchange accepted for this API key (its 'Nonce "
                "must be greater than N' error names N), or DEL it if the clock is past "
                "every nonce issued from it."
            )
        else:
            msg = (
                f"could not draw a nonce from the Redis key {self._key!r}: "
                f"{type(exc).__name__}: {exc}; nothing was sent. Check that the Redis "
                "server is reachable and accepts this client's credentials."
            )
        raise NonceError(msg) from exc

    def __repr__(self) -> str:
        clock = "redis TIME" if self._server_clock else "caller"
        return (
            f"RedisNonce(key={self._key!r}, unit={self._unit!r}, clock={clock!r}, "
            f"last={self._last})"
        )

    def __reduce__(self) -> NoReturn:
        msg = (
            "a RedisNonce cannot be pickled: its Redis client holds open sockets. Build a "
            "RedisNonce with its own redis.Redis client in each process; they share the "
            "sequence through the key."
        )
        raise TypeError(msg)

    def __copy__(self) -> RedisNonce:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> RedisNonce:
        return self
