"""Poloniex v3 requests, checked as poloniex.md Part B describes the server.

Written apart from the signing code (``schemes/poloniex.py``); comparisons are constant-time.
The bodies of the timestamp answers are not documented (only HTTP 400 and 408 are): they
carry the docs' own words here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._window import window_failure

# poloniex.md Part B "v3 vectors": generated for testing; the key is made up here
POLONIEX_V3_KEY = "POLO-V3-TEST-KEY-0001"
POLONIEX_V3_SECRET = "polo-test-secret-0123456789abcdef"  # noqa: S105  # a published test vector

_FORBIDDEN = ("FORBIDDEN", "Invalid API key/secret pair.")  # Part B "Timing" (ccxt #15098)
_AHEAD = "signTimestamp is more than 1 second from poloniex system time"  # the docs' words
_LATE = "request timeout as recvWindow threshold has been breached"
_DIGITS = re.compile(r"[0-9]{1,20}")
#: what the local exchange assumes without recvWindow (Poloniex does not document it)
DEFAULT_WINDOW_MS = 5000
_WHERE = "poloniex.md Part B, Timing"


def _component(raw: str) -> tuple[bytes, str]:
    """As the server reads a query component (``+`` is a space), re-encoded the JS way."""
    value = unquote_to_bytes(raw.replace("+", " "))
    return value, quote(value, safe="~()*!'")


def param_string(received: Received, timestamp: str) -> str:
    """The "Request string"'s third line: the JSON body verbatim, else the sorted query."""
    if received.body:
        return f"requestBody={received.body.decode('utf-8', 'replace')}&signTimestamp={timestamp}"
    pairs = [(b"signTimestamp", f"signTimestamp={timestamp}")]
    for piece in filter(None, received.query.split("&")):
        name, _, value = piece.partition("=")
        key, shown = _component(name)
        pairs.append((key, f"{shown}={_component(value)[1]}"))
    return "&".join(text for _, text in sorted(pairs, key=lambda pair: pair[0]))


def request_text(received: Received) -> str:
    """``METHOD\\npath\\nparams``, as the server rebuilds it from what it received."""
    timestamp = received.headers.get("signTimestamp", "")
    return f"{received.method}\n{received.path}\n{param_string(received, timestamp)}"


def _timing(received: Received, now: int, payload: str) -> Verdict | None:
    """Part B "Timing", after the signature verified: 400 ahead, 408 past the window."""
    window = received.headers.get("recvWindow")
    if window is not None and not _DIGITS.fullmatch(window):
        return rejected(
            Failure.MALFORMED_PARAMETER, "601", "Invalid Parameter",
            f"recvWindow={window!r}: expected whole milliseconds, e.g. 1500.", payload,
        )  # fmt: skip
    behind = int(window) if window is not None else DEFAULT_WINDOW_MS
    late = window_failure(
        int(received.headers["signTimestamp"]), now, ahead_ms=1001, behind_ms=behind, where=_WHERE
    )
    if late is None:
        return None
    failure, detail = late
    if failure is Failure.TIMESTAMP_AHEAD:
        return rejected(failure, "400", _AHEAD, detail, payload)
    if window is None:
        detail += f" (no recvWindow: the local exchange assumes {DEFAULT_WINDOW_MS} ms)"
    return rejected(failure, "408", _LATE, detail, payload)


def check_poloniex_v3(received: Received, accounts: Mapping[str, bytes], now: int) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes)."""
    key = received.headers.get("key", "")
    refused = unknown_key(key, accounts, *_FORBIDDEN, where="the key header")
    if refused is not None:
        return refused
    timestamp = received.headers.get("signTimestamp", "")
    if not _DIGITS.fullmatch(timestamp):
        return rejected(
            Failure.MISSING_PARAMETER if not timestamp else Failure.MALFORMED_PARAMETER,
            *_FORBIDDEN, f"signTimestamp={timestamp!r}: expected Unix milliseconds, the "
            "same digits as in the signed request string (Part B, Headers).",
        )  # fmt: skip
    if received.body and received.query:
        return rejected(
            Failure.MALFORMED_PARAMETER, "601", "Invalid Parameter",
            "a query and a JSON body together: the official SDKs sign this differently; "
            "put every parameter in the JSON body (Part B, Request string).",
        )  # fmt: skip
    payload = request_text(received)
    expected = base64.b64encode(hmac.digest(accounts[key], payload.encode(), hashlib.sha256))
    if not hmac.compare_digest(expected, received.headers.get("signature", "").encode("latin-1")):
        return rejected(
            Failure.BAD_SIGNATURE, *_FORBIDDEN,
            "signature does not match: it is base64 HMAC-SHA256 (the secret's own bytes) of "
            "METHOD\\npath\\nparams, where params is the query sorted by name and encoded "
            "as encodeURIComponent with signTimestamp among them, or requestBody=<the exact "
            "JSON>&signTimestamp=<ts>; the timestamp signed must be the signTimestamp sent.",
            payload,
        )  # fmt: skip
    late = _timing(received, now, payload)  # a rejection is falsy: no "or" here
    return Verdict(True, payload=payload) if late is None else late


class PoloniexVerifier(Verifier):
    """Poloniex v3 requests: HMAC-SHA256 of the request string, timestamps in a window."""

    scheme = "poloniex"
    key_header = "key"
    paths = (  # Part B: the private groups of spot v3, and futures v3 under /v3/
        "/orders", "/orders/", "/smartorders", "/smartorders/", "/accounts", "/accounts/",
        "/subaccounts", "/subaccounts/", "/wallets/", "/margin/", "/trades", "/feeinfo",
        "/v3/",
    )  # fmt: skip
    time_paths = ("/timestamp",)
    payload_title = "request string signed (METHOD, path, sorted parameters)"
    advice = (
        "Sign METHOD\\npath\\nparams: the query sorted by name, encoded as encodeURIComponent "
        "(a space is %20), with signTimestamp among them, or requestBody=<exact JSON>&"
        "signTimestamp=<ts>; send the timestamp you signed in signTimestamp."
    )
    examples = (
        Example("GET, the query sorted and signed", "GET", "/orders",
                params={"symbol": "ETH_USDT", "limit": "5"}),
        Example("POST, the JSON body signed verbatim", "POST", "/orders",
                json={"symbol": "ETH_USDT", "type": "LIMIT", "side": "BUY", "price": "1000",
                      "quantity": "1", "timeInForce": "GTC", "clientOrderId": "1234Abc"}),
        Example("futures v3 GET, a value with a space", "GET", "/v3/trade/order/history",
                params={"symbol": "BTC_USDT_PERP", "clOrdId": "my id/1"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": POLONIEX_V3_KEY, "secret": POLONIEX_V3_SECRET}

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_poloniex_v3(received, accounts, now_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        status = 408 if verdict.code == "408" else 400  # Part B, Timing
        code: Any = int(verdict.code) if verdict.code.isdigit() else verdict.code
        return status, {"code": code, "message": verdict.reason}

    def payload(self, received: Received) -> str:
        return request_text(received)


POLONIEX = PoloniexVerifier()
