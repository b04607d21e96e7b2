"""Every scheme with a timestamp resend: one safe re-sign after its exchange's rejection.

For each registered auth that takes ``retry_invalid_timestamp``: its own server clock
(``server_clock(url)``) syncs with the local exchange; the exchange's clock then jumps
ten minutes (beyond every exchange's window); the first request is rejected with the
exchange's timestamp answer, the clock syncs once, and one fresh resend is accepted; the
next request needs no resend. On requests, httpx and httpx async.
"""

from __future__ import annotations

import pytest
from contract import ENTRIES, example_kwargs, takes
from transports import send

from requests_exchange_auth.testing import LocalExchange

RESENDING = [e for e in ENTRIES if takes(e.values[0], "retry_invalid_timestamp")]
TEN_MINUTES_MS = 600_000


def test_timestamp_schemes_resend():
    """Every scheme whose auth signs a timestamp offers the resend (issues 11, 14, 15)."""
    assert RESENDING


@pytest.mark.parametrize("jump_ms", [TEN_MINUTES_MS, -TEN_MINUTES_MS], ids=["ahead", "behind"])
@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
@pytest.mark.parametrize("entry", RESENDING)
def test_one_fresh_resend_after_the_exchanges_timestamp_answer(entry, transport, jump_ms):
    """Rejected once for its timestamp, synced once, accepted on the second send."""
    example = entry.kit.examples[0]
    with LocalExchange() as exchange:
        url = exchange.url + example.path
        clock = entry.auth_class.server_clock(url, samples=1).sync()
        exchange.clock_offset_ms = jump_ms
        exchange.received.clear()
        auth = entry.kit.make_auth(example.account, clock=clock, retry_invalid_timestamp=True)
        kwargs = example_kwargs(example)
        reply = send(transport, auth, example.method, url, **kwargs)
        assert reply.status == 200, [str(r.verdict) for r in exchange.received]
        signed = [r for r in exchange.received if r.scheme == entry.id]
        assert [r.verdict.ok for r in signed] == [False, True]
        assert str(signed[0].verdict.failure) in ("stale_timestamp", "timestamp_ahead")
        assert [r.scheme for r in exchange.received].count("time") == 1  # one sync
        assert send(transport, auth, example.method, url, **kwargs).status == 200
        assert len([r for r in exchange.received if r.scheme == entry.id]) == 3
