"""OKX v5 requests, checked the way okx.md §3-§7 describe the server.

Written apart from the signing code (``schemes/okx.py``); comparisons are constant-time.
"""

# ruff: noqa: S105  # the spec's throw-away test credentials are not secrets

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar

from ._credential import PassphraseAccount, passphrase_account
from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._window import window_failure

# okx.md §9: credentials GENERATED FOR TESTING, throw-away
OKX_KEY = "92eaba0a-60ce-4eef-b5fc-79989085ebcd"
OKX_SECRET = "963A96684EAC4E755A3AA7F08536BB1E"
OKX_PASSPHRASE = "Okx-Test#2026!pass"

KEY_HEADER = "OK-ACCESS-KEY"
_ISO_MS = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z")
_EMPTY = "Request header {} can not be empty."
_ORDER = {"instId": "BTC-USDT", "tdMode": "cash", "clOrdId": "rxaDemo0001", "side": "buy",
          "ordType": "limit", "px": "30000", "sz": "0.01"}  # fmt: skip


def okx_prehash(received: Received) -> str:
    """§3: timestamp + METHOD + requestPath (path, ``?`` and query as sent) + body."""
    path = received.path + (f"?{received.query}" if received.query else "")
    stamp = received.headers.get("OK-ACCESS-TIMESTAMP", "")
    return f"{stamp}{received.method}{path}{received.body.decode('latin-1')}"


def _stamp_ms(text: str) -> int | None:
    """§5: ``YYYY-MM-DDTHH:MM:SS.mmmZ`` as Unix milliseconds; None for anything else."""
    match = _ISO_MS.fullmatch(text)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    seconds = int(moment.replace(tzinfo=timezone.utc).timestamp())
    return seconds * 1000 + int(match.group(2))


def _headers_refused(
    received: Received, account: PassphraseAccount, prehash: str
) -> Verdict | None:
    """§7: the passphrase, then the timestamp's and signature's presence and shape."""
    headers = received.headers
    passphrase = headers.get("OK-ACCESS-PASSPHRASE", "")
    if not passphrase:
        reason, detail = _EMPTY.format("OK-ACCESS-PASSPHRASE"), "send the key's passphrase (§4)."
        return rejected(Failure.MISSING_PARAMETER, "50104", reason, detail, prehash)
    if not hmac.compare_digest(passphrase.encode("latin-1", "replace"), account.passphrase):
        reason = "Request header OK-ACCESS-PASSPHRASE incorrect."
        detail = "OK-ACCESS-PASSPHRASE is not this key's passphrase (sent in clear, §4)."
        return rejected(Failure.BAD_SIGNATURE, "50105", reason, detail, prehash)
    for name, code in (("OK-ACCESS-TIMESTAMP", "50107"), ("OK-ACCESS-SIGN", "50106")):
        if not headers.get(name):
            detail = f"the request has no {name} header (§4)."
            return rejected(Failure.MISSING_PARAMETER, code, _EMPTY.format(name), detail, prehash)
    if _stamp_ms(headers["OK-ACCESS-TIMESTAMP"]) is None:
        detail = (
            f"OK-ACCESS-TIMESTAMP is {headers['OK-ACCESS-TIMESTAMP']!r}; it must be ISO 8601 "
            "UTC with three millisecond digits and Z, e.g. 2020-12-08T09:08:57.715Z (§5)."
        )
        reason = "Invalid OK-ACCESS-TIMESTAMP."
        return rejected(Failure.MALFORMED_PARAMETER, "50112", reason, detail, prehash)
    return None


def check_okx(
    received: Received, accounts: Mapping[str, Any], now: int, *, window_ms: int
) -> Verdict:
    """The server's checks, for any number of accounts (key -> PassphraseAccount)."""
    prehash = okx_prehash(received)
    api_key = received.headers.get(KEY_HEADER, "")
    if not api_key:
        detail = f"the request has no {KEY_HEADER} header; OKX needs the API key there (§4)."
        return rejected(Failure.MISSING_KEY, "50103", _EMPTY.format(KEY_HEADER), detail, prehash)
    refused = unknown_key(api_key, accounts, "50111", "Invalid OK-ACCESS-KEY.",
                          where=f"the {KEY_HEADER} header")  # fmt: skip
    if refused is not None:
        return refused
    account = accounts[api_key]
    refused = _headers_refused(received, account, prehash)
    if refused is not None:
        return refused
    mac = hmac.new(account.secret, prehash.encode("latin-1", "replace"), hashlib.sha256)
    expected = base64.b64encode(mac.digest())
    if not hmac.compare_digest(expected, received.headers["OK-ACCESS-SIGN"].encode("latin-1")):
        detail = (
            "OK-ACCESS-SIGN does not match timestamp + METHOD + requestPath + body with "
            "this key's secret: requestPath is the path and query exactly as sent, the "
            "body its exact bytes, the signature base64 HMAC-SHA256 (§3)."
        )
        return rejected(Failure.BAD_SIGNATURE, "50113", "Invalid Sign.", detail, prehash)
    stamp = _stamp_ms(received.headers["OK-ACCESS-TIMESTAMP"])
    late = window_failure(stamp or 0, now, ahead_ms=window_ms, behind_ms=window_ms, where="§6")
    if late is not None:
        return rejected(late[0], "50102", "Timestamp request expired.", late[1], prehash)
    return Verdict(True, payload=prehash)


class OkxVerifier(Verifier):
    """OKX v5 requests (§3-§7). OKX does not document its window; 30 s each way is this
    kit's assumption (:attr:`window_ms`)."""

    scheme = "okx"
    key_header = KEY_HEADER
    paths = ("/api/v5/",)  # §1: every private endpoint
    time_paths = ("/api/v5/public/time",)  # §6
    #: how far the timestamp may be from the server's clock, either way (§6: undocumented)
    window_ms: ClassVar[int] = 30_000
    payload_title = "prehash signed (timestamp + METHOD + requestPath + body)"
    advice = (
        "Sign the ISO 8601 millisecond timestamp, the upper-case method, the path with the "
        "query exactly as sent, and the exact body bytes; base64 HMAC-SHA256 with the "
        "secret; send the passphrase in clear."
    )
    examples = (
        Example("GET, parameters in the query", "GET", "/api/v5/account/balance",
                params={"ccy": "BTC,ETH"}),
        Example("POST, a JSON order", "POST", "/api/v5/trade/order", json=_ORDER),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": OKX_KEY, "secret": OKX_SECRET, "passphrase": OKX_PASSPHRASE}

    def credential(self, *values: Any) -> Any:
        return passphrase_account(*values)

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_okx(received, accounts, now_ms, window_ms=self.window_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        return 401, {"code": verdict.code, "msg": verdict.reason, "data": []}  # §7: HTTP 401

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"code": "0", "msg": "", "data": [{"ts": str(now_ms)}]}

    def time_answer(self, now_ms: int) -> Any:
        return {"code": "0", "data": [{"ts": str(now_ms)}], "msg": ""}

    def payload(self, received: Received) -> str:
        return okx_prehash(received)


OKX = OkxVerifier()
