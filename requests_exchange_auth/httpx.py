"""The httpx adapter: any of this package's auths, for ``httpx.Client`` and ``httpx.AsyncClient``.

::

    auth = HttpxAuth(BinanceQueryAuth(key, secret))
    httpx.post("https://api.binance.com/api/v3/order", data=order, auth=auth)

Built on httpx's auth flow (``httpx/_auth.py``: a generator that yields the request to
send and receives the response, as its ``DigestAuth`` does to re-sign after a 401). The
scheme signs a copy of each request; what only httpx needs is here:

- the redirect guard (DESIGN.md #4): httpx follows redirects inside the client, without
  the auth, and strips only ``Authorization`` on a cross-origin hop. The signed request
  carries a ``trace`` extension, which httpcore calls for every request it sends, the
  redirected hops included (they inherit the extensions), just before the headers go
  out: a hop to another origin loses the auth's headers and signed body there, or is
  refused (``on_cross_origin_redirect="raise"``). Transports without httpcore (a
  ``MockTransport``) call no trace, and such hops are not guarded;
- the one safe resend on the exchange's timestamp rejection (DESIGN.md #8);
- the release of an ordered nonce hold when the flow ends, sent or failed, or as soon as
  the trace says the request is written (``OrderedNonce(release="sent")``);
- retries that re-sign, in a transport (:class:`ExchangeTransport`,
  :class:`AsyncExchangeTransport`): the auth flow never sees a failed send. The signed
  request carries its signing (an extension) for the transport to sign it again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, cast

from ._auth import ExchangeAuth
from ._draft import Draft
from ._httpx_trace import Guard as _Guard
from ._transport import origin
from .exceptions import ConfigurationError, ServerTimeError

try:
    import httpx
except ImportError as exc:  # pragma: no cover  # the extra is installed in every test run
    from ._signing import require

    require("httpx", extra="httpx", feature="requests_exchange_auth.httpx")
    raise exc from None

from ._httpx_transport import SIGNING, AsyncExchangeTransport, ExchangeTransport

__all__ = ["AsyncExchangeTransport", "ExchangeTransport", "HttpxAuth"]

log = logging.getLogger("requests_exchange_auth")


class _Unread:
    """Stands for a streamed body, which the body policies refuse without reading it."""

    def __repr__(self) -> str:
        return "stream"


class HttpxAuth(httpx.Auth):
    """Signs httpx requests with any of this package's auths, sync and async.

    :param auth: a ``BinanceQueryAuth``, ``KrakenAuth``, … (one object can serve many
        clients and threads; it keeps no per-request state).
    :raises ConfigurationError: when ``auth`` is not one of this package's auths.

    .. versionadded:: 0.3.0
    """

    def __init__(self, auth: ExchangeAuth) -> None:
        if not isinstance(auth, ExchangeAuth):
            msg = (
                f"HttpxAuth wraps one of this package's auths (e.g. BinanceQueryAuth), "
                f"not {type(auth).__name__}."
            )
            raise ConfigurationError(msg)
        #: the wrapped auth, which does the signing
        self.auth = auth

    def __repr__(self) -> str:
        return f"HttpxAuth({self.auth!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The flow without I/O of its own: sign, send (no resend; see ``sync_auth_flow``)."""
        signing = _Signing(self, request, self._sync_trace)
        try:
            yield signing.sign()
        finally:
            signing.release()

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        signing = _Signing(self, request, self._sync_trace)
        try:
            signed = signing.sign()
            response = yield signed
            if self._may_resend(signed, response):
                response.read()
                if self._resend_due(response) and self._synced(response):
                    yield signing.sign()
        finally:
            signing.release()

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        signing = _Signing(self, request, self._async_trace)
        try:
            signed = signing.sign()
            response = yield signed
            if self._may_resend(signed, response):
                await response.aread()
                if self._resend_due(response) and await _to_thread(self._synced, response):
                    yield signing.sign()
        finally:
            signing.release()

    # -- signing ------------------------------------------------------------------------

    def _signed(
        self, request: httpx.Request, trace: Callable[..., Any], signing: _Signing
    ) -> tuple[httpx.Request, Draft, _Guard]:
        """A signed copy of ``request``, carrying the redirect guard's trace."""
        try:
            body: object = request.content
        except httpx.RequestNotRead:  # a generator or file: refused by the body policy
            body = _Unread()
        headers = httpx.Headers(request.headers)
        draft = Draft(request.method, str(request.url), headers, body)
        self.auth._apply(draft)
        headers.pop("Content-Length", None)  # httpx counts the content it is given
        body = draft.body  # str or bytes once signed (the body policies let nothing else by)
        content = body.encode("utf-8") if isinstance(body, str) else cast("bytes | None", body)
        extensions = dict(request.extensions)
        guard = _Guard(self.auth, draft, extensions.get("trace"))
        extensions["trace"] = guard.bind(trace)
        extensions[SIGNING] = signing
        signed = httpx.Request(
            draft.method, draft.url, headers=headers, content=content, extensions=extensions
        )
        return signed, draft, guard

    def _sync_trace(self, guard: _Guard, event: str, info: dict[str, Any]) -> None:
        guard.check(event, info)
        if guard.inner is not None:
            guard.inner(event, info)

    async def _async_trace(self, guard: _Guard, event: str, info: dict[str, Any]) -> None:
        guard.check(event, info)
        if guard.inner is not None:
            await guard.inner(event, info)

    # -- the one safe resend --------------------------------------------------------------

    def _may_resend(self, signed: httpx.Request, response: httpx.Response) -> bool:
        auth = self.auth
        return (
            auth.resends
            and response.status_code in auth.rejection_statuses
            and origin(str(response.request.url)) == origin(str(signed.url))
            and auth.carries_credentials(response.request.headers)
        )

    def _resend_due(self, response: httpx.Response) -> bool:
        return self.auth.rejects_timestamp(response.status_code, response.content)

    def _synced(self, response: httpx.Response) -> bool:
        """Sync the clock once for threads that met the same rejection; say if it worked."""
        clock: Any = self.auth.clock  # type: ignore[attr-defined]  # a resending auth is timed
        try:
            clock.sync(max_age=response.elapsed.total_seconds())
        except ServerTimeError as exc:
            log.warning("timestamp rejection not resent: %s", exc)
            return False
        log.info("resending a request re-signed after its timestamp was rejected")
        return True


class _Signing:
    """One request as :class:`HttpxAuth` signs it, attempt after attempt.

    The flow signs it first, and again for the one safe resend; an
    :class:`ExchangeTransport` signs it again for a retry (it finds this object among the
    signed request's extensions). Each new attempt gives back the previous one's nonce
    hold, and the end of the flow gives back the last one's.
    """

    __slots__ = ("draft", "guard", "latest", "original", "owner", "trace")

    def __init__(self, owner: HttpxAuth, request: httpx.Request, trace: Callable[..., Any]):
        self.owner = owner
        self.original = request
        self.trace = trace
        self.draft: Draft | None = None
        self.guard: _Guard | None = None
        self.latest: httpx.Request | None = None

    @property
    def auth(self) -> ExchangeAuth:
        return self.owner.auth

    def sign(self) -> httpx.Request:
        """The request signed afresh (its earlier attempt, if any, is over)."""
        self.release()
        self.latest, self.draft, self.guard = self.owner._signed(self.original, self.trace, self)
        return self.latest

    def release(self) -> None:
        draft = self.draft
        if draft is not None and draft.hold is not None:
            draft.hold.release()
            draft.hold = None


async def _to_thread(function: Callable[[httpx.Response], bool], response: httpx.Response) -> bool:
    """Run the (blocking) clock sync off the event loop, on asyncio and trio alike."""
    import anyio.to_thread  # noqa: PLC0415  # httpx's own dependency, needed only here

    return await anyio.to_thread.run_sync(function, response)
