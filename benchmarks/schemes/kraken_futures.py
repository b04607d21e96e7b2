"""Kraken Futures: a ``sendorder`` in a form body, with its ``Nonce`` header.

The floor is the signature alone: HMAC-SHA512 (keyed with the base64-decoded secret) of
SHA-256(body ‖ nonce ‖ endpointPath), on exactly what the auth sent (kraken.md F2).
ccxt's ``krakenfutures`` sends no Nonce and its parameters in the query: the same
recipe on its own bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from _bench import CcxtPeer, Example, Floor, Rows, SignedRequest

ORDER = {
    "orderType": "lmt",
    "symbol": "PF_XBTUSD",
    "side": "buy",
    "size": "0.01",
    "limitPrice": "50000",
}
ENDPOINT = "/api/v3/sendorder"


def _payload(signed: SignedRequest) -> bytes:
    return (signed.body or b"") + signed.headers["Nonce"].encode() + ENDPOINT.encode()


def _sign(key: bytes, message: bytes) -> bytes:
    return hmac.digest(key, hashlib.sha256(message).digest(), "sha512")


def _primitive(account: Any, payload: bytes) -> Callable[[], object]:
    return functools.partial(_sign, base64.b64decode(account["secret"]), payload)


def _ccxt_check(exchange: Any, account: Any) -> str:
    out = exchange.sign("sendorder", ["private"], "POST", dict(ORDER))
    query = out["url"].partition("?")[2]
    if dict(parse_qsl(query)) != ORDER or out["headers"].get("APIKey") != account["api_key"]:
        msg = f"signs another request: {out['url']!r}"
        raise AssertionError(msg)
    mac = _sign(base64.b64decode(account["secret"]), query.encode() + ENDPOINT.encode())
    if out["headers"].get("Authent") != base64.b64encode(mac).decode():
        msg = "its Authent is not the spec's recipe over its own bytes"
        raise AssertionError(msg)
    return "check: same order, key and secret; the same recipe on its own bytes (no Nonce)"


ROWS = Rows(
    request=Example("a limit order in a form body", "POST", "/derivatives" + ENDPOINT, data=ORDER),
    origin="https://futures.kraken.com",
    floor=Floor(
        "SHA-256 + HMAC-SHA512",
        "hashlib.sha256 + hmac.digest HMAC-SHA512 of the Kraken Futures message",
        payload=_payload,
        primitive=_primitive,
        wire=lambda signed: base64.b64decode(signed.headers["Authent"]),
    ),
    ccxt=CcxtPeer(
        "krakenfutures",
        "sendorder",
        ["private"],
        "POST",
        ORDER,
        check=_ccxt_check,
        note="no Nonce header and the order in the query: ccxt's own form of the request",
    ),
)
