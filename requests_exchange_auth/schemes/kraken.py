"""Kraken Spot REST (``/0/private/*``): a nonce first in the body, HMAC-SHA512 in ``API-Sign``.

Specification: ``specs/kraken.md`` Part S; section numbers below refer to it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import re
from typing import TYPE_CHECKING

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import FORM, JSON, any_body, form_text, media_type, set_body, set_form_text
from .._draft import Draft
from .._nonced import Nonce, NoncedAuth, NoncedOptions
from .._params import path_of, remove_params, split_url
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._timed import json_answer
from ..exceptions import ConfigurationError, UnsignableRequestError

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["KrakenAuth", "decoded_secret"]

KEY_HEADER = "API-Key"
_OWNED = ("nonce",)
# §1: these two take nested "orders" arrays, as JSON only
_JSON_ONLY = ("/AddOrderBatch", "/CancelOrderBatch")
# §6: our own nonce member, first in the object, from an earlier signing
_OUR_NONCE = re.compile(rb'\{\s*"nonce"\s*:\s*[0-9]+\s*(?=[,}])')
_WHO = "KrakenAuth"
# §3: refused with the signature check, so nothing was done: re-sign once, larger
_INVALID_NONCE = "EAPI:Invalid nonce"
# The private queries of Kraken's REST reference (account data and funding reads):
# sending one twice changes nothing. Every other private call trades or moves funds.
_READS = frozenset({
    "Balance", "BalanceEx", "TradeBalance", "OpenOrders", "ClosedOrders", "QueryOrders",
    "OrderAmends", "TradesHistory", "QueryTrades", "OpenPositions", "Ledgers",
    "QueryLedgers", "TradeVolume", "ExportStatus", "DepositMethods", "DepositStatus",
    "WithdrawMethods", "WithdrawAddresses", "WithdrawInfo", "WithdrawStatus",
})  # fmt: skip


def decoded_secret(secret: str | bytes, name: str = "secret") -> bytes:
    """The HMAC key: the base64 secret Kraken shows, decoded (§2; F3 for Futures)."""
    secret_text = _credentials.secret(secret, name)
    secret_bytes = None
    with contextlib.suppress(binascii.Error, ValueError):  # the error would show a piece
        secret_bytes = base64.b64decode(secret_text, validate=True)
    if not secret_bytes:  # raised here, outside the except: nothing of it rides along
        msg = (
            f"{name} is not base64: Kraken shows the API secret as base64 text (88 "
            "characters, ending in '=='); paste it exactly as shown, whole."
        )
        raise ConfigurationError(msg)
    return secret_bytes


def _refuse(message: str) -> UnsignableRequestError:
    return UnsignableRequestError(f"{_WHO} {message}; nothing was sent.")


def _json_object(data: bytes) -> bytes:
    """The caller's JSON object with our earlier nonce member taken out (§6), checked."""
    ours = _OUR_NONCE.match(data)
    if ours is not None:
        rest = data[ours.end() :].lstrip()
        data = b"{" + (rest[1:] if rest[:1] == b"," else rest)
    try:
        members = json.loads(data.decode("utf-8"), object_pairs_hook=_names)
    except (UnicodeDecodeError, ValueError, RecursionError):
        members = None
    if not isinstance(members, list) or data.lstrip()[:1] != b"{":
        raise _refuse("needs a JSON body that is one object, such as json={'pair': 'XBTUSD'}")
    if "nonce" in members:
        raise _refuse(
            "adds the nonce itself, first in the body, and this JSON body already has one: "
            "drop 'nonce' from it"
        )
    return data


def _names(pairs: list[tuple[str, object]]) -> list[str]:
    return [name for name, _ in pairs]


class KrakenAuth(NoncedAuth):
    """Attaches Kraken Spot REST authentication to the given Request object.

    Puts a fresh ``nonce`` first in the body (a form's first pair, or a JSON object's
    first member, as a number), replacing any earlier one, and sends ``API-Key`` and
    ``API-Sign``: base64 HMAC-SHA512, keyed with the base64-decoded secret, of the URL
    path followed by SHA-256 of the nonce and the exact body (§2). Any ``otp`` is yours:
    it is signed where you put it. Private calls are POSTs without a query; the batch
    endpoints take JSON only.

    :param api_key: the API key.
    :param secret: the private key exactly as Kraken shows it (base64 text).
    :param nonce: a zero-argument callable returning an increasing ``int``; by default
        the process-wide :meth:`MonotonicNonce.shared` (microseconds). Sharing a key
        between processes needs a :class:`FileNonce` (one host) or :class:`RedisNonce`
        (several hosts); many threads sending at once need an :class:`OrderedNonce`.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument, e.g. a secret that is not base64.
    :raises NonceError: when signing, if the nonce source fails or returns a bad value.
    :raises NonceTimeoutError: when signing, if a nonce lock or order is not free in time.

    .. versionadded:: 0.3.0
    """

    exchange = "Kraken"
    owned_headers = ("API-Sign", KEY_HEADER)
    key_header = KEY_HEADER
    env_prefix = "KRAKEN"
    retry_statuses = frozenset({200})  # §4: errors come with HTTP 200

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
        """§6: the nonce first in the body, then API-Sign over path ‖ SHA256(nonce ‖ body)."""
        base, query, _ = split_url(draft.url)
        if draft.method != "POST" or query:
            raise _refuse(
                f"signs POST requests without a query (Kraken's private calls), not "
                f"{draft.method}{' with a query' if query else ''}: pass the parameters as "
                "data={...} or json={...}"
            )
        path, kind = path_of(base), media_type(draft.headers)
        if kind not in (None, FORM, JSON):
            raise _refuse(
                f"signs form or JSON bodies only, not {kind!r}: pass the parameters as "
                "data={...} or json={...}"
            )
        if kind is None and not draft.body and path.endswith(_JSON_ONLY):
            draft.headers["Content-Type"] = kind = JSON  # §1: these two take JSON only
        digest = self._json_digest(draft) if kind == JSON else self._form_digest(draft, path)
        draft.headers["API-Sign"] = self._signer.b64(path.encode() + digest)

    def _form_digest(self, draft: Draft, path: str) -> bytes:
        text = remove_params(form_text(draft, _WHO) or "", _OWNED)
        if path.endswith(_JSON_ONLY):
            raise _refuse(
                f"sends {path.rpartition('/')[2]} as JSON only (its nested orders do not fit "
                "a form): pass json={...}"
            )
        nonce = str(self._draw(draft))  # last, after every check (_nonced)
        text = f"nonce={nonce}&{text}" if text else f"nonce={nonce}"
        set_form_text(draft, text)
        return hashlib.sha256(f"{nonce}{text}".encode("ascii")).digest()

    def _json_digest(self, draft: Draft) -> bytes:
        data = any_body(draft, _WHO).lstrip()  # a stream is refused unread
        rest = _json_object(data)[1:] if data.strip() else b"}"
        nonce = str(self._draw(draft)).encode()  # last, after every check (_nonced)
        data = b'{"nonce":%s%s%s' % (nonce, b"" if rest.lstrip()[:1] == b"}" else b",", rest)
        set_body(draft, data)
        return hashlib.sha256(nonce + data).digest()

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """Safe after the first send only: ``EAPI:Invalid nonce`` (§3: refused before
        anything was done; re-sign once with a larger nonce, never in a loop, since
        repeats lock the key out). ``EGeneral:Temporary lockout`` and ``EAPI:Rate limit
        exceeded`` (back off: a retry within seconds would be refused again) come back."""
        answer = json_answer(body)
        errors = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(errors, list) and _INVALID_NONCE in errors:
            return Answer.SAFE if attempt.sends == 1 else Answer.FINAL
        return None

    def is_idempotent(self, attempt: Attempt) -> bool:
        """Whether the call is one of Kraken's private queries (every call is a POST)."""
        return path_of(split_url(attempt.url)[0]).rpartition("/")[2] in _READS

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
