"""The smaller parts of the testing kit: Received, the fakes, the configuration errors."""

from __future__ import annotations

import io
import threading

import pytest
import requests

from requests_exchange_auth import BinanceQueryAuth, ConfigurationError, testing
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_RSA_PRIVATE_KEY,
    BINANCE_SECRET,
    SPEC_TIME_NS,
    CountingNonce,
    FakeClock,
    Received,
    verify_binance,
)


def test_received_normalises_its_parts():
    """Method upper-case, any header mapping, str body as UTF-8, a whole URL as target."""
    received = Received("post", "https://h.example/a/b?x=1&y=2#frag", {"K": "v"}, "é")
    assert (received.method, received.path, received.query) == ("POST", "/a/b", "x=1&y=2")
    assert received.headers["k"] == "v"
    assert received.body == "é".encode()
    assert Received("GET", "https://h.example").path == "/"
    assert Received("GET", "/p").query == ""


def test_received_holds_non_latin1_targets_as_their_utf8_bytes():
    """A target typed with characters above U+00FF stands for its UTF-8 bytes."""
    assert Received("GET", "/é１").target == "/é１".encode().decode("latin-1")


def test_from_prepared_reads_what_requests_sends():
    """The request line's path and query, the headers, and a str body as Latin-1."""
    prepared = requests.Request(
        "POST", "https://h.example/p?q=1#f", data="a=é", headers={"X": "1"}
    ).prepare()
    received = Received.from_prepared(prepared)
    assert (received.target, received.body, received.headers["x"]) == ("/p?q=1", b"a=\xe9", "1")
    assert (
        Received.from_prepared(requests.Request("GET", "https://h.example").prepare()).target == "/"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [(io.BytesIO(b"x"), "stream"), ("a=\u20ac", "outside Latin-1")],
    ids=["stream", "not-latin-1"],
)
def test_from_prepared_refuses_bodies_it_cannot_know(body, message):
    """A stream cannot be read without consuming it; a str http.client cannot send is refused."""
    prepared = requests.Request("POST", "https://h.example/p").prepare()
    prepared.body = body
    with pytest.raises(ValueError, match=message):
        Received.from_prepared(prepared)


def test_fake_clock_moves_only_when_told():
    """A FakeClock reads the same until advanced or set; step_ns moves it per reading."""
    clock = FakeClock()
    assert clock() == clock() == SPEC_TIME_NS
    assert clock.advance(ms=2, ns=5) == SPEC_TIME_NS + 2_000_005
    clock.set(10**18)
    assert (clock.ms, repr(clock)) == (10**12, f"FakeClock({10**18})")
    stepping = FakeClock(0, step_ns=3)
    assert [stepping(), stepping(), stepping()] == [0, 3, 6]


def test_fake_clock_signs_the_docs_example():
    """At its default time a FakeClock makes BinanceQueryAuth reproduce the docs' example."""
    prepared = requests.Request(
        "POST",
        "https://api.binance.com/api/v3/order",
        params=[("symbol", "LTCBTC"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                ("quantity", "1"), ("price", "0.1")],
        auth=BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=5000, clock=FakeClock()),
    ).prepare()  # fmt: skip
    assert prepared.url.endswith(
        "signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )


def test_counting_nonce_counts_across_threads():
    """CountingNonce issues start, start+step, … once each, even from many threads."""
    nonce = CountingNonce(start=10, step=5)
    seen: list[int] = []
    threads = [threading.Thread(target=lambda: seen.extend(nonce() for _ in range(200)))
               for _ in range(4)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(10, 10 + 5 * 800, 5))
    assert next(nonce) == nonce.last == 10 + 5 * 800
    assert iter(nonce) is nonce
    assert repr(nonce) == f"CountingNonce(last={nonce.last})"


@pytest.mark.parametrize(("start", "step"), [(0, 1), (1, 0)])
def test_counting_nonce_needs_positive_values(start, step):
    """Exchanges take positive nonces only."""
    with pytest.raises(ValueError, match="positive"):
        CountingNonce(start, step)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of secret= "),
        ({"secret": "s", "public_key": BINANCE_RSA_PRIVATE_KEY}, "exactly one of"),
        ({"secret": ""}, "non-empty str or bytes"),
        ({"secret": BINANCE_RSA_PRIVATE_KEY}, "holds a PEM key"),
        ({"public_key": "-----BEGIN PUBLIC KEY-----\nnot base64\n"}, "could not be loaded"),
        ({"public_key": 42}, "not int"),
    ],
    ids=["neither", "both", "empty-secret", "PEM-as-secret", "bad-PEM", "not-a-key"],
)
def test_verifier_credentials_are_checked(kwargs, message):
    """Wrong credentials for a verifier say what is expected."""
    received = Received("GET", "/api/v3/account")
    with pytest.raises(ConfigurationError, match=message) as raised:
        verify_binance(received, BINANCE_KEY, **kwargs)
    assert BINANCE_RSA_PRIVATE_KEY not in str(raised.value)
    assert raised.value.__context__ is None


def test_namespace_loads_names_on_demand():
    """Every name in __all__ resolves; unknown names raise AttributeError; dir() lists all."""
    for name in testing.__all__:
        assert getattr(testing, name) is not None
    assert set(testing.__all__) <= set(dir(testing))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = testing.nope
