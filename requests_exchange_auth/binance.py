"""Binance SIGNED and API-key-only requests (spot ``/api`` ``/sapi``, futures ``/fapi`` ``/dapi``).

Specification: ``specs/binance-signed-requests.md``; section numbers below refer to it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from requests import PreparedRequest

from . import _credentials
from ._base import ExchangeAuth
from ._credentials import Clock, StrOrBytes
from ._signing import HmacSigner
from ._wire import (
    RedirectPolicy,
    append_param,
    form_body,
    has_param,
    join_url,
    remove_params,
    set_form_body,
    split_url,
)
from .exceptions import ConfigurationError

RecvWindow = int | float | Decimal | str
# The auth owns these: re-signing replaces them, never duplicates them (DESIGN.md #2).
_OWNED = ("timestamp", "signature")
_MAX_RECV_WINDOW = Decimal(60000)  # §5: "max 60000"


def _recv_window(value: RecvWindow | None) -> str | None:
    """Validate ``recv_window`` and render it as Binance reads it (§5)."""
    if value is None:
        return None
    problem = "must be a number"
    if not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite() and 0 < number <= _MAX_RECV_WINDOW:
            if number.as_tuple().exponent >= -3:  # type: ignore[operator]  # finite: int
                return format(number.normalize(), "f")
            problem = "has more than three decimals"
        elif number.is_finite():
            problem = "is out of range"
    msg = (
        f"recv_window {problem}: expected milliseconds greater than 0 and at most 60000, "
        "with at most three decimals (e.g. 5000 or '6000.346'); Binance recommends "
        "5000 or less."
    )
    raise ConfigurationError(msg)


class BinanceQueryAuth(ExchangeAuth):
    """Attaches Binance SIGNED-endpoint authentication to the given Request object.

    Adds ``timestamp`` (and ``recvWindow`` if configured), then ``signature`` as the last
    parameter: in the form body when the request has one, otherwise in the query; the
    signed payload is the query followed by the body, exactly as sent (§3, §7). The key
    goes in ``X-MBX-APIKEY``. Re-signing the same request replaces ``timestamp`` and
    ``signature`` with fresh values.

    :param api_key: the API key.
    :param secret: the HMAC secret key (``str`` or ``bytes``).
    :param private_key: an RSA or Ed25519 key; not supported yet.
    :param private_key_password: the password of an encrypted ``private_key``.
    :param recv_window: milliseconds, > 0 and ≤ 60000, at most three decimals; added as
        ``recvWindow`` unless the request already has one.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`).
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) follows a redirect to another
        origin without key, signature or signed body; ``"raise"`` refuses to follow it.
    :raises ConfigurationError: for any invalid argument.

    .. versionadded:: 0.1.0
    """

    headers = ("X-MBX-APIKEY",)
    key_header = "X-MBX-APIKEY"
    env_prefix = "BINANCE"

    def __init__(
        self,
        api_key: StrOrBytes,
        secret: StrOrBytes | None = None,
        *,
        private_key: object = None,
        private_key_password: StrOrBytes | None = None,
        recv_window: RecvWindow | None = None,
        clock: Clock | None = None,
        allow_insecure_http: bool = False,
        on_cross_origin_redirect: RedirectPolicy = "strip",
    ) -> None:
        super().__init__(
            api_key,
            allow_insecure_http=allow_insecure_http,
            on_cross_origin_redirect=on_cross_origin_redirect,
        )
        if private_key is not None or private_key_password is not None:
            msg = (
                "RSA and Ed25519 keys (private_key=) are not supported yet; sign with the "
                "HMAC secret of an HMAC API key: BinanceQueryAuth(api_key, secret)."
            )
            raise ConfigurationError(msg)
        if secret is None:
            msg = (
                "BinanceQueryAuth needs the HMAC secret: BinanceQueryAuth(api_key, secret). "
                "For endpoints that take only the API key (e.g. listenKey), use "
                "BinanceApiKeyAuth(api_key)."
            )
            raise ConfigurationError(msg)
        self._secret = _credentials.secret(secret)
        self._signer = HmacSigner(self._secret, "sha256")  # key schedule once, not per request
        self._recv_window = _recv_window(recv_window)
        self._clock = _credentials.clock(clock)

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self._begin(r)
        base, query, fragment = split_url(r.url or "")
        query = remove_params(query, _OWNED)
        body = form_body(r, "BinanceQueryAuth")
        if body is not None:
            body = remove_params(body, _OWNED)
        # §7: our parameters go at the end of the body when there is one, else the query.
        ours = body if body is not None else query
        if self._recv_window is not None and not (
            has_param(query, "recvWindow") or (body is not None and has_param(body, "recvWindow"))
        ):
            ours = append_param(ours, f"recvWindow={self._recv_window}")
        ours = append_param(ours, f"timestamp={self._timestamp()}")
        # §3: totalParams is the query followed by the body, no separator.
        total = ours if body is None else query + ours
        ours = append_param(ours, f"signature={self._signer.hex(total.encode())}")
        if body is None:
            r.url = join_url(base, ours, fragment)
        else:
            r.url = join_url(base, query, fragment)
            set_form_body(r, ours)
        return r

    def key_only(self) -> BinanceApiKeyAuth:
        """An auth with the same key and policies that sends the key unsigned (§1)."""
        return BinanceApiKeyAuth(
            self._api_key,
            allow_insecure_http=self._allow_insecure_http,
            on_cross_origin_redirect=self._guard.policy,
        )

    def _timestamp(self) -> int:
        """Milliseconds since the epoch, from the injected clock (§5)."""
        return _credentials.checked_now(self._clock(), "milliseconds") // 1_000_000


class BinanceApiKeyAuth(ExchangeAuth):
    """Attaches only the Binance API key (``X-MBX-APIKEY``) to the given Request object.

    For endpoints of security type ``USER_STREAM`` or ``MARKET_DATA``, such as listenKey
    management, which need the key but no signature (§1). Nothing else is changed.

    :param api_key: the API key.
    :param allow_insecure_http: send the key over plain ``http://`` to non-loopback hosts.
    :param on_cross_origin_redirect: as for :class:`BinanceQueryAuth`.

    .. versionadded:: 0.1.0
    """

    headers = ("X-MBX-APIKEY",)
    key_header = "X-MBX-APIKEY"
    env_prefix = "BINANCE"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self._begin(r)
        return r

    @classmethod
    def _from_credentials(cls, key: str, secret: str, options: dict[str, Any]) -> BinanceApiKeyAuth:
        return cls(key, **options)  # the secret is not needed without a signature
