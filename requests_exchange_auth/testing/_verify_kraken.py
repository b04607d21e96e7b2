"""Kraken Spot private requests, checked as kraken.md Part S (§2-§4) describes the server.

Written apart from the signing code (``schemes/kraken.py``); comparisons are constant-time.
Kraken answers errors with HTTP 200 and ``{"error": [...]}`` (§4).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

from ..exceptions import ConfigurationError
from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key

# kraken.md §5, the official documentation example's secret; the key is made up here
KRAKEN_KEY = "KRAKEN-SPOT-TEST-KEY-0001"
KRAKEN_SECRET = (  # Kraken's published example secret
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="  # noqa: S105
)

_INVALID_KEY = ("EAPI", "EAPI:Invalid key")
_INVALID_SIGNATURE = ("EAPI", "EAPI:Invalid signature")
_INVALID_NONCE = ("EAPI", "EAPI:Invalid nonce")
_INVALID_ARGUMENTS = ("EGeneral", "EGeneral:Invalid arguments")
_DIGITS = re.compile(r"[0-9]{1,20}")
_NONCE_FIX = (
    "nonces must increase for each API key, forever (§3). One process: keep the default "
    "MonotonicNonce; several processes on one host: FileNonce(path); several hosts: "
    "RedisNonce; many threads sending at once: OrderedNonce (requests overtake each other "
    "on the wire). Or set a nonce window on the key, in nonce units (10 s = 10000000 µs)."
)


class DecodedSecret(bytes):
    """An account's HMAC key, already decoded: normalising it again leaves it as it is."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DecodedSecret(…)"


def kraken_secret(value: object) -> bytes:
    """The HMAC key of an account: its base64 secret, decoded (§2; F3 for Futures)."""
    if isinstance(value, DecodedSecret):
        return value
    try:
        return DecodedSecret(base64.b64decode(value, validate=True))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problem = "a Kraken secret must be the base64 text Kraken shows (88 characters)."
    raise ConfigurationError(problem)  # outside the except: no piece of it rides along


def body_nonce(received: Received) -> str | None:
    """The ``nonce`` of the body as the server parses it, or ``None`` (§1, §3)."""
    text = received.body.decode("latin-1")
    if received.headers.get("Content-Type", "").startswith("application/json"):
        try:
            value = json.loads(received.body).get("nonce")
        except (ValueError, AttributeError, RecursionError):
            return None
        # §8: the reference types it int64; ccxt and python-kraken-sdk send a string
        return str(value) if type(value) in (int, str) else None
    found = [v for k, v in parse_qsl(text, keep_blank_values=True) if k == "nonce"]
    return found[0] if len(found) == 1 else None


def _invalid_nonce(nonce: str | None, body: str) -> Verdict:
    return rejected(
        Failure.MISSING_PARAMETER if nonce is None else Failure.MALFORMED_PARAMETER,
        *_INVALID_NONCE, f"the body needs exactly one nonce made of digits, got {nonce!r} (§1).",
        body,
    )  # fmt: skip


def check_kraken(
    received: Received, accounts: Mapping[str, bytes], last_nonce: int | None = None
) -> Verdict:
    """The server's checks, for any number of accounts (key -> decoded secret)."""
    body = received.body.decode("latin-1")
    refused = unknown_key(received.headers.get("API-Key"), accounts, *_INVALID_KEY,
                          where="the API-Key header", payload=body)  # fmt: skip
    if refused is not None:
        return refused
    nonce = body_nonce(received)
    if nonce is None or not _DIGITS.fullmatch(nonce):
        return _invalid_nonce(nonce, body)
    inner = hashlib.sha256(nonce.encode() + received.body).digest()
    mac = hmac.digest(accounts[received.headers["API-Key"]], received.path.encode() + inner,
                      hashlib.sha512)  # fmt: skip
    if not hmac.compare_digest(base64.b64encode(mac),
                               received.headers.get("API-Sign", "").encode("latin-1")):  # fmt: skip
        return rejected(
            Failure.BAD_SIGNATURE, *_INVALID_SIGNATURE,
            "API-Sign does not match: it is base64 HMAC-SHA512, keyed with the base64-DECODED "
            "secret, of the URL path (/0/private/...) followed by the binary SHA-256 of the "
            "nonce and the exact body; the nonce prefix must be the body's nonce, the body "
            "unchanged after signing, and an otp (2FA) inside it (§2, §4).", body,
        )  # fmt: skip
    if received.path.endswith(("/AddOrderBatch", "/CancelOrderBatch")) and body[:1] != "{":
        return rejected(
            Failure.MALFORMED_PARAMETER, *_INVALID_ARGUMENTS,
            "the batch endpoints take a JSON body (nested orders), not a form (§1).", body,
        )  # fmt: skip
    value = int(nonce)
    if last_nonce is not None and value <= last_nonce:
        detail = f"nonce {value} is not greater than {last_nonce}, the last accepted: {_NONCE_FIX}"
        return Verdict(False, *_INVALID_NONCE, Failure.NONCE_NOT_INCREASING, detail, body, value)
    return Verdict(True, payload=body, nonce=value)


class KrakenVerifier(Verifier):
    """Kraken Spot ``/0/private/*`` requests, nonces strictly rising per key (§3)."""

    scheme = "kraken"
    key_header = "API-Key"
    paths = ("/0/private/",)
    time_paths = ("/0/public/Time",)
    tracks_nonces = True
    payload_title = "body signed (API-Sign is over the path + SHA256(nonce + body))"
    advice = (
        "Key HMAC-SHA512 with the base64-decoded secret; sign the path followed by the binary "
        "SHA-256 of the nonce and the exact body; the nonce prefix must equal the body's."
    )
    examples = (
        Example("form body, the nonce first (the docs' AddOrder)", "POST",
                "/0/private/AddOrder",
                data={"ordertype": "limit", "pair": "XBTUSD", "price": "37500", "type": "buy",
                      "volume": "1.25"}),
        Example("no parameters: the body is the nonce alone", "POST", "/0/private/Balance"),
        Example("JSON body, the nonce its first member", "POST", "/0/private/AddOrderBatch",
                json={"orders": [{"ordertype": "limit", "price": "37500", "type": "buy",
                                  "volume": "1.25"}], "pair": "XBTUSD"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": KRAKEN_KEY, "secret": KRAKEN_SECRET}

    def credential(self, *values: Any) -> Any:
        return kraken_secret(values[0])

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_kraken(received, accounts, last_nonce)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        return 200, {"error": [verdict.reason]}  # §4: errors come with HTTP 200

    def is_rejection(self, status: int, answer: Any) -> bool:
        return status >= 400 or not isinstance(answer, dict) or bool(answer.get("error"))

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"error": [], "result": {"nonce": verdict.nonce}}

    def time_answer(self, now_ms: int) -> Any:
        seconds = now_ms // 1000
        return {"error": [], "result": {"unixtime": seconds, "rfc1123": _rfc1123(seconds)}}

    def payload(self, received: Received) -> str:
        return received.body.decode("latin-1")


def _rfc1123(seconds: int) -> str:
    return formatdate(seconds or time.time(), usegmt=True)


KRAKEN = KrakenVerifier()
