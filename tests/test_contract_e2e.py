"""Every registered scheme, end to end on every transport, against the local exchange.

Its examples are accepted; re-signing the signed request leaves one fresh copy of what
the auth owns; a pickled auth signs as the original; one auth serves many threads.
"""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import requests
from contract import ENTRIES, deterministic, example_kwargs, make
from transports import TRANSPORTS, send, signed_request

from requests_exchange_auth.httpx import HttpxAuth
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("entry", ENTRIES)
def test_examples_are_accepted_on_every_transport(local_exchange, entry, transport):
    """Each example of the scheme, signed on this transport, verifies at the exchange."""
    for example in entry.kit.examples:
        auth = entry.kit.make_auth(example.account)
        reply = send(transport, auth, example.method, local_exchange.url + example.path,
                     **example_kwargs(example))  # fmt: skip
        record = local_exchange.received[-1]
        assert reply.status == 200, record.verdict
        assert record.scheme == entry.id
        assert record.verdict.ok


def _names(signed) -> list[str]:
    """The parameter names of a signed request's query and form body, in order."""
    query = urlsplit(signed.url).query
    body = signed.body or b""
    form = body.decode("latin-1") if body[:1] not in (b"{", b"[") else ""
    return [name for name, _ in parse_qsl(query + "&" + form, keep_blank_values=True)]


@pytest.mark.parametrize("entry", ENTRIES)
def test_resigning_leaves_one_fresh_copy_of_what_the_auth_owns(entry):
    """Signing a signed request again replaces the auth's parameters and headers, never
    duplicates them, and the exchange accepts the result (DESIGN.md #2)."""
    clock = FakeClock()
    auth = make(entry, **deterministic(entry, clock))
    example = entry.kit.examples[0]
    exchange = LocalExchange(clock=clock, strict_nonce=False)
    first = _signed(auth, example)
    clock.advance(ms=1)
    again = auth.sign(first.method, first.url, headers=first.headers, body=first.body)
    assert _names(again) == _names(first)
    assert sorted(again.headers) == sorted(first.headers)
    status, _ = exchange.handle(Received.from_prepared(again))
    assert status == 200, exchange.received[-1].verdict


def _signed(auth, example):
    url = "https://example.com" + example.path
    return signed_request(auth, example.method, url, **example_kwargs(example))


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_pickled_auth_signs_as_the_original(entry):
    """A pickle carries the credentials and options: the copy signs the same bytes."""
    auth = make(entry, **deterministic(entry))
    copy = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own object, round-tripped
    example = entry.kit.examples[0]
    original, copied = _signed(auth, example), _signed(copy, example)
    assert copied.url.partition("?")[0] == original.url.partition("?")[0]
    assert repr(copy) == repr(auth)
    exchange = LocalExchange(clock=FakeClock(), strict_nonce=False)
    for signed in (original, copied):
        assert exchange.handle(Received.from_prepared(signed))[0] == 200, exchange.received[
            -1
        ].verdict


@pytest.mark.parametrize("entry", ENTRIES)
def test_one_auth_serves_eight_threads(entry):
    """Eight threads share one auth, on requests and on one shared httpx client; every
    request verifies (DESIGN.md #7)."""
    auth = make(entry)
    example = entry.kit.examples[0]
    kwargs = {k: v for k, v in example_kwargs(example).items() if v is not None}
    with LocalExchange(strict_nonce=False) as exchange, httpx.Client() as shared:
        url = exchange.url + example.path
        wrapped = HttpxAuth(auth)

        def one(n: int) -> int:
            if n % 2:
                return shared.request(example.method, url, auth=wrapped, **kwargs).status_code
            return requests.request(
                example.method, url, auth=auth, timeout=10, **kwargs
            ).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(one, range(48)))
    assert statuses == [200] * 48, [str(r.verdict) for r in exchange.rejected][:3]
