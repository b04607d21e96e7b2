"""Poloniex v3 REST (spot and futures v3 on ``api.poloniex.com``): HMAC-SHA256 in headers.

Specification: ``specs/poloniex.md`` Part B; the headings below refer to its sections.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote_to_bytes

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import json_body
from .._draft import Draft
from .._params import join_url, path_of, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer
from ..exceptions import ConfigurationError, UnsignableRequestError

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["PoloniexAuth", "request_string"]

KEY_HEADER = "key"
_TIMESTAMP = "signTimestamp"
_TIMESTAMP_KEY = _TIMESTAMP.encode()
# "Request string": values are encoded as JavaScript's encodeURIComponent, as the official
# Python SDK does (quote(v, safe="~()*!'")): letters, digits and -_.!~*'() stay literal.
_SAFE = "~()*!'"
_PLAIN = re.compile(r"[A-Za-z0-9_.!~*'()-]*").fullmatch
# "Timing": 400 for a signTimestamp too far ahead, 408 past recvWindow (never a 5xx).
_TIMESTAMP_STATUSES = frozenset({400, 408})

Pair = tuple[bytes, str]  # (the decoded name, for sorting; "name=value" encoded)


def _encoded(raw: str) -> tuple[bytes, str]:
    """A raw query component as the server decodes it (``+`` is a space) and re-encoded."""
    if _PLAIN(raw):  # the common case: nothing to decode or encode
        return raw.encode(), raw
    decoded = unquote_to_bytes(raw.replace("+", " "))
    return decoded, quote(decoded, safe=_SAFE)


def _pairs(query: str) -> list[Pair]:
    """The query's parameters, re-encoded and sorted by name; ``signTimestamp`` dropped."""
    pairs = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            key, shown = _encoded(name)
            if key != _TIMESTAMP_KEY:  # the auth owns it (DESIGN.md #2)
                pairs.append((key, f"{shown}={_encoded(value)[1]}"))
    pairs.sort(key=_name)  # stable: repeated names keep the caller's order
    return pairs


def _name(pair: Pair) -> bytes:
    return pair[0]


def request_string(method: str, path: str, pairs: list[Pair], body: bytes, timestamp: int) -> bytes:
    """``<METHOD>\\n<path>\\n<param string>`` ("Request string"), for a query or a JSON body."""
    head = f"{method}\n{path}\n".encode()
    if body:  # 2. the JSON body verbatim
        return b"%srequestBody=%s&signTimestamp=%d" % (head, body, timestamp)
    pieces = [piece for _, piece in pairs]  # 1. no body: the sorted query, our timestamp in it
    pieces.insert(
        bisect.bisect([name for name, _ in pairs], _TIMESTAMP_KEY), f"{_TIMESTAMP}={timestamp}"
    )
    return head + "&".join(pieces).encode()


def _recv_window(value: object) -> str | None:
    if value is None:
        return None
    if type(value) is not int or value <= 0:
        msg = (
            f"recv_window must be a positive int of milliseconds (e.g. 1500), not {value!r}; "
            "it goes in the recvWindow header, and Poloniex answers 408 to a request older "
            "than it."
        )
        raise ConfigurationError(msg)
    return str(value)


def _server_time(answer: dict[str, object]) -> object:
    return answer["serverTime"]  # "Timing": GET /timestamp -> {"serverTime": <ms>}


class PoloniexOptions(TimedOptions, total=False):
    """The keyword options of :class:`PoloniexAuth`."""

    recv_window: int | None


class PoloniexAuth(TimedAuth):
    """Attaches Poloniex v3 (spot and futures v3) authentication to the given Request object.

    Sends ``key``, ``signTimestamp`` (Unix milliseconds) and ``signature``: base64
    HMAC-SHA256 of ``METHOD\\npath\\nparams``, where ``params`` is the query, sorted by
    name and encoded as JavaScript's ``encodeURIComponent``, with ``signTimestamp`` among
    them; or, for a JSON body, ``requestBody=<the body verbatim>&signTimestamp=…``. The
    query goes on the wire in that same sorted, encoded form (a space is sent as ``%20``,
    never ``+``). Nothing is added to the URL or body, so re-signing replaces headers only.
    A query together with a JSON body is refused: the official SDKs disagree on it.

    :param api_key: the API key.
    :param secret: the secret, used as its literal UTF-8 bytes.
    :param recv_window: milliseconds, a positive ``int``: sent as ``recvWindow``; Poloniex
        answers HTTP 408 to a request that arrives later than that.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``PoloniexAuth.server_clock(url).sync()`` to follow Poloniex's clock.
    :param retry_invalid_timestamp: when Poloniex rejects the timestamp (HTTP 408, or
        HTTP 400 naming the timestamp), sync ``clock`` and resend once, re-signed. Needs
        a clock with a ``sync`` method (a server clock).
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "Poloniex"
    # recvWindow (set only with recv_window) is no credential: a redirect may carry it
    owned_headers = ("signature", KEY_HEADER, _TIMESTAMP)
    key_header = KEY_HEADER
    env_prefix = "POLONIEX"
    rejection_statuses = _TIMESTAMP_STATUSES
    time_endpoint = TimeEndpoint(endpoint_at("/timestamp"), _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        *,
        recv_window: int | None = None,
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        self._signer = HmacSigner(_credentials.secret(secret), "sha256")
        self._recv_window = _recv_window(recv_window)

    def _sign(self, draft: Draft) -> None:
        """ "Request string", then the headers; the wire query in the signed form."""
        base, query, fragment = split_url(draft.url)
        body = json_body(draft, "PoloniexAuth")  # "Implementing": JSON only, verbatim
        if body and query.strip("&"):
            msg = (
                "PoloniexAuth cannot sign a request with both a query and a JSON body: the "
                "official SDKs disagree on how (Java signs both, Python and ccxt the body "
                "alone), and no Poloniex endpoint needs both. Move the parameters into the "
                "JSON body; nothing was sent."
            )
            raise UnsignableRequestError(msg)
        pairs = _pairs(query) if query else []
        if query:  # the wire query in the signed form: sorted, encodeURIComponent
            draft.url = join_url(base, "&".join(piece for _, piece in pairs), fragment)
        timestamp = self._timestamp()
        payload = request_string(draft.method, path_of(base), pairs, body, timestamp)
        headers = draft.headers
        headers[_TIMESTAMP] = str(timestamp)
        headers["signature"] = self._signer.b64(payload)
        if self._recv_window is not None:
            headers["recvWindow"] = self._recv_window

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: the spec documents no answer of Poloniex's that proves it did
        not act besides the timestamp rejection ("Timing", left to
        ``retry_invalid_timestamp``, which syncs the clock first), nor one that leaves the
        outcome unknown besides a 5xx; a bad key or signature (400 ``FORBIDDEN``) is final."""
        return None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether Poloniex rejected the timestamp ("Timing"), proving it did not act.

        HTTP 408 is its answer past ``recvWindow`` (and HTTP's own "not processed"); an
        HTTP 400 counts only when its message names the timestamp, since Poloniex does not
        document that answer's body and 400 also answers a bad signature or parameter.
        """
        if status == 408:
            return True
        answer = json_answer(body)
        if not isinstance(answer, dict):
            return False
        message = answer.get("message", answer.get("msg"))
        return isinstance(message, str) and "timestamp" in message.lower()

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[PoloniexOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[PoloniexOptions]
        ) -> Self: ...
