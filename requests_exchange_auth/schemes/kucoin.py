"""KuCoin REST (spot, margin, futures): base64 HMAC-SHA256 over timestamp, method, endpoint
with the query decoded, and body; the passphrase sent as its HMAC (API key versions 2, 3).

Specification: ``specs/kucoin.md``; section numbers below refer to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import json_body
from .._draft import Draft
from .._params import decoded_query, join_url, path_of, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer
from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["KucoinAuth"]

KEY_HEADER = "KC-API-KEY"
SIGN_HEADER = "KC-API-SIGN"
TIMESTAMP_HEADER = "KC-API-TIMESTAMP"
PASSPHRASE_HEADER = "KC-API-PASSPHRASE"  # noqa: S105  # a header name, not a password
VERSION_HEADER = "KC-API-KEY-VERSION"
_INVALID_TIMESTAMP = "400002"  # §7: "KC-API-TIMESTAMP Invalid"
_QUERY_ONLY = ("GET", "DELETE")  # §2: their parameters go in the query, the body is empty


def _server_time(answer: Any) -> object:
    """§6: ``{"code": "200000", "msg": "success", "data": 1546837113087}``."""
    return answer["data"]


class KucoinOptions(TimedOptions, total=False):
    """The keyword options of :class:`KucoinAuth`."""

    key_version: Literal[2, 3]


class KucoinAuth(TimedAuth):
    """Attaches KuCoin API-key (version 3 or 2) authentication to the given Request object.

    Signs ``timestamp + METHOD + endpoint + body``, where ``endpoint`` is the path and,
    when there is one, ``?`` and the query **un-encoded**, in its order (§3); the
    signature is base64 HMAC-SHA256. KuCoin checks the decoded query, so the auth
    rewrites the URL's query to one form that decodes to the signed text under any
    decoder: every byte outside ``A-Za-z0-9-_.~`` percent-encoded, a space as ``%20``
    (§5). A ``+`` typed in a URL means a space there; write ``%2B`` for a plus. The
    passphrase is sent as ``base64(HMAC-SHA256(secret, passphrase))``, never in clear
    (§1, §4). One object serves spot, margin and futures (``api-futures.kucoin.com``)
    alike. Re-signing replaces the headers; the rewritten query stays as it is.

    :param api_key: the API key.
    :param secret: the API secret (``str`` or ``bytes``).
    :param passphrase: the passphrase set when the key was created.
    :param key_version: ``3`` (default: what current KuCoin keys and KuCoin's own SDK
        use) or ``2``, as shown on the API Management page; both sign alike (§1).
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``KucoinAuth.server_clock(url).sync()`` to follow KuCoin's clock.
    :param retry_invalid_timestamp: when KuCoin answers 400002 (timestamp more than 5 s
        off), sync ``clock`` and resend the request once, re-signed (§7). Needs a
        server clock.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "KuCoin"
    owned_headers = (SIGN_HEADER, KEY_HEADER, TIMESTAMP_HEADER, PASSPHRASE_HEADER, VERSION_HEADER)
    key_header = KEY_HEADER
    env_prefix = "KUCOIN"
    credential_fields = ("secret", "passphrase")
    rejection_statuses = frozenset(range(400, 500))  # §7: HTTP 400/401
    time_endpoint = TimeEndpoint(endpoint_at("/api/v1/timestamp"), _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        passphrase: str | bytes,
        *,
        key_version: Literal[2, 3] = 3,
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        if key_version not in (2, 3) or isinstance(key_version, bool):
            msg = (
                f"key_version must be 3 (current keys) or 2, as the API Management page "
                f"shows; not {key_version!r} (version 1 keys are retired)."
            )
            raise ConfigurationError(msg)
        self._key_version = str(key_version)
        self._signer = HmacSigner(_credentials.secret(secret, "secret"), "sha256")
        # §3: the passphrase header is a MAC of the passphrase, computed once
        passphrase_bytes = _credentials.secret(passphrase, "passphrase")
        self._signed_passphrase = self._signer.b64(passphrase_bytes)

    @property
    def key_version(self) -> int:
        """The ``KC-API-KEY-VERSION`` this auth sends."""
        return int(self._key_version)

    def _sign(self, draft: Draft) -> None:
        """§8: the body, the decoded query (§5), the prehash of §3, the headers of §4."""
        body = json_body(draft, "KucoinAuth", _QUERY_ONLY)
        base, query, fragment = split_url(draft.url)
        endpoint = path_of(base)
        if query:
            wire, decoded = decoded_query(query)
            draft.url = join_url(base, wire, fragment)
            endpoint = f"{endpoint}?{decoded}" if decoded else endpoint
        stamp = str(self._timestamp())
        headers = draft.headers
        headers[TIMESTAMP_HEADER] = stamp
        headers[PASSPHRASE_HEADER] = self._signed_passphrase
        headers[VERSION_HEADER] = self._key_version
        headers[SIGN_HEADER] = self._signer.b64(f"{stamp}{draft.method}{endpoint}".encode() + body)

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: §7 documents no answer of KuCoin's that proves it did not
        act but 400002, left to ``retry_invalid_timestamp``, and none that leaves the
        outcome unknown besides a 5xx; its other codes are configuration errors (final)."""
        return None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether KuCoin answered 400002, "KC-API-TIMESTAMP Invalid" (§7)."""
        answer = json_answer(body)
        return isinstance(answer, dict) and str(answer.get("code")) == _INVALID_TIMESTAMP

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[KucoinOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[KucoinOptions]
        ) -> Self: ...
