"""Auths that sign a timestamp: the clock, its unit, and the one safe resend's rules.

An exchange that signs a timestamp rejects one outside its window with an answer that
proves it did not act on the request (Binance -1021, Bybit 10002, OKX 50102, ...). Such
an auth may opt in to one resend, re-signed after syncing its server clock, under the
rules of DESIGN.md #8: once, only on that answer, never on a 5xx or a failed send. The
adapters carry the resend; this module holds what it needs from the scheme.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from ._auth import AuthOptions, ExchangeAuth
from ._time import Clock, Timestamps, TimeUnit, divisor
from ._transport import redact
from .exceptions import ConfigurationError

if TYPE_CHECKING:
    from .clock import ServerClock

__all__ = [
    "RecvWindow",
    "TimeEndpoint",
    "TimedAuth",
    "TimedOptions",
    "can_sync",
    "endpoint_at",
    "json_answer",
    "recv_window_text",
]

RecvWindow = int | float | Decimal | str

#: the most of an error answer read to recognise it; exchanges answer in a few hundred bytes
_MAX_ANSWER = 64 * 1024


class TimedOptions(AuthOptions, total=False):
    """The keyword options of every timestamp auth."""

    clock: Clock | None
    retry_invalid_timestamp: bool


@dataclass(frozen=True)
class TimeEndpoint:
    """An exchange's public server-time endpoint, as its scheme declares it.

    :param url: the endpoint's URL for a URL of the API (a request or base URL).
    :param read: the server time in Unix milliseconds, from the endpoint's parsed JSON
        answer (raise anything when it is not there). Module-level functions both, so
        that a server clock pickles.
    """

    url: Callable[[str], str]
    read: Callable[[Any], object]


class TimedAuth(ExchangeAuth):
    """An auth whose signature covers a timestamp read from ``clock``.

    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        a server clock follows the exchange's.
    :param unit: the timestamp's unit, one of the scheme's :attr:`units`.
    :param retry_invalid_timestamp: resend once, re-signed after syncing ``clock``, when
        the exchange answers that the timestamp is outside its window. Needs a clock
        with a ``sync(max_age=...)`` method (a server clock).
    """

    #: the units this exchange accepts; the first is the default
    units: ClassVar[tuple[TimeUnit, ...]] = ("ms",)
    #: the exchange's server-time endpoint, for :meth:`server_clock`
    time_endpoint: ClassVar[TimeEndpoint | None] = None

    def __init__(
        self,
        api_key: str | bytes,
        *,
        clock: Clock | None = None,
        unit: TimeUnit | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(api_key, **options)
        chosen = self.units[0] if unit is None else unit
        divisor(chosen, self.units, type(self).__name__)
        self._timestamps = Timestamps(clock, chosen)
        #: the clock now, in :attr:`unit`: ``self._timestamp()``, on every request. A bound
        #: method: CPython calls one faster than an object with ``__call__``.
        self._timestamp = self._timestamps.now
        self.resends = bool(retry_invalid_timestamp)
        if self.resends and not can_sync(self._timestamps.clock):
            msg = (
                "retry_invalid_timestamp=True needs a clock it can sync after the "
                "exchange rejects a timestamp, with a sync(max_age=seconds) method; pass "
                "a server clock such as clock=BinanceServerClock(url).sync() (a plain "
                "time source cannot be corrected)."
            )
            raise ConfigurationError(msg)

    @property
    def clock(self) -> Clock:
        """The time source: :func:`time.time_ns` or the ``clock`` given (e.g. to ``sync()`` it)."""
        return self._timestamps.clock

    @property
    def unit(self) -> TimeUnit:
        """The unit of the timestamps this auth signs."""
        return self._timestamps.unit

    @classmethod
    def server_clock(cls, url: str, **options: Any) -> ServerClock:
        """A clock that follows this exchange's server, learned from its time endpoint.

        Share it between any number of auths and threads; sync it before signing::

            clock = BybitAuth.server_clock("https://api.bybit.com").sync()

        :param url: a URL of the API: a request URL or the base URL.
        :param options: as for :class:`~requests_exchange_auth.ServerClock`
            (``samples``, ``resync_every``, ``session``, ``timeout``).
        :raises ConfigurationError: for a URL that is not an http(s) URL.
        """
        from .clock import ServerClock  # noqa: PLC0415  # the clock uses requests; we do not

        endpoint = cls.time_endpoint
        if endpoint is None:  # pragma: no cover  # every timestamp scheme declares one
            msg = f"{cls.__name__} has no server-time endpoint; pass clock= yourself."
            raise ConfigurationError(msg)
        return ServerClock(endpoint.url(url), read=endpoint.read, exchange=cls.exchange, **options)


def can_sync(clock: object) -> bool:
    """Whether ``clock`` has the ``sync(max_age=...)`` the timestamp resend calls."""
    try:
        inspect.signature(getattr(clock, "sync", None)).bind(max_age=1.0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def json_answer(body: bytes) -> Any:
    """An answer's JSON, or ``None`` when it cannot be read.

    Anything unreadable (not JSON, too large, nested too deep for the parser) means "not
    the timestamp answer": the response goes back to the caller untouched.
    """
    if len(body) > _MAX_ANSWER:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: a hostile, deeply nested body
        return None


def endpoint_at(path: str) -> Callable[[str], str]:
    """A time-endpoint URL function: ``path`` on the origin of whatever URL it is given."""
    return _At(path)


class _At:
    """Picklable ``url -> scheme://host/path`` (a closure would not pickle)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            msg = (
                f"a server clock needs an http(s) URL of the exchange's API, not "
                f"{redact(url)!r}; e.g. its base URL, 'https://api.example.com'."
            )
            raise ConfigurationError(msg)
        return urlunsplit((parts.scheme, parts.netloc, self.path, "", ""))


def recv_window_text(value: RecvWindow | None, maximum: int = 60000) -> str | None:
    """Validate a Binance-style ``recv_window`` (ms, at most three decimals) and render it
    as the exchange reads it (binance-signed-requests.md §5, mexc.md §5, bingx.md §5)."""
    if value is None:
        return None
    problem = "must be a number"
    if not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite() and 0 < number <= maximum:
            if number.as_tuple().exponent >= -3:  # type: ignore[operator]  # finite: int
                return format(number.normalize(), "f")
            problem = "has more than three decimals"
        elif number.is_finite():
            problem = "is out of range"
    msg = (
        f"recv_window {problem}: expected milliseconds greater than 0 and at most {maximum}, "
        "with at most three decimals (e.g. 5000 or '6000.346'); 5000 or less is the usual "
        "advice."
    )
    raise ConfigurationError(msg)
