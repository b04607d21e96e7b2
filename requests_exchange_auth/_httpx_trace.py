"""What httpcore's ``trace`` extension tells a request signed by ``HttpxAuth``.

httpcore calls the trace for every step of sending a request, the redirected hops
included (they inherit the extensions): connecting, just before the headers go out
(``send_request_headers.started``), once the body is written
(``send_request_body.complete``). The redirect guard works at the first of these, the
ordered nonce release and the retry's "was it sent?" at the second. Transports without
httpcore (a ``MockTransport``) call no trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, Any

from ._transport import origin, show_origin
from .exceptions import CrossOriginRedirectError

if TYPE_CHECKING:
    from ._auth import ExchangeAuth
    from ._draft import Draft

__all__ = ["Guard"]

log = logging.getLogger("requests_exchange_auth")
_SEND_HEADERS = ("http11.send_request_headers.started", "http2.send_request_headers.started")
_BODY_SENT = ("http11.send_request_body.complete", "http2.send_request_body.complete")


class _NoBody:
    """An empty request stream for httpcore, sync and async alike."""

    def __iter__(self) -> Generator[bytes, None, None]:
        yield from ()

    async def __aiter__(self) -> AsyncGenerator[bytes, None]:
        return
        yield b""  # pragma: no cover  # makes this an (empty) async generator


class Guard:
    """What httpcore's trace tells one signed request: the redirect guard for its hops
    (its origin, policy and owned headers), and when it is about to go out and has been
    written (its nonce hold is told; a retry reads ``traced`` and ``written``)."""

    __slots__ = ("headers", "hold", "inner", "origin", "policy", "traced", "written")

    def __init__(self, auth: ExchangeAuth, draft: Draft, inner: Any) -> None:
        self.origin = origin(draft.url)
        self.policy = auth.redirect_policy
        self.headers = {name.lower().encode() for name in auth.owned_headers}
        self.inner = inner  # a trace the caller set, still called
        self.hold = draft.hold
        self.traced = False  # httpcore calls the trace: ``written`` can be trusted
        self.written = False  # the request's last byte was written

    def bind(self, trace: Callable[..., Any]) -> Callable[..., Any]:
        def bound(event: str, info: dict[str, Any]) -> Any:
            return trace(self, event, info)

        return bound

    def check(self, event: str, info: dict[str, Any]) -> None:
        """Follow the request's progress; before each hop's headers go out, guard it."""
        self.traced = True
        if event in _BODY_SENT:
            self.written = True
            if self.hold is not None:
                self.hold.sent()
        elif event in _SEND_HEADERS:
            self.guard(info["request"])
            if self.hold is not None:
                self.hold.sending()

    def guard(self, request: Any) -> None:
        """Clean or refuse a hop that left our origin."""
        url = request.url
        target = (url.scheme.decode(), url.host.decode(), url.port)
        target = origin(f"{target[0]}://{target[1]}" + (f":{target[2]}" if target[2] else ""))
        if target == self.origin:
            return
        where = f"from {show_origin(self.origin)} to {show_origin(target)}"
        if self.policy == "raise":
            msg = (
                f"the server redirected a signed request {where}; it was not followed "
                "because the credentials would go with it. Call the new URL yourself, or "
                "pass on_cross_origin_redirect='strip' to follow it unsigned."
            )
            raise CrossOriginRedirectError(msg)
        framing = {b"content-length", b"transfer-encoding", b"content-type"}
        dropped = self.headers | framing
        request.headers[:] = [(k, v) for k, v in request.headers if k.lower() not in dropped]
        request.stream = _NoBody()
        log.warning("removed credentials from a request redirected %s", where)
