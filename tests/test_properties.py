"""Properties: for any parameters and any accepted body shape, the bytes sent are the bytes signed.

Each check recomputes the signature independently, from the final ``r.url`` query and
``r.body`` only (DESIGN.md "Sign the bytes that go on the wire", "The auth owns what it
adds").
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode, urlsplit

import jwt
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from vectors import (
    BINANCE_API_KEY,
    BINANCE_ORDER_URL,
    BINANCE_SECRET,
    OPEN_API_AK,
    OPEN_API_POST_URL,
    OPEN_API_SK,
    POLONIEX_API_KEY,
    POLONIEX_SECRET,
    POLONIEX_URL,
)

from requests_exchange_auth import BinanceOpenApiJwtAuth, BinanceQueryAuth, PoloniexBodyDigestAuth
from requests_exchange_auth.schemes.binance_open import canonical_request

TOKEN = "X-Mp-Open-Api-Token"
FORM = "application/x-www-form-urlencoded"
SETTINGS = settings(max_examples=200, deadline=None)
MS = 1_000_000  # nanoseconds per millisecond

# -- strategies ---------------------------------------------------------------------------

# any code point that UTF-8 can carry, plus the characters that matter to form encoding
_any_text = st.text(st.characters(codec="utf-8"), max_size=10)
_tricky_text = st.text(st.sampled_from("&=+%/ ?#~*'é１\u00a0\t"), max_size=6)
_values = st.one_of(_any_text, _tricky_text, st.just(""))
# a few fixed names make repeated names common
_names = st.one_of(_any_text, _tricky_text, st.sampled_from(["a", "a b", "&", "symbol"]))


def _pairs(owned: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Lists of (name, value), names possibly repeated, none of them a name the auth owns."""
    names = _names.filter(lambda name: name not in owned)
    return st.lists(st.tuples(names, _values), max_size=6)


class Shape(NamedTuple):
    """How the caller hands data to requests, and what requests makes of it."""

    name: str
    build: Callable[[list[tuple[str, str]]], Any]  # the data= argument
    encoded: Callable[[list[tuple[str, str]]], str]  # the form text requests sends


def _form(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs)


FORM_SHAPES = [
    Shape("data=dict", dict, lambda pairs: urlencode(dict(pairs))),
    Shape("data=list-of-tuples", list, _form),
    Shape("data=str-form-encoded", _form, _form),
    Shape("data=bytes-form-encoded", lambda pairs: _form(pairs).encode(), _form),
]
_form_shapes = st.sampled_from(FORM_SHAPES)


class Drawn(NamedTuple):
    """A request to sign: query parameters, body parameters and the body's shape."""

    params: list[tuple[str, str]]
    data: list[tuple[str, str]]
    shape: Shape | None  # None: no body at all

    def request_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"params": self.params}
        if self.shape is not None:
            kwargs["data"] = self.shape.build(self.data)
        return kwargs

    def query(self) -> str:
        return urlencode(self.params)

    def body_prefix(self) -> str:
        """The caller's form text in the body ('' when there is none)."""
        return "" if self.shape is None else self.shape.encoded(self.data)


def _requests(owned: tuple[str, ...]) -> st.SearchStrategy[Drawn]:
    """No body, or a form body of any shape, with or without query parameters."""
    return st.builds(Drawn, _pairs(owned), _pairs(owned), st.none() | _form_shapes)


def _clock_pairs(step: int) -> st.SearchStrategy[tuple[int, int]]:
    """Two clock readings in nanoseconds, the second at least ``step`` later."""
    first = st.integers(min_value=10**18, max_value=4 * 10**18)
    return first.flatmap(lambda t: st.tuples(st.just(t), st.integers(t + step, t + 10**15)))


def ticking(*readings: int) -> Callable[[], int]:
    """A clock or nonce source that returns ``readings`` in order."""
    return iter(readings).__next__


def prepare(auth: Any, method: str, url: str, kwargs: dict[str, Any]) -> requests.PreparedRequest:
    return requests.Request(method, url, auth=auth, **kwargs).prepare()


def body_bytes(r: requests.PreparedRequest) -> bytes:
    """The body bytes http.client sends: a ``str`` body goes out encoded as ISO-8859-1."""
    if r.body is None:
        return b""
    return r.body if isinstance(r.body, bytes) else r.body.encode("iso-8859-1")


def intended_bytes(r: requests.PreparedRequest) -> bytes:
    """The body bytes the caller meant: a ``str`` body as UTF-8."""
    if r.body is None:
        return b""
    return r.body if isinstance(r.body, bytes) else r.body.encode("utf-8")


def raw_query(r: requests.PreparedRequest) -> str:
    return urlsplit(r.url or "").query


def names_of(*parts: str) -> list[str]:
    return [piece.partition("=")[0] for part in parts for piece in part.split("&") if piece]


def assert_framed(r: requests.PreparedRequest) -> None:
    """Content-Length is the length of the body bytes that go on the wire.

    requests frames a body-less GET without the header and any other body-less method as 0.
    """
    length = len(body_bytes(r))
    expected = str(length) if length or r.method != "GET" else None
    assert r.headers.get("Content-Length") == expected


# -- Binance -------------------------------------------------------------------------------

BINANCE_OWNED = ("timestamp", "signature")


def verify_binance(r: requests.PreparedRequest) -> str:
    """Check a signed Binance request from its wire form alone; return its timestamp."""
    query, body = raw_query(r), body_bytes(r).decode("ascii")
    carrier = body or query  # §7: signature at the end of the body if any, else the query
    signed, sep, signature = carrier.rpartition("&signature=")
    assert sep
    assert re.fullmatch("[0-9a-f]{64}", signature)
    total = query + signed if body else signed  # §3: totalParams = query + body
    expected = hmac.new(BINANCE_SECRET.encode(), total.encode(), hashlib.sha256).hexdigest()
    assert signature == expected
    assert names_of(query, body).count("timestamp") == 1
    assert names_of(query, body).count("signature") == 1
    last = signed.split("&")[-1]  # timestamp comes right before the signature
    assert last.startswith("timestamp=")
    return last.removeprefix("timestamp=")


@SETTINGS
@given(drawn=_requests(BINANCE_OWNED), now=st.integers(10**18, 4 * 10**18))
def test_binance_sends_what_it_signs(drawn, now):
    """The HMAC of query + body as sent equals the signature, which is the last parameter."""
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, clock=lambda: now)

    r = prepare(auth, "POST", BINANCE_ORDER_URL, drawn.request_kwargs())

    assert verify_binance(r) == str(now // MS)
    assert_framed(r)


@SETTINGS
@given(drawn=_requests(BINANCE_OWNED), now=st.integers(10**18, 4 * 10**18))
def test_binance_keeps_the_callers_bytes(drawn, now):
    """The caller's encoded parameters go out unchanged, then only timestamp and signature."""
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, clock=lambda: now)

    r = prepare(auth, "POST", BINANCE_ORDER_URL, drawn.request_kwargs())

    ours = f"timestamp={now // MS}&signature="
    if drawn.body_prefix():
        assert raw_query(r) == drawn.query()
        assert body_bytes(r).decode().startswith(f"{drawn.body_prefix()}&{ours}")
    else:
        assert raw_query(r).startswith(f"{drawn.query()}&{ours}" if drawn.params else ours)


@SETTINGS
@given(drawn=_requests(BINANCE_OWNED), times=_clock_pairs(MS))
def test_binance_resigning_replaces_timestamp_and_signature(drawn, times):
    """Signing a prepared request again leaves one, fresh timestamp and a valid signature."""
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, clock=ticking(*times))
    r = prepare(auth, "POST", BINANCE_ORDER_URL, drawn.request_kwargs())

    r = auth(r)

    assert verify_binance(r) == str(times[1] // MS)
    assert_framed(r)


@SETTINGS
@given(drawn=_requests(BINANCE_OWNED), now=st.integers(10**18, 4 * 10**18))
def test_binance_called_directly_frames_the_body(drawn, now):
    """Called on a PreparedRequest outside requests, the auth itself sets the body's framing."""
    r = prepare(None, "POST", BINANCE_ORDER_URL, drawn.request_kwargs())
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, clock=lambda: now)

    r = auth(r)

    assert verify_binance(r) == str(now // MS)
    assert_framed(r)
    assert r.headers.get("Content-Type") == (FORM if drawn.body_prefix() else None)


# -- Poloniex legacy ----------------------------------------------------------------------

POLONIEX_OWNED = ("nonce",)
_nonces = st.integers(min_value=1, max_value=2**63)


def verify_poloniex(r: requests.PreparedRequest) -> str:
    """Check a signed Poloniex request from its wire form alone; return its nonce."""
    body = body_bytes(r)
    expected = hmac.new(POLONIEX_SECRET.encode(), body, hashlib.sha512).hexdigest()
    assert r.headers["Sign"] == expected
    assert names_of(body.decode("ascii")).count("nonce") == 1
    last = body.decode("ascii").split("&")[-1]
    assert last.startswith("nonce=")
    return last.removeprefix("nonce=")


@SETTINGS
@given(drawn=_requests(POLONIEX_OWNED), nonce=_nonces)
def test_poloniex_sends_what_it_signs(drawn, nonce):
    """Sign is the HMAC-SHA512 of the exact body bytes, whose last parameter is the nonce."""
    auth = PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, nonce=lambda: nonce)

    r = prepare(auth, "POST", POLONIEX_URL, drawn.request_kwargs())

    assert verify_poloniex(r) == str(nonce)
    assert_framed(r)


@SETTINGS
@given(drawn=_requests(POLONIEX_OWNED), nonce=_nonces)
def test_poloniex_keeps_the_callers_bytes(drawn, nonce):
    """The caller's query and form text go out unchanged; only ``&nonce=…`` is appended."""
    auth = PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, nonce=lambda: nonce)

    r = prepare(auth, "POST", POLONIEX_URL, drawn.request_kwargs())

    prefix = drawn.body_prefix()
    assert raw_query(r) == drawn.query()
    assert body_bytes(r).decode() == (f"{prefix}&" if prefix else "") + f"nonce={nonce}"


@SETTINGS
@given(drawn=_requests(POLONIEX_OWNED), first=_nonces, step=st.integers(1, 10**12))
def test_poloniex_resigning_replaces_nonce(drawn, first, step):
    """Signing a prepared request again leaves one nonce, the fresh one, and a valid Sign."""
    auth = PoloniexBodyDigestAuth(
        POLONIEX_API_KEY, POLONIEX_SECRET, nonce=ticking(first, first + step)
    )
    r = prepare(auth, "POST", POLONIEX_URL, drawn.request_kwargs())

    r = auth(r)

    assert verify_poloniex(r) == str(first + step)
    assert_framed(r)


@SETTINGS
@given(drawn=_requests(POLONIEX_OWNED), nonce=_nonces)
def test_poloniex_called_directly_frames_the_body(drawn, nonce):
    """Called on a PreparedRequest outside requests, the auth itself sets the body's framing."""
    r = prepare(None, "POST", POLONIEX_URL, drawn.request_kwargs())
    auth = PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, nonce=lambda: nonce)

    r = auth(r)

    assert verify_poloniex(r) == str(nonce)
    assert_framed(r)
    assert r.headers["Content-Type"] == FORM


# -- Binance Open Service JWT -------------------------------------------------------------


class OpenDrawn(NamedTuple):
    """An Open API request: a method, query parameters and any body requests can send."""

    method: str
    params: list[tuple[str, str]]
    body: tuple[str, Any]  # (keyword of requests.Request, value), or ("", None)

    def request_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"params": self.params}
        if self.body[0]:
            kwargs[self.body[0]] = self.body[1]
        return kwargs


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_any_text, inner, max_size=3),
    max_leaves=6,
)
_open_bodies = st.one_of(
    st.just(("", None)),
    st.tuples(st.just("data"), _pairs(()).map(dict)),
    st.tuples(st.just("data"), _pairs(()).map(urlencode)),
    st.tuples(st.just("data"), _pairs(()).map(lambda pairs: urlencode(pairs).encode())),
    st.tuples(st.just("data"), _any_text),  # raw text, non-ASCII included: hashed as UTF-8
    st.tuples(st.just("json"), _json_values),
)
_open_requests = st.builds(
    OpenDrawn, st.sampled_from(["GET", "POST", "PUT", "DELETE"]), _pairs(()), _open_bodies
)


def open_claims(r: requests.PreparedRequest) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(r.headers[TOKEN], OPEN_API_SK, algorithms=["HS256"])
    return claims


@SETTINGS
@given(drawn=_open_requests, now=st.integers(10**18, 4 * 10**18))
def test_open_api_digest_covers_what_is_sent(drawn, now):
    """The token's dig is the SHA-256 of the canonical request of the final URL and body bytes."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=lambda: now)

    r = prepare(auth, drawn.method, OPEN_API_POST_URL, drawn.request_kwargs())

    digest = hashlib.sha256(canonical_request(drawn.method, r.url, body_bytes(r)).encode())
    assert open_claims(r) == {"iss": OPEN_API_AK, "dig": digest.hexdigest(), "ts": now // 10**9}
    assert_framed(r)


@SETTINGS
@given(drawn=_open_requests)
def test_open_api_leaves_url_and_body_as_requests_made_them(drawn):
    """The auth only adds its header: the prepared URL and body bytes are unchanged."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=lambda: 10**18)
    unsigned = prepare(None, drawn.method, OPEN_API_POST_URL, drawn.request_kwargs())

    r = prepare(auth, drawn.method, OPEN_API_POST_URL, drawn.request_kwargs())

    assert r.url == unsigned.url
    assert body_bytes(r) == intended_bytes(unsigned)


@SETTINGS
@given(drawn=_open_requests, now=st.integers(10**18, 4 * 10**18))
def test_open_api_called_directly_sends_what_it_hashes(drawn, now):
    """Called on a PreparedRequest outside requests, the body sent is the UTF-8 that was hashed."""
    r = prepare(None, drawn.method, OPEN_API_POST_URL, drawn.request_kwargs())
    meant = intended_bytes(r)
    auth = BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=lambda: now)

    r = auth(r)

    digest = hashlib.sha256(canonical_request(drawn.method, r.url, meant).encode())
    assert body_bytes(r) == meant
    assert open_claims(r)["dig"] == digest.hexdigest()
    assert_framed(r)


def _canonical_from_pairs(pairs: list[tuple[str, str]]) -> str:
    """binance-open-api-jwt.md §2 step 3, computed from the caller's own parameters."""
    encoded = sorted((quote(n, safe="-_.~"), quote(v, safe="-_.~")) for n, v in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


@SETTINGS
@given(pairs=_pairs(()))
def test_open_api_canonical_query_is_independent_of_wire_encoding(pairs):
    """The canonical query line of the request sent equals §2 step 3 applied to the parameters."""
    r = prepare(None, "GET", OPEN_API_POST_URL, {"params": pairs})

    line = canonical_request("GET", r.url, b"").split("\n")[2]

    assert line == _canonical_from_pairs(pairs)


@SETTINGS
@given(drawn=_open_requests, times=_clock_pairs(10**9))
def test_open_api_resigning_replaces_token(drawn, times):
    """Signing a prepared request again replaces the token with one carrying the fresh ts."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=ticking(*times))
    r = prepare(auth, drawn.method, OPEN_API_POST_URL, drawn.request_kwargs())
    first = open_claims(r)

    r = auth(r)

    assert open_claims(r) == {**first, "ts": times[1] // 10**9}
    assert [name for name in r.headers if name.lower() == TOKEN.lower()] == [TOKEN]
