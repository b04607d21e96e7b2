"""A local exchange whose clock runs 3 s ahead of the client's, and the one safe resend.

The per-scheme tests call :func:`resends_after_three_seconds`: a server clock syncs with
the exchange, the exchange's clock then jumps 3 s ahead, the first request is rejected
with the exchange's own timestamp code, the clock syncs once, the one fresh resend is
accepted, and the next request needs no resend. (``test_contract_resend.py`` does the
same for every scheme with a ten-minute jump.)
"""

from __future__ import annotations

from typing import Any

from contract import example_kwargs
from transports import send

from requests_exchange_auth._registry import scheme
from requests_exchange_auth.testing import LocalExchange

THREE_SECONDS_MS = 3000


def resends_after_three_seconds(scheme_id: str, transport: str, code: str, **options: Any) -> None:
    """Rejected once with ``code``, synced once, accepted on the second send; the next
    request is accepted at once. ``options`` go to the auth (e.g. ``recv_window``)."""
    entry = scheme(scheme_id)
    example = entry.kit.examples[0]
    with LocalExchange() as exchange:
        url = exchange.url + example.path
        clock = entry.auth_class.server_clock(url, samples=1).sync()
        exchange.clock_offset_ms = THREE_SECONDS_MS
        exchange.received.clear()
        auth = entry.kit.make_auth(clock=clock, retry_invalid_timestamp=True, **options)
        kwargs = example_kwargs(example)
        reply = send(transport, auth, example.method, url, **kwargs)
        assert reply.status == 200, [str(r.verdict) for r in exchange.received]
        signed = [r for r in exchange.received if r.scheme == scheme_id]
        assert [r.verdict.ok for r in signed] == [False, True]
        assert signed[0].verdict.code == code
        assert str(signed[0].verdict.failure) == "stale_timestamp"
        assert [r.scheme for r in exchange.received].count("time") == 1  # one sync
        assert send(transport, auth, example.method, url, **kwargs).status == 200
        assert len([r for r in exchange.received if r.scheme == scheme_id]) == 3
