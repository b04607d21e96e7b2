"""Binance SIGNED requests, checked the way binance-signed-requests.md §3-§6 describe the server.

Written apart from the signing code (``binance.py``), so that one cannot hide the
other's bug. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from .._credentials import mask
from ._credential import binance_account
from ._credential import now_ms as _now_ms
from ._received import Received, _PreparedLike, as_received
from ._verdict import ACCEPTED, Failure, Verdict, rejected

KEY_HEADER = "X-MBX-APIKEY"
_BAD_SIGNATURE = ("-1022", "Signature for this request is not valid.")
_MICROSECONDS = 10**15  # a 16-digit timestamp (ms stay at 13 digits until the year 2286)
_MICROSECOND_APIS = ("/api/", "/sapi/")
# What the parameter patterns allow: plain ASCII digits, and for recvWindow up to three
# decimals (§5); int() alone would take "+1", " 1 ", "1_000" or Arabic-Indic digits.
_DIGITS = re.compile(r"[0-9]{1,20}")
_RECV_WINDOW = re.compile(r"[0-9]{1,5}(\.[0-9]{1,3})?")


def _split_signature(part: str) -> tuple[str, str] | None:
    """(part without its last ``signature=`` piece, signature), if that piece is last (§3)."""
    head, sep, value = part.rpartition("signature=")
    if not sep or "&" in value or (head and not head.endswith("&")):
        return None
    return head[:-1], value


def binance_payload(received: Received) -> tuple[str, str] | None:
    """(totalParams, signature) as the server reads them, or None without a last signature.

    §3: totalParams is the query followed by the body, no separator, the signature
    (last in the body when there is one, else in the query) left out.
    """
    query, body = received.query, received.body.decode("latin-1")
    split = _split_signature(body) if body else _split_signature(query)
    if split is None:
        return None
    rest, signature = split
    return (query + rest if body else rest), signature


def _signature_ok(credential: bytes | Any, payload: bytes, signature: str) -> bool:
    """Check ``signature`` over ``payload`` with an HMAC secret or an RSA/Ed25519 key (§4)."""
    if isinstance(credential, bytes):
        expected = hmac.new(credential, payload, hashlib.sha256).hexdigest().encode()
        # hex is case-insensitive server-side (§4)
        return hmac.compare_digest(expected, signature.lower().encode("latin-1"))
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415  # optional extra
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: PLC0415

    # The server form-decodes the parameter: an unescaped '+' becomes a space (§4).
    text = unquote_plus(signature, encoding="latin-1")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    if base64.b64encode(raw).decode() != text:  # a non-canonical spelling of other bytes
        return False
    try:
        if isinstance(credential, rsa.RSAPublicKey):
            credential.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        else:
            credential.verify(raw, payload)  # Ed25519: pure, no pre-hash
    except InvalidSignature:
        return False
    return True


def _timing(params: Mapping[str, str], now: int, payload: str, path: str) -> Verdict:
    """The timestamp and recvWindow rules of §5, after the signature verified."""
    timestamp = params.get("timestamp")
    if timestamp is None:
        return rejected(
            Failure.MISSING_PARAMETER, "-1102",
            "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
            "SIGNED requests need timestamp=<Unix milliseconds> in the signed payload (§5).",
            payload,
        )  # fmt: skip
    if not _DIGITS.fullmatch(timestamp):
        return rejected(
            Failure.MALFORMED_PARAMETER, "-1100",
            "Illegal characters found in parameter 'timestamp'.",
            f"timestamp={timestamp!r} is not an integer number of milliseconds (§5).", payload,
        )  # fmt: skip
    window_text = params.get("recvWindow", "5000")
    if not _RECV_WINDOW.fullmatch(window_text) or not 0 < float(window_text) <= 60000:
        return rejected(
            Failure.MALFORMED_PARAMETER, "-1131", "recvWindow must be less than 60000",
            f"recvWindow={window_text!r}: expected milliseconds > 0 and <= 60000 (§5).", payload,
        )  # fmt: skip
    stamp, window = float(timestamp), float(window_text)
    if stamp >= _MICROSECONDS and path.startswith(_MICROSECOND_APIS):
        # §5: spot (and SAPI, on the spot host) take microseconds too, told apart by size;
        # the futures and options APIs document milliseconds only.
        stamp /= 1000  # milliseconds, with the microseconds as a fraction
    if stamp >= now + 1000:  # §5, first check
        return rejected(
            Failure.TIMESTAMP_AHEAD, "-1021",
            "Timestamp for this request was 1000ms ahead of the server's time.",
            f"timestamp {timestamp} is {stamp - now:.0f} ms ahead of the server's {now}; sync the "
            "clock with the time endpoint (§5).", payload,
        )  # fmt: skip
    if now - stamp > window:  # §5, second check
        return rejected(
            Failure.STALE_TIMESTAMP, "-1021",
            "Timestamp for this request is outside of the recvWindow.",
            f"timestamp {timestamp} is {now - stamp:.0f} ms older than the server's {now}, "
            f"more than recvWindow {window_text} allows; sign just before sending (§5).",
            payload,
        )  # fmt: skip
    return ACCEPTED


def check_binance(
    received: Received, accounts: Mapping[str, bytes | Any], now: int, *, key_only: bool = False
) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes or public key)."""
    api_key = received.headers.get(KEY_HEADER)
    if not api_key:
        return rejected(
            Failure.MISSING_KEY, "-2014", "API-key format invalid.",
            f"the request has no {KEY_HEADER} header; Binance needs the API key there (§1).",
        )  # fmt: skip
    if api_key not in accounts:
        known = ", ".join(repr(mask(k)) for k in accounts)
        return rejected(
            Failure.UNKNOWN_KEY, "-2015", "Invalid API-key, IP, or permissions for action.",
            f"{KEY_HEADER} is {mask(api_key)!r}; expected {known or 'a registered key'}.",
        )  # fmt: skip
    if key_only:
        return ACCEPTED
    split = binance_payload(received)
    if split is None:
        where = "the body" if received.body else "the query"
        present = "signature=" in received.query + received.body.decode("latin-1")
        problem = "is not the last parameter of" if present else "is missing from"
        return rejected(
            Failure.MISSING_PARAMETER, "-1102",
            "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
            f"signature {problem} {where}; it must come last, after every signed "
            "parameter (§3).",
        )  # fmt: skip
    payload, signature = split
    if not _signature_ok(accounts[api_key], payload.encode("latin-1"), signature):
        return rejected(
            Failure.BAD_SIGNATURE, *_BAD_SIGNATURE,
            "the signature does not match the payload with this key's credentials: check "
            "the secret (or key pair), and that the signature covers query + body exactly "
            "as sent, concatenated without '&' (§3, §4).", payload,
        )  # fmt: skip
    params = dict(parse_qsl(received.body.decode("latin-1"), keep_blank_values=True))
    params.update(parse_qsl(received.query, keep_blank_values=True))  # §2: the query wins
    verdict = _timing(params, now, payload, received.path)
    return Verdict(True, payload=payload) if verdict.ok else verdict


def verify_binance(
    request: Received | _PreparedLike,
    api_key: str,
    secret: str | bytes | None = None,
    *,
    public_key: object = None,
    now_ms: int | None = None,
    key_only: bool = False,
) -> Verdict:
    """Check a Binance SIGNED request as Binance's server would.

    Checks, in the server's order: the ``X-MBX-APIKEY`` header, ``signature`` present and
    last, the signature over *query + body* (HMAC-SHA256 hex, or RSA/Ed25519 base64),
    ``timestamp`` and ``recvWindow``, then the time: rejected when ``timestamp`` is
    1000 ms or more ahead of ``now_ms``, or older than ``recvWindow`` (default 5000).

    :param request: a :class:`Received`, or a ``requests.PreparedRequest``.
    :param api_key: the API key the request must carry.
    :param secret: the HMAC secret; or give ``public_key``.
    :param public_key: the RSA or Ed25519 key registered with Binance: PEM text or a
        ``cryptography`` key object (a private key stands for its public half).
    :param now_ms: the server's time in Unix milliseconds; default the current time.
    :param key_only: check only the API key (``USER_STREAM``/``MARKET_DATA`` endpoints).
    :raises ~requests_exchange_auth.ConfigurationError: unless exactly one of
        ``secret`` and ``public_key`` is given (neither is needed with ``key_only``).

    .. versionadded:: 0.2.0
    """
    credential = binance_account(secret, public_key, key_only=key_only, who="verify_binance")
    received = as_received(request)
    return check_binance(received, {api_key: credential}, _now_ms(now_ms), key_only=key_only)
