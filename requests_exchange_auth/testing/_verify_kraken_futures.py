"""Kraken Futures requests, checked as kraken.md Part F (F2-F5) describes the server.

Written apart from the signing code (``schemes/kraken_futures.py``); comparisons are
constant-time. The derivatives API answers errors with HTTP 200 and ``"result": "error"``;
the History API a failed signature with HTTP 401 (F5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Any

from .._time import iso_ms
from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._verify_kraken import kraken_secret

# kraken.md F8: generated for testing, never live
KRAKEN_FUTURES_KEY = "cqz1m9b61J0IFW8Wbg5cbIh1GPJ44vcP1jFmUkbUxaybnZfN/4vUy1ud"
KRAKEN_FUTURES_SECRET = (  # the spec's generated test secret
    "enQXzCPXAiPL0qa8RxXkDJ6fZcbFqmtBUIBEoY0q9rTPnM0OvEVYxvExUja6wyD3x2XFOS8I1HIXAPQJ+n5fQg=="  # noqa: S105
)

_AUTHENTICATION = ("authenticationError", "authenticationError")
_DIGITS = re.compile(r"[0-9]{1,20}")
_HISTORY = "/api/history/"
_UNAUTHORIZED = {
    "reason": "You are not authorized to access this endpoint.",
    "status": "unauthorized",
}


def hashed_string(received: Received) -> bytes:
    """F2: postData (query then body, as sent) ‖ nonce ‖ endpointPath (no ``/derivatives``)."""
    path = received.path
    if path.startswith("/derivatives/"):
        path = path[len("/derivatives") :]
    nonce = received.headers.get("Nonce", "")
    return (
        received.query.encode("latin-1") + received.body + nonce.encode("latin-1") + path.encode()
    )


def check_kraken_futures(
    received: Received, accounts: Mapping[str, bytes], last_nonce: int | None = None
) -> Verdict:
    """The server's checks, for any number of accounts (key -> decoded secret)."""
    message = hashed_string(received)
    shown = message.decode("latin-1")
    key = received.headers.get("APIKey")
    refused = unknown_key(key, accounts, *_AUTHENTICATION, where="the APIKey header",
                          payload=shown)  # fmt: skip
    if refused is not None:
        return refused
    nonce = received.headers.get("Nonce")
    if nonce is not None and not _DIGITS.fullmatch(nonce):
        return rejected(
            Failure.MALFORMED_PARAMETER, *_AUTHENTICATION,
            f"Nonce={nonce!r}: expected an integer, e.g. Unix milliseconds (F4).", shown,
        )  # fmt: skip
    digest = hashlib.sha256(message).digest()
    expected = base64.b64encode(hmac.digest(accounts[str(key)], digest, hashlib.sha512))
    if not hmac.compare_digest(expected, received.headers.get("Authent", "").encode("latin-1")):
        return rejected(
            Failure.BAD_SIGNATURE, *_AUTHENTICATION,
            "Authent does not match: it is base64 HMAC-SHA512, keyed with the base64-decoded "
            "Futures secret, of the binary SHA-256 of query + body exactly as sent (URL-encoded, "
            "no separator), the Nonce header, and the path WITHOUT its leading /derivatives; "
            "a Spot key pair does not work here (F2, F10).", shown,
        )  # fmt: skip
    if nonce is None:  # F4: optional, and then nothing protects against replay
        return Verdict(True, payload=shown)
    value = int(nonce)
    if last_nonce is not None and value <= last_nonce:
        code = "nonceDuplicate" if value == last_nonce else "nonceBelowThreshold"
        detail = (
            f"Nonce {value} is not greater than {last_nonce}, the last accepted for this key "
            "(F4): another process or thread shares the key; use a FileNonce (one host), a "
            "RedisNonce (several hosts) or an OrderedNonce (many threads)."
        )
        return Verdict(False, code, code, Failure.NONCE_NOT_INCREASING, detail, shown, value)
    return Verdict(True, payload=shown, nonce=value)


class KrakenFuturesVerifier(Verifier):
    """Kraken Futures derivatives v3 and History API requests, nonces rising per key (F4)."""

    scheme = "kraken-futures"
    key_header = "APIKey"
    paths = ("/derivatives/api/v3/", _HISTORY)  # F1
    tracks_nonces = True
    payload_title = "string hashed (query + body + nonce + path without /derivatives)"
    advice = (
        "Hash query + body exactly as sent, then the Nonce, then the path without "
        "/derivatives; HMAC-SHA512 the binary SHA-256 with the base64-decoded Futures secret."
    )
    examples = (
        Example("GET, no parameters", "GET", "/derivatives/api/v3/openpositions"),
        Example("POST, a form body", "POST", "/derivatives/api/v3/sendorder",
                data={"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": "0.01",
                      "limitPrice": "50000", "cliOrdId": "my_order/1"}),
        Example("History API GET, signed with its whole path", "GET", "/api/history/v2/orders",
                params={"since": "1708430000000", "count": "50"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": KRAKEN_FUTURES_KEY, "secret": KRAKEN_FUTURES_SECRET}

    def credential(self, *values: Any) -> Any:
        return kraken_secret(values[0])

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_kraken_futures(received, accounts, last_nonce)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        if verdict.payload is not None and _HISTORY in verdict.payload:
            return 401, _UNAUTHORIZED  # F5: the History API's answer
        return 200, {"result": "error", "error": verdict.reason, "serverTime": _now()}

    def is_rejection(self, status: int, answer: Any) -> bool:
        return status >= 400 or not isinstance(answer, dict) or answer.get("result") == "error"

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"result": "success", "serverTime": iso_ms(now_ms)}

    def payload(self, received: Received) -> str:
        return hashed_string(received).decode("latin-1")


def _now() -> str:
    return iso_ms(time.time_ns() // 1_000_000)


KRAKEN_FUTURES = KrakenFuturesVerifier()
