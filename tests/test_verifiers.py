"""The public verifiers accept every spec vector and reject every one-byte change, with a reason.

Each vector is a request as the server receives it. "One byte" means every position of
the signed payload, of the signature and of the key header in turn, changed by XOR 1
(which never merely flips a letter's case, so a case-insensitive hex compare cannot
forgive it).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote

import jwt
import pytest
from vectors import (
    ASYMMETRIC_TIMESTAMP_MS,
    BINANCE_API_KEY,
    BINANCE_SECRET,
    BINANCE_TIMESTAMP_MS,
    ED25519_P1_SIGNATURE,
    ED25519_P1_WIRE,
    ED25519_P2_SIGNATURE,
    ED25519_TEST_KEY_PEM,
    FUTURES_MIXED_BODY,
    FUTURES_MIXED_QUERY,
    FUTURES_MIXED_SIGNATURE,
    FUTURES_PAYLOAD,
    FUTURES_SECRET,
    FUTURES_SIGNATURE,
    FUTURES_TIMESTAMP_MS,
    H1_QUERY,
    H1_SIGNATURE,
    H2_BODY,
    H2_SIGNATURE,
    H3_BODY,
    H3_QUERY,
    H3_SIGNATURE,
    H4_QUERY,
    H4_SIGNATURE,
    H5_QUERY,
    H5_SIGNATURE,
    H6_QUERY,
    H6_SIGNATURE,
    OPEN_API_AK,
    OPEN_API_DIG,
    OPEN_API_GET_URL,
    OPEN_API_JWT,
    OPEN_API_POST_BODY,
    OPEN_API_POST_DIG,
    OPEN_API_POST_URL,
    OPEN_API_SK,
    OPEN_API_TS,
    P1_PAYLOAD,
    P2_PAYLOAD,
    POLONIEX_API_KEY,
    POLONIEX_BODY_1,
    POLONIEX_BODY_2,
    POLONIEX_NONCE_1,
    POLONIEX_NONCE_2,
    POLONIEX_SECRET,
    POLONIEX_SIGN_1,
    POLONIEX_SIGN_2,
    RSA_P1_SIGNATURE,
    RSA_P2_SIGNATURE,
    RSA_TEST_KEY_PEM,
    SECRETS,
)

from requests_exchange_auth.testing import (
    BINANCE_ED25519_PUBLIC_KEY,
    BINANCE_RSA_PUBLIC_KEY,
    Failure,
    Received,
    open_api_digest,
    verify_binance,
    verify_open_api,
    verify_poloniex,
)


def flip(text: str, index: int) -> str:
    """``text`` with the character at ``index`` changed by XOR 1."""
    return text[:index] + chr(ord(text[index]) ^ 1) + text[index + 1 :]


# -- Binance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BinanceCase:
    """A signed Binance request: the payload's query and body parts, and the signature."""

    query: str
    body: str
    signature: str  # as on the wire
    now_ms: int
    credential: dict[str, str]
    payload: str
    api_key: str = BINANCE_API_KEY

    @property
    def wire(self) -> tuple[str, str]:
        """(query, body) as sent: the signature last, in the body when there is one."""
        piece = f"&signature={self.signature}" if (self.body or self.query) else ""
        if self.body:
            return self.query, self.body + piece
        return self.query + piece, ""

    def received(self, query: str | None = None, body: str | None = None, key: str | None = None):
        wire_query, wire_body = self.wire
        query = wire_query if query is None else query
        body = wire_body if body is None else body
        target = "/api/v3/order" + (f"?{query}" if query else "")
        headers = {"X-MBX-APIKEY": self.api_key if key is None else key}
        return Received("POST", target, headers, body.encode("latin-1"))

    def verify(self, received):
        return verify_binance(
            received, self.api_key, clock=lambda: self.now_ms * 1_000_000, **self.credential
        )


HMAC = {"secret": BINANCE_SECRET}
RSA = {"public_key": BINANCE_RSA_PUBLIC_KEY}
ED25519 = {"public_key": BINANCE_ED25519_PUBLIC_KEY}
NOW = BINANCE_TIMESTAMP_MS
FUTURES = {"secret": FUTURES_SECRET}
FUTURES_NOW = FUTURES_TIMESTAMP_MS
ASYM_NOW = ASYMMETRIC_TIMESTAMP_MS

BINANCE = {  # binance-signed-requests.md §8
    "H1-query": BinanceCase(H1_QUERY, "", H1_SIGNATURE, NOW, HMAC, H1_QUERY),
    "H2-body": BinanceCase("", H2_BODY, H2_SIGNATURE, NOW, HMAC, H2_BODY),
    "H3-mixed": BinanceCase(H3_QUERY, H3_BODY, H3_SIGNATURE, NOW, HMAC, H3_QUERY + H3_BODY),
    "H4-non-ASCII": BinanceCase(H4_QUERY, "", H4_SIGNATURE, NOW, HMAC, H4_QUERY),
    "H5-GET": BinanceCase(H5_QUERY, "", H5_SIGNATURE, NOW, HMAC, H5_QUERY),
    "H6-encoding": BinanceCase(H6_QUERY, "", H6_SIGNATURE, NOW, HMAC, H6_QUERY),
    "futures": BinanceCase(
        FUTURES_PAYLOAD, "", FUTURES_SIGNATURE, FUTURES_NOW, FUTURES, FUTURES_PAYLOAD
    ),
    "futures-mixed": BinanceCase(
        FUTURES_MIXED_QUERY, FUTURES_MIXED_BODY, FUTURES_MIXED_SIGNATURE, FUTURES_NOW, FUTURES,
        FUTURES_MIXED_QUERY + FUTURES_MIXED_BODY,
    ),
    "RSA-P1": BinanceCase(
        P1_PAYLOAD, "", quote(RSA_P1_SIGNATURE, safe=""), ASYM_NOW, RSA, P1_PAYLOAD
    ),
    "RSA-P2-body": BinanceCase(
        "", P2_PAYLOAD, quote(RSA_P2_SIGNATURE, safe=""), ASYM_NOW, RSA, P2_PAYLOAD
    ),
    "Ed25519-P1": BinanceCase(P1_PAYLOAD, "", ED25519_P1_WIRE, ASYM_NOW, ED25519, P1_PAYLOAD),
    "Ed25519-P2": BinanceCase(
        P2_PAYLOAD, "", quote(ED25519_P2_SIGNATURE, safe=""), ASYM_NOW, ED25519, P2_PAYLOAD
    ),
}  # fmt: skip


def binance_tamperings(case: BinanceCase) -> Iterator[tuple[str, Received, set[Failure]]]:
    """Every one-byte change of payload, signature parameter, signature and key header."""
    query, body = case.wire
    signed_part, other = ("body", "query") if case.body else ("query", "body")
    text = body if case.body else query
    piece_start = len(text) - len(case.signature) - len("&signature=")
    for index in range(len(text)):
        changed = flip(text, index)
        received = case.received(**{signed_part: changed})
        if index < piece_start:
            yield f"payload[{index}]", received, {Failure.BAD_SIGNATURE}
        elif index < len(text) - len(case.signature):
            yield f"'&signature='[{index}]", received, {Failure.MISSING_PARAMETER}
        else:
            yield f"signature[{index}]", received, {Failure.BAD_SIGNATURE}
    other_text = query if case.body else ""
    for index in range(len(other_text)):
        yield (
            f"{other} payload[{index}]",
            case.received(**{other: flip(other_text, index)}),
            {Failure.BAD_SIGNATURE},
        )
    for index in range(len(case.api_key)):
        yield f"key[{index}]", case.received(key=flip(case.api_key, index)), {Failure.UNKNOWN_KEY}


@pytest.mark.parametrize("name", BINANCE)
def test_binance_vector_is_accepted(name):
    """Each Binance spec vector verifies, and the verdict shows the payload the server signs."""
    case = BINANCE[name]
    verdict = case.verify(case.received())
    assert verdict.ok, verdict
    assert verdict.payload == case.payload


@pytest.mark.parametrize("name", BINANCE)
def test_binance_one_byte_change_is_rejected_with_its_reason(name):
    """Changing any one byte of payload, signature or key header is rejected, and says why."""
    case = BINANCE[name]
    count = 0
    for where, received, expected in binance_tamperings(case):
        verdict = case.verify(received)
        assert not verdict.ok, where
        assert verdict.failure in expected, (where, verdict)
        assert verdict.reason, where
        count += 1
    assert count >= len(case.payload) + len(case.api_key)


def test_binance_hex_signature_is_case_insensitive():
    """Binance compares hex signatures case-insensitively (§4), so upper case verifies."""
    case = replace(BINANCE["H1-query"], signature=H1_SIGNATURE.upper())
    assert case.verify(case.received()).ok


def test_binance_non_canonical_base64_is_rejected():
    """A base64 signature spelt with different unused bits is another string: rejected."""
    # the last character before '==' carries 4 unused bits; 'Q' (16) -> 'R' (17) keeps the bytes
    signature = ED25519_P1_SIGNATURE[:-3] + "R=="
    case = replace(BINANCE["Ed25519-P1"], signature=quote(signature, safe=""))
    assert case.verify(case.received()).failure is Failure.BAD_SIGNATURE


def test_binance_unescaped_plus_in_signature_is_rejected():
    """An unescaped '+' in a base64 signature reads as a space server-side (§4)."""
    case = replace(BINANCE["RSA-P1"], signature=RSA_P1_SIGNATURE.replace("/", "%2F"))
    assert "+" in case.signature
    assert case.verify(case.received()).failure is Failure.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("query", "failure", "code"),
    [
        (H1_QUERY, Failure.MISSING_PARAMETER, "-1102"),
        (f"signature={H1_SIGNATURE}&{H1_QUERY}", Failure.MISSING_PARAMETER, "-1102"),
        (f"{H1_QUERY}&signature=", Failure.BAD_SIGNATURE, "-1022"),
    ],
    ids=["missing", "not-last", "empty"],
)
def test_binance_signature_must_be_present_and_last(query, failure, code):
    """No signature, or one that is not the last parameter, is a missing parameter (§3)."""
    received = Received("GET", f"/api/v3/order?{query}", {"X-MBX-APIKEY": BINANCE_API_KEY})
    verdict = verify_binance(
        received, BINANCE_API_KEY, BINANCE_SECRET, clock=lambda: NOW * 1_000_000
    )
    assert (verdict.failure, verdict.code) == (failure, code)
    if failure is Failure.MISSING_PARAMETER:
        assert ("not the last" in verdict.detail) == query.startswith("signature")


def _signed(query: str, secret: str = BINANCE_SECRET) -> Received:
    signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    target = f"/api/v3/order?{query}&signature={signature}"
    return Received("GET", target, {"X-MBX-APIKEY": BINANCE_API_KEY})


@pytest.mark.parametrize(
    ("query", "now", "failure", "code"),
    [
        ("symbol=X&timestamp=1000000", 1_004_000, None, None),
        ("symbol=X", 1_000_000, Failure.MISSING_PARAMETER, "-1102"),
        ("timestamp=1e6", 1_000_000, Failure.MALFORMED_PARAMETER, "-1100"),
        ("timestamp=+1000000", 1_000_000, Failure.MALFORMED_PARAMETER, "-1100"),
        ("timestamp=1000000&recvWindow=60001", 1_000_000, Failure.MALFORMED_PARAMETER, "-1131"),
        ("timestamp=1000000&recvWindow=1.2345", 1_000_000, Failure.MALFORMED_PARAMETER, "-1131"),
        ("timestamp=1000000", 1_005_001, Failure.STALE_TIMESTAMP, "-1021"),
        ("timestamp=1000000&recvWindow=6000.5", 1_006_000, None, None),
        ("timestamp=1000000&recvWindow=6000.5", 1_006_501, Failure.STALE_TIMESTAMP, "-1021"),
        ("timestamp=1000000", 999_001, None, None),
        ("timestamp=1000000", 999_000, Failure.TIMESTAMP_AHEAD, "-1021"),
    ],
    ids=[
        "within-window", "no-timestamp", "float-timestamp", "signed-timestamp",
        "recvWindow-too-large", "recvWindow-4-decimals", "older-than-5000",
        "within-decimal-recvWindow", "older-than-recvWindow", "999ms-ahead", "1000ms-ahead",
    ],
)  # fmt: skip
def test_binance_timing_rules(query, now, failure, code):
    """timestamp and recvWindow follow §5: ms digits, window ≤ 60000, < 1000 ms ahead."""
    verdict = verify_binance(
        _signed(query), BINANCE_API_KEY, BINANCE_SECRET, clock=lambda: now * 1_000_000
    )
    assert (verdict.failure, verdict.code or None) == (failure, code), verdict


def test_binance_missing_key_header():
    """No X-MBX-APIKEY header is -2014, a missing key."""
    received = replace(_signed("timestamp=1"), headers={})
    verdict = verify_binance(received, BINANCE_API_KEY, BINANCE_SECRET, clock=lambda: 1_000_000)
    assert (verdict.failure, verdict.code) == (Failure.MISSING_KEY, "-2014")


def test_binance_key_only_checks_the_key_alone():
    """key_only accepts a request with the key and no signature, and needs no secret."""
    received = Received("POST", "/api/v3/userDataStream", {"X-MBX-APIKEY": BINANCE_API_KEY})
    assert verify_binance(received, BINANCE_API_KEY, key_only=True).ok
    assert not verify_binance(received, "another-key-000001", key_only=True).ok


def test_binance_private_key_stands_for_its_public_half():
    """A test can verify with the key file its client signs with."""
    case = BINANCE["RSA-P1"]
    received = case.received()
    assert verify_binance(
        received, case.api_key, public_key=RSA_TEST_KEY_PEM, clock=lambda: case.now_ms * 1_000_000
    )
    ed = BINANCE["Ed25519-P1"]
    assert verify_binance(
        ed.received(),
        ed.api_key,
        public_key=ED25519_TEST_KEY_PEM,
        clock=lambda: ed.now_ms * 1_000_000,
    )


# -- Poloniex -----------------------------------------------------------------------------

POLONIEX = {  # poloniex.md Part A, "Legacy vector"
    "returnBalances": (POLONIEX_BODY_1, POLONIEX_SIGN_1, POLONIEX_NONCE_1),
    "buy": (POLONIEX_BODY_2, POLONIEX_SIGN_2, POLONIEX_NONCE_2),
}


def poloniex_request(body: str, sign: str, key: str = POLONIEX_API_KEY) -> Received:
    return Received("POST", "/tradingApi", {"Key": key, "Sign": sign}, body.encode())


def verify_polo(received, **options):
    return verify_poloniex(received, POLONIEX_API_KEY, POLONIEX_SECRET, **options)


@pytest.mark.parametrize("name", POLONIEX)
def test_poloniex_vector_is_accepted(name):
    """Each Poloniex legacy vector verifies, and the verdict carries its nonce."""
    body, sign, nonce = POLONIEX[name]
    verdict = verify_polo(poloniex_request(body, sign))
    assert verdict.ok, verdict
    assert (verdict.nonce, verdict.payload) == (nonce, body)


@pytest.mark.parametrize("name", POLONIEX)
def test_poloniex_one_byte_change_is_rejected_with_its_reason(name):
    """Changing any one byte of body, Sign or Key is rejected, and says why."""
    body, sign, _ = POLONIEX[name]
    tampered = [
        *((poloniex_request(flip(body, i), sign), Failure.BAD_SIGNATURE) for i in range(len(body))),
        *((poloniex_request(body, flip(sign, i)), Failure.BAD_SIGNATURE) for i in range(len(sign))),
        *(
            (poloniex_request(body, sign, flip(POLONIEX_API_KEY, i)), Failure.UNKNOWN_KEY)
            for i in range(len(POLONIEX_API_KEY))
        ),
    ]
    for received, failure in tampered:
        verdict = verify_polo(received)
        assert verdict.failure is failure, (received, verdict)
        assert verdict.reason == "Invalid API key/secret pair."


def _polo_signed(body: str) -> Received:
    sign = hmac.new(POLONIEX_SECRET.encode(), body.encode(), hashlib.sha512).hexdigest()
    return poloniex_request(body, sign)


@pytest.mark.parametrize(
    ("received", "failure"),
    [
        (_polo_signed("command=x"), Failure.MISSING_PARAMETER),
        (_polo_signed("command=x&nonce=1&nonce=2"), Failure.MALFORMED_PARAMETER),
        (_polo_signed("command=x&nonce=-1"), Failure.MALFORMED_PARAMETER),
        (replace(_polo_signed("nonce=1"), headers={"Key": POLONIEX_API_KEY}),
         Failure.MISSING_PARAMETER),
        (replace(_polo_signed("nonce=1"), headers={}), Failure.MISSING_KEY),
    ],
    ids=["no-nonce", "two-nonces", "negative-nonce", "no-Sign", "no-Key"],
)  # fmt: skip
def test_poloniex_parameter_problems(received, failure):
    """A missing, repeated or malformed nonce, or a missing header, is named as such."""
    assert verify_polo(received).failure is failure


@pytest.mark.parametrize(
    ("last", "ok"),
    [(None, True), (0, True), (POLONIEX_NONCE_1 - 1, True), (POLONIEX_NONCE_1, False),
     (POLONIEX_NONCE_2, False)],
)  # fmt: skip
def test_poloniex_nonce_must_exceed_the_last(last, ok):
    """A nonce not greater than last_nonce is rejected in Poloniex's words."""
    verdict = verify_polo(poloniex_request(POLONIEX_BODY_1, POLONIEX_SIGN_1), last_nonce=last)
    assert verdict.ok is ok
    if not ok:
        assert verdict.failure is Failure.NONCE_NOT_INCREASING
        assert verdict.reason == (
            f"Nonce must be greater than {last}. You provided {POLONIEX_NONCE_1}."
        )
        assert verdict.nonce == POLONIEX_NONCE_1


# -- Binance Open Service -----------------------------------------------------------------

OPEN_NOW = OPEN_API_TS * 1000
GET_TARGET = OPEN_API_GET_URL.removeprefix("https://dip-cb.binanceapi.com")
POST_TARGET = OPEN_API_POST_URL.removeprefix("https://dip-cb.binanceapi.com")
POST_JWT = jwt.encode(
    {"iss": OPEN_API_AK, "dig": OPEN_API_POST_DIG, "ts": OPEN_API_TS}, OPEN_API_SK
)


def open_request(method="GET", target=GET_TARGET, body=b"", token=OPEN_API_JWT) -> Received:
    return Received(method, target, {"X-Mp-Open-Api-Token": token}, body)


def verify_open(received, **options):
    return verify_open_api(
        received, OPEN_API_AK, OPEN_API_SK, **{"clock": lambda: OPEN_NOW * 10**6, **options}
    )


OPEN = {  # binance-open-api-jwt.md §6
    "GET-worked-example": open_request(),
    "GET-absolute-URL": open_request(target=OPEN_API_GET_URL),
    "POST-example": open_request("POST", POST_TARGET, OPEN_API_POST_BODY, POST_JWT),
}


@pytest.mark.parametrize("name", OPEN)
def test_open_api_vector_is_accepted(name):
    """The §6 worked example and POST example verify; the digests are the spec's."""
    assert verify_open(OPEN[name]).ok, verify_open(OPEN[name])
    assert open_api_digest("GET", GET_TARGET, b"") == OPEN_API_DIG
    assert open_api_digest("POST", POST_TARGET, OPEN_API_POST_BODY) == OPEN_API_POST_DIG


def open_tamperings(received: Received) -> Iterator[tuple[str, Received, set[Failure]]]:
    """Every one-byte change of the method, target, body and token."""
    mismatch = {Failure.PAYLOAD_MISMATCH}
    for i in range(len(received.method)):
        yield f"method[{i}]", replace(received, method=flip(received.method, i)), mismatch
    for i in range(len(received.target)):
        yield f"target[{i}]", replace(received, target=flip(received.target, i)), mismatch
    body = received.body.decode()
    for i in range(len(body)):
        yield f"body[{i}]", replace(received, body=flip(body, i).encode()), mismatch
    token = received.headers["X-Mp-Open-Api-Token"]
    first, second = token.index("."), token.rindex(".")
    malformed = {Failure.MALFORMED_PARAMETER}
    for i in range(len(token)):
        if i < first:  # the JOSE header
            expected = malformed | {Failure.WRONG_ALGORITHM, Failure.BAD_SIGNATURE}
        elif first < i < second:  # the claims, where iss is the access key id
            expected = malformed | {Failure.MISSING_KEY, Failure.UNKNOWN_KEY, Failure.BAD_SIGNATURE}
        elif i > second:  # the signature
            expected = malformed | {Failure.BAD_SIGNATURE}
        else:
            expected = malformed
        headers = {"X-Mp-Open-Api-Token": flip(token, i)}
        yield f"token[{i}]", replace(received, headers=headers), expected


@pytest.mark.parametrize("name", ["GET-worked-example", "POST-example"])
def test_open_api_one_byte_change_is_rejected_with_its_reason(name):
    """Changing any one byte of the request or of its token is rejected, and says why."""
    seen = set()
    for where, received, expected in open_tamperings(OPEN[name]):
        verdict = verify_open(received)
        assert verdict.failure in expected, (where, verdict)
        assert (verdict.code, verdict.reason) == ("900002", "JWT authentication failed")
        seen.add(verdict.failure)
    assert {Failure.PAYLOAD_MISMATCH, Failure.BAD_SIGNATURE, Failure.MALFORMED_PARAMETER} <= seen


def _token(header: dict, claims: dict, key: bytes = OPEN_API_SK.encode()) -> str:
    import base64
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


CLAIMS = {"iss": OPEN_API_AK, "dig": OPEN_API_DIG, "ts": OPEN_API_TS}


@pytest.mark.parametrize(
    ("token", "failure"),
    [
        (_token({"alg": "HS256"}, CLAIMS), None),
        (_token({"alg": "none"}, CLAIMS).rpartition(".")[0] + ".", Failure.WRONG_ALGORITHM),
        (_token({"alg": "HS512", "typ": "JWT"}, CLAIMS), Failure.WRONG_ALGORITHM),
        (jwt.encode(CLAIMS, RSA_TEST_KEY_PEM, algorithm="RS256"), Failure.WRONG_ALGORITHM),
        (_token({"alg": "hs256"}, CLAIMS), Failure.WRONG_ALGORITHM),
        (_token({"alg": "HS256"}, {**CLAIMS, "iss": "AKOTHER000000001"}), Failure.UNKNOWN_KEY),
        (_token({"alg": "HS256"}, {"dig": OPEN_API_DIG, "ts": OPEN_API_TS}), Failure.MISSING_KEY),
        (_token({"alg": "HS256"}, CLAIMS, b"wrong-secret"), Failure.BAD_SIGNATURE),
        (_token({"alg": "HS256"}, {**CLAIMS, "dig": "0" * 64}), Failure.PAYLOAD_MISMATCH),
        (_token({"alg": "HS256"}, {**CLAIMS, "ts": "1700000000"}), Failure.MALFORMED_PARAMETER),
        (_token({"alg": "HS256"}, {"iss": OPEN_API_AK, "dig": OPEN_API_DIG}),
         Failure.MISSING_PARAMETER),
        (_token({"alg": "HS256"}, {**CLAIMS, "ts": OPEN_API_TS * 1000}), None),
        (_token({"alg": "HS256"}, {**CLAIMS, "ts": OPEN_API_TS + 301}), Failure.TIMESTAMP_AHEAD),
        (_token({"alg": "HS256"}, {**CLAIMS, "ts": OPEN_API_TS - 301}), Failure.STALE_TIMESTAMP),
        (_token({"alg": "HS256"}, [1]), Failure.MALFORMED_PARAMETER),
        # the last of 43 characters carries 2 unused bits: 'Q' (16) -> 'R' (17) keeps the bytes
        (OPEN_API_JWT.removesuffix("Q") + "R", Failure.MALFORMED_PARAMETER),
        ("not-a-jwt", Failure.MALFORMED_PARAMETER),
        ("", Failure.MISSING_KEY),
    ],
    ids=[
        "HS256", "alg-none", "HS512", "RS256", "lower-case-alg", "other-iss", "no-iss",
        "wrong-secret", "other-dig", "ts-string", "no-ts", "ts-in-ms", "ts-ahead", "ts-stale",
        "claims-not-object", "non-canonical-signature", "not-a-jwt", "no-token",
    ],
)  # fmt: skip
def test_open_api_token_rules(token, failure):
    """The algorithm is pinned to HS256, and each claim problem is named as such."""
    verdict = verify_open(open_request(token=token))
    assert verdict.failure is failure, verdict


# -- what every verifier shares -------------------------------------------------------------


def test_verifiers_take_a_prepared_request():
    """A requests.PreparedRequest is verified as the server would receive it."""
    import requests

    prepared = requests.Request(
        "POST", "https://poloniex.com/tradingApi", data=POLONIEX_BODY_1,
        headers={"Key": POLONIEX_API_KEY, "Sign": POLONIEX_SIGN_1},
    ).prepare()  # fmt: skip
    assert verify_polo(prepared).ok


def test_rejections_never_show_a_secret():
    """No verdict's text, for any tampering, contains a secret (DESIGN.md #6)."""
    verdicts = [BINANCE[n].verify(r) for n in ("H1-query", "futures") for _, r, _ in
                binance_tamperings(BINANCE[n])]  # fmt: skip
    verdicts += [verify_open(r) for _, r, _ in open_tamperings(OPEN["GET-worked-example"])]
    verdicts += [verify_polo(poloniex_request(POLONIEX_BODY_1, "0" * 128))]
    for verdict in verdicts:
        text = f"{verdict}{verdict!r}"
        assert not any(secret in text for secret in SECRETS)
        assert BINANCE_API_KEY not in text  # keys appear masked only


def test_verdict_reads_as_a_boolean_and_explains_itself():
    """A verdict is true when accepted; its str names the failure, code, detail and payload."""
    verdict = verify_polo(poloniex_request(POLONIEX_BODY_1, "0" * 128))
    assert not verdict
    text = str(verdict)
    assert text.startswith("rejected: bad_signature (error Invalid API key/secret pair.)")
    assert repr(POLONIEX_BODY_1) in text
    assert str(verify_polo(poloniex_request(POLONIEX_BODY_1, POLONIEX_SIGN_1))) == "accepted"
