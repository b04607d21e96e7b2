"""Kraken Futures REST (derivatives API v3, History API): ``APIKey``, ``Nonce``, ``Authent``.

Specification: ``specs/kraken.md`` Part F; section numbers (F1-F10) below refer to it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from .._auth import AuthOptions
from .._bodies import FORM, any_body, media_type
from .._draft import Draft
from .._nonced import Nonce, NoncedAuth, NoncedOptions
from .._params import path_of, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._timed import json_answer
from ..exceptions import UnsignableRequestError
from .kraken import decoded_secret

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["KrakenFuturesAuth", "endpoint_path"]

KEY_HEADER = "APIKey"
_PREFIX = "/derivatives"


def endpoint_path(path: str) -> str:
    """F2: the path with a leading ``/derivatives`` removed (still so after 2024-02-20)."""
    return path[len(_PREFIX) :] if path.startswith(_PREFIX + "/") else path


def _form_bytes(draft: Draft) -> bytes:
    """F1, F7: the body exactly as sent, a form or nothing; JSON and streams refused."""
    body = any_body(draft, "KrakenFuturesAuth")
    if not body:
        return body
    kind = media_type(draft.headers)
    if kind is None and body.lstrip()[:1] not in (b"{", b"["):
        draft.headers["Content-Type"] = FORM
    elif kind != FORM:
        shown = kind or "none, and it looks like JSON"
        msg = (
            f"KrakenFuturesAuth signs form bodies only ({FORM}); this request's Content-Type "
            f"is {shown!r}. Kraken Futures takes no JSON body: send data={{...}}, and for "
            "batchorder data={'json': json.dumps(batch)} (URL-encoded, F1); nothing was sent."
        )
        raise UnsignableRequestError(msg)
    return body


# F5: the nonce answers prove the request was refused before anything was done; re-sign
# with a fresh nonce ("below threshold": once, since it persists when another process
# or a larger scale uses the key). The service answers leave an order's outcome unknown.
_NONCE_ANSWERS = {"nonceDuplicate": False, "nonceBelowThreshold": True}  # True: once
_UNKNOWN = frozenset({"Unavailable", "Server Error", "unknownError"})


def _errors(body: bytes) -> list[str]:
    """The error names of a derivatives answer: ``"error"``, or the ``"errors"`` list."""
    answer = json_answer(body)
    if not isinstance(answer, dict):
        return []
    found = [answer.get("error")]
    listed = answer.get("errors")
    if isinstance(listed, list):
        found += [e.get("message") if isinstance(e, dict) else e for e in listed]
    return [e for e in found if isinstance(e, str)]


class KrakenFuturesAuth(NoncedAuth):
    """Attaches Kraken Futures REST authentication to the given Request object.

    Sends ``APIKey``, a fresh ``Nonce`` and ``Authent``: base64 HMAC-SHA512, keyed with
    the base64-decoded secret, of SHA-256 of the query and body exactly as sent, the
    nonce and the endpoint path without its leading ``/derivatives`` (F2). The URL and
    body are never changed, so re-signing replaces the three headers only. Any method;
    parameters in the query or a form body, wherever you put them (F1); no JSON body.

    :param api_key: the Futures API key (from futures.kraken.com, not a Spot key).
    :param secret: the Futures private key exactly as Kraken shows it (base64 text).
    :param nonce: a zero-argument callable returning an increasing ``int``; by default
        the process-wide :meth:`MonotonicNonce.shared` (microseconds). Processes sharing
        a key need a :class:`FileNonce` or :class:`RedisNonce`.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument, e.g. a secret that is not base64.
    :raises NonceError: when signing, if the nonce source fails or returns a bad value.
    :raises NonceTimeoutError: when signing, if a nonce lock or order is not free in time.

    .. versionadded:: 0.3.0
    """

    exchange = "Kraken Futures"
    owned_headers = ("Authent", KEY_HEADER, "Nonce")
    key_header = KEY_HEADER
    env_prefix = "KRAKEN_FUTURES"
    retry_statuses = frozenset({200})  # F5: errors come mostly with HTTP 200

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        *,
        nonce: Nonce | None = None,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(api_key, nonce=nonce, **options)
        self._signer = HmacSigner(decoded_secret(secret), "sha512")

    def _sign(self, draft: Draft) -> None:
        """F7: Authent over SHA256(query ‖ body ‖ nonce ‖ endpointPath), bytes as sent."""
        base, query, _ = split_url(draft.url)  # percent-encoded by the client: ASCII
        body = _form_bytes(draft)
        path = endpoint_path(path_of(base))
        nonce = str(self._draw(draft))  # last, after every check (_nonced)
        # F2: postData (query, then body) ‖ nonce ‖ endpointPath, hashed before the HMAC
        digest = hashlib.sha256(query.encode() + body + f"{nonce}{path}".encode()).digest()
        draft.headers["Nonce"] = nonce
        draft.headers["Authent"] = self._signer.b64(digest)

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """Safe: ``nonceDuplicate``, and ``nonceBelowThreshold`` after the first send only
        (F5: re-sign with a fresh, larger nonce). Unknown: ``Unavailable``, ``Server
        Error``, ``unknownError``. ``apiLimitExceeded`` (back off) comes back."""
        for error in _errors(body):
            once = _NONCE_ANSWERS.get(error)
            if once is not None:
                return Answer.SAFE if not once or attempt.sends == 1 else Answer.FINAL
            if error in _UNKNOWN:
                return Answer.UNKNOWN
        return None

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[NoncedOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[NoncedOptions]
        ) -> Self: ...
