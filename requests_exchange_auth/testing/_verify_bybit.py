"""Bybit v5 requests, checked the way bybit.md §3-§7 describe the server.

Written apart from the signing code (``schemes/bybit.py``); comparisons are constant-time.
"""

# ruff: noqa: S105  # the spec's throw-away test credentials are not secrets

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from ._credential import key_signature_ok, public_key, secret_bytes
from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key
from ._window import window_failure

# bybit.md §9: keys GENERATED FOR TESTING, never valid on Bybit; the RSA key's API key is
# made up here (Bybit issues one per uploaded public key).
BYBIT_KEY = "WddW3XjUF3Z8QSaA71"
BYBIT_SECRET = "QnOkKQYGYxE2XJdHEaOdJpqCjTKQBwiTXEMp"
BYBIT_RSA_KEY = "BYBIT-RSA-TEST-KEY-0001"
BYBIT_RSA_PRIVATE_KEY = "\n".join((
    "-----BEGIN PRIVATE KEY-----",
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDqD3nV4NmclFkJ",
    "YGY9a5WL4nLlPFJsE+NBM6jz6UMnPnK4tbMFtHOnrbbZd1ZkusEaMo3kxvWRk83Y",
    "H1iRYoPVNmJvzzQl1Pm/gubVfBRdfDuO6Rxv2yLyCF92klZhgDvRHbCmAPb9Z0+y",
    "s7rfRi/A7ZQL/2lbECUECAYBePcP7Q5ZH7kBwqDAIPvrs8UggeRn2DDkMJOxeNXm",
    "u848ILhUpewENAhdRTjvL97gQjQpsQ8/rJIWFTN/954wAAijKM0i0p6oRvsQX1ly",
    "zUlIFOS9Gvunajk3BRMlxswXnWHr1oVZ9N9/0B2AQL2wB/1rdgORy9wIanOgz05C",
    "eI88YzY7AgMBAAECggEAZEHMxjhR/iftG38XTCfRHuIYpOh5xaGfLkaakB/Si/TL",
    "3yK1VDQ/dguKzwu3Dd6Q6E/PR7eRaJIPEgwbO+se3S02bP4sMChR8h54EencL08P",
    "k992NtN+3H2Jpph4N7td4+z7xZ+ULGccVEd4PDssKU+aoqj8z+zSbi+hou/VpBPs",
    "5D34W7CkKKrr5ZXzGBtijNvErfs7S8kbTObD4u611+sFVtPvtM/zaNCdE6luyq2D",
    "bzJeHrDA3jQ6UNTBvKXAhEPU1g5WzQlAuBK+ilD+hDBCsoI4StPCxvlbkiylzCmu",
    "BLpJE/kx8F3h2P9gP9P+6ZPrpdxv1GHDSovi+QU6QQKBgQD2MYnykGWq22KwBg/O",
    "+ofjyu+I99PMXRMgX0w0KAhG4v5kxMfFny/l2nnoFo/j6CWfJNpAS6JPtWcYuEcr",
    "/Qj/TmYq1VJ3kriyCAMjCzxEFE2ETxZGSlvbJMZmAuub0qDZd0PSd5VzeF41dTq+",
    "A2l5i7B1Rc4SvepGvuCBeVDGVwKBgQDzYjcJi+jj3JSrnBWxS9quK9fvZ0r3RS61",
    "jBYUHf5kGwxzUGjrCyCOwFZ8HHD/BPPapkJUja/1F1cHIs+HD0HmZbX7NjfhR888",
    "0UKcc7Z6F3ykVUq7I/9BPonAE05otVazRL2ehVOiSIZelRv0fRgmiPaC55kwgm7q",
    "8wEPGnh4vQKBgEv588lwuH9m3ujVphFJDaDF4vBREwLRgnKOFlVOOWeu67UraT9a",
    "pgx4RQDT3aoG3X1kgRowfTG+GMfvLr+rghhQGIWFecK++9KtWFJ7SCj2XwnC4mvk",
    "zL4vdi7LHezjrpIOFVchYnTVI7W5rNww7178NgOq/DKae29DvsMWLlBXAoGAeBqu",
    "mEpvygpvX2RuHAkXyD2gmOa7StzcGQEhYBoREKt8cGds7xiVn3xw8VxDssVp5SuI",
    "rhshiuxSqRXXnYm89oqYzHhMCSMbtKJ7oaNEmGmAu8PPVhyEeVj4N04PsoJSX7L7",
    "c//NbtclYAVrPzKAOXv7Ukwh/5tOSylSC3b/nm0CgYAqIUTIeow5a5iK/ZJBqCzr",
    "OlB7QzWRU+TI5w/87hfDaviR5LQyqVHj+s+jCpwb904lKieWzx8+ar1Far88jJwy",
    "FLa7G2NG5M7bAgXZwptUrBo53UWgFvqHzAIweTHaSRFIYIVPGltDZliL4qBmHZ31",
    "c1NqCZuLyeyHh23oATQvyA==",
    "-----END PRIVATE KEY-----",
    "",
))  # fmt: skip

KEY_HEADER = "X-BAPI-API-KEY"
_DIGITS = re.compile(r"[0-9]{1,20}")
_BAD_KEY = ("10003", "API key is invalid. Check whether the key and domain are matched.")
_BAD_SIGN = ("10004", "Error sign, please check your signature generation algorithm.")
_PARAMS = "10001"
_ORDER = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
          "qty": "0.001", "price": "10000", "timeInForce": "GTC"}  # fmt: skip


def bybit_payload(received: Received) -> str:
    """§3: timestamp + key + recv_window + the raw query (GET) or the body (POST)."""
    headers = received.headers
    head = (
        f"{headers.get('X-BAPI-TIMESTAMP', '')}{headers.get(KEY_HEADER, '')}"
        f"{headers.get('X-BAPI-RECV-WINDOW', '5000')}"
    )
    rest = received.query if received.method == "GET" else received.body.decode("latin-1")
    return head + rest


def _signature_ok(credential: Any, payload: bytes, signature: str) -> bool:
    """§4: lowercase hex HMAC-SHA256 for a secret, base64 RSA PKCS#1 v1.5 for a key pair."""
    if isinstance(credential, bytes):
        expected = hmac.new(credential, payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.encode("latin-1"))
    return key_signature_ok(credential, payload, signature)


def _headers_refused(received: Received, payload: str) -> Verdict | None:
    """The §2 verbs and the §4 headers' shapes, checked before the signature."""
    if received.method not in ("GET", "POST"):
        reason = "Need to send the request with GET / POST (must be capitalized)"
        detail = f"{received.method} is not a Bybit v5 verb; cancels are POST (§1)."
        return rejected(Failure.MALFORMED_PARAMETER, _PARAMS, reason, detail, payload)
    headers = received.headers
    for name in ("X-BAPI-TIMESTAMP", "X-BAPI-RECV-WINDOW"):
        value = headers.get(name, "5000" if name == "X-BAPI-RECV-WINDOW" else "")
        if not _DIGITS.fullmatch(value):
            failure = Failure.MALFORMED_PARAMETER if value else Failure.MISSING_PARAMETER
            detail = f"{name} is {value!r}; it must be whole milliseconds (§4)."
            return rejected(failure, _PARAMS, f"Invalid {name}.", detail, payload)
    if not headers.get("X-BAPI-SIGN"):
        detail = "the request has no X-BAPI-SIGN header (§4)."
        return rejected(Failure.MISSING_PARAMETER, *_BAD_SIGN, detail, payload)
    return None


def check_bybit(received: Received, accounts: Mapping[str, Any], now: int) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes or public key)."""
    payload = bybit_payload(received)
    api_key = received.headers.get(KEY_HEADER, "")
    refused = unknown_key(api_key, accounts, *_BAD_KEY, where=f"the {KEY_HEADER} header")
    if refused is not None:
        return refused
    refused = _headers_refused(received, payload)
    if refused is not None:
        return refused
    signed = payload.encode("latin-1", "replace")
    if not _signature_ok(accounts[api_key], signed, received.headers["X-BAPI-SIGN"]):
        detail = (
            "X-BAPI-SIGN does not match timestamp + key + recv_window + the payload with "
            "this key's credentials: a GET signs its query exactly as sent, a POST its "
            "exact body bytes; check the secret or key type (§3, §4)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_BAD_SIGN, detail, payload)
    stamp = received.headers["X-BAPI-TIMESTAMP"]
    window = received.headers.get("X-BAPI-RECV-WINDOW", "5000")
    # §6: server_time - recv_window <= timestamp < server_time + 1000
    late = window_failure(int(stamp), now, ahead_ms=1000, behind_ms=int(window), where="§6")
    if late is not None:
        reason = (
            "invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{stamp}],server_timestamp[{now}],recv_window[{window}]"
        )
        return rejected(late[0], "10002", reason, late[1], payload)
    return Verdict(True, payload=payload)


def bybit_credential(value: Any) -> Any:
    """A secret's bytes, or the public key of a PEM text or key object (a private key
    stands for its public half)."""
    if isinstance(value, str | bytes):
        raw = value.encode() if isinstance(value, str) else value
        return public_key(raw) if b"-----BEGIN" in raw else secret_bytes(raw, "secret")
    return public_key(value)


class BybitVerifier(Verifier):
    """Bybit v5 requests (§3-§7): HMAC or RSA keys, the recv_window rule."""

    scheme = "bybit"
    key_header = KEY_HEADER
    paths = ("/v5/",)  # §1: every private endpoint
    time_paths = ("/v5/market/time",)  # §6
    payload_title = "string signed (timestamp + key + recv_window + query or body)"
    advice = (
        "Sign timestamp + API key + recv_window followed by the query of a GET exactly "
        "as sent, or the exact body of a POST; send the same timestamp and recv_window "
        "in the headers; hex HMAC for a secret, base64 RSA for a self-generated key."
    )
    examples = (
        Example("GET, parameters in the query", "GET", "/v5/order/realtime",
                params={"category": "linear", "symbol": "BTCUSDT", "coin": "MNT,USDT"}),
        Example("POST, a JSON order", "POST", "/v5/order/create", json=_ORDER),
        Example("POST with an RSA (self-generated) key", "POST", "/v5/order/create",
                json=_ORDER,
                account={"api_key": BYBIT_RSA_KEY, "private_key": BYBIT_RSA_PRIVATE_KEY}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": BYBIT_KEY, "secret": BYBIT_SECRET}

    def accounts(self) -> dict[str, Any]:
        found = {BYBIT_KEY: secret_bytes(BYBIT_SECRET, "secret")}
        if importlib.util.find_spec("cryptography") is not None:
            found[BYBIT_RSA_KEY] = bybit_credential(BYBIT_RSA_PRIVATE_KEY)
        return found

    def credential(self, *values: Any) -> Any:
        return bybit_credential(values[0])

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_bybit(received, accounts, now_ms)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        # §7: retCode answers are HTTP 200, but HTTP 401 when the auth headers are invalid
        status = 200 if verdict.code == "10002" else 400 if verdict.code == _PARAMS else 401
        body = {"retCode": int(verdict.code), "retMsg": verdict.reason, "result": {}}
        return status, {**body, "retExtInfo": {}}

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        params = dict(parse_qsl(received.query, keep_blank_values=True))
        body = {"retCode": 0, "retMsg": "OK", "result": {"params": params}, "retExtInfo": {}}
        return 200, {**body, "time": now_ms}

    def time_answer(self, now_ms: int) -> Any:
        seconds, nanos = str(now_ms // 1000), str(now_ms * 1_000_000)
        result = {"timeSecond": seconds, "timeNano": nanos}
        return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": now_ms}

    def payload(self, received: Received) -> str:
        return bybit_payload(received)


BYBIT = BybitVerifier()
