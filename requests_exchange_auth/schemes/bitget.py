"""Bitget v2 REST: base64 HMAC-SHA256 over timestamp, method, path, decoded sorted query, body.

Specification: ``specs/bitget.md``; section numbers below refer to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import GET_ONLY, json_body
from .._draft import Draft
from .._params import decoded_query, join_url, path_of, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["BitgetAuth"]

KEY_HEADER = "ACCESS-KEY"
SIGN_HEADER = "ACCESS-SIGN"
TIMESTAMP_HEADER = "ACCESS-TIMESTAMP"
PASSPHRASE_HEADER = "ACCESS-PASSPHRASE"  # noqa: S105  # a header name, not a password
DEMO_HEADER = "paptrading"
# §7: "Request timestamp expired" (ccxt's table maps both to it; 40008 is seen in answers)
_INVALID_TIMESTAMP = frozenset({"40008", "40004"})


def _server_time(answer: Any) -> object:
    """§6: ``{"code": "00000", "data": {"serverTime": "1700111073740"}, ...}``."""
    return int(answer["data"]["serverTime"])


class BitgetOptions(TimedOptions, total=False):
    """The keyword options of :class:`BitgetAuth`."""

    demo_trading: bool


class BitgetAuth(TimedAuth):
    """Attaches Bitget v2 authentication to the given Request object.

    Signs ``timestamp + METHOD + path``, then ``?`` and the query **decoded and sorted
    by name** when there is one, then the exact JSON body (§3); the signature is base64
    HMAC-SHA256. Bitget checks the decoded query, so the auth rewrites the URL's query
    to one canonical form that decodes to the signed text under any decoder: pairs
    sorted by name, every byte outside ``A-Za-z0-9-_.~`` percent-encoded, a space as
    ``%20`` (§5). A ``+`` typed in a URL means a space there; write ``%2B`` for a plus.
    Sends the four ``ACCESS-*`` headers (§4), the passphrase in clear as Bitget wants it.
    Re-signing replaces the headers; the canonical query stays as it is.

    :param api_key: the API key.
    :param secret: the secret key (``str`` or ``bytes``).
    :param passphrase: the passphrase set when the key was created.
    :param demo_trading: send ``paptrading: 1``, for a demo (paper trading) key (§1);
        otherwise the header is left as the caller set it.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``BitgetAuth.server_clock(url).sync()`` to follow Bitget's clock.
    :param retry_invalid_timestamp: when Bitget answers 40008 (request timestamp
        expired), sync ``clock`` and resend the request once, re-signed (§7). Needs a
        server clock.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "Bitget"
    owned_headers = (SIGN_HEADER, KEY_HEADER, TIMESTAMP_HEADER, PASSPHRASE_HEADER)
    key_header = KEY_HEADER
    env_prefix = "BITGET"
    credential_fields = ("secret", "passphrase")
    rejection_statuses = frozenset(range(400, 500))  # §7: answered with HTTP 400
    time_endpoint = TimeEndpoint(endpoint_at("/api/v2/public/time"), _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        passphrase: str | bytes,
        *,
        demo_trading: bool = False,
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        self._signer = HmacSigner(_credentials.secret(secret, "secret"), "sha256")
        self._passphrase = _credentials.header_secret(passphrase, "passphrase")
        self._demo = bool(demo_trading)

    @property
    def demo_trading(self) -> bool:
        """Whether this auth sends ``paptrading: 1`` (demo trading keys)."""
        return self._demo

    def _sign(self, draft: Draft) -> None:
        """§8: the body, the canonical query (§5), the string of §3, the headers of §4."""
        body = json_body(draft, "BitgetAuth", GET_ONLY)
        base, query, fragment = split_url(draft.url)
        path = path_of(base)
        if query:
            wire, decoded = decoded_query(query, sort=True)
            draft.url = join_url(base, wire, fragment)
            path = f"{path}?{decoded}" if decoded else path
        stamp = str(self._timestamp())
        headers = draft.headers
        headers[TIMESTAMP_HEADER] = stamp
        headers[PASSPHRASE_HEADER] = self._passphrase
        if self._demo:
            headers[DEMO_HEADER] = "1"
        headers[SIGN_HEADER] = self._signer.b64(f"{stamp}{draft.method}{path}".encode() + body)

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: §7 documents no answer of Bitget's that proves it did not
        act but 40008/40004, left to ``retry_invalid_timestamp``, and none that leaves the
        outcome unknown besides a 5xx; its other codes are configuration errors (final)."""
        return None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether Bitget answered 40008, "Request timestamp expired" (§7)."""
        answer = json_answer(body)
        return isinstance(answer, dict) and str(answer.get("code")) in _INVALID_TIMESTAMP

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[BitgetOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[BitgetOptions]
        ) -> Self: ...
