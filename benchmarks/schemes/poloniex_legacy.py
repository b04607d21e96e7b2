"""Poloniex legacy trading API: a ``buy`` in the form body, with its nonce.

The floor is HMAC-SHA512 of the body exactly as sent, nonce included (poloniex.md
Part A). The bound is 4, not the issue's 3: the target this scheme has had since the
first benchmark.

ccxt's ``poloniex`` signs only the v3 API now (the ``poloniex`` scheme), so the ccxt
peer here is ``zaif``, whose trade API ccxt signs by the same recipe: a form body with a
nonce, the key in ``Key``, ``Sign`` = hex HMAC-SHA512 of the body under the secret. It
is given the same parameters (its ``method`` field is our ``command``) and the same
credentials; its nonce is a decimal of seconds, a few bytes longer than ours.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qsl

from _bench import CHECK_MS, CcxtPeer, Example, Floor, Rows, hmac_floor

ORDER = {"command": "buy", "currencyPair": "BTC_USDT", "rate": "50000", "amount": "0.001"}
#: zaif's ``sign(path, ...)`` puts ``method=<path>`` first, where Poloniex has ``command``
ZAIF_PARAMS = {k: v for k, v in ORDER.items() if k != "command"}


def _ccxt_check(exchange: Any, account: Any) -> str:
    exchange.milliseconds = lambda: CHECK_MS  # zaif.custom_nonce reads it
    out = exchange.sign(ORDER["command"], ["private"], "POST", dict(ZAIF_PARAMS))
    fields = dict(parse_qsl(out["body"], keep_blank_values=True))
    fields["command"] = fields.pop("method", "")
    if fields.pop("nonce", None) is None or fields != ORDER:
        msg = f"signs other parameters: {out['body']!r}"
        raise AssertionError(msg)
    if out["headers"].get("Key") != account["api_key"]:
        msg = "does not send the API key in Key"
        raise AssertionError(msg)
    secret = account["secret"].encode()
    if out["headers"].get("Sign") != hmac.digest(secret, out["body"].encode(), "sha512").hex():
        msg = "its Sign is not hex HMAC-SHA512 of its body under the secret"
        raise AssertionError(msg)
    return "check: same params+key+secret, same recipe; its own nonce (seconds, 8 decimals)"


ROWS = Rows(
    request=Example("a buy order in the form body", "POST", "/tradingApi", data=ORDER),
    origin="https://poloniex.com",
    floor=Floor(
        "HMAC-SHA512",
        "hmac.digest HMAC-SHA512 of the Poloniex body",
        payload=lambda signed: signed.body,
        primitive=hmac_floor("sha512"),
        wire=lambda signed: bytes.fromhex(signed.headers["Sign"]),
    ),
    bound=4.0,
    ccxt=CcxtPeer(
        "zaif",
        ORDER["command"],
        ["private"],
        "POST",
        ZAIF_PARAMS,
        check=_ccxt_check,
        note="stand-in: ccxt's poloniex signs only v3; zaif's trade API is this recipe",
    ),
)
