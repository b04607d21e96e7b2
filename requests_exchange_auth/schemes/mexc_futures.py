"""MEXC futures (contract API): HMAC-SHA256 hex of key + Request-Time + parameter string.

Specification: ``specs/mexc.md`` §9 (how futures differ from spot); the sections below
refer to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import json_body, no_body
from .._draft import Draft
from .._params import decoded_query, join_url, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer
from ..exceptions import UnsignableRequestError

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["MexcFuturesAuth"]

KEY_HEADER = "ApiKey"
TIME_HEADER = "Request-Time"
SIGN_HEADER = "Signature"
_INVALID_TIME = 10073  # §9: "invalid Request-Time"
_QUERY_METHODS = ("GET", "DELETE")


def _server_time(answer: Any) -> object:
    """``GET /api/v1/contract/ping`` answers ``{"success": true, "code": 0, "data": <ms>}``
    (ccxt's ``fetchTime`` for swaps reads ``data``)."""
    return answer["data"]


class MexcFuturesAuth(TimedAuth):
    """Attaches MEXC futures (contract API) authentication to the given Request object.

    Signs the API key, then ``Request-Time`` (Unix milliseconds), then the parameter
    string: for a GET or DELETE the query's parameters **sorted by name**, as
    ``k=v`` joined by ``&`` and percent-encoded (every byte outside ``A-Za-z0-9-_.~``
    as uppercase ``%XX``, a space as ``%20``), for a POST the JSON body exactly as
    sent. The signature is lowercase hex HMAC-SHA256, sent with the key and the time in
    the ``ApiKey``, ``Request-Time`` and ``Signature`` headers (§9). The query is
    rewritten to the sorted, encoded text that is signed, so the bytes sent are the
    bytes signed. Re-signing replaces the headers. GET and DELETE take parameters in
    the query and no body, POST a JSON body and no query; anything else is refused.

    :param api_key: the API key (the access key).
    :param secret: the secret key (``str`` or ``bytes``).
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``MexcFuturesAuth.server_clock(url).sync()`` to follow MEXC's clock.
    :param retry_invalid_timestamp: when MEXC answers code 10073 (invalid
        ``Request-Time``), sync ``clock`` and resend the request once, re-signed. Needs
        a server clock. The contract API answers errors in an HTTP 200 with
        ``"success": false``, so every HTTP 200 answer is read in full to look for it.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "MEXC"
    owned_headers = (SIGN_HEADER, KEY_HEADER, TIME_HEADER)
    key_header = KEY_HEADER
    env_prefix = "MEXC"
    # the contract API answers {"success": false, "code": ...} in an HTTP 200
    rejection_statuses = frozenset({200, *range(400, 500)})
    time_endpoint = TimeEndpoint(endpoint_at("/api/v1/contract/ping"), _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        *,
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        self._signer = HmacSigner(_credentials.secret(secret, "secret"), "sha256")

    def _sign(self, draft: Draft) -> None:
        """§9: the parameter string of the method, then key + time + it, then the headers."""
        params = self._param_string(draft)
        stamp = str(self._timestamp())
        headers = draft.headers
        headers[TIME_HEADER] = stamp
        headers[SIGN_HEADER] = self._signer.hex(f"{self._api_key}{stamp}".encode() + params)

    def _param_string(self, draft: Draft) -> bytes:
        """§9: GET/DELETE sign the sorted, encoded query (written back as the URL's);
        POST signs the JSON body as sent, "" when there is none."""
        if draft.method in _QUERY_METHODS:
            no_body(draft, "MexcFuturesAuth")
            base, query, fragment = split_url(draft.url)
            if not query:
                return b""
            wire = decoded_query(query, sort=True)[0]
            draft.url = join_url(base, wire, fragment)
            return wire.encode()
        if draft.method == "POST":
            if "?" in draft.url and split_url(draft.url)[1]:
                msg = (
                    "MexcFuturesAuth signs a POST's JSON body only, and this POST has a "
                    "query, which MEXC would not see signed; move the parameters into "
                    "json={...}; nothing was sent."
                )
                raise UnsignableRequestError(msg)
            return json_body(draft, "MexcFuturesAuth")
        msg = (
            f"MexcFuturesAuth cannot sign a {draft.method} request: MEXC's contract API "
            "takes GET and DELETE (params=) and POST (json=); nothing was sent."
        )
        raise UnsignableRequestError(msg)

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether MEXC answered code 10073, "invalid Request-Time" (§9)."""
        if b"10073" not in body:  # most answers are not it: skip parsing them
            return False
        answer = json_answer(body)
        return isinstance(answer, dict) and answer.get("code") == _INVALID_TIME

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: §9 lists no answer that proves MEXC did not act but 10073,
        left to ``retry_invalid_timestamp``, and none that leaves the outcome unknown
        besides a 5xx; 602 (signature) and 10072 (key) are final."""
        return None

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[TimedOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[TimedOptions]
        ) -> Self: ...
