"""Binance SIGNED and API-key-only requests (spot ``/api`` ``/sapi``, futures ``/fapi`` ``/dapi``).

Specification: ``specs/binance-signed-requests.md``; section numbers below refer to it.
"""

from __future__ import annotations

import inspect
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from requests import PreparedRequest, Response
from requests.cookies import extract_cookies_to_jar

from . import _credentials
from ._base import ExchangeAuth
from ._binance_keys import signer as _signer
from ._credentials import Clock, StrOrBytes
from ._wire import (
    RedirectPolicy,
    append_param,
    form_body,
    has_param,
    join_url,
    log,
    remove_params,
    replace_param,
    set_form_body,
    split_url,
)
from .exceptions import ConfigurationError, ServerTimeError

RecvWindow = int | float | Decimal | str
TimestampUnit = Literal["ms", "us"]
# The auth owns these: re-signing replaces them, never duplicates them (DESIGN.md #2).
_SIGNATURE = ("signature",)
_TIMESTAMP = ("timestamp",)
_MAX_RECV_WINDOW = Decimal(60000)  # §5: "max 60000"
_NS_PER_UNIT = {"ms": 1_000_000, "us": 1_000}
_INVALID_TIMESTAMP = -1021


def _recv_window(value: RecvWindow | None) -> str | None:
    """Validate ``recv_window`` and render it as Binance reads it (§5)."""
    if value is None:
        return None
    problem = "must be a number"
    if not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite() and 0 < number <= _MAX_RECV_WINDOW:
            if number.as_tuple().exponent >= -3:  # type: ignore[operator]  # finite: int
                return format(number.normalize(), "f")
            problem = "has more than three decimals"
        elif number.is_finite():
            problem = "is out of range"
    msg = (
        f"recv_window {problem}: expected milliseconds greater than 0 and at most 60000, "
        "with at most three decimals (e.g. 5000 or '6000.346'); Binance recommends "
        "5000 or less."
    )
    raise ConfigurationError(msg)


class BinanceQueryAuth(ExchangeAuth):
    """Attaches Binance SIGNED-endpoint authentication to the given Request object.

    Adds ``timestamp`` (and ``recvWindow`` if configured), then ``signature`` as the last
    parameter: in the form body when the request has one, otherwise in the query; the
    signed payload is the query followed by the body, exactly as sent (§3, §7). The key
    goes in ``X-MBX-APIKEY``. Re-signing the same request replaces ``timestamp`` and
    ``signature`` with fresh values. One object serves spot (``/api``, ``/sapi``),
    futures (``/fapi``, ``/dapi``) and options (``/eapi``) alike.

    Give exactly one of ``secret`` (an HMAC key) or ``private_key`` (an RSA or Ed25519
    key, which Binance recommends, §1).

    :param api_key: the API key.
    :param secret: the HMAC secret key (``str`` or ``bytes``).
    :param private_key: an RSA (PKCS#1 v1.5, SHA-256) or Ed25519 private key: PEM text as
        ``str`` or ``bytes`` (PKCS#8 or PKCS#1), or a ``cryptography`` private-key object.
        Needs the ``crypto`` extra.
    :param private_key_password: the password of an encrypted PEM ``private_key``.
    :param recv_window: milliseconds, > 0 and ≤ 60000, at most three decimals; added as
        ``recvWindow`` unless the request already has one.
    :param timestamp_unit: ``"ms"`` (default) or ``"us"``; spot also accepts microsecond
        timestamps, the futures APIs document milliseconds only (§5).
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass a :class:`~requests_exchange_auth.BinanceServerClock` to follow the server.
    :param retry_invalid_timestamp: when a response is error -1021 (timestamp outside
        ``recvWindow`` or ahead of the server), sync ``clock`` and resend the request once,
        re-signed with a fresh timestamp (§6). Needs a ``clock`` with a ``sync`` method.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) follows a redirect to another
        origin without key, signature or signed body; ``"raise"`` refuses to follow it.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 RSA and Ed25519 keys, ``timestamp_unit``,
       ``retry_invalid_timestamp``.
    """

    headers = ("X-MBX-APIKEY",)
    key_header = "X-MBX-APIKEY"
    env_prefix = "BINANCE"

    def __init__(
        self,
        api_key: StrOrBytes,
        secret: StrOrBytes | None = None,
        *,
        private_key: object = None,
        private_key_password: StrOrBytes | None = None,
        recv_window: RecvWindow | None = None,
        timestamp_unit: TimestampUnit = "ms",
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        allow_insecure_http: bool = False,
        on_cross_origin_redirect: RedirectPolicy = "strip",
    ) -> None:
        super().__init__(
            api_key,
            allow_insecure_http=allow_insecure_http,
            on_cross_origin_redirect=on_cross_origin_redirect,
        )
        self._signer = _signer(secret, private_key, private_key_password)
        window = _recv_window(recv_window)
        self._recv_window = None if window is None else f"recvWindow={window}"
        if timestamp_unit not in _NS_PER_UNIT:
            msg = (
                f"timestamp_unit must be 'ms' (milliseconds, every API) or 'us' "
                f"(microseconds, spot only), not {timestamp_unit!r}."
            )
            raise ConfigurationError(msg)
        self._ns_per_unit = _NS_PER_UNIT[timestamp_unit]
        self._clock = _credentials.clock(clock)
        self._retry = bool(retry_invalid_timestamp)
        if self._retry and not _can_sync(self._clock):
            msg = (
                "retry_invalid_timestamp=True needs a clock it can sync after -1021, with a "
                "sync(max_age=seconds) method; pass clock=BinanceServerClock(url).sync() "
                "(a plain time source cannot be corrected)."
            )
            raise ConfigurationError(msg)

    @property
    def clock(self) -> Clock:
        """The time source: :func:`time.time_ns` or the ``clock`` given (e.g. to ``sync()`` it)."""
        return self._clock

    @property
    def key_type(self) -> str:
        """``"HMAC"``, ``"RSA"`` or ``"Ed25519"``: how this auth signs."""
        return self._signer.key_type

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self._begin(r)
        self._sign(r)
        if self._retry:
            # First in line, so the redirect guard then sees the answer to a resend.
            hooks = r.hooks.setdefault("response", [])
            if self._resend_on_invalid_timestamp not in hooks:
                hooks.insert(0, self._resend_on_invalid_timestamp)
        return r

    def _sign(self, r: PreparedRequest) -> None:
        """Add fresh ``recvWindow``/``timestamp`` and the ``signature`` (§3, §7)."""
        base, query, fragment = split_url(r.url or "")
        body = form_body(r, "BinanceQueryAuth")
        stamp = f"timestamp={self._timestamp()}"
        placed = False
        # Most requests carry neither parameter: one substring test each skips the rest.
        if (
            "signature" in query
            or "timestamp" in query
            or (body is not None and ("signature" in body or "timestamp" in body))
        ):
            query = remove_params(query, _SIGNATURE)
            if body is not None:
                body = remove_params(body, _SIGNATURE)
            query, body, placed = _place_timestamp(query, body, stamp)
        # §7: our parameters go at the end of the body when there is one, else the query.
        ours = body if body is not None else query
        if self._recv_window is not None and not (
            has_param(query, "recvWindow") or (body is not None and has_param(body, "recvWindow"))
        ):
            ours = append_param(ours, self._recv_window)
        if not placed:
            ours = append_param(ours, stamp)
        # §3: totalParams is the query followed by the body, no separator.
        total = ours if body is None else query + ours
        ours = f"{ours}&signature={self._signer(total.encode())}"
        if body is None:
            r.url = join_url(base, ours, fragment)
        else:
            r.url = join_url(base, query, fragment)
            set_form_body(r, ours)

    def _resend_on_invalid_timestamp(self, response: Response, **kwargs: Any) -> Response:
        """On -1021, sync the clock and resend once, re-signed (§6).

        Modelled on requests' ``HTTPDigestAuth.handle_401`` (the first response is kept
        in ``history``), with three differences. The request object itself is re-signed,
        because requests builds any redirect of the answer from that very object
        (sessions.py, ``resolve_redirects``), so the redirect guard and a redirected hop
        see the fresh, valid request. The hook removes itself first, so one request (and
        its redirects, which share the hooks) is resent at most once. And a response to
        a request that no longer carries our key, which the redirect guard strips on a
        cross-origin hop, is never re-signed: we sign only for the origin we were given.
        -1021 means the server rejected the request before acting on it; no other
        answer is resent.
        """
        request = response.request
        if not _is_invalid_timestamp(response) or (
            request.headers.get(self.key_header) != self._api_key
        ):
            return response
        _ = response.content  # read it all, so the connection goes back to the pool
        response.close()
        request.hooks["response"] = [
            hook for hook in request.hooks["response"] if hook != self._resend_on_invalid_timestamp
        ]  # a new list: dispatch_hook is iterating the old one
        clock: Any = self._clock
        try:
            # Threads that met the same -1021 share one sync: skip it when a sync finished
            # after this request was sent.
            clock.sync(max_age=response.elapsed.total_seconds())
        except ServerTimeError as exc:
            log.warning("-1021 answer not resent: %s", exc)
            return response
        response.request = request.copy()  # the first attempt, as it was sent
        # Cookies the -1021 answer set go along, as digest auth does (auth.py, handle_401).
        jar = request._cookies  # type: ignore[attr-defined]  # requests' own attribute
        extract_cookies_to_jar(jar, response.request, response.raw)  # type: ignore[no-untyped-call]
        request.prepare_cookies(jar)
        self._begin(request)  # the transport check and key header, as on the first attempt
        self._sign(request)
        log.info("resending a request re-signed after -1021 (timestamp outside recvWindow)")
        retried: Response = response.connection.send(request, **kwargs)
        retried.history.append(response)
        return retried

    def key_only(self) -> BinanceApiKeyAuth:
        """An auth with the same key and policies that sends the key unsigned (§1)."""
        return BinanceApiKeyAuth(
            self._api_key,
            allow_insecure_http=self._allow_insecure_http,
            on_cross_origin_redirect=self._guard.policy,
        )

    def _timestamp(self) -> int:
        """Milliseconds (or microseconds) since the epoch, from the injected clock (§5)."""
        now = self._clock()
        if type(now) is not int:  # checked here first: this runs on every request
            _credentials.checked_now(now, "milliseconds")
        return now // self._ns_per_unit


def _can_sync(clock: object) -> bool:
    """Whether ``clock`` has the ``sync(max_age=...)`` the -1021 recovery calls."""
    try:
        inspect.signature(getattr(clock, "sync", None)).bind(max_age=1.0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _place_timestamp(query: str, body: str | None, stamp: str) -> tuple[str, str | None, bool]:
    """Put the fresh ``timestamp`` where the caller placed one; say whether it was placed.

    DESIGN.md #2: the auth owns the value, so a stale one is replaced and copies are
    dropped; the caller may own the position (the docs' RSA/Ed25519 payloads put
    ``recvWindow`` after ``timestamp``, §8). The first one wins, the query before the body.
    """
    replaced = replace_param(query, stamp)
    if replaced is not None:
        return replaced, None if body is None else remove_params(body, _TIMESTAMP), True
    replaced = None if body is None else replace_param(body, stamp)
    if replaced is not None:
        return query, replaced, True
    return query, body, False


def _is_invalid_timestamp(response: Response) -> bool:
    """Whether Binance answered -1021 INVALID_TIMESTAMP (§6); it does so with HTTP 400."""
    if not 400 <= response.status_code < 500:
        return False
    try:
        answer = response.json()
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("code") == _INVALID_TIMESTAMP


class BinanceApiKeyAuth(ExchangeAuth):
    """Attaches only the Binance API key (``X-MBX-APIKEY``) to the given Request object.

    For endpoints of security type ``USER_STREAM`` or ``MARKET_DATA``, such as listenKey
    management, which need the key but no signature (§1). Nothing else is changed.

    :param api_key: the API key.
    :param allow_insecure_http: send the key over plain ``http://`` to non-loopback hosts.
    :param on_cross_origin_redirect: as for :class:`BinanceQueryAuth`.

    .. versionadded:: 0.1.0
    """

    headers = ("X-MBX-APIKEY",)
    key_header = "X-MBX-APIKEY"
    env_prefix = "BINANCE"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self._begin(r)
        return r

    @classmethod
    def _from_credentials(cls, key: str, secret: str, options: dict[str, Any]) -> BinanceApiKeyAuth:
        return cls(key, **options)  # the secret is not needed without a signature
