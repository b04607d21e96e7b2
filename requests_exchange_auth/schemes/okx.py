"""OKX v5 REST: base64 HMAC-SHA256 over an ISO-8601 timestamp, method, path and body.

Specification: ``specs/okx.md``; section numbers below refer to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import GET_ONLY, json_body
from .._draft import Draft
from .._params import request_target
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock, iso_ms
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["OkxAuth"]

KEY_HEADER = "OK-ACCESS-KEY"
SIGN_HEADER = "OK-ACCESS-SIGN"
TIMESTAMP_HEADER = "OK-ACCESS-TIMESTAMP"
PASSPHRASE_HEADER = "OK-ACCESS-PASSPHRASE"  # noqa: S105  # a header name, not a password
DEMO_HEADER = "x-simulated-trading"
_INVALID_TIMESTAMP = "50102"  # §7: "Timestamp request expired"


def _server_time(answer: Any) -> object:
    """§6: ``{"code": "0", "data": [{"ts": "1597026383085"}], "msg": ""}``."""
    return int(answer["data"][0]["ts"])


class OkxOptions(TimedOptions, total=False):
    """The keyword options of :class:`OkxAuth`."""

    demo_trading: bool


class OkxAuth(TimedAuth):
    """Attaches OKX v5 authentication to the given Request object.

    Signs ``timestamp + METHOD + requestPath + body``, where ``requestPath`` is the path
    and, when there is one, ``?`` and the query exactly as sent, and ``body`` the exact
    JSON body bytes (§3); the signature is base64 HMAC-SHA256. The timestamp is ISO 8601
    UTC with milliseconds (``2020-12-08T09:08:57.715Z``, §5). Sends the four
    ``OK-ACCESS-*`` headers (§4), the passphrase in clear as OKX wants it; the URL and
    body are never changed, and re-signing replaces the headers.

    :param api_key: the API key.
    :param secret: the secret key (``str`` or ``bytes``).
    :param passphrase: the passphrase chosen when the key was created.
    :param demo_trading: send ``x-simulated-trading: 1``, for a key created in demo
        trading (§1); otherwise the header is left as the caller set it.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``OkxAuth.server_clock(url).sync()`` to follow OKX's clock.
    :param retry_invalid_timestamp: when OKX answers 50102 (timestamp expired), sync
        ``clock`` and resend the request once, re-signed (§7). Needs a server clock.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "OKX"
    owned_headers = (SIGN_HEADER, KEY_HEADER, TIMESTAMP_HEADER, PASSPHRASE_HEADER)
    key_header = KEY_HEADER
    env_prefix = "OKX"
    credential_fields = ("secret", "passphrase")
    rejection_statuses = frozenset(range(400, 500))  # §7: HTTP 401 for every auth error
    time_endpoint = TimeEndpoint(endpoint_at("/api/v5/public/time"), _server_time)

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
        """Whether this auth sends ``x-simulated-trading: 1`` (demo trading keys)."""
        return self._demo

    def _sign(self, draft: Draft) -> None:
        """§8: the body, the requestPath as sent, the prehash of §3, the headers of §4."""
        body = json_body(draft, "OkxAuth", GET_ONLY)
        request_path = request_target(draft.url)  # §3: the path and query as sent
        stamp = iso_ms(self._timestamp())
        headers = draft.headers
        headers[TIMESTAMP_HEADER] = stamp
        headers[PASSPHRASE_HEADER] = self._passphrase
        if self._demo:
            headers[DEMO_HEADER] = "1"
        headers[SIGN_HEADER] = self._signer.b64(
            f"{stamp}{draft.method}{request_path}".encode() + body
        )

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: §7 documents no answer of OKX's that proves it did not act
        but 50102, left to ``retry_invalid_timestamp``, and none that leaves the outcome
        unknown besides a 5xx; its other codes are configuration errors (final)."""
        return None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether OKX answered 50102, "Timestamp request expired" (§7)."""
        answer = json_answer(body)
        return isinstance(answer, dict) and str(answer.get("code")) == _INVALID_TIMESTAMP

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[OkxOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(cls, path: str | os.PathLike[str], **options: Unpack[OkxOptions]) -> Self: ...
