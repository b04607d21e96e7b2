"""Poloniex legacy ``tradingApi``: HMAC-SHA512 of the POST body with an increasing nonce.

Specification: ``specs/poloniex.md`` Part A.
"""

from __future__ import annotations

from collections.abc import Callable

from requests import PreparedRequest

from . import _credentials
from ._base import ExchangeAuth
from ._credentials import StrOrBytes
from ._ordered import draw_for
from ._signing import HmacSigner
from ._wire import (
    RedirectPolicy,
    append_param,
    form_body,
    release_now,
    remove_params,
    set_form_body,
)
from .exceptions import ConfigurationError, NonceError
from .nonce import MonotonicNonce

_OWNED = ("nonce",)


class PoloniexBodyDigestAuth(ExchangeAuth):
    """Attaches Poloniex legacy trading-API authentication to the given Request object.

    Puts a fresh ``nonce`` last in the form body (replacing any earlier one), then sends
    ``Key`` (the API key) and ``Sign`` (hex HMAC-SHA512 of the exact body bytes, keyed
    with the secret's own bytes). A request without a body gets the body ``nonce=…``.

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
    """

    headers = ("Key", "Sign")
    key_header = "Key"
    env_prefix = "POLONIEX"

    def __init__(
        self,
        api_key: StrOrBytes,
        secret: StrOrBytes,
        *,
        nonce: Callable[[], int] | None = None,
        allow_insecure_http: bool = False,
        on_cross_origin_redirect: RedirectPolicy = "strip",
    ) -> None:
        super().__init__(
            api_key,
            allow_insecure_http=allow_insecure_http,
            on_cross_origin_redirect=on_cross_origin_redirect,
        )
        self._signer = HmacSigner(_credentials.secret(secret), "sha512")
        if nonce is not None and not callable(nonce):
            msg = (
                "nonce must be a zero-argument callable returning an increasing int "
                f"(e.g. MonotonicNonce()), not {type(nonce).__name__}."
            )
            raise ConfigurationError(msg)
        self._nonce = nonce or MonotonicNonce.shared()

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self._begin(r)
        body = remove_params(form_body(r, "PoloniexBodyDigestAuth") or "", _OWNED)
        body = append_param(body, f"nonce={self._next_nonce(r)}")
        set_form_body(r, body)
        r.headers["Sign"] = self._signer.hex(body.encode("ascii"))
        return r

    def _next_nonce(self, r: PreparedRequest) -> int:
        value = draw_for(r, self._nonce)
        if type(value) is not int or value <= 0:
            release_now(r)  # an OrderedNonce's order: this request will not be sent
            msg = (
                f"the nonce source returned {type(value).__name__} {value!r}; it must "
                "return a positive int that increases on every call."
            )
            raise NonceError(msg)
        return value
