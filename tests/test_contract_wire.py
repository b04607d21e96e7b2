"""Every registered scheme's spec vectors, on every transport: the same bytes on the wire.

For each vector the signed request reaches a recording server on 127.0.0.1 exactly as
the spec prints it, through requests, httpx (sync and async) and ``sign()``; the local
exchange accepts what arrived, and rejects it with one byte changed. The scheme modules
also sign every vector with requests and httpx made unimportable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from requests.structures import CaseInsensitiveDict
from scheme_vectors import WireVector, vectors_of
from transports import TRANSPORTS, send

from requests_exchange_auth._registry import SCHEMES
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received

CASES = [
    pytest.param(entry, vector, id=f"{entry.id}-{vector.id}")
    for entry in SCHEMES
    for vector in vectors_of(entry.id)
]


def test_every_registered_scheme_has_spec_vectors():
    """A scheme added to the registry without scheme_vectors/<id>.py fails here."""
    for entry in SCHEMES:
        assert vectors_of(entry.id), f"{entry.id} has no spec vectors"


def _exchange(entry, vector: WireVector) -> LocalExchange:
    kit = entry.kit
    key, credential = vector.account, kit.credential_of_account(vector.account)
    accounts = {kit.account_scheme: {kit.key_of_account(key): credential}}
    return LocalExchange(accounts={**accounts}, clock=FakeClock(vector.now_ns or 1))


def _changed(received: Received, owned: tuple[str, ...]) -> Received:
    """The request with one byte changed: in the body, else the query, else a header."""
    if received.body:
        body = bytearray(received.body)
        body[len(body) // 2] ^= 0x01
        return Received(received.method, received.target, received.headers, bytes(body))
    path, _, query = received.target.partition("?")
    if query:
        middle = len(query) // 2
        query = query[:middle] + ("a" if query[middle] != "a" else "b") + query[middle + 1 :]
        return Received(received.method, f"{path}?{query}", received.headers, received.body)
    headers = CaseInsensitiveDict(received.headers)
    headers[owned[0]] = headers[owned[0]][:-1] + "x"
    return Received(received.method, received.target, headers, received.body)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("entry", "vector"), CASES)
def test_vector_goes_on_the_wire_as_the_spec_prints_it(recording_server, transport, entry, vector):
    """Target, body and the auth's headers arrive as in the spec; the exchange agrees."""
    server = recording_server(lambda hit, url: (200, {"Content-Type": "application/json"}))
    send(transport, vector.make_auth(), vector.method, server.url + vector.path,
         body=vector.body, headers=vector.headers)  # fmt: skip
    [hit] = server.hits
    assert hit.target == vector.target
    assert hit.body == (vector.signed_body or b"")
    received_headers = CaseInsensitiveDict(hit.headers)
    for name, value in vector.signed_headers.items():
        assert received_headers.get(name) == value, name
    received = Received(hit.method, hit.target, hit.headers, hit.body)
    exchange = _exchange(entry, vector)
    assert exchange.handle(received)[0] == 200, exchange.received[-1].verdict
    owned = entry.auth_class.owned_headers
    assert entry.kit.is_rejection(*exchange.handle(_changed(received, owned)))
    assert not exchange.received[-1].verdict


_WITHOUT_CLIENTS = textwrap.dedent(
    """
    import importlib.abc, sys

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("requests", "httpx", "urllib3"):
                raise ImportError(f"{name} is made unimportable for this test")

    sys.meta_path.insert(0, Refuse())
    from requests_exchange_auth._registry import SCHEMES
    from scheme_vectors import vectors_of

    signed = 0
    for entry in SCHEMES:
        auth_class = entry.auth_class  # imports the scheme module
        for vector in vectors_of(entry.id):
            request = vector.make_auth().sign(
                vector.method, vector.url, headers=dict(vector.headers), body=vector.body)
            target = request.url.partition("://")[2].partition("/")[2]
            assert "/" + target == vector.target, (entry.id, vector.id, request.url)
            assert (request.body or b"") == (vector.signed_body or b""), (entry.id, vector.id)
            for name, value in vector.signed_headers.items():
                assert request.headers[name] == value, (entry.id, vector.id, name)
            signed += 1
    loaded = sorted(m for m in sys.modules if m.partition(".")[0] in ("requests", "httpx"))
    assert not loaded, loaded
    print(f"signed {signed} vectors of {len(SCHEMES)} schemes without requests or httpx")
    """
)


def test_scheme_modules_sign_every_vector_without_requests_or_httpx():
    """A meta-path finder refuses requests and httpx; every vector still signs via sign()."""
    tests = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), *sys.path])}
    done = subprocess.run(  # noqa: S603  # this interpreter, a fixed script
        [sys.executable, "-c", _WITHOUT_CLIENTS], capture_output=True, text=True,
        cwd=tests, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"signed {len(CASES)} vectors of {len(SCHEMES)} schemes" in done.stdout
