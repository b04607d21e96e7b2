"""Binance SIGNED requests, checked the way binance-signed-requests.md §3-§6 describe the server.

Written apart from the signing code (``binance.py``), so that one cannot hide the
other's bug. Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote_plus

from .._credentials import mask
from .._time import Clock
from . import _accounts
from ._credential import binance_account, binance_credential, key_signature_ok, now_ms
from ._received import Received, _PreparedLike, as_received
from ._verdict import ACCEPTED, Failure, Verdict, rejected
from ._verifier import Example, Verifier
from ._window import window_failure

KEY_HEADER = "X-MBX-APIKEY"
_BAD_SIGNATURE = ("-1022", "Signature for this request is not valid.")
_MICROSECONDS = 10**15  # a 16-digit timestamp (ms stay at 13 digits until the year 2286)
_MICROSECOND_APIS = ("/api/", "/sapi/")
# What the parameter patterns allow: plain ASCII digits, and for recvWindow up to three
# decimals (§5); int() alone would take "+1", " 1 ", "1_000" or Arabic-Indic digits.
_DIGITS = re.compile(r"[0-9]{1,20}")
_RECV_WINDOW = re.compile(r"[0-9]{1,5}(\.[0-9]{1,3})?")
_LATE = {  # §6: the two messages of -1021
    Failure.TIMESTAMP_AHEAD: "Timestamp for this request was 1000ms ahead of the server's time.",
    Failure.STALE_TIMESTAMP: "Timestamp for this request is outside of the recvWindow.",
}


def _split_signature(part: str) -> tuple[str, str] | None:
    """(part without its last ``signature=`` piece, signature), if that piece is last (§3)."""
    head, sep, value = part.rpartition("signature=")
    if not sep or "&" in value or (head and not head.endswith("&")):
        return None
    return head[:-1], value


def binance_payload(received: Received) -> tuple[str, str] | None:
    """(totalParams, signature) as the server reads them, or None without a last signature.

    §3: totalParams is the query followed by the body, no separator, the signature
    (last in the body when there is one, else in the query) left out.
    """
    query, body = received.query, received.body.decode("latin-1")
    split = _split_signature(body) if body else _split_signature(query)
    if split is None:
        return None
    rest, signature = split
    return (query + rest if body else rest), signature


def _signature_ok(credential: bytes | Any, payload: bytes, signature: str) -> bool:
    """Check ``signature`` over ``payload`` with an HMAC secret or an RSA/Ed25519 key (§4)."""
    if isinstance(credential, bytes):
        expected = hmac.new(credential, payload, hashlib.sha256).hexdigest().encode()
        # hex is case-insensitive server-side (§4)
        return hmac.compare_digest(expected, signature.lower().encode("latin-1"))
    # The server form-decodes the parameter: an unescaped '+' becomes a space (§4).
    return key_signature_ok(credential, payload, unquote_plus(signature, encoding="latin-1"))


def _timing(params: Mapping[str, str], now: int, payload: str, path: str) -> Verdict:
    """The timestamp and recvWindow rules of §5, after the signature verified."""
    timestamp = params.get("timestamp")
    if timestamp is None:
        return rejected(
            Failure.MISSING_PARAMETER, "-1102",
            "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
            "SIGNED requests need timestamp=<Unix milliseconds> in the signed payload (§5).",
            payload,
        )  # fmt: skip
    if not _DIGITS.fullmatch(timestamp):
        return rejected(
            Failure.MALFORMED_PARAMETER, "-1100",
            "Illegal characters found in parameter 'timestamp'.",
            f"timestamp={timestamp!r} is not an integer number of milliseconds (§5).", payload,
        )  # fmt: skip
    window_text = params.get("recvWindow", "5000")
    if not _RECV_WINDOW.fullmatch(window_text) or not 0 < float(window_text) <= 60000:
        return rejected(
            Failure.MALFORMED_PARAMETER, "-1131", "recvWindow must be less than 60000",
            f"recvWindow={window_text!r}: expected milliseconds > 0 and <= 60000 (§5).", payload,
        )  # fmt: skip
    stamp, window = float(timestamp), float(window_text)
    if stamp >= _MICROSECONDS and path.startswith(_MICROSECOND_APIS):
        # §5: spot (and SAPI, on the spot host) take microseconds too, told apart by size;
        # the futures and options APIs document milliseconds only.
        stamp /= 1000  # milliseconds, with the microseconds as a fraction
    # §5: rejected when 1000 ms or more ahead, or older than recvWindow
    late = window_failure(stamp, now, ahead_ms=1000, behind_ms=window, where="§5")
    if late is None:
        return ACCEPTED
    failure, detail = late
    return rejected(failure, "-1021", _LATE[failure], detail, payload)


def check_binance(
    received: Received, accounts: Mapping[str, bytes | Any], now: int, *, key_only: bool = False
) -> Verdict:
    """The server's checks, for any number of accounts (key -> secret bytes or public key)."""
    api_key = received.headers.get(KEY_HEADER)
    if not api_key:
        return rejected(
            Failure.MISSING_KEY, "-2014", "API-key format invalid.",
            f"the request has no {KEY_HEADER} header; Binance needs the API key there (§1).",
        )  # fmt: skip
    if api_key not in accounts:
        known = ", ".join(repr(mask(k)) for k in accounts)
        return rejected(
            Failure.UNKNOWN_KEY, "-2015", "Invalid API-key, IP, or permissions for action.",
            f"{KEY_HEADER} is {mask(api_key)!r}; expected {known or 'a registered key'}.",
        )  # fmt: skip
    if key_only:
        return ACCEPTED
    split = binance_payload(received)
    if split is None:
        where = "the body" if received.body else "the query"
        present = "signature=" in received.query + received.body.decode("latin-1")
        problem = "is not the last parameter of" if present else "is missing from"
        return rejected(
            Failure.MISSING_PARAMETER, "-1102",
            "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
            f"signature {problem} {where}; it must come last, after every signed "
            "parameter (§3).",
        )  # fmt: skip
    payload, signature = split
    if not _signature_ok(accounts[api_key], payload.encode("latin-1"), signature):
        return rejected(
            Failure.BAD_SIGNATURE, *_BAD_SIGNATURE,
            "the signature does not match the payload with this key's credentials: check "
            "the secret (or key pair), and that the signature covers query + body exactly "
            "as sent, concatenated without '&' (§3, §4).", payload,
        )  # fmt: skip
    params = dict(parse_qsl(received.body.decode("latin-1"), keep_blank_values=True))
    params.update(parse_qsl(received.query, keep_blank_values=True))  # §2: the query wins
    verdict = _timing(params, now, payload, received.path)
    return Verdict(True, payload=payload) if verdict.ok else verdict


def verify_binance(
    request: Received | _PreparedLike,
    api_key: str,
    secret: str | bytes | None = None,
    *,
    public_key: object = None,
    clock: Clock | None = None,
    key_only: bool = False,
) -> Verdict:
    """Check a Binance SIGNED request as Binance's server would.

    Checks, in the server's order: the ``X-MBX-APIKEY`` header, ``signature`` present and
    last, the signature over *query + body* (HMAC-SHA256 hex, or RSA/Ed25519 base64),
    ``timestamp`` and ``recvWindow``, then the time: rejected when ``timestamp`` is
    1000 ms or more ahead of ``clock``, or older than ``recvWindow`` (default 5000).

    :param request: a :class:`Received`, or a ``requests.PreparedRequest``.
    :param api_key: the API key the request must carry.
    :param secret: the HMAC secret; or give ``public_key``.
    :param public_key: the RSA or Ed25519 key registered with Binance: PEM text or a
        ``cryptography`` key object (a private key stands for its public half).
    :param clock: the server's clock, Unix time in nanoseconds (default
        :func:`time.time_ns`); a :class:`FakeClock` checks a request as of its time.
    :param key_only: check only the API key (``USER_STREAM``/``MARKET_DATA`` endpoints).
    :raises ~requests_exchange_auth.ConfigurationError: unless exactly one of
        ``secret`` and ``public_key`` is given (neither is needed with ``key_only``).

    .. versionadded:: 0.2.0
    .. versionchanged:: 0.3.0 ``clock`` instead of ``now_ms``, as everywhere in the kit.
    """
    credential = binance_account(secret, public_key, key_only=key_only, who="verify_binance")
    received = as_received(request)
    return check_binance(received, {api_key: credential}, now_ms(clock), key_only=key_only)


class BinanceVerifier(Verifier):
    """Binance SIGNED requests, checked as §1-§6 describe the server."""

    scheme = "binance"
    key_header = KEY_HEADER
    paths: ClassVar[tuple[str, ...]] = ("/api/", "/sapi/", "/fapi/", "/dapi/", "/eapi/")  # §1
    time_paths: ClassVar[tuple[str, ...]] = (  # §5
        "/api/v3/time", "/fapi/v1/time", "/dapi/v1/time", "/eapi/v1/time",
    )  # fmt: skip
    payload_title = "payload signed (query + body as sent, no '&' between)"
    advice = (
        "Sign the query string followed by the body exactly as sent, with no '&' between "
        "them; percent-encode values before signing; put signature last; use the secret of "
        "this API key (RSA/Ed25519 keys sign base64, percent-encoded)."
    )
    examples: ClassVar[tuple[Example, ...]] = (
        Example("SIGNED GET, parameters in the query", "GET", "/api/v3/account",
                params={"omitZeroBalances": "true"}),
        Example("SIGNED POST, parameters in the form body", "POST", "/api/v3/order",
                data=_accounts.DEMO_ORDER),
        Example("SIGNED POST with an Ed25519 key (Binance's recommended key type)", "POST",
                "/api/v3/order", data=_accounts.DEMO_ORDER,
                account={"api_key": _accounts.BINANCE_ED25519_KEY,
                         "private_key": _accounts.BINANCE_ED25519_PRIVATE_KEY}),
    )  # fmt: skip
    key_only = False

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": _accounts.BINANCE_KEY, "secret": _accounts.BINANCE_SECRET}

    def accounts(self) -> dict[str, Any]:
        return {k: binance_credential(v) for k, v in _accounts.binance_accounts().items()}

    def credential(self, *values: Any) -> Any:
        return binance_credential(values[0]) if values else b""

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_binance(received, accounts, now_ms, key_only=self.key_only)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        status = 401 if verdict.code in ("-2014", "-2015") else 400
        return status, {"code": int(verdict.code), "msg": verdict.reason}

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        params = dict(parse_qsl(received.body.decode("latin-1"), keep_blank_values=True))
        params.update(parse_qsl(received.query, keep_blank_values=True))
        return 200, {"accepted": True, "params": params}

    def payload(self, received: Received) -> str:
        split = binance_payload(received)
        return split[0] if split is not None else ""


class BinanceKeyVerifier(BinanceVerifier):
    """Binance USER_STREAM and MARKET_DATA endpoints: the API key, no signature (§1)."""

    scheme = "binance-key"
    paths = ("/api/v3/userDataStream", "/fapi/v1/listenKey", "/dapi/v1/listenKey")
    time_paths = ()
    payload_title = "payload (none: the API key alone is checked)"
    examples = (Example("API key only (listenKey)", "POST", "/api/v3/userDataStream"),)
    key_only = True
    account_scheme = "binance"  # the SIGNED accounts' keys

    def spec_account(self) -> dict[str, Any]:
        return {"api_key": _accounts.BINANCE_KEY}

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"listenKey": _accounts.LISTEN_KEY}

    def payload(self, received: Received) -> str:
        return ""


BINANCE = BinanceVerifier()
BINANCE_KEY = BinanceKeyVerifier()
