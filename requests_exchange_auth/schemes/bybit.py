"""Bybit v5 REST: HMAC-SHA256 (hex) or RSA (base64) over timestamp, key, window and payload.

Specification: ``specs/bybit.md``; section numbers below refer to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import json_body, no_body
from .._draft import Draft
from .._keys import load_private_key
from .._params import split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner, require, rsa_sha256_b64
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at, json_answer
from ..exceptions import ConfigurationError, UnsignableRequestError

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["BybitAuth"]

KEY_HEADER = "X-BAPI-API-KEY"
SIGN_HEADER = "X-BAPI-SIGN"
TIMESTAMP_HEADER = "X-BAPI-TIMESTAMP"
WINDOW_HEADER = "X-BAPI-RECV-WINDOW"
SIGN_TYPE_HEADER = "X-BAPI-SIGN-TYPE"
_DEFAULT_WINDOW = 5000  # §4: Bybit's default; always sent, so both sides sign the same
_INVALID_TIMESTAMP = 10002  # §7: "The request time exceeds the time window range."


def _server_time(answer: Any) -> object:
    """§6: ``{"result": {"timeNano": "1688639403423213947"}, "time": 1688639403423}``."""
    return int(answer["result"]["timeNano"]) // 1_000_000


class _RsaSigner:
    """RSASSA-PKCS1-v1_5 / SHA-256 in base64 (§4); pickles as PKCS#8 DER, because
    ``cryptography`` key objects do not pickle (a pickle carries the credentials)."""

    key_type = "RSA"

    def __init__(self, private_key: Any) -> None:
        self._key = private_key

    def __call__(self, payload: bytes) -> str:
        return rsa_sha256_b64(self._key, payload)

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        from cryptography.hazmat.primitives import serialization as s  # noqa: PLC0415

        der = self._key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())
        return _rsa_from_der, (der,)


def _rsa_from_der(der: bytes) -> _RsaSigner:
    from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
        load_der_private_key,  # optional extra, present where the pickle was made
    )

    return _RsaSigner(load_der_private_key(der, password=None))


class _HmacSigner(HmacSigner):
    """HMAC-SHA256 in lowercase hex (§4)."""

    __slots__ = ()
    key_type = "HMAC"

    def __init__(self, secret: bytes) -> None:
        super().__init__(secret, "sha256")

    __call__ = HmacSigner.hex

    def __reduce__(self) -> tuple[type[_HmacSigner], tuple[bytes]]:  # type: ignore[override]
        return (_HmacSigner, (self._key,))


def _signer(secret: object, private_key: object, password: object) -> _HmacSigner | _RsaSigner:
    """§1: a system-generated key signs with its secret, a self-generated one with RSA."""
    if (secret is None) == (private_key is None):
        msg = (
            "BybitAuth needs exactly one of secret (a system-generated HMAC key) and "
            "private_key (the RSA key of a self-generated key): BybitAuth(api_key, secret) "
            "or BybitAuth(api_key, private_key=pem)."
        )
        raise ConfigurationError(msg)
    if private_key is None:
        if password is not None:
            msg = "private_key_password was given without private_key; drop it, or pass the PEM."
            raise ConfigurationError(msg)
        return _HmacSigner(_credentials.secret(secret, "secret"))
    feature = "BybitAuth(private_key=...)"
    require("cryptography", extra="crypto", feature=feature)
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415  # extra

    if password is not None and not isinstance(password, str | bytes):
        msg = f"private_key_password must be str or bytes, not {type(password).__name__}."
        raise ConfigurationError(msg)
    private_key = load_private_key(
        private_key, password, accept=(rsa.RSAPrivateKey,), feature=feature
    )
    return _RsaSigner(private_key)


def _window_text(value: object) -> str:
    """§4, §6: ``recv_window`` in whole milliseconds, sent as a decimal string."""
    if value is None:
        return str(_DEFAULT_WINDOW)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is not int or value <= 0:
        msg = (
            f"recv_window must be whole milliseconds greater than 0 (e.g. 5000, Bybit's "
            f"default), not {value!r}; a large window only weakens replay protection."
        )
        raise ConfigurationError(msg)
    return str(value)


class BybitOptions(TimedOptions, total=False):
    """The keyword options of :class:`BybitAuth`."""

    private_key: object
    private_key_password: str | bytes | None
    recv_window: int | str | None


class BybitAuth(TimedAuth):
    """Attaches Bybit v5 authentication to the given Request object.

    Signs ``timestamp + api_key + recv_window`` followed by the raw query of a GET, or
    the exact JSON body of a POST, both as they go on the wire (§3), and sends the
    ``X-BAPI-*`` headers (§4); the URL and body are never changed. Re-signing replaces
    the headers. Bybit v5 takes GET (parameters in the query, no body) and POST (a JSON
    body, no query) only (§1-2); anything else is refused before it is sent.

    Give exactly one of ``secret`` (a system-generated key) or ``private_key`` (the RSA
    key of a self-generated one).

    :param api_key: the API key.
    :param secret: the HMAC secret (``str`` or ``bytes``).
    :param private_key: the RSA private key: PEM as ``str`` or ``bytes`` (PKCS#8 or
        PKCS#1), or a ``cryptography`` RSA key object. Needs the ``crypto`` extra.
    :param private_key_password: the password of an encrypted PEM ``private_key``.
    :param recv_window: whole milliseconds, default 5000; always sent as
        ``X-BAPI-RECV-WINDOW``. Bybit accepts a timestamp at most this old, and less
        than 1000 ms ahead of its clock (§6).
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        pass ``BybitAuth.server_clock(url).sync()`` to follow Bybit's clock.
    :param retry_invalid_timestamp: when Bybit answers retCode 10002 (timestamp outside
        the window), sync ``clock`` and resend the request once, re-signed (§7). Needs a
        server clock. Bybit answers it with HTTP 200, so every HTTP 200 answer is read
        in full to look for it.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.3.0
    """

    exchange = "Bybit"
    owned_headers = (SIGN_HEADER, KEY_HEADER, TIMESTAMP_HEADER, WINDOW_HEADER, SIGN_TYPE_HEADER)
    key_header = KEY_HEADER
    env_prefix = "BYBIT"
    # §7: 10002 comes in an HTTP 200 answer (pybit reads it there); 401 for auth errors
    rejection_statuses = frozenset({200, 401})
    time_endpoint = TimeEndpoint(endpoint_at("/v5/market/time"), _server_time)

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes | None = None,
        *,
        private_key: object = None,
        private_key_password: str | bytes | None = None,
        recv_window: int | str | None = None,
        clock: Clock | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        self._signer = _signer(secret, private_key, private_key_password)
        self._recv_window = _window_text(recv_window)
        self._key_and_window = f"{self._api_key}{self._recv_window}"  # §3, after the stamp

    @property
    def key_type(self) -> str:
        """``"HMAC"`` or ``"RSA"``: how this auth signs."""
        return self._signer.key_type

    @property
    def recv_window(self) -> int:
        """The ``X-BAPI-RECV-WINDOW`` this auth sends, in milliseconds."""
        return int(self._recv_window)

    def _sign(self, draft: Draft) -> None:
        """§8: the payload of the method, the string of §3, the headers of §4."""
        payload = self._payload(draft)
        stamp = str(self._timestamp())
        text = f"{stamp}{self._key_and_window}".encode() + payload
        headers = draft.headers
        headers[TIMESTAMP_HEADER] = stamp
        headers[WINDOW_HEADER] = self._recv_window
        headers[SIGN_TYPE_HEADER] = "2"  # §4: as the official examples and pybit send it
        headers[SIGN_HEADER] = self._signer(text)

    def _payload(self, draft: Draft) -> bytes:
        """§2, §8 steps 1-2: a GET signs its raw query, a POST its exact JSON body."""
        query = split_url(draft.url)[1]
        if draft.method == "GET":
            no_body(draft, "BybitAuth")
            return query.encode()
        if draft.method == "POST":
            if query:
                msg = (
                    "BybitAuth signs a POST's JSON body only, and this POST has a query, "
                    "which Bybit would not see signed; move the parameters into json={...}; "
                    "nothing was sent."
                )
                raise UnsignableRequestError(msg)
            return json_body(draft, "BybitAuth")
        msg = (
            f"BybitAuth cannot sign a {draft.method} request: Bybit v5 takes GET "
            "(params=) and POST (json=) only (cancels are POST /v5/order/cancel); nothing "
            "was sent."
        )
        raise UnsignableRequestError(msg)

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules (§7 documents no answer that proves Bybit did not act but
        10002, left to ``retry_invalid_timestamp``, and none that leaves the outcome
        unknown): a 5xx is unknown, an order that times out too. 10006, the rate limit
        (in a 200, with ``X-Bapi-Limit-Reset-Timestamp``), comes back: back off."""
        return None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether Bybit answered retCode 10002, the request outside its time window (§7)."""
        if b"10002" not in body:  # most answers are not it: skip parsing them
            return False
        answer = json_answer(body)
        return isinstance(answer, dict) and answer.get("retCode") == _INVALID_TIMESTAMP

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[BybitOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[BybitOptions]
        ) -> Self: ...
