"""Poloniex legacy ``tradingApi``: HMAC-SHA512 of the POST body with an increasing nonce.

Specification: ``specs/poloniex.md`` Part A.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import form_text, set_form_text
from .._draft import Draft
from .._nonced import Nonce, NoncedAuth, NoncedOptions
from .._params import append_param, remove_params
from .._retry import Answer, Attempt
from .._signing import HmacSigner
from .._timed import json_answer

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["PoloniexBodyDigestAuth"]

_OWNED = ("nonce",)
_SIGN = "Sign"  # the header of the body's HMAC (Part A)
_NONCE_REJECTED = "Nonce must be greater than"  # "Nonce rules"
# The legacy API's reads are the commands named return… (returnBalances,
# returnOpenOrders, returnTradeHistory, …); every other command trades or moves funds.
_READ_PREFIX = "return"


class PoloniexBodyDigestAuth(NoncedAuth):
    """Attaches Poloniex legacy trading-API authentication to the given Request object.

    Puts a fresh ``nonce`` last in the form body (replacing any earlier one), then sends
    ``Key`` (the API key) and ``Sign`` (hex HMAC-SHA512 of the exact body bytes, keyed
    with the secret's own bytes). A request without a body gets the body ``nonce=…``
    and the form Content-Type.

    :param api_key: the API key.
    :param secret: the secret, used as its literal bytes (it is not hex-decoded).
    :param nonce: a zero-argument callable returning an increasing ``int``; by default
        the process-wide :meth:`MonotonicNonce.shared` (microseconds). An
        :class:`OrderedNonce` makes requests arrive in nonce order: each holds its order
        from signing until its response is back (or its send failed).
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.
    :raises NonceError: when signing, if the nonce source fails or returns a bad value.
    :raises NonceTimeoutError: when signing, if a nonce lock or order is not free in time.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0 :meth:`sign`; a bodyless request gets the form Content-Type.
    """

    owned_headers = ("Key", _SIGN)
    key_header = "Key"
    env_prefix = "POLONIEX"

    def __init__(
        self,
        api_key: str | bytes,
        secret: str | bytes,
        *,
        nonce: Nonce | None = None,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(api_key, nonce=nonce, **options)
        self._signer = HmacSigner(_credentials.secret(secret), "sha512")

    def _sign(self, draft: Draft) -> None:
        """Part A: a fresh nonce last in the body, then Sign over the body as sent."""
        body = remove_params(form_text(draft, "PoloniexBodyDigestAuth") or "", _OWNED)
        body = append_param(body, f"nonce={self._draw(draft)}")
        set_form_text(draft, body)
        draft.headers[_SIGN] = self._signer.hex(body.encode())  # ASCII: form text and digits

    def is_idempotent(self, attempt: Attempt) -> bool:
        """Whether the request is a read: every call is a POST, its ``command`` a
        ``return…`` one (``returnBalances``, ``returnOpenOrders``, …)."""
        return _command(attempt.body).startswith(_READ_PREFIX)

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """Safe: the nonce rejection (checked before anything else, and the spec's
        advice is a retry with a fresh, larger nonce), and a 503 to a read (nothing to
        repeat); a 503 to a trading command leaves its outcome unknown (no source says
        that Poloniex had not passed it on)."""
        answer = json_answer(body)
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, str) and error.startswith(_NONCE_REJECTED):
            return Answer.SAFE
        if status == 503 and self.is_idempotent(attempt):
            return Answer.SAFE
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


def _command(body: bytes | None) -> str:
    """The ``command`` of a legacy request body ("" when there is none)."""
    # Not mutated: the body is ASCII (signed so), and any text without command= has none.
    text = (body or b"").decode("ascii", "replace")  # pragma: no mutate
    return next((value for name, value in parse_qsl(text) if name == "command"), "")
