"""The fast signing paths give exactly what the plain ones give: HMAC, JWT, canonical parts."""

from __future__ import annotations

import base64
import copy
import hmac
import pickle
import sys
import threading
from urllib.parse import quote, unquote, unquote_plus

import jwt
import pytest
import requests
from hypothesis import example, given, settings
from hypothesis import strategies as st

from requests_exchange_auth import (
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    ConfigurationError,
    MissingDependencyError,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth._signing import HmacSigner, JwtSigner
from requests_exchange_auth.schemes import binance_open
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    OPEN_API_KEY,
    OPEN_API_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
    verify_open_api,
)

NOW_NS = 1_499_827_319_559_000_000


def frozen_clock():
    """A picklable fixed clock (a lambda would not pickle)."""
    return NOW_NS


def fixed_nonce():
    """A picklable fixed nonce."""
    return 42


@settings(max_examples=300, deadline=None)
@given(
    key=st.binary(min_size=1, max_size=300),
    payload=st.binary(max_size=600),
    digest=st.sampled_from(["sha256", "sha512"]),
)
def test_signer_is_hmac(key, payload, digest):
    """Short, block-sized and long keys (hashed first) give what hmac.digest gives."""
    expected = hmac.digest(key, payload, digest)
    signer = HmacSigner(key, digest)
    assert signer.hex(payload) == expected.hex()
    assert signer.digest(payload) == expected
    assert signer.b64(payload) == base64.b64encode(expected).decode()


@pytest.mark.parametrize("size", [63, 64, 65, 127, 128, 129], ids=lambda n: f"{n}B")
@pytest.mark.parametrize("digest", ["sha256", "sha512"])
def test_signer_at_block_boundaries(size, digest):
    """Keys one byte either side of the 64- and 128-byte blocks follow RFC 2104."""
    key = bytes(i % 251 for i in range(size))
    assert HmacSigner(key, digest).hex(b"payload") == hmac.digest(key, b"payload", digest).hex()


def test_signer_is_reusable():
    """Signing never changes the signer: the same payload signs the same twice."""
    signer = HmacSigner(b"secret", "sha256")
    first = signer.hex(b"a=1")
    signer.hex(b"something else")
    assert signer.hex(b"a=1") == first


def test_signer_pickles_and_copies():
    """A pickled or deep-copied signer signs as the original does."""
    signer = HmacSigner(b"secret", "sha512")
    clone = pickle.loads(pickle.dumps(signer))  # noqa: S301  # our own bytes
    assert clone.hex(b"x") == copy.deepcopy(signer).hex(b"x") == signer.hex(b"x")


def test_signer_repr_hides_the_key():
    """repr names the digest and nothing of the key."""
    assert repr(HmacSigner(b"very-secret-key", "sha256")) == "HmacSigner('sha256')"


def test_signer_serves_threads():
    """Many threads signing at once with one signer all get the right answers."""
    signer = HmacSigner(b"shared-secret", "sha256")
    failures = []

    def work(i):
        for j in range(300):
            payload = f"t={i}&n={j}".encode()
            if signer.hex(payload) != hmac.digest(b"shared-secret", payload, "sha256").hex():
                failures.append(payload)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.mark.parametrize(
    "auth",
    [
        BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=5000, clock=frozen_clock),
        PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=fixed_nonce),
    ],
    ids=["binance", "poloniex"],
)
def test_auths_sign_the_same_after_pickling(auth):
    """An auth unpickled elsewhere (e.g. in a worker) signs exactly as the original."""
    clone = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own bytes

    def signed(a):
        r = requests.Request("POST", "https://example.com/x", data={"a": "1"}).prepare()
        a(r)
        return r.url, r.body, dict(r.headers)

    assert signed(clone) == signed(auth)


@settings(max_examples=200, deadline=None)
@given(
    iss=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=80),
    dig=st.text("0123456789abcdef", min_size=64, max_size=64),
    ts=st.integers(0, 10**13),
)
def test_claims_token_is_jwt_encode(iss, dig, ts):
    """The token from plain claims is jwt.encode's token, byte for byte (quotes and all)."""
    claims = {"iss": iss, "dig": dig, "ts": ts}
    secret = b"a-secret-of-at-least-32-bytes-long!"
    assert JwtSigner(secret).token(claims) == jwt.encode(claims, secret, algorithm="HS256")


_URL_TEXT = st.text(st.sampled_from("aZ09-._~%+/=&?# é2F3Dz8cC7"), max_size=30)


@settings(max_examples=500, deadline=None)
@given(raw=_URL_TEXT)
def test_plain_components_skip_only_identity_round_trips(raw):
    """The fast path for plain components gives what unquote/quote give, for any text."""
    assert binance_open._component(raw) == quote(unquote_plus(raw), safe="-_.~")
    assert binance_open._segment(raw) == quote(unquote(raw), safe="-_.~")


_ESCAPE = st.integers(0, 255).flatmap(
    lambda b: st.sampled_from([f"%{b:02x}", f"%{b:02X}", f"%{b:02x}".title()])
)
_ESCAPED_TEXT = st.lists(
    st.one_of(st.sampled_from(list("aZ09-._~+/= é")), _ESCAPE), max_size=12
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(raw=_ESCAPED_TEXT)
@example(raw="%7a")
@example(raw="%7A%2d%5F%7e")
@example(raw="%41b%20%2B%25")
def test_escaped_components_canonicalise_like_their_characters(raw):
    """Any escape, in either case, canonicalises as the byte it stands for: %7a is z."""
    assert binance_open._component(raw) == quote(unquote_plus(raw), safe="-_.~")
    assert binance_open._segment(raw) == quote(unquote(raw), safe="-_.~")


@settings(max_examples=300, deadline=None)
@given(path=_URL_TEXT)
def test_cached_canonical_uri_is_stable(path):
    """Asked twice (the second answer from the cache), the canonical path is the same."""
    first = binance_open.canonical_uri.__wrapped__(path)
    assert binance_open.canonical_uri(path) == first
    assert binance_open.canonical_uri(path) == first


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("", "/"),  # §2 step 2: empty path → "/"
        ("/", "/"),  # already ends with "/": none appended
        ("//", "/"),  # one root
        ("/XX/", "/XX/"),  # letters are kept, whatever they are
        ("/Xa/./b/../c", "/Xa/c/"),  # "." and ".." dropped, then one "/" appended
        ("/a b/é", "/a%20b/%C3%A9/"),  # each segment encoded as in step 3
    ],
)
def test_canonical_uri_follows_the_spec_recipe(path, canonical):
    """binance-open-api-jwt.md §2 step 2, example by example."""
    assert binance_open.canonical_uri(path) == canonical


def test_open_api_auth_refuses_key_material_as_secret():
    """A public-key-looking secret_key fails at construction, in our error tree, not per request."""
    with pytest.raises(ConfigurationError, match="secret key \\(SK\\)"):
        BinanceOpenApiJwtAuth(OPEN_API_KEY, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC")


def test_jwt_signer_pickles_and_hides_the_key():
    """A pickled JWT signer makes the same tokens; its repr shows no key."""
    signer = JwtSigner(b"k" * 32)
    clone = pickle.loads(pickle.dumps(signer))  # noqa: S301  # our own bytes
    assert clone.token({"iss": "x", "ts": 1}) == signer.token({"iss": "x", "ts": 1})
    assert repr(signer) == "JwtSigner('HS256')"


def test_open_api_auth_signs_the_same_after_pickling():
    """An unpickled Open Service auth makes the same token as the original."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET, clock=frozen_clock)
    clone = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own bytes

    def token(a):
        r = requests.Request("GET", "https://example.com/mp-api/x", params={"a": "1"}).prepare()
        return a(r).headers["X-Mp-Open-Api-Token"]

    assert token(clone) == token(auth)


def test_open_api_ts_in_milliseconds():
    """unit="ms" puts a millisecond ts claim in the token, which the server accepts."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET, clock=frozen_clock, unit="ms")
    prepared = requests.Request("GET", "https://x.example/mp-api/v1/apps/a/b", auth=auth).prepare()
    token = prepared.headers["X-Mp-Open-Api-Token"]
    claims = jwt.decode(token, OPEN_API_SECRET, algorithms=["HS256"])
    assert claims["ts"] == NOW_NS // 1_000_000
    assert verify_open_api(prepared, OPEN_API_KEY, OPEN_API_SECRET, clock=frozen_clock)


def test_open_service_without_pyjwt_names_the_extra(monkeypatch):
    """Without PyJWT the auth says which extra to install, not which module is missing."""
    monkeypatch.setitem(sys.modules, "jwt", None)  # import jwt fails
    with pytest.raises(MissingDependencyError) as caught:
        BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET)
    assert str(caught.value).startswith(
        "BinanceOpenApiJwtAuth needs PyJWT, which is not installed; install the extra "
        "with: pip install 'requests-exchange-auth[jwt]'"
    )
    assert caught.value.extra == "jwt"


def test_open_service_refuses_public_key_material_as_its_secret():
    """A public key pasted as SK: PyJWT's refusal, in words that say what to pass."""
    with pytest.raises(ConfigurationError) as caught:
        BinanceOpenApiJwtAuth(OPEN_API_KEY, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH")
    assert str(caught.value) == (
        "secret_key looks like public-key material (PEM, SSH or DER), which PyJWT refuses "
        "as an HMAC secret; pass the Open Service secret key (SK) instead."
    )


@pytest.mark.parametrize(
    ("query", "canonical"),
    [("a=b=c", "a=b%3Dc"), ("x==", "x=%3D"), ("=v", "=v"), ("k", "k="), ("b=2&&a=1", "a=1&b=2")],
)
def test_canonical_query_splits_each_pair_at_its_first_equals_sign(query, canonical):
    """§2 step 3, as a form decoder reads the query: the name ends at the first "="."""
    assert binance_open.canonical_query(query) == canonical
