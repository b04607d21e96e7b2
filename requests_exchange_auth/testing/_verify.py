"""Server-side checks, written apart from the signing code so that one cannot hide the other's bug.

Each verifier takes a request as the exchange receives it and answers with a
:class:`Verdict` carrying the exchange's own error code. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlsplit

from requests.structures import CaseInsensitiveDict


@dataclass(frozen=True)
class Received:
    """A request as the server saw it: raw request target, headers and body bytes."""

    method: str
    target: str
    headers: CaseInsensitiveDict[str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


@dataclass(frozen=True)
class Verdict:
    """Whether a request verified; if not, the exchange's error code and why."""

    ok: bool
    code: str = ""
    reason: str = ""


ACCEPTED = Verdict(ok=True)
# What the exchanges' parameter patterns allow: plain ASCII digits, and for recvWindow up
# to three decimals (binance-signed-requests.md §5); int() alone would take "+1", " 1 ",
# "1_000" or Arabic-Indic digits.
_DIGITS = re.compile(r"[0-9]{1,20}")
_MICROSECONDS = 10**15  # a 16-digit timestamp (ms stay at 13 digits until the year 2286)
_MICROSECOND_APIS = ("/api/", "/sapi/")
_RECV_WINDOW = re.compile(r"[0-9]{1,5}(\.[0-9]{1,3})?")


def _split_signature(part: str) -> tuple[str, str] | None:
    """(part without its last ``signature=`` piece, signature), if that piece is last."""
    head, sep, value = part.rpartition("signature=")
    if not sep or "&" in value or (head and not head.endswith("&")):
        return None
    return head[:-1], value


def _binance_signature_ok(credential: bytes | Any, payload: bytes, signature: str) -> bool:
    """Check ``signature`` over ``payload`` with an HMAC secret or RSA/Ed25519 public key (§4)."""
    if isinstance(credential, bytes):
        expected = hmac.new(credential, payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature.lower())  # hex: case-insensitive
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415  # optional extra
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: PLC0415

    # The server form-decodes the parameter: an unescaped '+' becomes a space (§4).
    try:
        raw = base64.b64decode(unquote_plus(signature), validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        if isinstance(credential, rsa.RSAPublicKey):
            credential.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        else:
            credential.verify(raw, payload)  # Ed25519: pure, no pre-hash
    except InvalidSignature:
        return False
    return True


def verify_binance(  # noqa: PLR0911  # one early return per Binance error, in the server's order
    received: Received, secrets: Mapping[str, bytes | Any], now_ms: int, *, key_only: bool = False
) -> Verdict:
    """Check a Binance request the way binance-signed-requests.md §3-§6 describe the server.

    :param secrets: per API key, the HMAC secret (``bytes``) or the registered RSA or
        Ed25519 public key (a ``cryptography`` public-key object).
    """
    api_key = received.headers.get("X-MBX-APIKEY")
    if not api_key:
        return Verdict(False, "-2014", "API-key format invalid.")
    if api_key not in secrets:
        return Verdict(False, "-2015", "Invalid API-key, IP, or permissions for action.")
    if key_only:
        return ACCEPTED
    query, body = received.query, received.body.decode("latin-1")
    # The signature is the last parameter of the body when there is one, else of the query.
    split = _split_signature(body) if body else _split_signature(query)
    if split is None:
        return Verdict(False, "-1102", "Mandatory parameter 'signature' was not sent last.")
    rest, signature = split
    payload = query + rest if body else rest
    params = dict(parse_qsl(body, keep_blank_values=True))
    params.update(parse_qsl(query, keep_blank_values=True))  # §2: the query value wins
    if not _binance_signature_ok(secrets[api_key], payload.encode("latin-1"), signature):
        return Verdict(False, "-1022", "Signature for this request is not valid.")
    if not _DIGITS.fullmatch(params.get("timestamp", "")):
        return Verdict(False, "-1102", "Mandatory parameter 'timestamp' was not sent or malformed.")
    if not _RECV_WINDOW.fullmatch(params.get("recvWindow", "5000")):
        return Verdict(False, "-1100", "Illegal characters found in parameter 'recvWindow'.")
    timestamp, recv_window = float(params["timestamp"]), float(params.get("recvWindow", "5000"))
    if timestamp >= _MICROSECONDS and received.path.startswith(_MICROSECOND_APIS):
        # §5: spot (and SAPI, on the spot host) take microseconds too, told apart by size;
        # the futures and options APIs document milliseconds only.
        timestamp /= 1000  # in milliseconds, with the microseconds as a fraction
    if not 0 < recv_window <= 60000:
        return Verdict(False, "-1131", "recvWindow must be less than 60000")
    if timestamp >= now_ms + 1000:  # §5, first check
        return Verdict(
            False, "-1021", "Timestamp for this request was 1000ms ahead of the server's time."
        )
    if now_ms - timestamp > recv_window:  # §5, second check
        return Verdict(False, "-1021", "Timestamp for this request is outside of the recvWindow.")
    return ACCEPTED


def verify_poloniex(received: Received, secrets: Mapping[str, bytes]) -> tuple[Verdict, int]:
    """Check a legacy Poloniex request (poloniex.md Part A); returns the verdict and the nonce.

    The nonce rule (greater than the last one accepted) needs server state: the caller applies it.
    """
    api_key = received.headers.get("Key", "")
    sign = received.headers.get("Sign", "")
    if api_key not in secrets:
        return Verdict(False, "error", "Invalid API key/secret pair."), 0
    expected = hmac.new(secrets[api_key], received.body, hashlib.sha512).hexdigest()
    if not hmac.compare_digest(expected, sign):
        return Verdict(False, "error", "Invalid API key/secret pair."), 0
    values = [v for k, v in parse_qsl(received.body.decode("latin-1")) if k == "nonce"]
    if len(values) != 1 or not _DIGITS.fullmatch(values[0]):
        return Verdict(False, "error", "Missing or malformed nonce."), 0
    return ACCEPTED, int(values[0])


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def open_api_digest(method: str, target: str, body: bytes) -> str:
    """``dig`` of binance-open-api-jwt.md §2-3, computed from the request as received."""
    parts = urlsplit(target)
    path = "/" + posixpath.normpath("/" + parts.path).lstrip("/")
    uri = "/".join(_encode(unquote(s)) for s in path.split("/"))
    uri = uri if uri.endswith("/") else uri + "/"
    pairs = sorted(
        (_encode(unquote_plus(n)), _encode(unquote_plus(v)))
        for n, _, v in (p.partition("=") for p in parts.query.split("&") if p)
    )
    query = "&".join(f"{n}={v}" for n, v in pairs)
    canonical = f"{method.upper()}\n{uri}\n{query}\n{hashlib.sha256(body).hexdigest()}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_open_api(
    received: Received, secrets: Mapping[str, bytes], now_s: int, *, max_skew_s: int = 300
) -> Verdict:
    """Check an Open Service JWT (binance-open-api-jwt.md §3), pinning HS256."""
    import jwt  # noqa: PLC0415  # the testing kit needs PyJWT only for this scheme

    failed = Verdict(False, "900002", "JWT authentication failed")
    token = received.headers.get("X-Mp-Open-Api-Token", "")
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        secret = secrets[str(issuer)]
        claims = jwt.decode(token, secret, algorithms=["HS256"])  # never trust the header's alg
    except (jwt.InvalidTokenError, KeyError, TypeError):
        return failed
    if not hmac.compare_digest(
        str(claims.get("dig", "")), open_api_digest(received.method, received.target, received.body)
    ):
        return failed
    ts = claims.get("ts")
    if type(ts) is not int:
        return failed
    if ts > 100_000_000_000:  # milliseconds (ts_unit="ms"); seconds stay below until 5138
        ts //= 1000
    if abs(now_s - ts) > max_skew_s:
        return failed
    return ACCEPTED
