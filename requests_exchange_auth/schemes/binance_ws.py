"""Binance WebSocket API: SIGNED request ``params`` and the ``session.logon`` request.

Specification: ``specs/binance-websocket-api.md``; section numbers below refer to it.
Unlike REST (binance-signed-requests.md §3), the payload is a canonical form the server
rebuilds from the JSON ``params``: every parameter but ``signature``, sorted by name,
``name=value`` joined by ``&``, values in raw UTF-8 and never percent-encoded (§2).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._credentials import mask
from ..exceptions import ConfigurationError, UnsignableRequestError

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._binance_keys import Signer

__all__ = ["BinanceWebSocketSigning", "payload", "render"]

# §5: the helper owns these; values passed in for them are replaced.
_SIGNATURE = "signature"
_RENDERINGS = "str, int, bool, float or Decimal"


def render(name: str, value: object) -> str:
    """A parameter's value as the server renders it from the JSON ``params`` (§2).

    Strings as they are (raw UTF-8); ``bool`` as JSON's ``true``/``false``; integers in
    decimal; floats as their JSON text; ``Decimal`` by ``str``. Lists, objects and
    ``None`` have no defined rendering, so they are refused, as are NaN and infinities,
    which JSON cannot carry.

    :raises UnsignableRequestError: for any other value.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)  # an IntEnum member too: JSON writes its number
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)  # json.dumps writes floats with their repr
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    kind = "a non-finite number" if isinstance(value, float | Decimal) else type(value).__name__
    msg = (
        f"the WebSocket API parameter {name!r} is {kind}; Binance signs only values it can "
        f"render as text ({_RENDERINGS}): send lists and objects as a JSON string, and "
        "leave out a parameter you would set to None."
    )
    raise UnsignableRequestError(msg)


def payload(params: Mapping[str, object]) -> bytes:
    """The signature payload of ``params`` (§2): every parameter but ``signature``, sorted
    by name in code-point order, as ``name=value`` joined by ``&``, in UTF-8."""
    text = "&".join(
        f"{name}={render(name, params[name])}" for name in sorted(params) if name != _SIGNATURE
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        msg = (
            "a WebSocket API parameter holds a lone surrogate, which has no UTF-8 form: "
            "pass real text (decode bytes with errors='strict' first)."
        )
        raise UnsignableRequestError(msg) from None


def _checked(params: object, api_key: str) -> dict[str, object]:
    """A copy of the caller's ``params``, checked before anything is signed (§5)."""
    if not isinstance(params, Mapping):
        msg = (
            f"sign_websocket_params takes the request's params as a dict (name -> value), "
            f"not {type(params).__name__}."
        )
        raise UnsignableRequestError(msg)
    copy = dict(params)
    for name in copy:
        if not isinstance(name, str):
            msg = f"WebSocket API parameter names must be str, not {type(name).__name__}."
            raise UnsignableRequestError(msg)
    given = copy.get("apiKey", api_key)
    if given != api_key:
        # Owned and replaced (§5), but another account's key here is a mix-up, not a resend.
        shown = mask(given) if isinstance(given, str) else type(given).__name__
        msg = (
            f"params carries apiKey {shown!r}, but this auth signs for {mask(api_key)!r}; "
            "leave apiKey out (the auth adds its own), or use the auth of that key."
        )
        raise UnsignableRequestError(msg)
    return copy


def _window_number(text: str | None) -> int | float | None:
    """The auth's ``recvWindow=…`` as the JSON number to send (§5: added as a number)."""
    if text is None:
        return None
    value = text.partition("=")[2]
    return float(value) if "." in value else int(value)


class BinanceWebSocketSigning:
    """The WebSocket API half of :class:`~requests_exchange_auth.BinanceQueryAuth`.

    Reads the same key, clock and ``recv_window`` as the REST signing does.
    """

    __slots__ = ()
    _api_key: str
    _signer: Signer
    _recv_window: str | None
    _timestamp: Callable[[], int]  # TimedAuth's: the clock now, in the auth's unit

    def sign_websocket_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The ``params`` of a SIGNED WebSocket API request: a new dict of yours plus
        ``apiKey``, ``timestamp`` (from the auth's clock, in its unit) and ``signature``.

        The payload is every parameter but ``signature``, sorted by name, as
        ``name=value`` joined by ``&``, in raw UTF-8 with no percent-encoding (unlike
        REST). ``recvWindow`` is yours when you pass one, else the auth's ``recv_window``
        (as a number) if it has one. ``apiKey``, ``timestamp`` and ``signature`` are the
        auth's: signing an earlier result again gives a fresh timestamp and signature.
        Your dict is not changed. The signature is lowercase hex (HMAC) or standard
        base64 (RSA, Ed25519), never percent-encoded: the result goes as it is into
        ``{"id": ..., "method": ..., "params": result}`` and :func:`json.dumps`.

        :param params: the method's own parameters, ``str`` names to ``str``, ``int``,
            ``bool``, ``float`` or ``Decimal`` values (prefer strings for decimals).
        :raises UnsignableRequestError: for params that are not a mapping, a name that is
            not a ``str``, a value of another type (``None``, a list, a dict), or another
            key's ``apiKey``.

        .. versionadded:: 0.3.0
        """
        signed = _checked(params, self._api_key)
        signed.pop(_SIGNATURE, None)
        signed["apiKey"] = self._api_key
        signed["timestamp"] = self._timestamp()
        window = _window_number(self._recv_window)
        if window is not None:
            signed.setdefault("recvWindow", window)
        signed[_SIGNATURE] = self._signer.plain(payload(signed))
        return signed

    def session_logon_request(self, *, id: object = None) -> dict[str, Any]:
        """The whole ``session.logon`` request, ready for :func:`json.dumps`.

        ``{"id": id, "method": "session.logon", "params": {"apiKey", "timestamp",
        "signature", and "recvWindow" if the auth has one}}``. After it succeeds, later
        requests on the connection send no ``apiKey`` or ``signature`` (only their
        ``timestamp``). Binance takes only Ed25519 keys for it.

        :param id: the request's ``id``, echoed in the answer (default: a new UUID).
        :raises ConfigurationError: unless the auth has an Ed25519 key.

        .. versionadded:: 0.3.0
        """
        if self._signer.key_type != "Ed25519":
            msg = (
                f"session.logon takes only Ed25519 keys (Binance: 'Only Ed25519 keys are "
                f"supported for this feature'), and this auth has an {self._signer.key_type} "
                "key; sign each request with sign_websocket_params() instead, or register "
                "an Ed25519 key and pass it as private_key=."
            )
            raise ConfigurationError(msg)
        return {
            "id": uuid.uuid4().hex if id is None else id,
            "method": "session.logon",
            "params": self.sign_websocket_params({}),
        }
