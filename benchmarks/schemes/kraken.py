"""Kraken Spot: an ``AddOrder`` in a form body, the nonce first.

The floor is the signature alone: SHA-256 of nonce ‖ body, then HMAC-SHA512 (keyed with
the base64-decoded secret) of path ‖ that digest, on exactly what the auth sent
(kraken.md §2). ccxt's ``kraken`` signs the same request with its own nonce.
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

ORDER = {"pair": "XBTUSD", "type": "buy", "ordertype": "limit", "price": "37500", "volume": "1.25"}
PATH = "/0/private/AddOrder"


def _payload(signed: SignedRequest) -> tuple[bytes, bytes]:
    body = signed.body or b""
    nonce = dict(parse_qsl(body.decode()))["nonce"].encode()
    return nonce, body


def _sign(key: bytes, nonce: bytes, body: bytes) -> bytes:
    digest = hashlib.sha256(nonce + body).digest()
    return hmac.digest(key, PATH.encode() + digest, "sha512")


def _primitive(account: Any, payload: tuple[bytes, bytes]) -> Callable[[], object]:
    return functools.partial(_sign, base64.b64decode(account["secret"]), *payload)


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.nonce = lambda: 1616492376594
    out = exchange.sign("AddOrder", ["private"], "POST", dict(ORDER))
    fields = dict(parse_qsl(out["body"]))
    if fields.pop("nonce") != "1616492376594" or fields != ORDER:
        msg = f"signs another request: {out['body']!r}"
        raise AssertionError(msg)
    key = base64.b64decode(account["secret"])
    mac = _sign(key, b"1616492376594", out["body"].encode())
    if out["headers"].get("API-Sign") != base64.b64encode(mac).decode():
        msg = "its API-Sign is not the spec's"
        raise AssertionError(msg)
    return "check: same order, key and secret; its nonce pinned: same recipe"


ROWS = Rows(
    request=Example("a limit order in a form body", "POST", PATH, data=ORDER),
    origin="https://api.kraken.com",
    floor=Floor(
        "SHA-256 + HMAC-SHA512",
        "hashlib.sha256 + hmac.digest HMAC-SHA512 of the Kraken message",
        payload=_payload,
        primitive=_primitive,
        wire=lambda signed: base64.b64decode(signed.headers["API-Sign"]),
    ),
    ccxt=CcxtPeer("kraken", "AddOrder", ["private"], "POST", ORDER, check=_ccxt_check),
)
