"""KuCoin requests (API key versions 2 and 3), checked the way kucoin.md §3-§7 describe the
server.

Written apart from the signing code (``schemes/kucoin.py``); comparisons are constant-time.
"""

# ruff: noqa: S105  # the spec's throw-away test credentials are not secrets

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import unquote_plus

from ._credential import PassphraseAccount, passphrase_account
from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._window import window_failure

# kucoin.md §9: credentials GENERATED FOR TESTING, throw-away
KUCOIN_KEY = "cfa08cd5c867897776456fab"
KUCOIN_SECRET = "39b3e0b8-519d-49ac-89d2-bf7cae3e7395"
KUCOIN_PASSPHRASE = "Kc!TestPass2026"

KEY_HEADER = "KC-API-KEY"
_SIGNED_HEADERS = ("KC-API-SIGN", "KC-API-TIMESTAMP", "KC-API-PASSPHRASE")
_DIGITS = re.compile(r"[0-9]{1,20}")
_MISSING = (
    "400001",
    "Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE is missing in your "
    "request header.",
)
_BAD_PASSPHRASE = ("400004", "KC-API-PASSPHRASE error")
_ORDER = {"clientOid": "rxa-demo-0001", "side": "buy", "symbol": "BTC-USDT", "type": "limit",
          "price": "30000", "size": "0.001"}  # fmt: skip


def _decoded(query: str) -> str | None:
    """The query with each name and value decoded (form-style), in its order (§3, §5)."""
    pieces = []
    for piece in query.split("&"):
        if piece:
            name, sep, value = piece.partition("=")
            try:
                pieces.append(unquote_plus(name, errors="strict") + sep
                              + unquote_plus(value, errors="strict"))  # fmt: skip
            except UnicodeDecodeError:
                return None
    return "&".join(pieces)


def kucoin_prehash(received: Received) -> bytes:
    """§3: timestamp + METHOD + endpoint (path, ``?`` and the decoded query) + body."""
    query = _decoded(received.query)
    head = f"{received.headers.get('KC-API-TIMESTAMP', '')}{received.method}{received.path}"
    data = head.encode("latin-1", "replace")
    if query is None:  # not UTF-8: nothing the client could have signed
        data += f"?{received.query}".encode("latin-1", "replace")
    elif query:
        data += f"?{query}".encode()
    return data + received.body


def _mac(secret: bytes, data: bytes) -> bytes:
    return base64.b64encode(hmac.new(secret, data, hashlib.sha256).digest())


def _headers_refused(received: Received, account: PassphraseAccount, shown: str) -> Verdict | None:
    """§4, §7: every header present, the passphrase as its HMAC, the timestamp in ms."""
    headers = received.headers
    missing = [name for name in _SIGNED_HEADERS if not headers.get(name)]
    if missing:
        detail = f"the request lacks {', '.join(missing)} (§4)."
        return rejected(Failure.MISSING_PARAMETER, *_MISSING, detail, shown)
    version = headers.get("KC-API-KEY-VERSION", "")
    if version not in ("2", "3"):
        detail = (
            f"KC-API-KEY-VERSION is {version!r}; keys of version 2 and 3 send it, with the "
            "passphrase as base64 HMAC-SHA256 of it keyed with the secret (§1)."
        )
        return rejected(Failure.MALFORMED_PARAMETER, *_BAD_PASSPHRASE, detail, shown)
    expected = _mac(account.secret, account.passphrase)
    if not hmac.compare_digest(expected, headers["KC-API-PASSPHRASE"].encode("latin-1", "replace")):
        detail = (
            "KC-API-PASSPHRASE must be base64(HMAC-SHA256(secret, passphrase)), never the "
            "passphrase in clear; check the passphrase (§3)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_BAD_PASSPHRASE, detail, shown)
    if not _DIGITS.fullmatch(headers["KC-API-TIMESTAMP"]):
        detail = f"KC-API-TIMESTAMP is {headers['KC-API-TIMESTAMP']!r}; it must be Unix ms (§4)."
        reason = "KC-API-TIMESTAMP Invalid"
        return rejected(Failure.MALFORMED_PARAMETER, "400002", reason, detail, shown)
    return None


def check_kucoin(
    received: Received, accounts: Mapping[str, Any], now: int, *, window_ms: int
) -> Verdict:
    """The server's checks, for any number of accounts (key -> PassphraseAccount)."""
    data = kucoin_prehash(received)
    shown = data.decode("utf-8", "replace")
    api_key = received.headers.get(KEY_HEADER, "")
    if not api_key:
        detail = f"the request has no {KEY_HEADER} header (§4)."
        return rejected(Failure.MISSING_KEY, *_MISSING, detail, shown)
    refused = unknown_key(api_key, accounts, "400003", "KC-API-KEY not exists",
                          where=f"the {KEY_HEADER} header", payload=shown)  # fmt: skip
    if refused is not None:
        return refused
    account = accounts[api_key]
    refused = _headers_refused(received, account, shown)
    if refused is not None:
        return refused
    given = received.headers["KC-API-SIGN"].encode("latin-1", "replace")
    if not hmac.compare_digest(_mac(account.secret, data), given):
        detail = (
            "KC-API-SIGN does not match timestamp + METHOD + path + '?' + the query "
            "un-encoded (as KuCoin decodes it: '%21' signs as '!') + body with this key's "
            "secret, base64 HMAC-SHA256 (§3, §5)."
        )
        reason = "Signature error -- Please check your signature"
        return rejected(Failure.BAD_SIGNATURE, "400005", reason, detail, shown)
    stamp = int(received.headers["KC-API-TIMESTAMP"])
    # §6: "must be less than 5 seconds", either way
    late = window_failure(stamp, now, ahead_ms=window_ms, behind_ms=window_ms - 1, where="§6")
    if late is not None:
        reason = "KC-API-TIMESTAMP Invalid -- Time differs from server time by more than 5 seconds"
        return rejected(late[0], "400002", reason, late[1], shown)
    return Verdict(True, payload=shown)


class KucoinVerifier(Verifier):
    """KuCoin requests (§3-§7), on the spot and the futures hosts alike."""

    scheme = "kucoin"
    key_header = KEY_HEADER
    # §1: spot, margin and futures; of /api/v3/ only KuCoin's own branches, as Binance
    # holds the rest of /api/ (a keyless request there is Binance's to answer)
    paths = (
        "/api/v1/", "/api/v2/", "/api/v3/margin/", "/api/v3/hf/", "/api/v3/isolated/",
        "/api/v3/project/", "/api/v3/lend/", "/api/v3/purchase", "/api/v3/purchase/",
        "/api/v3/redeem", "/api/v3/redeem/", "/api/v3/accounts/", "/api/v3/market/",
        "/api/v3/withdrawals", "/api/v3/deposit-address/", "/api/v3/deposit-addresses",
    )  # fmt: skip
    time_paths = ("/api/v1/timestamp",)  # §6
    #: how far the timestamp may be from the server's clock, either way (§6: 5 s)
    window_ms: ClassVar[int] = 5000
    payload_title = "prehash signed (timestamp + METHOD + path + ?un-encoded query + body)"
    advice = (
        "Sign the millisecond timestamp, the upper-case method, the path, '?' and the query "
        "un-encoded, then the exact body; base64 HMAC-SHA256 with the secret; send the "
        "passphrase as base64 HMAC-SHA256 of it, and KC-API-KEY-VERSION 3 (or 2)."
    )
    examples = (
        Example("GET, the query signed un-encoded", "GET", "/api/v1/accounts",
                params={"currency": "USDT", "remark": "a b+c!@#"}),
        Example("POST, a JSON order", "POST", "/api/v1/hf/orders", json=_ORDER),
        Example("DELETE, parameters in the query", "DELETE",
                "/api/v1/hf/orders/671124f9365ccb00073debd4", params={"symbol": "BTC-USDT"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": KUCOIN_KEY, "secret": KUCOIN_SECRET, "passphrase": KUCOIN_PASSPHRASE}

    def credential(self, *values: Any) -> Any:
        return passphrase_account(*values)

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_kucoin(received, accounts, now_ms, window_ms=self.window_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        return 401, {"code": verdict.code, "msg": verdict.reason}  # §7: HTTP 401

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"code": "200000", "data": {}}

    def time_answer(self, now_ms: int) -> Any:
        return {"code": "200000", "msg": "success", "data": now_ms}

    def payload(self, received: Received) -> str:
        return kucoin_prehash(received).decode("utf-8", "replace")


KUCOIN = KucoinVerifier()
