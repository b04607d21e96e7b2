"""Coinbase CDP key JWTs, checked the way coinbase.md §3, §5, §6 and §8 describe the server.

Written apart from the signing code (``schemes/coinbase.py``, which uses PyJWT): the
token is taken apart here with the standard library and verified with ``cryptography``
alone, the algorithm is pinned by the registered key (the token's ``alg`` only ever
causes a rejection), and every problem is answered as Coinbase does: 401 Unauthorized.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
from collections.abc import Mapping
from typing import Any

from ._credential import public_key
from ._received import Received
from ._verdict import Failure, Verdict, rejected
from ._verifier import Example, Verifier, unknown_key

# coinbase.md §8: keys GENERATED FOR TESTING, never valid on Coinbase
COINBASE_EC_NAME = (
    "organizations/f8fc7450-f4df-42bf-943c-13d8b77f0e75/"
    "apiKeys/8ff14d18-41f7-4249-8176-106c0c273f91"
)
COINBASE_EC_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIJey0Gb1hHpAbouOJE2FwWVRaQJSDjnSp2HnayYMSmfEoAoGCCqGSM49\n"
    "AwEHoUQDQgAEfFYVw7+vUb5R/FzmL9uXKU364Om0RbJAg/+12GgjLfSeh3JrUkDO\n"
    "zo5+FEfuWHwyrNMqA/YnKRhGuDGm8PRgXg==\n"
    "-----END EC PRIVATE KEY-----\n"
)
COINBASE_ED_NAME = "2a9e0a51-4b99-42b9-a6c5-77abd4639b77"
COINBASE_ED_KEY = (
    "DlVPw1UTI+jQVog8n4ntnJ2YDHkP3sSAezk4QrKKgyoksyrHs77kq9qTowf49gVlbM8C1+0xymvP/G0pfEhp6Q=="
)

AUTH_HEADER = "Authorization"
_UNAUTHORIZED = ("401", "Unauthorized")  # §6: the one answer to every JWT problem
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_CLAIMS = {"sub", "iss", "nbf", "exp", "uri"}  # §3: exactly these five
_LIFETIME_S = 120  # §5
_ORDER = {"client_order_id": "kit-0001", "product_id": "BTC-USD", "side": "BUY",
          "order_configuration": {"limit_limit_gtc": {"base_size": "0.001",
                                                      "limit_price": "10000"}}}  # fmt: skip


def _segment(text: str) -> bytes | None:
    """One base64url segment (RFC 7515 §2, no padding), only in its canonical spelling."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        return None
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == text else None


def _object(raw: bytes | None) -> dict[str, Any] | None:
    try:
        value = json.loads(raw) if raw is not None else None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return None
    return value if isinstance(value, dict) else None


def _parts(received: Received) -> tuple[dict[str, Any], dict[str, Any], bytes, str] | None:
    """Header, claims, signature and signing input of the bearer token, if it is one."""
    scheme, _, token = received.headers.get(AUTH_HEADER, "").partition(" ")
    pieces = token.split(".") if scheme == "Bearer" else []
    if len(pieces) != 3:
        return None
    header, claims = _object(_segment(pieces[0])), _object(_segment(pieces[1]))
    signature = _segment(pieces[2])
    if header is None or claims is None or signature is None:
        return None
    return header, claims, signature, f"{pieces[0]}.{pieces[1]}"


def expected_uri(received: Received, claimed: object = None) -> str:
    """§3: ``"<METHOD> <host><path>"``, host from the Host header (or an absolute target).

    A request seen without either (one built from a prepared request, not received by a
    server) is checked for its method and path: the claimed host, if any, is taken.
    """
    host = received.headers.get("Host", "")
    if not host and not received.target.startswith("/"):
        host = received.target.partition("://")[2].partition("/")[0]
    head, path = f"{received.method} ", received.path
    if not host and isinstance(claimed, str) and claimed.startswith(head):
        middle = claimed[len(head) : len(claimed) - len(path)]
        host = middle if claimed.endswith(path) and "/" not in middle else ""
    return f"{head}{host}{path}"


def _signature_ok(key: Any, alg: object, signature: bytes, signing_input: bytes) -> bool:
    """§8 steps 2-3: ES256 as raw r ‖ s over SHA-256, EdDSA pure Ed25519; alg fits the key."""
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415  # optional extra
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec, utils  # noqa: PLC0415

    is_ec = isinstance(key, ec.EllipticCurvePublicKey)
    if alg != ("ES256" if is_ec else "EdDSA") or len(signature) != 64:
        return False
    try:
        if is_ec:
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            der = utils.encode_dss_signature(r, s)
            key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(signature, signing_input)
    except InvalidSignature:
        return False
    return True


def _claims_problem(header: dict[str, Any], claims: dict[str, Any], uri: str) -> str:
    """§3, §8 step 1: what is wrong with the header and claims ("" when nothing)."""
    if set(claims) != _CLAIMS:
        return f"the claims are {sorted(claims)}; expected exactly {sorted(_CLAIMS)} (§3)."
    if claims["sub"] != header.get("kid") or claims["iss"] != "cdp":
        return "sub must equal the header's kid (the key name), and iss must be 'cdp' (§3)."
    nonce = header.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        return "the header has no nonce: a fresh random string per token (§3)."
    if claims["uri"] != uri:
        return (
            f"the uri claim is {claims['uri']!r}; this request needs {uri!r}: method, one "
            "space, host and the path as sent, no query (§3). A token is for one request."
        )
    nbf, exp = claims["nbf"], claims["exp"]
    if type(nbf) is not int or type(exp) is not int or exp - nbf != _LIFETIME_S:
        return f"nbf and exp must be integer seconds with exp = nbf + 120, not {nbf!r}, {exp!r}."
    return ""


def check_coinbase(received: Received, accounts: Mapping[str, Any], now_s: int) -> Verdict:
    """The server's checks, for any number of accounts (key name -> public key)."""
    uri = expected_uri(received)
    parts = _parts(received)
    if parts is None:
        detail = "no 'Authorization: Bearer <JWT>' header with a compact JWT (3 base64url parts)."
        return rejected(Failure.MISSING_PARAMETER, *_UNAUTHORIZED, detail, uri)
    header, claims, signature, signing_input = parts
    uri = expected_uri(received, claims.get("uri"))
    kid = header.get("kid")
    refused = unknown_key(kid if isinstance(kid, str) else "", accounts, *_UNAUTHORIZED,
                          where="the token's kid (the key name)", payload=uri)  # fmt: skip
    if refused is not None:
        return refused
    if not _signature_ok(accounts[str(kid)], header.get("alg"), signature, signing_input.encode()):
        detail = (
            f"the token's {header.get('alg')!r} signature does not verify with this key's "
            "public key: ES256 (raw r ‖ s) for an EC P-256 key, EdDSA for Ed25519 (§3)."
        )
        return rejected(Failure.BAD_SIGNATURE, *_UNAUTHORIZED, detail, uri)
    problem = _claims_problem(header, claims, uri)
    if problem:
        failure = Failure.PAYLOAD_MISMATCH if "uri" in problem else Failure.MALFORMED_PARAMETER
        return rejected(failure, *_UNAUTHORIZED, problem, uri)
    return _timing(claims["nbf"], claims["exp"], now_s, uri)


def _timing(nbf: int, exp: int, now_s: int, uri: str) -> Verdict:
    """§5: valid from nbf (no tolerance here: Coinbase's is undocumented) until exp."""
    if now_s < nbf:
        detail = f"nbf is {nbf - now_s} s ahead of the server's clock: sync the clock (§5)."
        return rejected(Failure.TIMESTAMP_AHEAD, *_UNAUTHORIZED, detail, uri)
    if now_s >= exp:
        detail = f"the token expired {now_s - exp} s ago: make a new one for each request (§5)."
        return rejected(Failure.STALE_TIMESTAMP, *_UNAUTHORIZED, detail, uri)
    return Verdict(True, payload=uri)


def coinbase_credential(value: Any) -> Any:
    """The public key of a CDP private key: PEM (``\\n`` escapes allowed), the portal's
    base64 Ed25519 key, or a key object; a public key PEM or object as it is."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, bytes):
        value = value.replace(b"\\n", b"\n").strip()
        if b"-----BEGIN" not in value:
            from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415

            seed = base64.b64decode(b"".join(value.split()))[:32]
            return ed25519.Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public_key(value)


class CoinbaseVerifier(Verifier):
    """Coinbase Advanced Trade and Coinbase App JWTs (§3-§8); clock tolerance is zero here."""

    scheme = "coinbase"
    key_header = AUTH_HEADER  # the key name is the token's kid
    paths = ("/api/v3/brokerage/", "/v2/")  # §1: Advanced Trade and Coinbase App
    time_paths = ("/api/v3/brokerage/time",)  # §5
    payload_title = "uri the token must carry (method, host, path; no query)"
    advice = (
        "Make a new JWT for every request: ES256 for an EC key, EdDSA for Ed25519; kid and "
        "sub the key name, iss 'cdp', nbf now in seconds, exp nbf + 120, and uri the method, "
        "one space, the host and the path as sent, without the query."
    )
    examples = (
        Example("GET accounts, an ECDSA key", "GET", "/api/v3/brokerage/accounts"),
        Example("GET with a query (not signed)", "GET", "/api/v3/brokerage/orders/historical/batch",
                params={"product_ids": "BTC-USD", "limit": "10"}),
        Example("POST an order, a JSON body", "POST", "/api/v3/brokerage/orders", json=_ORDER),
        Example("Coinbase App v2, an Ed25519 key", "GET", "/v2/accounts",
                account={"api_key_name": COINBASE_ED_NAME, "private_key": COINBASE_ED_KEY}),
    )  # fmt: skip

    def spec_account(self) -> dict[str, Any]:
        return {"api_key_name": COINBASE_EC_NAME, "private_key": COINBASE_EC_KEY}

    def accounts(self) -> dict[str, Any]:
        if importlib.util.find_spec("cryptography") is None:
            return {}
        return {
            COINBASE_EC_NAME: coinbase_credential(COINBASE_EC_KEY),
            COINBASE_ED_NAME: coinbase_credential(COINBASE_ED_KEY),
        }

    def credential(self, *values: Any) -> Any:
        return coinbase_credential(values[0])

    def key_of(self, received: Received) -> str:
        parts = _parts(received)
        kid = parts[0].get("kid") if parts else None
        return kid if isinstance(kid, str) else ""

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        return check_coinbase(received, accounts, now_ms // 1000)

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        return 401, {"error": "unauthorized", "message": verdict.reason}

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        return 200, {"accounts": [], "has_next": False, "cursor": "", "size": 0}

    def time_answer(self, now_ms: int) -> Any:
        seconds = now_ms // 1000
        return {"iso": _iso(seconds), "epochSeconds": str(seconds), "epochMillis": str(now_ms)}

    def payload(self, received: Received) -> str:
        """The uri the token must carry, and the claims it does carry."""
        parts = _parts(received)
        claims = json.dumps(parts[1]) if parts else "(no readable token)"
        uri = expected_uri(received, parts[1].get("uri") if parts else None)
        return f"{uri}\n\nclaims: {claims}"


def _iso(seconds: int) -> str:
    from datetime import datetime, timezone  # noqa: PLC0415  # the time answer only

    return f"{datetime.fromtimestamp(seconds, tz=timezone.utc):%Y-%m-%dT%H:%M:%SZ}"


COINBASE = CoinbaseVerifier()
