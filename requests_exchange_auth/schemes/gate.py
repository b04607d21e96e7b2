"""Gate APIv4 REST: hex HMAC-SHA512 over method, path, decoded query, the body's SHA-512
and a timestamp in seconds, joined by newlines.

Specification: ``specs/gate.md``; section numbers below refer to it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import json_body
from .._draft import Draft
from .._params import decoded_query, join_url, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["GateAuth"]

KEY_HEADER = "KEY"
SIGN_HEADER = "SIGN"
TIMESTAMP_HEADER = "Timestamp"
_INVALID_TIMESTAMP = "REQUEST_EXPIRED"  # §6: "Request Timestamp is far from the server time"
#: §3: HexEncode(SHA512("")), the payload hash of a request without a body
EMPTY_BODY_HASH = hashlib.sha512(b"").hexdigest()


def _server_time(answer: Any) -> object:
    """§5: ``GET /api/v4/spot/time`` -> ``{"server_time": 1597026383085}`` (milliseconds)."""
    return answer["server_time"]


class GateAuth(TimedAuth):
    """Attaches Gate APIv4 authentication to the given Request object.

    Signs ``METHOD\\npath\\nquery\\nHexEncode(SHA512(body))\\ntimestamp`` (§3): the path as
    sent, ``/api/v4`` included; the query **decoded** ("without URL encode"), in its
    order; the lowercase hex SHA-512 of the exact body bytes (of the empty string when
    there is none); the Unix time in **seconds**. The signature is lowercase hex
    HMAC-SHA512 keyed with the secret's literal bytes, sent in ``SIGN`` with ``KEY`` and
    ``Timestamp`` (§2). Gate verifies the decoded query, so the auth rewrites the URL's
    query to one form every decoder reads back to the signed text: every byte outside
    ``A-Za-z0-9-_.~`` percent-encoded, a space as ``%20`` and never ``+`` (§4); a ``+``
    typed in a URL is read as a space. Bodies are JSON (objects or arrays), signed byte
    for byte and never re-serialised; form, multipart and streamed bodies are refused
    before sending. Re-signing replaces the three headers; the rewritten query is a
    fixed point.

    :param api_key: the APIv4 key.
    :param secret: the APIv4 secret (``str`` or ``bytes``), used as its literal bytes.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``GateAuth.server_clock(url).sync()`` to follow Gate's clock.
    :param retry_invalid_timestamp: when Gate answers ``REQUEST_EXPIRED`` (the timestamp
        more than 60 s from its clock), sync ``clock`` and resend the request once,
        re-signed (§6). Needs a server clock.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "Gate"
    owned_headers = (SIGN_HEADER, KEY_HEADER, TIMESTAMP_HEADER)
    key_header = KEY_HEADER
    env_prefix = "GATE"
    units = ("s",)  # §5: "Unix time in seconds"
    # §6: authentication failures, REQUEST_EXPIRED among them, are HTTP 401
    rejection_statuses = frozenset(range(400, 500))
    time_endpoint = TimeEndpoint(endpoint_at("/api/v4/spot/time"), _server_time)

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
        self._signer = HmacSigner(_credentials.secret(secret, "secret"), "sha512")

    def _sign(self, draft: Draft) -> None:
        """§7: the body policy, the canonical query (§4), the string of §3, the headers."""
        body = json_body(draft, "GateAuth")
        body_hash = hashlib.sha512(body).digest().hex() if body else EMPTY_BODY_HASH
        url, signed_query = draft.url, ""
        if "?" in url or "#" in url:  # a POST's URL usually has neither: nothing to split
            url, query, fragment = split_url(url)
            if query:
                wire, signed_query = decoded_query(query)
                draft.url = join_url(url, wire, fragment)
        slash = url.find("/", url.find("//") + 2)  # §3: the path, as on the request line
        path = url[slash:] if slash >= 0 else "/"
        stamp = str(self._timestamp())
        text = f"{draft.method}\n{path}\n{signed_query}\n{body_hash}\n{stamp}"
        headers = draft.headers
        headers[TIMESTAMP_HEADER] = stamp
        headers[SIGN_HEADER] = self._signer.hex(text.encode())

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: §6 documents no answer of Gate's that proves it did not act
        but ``REQUEST_EXPIRED``, left to ``retry_invalid_timestamp``; its other labels
        (``INVALID_SIGNATURE``, ``INVALID_KEY``, ``IP_FORBIDDEN``, ...) are bugs or
        configuration (final), and a 5xx is "unknown outcome; never auto-retry order
        placement"."""
        return None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether Gate answered label ``REQUEST_EXPIRED``, the timestamp too far (§6)."""
        if _INVALID_TIMESTAMP.encode() not in body:  # most answers are not it
            return False
        answer = json_answer(body)
        return isinstance(answer, dict) and answer.get("label") == _INVALID_TIMESTAMP

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
