"""Poloniex legacy ``tradingApi`` requests, checked as poloniex.md Part A describes the server.

Written apart from the signing code (``poloniex.py``); comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from . import _accounts
from ._credential import secret_bytes
from ._received import Received, _PreparedLike, as_received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key

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
    api_key = received.headers.get("Key", "")
    refused = unknown_key(api_key, accounts, *_INVALID_PAIR, where="the Key header", payload=body)
    if refused is not None:
        return refused
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


class PoloniexLegacyVerifier(Verifier):
    """Poloniex legacy ``tradingApi`` requests, nonces strictly rising per key (Part A)."""

    scheme = "poloniex-legacy"
    key_header = "Key"
    paths = ("/tradingApi",)  # Part A: every private call is a POST to /tradingApi
    tracks_nonces = True
    payload_title = "payload signed (the exact body, nonce included)"
    advice = (
        "Sign the exact body bytes after the nonce is in it; key HMAC-SHA512 with the "
        "secret's own text (do not hex-decode it); send Sign as lowercase hex."
    )
    examples = (
        Example("nonce + HMAC-SHA512 of the body", "POST", "/tradingApi",
                data={"command": "buy", "currencyPair": "BTC_ETH", "rate": "0.01",
                      "amount": "1"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": _accounts.POLONIEX_KEY, "secret": _accounts.POLONIEX_SECRET}

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_poloniex(received, accounts, last_nonce)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        # client libraries report the nonce error with HTTP 422 (poloniex.md, Nonce rules)
        status = 422 if verdict.failure is Failure.NONCE_NOT_INCREASING else 403
        return status, {"error": verdict.reason}

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"success": 1, "nonce": verdict.nonce}

    def payload(self, received: Received) -> str:
        return received.body.decode("latin-1")


POLONIEX_LEGACY = PoloniexLegacyVerifier()
