"""BingX requests, checked the way bingx.md §2-§6 describe the server.

Written apart from the signing code (``schemes/bingx.py``); comparisons are constant-time.
"""

# ruff: noqa: S105  # the spec's throw-away test credentials are not secrets

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._window import window_failure

# bingx.md §8: credentials GENERATED FOR TESTING, throw-away
BINGX_KEY = "prdbsKXfF6vfTf4AKEaUOxGTPN9FSSdqOOU0BP9kpmaHnLRZ11Z98NIPiDh6FVcP"
BINGX_SECRET = "lClmRQMtwfRwjbIBuBHUz4CJNwOe9kMIcR0Kx33HNgHxWQOxNEfRDhwGiftF6MLI"

KEY_HEADER = "X-BX-APIKEY"
_DIGITS = re.compile(r"[0-9]{1,20}")
_WINDOW = re.compile(r"[0-9]{1,9}(\.[0-9]{1,3})?")
_SIGNATURE = re.compile(r"(?:^|&)signature=([^&]*)$")
_BAD_SIGN = ("100001", "Signature verification failed due to signature mismatch")
_BAD_KEY = ("100413", "Incorrect apiKey")
_NO_SIGN = ("100412", "Null signature")
_STAMP = ("100421", "Null timestamp or timestamp mismatch")
_PARAMS = ("109400", "Invalid parameters")
#: how far ahead of the server a timestamp may be: not documented (§9); Binance's rule
_AHEAD_MS = 1000
_DEFAULT_WINDOW_MS = 5000  # §5


def bingx_signed(received: Received) -> bytes:
    """§3: the query as sent without ``&signature=…``, percent-decoded (``+`` a space)."""
    query = received.query
    found = _SIGNATURE.search(query)
    if found is not None:
        query = query[: found.start()]
    return unquote_to_bytes(query.replace("+", " "))


def _params_refused(received: Received, params: dict[str, str], shown: str) -> Verdict | None:
    """§2, §5: no body, a signature last, a timestamp in ms, a recvWindow in ms."""
    if received.body:
        detail = "BingX takes every parameter in the query; this request has a body (§2)."
        return rejected(Failure.MALFORMED_PARAMETER, *_PARAMS, detail, shown)
    if _SIGNATURE.search(received.query) is None:
        detail = "the query has no signature parameter, or it is not the last one (§2)."
        return rejected(Failure.MISSING_PARAMETER, *_NO_SIGN, detail, shown)
    stamp = params.get("timestamp", "")
    if not _DIGITS.fullmatch(stamp):
        failure = Failure.MALFORMED_PARAMETER if stamp else Failure.MISSING_PARAMETER
        detail = f"timestamp is {stamp!r}; it must be Unix time in milliseconds (§5)."
        return rejected(failure, *_STAMP, detail, shown)
    window = params.get("recvWindow", str(_DEFAULT_WINDOW_MS))
    if not _WINDOW.fullmatch(window):
        detail = f"recvWindow is {window!r}; it must be milliseconds (§5)."
        return rejected(Failure.MALFORMED_PARAMETER, *_PARAMS, detail, shown)
    return None


def check_bingx(received: Received, accounts: Mapping[str, Any], now: int) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes)."""
    data = bingx_signed(received)
    shown = data.decode("utf-8", "replace")
    refused = unknown_key(received.headers.get(KEY_HEADER, ""), accounts, *_BAD_KEY,
                          where=f"the {KEY_HEADER} header", payload=shown)  # fmt: skip
    if refused is not None:
        return refused
    params = dict(parse_qsl(received.query, keep_blank_values=True))
    refused = _params_refused(received, params, shown)
    if refused is not None:
        return refused
    expected = hmac.new(accounts[received.headers[KEY_HEADER]], data, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), params["signature"].encode("utf-8")):
        detail = (
            "signature does not match hex HMAC-SHA256 of the query before it, decoded "
            "('%20' signs as a space), in the order sent, with this key's secret (§3)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_BAD_SIGN, detail, shown)
    window = float(params.get("recvWindow", _DEFAULT_WINDOW_MS))
    late = window_failure(int(params["timestamp"]), now, ahead_ms=_AHEAD_MS, behind_ms=window,
                          where="§5")  # fmt: skip
    if late is not None:
        return rejected(late[0], *_STAMP, late[1], shown)
    return Verdict(True, payload=shown)


class BingxVerifier(Verifier):
    """BingX requests (§2-§6): spot, perpetual swap and account endpoints alike."""

    scheme = "bingx"
    key_header = KEY_HEADER
    paths = ("/openApi/",)  # §1
    time_paths = ("/openApi/swap/v2/server/time", "/openApi/spot/v1/server/time")  # §5
    payload_title = "query signed (decoded, in the order sent, without signature)"
    advice = (
        "Put every parameter in the query with timestamp in milliseconds; sign the query "
        "decoded (raw values) in the order sent, hex HMAC-SHA256 with the secret, and "
        "append signature last; send the values percent-encoded and no body."
    )
    examples = (
        Example("GET, a value that needs encoding", "GET", "/openApi/spot/v1/trade/openOrders",
                params={"symbol": "MØTH-USDT"}),
        Example("POST, an order in the query", "POST", "/openApi/spot/v1/trade/order",
                params={"symbol": "BTC-USDT", "side": "BUY", "type": "LIMIT",
                        "quantity": "0.0001", "price": "60000", "newClientOrderId": "my order/1"}),
        Example("DELETE, parameters in the query", "DELETE", "/openApi/spot/v1/trade/order",
                params={"symbol": "BTC-USDT", "orderId": "1736011869418901234"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": BINGX_KEY, "secret": BINGX_SECRET}

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_bingx(received, accounts, now_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        return 200, {"code": int(verdict.code), "msg": verdict.reason}  # §6: often HTTP 200

    def is_rejection(self, status: int, answer: Any) -> bool:
        return status >= 400 or not isinstance(answer, dict) or answer.get("code") != 0

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"code": 0, "msg": "", "data": {}}

    def time_answer(self, now_ms: int) -> Any:
        return {"code": 0, "msg": "", "data": {"serverTime": now_ms}}

    def payload(self, received: Received) -> str:
        return bingx_signed(received).decode("utf-8", "replace")


BINGX = BingxVerifier()
