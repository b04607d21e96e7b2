"""The requests transport adapter for signed requests: re-signing retries, and ordered
nonce holds given back the moment the request's bytes are written.

requests hands an adapter a request that is already signed, and urllib3 below it sends
it; neither can sign again. So this adapter keeps the auth that signed the request (its
redirect guard carries it), and around each send it watches urllib3's connection
(:mod:`._urllib3`): whether the request's last byte was written decides whether a failed
send may be retried, and the moment it is written is when an ``OrderedNonce(release=
"sent")`` hold is given back. The rules of what may be retried are ``_retry``'s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from requests import PreparedRequest, RequestException, Response
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from . import _urllib3
from ._requests import RedirectGuard, hold_of, release_now, sign_prepared
from ._retry import Attempt, SignedRetry
from ._transport import check_transport
from .exceptions import ConfigurationError

__all__ = ["ExchangeAdapter", "OrderedAdapter"]

log = logging.getLogger("requests_exchange_auth")
_DEFAULT_RETRY = SignedRetry()


def _signer(request: PreparedRequest) -> Any:
    """The auth that signed ``request`` and still owns its credentials, or ``None``."""
    for hook in request.hooks.get("response", ()):
        if isinstance(hook, RedirectGuard):
            auth = hook.auth
            return auth if auth.carries_credentials(request.headers) else None
    return None


def _refuse_a_plaintext_proxy(request: PreparedRequest, auth: Any, proxies: Any) -> None:
    """DESIGN.md #5 where only an adapter can see it: a signed plain-http request (to a
    loopback host) that would go through a proxy. An auth sees the environment's
    proxies; the session's and the call's are merged in only at send time
    (sessions.py, ``merge_environment_settings``), and chosen as HTTPAdapter does."""
    url = request.url or ""
    if auth is None or url.startswith("https://") or not proxies:
        return
    proxy = select_proxy(url, proxies)
    if not proxy:
        return
    try:
        check_transport(url, allow_insecure_http=auth._allow_insecure_http, proxy=proxy)
    except Exception:
        release_now(request)  # nothing is sent: the next request may take the nonce order
        raise


def _attempt(request: PreparedRequest) -> Attempt:
    body = request.body
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Attempt(
        request.method or "GET", request.url or "", data if isinstance(data, bytes) else None
    )


def _reader(response: Response) -> Callable[[], bytes]:
    """Reads the answer's body, for the retry rules (which read only error answers)."""
    return lambda: response.content


def _failed_to_connect(exc: BaseException) -> bool:
    """Whether requests' error says that no connection was made (a refused connect)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


class ExchangeAdapter(HTTPAdapter):
    """A transport adapter for signed requests: retries that re-sign, and ordered sends.

    Mount it once on a session that sends signed requests::

        session.mount("https://", ExchangeAdapter())              # SignedRetry() defaults
        session.mount("https://", ExchangeAdapter(retry=SignedRetry(attempts=5)))

    Each retry goes through the request's auth again: a fresh timestamp or nonce and
    signature, never the same bytes twice. What is retried is
    :class:`~requests_exchange_auth.SignedRetry`'s choice: by default only what the
    exchange cannot have acted on (a connection that failed before the request was
    written, a 429 or 418 with ``Retry-After``, answers the scheme declares safe). The
    responses of earlier attempts are in ``response.history``. Requests that this
    package did not sign, or whose credentials a redirect stripped, are sent once.

    It also gives back an :class:`~requests_exchange_auth.OrderedNonce` hold as soon as
    the request is over (and with ``release="sent"``, once its bytes are written), and
    refuses a signed plain-http request that the session's proxies would route through
    a proxy (:class:`~requests_exchange_auth.InsecureTransportError`, nothing sent),
    which an auth alone cannot see.

    :param retry: a :class:`~requests_exchange_auth.SignedRetry`, or ``None`` for none.
    :param kwargs: :class:`requests.adapters.HTTPAdapter`'s (pool sizes); not
        ``max_retries``: urllib3 would resend the same signed bytes, which the exchange
        rejects ("Nonce must be greater than X. You provided X.") or, on a read timeout,
        may execute twice.
    :raises ConfigurationError: for ``max_retries`` or a ``retry`` of another type.

    .. versionadded:: 0.3.0
    """

    # requests' own list of what an adapter pickles (HTTPAdapter.__getstate__)
    __attrs__: list[str] = [*HTTPAdapter.__attrs__, "retry"]  # noqa: RUF012

    def __init__(self, retry: SignedRetry | None = _DEFAULT_RETRY, **kwargs: Any) -> None:
        if kwargs.get("max_retries", 0) != 0:
            msg = (
                "ExchangeAdapter takes no max_retries: urllib3 retries below the auth and "
                'resends the same signed bytes, which the exchange rejects ("Nonce must be '
                'greater than X. You provided X.", a stale timestamp) or, after a read '
                "timeout, may execute twice. Pass retry=SignedRetry(...), which re-signs."
            )
            raise ConfigurationError(msg)
        if retry is not None and not isinstance(retry, SignedRetry):
            msg = f"retry must be a SignedRetry or None, not {type(retry).__name__}."
            raise ConfigurationError(msg)
        self.retry = retry
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _urllib3.watch(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _urllib3.watch(manager)  # a SOCKS manager keeps its own pools: see _sent_when
        return manager

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        auth = _signer(request)
        _refuse_a_plaintext_proxy(request, auth, kwargs.get("proxies"))
        if auth is None or self.retry is None:
            return self._send_once(request, _urllib3.Watch(hold_of(request)), args, kwargs)
        retrying = self.retry.begin(auth)
        earlier: list[Response] = []
        while True:
            attempt, watch = _attempt(request), _urllib3.Watch(hold_of(request))
            try:
                response = self._send_once(request, watch, args, kwargs)
            except RequestException as exc:
                sent = _sent_when(exc, watch)
                delay = retrying.after_failure(attempt, sent=sent, error=exc)
                if delay is None:
                    raise
            else:
                delay = retrying.after_response(
                    attempt, response.status_code, response.headers, _reader(response)
                )
                if delay is None:
                    response.history[:0] = earlier
                    return response
                response.close()
                response.request = request.copy()  # the attempt, as it was sent
                earlier.append(response)
            time.sleep(delay)
            sign_prepared(auth, request, resend=False)  # a fresh nonce or timestamp

    def _send_once(
        self,
        request: PreparedRequest,
        watch: _urllib3.Watch,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Response:
        """One send, watched; the nonce hold is given back when it ends, either way."""
        token = _urllib3.WATCH.set(watch)
        try:
            return super().send(request, *args, **kwargs)
        finally:
            _urllib3.WATCH.reset(token)
            release_now(request)


def _sent_when(exc: RequestException, watch: _urllib3.Watch) -> bool:
    """Whether the request's last byte may have been written when ``exc`` was raised."""
    if watch.watched:
        return watch.written
    # A connection pool this adapter does not watch (a SOCKS proxy): only a connection
    # that was never made proves that nothing was sent.
    return not _failed_to_connect(exc)


class OrderedAdapter(ExchangeAdapter):
    """:class:`ExchangeAdapter` without retries: it gives back nonce holds, and that is all.

    requests calls response hooks only when a response arrives; when a send raises
    (connection refused, a timeout, a TLS error) nothing tells the auth that the request
    is over. Mounted on a session, this adapter releases the :class:`OrderedNonce` order
    the request holds as soon as its send returns or raises (or its bytes are written,
    with ``OrderedNonce(release="sent")``)::

        session.mount("https://", OrderedAdapter())

    It takes :class:`requests.adapters.HTTPAdapter`'s arguments (pool sizes) and changes
    nothing else. ``OrderedAdapter()`` is ``ExchangeAdapter(retry=None)``.

    .. versionadded:: 0.2.0
    .. versionchanged:: 0.3.0 releases at send time with ``OrderedNonce(release="sent")``.
    """

    def __init__(self, retry: SignedRetry | None = None, **kwargs: Any) -> None:
        super().__init__(retry, **kwargs)
