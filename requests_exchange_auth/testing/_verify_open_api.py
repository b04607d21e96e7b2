"""Binance Open Service JWTs, checked as binance-open-api-jwt.md §2-§3 describe the server.

Written apart from the signing code (``binance_open.py``, which uses PyJWT): the token
is taken apart here with the standard library, so the check needs no extra, and the
algorithm is pinned to HS256 — the token's own ``alg`` only ever causes a rejection.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

from .._credentials import mask
from ._credential import now_ms as _now_ms
from ._credential import secret_bytes
from ._received import Received, _PreparedLike, as_received
from ._verdict import Failure, Verdict, rejected

TOKEN_HEADER = "X-Mp-Open-Api-Token"  # noqa: S105  # a header name, not a password
_FAILED = ("900002", "JWT authentication failed")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_SECONDS_LIMIT = 100_000_000_000  # ts above this is milliseconds (ts_unit="ms"), until 5138


def _encode(text: str) -> str:
    """§2 step 3: UTF-8, every byte outside A-Z a-z 0-9 - _ . ~ as upper-case %XY."""
    return quote(text, safe="-_.~")


def open_api_canonical_request(method: str, target: str, body: bytes) -> str:
    """The four-line canonical request of §2, from the request as received."""
    received = Received(method, target)
    path = "/" + posixpath.normpath("/" + received.path).lstrip("/")
    uri = "/".join(_encode(unquote(s)) for s in path.split("/"))
    uri = uri if uri.endswith("/") else uri + "/"
    pairs = sorted(
        (_encode(unquote_plus(n)), _encode(unquote_plus(v)))
        for n, _, v in (p.partition("=") for p in received.query.split("&") if p)
    )
    query = "&".join(f"{n}={v}" for n, v in pairs)
    return f"{method.upper()}\n{uri}\n{query}\n{hashlib.sha256(body).hexdigest()}"


def open_api_digest(method: str, target: str, body: bytes) -> str:
    """``dig`` of §3: lowercase hex SHA-256 of the canonical request."""
    return hashlib.sha256(open_api_canonical_request(method, target, body).encode()).hexdigest()


def _segment(text: str) -> bytes | None:
    """One base64url segment (RFC 7515 §2, no padding), only in its canonical spelling."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):  # pragma: no cover  # the pattern rules it out
        return None
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == text else None


def _json_object(raw: bytes | None) -> dict[str, Any] | None:
    try:
        value = json.loads(raw) if raw is not None else None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return None
    return value if isinstance(value, dict) else None


def check_open_api(  # noqa: PLR0911  # one early return per check, token first, request last
    received: Received, accounts: Mapping[str, bytes], now_s: int, *, max_skew_s: int = 300
) -> Verdict:
    """The server's checks, for any number of accounts (access key id -> secret bytes)."""
    canonical = open_api_canonical_request(received.method, received.target, received.body)
    token = received.headers.get(TOKEN_HEADER, "")
    if not token:
        return rejected(Failure.MISSING_KEY, *_FAILED, f"the request has no {TOKEN_HEADER} header.")
    parts = token.split(".")
    raw = [_segment(p) for p in parts] if len(parts) == 3 else [None]
    header, claims = _json_object(raw[0]), _json_object(raw[1] if len(raw) == 3 else None)
    if header is None or claims is None or raw[-1] is None:
        return rejected(
            Failure.MALFORMED_PARAMETER, *_FAILED,
            f"{TOKEN_HEADER} is not a compact JWT: three base64url parts (no padding), "
            "the first two JSON objects (§3).", canonical,
        )  # fmt: skip
    if header.get("alg") != "HS256":
        return rejected(
            Failure.WRONG_ALGORITHM, *_FAILED,
            f"the token's alg is {header.get('alg')!r}; the Open Service takes HS256 only (§3).",
            canonical,
        )  # fmt: skip
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        return rejected(
            Failure.MISSING_KEY, *_FAILED, "the token has no iss claim (the access key id).",
            canonical,
        )  # fmt: skip
    if issuer not in accounts:
        known = ", ".join(repr(mask(k)) for k in accounts)
        return rejected(
            Failure.UNKNOWN_KEY, *_FAILED,
            f"iss is {mask(issuer)!r}; expected {known or 'a registered key'}.", canonical,
        )  # fmt: skip
    signing_input = token.rpartition(".")[0].encode("latin-1")
    expected = hmac.new(accounts[issuer], signing_input, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, raw[2] or b""):
        return rejected(
            Failure.BAD_SIGNATURE, *_FAILED,
            "the token's HS256 signature does not verify with this key's secret (used as "
            "its literal text, §3).", canonical,
        )  # fmt: skip
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    if not hmac.compare_digest(str(claims.get("dig", "")).encode(), digest.encode()):
        return rejected(
            Failure.PAYLOAD_MISMATCH, *_FAILED,
            f"the token's dig {claims.get('dig')!r} is not the SHA-256 of this request's "
            f"canonical request, {digest!r}: the token was made for other bytes (§2).",
            canonical,
        )  # fmt: skip
    return _check_ts(claims.get("ts"), now_s, max_skew_s, canonical)


def _check_ts(ts: object, now_s: int, max_skew_s: int, canonical: str) -> Verdict:
    if type(ts) is not int:
        return rejected(
            Failure.MALFORMED_PARAMETER if ts is not None else Failure.MISSING_PARAMETER,
            *_FAILED, f"the ts claim must be an integer Unix time, got {ts!r} (§3).", canonical,
        )  # fmt: skip
    seconds = ts // 1000 if ts > _SECONDS_LIMIT else ts
    if seconds > now_s + max_skew_s:
        return rejected(
            Failure.TIMESTAMP_AHEAD, *_FAILED,
            f"ts is {seconds - now_s} s ahead of the server's {now_s}; at most {max_skew_s} s.",
            canonical,
        )  # fmt: skip
    if seconds < now_s - max_skew_s:
        return rejected(
            Failure.STALE_TIMESTAMP, *_FAILED,
            f"ts is {now_s - seconds} s older than the server's {now_s}; at most {max_skew_s} s.",
            canonical,
        )  # fmt: skip
    return Verdict(True, payload=canonical)


def verify_open_api(
    request: Received | _PreparedLike,
    access_key_id: str,
    secret_key: str | bytes,
    *,
    now_ms: int | None = None,
    max_skew_s: int = 300,
) -> Verdict:
    """Check a Binance Open Service request's ``X-Mp-Open-Api-Token`` as the server would.

    The token must be a compact HS256 JWT (the algorithm is pinned: ``none``, ``HS512``
    or RSA tokens are rejected), signed with ``secret_key``, with ``iss`` the access key
    id, ``dig`` the digest of this request's canonical request (§2) and ``ts`` (seconds,
    or milliseconds) within ``max_skew_s`` of ``now_ms``. The lifetime is not
    documented (§8); five minutes is this check's assumption.

    :param request: a :class:`Received`, or a ``requests.PreparedRequest``.
    :param now_ms: the server's time in Unix milliseconds; default the current time.

    .. versionadded:: 0.2.0
    """
    accounts = {access_key_id: secret_bytes(secret_key, "secret_key")}
    received = as_received(request)
    return check_open_api(received, accounts, _now_ms(now_ms) // 1000, max_skew_s=max_skew_s)
