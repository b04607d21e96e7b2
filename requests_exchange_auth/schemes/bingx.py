"""BingX REST (spot, perpetual swap, account): hex HMAC-SHA256 of the query, decoded, with
``timestamp`` in it and ``signature`` appended last.

Specification: ``specs/bingx.md``; section numbers below refer to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import no_body
from .._draft import Draft
from .._params import append_param, decoded_query, has_param, join_url, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock
from .._timed import (
    RecvWindow,
    TimedAuth,
    TimedOptions,
    TimeEndpoint,
    endpoint_at,
    json_answer,
    recv_window_text,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["BingxAuth"]

KEY_HEADER = "X-BX-APIKEY"
_INVALID_TIMESTAMP = 100421  # §6: "Null timestamp or timestamp mismatch"


def _server_time(answer: Any) -> object:
    """§5: ``{"code": 0, "msg": "", "data": {"serverTime": 1675319535362}}``."""
    return answer["data"]["serverTime"]


def _owned(piece: str) -> str | None:
    """Which parameter of the auth's a raw ``name=value`` piece is, if any (DESIGN.md #2)."""
    for name in ("timestamp", "signature"):
        if has_param(piece, name):
            return name
    return None


def _holds_none(query: str) -> bool:
    """Whether the query holds no parameter of the auth's; substring tests spare the
    split in the common case (a name can hide only behind a ``%`` escape)."""
    if "timestamp" in query or "signature" in query or "%" in query:
        return _owned(query) is None
    return True


class BingxOptions(TimedOptions, total=False):
    """The keyword options of :class:`BingxAuth`."""

    recv_window: RecvWindow | None


class BingxAuth(TimedAuth):
    """Attaches BingX API-key authentication to the given Request object.

    Every parameter travels in the query, for every method (§2): the auth adds
    ``timestamp`` (Unix milliseconds; and ``recvWindow`` when configured), then signs the
    query **decoded** — "sign the unencoded values, send encoded values" (§3) — and
    appends ``signature``, lowercase hex HMAC-SHA256, as the last parameter. The key goes
    in ``X-BX-APIKEY``. The parameters keep the caller's order (BingX verifies them as
    sent, "without sorting"), and the URL's query is rewritten to one form every decoder
    reads back to the signed text: every byte outside ``A-Za-z0-9-_.~`` percent-encoded,
    a space as ``%20`` and never ``+`` (§4); a ``+`` typed in a URL is read as a space.
    A JSON value (``batchOrders=[...]``) is one value: encoded whole on the wire, signed
    raw. Any body is refused before sending: pass the parameters with ``params=``.
    Re-signing replaces ``timestamp`` (in its place) and ``signature``.

    :param api_key: the API key.
    :param secret: the secret key (``str`` or ``bytes``), used as its literal bytes.
    :param recv_window: milliseconds, > 0 and ≤ 60000, at most three decimals; added as
        ``recvWindow`` just before ``timestamp`` unless the request has one. BingX's
        default is 5000 ms (§5).
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``BingxAuth.server_clock(url).sync()`` to follow BingX's clock.
    :param retry_invalid_timestamp: when BingX answers code 100421 about the timestamp,
        sync ``clock`` and resend the request once, re-signed (§6). Needs a server
        clock. BingX answers it with HTTP 200, so every HTTP 200 answer holding
        ``100421`` is read in full to look for it.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "BingX"
    owned_headers = (KEY_HEADER,)
    key_header = KEY_HEADER
    env_prefix = "BINGX"
    # §6: the code comes in the JSON body, "the HTTP status is often 200"
    rejection_statuses = frozenset({200, *range(400, 500)})
    time_endpoint = TimeEndpoint(endpoint_at("/openApi/swap/v2/server/time"), _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        *,
        recv_window: RecvWindow | None = None,
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        self._signer = HmacSigner(_credentials.secret(secret, "secret"), "sha256")
        window = recv_window_text(recv_window)
        self._recv_window = None if window is None else f"recvWindow={window}"

    @property
    def recv_window(self) -> str | None:
        """The ``recvWindow`` this auth adds, in milliseconds as sent; ``None`` if none."""
        return None if self._recv_window is None else self._recv_window.partition("=")[2]

    def _sign(self, draft: Draft) -> None:
        """§7: no body, the canonical query with ``timestamp`` (§4), ``signature`` last."""
        no_body(draft, "BingxAuth")
        base, query, fragment = split_url(draft.url)
        ours = f"timestamp={self._timestamp()}"
        if self._recv_window is not None and not has_param(query, "recvWindow"):
            ours = f"{self._recv_window}&{ours}"  # §5: before timestamp
        if _holds_none(query):  # the common case: the caller's query, then ours
            wire, signed = decoded_query(query)
            wire, signed = append_param(wire, ours), append_param(signed, ours)
        else:
            wire, signed = _resigned(query, ours)
        signature = self._signer.hex(signed.encode())
        draft.url = join_url(base, f"{wire}&signature={signature}", fragment)

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: §6 documents no answer of BingX's that proves it did not act
        but 100421, left to ``retry_invalid_timestamp``; its other codes are bugs or
        configuration (final), and an HTTP 504 is "unknown outcome — never auto-retry
        order placement", as every 5xx is by default."""
        return None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether BingX answered 100421 about the timestamp (§6): the same code has been
        seen for a pair restricted from API trading, so the message must name it."""
        if b"100421" not in body:  # most answers are not it: skip parsing them
            return False
        answer = json_answer(body)
        if not isinstance(answer, dict) or answer.get("code") != _INVALID_TIMESTAMP:
            return False
        message = answer.get("msg")
        return isinstance(message, str) and "timestamp" in message.lower()

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[BingxOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[BingxOptions]
        ) -> Self: ...


def _resigned(query: str, ours: str) -> tuple[str, str]:
    """(wire, signed) for a query that holds ``timestamp`` or ``signature`` already (a
    resend, a copied URL): every ``signature`` dropped, the first ``timestamp`` replaced
    by ours in its place and its copies dropped, else ours appended (§7 step 3)."""
    before: list[str] = []
    after: list[str] | None = None
    for piece in query.split("&"):
        name = _owned(piece)
        if name == "timestamp" and after is None:
            after = []
        elif name is None:
            (before if after is None else after).append(piece)
    head = decoded_query("&".join(before))
    if after is None:
        return append_param(head[0], ours), append_param(head[1], ours)
    tail = decoded_query("&".join(after))
    wire = "&".join(part for part in (head[0], ours, tail[0]) if part)
    signed = "&".join(part for part in (head[1], ours, tail[1]) if part)
    return wire, signed
