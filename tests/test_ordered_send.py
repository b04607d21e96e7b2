"""OrderedNonce(release="sent"): the order passes on once a request's bytes are written.

The local exchange answers ``/tradingApi`` late here (a canned answer that sleeps, after
the nonce check), so a hold still kept at the response would keep every other thread
waiting that long.
"""

from __future__ import annotations

import asyncio
import pickle
import threading
import time
from typing import Any

import httpx
import pytest
import requests

from requests_exchange_auth import (
    ConfigurationError,
    ExchangeAdapter,
    MonotonicNonce,
    NonceTimeoutError,
    OrderedAdapter,
    OrderedNonce,
    PoloniexBodyDigestAuth,
    SignedRetry,
)
from requests_exchange_auth.httpx import HttpxAuth
from requests_exchange_auth.testing import POLONIEX_KEY, POLONIEX_SECRET

SLOW_S = 0.8
ARRIVED = threading.Event()


def late(received: Any) -> dict[str, int]:
    ARRIVED.set()
    time.sleep(SLOW_S)
    return {"BTC": 1}


def poloniex(nonce: OrderedNonce) -> PoloniexBodyDigestAuth:
    return PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=nonce)


def send_in_background(transport: str, url: str, auth: Any) -> threading.Thread:
    """Send one request from another thread, through ``transport``."""

    def run() -> None:
        data = {"command": "returnBalances"}
        if transport == "requests":
            with requests.Session() as session:
                session.mount("http://", OrderedAdapter())
                session.post(url, data=data, auth=auth, timeout=5)
        elif transport == "httpx":
            httpx.post(url, data=data, auth=HttpxAuth(auth), timeout=5)
        else:

            async def go() -> None:
                async with httpx.AsyncClient(auth=HttpxAuth(auth), timeout=5) as client:
                    await client.post(url, data=data)

            asyncio.run(go())

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_for_arrival(exchange: Any) -> None:
    """Until the late answer has started: the request was checked, its answer is due."""
    assert ARRIVED.wait(5)
    ARRIVED.clear()


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_sent_mode_passes_the_order_on_before_the_response(transport, exchange):
    """While the first request waits for its (late) answer, another thread draws at once."""
    exchange.respond("/tradingApi", late)
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.3, release="sent")
    sender = send_in_background(transport, exchange.url + "/tradingApi", poloniex(nonce))
    wait_for_arrival(exchange)

    started = time.monotonic()
    hold = nonce.hold()
    waited = time.monotonic() - started
    hold.release()
    sender.join()

    assert waited < SLOW_S / 2
    assert [i.verdict.ok for i in exchange.received] == [True]


def test_response_mode_keeps_the_order_until_the_response(exchange):
    """The default keeps the order until the answer: another thread times out meanwhile."""
    exchange.respond("/tradingApi", late)
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.2)
    sender = send_in_background("requests", exchange.url + "/tradingApi", poloniex(nonce))
    wait_for_arrival(exchange)

    with pytest.raises(NonceTimeoutError):
        nonce.hold()
    sender.join()
    assert isinstance(nonce(), int)


def test_sent_mode_without_the_adapter_still_releases_at_the_response(exchange):
    """Without ExchangeAdapter, a "sent" hold is given back when the answer arrives."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.5, release="sent")
    auth = poloniex(nonce)

    for _ in range(3):
        r = requests.post(exchange.url + "/tradingApi", data={"x": "1"}, auth=auth, timeout=5)
        assert r.status_code == 200


def test_sent_mode_releases_a_send_that_fails(exchange):
    """A send refused before anything was written gives the order back at once."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.3, release="sent")
    auth = poloniex(nonce)
    with requests.Session() as session:
        session.mount("http://", OrderedAdapter())
        with pytest.raises(requests.ConnectionError):
            session.post("http://127.0.0.1:9/tradingApi", auth=auth, timeout=1)
    assert isinstance(threading_call(nonce), int)


def threading_call(call: Any) -> object:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    thread.join()
    return out[0]


def test_eight_threads_in_sent_mode_with_retries_all_succeed(exchange, summary_line):
    """8 threads × 50 requests, released at send, on the thread-per-connection server in
    this very process (its threads wait for the GIL behind the senders', which makes
    overtaking common): requests that arrive out of order are rejected (the nonce
    answer is safe), and the retry re-signs them; every request ends accepted."""
    auth = poloniex(OrderedNonce(MonotonicNonce(), release="sent"))
    statuses: list[int] = []
    start = threading.Barrier(8)

    def send() -> None:
        with requests.Session() as session:
            retry = SignedRetry(attempts=20, backoff=0.001, max_backoff=0.01)
            session.mount("http://", ExchangeAdapter(retry=retry))
            start.wait()
            for _ in range(50):
                r = session.post(exchange.url + "/tradingApi", data={"command": "x"}, auth=auth)
                statuses.append(r.status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 400
    overtaken = len(exchange.rejected)
    assert len(exchange.received) == 400 + overtaken
    summary_line(
        f'ordered mode, release="sent", thread-per-connection server: {overtaken} of '
        f"{400 + overtaken} arrivals out of order, each retried re-signed; 400 of 400 accepted"
    )


# -- construction -------------------------------------------------------------------------


def test_release_must_be_response_or_sent():
    """release= is checked, naming both choices."""
    with pytest.raises(ConfigurationError, match=r"'response'.*'sent'"):
        OrderedNonce(release="written")  # type: ignore[arg-type]


def test_lease_needs_a_redis_nonce():
    """lease= only means something across hosts, around a RedisNonce."""
    with pytest.raises(ConfigurationError, match="lease= is for an OrderedNonce around a Redis"):
        OrderedNonce(MonotonicNonce(), lease=5)


def test_repr_and_pickle_keep_the_release():
    """The release mode shows in the repr and survives a pickle."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=3, release="sent")

    twin = pickle.loads(pickle.dumps(nonce))  # noqa: S301  # our own bytes

    assert repr(nonce).endswith("timeout=3, release='sent')")
    assert twin.release == "sent"


def test_signed_request_release_passes_the_order_on():
    """With sign(), release() after writing passes the order on (any mode)."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.2, release="sent")
    auth = poloniex(nonce)
    signed = auth.sign("POST", "https://poloniex.com/tradingApi", body="command=x")

    assert isinstance(threading_call(lambda: _timed_out(nonce)), NonceTimeoutError)
    signed.release()
    assert isinstance(threading_call(nonce), int)


def _timed_out(nonce: OrderedNonce) -> object:
    try:
        return nonce()
    except NonceTimeoutError as exc:
        return exc
