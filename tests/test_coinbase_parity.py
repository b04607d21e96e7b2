"""CoinbaseAuth against the official SDK (coinbase-advanced-py's ``jwt_generator``) and
ccxt's ``coinbase.sign()``, on thousands of random requests, offline.

Specification: shared/specs/coinbase.md §3, §8 and §10 (where the sources disagree).
"""

from __future__ import annotations

import base64
import json
import string
from types import SimpleNamespace

import jwt
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from scheme_vectors.coinbase import EC, EC_PUBLIC_PEM, ED, ED_PUBLIC_PEM, MAIN, NONCE, NOW_NS, NOW_S

from requests_exchange_auth import CoinbaseAuth

sdk = pytest.importorskip("coinbase.jwt_generator", reason="coinbase-advanced-py is not installed")
ccxt = pytest.importorskip("ccxt", reason="ccxt is not installed")

PARITY = settings(max_examples=2000, deadline=None, derandomize=True, database=None)
PUBLIC = {"ES256": EC_PUBLIC_PEM, "EdDSA": ED_PUBLIC_PEM}
# Ed25519 keys came to the SDK in 1.8.3; the tests extra allows 1.7 (1.8 pins websockets
# below 14, python-kraken-sdk needs 14.1 or later; tox installs 1.8.3+ without its
# dependencies): with 1.7, Ed25519 is checked with ccxt only
SDK_EDDSA = hasattr(sdk, "_load_private_key")

_SEGMENT = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=12)
_VALUE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
REQUESTS = st.fixed_dictionaries({
    "key": st.sampled_from(["ES256", "EdDSA"]),
    "version": st.sampled_from(["v3", "v2"]),
    "method": st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
    "segments": st.lists(_SEGMENT, min_size=1, max_size=4),
    "params": st.dictionaries(st.text(string.ascii_lowercase + "_", min_size=1, max_size=8),
                              _VALUE, max_size=4),
})  # fmt: skip


def _decoded(token: str) -> tuple[dict, dict, str]:
    """Header and claims of a compact JWT (unchecked), and its signing input."""
    head, claims, _ = token.split(".")
    parts = [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in (head, claims)]
    return parts[0], parts[1], f"{head}.{claims}"


@pytest.fixture(scope="module")
def pinned_sdk():
    """The SDK's jwt_generator with its clock and nonce pinned to the spec's (§8)."""
    saved = sdk.time, sdk.secrets
    sdk.time = SimpleNamespace(time=lambda: NOW_S + 0.75)
    sdk.secrets = SimpleNamespace(token_hex=lambda *_: NONCE)
    yield sdk
    sdk.time, sdk.secrets = saved


@pytest.fixture(scope="module")
def ccxt_coinbase():
    """ccxt's coinbase for each key, its clock pinned; its nonce stays its own."""
    exchanges = {}
    for alg, account in (("ES256", EC), ("EdDSA", ED)):
        exchange = ccxt.coinbase(
            {"apiKey": account["api_key_name"], "secret": account["private_key"]}
        )
        exchange.seconds = lambda: NOW_S
        exchanges[alg] = exchange
    return exchanges


AUTHS = {
    alg: CoinbaseAuth(**account, clock=lambda: NOW_NS, jwt_nonce=lambda: NONCE)
    for alg, account in (("ES256", EC), ("EdDSA", ED))
}


def _ours(case: dict) -> tuple[str, str, requests.PreparedRequest]:
    """Our token for the case, sent as requests prepares it; and the path sent."""
    prefix = "/api/v3/" if case["version"] == "v3" else "/v2/"
    path = prefix + "/".join(case["segments"])
    params, method = case["params"], case["method"]
    kwargs = {"params": params} if method == "GET" else {"json": params or None}
    r = requests.Request(method, MAIN + path, auth=AUTHS[case["key"]], **kwargs).prepare()
    return r.headers["Authorization"].removeprefix("Bearer "), path, r


def assert_sdk_parity(pinned_sdk, case: dict) -> None:
    """§8: Ed25519 tokens byte for byte; ES256 header and claims byte for byte, and both
    signatures verify with the public key (the SDK's k is random)."""
    token, path, _ = _ours(case)
    account = EC if case["key"] == "ES256" else ED
    uri = pinned_sdk.format_jwt_uri(case["method"], path)
    theirs = pinned_sdk.build_rest_jwt(uri, account["api_key_name"], account["private_key"])
    if case["key"] == "EdDSA":
        assert token == theirs
    else:
        assert token.rpartition(".")[0] == theirs.rpartition(".")[0]
    for each in (token, theirs):
        claims = jwt.decode(each, PUBLIC[case["key"]], algorithms=[case["key"]],
                            options={"verify_exp": False, "verify_nbf": False})  # fmt: skip
        assert claims["uri"] == f"{case['method']} api.coinbase.com{path}"


def assert_ccxt_parity(exchanges, case: dict) -> None:
    """§8, §10: for the URL and body ccxt makes, the same sub, kid, alg, nbf, exp and uri
    (ccxt's ``uris`` for EdDSA); ccxt's token verifies; over ccxt's signing input our
    ES256 signer makes ccxt's signature (both RFC 6979, low s)."""
    exchange = exchanges[case["key"]]
    path = "/".join(case["segments"])
    out = exchange.sign(path, [case["version"], "private"], case["method"], dict(case["params"]))
    theirs = out["headers"]["Authorization"].removeprefix("Bearer ")
    auth = AUTHS[case["key"]]
    headers = {"Content-Type": "application/json"} if out["body"] else {}
    ours = auth.sign(case["method"], out["url"], headers=headers, body=out["body"])
    assert (ours.url, ours.body) == (out["url"], out["body"].encode() if out["body"] else None)
    our_head, our_claims, _ = _decoded(ours.headers["Authorization"].removeprefix("Bearer "))
    their_head, their_claims, signing_input = _decoded(theirs)
    for name in ("alg", "kid", "typ"):
        assert our_head[name] == their_head[name]
    for name in ("sub", "nbf", "exp"):
        assert our_claims[name] == their_claims[name]
    assert [our_claims["uri"]] == their_claims.get("uris", [their_claims.get("uri")])
    jwt.decode(theirs, PUBLIC[case["key"]], algorithms=[case["key"]],
               options={"verify_exp": False, "verify_nbf": False, "verify_aud": False})  # fmt: skip
    if case["key"] == "ES256":
        signer = auth._signer
        mine = signer._jws.get_algorithm_by_name("ES256").sign(signing_input.encode(), signer._key)
        assert base64.urlsafe_b64encode(mine).rstrip(b"=").decode() == theirs.rpartition(".")[2]


@PARITY
@given(case=REQUESTS)
def test_parity_with_the_sdk_and_ccxt(pinned_sdk, ccxt_coinbase, case):
    """2,000 random requests (both key types, v3 and v2 paths, every method, any query
    or body), each checked against coinbase-advanced-py's generator and ccxt's sign()."""
    if case["key"] == "ES256" or SDK_EDDSA:
        assert_sdk_parity(pinned_sdk, case)
    assert_ccxt_parity(ccxt_coinbase, case)


def test_where_the_sdk_and_ccxt_differ_from_the_spec(pinned_sdk, ccxt_coinbase):
    """§10: the SDK's claims are the spec's five; ccxt's ES256 says iss "coinbase-cloud"
    with aud and iat, its EdDSA aud and a uris list. We follow the spec."""
    case = {"key": "ES256", "version": "v3", "method": "GET", "segments": ["brokerage", "accounts"],
            "params": {}}  # fmt: skip
    token, path, _ = _ours(case)
    uri = pinned_sdk.format_jwt_uri("GET", path)
    theirs = pinned_sdk.build_rest_jwt(uri, EC["api_key_name"], EC["private_key"])
    assert (
        list(_decoded(token)[1]) == list(_decoded(theirs)[1]) == ["sub", "iss", "nbf", "exp", "uri"]
    )
    es256 = ccxt_coinbase["ES256"].sign("brokerage/accounts", ["v3", "private"], "GET", {})
    claims = _decoded(es256["headers"]["Authorization"].removeprefix("Bearer "))[1]
    assert (claims["iss"], claims["aud"], claims["iat"]) == (
        "coinbase-cloud",
        ["retail_rest_api_proxy"],
        NOW_S,
    )
    eddsa = ccxt_coinbase["EdDSA"].sign("brokerage/accounts", ["v3", "private"], "GET", {})
    claims = _decoded(eddsa["headers"]["Authorization"].removeprefix("Bearer "))[1]
    assert (claims["iss"], claims["aud"], "uri" in claims) == ("cdp", ["cdp_service"], False)
