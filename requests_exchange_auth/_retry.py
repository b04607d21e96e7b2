"""Retries that re-sign: which answers and failures a signed request may go out again after.

A signed request is good for one send: its timestamp goes stale, its nonce is spent, and
an order the exchange may have executed must never be placed twice. So every retry here
goes through the auth again (a fresh timestamp or nonce, a fresh signature), and happens
by default only when the exchange cannot have acted on the request:

- the connection failed before the request's last byte was written;
- a 429 or 418 answer that says when to come back (``Retry-After``): a rate limit,
  refused before the request was looked at;
- an answer the scheme declares safe (:meth:`ExchangeAuth.retry_answer
  <requests_exchange_auth._auth.ExchangeAuth.retry_answer>`, in each scheme module).

An answer whose outcome is unknown (a 5xx unless the scheme says otherwise, the
exchange's own "execution status unknown"), and a failure after the request was sent (a
read timeout, a reset), are retried only for idempotent requests, and only when the
caller opts in (``SignedRetry(idempotent=True)``). This module is transport-free; the
adapters (``_adapter`` for requests, ``httpx``) say what was sent and what came back.
"""

from __future__ import annotations

import enum
import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from ._transport import redact
from .exceptions import ConfigurationError

if TYPE_CHECKING:
    from ._auth import ExchangeAuth

__all__ = ["IDEMPOTENT_METHODS", "Answer", "Attempt", "Retrying", "SignedRetry"]

log = logging.getLogger("requests_exchange_auth")

#: the methods HTTP defines as safe and idempotent (RFC 9110 §9.2), which exchanges use
#: for reads; a scheme whose reads are POSTs says so in ``is_idempotent``
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RATE_LIMITED = frozenset({418, 429})  # binance-signed-requests.md; RFC 6585 §4


class Answer(enum.Enum):
    """What an answer (or a failed send) says about sending the request again."""

    #: the exchange cannot have acted (or acting again changes nothing): retry, re-signed
    SAFE = "safe"
    #: it may have acted: retried only for an idempotent request, when opted in
    UNKNOWN = "unknown"
    #: a result for the caller (a success, a rejection): never retried
    FINAL = "final"


@dataclass(frozen=True)
class Attempt:
    """One signed request as it went out: what the retry rules may look at.

    :param sends: how many times the request has gone out, this attempt included (a
        scheme may allow a retry after its first send only).
    """

    method: str
    url: str
    body: bytes | None
    sends: int = 1


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (RFC 9110 §10.2.3), or ``None``."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT
        return None
    return max(0.0, when.timestamp() - now())


def classify(
    auth: ExchangeAuth, attempt: Attempt, status: int, headers: Mapping[str, str], body: bytes
) -> tuple[Answer, float | None]:
    """The answer's kind and its ``Retry-After`` in seconds: the scheme's word first."""
    wait = retry_after(headers.get("Retry-After"))
    declared = auth.retry_answer(attempt, status, body)
    if declared is not None:
        return declared, wait
    if status in _RATE_LIMITED and wait is not None:
        return Answer.SAFE, wait
    if status >= 500:
        return Answer.UNKNOWN, wait
    return Answer.FINAL, None


@dataclass(frozen=True)
class SignedRetry:
    """A retry for signed requests: each attempt re-signed, only when sending again is safe.

    Mount it once: ``ExchangeAdapter(retry=SignedRetry())`` on a requests session, or
    ``ExchangeTransport(retry=SignedRetry())`` under an httpx client. What is retried,
    and what never is, is in the retries guide.

    :param attempts: the most sends of one request, the first included (default 3).
    :param total: the most seconds from the first send to the start of the last one,
        waits included: a wait that would end later is not taken (default 30).
    :param backoff: the first wait in seconds, doubled after each attempt, with jitter
        (half of it fixed, half random), up to ``max_backoff``.
    :param max_backoff: the longest wait between attempts, unless ``Retry-After`` asks
        for longer (it is always honoured, within ``total``).
    :param idempotent: also retry requests the auth calls idempotent (``GET``; Poloniex
        legacy's ``return…`` commands) after an answer whose outcome is unknown (a 5xx)
        or a failure after the request was sent (a read timeout, a reset).
    :raises ConfigurationError: for a value out of range.

    .. versionadded:: 0.3.0
    """

    attempts: int = 3
    total: float = 30.0
    backoff: float = 0.25
    max_backoff: float = 5.0
    idempotent: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            msg = f"attempts must be an int (sends of one request, e.g. 3), not {self.attempts!r}."
            raise ConfigurationError(msg)
        if not 1 <= self.attempts <= 100:
            msg = f"attempts must be between 1 (no retry) and 100, not {self.attempts}."
            raise ConfigurationError(msg)
        for name in ("total", "backoff", "max_backoff"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                msg = f"{name} must be a number of seconds, not {value!r}."
                raise ConfigurationError(msg)
            if not (math.isfinite(value) and value >= 0):
                msg = f"{name} must be a finite number of seconds ≥ 0, not {value!r}."
                raise ConfigurationError(msg)

    def begin(self, auth: ExchangeAuth) -> Retrying:
        """The attempts of one request signed by ``auth``, starting now."""
        return Retrying(self, auth)

    def wait(self, retry: int) -> float:
        """Seconds before retry number ``retry`` (1 for the first): backoff with jitter."""
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (retry - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311  # jitter, not secrets


class Retrying:
    """One request's attempts: after each, how long to wait before the next, or stop."""

    def __init__(self, policy: SignedRetry, auth: ExchangeAuth) -> None:
        self.policy = policy
        self.auth = auth
        self.sends = 1
        self._started = time.monotonic()

    def after_response(
        self,
        attempt: Attempt,
        status: int,
        headers: Mapping[str, str],
        body: Callable[[], bytes],
    ) -> float | None:
        """Seconds to wait before sending ``attempt`` again after this answer, or ``None``.

        :param body: reads the answer's body; called only for an error status, or one
            the auth lists in ``retry_statuses`` (an exchange that answers errors with
            HTTP 200).
        """
        if status < 400 and status not in self.auth.retry_statuses:
            return None
        attempt = replace(attempt, sends=self.sends)
        answer, wait = classify(self.auth, attempt, status, headers, body())
        return self._due(attempt, answer, wait, f"HTTP {status}")

    def after_failure(self, attempt: Attempt, *, sent: bool, error: BaseException) -> float | None:
        """Seconds to wait before sending ``attempt`` again after a failed send, or ``None``.

        :param sent: whether the request's last byte had been written when it failed.
        """
        if sent:
            why = f"{type(error).__name__} after the request was sent"
            return self._due(attempt, Answer.UNKNOWN, None, why)
        return self._due(attempt, Answer.SAFE, None, f"{type(error).__name__} before sending")

    def _due(self, attempt: Attempt, answer: Answer, wait: float | None, why: str) -> float | None:
        policy = self.policy
        if answer is Answer.FINAL:
            return None
        if answer is Answer.UNKNOWN and not (
            policy.idempotent and self.auth.is_idempotent(attempt)
        ):
            return None
        if self.sends >= policy.attempts:
            return None
        delay = policy.wait(self.sends)
        if wait is not None:
            delay = max(delay, wait)
        if time.monotonic() - self._started + delay > policy.total:
            return None
        self.sends += 1
        path = redact(attempt.url).partition("?")[0]
        log.info(
            "retrying %s %s in %.2f s, re-signed (send %d of at most %d): %s",
            attempt.method, path, delay, self.sends, policy.attempts, why,
        )  # fmt: skip
        return delay
