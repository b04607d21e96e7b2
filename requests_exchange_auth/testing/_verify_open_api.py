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

from .._time import Clock
from . import _accounts
from ._credential import now_ms, secret_bytes
from ._received import Received, _PreparedLike, as_received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key

TOKEN_HEADER = "X-Mp-Open-Api-Token"  # noqa: S105  # a header name, not a password
_FAILED = ("900002", "JWT authentication failed")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_SECONDS_LIMIT = 100_000_000_000  # ts above this is milliseconds (unit="ms"), until 5138
_APP = "/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd"  # the demo's mini program (§6)


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


def _token(token: str, canonical: str) -> tuple[dict[str, Any], bytes] | Verdict:
    """The claims and signature of a compact HS256 JWT, or why it is none (§3)."""
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
    return claims, raw[2] or b""


def check_open_api(
    received: Received, accounts: Mapping[str, bytes], now_s: int, *, max_skew_s: int = 300
) -> Verdict:
    """The server's checks, for any number of accounts (access key id -> secret bytes)."""
    canonical = open_api_canonical_request(received.method, received.target, received.body)
    token = received.headers.get(TOKEN_HEADER, "")
    if not token:
        return rejected(Failure.MISSING_KEY, *_FAILED, f"the request has no {TOKEN_HEADER} header.")
    parsed = _token(token, canonical)
    if isinstance(parsed, Verdict):
        return parsed
    claims, signature = parsed
    issuer = claims.get("iss")
    refused = unknown_key(
        issuer if isinstance(issuer, str) else "", accounts, *_FAILED,
        where="the token's iss claim (the access key id)", payload=canonical,
    )  # fmt: skip
    if refused is not None:
        return refused
    signing_input = token.rpartition(".")[0].encode("latin-1")
    expected = hmac.new(accounts[str(issuer)], signing_input, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
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
    clock: Clock | None = None,
    max_skew_s: int = 300,
) -> Verdict:
    """Check a Binance Open Service request's ``X-Mp-Open-Api-Token`` as the server would.

    The token must be a compact HS256 JWT (the algorithm is pinned: ``none``, ``HS512``
    or RSA tokens are rejected), signed with ``secret_key``, with ``iss`` the access key
    id, ``dig`` the digest of this request's canonical request (§2) and ``ts`` (seconds,
    or milliseconds) within ``max_skew_s`` of ``clock`` (nanoseconds, default now). The
    lifetime is not documented (§8); five minutes is this check's assumption.

    :param request: a :class:`Received`, or a ``requests.PreparedRequest``.
    :param clock: the server's clock, Unix time in nanoseconds (default
        :func:`time.time_ns`).

    .. versionadded:: 0.2.0
    .. versionchanged:: 0.3.0 ``clock`` instead of ``now_ms``, as everywhere in the kit.
    """
    accounts = {access_key_id: secret_bytes(secret_key, "secret_key")}
    received = as_received(request)
    return check_open_api(received, accounts, now_ms(clock) // 1000, max_skew_s=max_skew_s)


class OpenApiVerifier(Verifier):
    """Binance Open Service JWTs (§2-§4); the token's lifetime is this kit's assumption."""

    scheme = "binance-open-api"
    key_header = TOKEN_HEADER  # no key header: the key is the token's iss claim
    paths = ("/mp-api/",)  # §1: paths under /mp-api/v1/apps/{appId}/
    payload_title = "canonical request (its SHA-256 is the token's dig)"
    advice = (
        "Make the token with HS256 and the secret key's own text; compute dig from the "
        "request exactly as sent (method, path with a trailing '/', sorted re-encoded "
        "query, SHA-256 of the body)."
    )
    examples = (
        Example("GET user-open-data", "GET", f"{_APP}/user-open-data",
                params={"openData": "dt_TEST/abc+1=="}),
        Example("POST with a JSON body", "POST", f"{_APP}/message/send",
                json={"openId": "o_TEST_1", "templateId": "t_1"}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {
            "access_key_id": _accounts.OPEN_API_KEY,
            "secret_key": _accounts.OPEN_API_SECRET,
        }

    def credential(self, *values: Any) -> Any:
        return secret_bytes(values[0], "secret_key")

    def key_of(self, received: Received) -> str:
        return _issuer(received.headers.get(TOKEN_HEADER, ""))

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_open_api(received, accounts, now_ms // 1000)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        # §4 lists the codes; the HTTP status of a failure is not documented
        body = {"code": verdict.code, "message": verdict.reason, "data": None, "success": False}
        return 401, body

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"code": "000000", "message": None, "data": {"userData": ""}, "success": True}

    def payload(self, received: Received) -> str:
        """The canonical request, and the claims the token carries."""
        canonical = open_api_canonical_request(received.method, received.target, received.body)
        parts = received.headers.get(TOKEN_HEADER, "").split(".")
        claims = _json_object(_segment(parts[1])) if len(parts) == 3 else None
        text = json.dumps(claims) if claims is not None else "(no readable token)"
        return f"{canonical}\n\nclaims: {text}"


def _issuer(token: str) -> str:
    parts = token.split(".")
    claims = _json_object(_segment(parts[1])) if len(parts) == 3 else None
    issuer = claims.get("iss") if claims else None
    return issuer if isinstance(issuer, str) else ""


OPEN_API = OpenApiVerifier()
