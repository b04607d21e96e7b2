"""MEXC spot v3 SIGNED requests: Binance's totalParams, canonically encoded, HMAC-SHA256 hex.

Specification: ``specs/mexc.md``; section numbers below refer to it.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import form_text, set_form_text
from .._draft import Draft
from .._params import decoded_query, join_url, place_param, remove_params, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer
from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["MexcAuth", "canonical"]

KEY_HEADER = "X-MEXC-APIKEY"
_SIGNATURE = ("signature",)
_INVALID_TIMESTAMP = 700003  # §6: "Timestamp for this request is outside of the recvWindow."
_MAX_WINDOW = 60000  # §5: "The max cannot go beyond 60,000" (700005)
# Text of unreserved characters, '=' and '&' alone is canonical already (§4); deleting
# them from its bytes leaves nothing (bytes.translate: one C table pass, cheaper than re).
_CANONICAL_BYTES = (string.ascii_letters + string.digits + "-_.~=&").encode()


def _is_canonical(part: str) -> bool:
    """Whether ``part`` is made only of characters that canonical text keeps literal."""
    return not part.encode().translate(None, _CANONICAL_BYTES)


def _server_time(answer: Any) -> object:
    """§5: ``GET /api/v3/time`` answers ``{"serverTime": 1645539742000}``."""
    return answer["serverTime"]


def canonical(part: str) -> str:
    """§4: a query or form body in MEXC's one wire form, signed and sent as it is.

    Read form-style (``+`` is a space, ``%XX`` are UTF-8 bytes), then every name and
    value written back with ``A-Z a-z 0-9 - _ . ~`` literal and every other byte as
    uppercase ``%XX`` (a space ``%20``, a plus ``%2B``, ``(`` ``%28``), in the given order.
    Canonical text is a fixed point: re-signing leaves it as it is.
    """
    if _is_canonical(part):  # the common case: nothing to decode or encode
        return part
    return decoded_query(part)[0]


def _window_text(value: object) -> str | None:
    """§5: whole milliseconds, 1 to 60000."""
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is not int or not 0 < value <= _MAX_WINDOW:
        msg = (
            f"recv_window must be whole milliseconds from 1 to {_MAX_WINDOW} (MEXC's default "
            f"is 5000, and it answers 700005 above {_MAX_WINDOW}), not {value!r}."
        )
        raise ConfigurationError(msg)
    return f"recvWindow={value}"


class MexcOptions(TimedOptions, total=False):
    """The keyword options of :class:`MexcAuth`."""

    recv_window: int | str | None


class MexcAuth(TimedAuth):
    """Attaches MEXC spot v3 SIGNED-endpoint authentication to the given Request object.

    Rewrites the query and a form body to MEXC's canonical encoding (§4: every byte
    outside ``A-Za-z0-9-_.~`` as uppercase ``%XX``, a space as ``%20``), adds
    ``timestamp`` (and ``recvWindow`` if configured), then ``signature`` as the last
    parameter: in the form body when the request has one, otherwise in the query. The
    signed payload is the query followed by the body, exactly as sent, with no ``&``
    between (§3). The key goes in ``X-MEXC-APIKEY``. Re-signing the same request
    replaces ``timestamp`` and ``signature`` with fresh values. A JSON body is refused.

    :param api_key: the API key (``mx0...``).
    :param secret: the secret key (``str`` or ``bytes``); MEXC signs with HMAC only.
    :param recv_window: whole milliseconds, 1 to 60000; added as ``recvWindow`` before
        ``timestamp`` unless the request already has one (MEXC's default is 5000).
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``MexcAuth.server_clock(url).sync()`` to follow MEXC's clock.
    :param retry_invalid_timestamp: when MEXC answers 700003 (timestamp outside
        ``recvWindow``), sync ``clock`` and resend the request once, re-signed with a
        fresh timestamp (§6). Needs a server clock.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "MEXC"
    owned_headers = (KEY_HEADER,)
    key_header = KEY_HEADER
    env_prefix = "MEXC"
    rejection_statuses = frozenset(range(400, 500))  # §6: 700003 comes with HTTP 400
    time_endpoint = TimeEndpoint(endpoint_at("/api/v3/time"), _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        *,
        recv_window: int | str | None = None,
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        self._signer = HmacSigner(_credentials.secret(secret, "secret"), "sha256")
        self._recv_window = _window_text(recv_window)

    @property
    def recv_window(self) -> int | None:
        """The ``recvWindow`` this auth adds, in milliseconds (``None``: MEXC's 5000)."""
        return None if self._recv_window is None else int(self._recv_window[11:])

    def _sign(self, draft: Draft) -> None:
        """§7: canonical text (§4), fresh ``recvWindow``/``timestamp``, ``signature`` last."""
        base, query, fragment = split_url(draft.url)
        body = form_text(draft, "MexcAuth")
        query = canonical(query) if query else query
        body = None if body is None else canonical(body)
        # Canonical text spells every name literally and escapes '=' and '&' in values,
        # so the query or the body holds a name exactly when this text holds "&name=".
        names = f"&{query}" if body is None else f"&{query}&{body}"
        stamp = f"timestamp={self._timestamp()}"
        placed = False
        if "&timestamp=" in names or "&signature=" in names:
            query = remove_params(query, _SIGNATURE)
            body = None if body is None else remove_params(body, _SIGNATURE)
            query, body, placed = place_param(query, body, stamp)  # §7: as Binance
        # §2: our parameters go at the end of the body when there is one, else the query.
        ours = query if body is None else body
        window = self._recv_window
        if window is not None and "&recvWindow=" not in names:
            ours = f"{ours}&{window}" if ours else window  # §5: before timestamp
        if not placed:
            ours = f"{ours}&{stamp}" if ours else stamp
        # §3: totalParams is the query followed by the body, no separator.
        total = ours if body is None else query + ours
        ours = f"{ours}&signature={self._signer.hex(total.encode())}"
        if body is None:
            draft.url = join_url(base, ours, fragment)
        else:
            draft.url = join_url(base, query, fragment)
            set_form_text(draft, ours)

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether MEXC answered 700003, the timestamp outside ``recvWindow`` (§6)."""
        if b"700003" not in body:  # most answers are not it: skip parsing them
            return False
        answer = json_answer(body)
        return isinstance(answer, dict) and answer.get("code") == _INVALID_TIMESTAMP

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: MEXC's 5xx are unknown ("the execution status is UNKNOWN and
        could have been a success", §6), 429 comes with ``Retry-After``; its 7000xx codes
        are configuration or caller errors (final), and 700003 is left to
        ``retry_invalid_timestamp``, which syncs the clock first."""
        return None

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[MexcOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[MexcOptions]
        ) -> Self: ...
