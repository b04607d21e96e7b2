"""Binance WebSocket API requests, checked the way binance-websocket-api.md §2-§4 describe
the server.

Written apart from the signing code (``schemes/binance_ws.py``), so that one cannot hide
the other's bug: the server sees JSON text, so this reads the frame's text and rebuilds
the payload from it, numbers by the digits that were sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from .._credentials import mask
from .._time import Clock
from ._credential import binance_account, key_signature_ok, now_ms
from ._verdict import Failure, Verdict, rejected
from ._verify_binance import _timing

__all__ = ["check_websocket", "parse_request", "verify_binance_websocket", "websocket_payload"]

_BAD_SIGNATURE = ("-1022", "Signature for this request is not valid.")
# The specs give no code for a logon with another key type; this is Binance's error list's
# "API key type is not supported" family (an assumption, not verified on the server).
_NOT_ED25519 = ("-4056", "API key type is not supported for this request; use an Ed25519 key.")


class _Number(str):
    """A JSON number, kept as the digits that were sent: the server signs those (§2)."""

    __slots__ = ()


def parse_request(frame: str | bytes | Mapping[str, Any]) -> Any:
    """A request frame as the server reads it: JSON text, numbers kept as sent.

    A mapping stands for the frame ``json.dumps`` would make of it.
    """
    text = json.dumps(frame) if isinstance(frame, Mapping) else frame
    return json.loads(text, parse_int=_Number, parse_float=_Number)


def _text(value: Any) -> str | None:
    """A parameter value as the server renders it: JSON's own spelling; None if it has none."""
    if value is True or value is False:
        return "true" if value else "false"
    return value if isinstance(value, str) else None  # _Number is a str too


def websocket_payload(params: Mapping[str, Any]) -> str | None:
    """§2: every parameter but ``signature``, sorted, ``name=value`` joined by ``&``, raw."""
    pairs = []
    for name in sorted(params):
        if name == "signature":
            continue
        rendered = _text(params[name])
        if rendered is None:
            return None
        pairs.append(f"{name}={rendered}")
    return "&".join(pairs)


def _signature_ok(credential: bytes | Any, payload: bytes, signature: str) -> bool:
    """HMAC-SHA256 hex (any case), or RSA/Ed25519 standard base64, not percent-encoded (§3)."""
    if isinstance(credential, bytes):
        expected = hmac.new(credential, payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.lower().encode("utf-8"))
    return key_signature_ok(credential, payload, signature)


def is_ed25519(credential: object) -> bool:
    """Whether a verifier credential is an Ed25519 public key (not HMAC bytes, not RSA)."""
    return not isinstance(credential, bytes) and not hasattr(credential, "key_size")


def _missing(name: str) -> Verdict:
    return rejected(
        Failure.MISSING_PARAMETER, "-1102",
        f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.",
        f"a SIGNED WebSocket API request carries {name} in params (§1).",
    )  # fmt: skip


def _key_failure(
    params: Mapping[str, Any], accounts: Mapping[str, Any], logon: bool
) -> Verdict | None:
    api_key = params.get("apiKey")
    if not isinstance(api_key, str) or not api_key:
        return _missing("apiKey")
    if api_key not in accounts:
        known = ", ".join(repr(mask(k)) for k in accounts)
        return rejected(
            Failure.UNKNOWN_KEY, "-2015", "Invalid API-key, IP, or permissions for action.",
            f"apiKey is {mask(api_key)!r}; expected {known or 'a registered key'}.",
        )  # fmt: skip
    if logon and not is_ed25519(accounts[api_key]):
        return rejected(
            Failure.MALFORMED_PARAMETER, *_NOT_ED25519,
            "session.logon takes only Ed25519 keys (§3); sign each request instead.",
        )  # fmt: skip
    return None


def _signature_failure(params: Mapping[str, Any], accounts: Mapping[str, Any]) -> Verdict | None:
    """§2-§3: a signature, over the payload rebuilt from the params, by the key's account."""
    signature = params.get("signature")
    if not isinstance(signature, str) or not signature:
        return _missing("signature")
    payload = websocket_payload(params)
    if payload is None:
        bad = next(n for n in sorted(params) if _text(params[n]) is None)
        return rejected(
            Failure.MALFORMED_PARAMETER, "-1100", f"Illegal characters found in parameter '{bad}'.",
            "WebSocket API parameters are strings, numbers or booleans (§2).",
        )  # fmt: skip
    if not _signature_ok(accounts[params["apiKey"]], payload.encode("utf-8"), signature):
        return rejected(
            Failure.BAD_SIGNATURE, *_BAD_SIGNATURE,
            "the signature does not match the payload with this key's credentials: sign "
            "every parameter but signature, sorted by name, as name=value joined by '&', in "
            "raw UTF-8 without percent-encoding (§2, §3).", payload,
        )  # fmt: skip
    return None


def _timing_verdict(params: Mapping[str, Any], now: int, payload: str | None) -> Verdict:
    """§4: the REST rules for ``timestamp`` and ``recvWindow`` (spot: µs too)."""
    stamped = {n: str(v) for n, v in params.items() if n in ("timestamp", "recvWindow")}
    verdict = _timing(stamped, now, payload or "", "/api/")
    return Verdict(True, payload=payload) if verdict.ok else verdict


def check_websocket(
    params: Any,
    accounts: Mapping[str, Any],
    now: int,
    *,
    logon: bool = False,
    session_key: str | None = None,
) -> Verdict:
    """The server's checks of a SIGNED request's ``params``, for any number of accounts.

    :param session_key: the key a ``session.logon`` authenticated the connection with:
        a request without ``signature`` then needs only its ``timestamp`` (§3).
    """
    if not isinstance(params, dict):
        return _missing("params")
    if session_key is not None and "signature" not in params and not logon:
        return _timing_verdict(params, now, None)
    failure = _key_failure(params, accounts, logon)
    if failure is None:  # not `or`: a rejection is a false Verdict
        failure = _signature_failure(params, accounts)
    if failure is not None:
        return failure
    return _timing_verdict(params, now, websocket_payload(params))


def verify_binance_websocket(
    request: str | bytes | Mapping[str, Any],
    api_key: str,
    secret: str | bytes | None = None,
    *,
    public_key: object = None,
    clock: Clock | None = None,
) -> Verdict:
    """Check a Binance WebSocket API request as Binance's server would.

    Checks the ``apiKey``, ``signature`` present, the signature over the sorted
    ``name=value`` payload rebuilt from the JSON text (HMAC-SHA256 hex, or RSA/Ed25519
    base64), ``timestamp`` and ``recvWindow``, then the time, as for REST. A
    ``session.logon`` also needs an Ed25519 key.

    :param request: the request frame: JSON text, or the dict that ``json.dumps`` sends.
    :param api_key: the API key the request must carry.
    :param secret: the HMAC secret; or give ``public_key``.
    :param public_key: the RSA or Ed25519 key registered with Binance (PEM text or a
        ``cryptography`` key object; a private key stands for its public half).
    :param clock: the server's clock, Unix time in nanoseconds (default
        :func:`time.time_ns`).
    :raises ~requests_exchange_auth.ConfigurationError: unless exactly one of ``secret``
        and ``public_key`` is given.

    .. versionadded:: 0.3.0
    """
    credential = binance_account(secret, public_key, key_only=False, who="verify_binance_websocket")
    frame = parse_request(request)
    params = frame.get("params") if isinstance(frame, dict) else None
    logon = isinstance(frame, dict) and frame.get("method") == "session.logon"
    return check_websocket(params, {api_key: credential}, now_ms(clock), logon=logon)
