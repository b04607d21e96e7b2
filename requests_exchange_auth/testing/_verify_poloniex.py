"""Poloniex legacy ``tradingApi`` requests, checked as poloniex.md Part A describes the server.

Written apart from the signing code (``poloniex.py``); comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from .._credentials import mask
from ._credential import secret_bytes
from ._received import Received, _PreparedLike, as_received
from ._verdict import Failure, Verdict, rejected

_INVALID_PAIR = ("error", "Invalid API key/secret pair.")
_DIGITS = re.compile(r"[0-9]{1,20}")


def check_poloniex(  # noqa: PLR0911  # one early return per server check
    received: Received, accounts: Mapping[str, bytes], last_nonce: int | None = None
) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes).

    :param last_nonce: the last nonce accepted for the request's key; ``None`` skips
        the "strictly greater" rule (the caller keeps that state).
    """
    body = received.body.decode("latin-1")
    api_key = received.headers.get("Key")
    if not api_key:
        detail = "the request has no Key header (the API key)."
        return rejected(Failure.MISSING_KEY, *_INVALID_PAIR, detail, body)
    if api_key not in accounts:
        known = ", ".join(repr(mask(k)) for k in accounts)
        return rejected(
            Failure.UNKNOWN_KEY, *_INVALID_PAIR,
            f"Key is {mask(api_key)!r}; expected {known or 'a registered key'}.", body,
        )  # fmt: skip
    sign = received.headers.get("Sign")
    if not sign:
        return rejected(
            Failure.MISSING_PARAMETER, *_INVALID_PAIR,
            "the request has no Sign header: hex HMAC-SHA512 of the body (Part A).", body,
        )  # fmt: skip
    expected = hmac.new(accounts[api_key], received.body, hashlib.sha512).hexdigest()
    if not hmac.compare_digest(expected.encode(), sign.encode("latin-1")):
        return rejected(
            Failure.BAD_SIGNATURE, *_INVALID_PAIR,
            "Sign does not match the body with this key's secret: it must be the lowercase "
            "hex HMAC-SHA512 of the exact body bytes, keyed with the secret's own text "
            "(not hex-decoded), computed after the nonce was added (Part A).", body,
        )  # fmt: skip
    nonces = [v for k, v in parse_qsl(body, keep_blank_values=True) if k == "nonce"]
    if not nonces:
        return rejected(
            Failure.MISSING_PARAMETER, "error", "Missing nonce.",
            "the body has no nonce parameter (Part A, Nonce rules).", body,
        )  # fmt: skip
    if len(nonces) > 1 or not _DIGITS.fullmatch(nonces[0]):
        return rejected(
            Failure.MALFORMED_PARAMETER, "error", "Invalid nonce parameter.",
            f"expected one nonce made of digits, got {nonces!r}.", body,
        )  # fmt: skip
    nonce = int(nonces[0])
    if last_nonce is not None and nonce <= last_nonce:
        message = f"Nonce must be greater than {last_nonce}. You provided {nonce}."
        detail = (
            "nonces must increase for each key, forever; another client may share the "
            "key, or requests overtook each other (Part A, Nonce rules)."
        )
        return Verdict(False, "error", message, Failure.NONCE_NOT_INCREASING, detail, body, nonce)
    return Verdict(True, payload=body, nonce=nonce)


def verify_poloniex(
    request: Received | _PreparedLike,
    api_key: str,
    secret: str | bytes,
    *,
    last_nonce: int | None = None,
) -> Verdict:
    """Check a Poloniex legacy trading-API request as Poloniex's server would.

    Checks the ``Key`` header, ``Sign`` (hex HMAC-SHA512 of the body keyed with the
    secret's text), one ``nonce`` made of digits, and that it is greater than
    ``last_nonce``. The accepted verdict's ``nonce`` is the one to pass next time.

    :param request: a :class:`Received`, or a ``requests.PreparedRequest``.
    :param api_key: the API key the request must carry.
    :param secret: the API secret.
    :param last_nonce: the last nonce accepted for this key, if any.

    .. versionadded:: 0.2.0
    """
    accounts = {api_key: secret_bytes(secret, "secret")}
    return check_poloniex(as_received(request), accounts, last_nonce)
