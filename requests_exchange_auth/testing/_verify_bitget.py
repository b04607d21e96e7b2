"""Bitget v2 requests, checked the way bitget.md §3-§7 describe the server.

Written apart from the signing code (``schemes/bitget.py``); comparisons are constant-time.
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

# bitget.md §9: credentials GENERATED FOR TESTING, throw-away
BITGET_KEY = "bg_413a046db8b15472bff8b27e0eeb14c9"
BITGET_SECRET = "33574b9e71216a243a320a787a71d68040e2d331be92585ee9931ceb39745a2a"
BITGET_PASSPHRASE = "BgTest_Pass9876"

KEY_HEADER = "ACCESS-KEY"
_DIGITS = re.compile(r"[0-9]{1,20}")
_BAD_SIGN = ("40009", "sign signature error")
_ORDER = {"symbol": "BTCUSDT", "side": "buy", "orderType": "limit", "force": "gtc",
          "price": "30000", "size": "0.001", "clientOid": "rxa-demo-0001"}  # fmt: skip


def _decoded_pairs(query: str) -> list[tuple[str, str]] | None:
    """The query's pairs as the server decodes them (form-style); None if not UTF-8."""
    pairs = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            try:
                pairs.append(
                    (unquote_plus(name, errors="strict"), unquote_plus(value, errors="strict"))
                )
            except UnicodeDecodeError:
                return None
    return pairs


def bitget_prehashes(received: Received) -> list[tuple[str, bytes]]:
    """§3: timestamp + METHOD + path [+ "?" + decoded query] + body, with the query sorted
    by name (SDKs, ccxt, the Chinese docs) and, if that differs, as sent (the English
    docs' unsorted example): the server's sorting is not documented either way.

    :returns: each prehash as text to show and as the bytes signed (the decoded query
        as UTF-8, the body as received).
    """
    pairs = _decoded_pairs(received.query) or []
    stamp = received.headers.get("ACCESS-TIMESTAMP", "")
    head = f"{stamp}{received.method}{received.path}".encode("latin-1", "replace")
    found: list[tuple[str, bytes]] = []
    for ordered in (sorted(pairs, key=lambda pair: pair[0]), pairs):
        query = "&".join(f"{name}={value}" for name, value in ordered)
        data = head + (f"?{query}".encode() if query else b"") + received.body
        if all(data != seen for _, seen in found):
            found.append((data.decode("utf-8", "replace"), data))
    return found


def _headers_refused(
    received: Received, account: PassphraseAccount, prehash: str
) -> Verdict | None:
    """§7: the passphrase, then the timestamp's and signature's presence and shape."""
    headers = received.headers
    passphrase = headers.get("ACCESS-PASSPHRASE", "")
    if not passphrase:
        detail = "the request has no ACCESS-PASSPHRASE header (§4)."
        reason = "ACCESS_PASSPHRASE cannot be empty"
        return rejected(Failure.MISSING_PARAMETER, "40011", reason, detail, prehash)
    if not hmac.compare_digest(passphrase.encode("latin-1", "replace"), account.passphrase):
        detail = "ACCESS-PASSPHRASE is not this key's passphrase (sent in clear, §4)."
        return rejected(
            Failure.BAD_SIGNATURE, "40012", "apikey/password is incorrect", detail, prehash
        )
    if not _DIGITS.fullmatch(headers.get("ACCESS-TIMESTAMP", "")):
        detail = (
            f"ACCESS-TIMESTAMP is {headers.get('ACCESS-TIMESTAMP')!r}; it must be Unix ms (§4)."
        )
        return rejected(
            Failure.MALFORMED_PARAMETER, "40005", "Invalid ACCESS_TIMESTAMP", detail, prehash
        )
    if not headers.get("ACCESS-SIGN"):
        detail = "the request has no ACCESS-SIGN header (§4)."
        return rejected(
            Failure.MISSING_PARAMETER, "40003", "Signature cannot be empty", detail, prehash
        )
    return None


def _signed_one(secret: bytes, prehashes: list[tuple[str, bytes]], signature: str) -> str | None:
    """The prehash that ``signature`` (base64 HMAC-SHA256) signs, if one of them."""
    given = signature.encode("latin-1", "replace")
    for text, data in prehashes:
        mac = hmac.new(secret, data, hashlib.sha256)
        if hmac.compare_digest(base64.b64encode(mac.digest()), given):
            return text
    return None


def check_bitget(
    received: Received, accounts: Mapping[str, Any], now: int, *, window_ms: int
) -> Verdict:
    """The server's checks, for any number of accounts (key -> PassphraseAccount)."""
    prehashes = bitget_prehashes(received)
    shown = prehashes[0][0]
    api_key = received.headers.get(KEY_HEADER, "")
    if not api_key:
        detail = f"the request has no {KEY_HEADER} header; Bitget needs the API key there (§4)."
        return rejected(Failure.MISSING_KEY, "40001", "ACCESS_KEY cannot be empty", detail, shown)
    refused = unknown_key(api_key, accounts, "40006", "Invalid ACCESS_KEY",
                          where=f"the {KEY_HEADER} header")  # fmt: skip
    if refused is not None:
        return refused
    account = accounts[api_key]
    refused = _headers_refused(received, account, shown)
    if refused is not None:
        return refused
    signed = None
    if _decoded_pairs(received.query) is not None:
        signed = _signed_one(account.secret, prehashes, received.headers["ACCESS-SIGN"])
    if signed is None:
        detail = (
            "ACCESS-SIGN does not match timestamp + METHOD + path + '?' + the query "
            "decoded and sorted by name + body with this key's secret: Bitget checks the "
            "decoded query, so '%24' signs as '$' and a space as ' ' (§3, §5)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_BAD_SIGN, detail, shown)
    stamp = int(received.headers["ACCESS-TIMESTAMP"])
    late = window_failure(stamp, now, ahead_ms=window_ms, behind_ms=window_ms, where="§6")
    if late is not None:
        return rejected(late[0], "40008", "Request timestamp expired", late[1], signed)
    return Verdict(True, payload=signed)


class BitgetVerifier(Verifier):
    """Bitget v2 requests (§3-§7). Bitget does not document its window; 30 s each way is
    this kit's assumption (:attr:`window_ms`)."""

    scheme = "bitget"
    key_header = KEY_HEADER
    paths = ("/api/v2/",)  # §1: the v2 private endpoints
    time_paths = ("/api/v2/public/time",)  # §6
    #: how far the timestamp may be from the server's clock, either way (§6: undocumented)
    window_ms: ClassVar[int] = 30_000
    payload_title = "prehash signed (timestamp + METHOD + path + ?decoded sorted query + body)"
    advice = (
        "Sign the millisecond timestamp, the upper-case method, the path, '?' and the query "
        "decoded and sorted by name, then the exact body; base64 HMAC-SHA256 with the "
        "secret; send the passphrase in clear."
    )
    examples = (
        Example("GET, parameters decoded and sorted", "GET", "/api/v2/mix/account/account",
                params={"symbol": "BTCUSDT", "productType": "USDT-FUTURES",
                        "marginCoin": "USDT", "note": "a b+c/$"}),
        Example("POST, a JSON order", "POST", "/api/v2/spot/trade/place-order", json=_ORDER),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": BITGET_KEY, "secret": BITGET_SECRET, "passphrase": BITGET_PASSPHRASE}

    def credential(self, *values: Any) -> Any:
        return passphrase_account(*values)

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_bitget(received, accounts, now_ms, window_ms=self.window_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        # ccxt#27037, v3-bitget-api-sdk#7: {"code":"40009","msg":"sign signature error"}, HTTP 400
        return 400, {"code": verdict.code, "msg": verdict.reason, "data": None}

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"code": "00000", "msg": "success", "requestTime": now_ms, "data": {}}

    def time_answer(self, now_ms: int) -> Any:
        data = {"serverTime": str(now_ms)}
        return {"code": "00000", "msg": "success", "requestTime": now_ms, "data": data}

    def payload(self, received: Received) -> str:
        return bitget_prehashes(received)[0][0]


BITGET = BitgetVerifier()
