"""MEXC spot v3 SIGNED requests, checked the way mexc.md §3-§6 describe the server.

Written apart from the signing code (``schemes/mexc.py``); comparisons are constant-time.
"""

# ruff: noqa: S105  # the spec's throw-away test credentials are not secrets

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from ._credential import secret_bytes
from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._window import window_failure

# mexc.md §8: the key GENERATED FOR TESTING, and the docs' example key (both throw-away)
MEXC_KEY = "mx0W2W9ovAzFr8lOKR"
MEXC_SECRET = "579da6f58b93f2386364ba8a893edbcb"
MEXC_DOCS_KEY = "mx0aBYs33eIilxBWC5"
MEXC_DOCS_SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"

KEY_HEADER = "X-MEXC-APIKEY"
_DIGITS = re.compile(r"[0-9]{1,20}")
_HEX = re.compile(r"[0-9a-f]{64}")  # §1: "support lowercase only"
_BAD_KEY = ("10072", "Api key info invalid")
_BAD_SIGNATURE = ("700002", "Signature for this request is not valid.")
_MISSING = "700004"
_ILLEGAL = ("700008", "Illegal characters found in parameter")
_MAX_WINDOW = 60000
_ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.0001",
          "price": "60000", "newClientOrderId": "rxa-demo-0001"}  # fmt: skip


def _split_signature(part: str) -> tuple[str, str] | None:
    """(part without its last ``signature=`` piece, signature), if that piece is last (§2)."""
    head, sep, value = part.rpartition("signature=")
    if not sep or "&" in value or (head and not head.endswith("&")):
        return None
    return head[:-1], value


def mexc_payload(received: Received) -> tuple[str, str] | None:
    """(totalParams, signature) as the server reads them, or None without a last signature.

    §3: the query followed by the body as received, no ``&`` between, the signature
    (last in the body when there is one, else in the query) left out.
    """
    query, body = received.query, received.body.decode("latin-1")
    split = _split_signature(body) if body else _split_signature(query)
    if split is None:
        return None
    rest, signature = split
    return (query + rest if body else rest), signature


def _missing(name: str, detail: str, payload: str | None = None) -> Verdict:
    reason = f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
    return rejected(Failure.MISSING_PARAMETER, _MISSING, reason, detail, payload)


def _timing(params: Mapping[str, str], now: int, payload: str) -> Verdict:
    """§5: integer ms ``timestamp``, ``recvWindow`` up to 60000, then the window itself."""
    stamp = params.get("timestamp")
    if stamp is None:
        return _missing("timestamp", "SIGNED requests carry timestamp=<Unix ms> (§5).", payload)
    window = params.get("recvWindow", "5000")
    for name, value in (("timestamp", stamp), ("recvWindow", window)):
        if not _DIGITS.fullmatch(value):
            detail = f"{name}={value!r} is not a whole number of milliseconds (§5)."
            return rejected(Failure.MALFORMED_PARAMETER, *_ILLEGAL, detail, payload)
    if not 0 < int(window) <= _MAX_WINDOW:
        detail = f"recvWindow={window}: expected 1 to {_MAX_WINDOW} milliseconds (§5)."
        reason = "recvWindow must less than 60000"
        return rejected(Failure.MALFORMED_PARAMETER, "700005", reason, detail, payload)
    # §5: if (timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)
    late = window_failure(int(stamp), now, ahead_ms=1000, behind_ms=int(window), where="§5")
    if late is not None:
        reason = "Timestamp for this request is outside of the recvWindow."
        return rejected(late[0], "700003", reason, late[1], payload)
    return Verdict(True, payload=payload)


def check_mexc(received: Received, accounts: Mapping[str, bytes], now: int) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes)."""
    api_key = received.headers.get(KEY_HEADER, "")
    refused = unknown_key(api_key, accounts, *_BAD_KEY, where=f"the {KEY_HEADER} header")
    if refused is not None:
        return refused
    split = mexc_payload(received)
    if split is None:
        where = "the body" if received.body else "the query"
        return _missing("signature", f"signature is missing from, or not last in, {where} (§2).")
    payload, signature = split
    expected = hmac.new(accounts[api_key], payload.encode("latin-1"), hashlib.sha256).hexdigest()
    if not _HEX.fullmatch(signature) or not hmac.compare_digest(expected, signature):
        detail = (
            "the signature is not the lowercase hex HMAC-SHA256 of the query followed by "
            "the body exactly as sent (no '&' between, the signature left out) under this "
            "key's secret (§3, §4)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_BAD_SIGNATURE, detail, payload)
    params = dict(parse_qsl(received.body.decode("latin-1"), keep_blank_values=True))
    params.update(parse_qsl(received.query, keep_blank_values=True))  # §2: the query wins
    return _timing(params, now, payload)


class MexcVerifier(Verifier):
    """MEXC spot v3 SIGNED requests (§2-§6): HMAC keys, the recvWindow rule."""

    scheme = "mexc"
    key_header = KEY_HEADER
    # §1: spot v3 lives under /api/v3/, a prefix Binance's /api/ holds: sharing it, the
    # key header tells the two apart (a keyless request there is Binance's to answer)
    paths = ("/api/",)
    time_paths = ("/api/v3/time",)  # §5
    payload_title = "payload signed (query + body as sent, no '&' between)"
    advice = (
        "Sign the query string followed by the body exactly as sent, with no '&' between "
        "them; percent-encode every character but letters, digits and -_.~ (uppercase "
        "escapes, a space as %20) before signing; put signature last, in lowercase hex; "
        "use the secret of this API key."
    )
    examples = (
        Example("SIGNED GET, parameters in the query", "GET", "/api/v3/account"),
        Example("SIGNED POST, an order in the form body", "POST", "/api/v3/order", data=_ORDER),
        Example("SIGNED GET, values that need encoding", "GET",
                "/api/v3/capital/withdraw/history",
                params={"coin": "USDT", "network": "BEP20(BSC)", "remark": "a b/é"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": MEXC_KEY, "secret": MEXC_SECRET}

    def accounts(self) -> dict[str, Any]:
        return {
            MEXC_KEY: secret_bytes(MEXC_SECRET, "secret"),
            MEXC_DOCS_KEY: secret_bytes(MEXC_DOCS_SECRET, "secret"),
        }

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_mexc(received, accounts, now_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        # §6: every signing error is an HTTP 400 with {"code": ..., "msg": ...}
        return 400, {"code": int(verdict.code), "msg": verdict.reason}

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        params = dict(parse_qsl(received.body.decode("latin-1"), keep_blank_values=True))
        params.update(parse_qsl(received.query, keep_blank_values=True))
        return 200, {"accepted": True, "params": params}

    def payload(self, received: Received) -> str:
        split = mexc_payload(received)
        return split[0] if split is not None else ""


MEXC = MexcVerifier()
