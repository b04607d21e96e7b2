"""Gate APIv4 requests, checked the way gate.md §2-§6 describe the server.

Written apart from the signing code (``schemes/gate.py``); comparisons are constant-time.
"""

# ruff: noqa: S105  # the spec's throw-away test credentials are not secrets

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import unquote_to_bytes

from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._window import window_failure

# gate.md §8: credentials GENERATED FOR TESTING, throw-away
GATE_KEY = "fbe81fb8919769cfbb231813d22f0ae2"
GATE_SECRET = "7c9c3bd8bbcaf47a88a42d7fe95d992ff50877b980b1d48ef77c76c48aac1c2d"

KEY_HEADER = "KEY"
# §5: seconds; the official SDK sends str(time.time()), a float, which Gate accepts
_SECONDS = re.compile(r"[0-9]{1,20}(\.[0-9]{1,9})?")
_MISSING = ("MISSING_REQUIRED_HEADER", "Missing required header: KEY, Timestamp or SIGN")
_BAD_KEY = ("INVALID_KEY", "Invalid key provided")
_BAD_SIGN = ("INVALID_SIGNATURE", "Signature mismatch")
_EXPIRED = ("REQUEST_EXPIRED", "Request Timestamp is far from the server time")
_ORDER = {"text": "t-rxa-demo-1", "currency_pair": "BTC_USDT", "type": "limit",
          "account": "spot", "side": "buy", "amount": "0.001", "price": "50000",
          "time_in_force": "gtc"}  # fmt: skip


def gate_string(received: Received) -> bytes:
    """§3: METHOD, path, the query percent-decoded (``+`` a space), SHA-512 of the body and
    the Timestamp header, joined by newlines."""
    query = unquote_to_bytes(received.query.replace("+", " "))
    head = f"{received.method}\n{received.path}\n".encode("latin-1", "replace")
    digest = hashlib.sha512(received.body).hexdigest()
    stamp = received.headers.get("Timestamp", "")
    return head + query + f"\n{digest}\n{stamp}".encode("latin-1", "replace")


def check_gate(
    received: Received, accounts: Mapping[str, Any], now: int, *, window_ms: int
) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes)."""
    data = gate_string(received)
    shown = data.decode("utf-8", "replace")
    headers = received.headers
    refused = unknown_key(headers.get(KEY_HEADER, ""), accounts, *_BAD_KEY,
                          where=f"the {KEY_HEADER} header", payload=shown)  # fmt: skip
    if refused is not None:
        return refused
    missing = [name for name in ("Timestamp", "SIGN") if not headers.get(name)]
    if missing:
        detail = f"the request lacks the {' and '.join(missing)} header (§2)."
        return rejected(Failure.MISSING_PARAMETER, *_MISSING, detail, shown)
    stamp = headers["Timestamp"]
    if not _SECONDS.fullmatch(stamp):
        detail = f"Timestamp is {stamp!r}; it must be Unix time in seconds (§5)."
        return rejected(Failure.MALFORMED_PARAMETER, *_EXPIRED, detail, shown)
    expected = hmac.new(accounts[headers[KEY_HEADER]], data, hashlib.sha512).hexdigest()
    if not hmac.compare_digest(expected.encode(), headers["SIGN"].encode("latin-1", "replace")):
        detail = (
            "SIGN does not match hex HMAC-SHA512 of METHOD, the path with /api/v4, the query "
            "un-encoded ('%2C' signs as ','), the hex SHA-512 of the exact body and the "
            "Timestamp, joined by newlines, with this key's secret (§3, §4)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_BAD_SIGN, detail, shown)
    stamp_ms = float(Decimal(stamp) * 1000)
    # §5: "the gap between its value and current time cannot exceed 60 seconds"
    late = window_failure(stamp_ms, now, ahead_ms=window_ms + 1, behind_ms=window_ms, where="§5")
    if late is not None:
        return rejected(late[0], *_EXPIRED, late[1], shown)
    return Verdict(True, payload=shown)


class GateVerifier(Verifier):
    """Gate APIv4 requests (§2-§6), on the main, futures and TestNet hosts alike."""

    scheme = "gate"
    key_header = KEY_HEADER
    paths = ("/api/v4/",)  # §1: every private endpoint is under /api/v4
    time_paths = ("/api/v4/spot/time",)  # §5
    #: how far the timestamp may be from the server's clock, either way (§5: 60 s)
    window_ms: ClassVar[int] = 60_000
    payload_title = "string signed (METHOD, path, un-encoded query, SHA-512 of body, timestamp)"
    advice = (
        "Join with newlines: the upper-case method, the path including /api/v4, the query "
        "un-encoded in its order, the hex SHA-512 of the exact body (of nothing when there "
        "is none) and the Timestamp in seconds; hex HMAC-SHA512 with the secret as it is."
    )
    examples = (
        Example("GET, the query signed un-encoded", "GET", "/api/v4/unified/estimate_rate",
                params={"currencies": "BTC,GT", "note": "a b/é+1"}),
        Example("POST, a JSON order", "POST", "/api/v4/spot/orders", json=_ORDER),
        Example("DELETE, parameters in the query", "DELETE", "/api/v4/spot/orders/12345678",
                params={"currency_pair": "BTC_USDT"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": GATE_KEY, "secret": GATE_SECRET}

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_gate(received, accounts, now_ms, window_ms=self.window_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        return 401, {"label": verdict.code, "message": verdict.reason}  # §6: HTTP 401

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {}

    def time_answer(self, now_ms: int) -> Any:
        return {"server_time": now_ms}

    def payload(self, received: Received) -> str:
        return gate_string(received).decode("utf-8", "replace")


GATE = GateVerifier()
