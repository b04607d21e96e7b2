"""httpx transports for signed requests: retries that re-sign each attempt.

httpx's auth flow sees responses but never a failed send (the client closes the flow
when a send raises), so a retry lives in a transport, wrapped around httpx's own. A
request signed by :class:`~requests_exchange_auth.httpx.HttpxAuth` carries its signing
as an extension; the transport asks it for a fresh signature before each retry, and
reads from its trace whether a failed attempt had been written. Which answers and
failures are retried is ``_retry``'s choice, as on requests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from ._retry import Attempt, Retrying, SignedRetry
from .exceptions import ConfigurationError, NonceTimeoutError

__all__ = ["SIGNING", "AsyncExchangeTransport", "ExchangeTransport"]

#: the extension under which a signed request carries its signing (HttpxAuth's)
SIGNING = "requests_exchange_auth.signing"
_DEFAULT_RETRY = SignedRetry()
# httpx's errors of a send, and ours (a Redis lease that ran out before writing)
_FAILURES = (httpx.TransportError, NonceTimeoutError)
_NOT_CONNECTED = (httpx.ConnectError, httpx.ConnectTimeout)


def _checked(retry: object) -> SignedRetry | None:
    if retry is not None and not isinstance(retry, SignedRetry):
        msg = f"retry must be a SignedRetry or None, not {type(retry).__name__}."
        raise ConfigurationError(msg)
    return retry


def _ours(request: httpx.Request, retry: SignedRetry | None) -> Any:
    """The signing of ``request`` if it is to be retried: signed by us, not a redirect hop."""
    signing = request.extensions.get(SIGNING)
    if retry is None or signing is None or signing.latest is not request:
        return None
    return signing


def _attempt(request: httpx.Request) -> Attempt:
    return Attempt(request.method, str(request.url), request.content)


def _sent(signing: Any, exc: BaseException) -> bool:
    """Whether the request's last byte may have been written when ``exc`` was raised."""
    guard = signing.guard
    if guard.traced:  # httpcore reported every step
        return bool(guard.written)
    return not isinstance(exc, _NOT_CONNECTED)  # no trace: only "never connected" is sure


def _read_first(response: httpx.Response, signing: Any) -> bool:
    """Whether the retry rules read this answer (an error, or a status the auth lists)."""
    status = response.status_code
    return status >= 400 or status in signing.auth.retry_statuses


def _reader(response: httpx.Response) -> Callable[[], bytes]:
    return lambda: response.content  # read before asking: see handle_request


class ExchangeTransport(httpx.BaseTransport):
    """An httpx transport that retries signed requests, re-signing each attempt.

    Wrap the transport a client would use, and sign with
    :class:`~requests_exchange_auth.httpx.HttpxAuth`::

        client = httpx.Client(transport=ExchangeTransport(), auth=HttpxAuth(auth))
        client = httpx.Client(transport=ExchangeTransport(httpx.HTTPTransport(http2=True),
                                                          retry=SignedRetry(attempts=5)))

    What is retried is :class:`~requests_exchange_auth.SignedRetry`'s choice, as for
    :class:`~requests_exchange_auth.ExchangeAdapter`. Requests that ``HttpxAuth`` did
    not sign, and redirected hops, go through once.

    :param transport: the transport to send with (default ``httpx.HTTPTransport()``).
    :param retry: a :class:`~requests_exchange_auth.SignedRetry`, or ``None`` for none.

    .. versionadded:: 0.3.0
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        retry: SignedRetry | None = _DEFAULT_RETRY,
    ) -> None:
        self.retry = _checked(retry)
        self.transport = transport if transport is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        signing = _ours(request, self.retry)
        if signing is None:
            return self.transport.handle_request(request)
        retrying: Retrying = self.retry.begin(signing.auth)  # type: ignore[union-attr]
        while True:
            attempt = _attempt(request)
            try:
                response = self.transport.handle_request(request)
            except _FAILURES as exc:
                delay = retrying.after_failure(attempt, sent=_sent(signing, exc), error=exc)
                if delay is None:
                    raise
            else:
                if _read_first(response, signing):
                    response.read()
                delay = retrying.after_response(
                    attempt, response.status_code, response.headers, _reader(response)
                )
                if delay is None:
                    return response
                response.close()
            time.sleep(delay)
            request = signing.sign()  # a fresh nonce or timestamp

    def close(self) -> None:
        self.transport.close()


class AsyncExchangeTransport(httpx.AsyncBaseTransport):
    """The :class:`ExchangeTransport` of ``httpx.AsyncClient`` (waits with ``anyio.sleep``).

    :param transport: the transport to send with (default ``httpx.AsyncHTTPTransport()``).
    :param retry: a :class:`~requests_exchange_auth.SignedRetry`, or ``None`` for none.

    .. versionadded:: 0.3.0
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        retry: SignedRetry | None = _DEFAULT_RETRY,
    ) -> None:
        self.retry = _checked(retry)
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import anyio  # noqa: PLC0415  # httpx's own dependency, needed only here

        signing = _ours(request, self.retry)
        if signing is None:
            return await self.transport.handle_async_request(request)
        retrying: Retrying = self.retry.begin(signing.auth)  # type: ignore[union-attr]
        while True:
            attempt = _attempt(request)
            try:
                response = await self.transport.handle_async_request(request)
            except _FAILURES as exc:
                delay = retrying.after_failure(attempt, sent=_sent(signing, exc), error=exc)
                if delay is None:
                    raise
            else:
                if _read_first(response, signing):
                    await response.aread()
                delay = retrying.after_response(
                    attempt, response.status_code, response.headers, _reader(response)
                )
                if delay is None:
                    return response
                await response.aclose()
            await anyio.sleep(delay)
            request = signing.sign()

    async def aclose(self) -> None:
        await self.transport.aclose()
