"""Binance SIGNED and API-key-only requests (spot ``/api`` ``/sapi``, futures ``/fapi`` ``/dapi``).

Specification: ``specs/binance-signed-requests.md``; section numbers below refer to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit, urlunsplit

from .._auth import AuthOptions
from .._binance_keys import signer as _signer
from .._bodies import form_text, set_form_text
from .._draft import Draft
from .._params import append_param, has_param, join_url, place_param, remove_params, split_url
from .._retry import Answer, Attempt
from .._time import Clock
from .._timed import (
    RecvWindow,
    TimedAuth,
    TimedOptions,
    TimeEndpoint,
    json_answer,
    recv_window_text,
)
from .._transport import redact
from ..exceptions import ConfigurationError
from .binance_key import KEY_HEADER, BinanceApiKeyAuth, status_unknown
from .binance_ws import BinanceWebSocketSigning

if TYPE_CHECKING:
    import os

    from typing_extensions import Self, Unpack

__all__ = ["BinanceQueryAuth", "time_url"]

# The auth owns these: re-signing replaces them, never duplicates them (DESIGN.md #2).
_SIGNATURE = ("signature",)
_INVALID_TIMESTAMP = -1021  # §6
# §5: the time endpoint of each API; SAPI lives on the spot host and uses spot's.
_TIME_PATH = {
    "api": "/api/v3/time",
    "sapi": "/api/v3/time",
    "fapi": "/fapi/v1/time",
    "dapi": "/dapi/v1/time",
    "eapi": "/eapi/v1/time",
}
# Hosts whose API is clear from the name alone (api1.binance.com, testnet.binance.vision...).
_HOST_API = (("fapi", "fapi"), ("dapi", "dapi"), ("eapi", "eapi"), ("api", "api"))
_SPOT_TESTNET = "testnet.binance.vision"


def time_url(url: str) -> str:
    """The time endpoint that fits ``url``: a request URL, an API base URL or the endpoint.

    The first path segment decides (``/api``, ``/sapi``, ``/fapi``, ``/dapi``, ``/eapi``);
    a URL without a path is judged by its host (``fapi.binance.com``); a path ending in
    ``/time`` is taken as it is (§5).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = (
            f"BinanceServerClock needs an http(s) URL of a Binance API, not {redact(url)!r}; "
            "e.g. 'https://api.binance.com' or 'https://fapi.binance.com'."
        )
        raise ConfigurationError(msg)
    path = parts.path.rstrip("/")
    if path.endswith("/time"):
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    api = path.split("/")[1] if path else _api_of_host(parts.hostname)
    if api not in _TIME_PATH:
        msg = (
            f"cannot tell which Binance API {redact(url)!r} belongs to; pass a URL whose path "
            "starts with /api, /sapi, /fapi, /dapi or /eapi (e.g. "
            "'https://testnet.binancefuture.com/fapi'), or the time endpoint itself "
            "(e.g. '.../fapi/v1/time')."
        )
        raise ConfigurationError(msg)
    return urlunsplit((parts.scheme, parts.netloc, _TIME_PATH[api], "", ""))


def _api_of_host(host: str) -> str:
    if host == _SPOT_TESTNET:
        return "api"
    # no prefix holds a dot: the first label starts with it exactly when the host does
    return next((api for prefix, api in _HOST_API if host.startswith(prefix)), "")


def _server_time(answer: dict[str, object]) -> object:
    return answer["serverTime"]  # §5: {"serverTime": 1499827319559}


class BinanceOptions(TimedOptions, total=False):
    """The keyword options of :class:`BinanceQueryAuth`."""

    private_key: object
    private_key_password: str | bytes | None
    recv_window: RecvWindow | None
    unit: Literal["ms", "us"]


class BinanceQueryAuth(TimedAuth, BinanceWebSocketSigning):
    """Attaches Binance SIGNED-endpoint authentication to the given Request object.

    Adds ``timestamp`` (and ``recvWindow`` if configured), then ``signature`` as the last
    parameter: in the form body when the request has one, otherwise in the query; the
    signed payload is the query followed by the body, exactly as sent (§3, §7). The key
    goes in ``X-MBX-APIKEY``. Re-signing the same request replaces ``timestamp`` and
    ``signature`` with fresh values. One object serves spot (``/api``, ``/sapi``),
    futures (``/fapi``, ``/dapi``) and options (``/eapi``) alike, and signs WebSocket API
    requests too (:meth:`sign_websocket_params`, :meth:`session_logon_request`).

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
    :param unit: the timestamp's unit, ``"ms"`` (default) or ``"us"``; spot also accepts
        microsecond timestamps, the futures APIs document milliseconds only (§5).
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
    .. versionchanged:: 0.2.0 RSA and Ed25519 keys, microsecond timestamps,
       ``retry_invalid_timestamp``.
    .. versionchanged:: 0.3.0 ``timestamp_unit`` is now ``unit``; :meth:`sign`.
    """

    exchange = "Binance"
    owned_headers = (KEY_HEADER,)
    key_header = KEY_HEADER
    env_prefix = "BINANCE"
    units = ("ms", "us")
    rejection_statuses = frozenset(range(400, 500))  # §6: -1021 comes with HTTP 400
    time_endpoint = TimeEndpoint(time_url, _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes | None = None,
        *,
        private_key: object = None,
        private_key_password: str | bytes | None = None,
        recv_window: RecvWindow | None = None,
        unit: Literal["ms", "us"] = "ms",
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, unit=unit, retry_invalid_timestamp=retry_invalid_timestamp,
            **options,
        )  # fmt: skip
        self._signer = _signer(secret, private_key, private_key_password)
        window = recv_window_text(recv_window)
        self._recv_window = None if window is None else f"recvWindow={window}"

    @property
    def key_type(self) -> str:
        """``"HMAC"``, ``"RSA"`` or ``"Ed25519"``: how this auth signs."""
        return self._signer.key_type

    def _sign(self, draft: Draft) -> None:
        """Add fresh ``recvWindow``/``timestamp`` and the ``signature`` (§3, §7)."""
        base, query, fragment = split_url(draft.url)
        body = form_text(draft, "BinanceQueryAuth")
        stamp = f"timestamp={self._timestamp()}"
        placed = False
        if _holds_owned(query) or (body is not None and _holds_owned(body)):
            query = remove_params(query, _SIGNATURE)
            if body is not None:
                body = remove_params(body, _SIGNATURE)
            query, body, placed = place_param(query, body, stamp)
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
            draft.url = join_url(base, ours, fragment)
        else:
            draft.url = join_url(base, query, fragment)
            set_form_text(draft, ours)

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether Binance answered -1021 INVALID_TIMESTAMP (§6)."""
        answer = json_answer(body)
        return isinstance(answer, dict) and answer.get("code") == _INVALID_TIMESTAMP

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """Unknown: "execution status unknown" (-1006, -1007) and every 5xx (§6). The
        -1021 timestamp rejection is left to ``retry_invalid_timestamp``, which syncs
        the clock first (a re-signed copy from the same clock would fail again)."""
        return status_unknown(body)

    def key_only(self) -> BinanceApiKeyAuth:
        """An auth with the same key and policies that sends the key unsigned (§1)."""
        return BinanceApiKeyAuth(
            self._api_key,
            allow_insecure_http=self._allow_insecure_http,
            on_cross_origin_redirect=self._redirect_policy,
        )

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[BinanceOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[BinanceOptions]
        ) -> Self: ...


def _holds_owned(part: str) -> bool:
    """Most requests carry neither owned name: cheap substring tests skip the rest."""
    return "signature" in part or "timestamp" in part or "%" in part
