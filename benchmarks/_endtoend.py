"""End to end: signed requests through one keep-alive Session to a local exchange.

The server is :class:`LocalExchange` with verification off, so it does the same small
amount of work for every request whatever the auth, and the ratio shows what signing
adds to a whole round trip (HTTP on loopback). It runs in a process of its own, as a
real exchange would, so that its thread's hold on the GIL does not land on the
client's timings. The no-op and the signed request alternate, one each in turn, so
both see the same machine; a third auth replays our signed bytes without computing
them, to tell the cost of the extra bytes from the cost of signing.

One more row is timed: the transport check (DESIGN.md #5) of the local exchange's
``http://127.0.0.1`` URL. A loopback URL is signed only when no proxy from the
environment would carry it, and reading that costs far more than the ``https://``
prefix test a real exchange's URL gets: every "ours" end-to-end row here pays it.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

import requests
from requests import PreparedRequest
from requests.auth import AuthBase

from _cases import NoopAuth, Scheme
from _harness import Case, alternating, statement
from requests_exchange_auth._transport import check_transport
from requests_exchange_auth.testing import LocalExchange, Received


class UnverifiedExchange(LocalExchange):
    """A LocalExchange that answers every request 200 without checking it."""

    def handle(self, received: Received) -> tuple[int, dict[str, Any]]:
        return 200, {"accepted": True}


def _serve(conn: Connection) -> None:
    """In the server process: run the exchange, send its URL, stop when told (or orphaned)."""
    with UnverifiedExchange() as exchange:
        conn.send(exchange.url)
        with contextlib.suppress(EOFError):  # EOF: the benchmark process went away
            conn.recv()


@contextlib.contextmanager
def exchange_process(timeout: float = 30.0) -> Iterator[str]:
    """An UnverifiedExchange on 127.0.0.1 in a child process; yields its base URL."""
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    try:
        if not ours.poll(timeout):
            msg = f"the local exchange did not start within {timeout:g} s"
            raise RuntimeError(msg)
        yield ours.recv()
    finally:
        if server.is_alive():
            ours.send("stop")
            server.join(timeout)
        if server.is_alive():
            server.terminate()
            server.join()


class ReplayAuth(AuthBase):
    """Writes what our auth wrote, signed once in advance: the same bytes, nothing computed.

    The control between the no-op auth and ours: what the extra headers and parameters
    cost on the wire and in both HTTP stacks, apart from computing them.
    """

    def __init__(self, unsigned: PreparedRequest, signed: PreparedRequest) -> None:
        self.url, self.body = signed.url, signed.body
        self.added = {k: v for k, v in signed.headers.items() if unsigned.headers.get(k) != v}

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.url, r.body = self.url, self.body
        r.headers.update(self.added)
        return r


def cases(base_url: str, session: requests.Session, schemes: list[Scheme]) -> list[Case]:
    """Per scheme: no-op auth, replayed signed bytes, and ours, alternating request by request."""
    url = base_url + "/"
    ns = {"check": check_transport, "url": url}
    found = [Case("transport.loopback", statement("check(url, allow_insecure_http=False)", ns))]
    for scheme in schemes:
        method, url, kwargs = scheme.rows.request.method, scheme.url(base_url), scheme.kwargs()
        unsigned = scheme.request(None, base_url).prepare()
        signed = scheme.request(scheme.auth, base_url).prepare()
        auths = {"noop": NoopAuth(), "replay": ReplayAuth(unsigned, signed), "ours": scheme.auth}
        ops = {
            f"e2e.{name}.{scheme.id}": functools.partial(
                session.request, method, url, auth=auth, **kwargs
            )
            for name, auth in auths.items()
        }
        found.append(Case(f"e2e.{scheme.id}", alternating(ops), weight=24))
    return found
