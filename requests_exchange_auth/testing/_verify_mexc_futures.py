"""MEXC futures (contract API) requests, checked the way mexc.md §9 describes the server.

Written apart from the signing code (``schemes/mexc_futures.py``); comparisons are
constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._verify_mexc import MEXC_KEY, MEXC_SECRET
from ._window import window_failure

KEY_HEADER = "ApiKey"
_DIGITS = re.compile(r"[0-9]{1,20}")
_HEX = re.compile(r"[0-9a-f]{64}")
_BAD_KEY = ("10072", "invalid access key")
_BAD_SIGN = ("602", "Signature verification failed!")
_BAD_TIME = ("10073", "invalid Request-Time")
# Not in the spec: how far Request-Time may be from the server's clock, either way. MEXC's
# docs name an optional Recv-Window header without its default; this local exchange
# takes 10 s each way.
WINDOW_MS = 10_000
_ORDER = {"symbol": "BTC_USDT", "price": 60000, "vol": 1, "side": 1, "type": 1,
          "openType": 1, "leverage": 20}  # fmt: skip


def mexc_futures_payload(received: Received) -> str:
    """§9: access key + Request-Time + the parameter string of the method.

    GET/DELETE: the query's parameters as the server decodes them, sorted by name,
    percent-encoded again (RFC 3986, a space as ``%20``) and joined ``k=v&...``; POST:
    the body as received.
    """
    headers = received.headers
    head = f"{headers.get(KEY_HEADER, '')}{headers.get('Request-Time', '')}"
    if received.method == "POST":
        return head + received.body.decode("latin-1")
    pairs = sorted(parse_qsl(received.query, keep_blank_values=True), key=lambda p: p[0])
    return head + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def check_mexc_futures(received: Received, accounts: Mapping[str, bytes], now: int) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes)."""
    payload = mexc_futures_payload(received)
    api_key = received.headers.get(KEY_HEADER, "")
    refused = unknown_key(api_key, accounts, *_BAD_KEY, where=f"the {KEY_HEADER} header")
    if refused is not None:
        return refused
    stamp = received.headers.get("Request-Time", "")
    if not _DIGITS.fullmatch(stamp):
        detail = f"Request-Time is {stamp!r}; it must be Unix milliseconds (§9)."
        return rejected(Failure.MALFORMED_PARAMETER, *_BAD_TIME, detail, payload)
    signature = received.headers.get("Signature", "")
    expected = hmac.new(accounts[api_key], payload.encode("latin-1", "replace"), hashlib.sha256)
    if not _HEX.fullmatch(signature) or not hmac.compare_digest(expected.hexdigest(), signature):
        detail = (
            "Signature is not the hex HMAC-SHA256 of key + Request-Time + the parameter "
            "string (a GET's query sorted by name and percent-encoded, a POST's exact JSON "
            "body) under this key's secret (§9)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_BAD_SIGN, detail, payload)
    late = window_failure(int(stamp), now, ahead_ms=WINDOW_MS, behind_ms=WINDOW_MS, where="§9")
    if late is not None:
        return rejected(late[0], *_BAD_TIME, late[1], payload)
    return Verdict(True, payload=payload)


class MexcFuturesVerifier(Verifier):
    """MEXC contract API requests (§9): the three headers, the sorted query or the body."""

    scheme = "mexc-futures"
    key_header = KEY_HEADER
    paths = ("/api/v1/private/",)  # §9: contract.mexc.com and api.mexc.com alike
    time_paths = ("/api/v1/contract/ping",)
    payload_title = "string signed (API key + Request-Time + sorted query or JSON body)"
    advice = (
        "Sign the API key followed by Request-Time and then, for a GET or DELETE, the "
        "query's parameters sorted by name and percent-encoded (send that same query), or "
        "for a POST the exact JSON body; hex HMAC-SHA256 under the secret, in Signature."
    )
    examples = (
        Example("GET, parameters in the query", "GET", "/api/v1/private/order/list/history_orders",
                params={"symbol": "BTC_USDT", "page_size": "20", "page_num": "1"}),
        Example("POST, a JSON order", "POST", "/api/v1/private/order/submit", json=_ORDER),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": MEXC_KEY, "secret": MEXC_SECRET}

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_mexc_futures(received, accounts, now_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        # the contract API's error shape, in an HTTP 200 (its integration guide)
        return 200, {"success": False, "code": int(verdict.code), "message": verdict.reason}

    def is_rejection(self, status: int, answer: Any) -> bool:
        return status >= 400 or (isinstance(answer, dict) and answer.get("success") is False)

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        params = dict(parse_qsl(received.query, keep_blank_values=True))
        return 200, {"success": True, "code": 0, "data": {"params": params}}

    def time_answer(self, now_ms: int) -> Any:
        return {"success": True, "code": 0, "data": now_ms}

    def payload(self, received: Received) -> str:
        return mexc_futures_payload(received)


MEXC_FUTURES = MexcFuturesVerifier()
