"""Ordered mode across processes and hosts: OrderedNonce around a RedisNonce, on a real Redis.

Processes stand for hosts: each has its own Redis client, and they share only the
Redis key and the strict local exchange (a nonce not above the key's last is rejected).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from typing import Any

import order_workers
import pytest

from requests_exchange_auth import (
    ConfigurationError,
    NonceError,
    NonceTimeoutError,
    OrderedNonce,
    PoloniexBodyDigestAuth,
    RedisNonce,
)
from requests_exchange_auth.testing import POLONIEX_KEY, POLONIEX_SECRET, LocalExchange

KEY = "nonce:{poloniex:test}"


def in_thread(call: Any) -> object:
    """``call()`` in another thread: its result or its exception."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(call())
        except Exception as exc:  # handed back to the test
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


def arrivals(exchange: LocalExchange) -> list[float]:
    """Have each verified /tradingApi request note when it was answered (Unix time)."""
    stamps: list[float] = []
    exchange.respond("/tradingApi", lambda received: stamps.append(time.time()) or {"ok": 1})
    return stamps


def test_four_processes_of_four_threads_on_one_key_are_never_rejected(
    redis_server, exchange, summary_line
):
    """4 processes × 4 threads × 25 requests on one key, through one Redis: 0 rejected."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(4), context.Queue()
    url = exchange.url + "/tradingApi"
    args = (order_workers.Job(redis_server, KEY, url, 4, 25, 10.0), start, results)
    children = [context.Process(target=order_workers.send_ordered, args=args) for _ in range(4)]
    began = time.monotonic()
    for child in children:
        child.start()
    statuses = [s for _ in children for s in results.get(timeout=120)]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    took = time.monotonic() - began

    assert statuses == [200] * 400
    assert len(exchange.received) == 400
    assert exchange.rejected == []
    summary_line(f"ordered mode across 4 processes × 4 threads (Redis): 0 of 400 rejected, "
                 f"{400 / took:.0f} requests/s with process start-up")  # fmt: skip


def test_a_killed_holder_frees_the_order_within_its_lease(redis_server, exchange):
    """A holder killed with SIGKILL keeps the order at most its lease; the others go on.

    The others are started (and their imports done) before the hold is taken, so the
    time to their first arrival is the lease plus sending, not a process start-up on a
    loaded machine.
    """
    lease = 1.5
    context = multiprocessing.get_context("spawn")
    held, results = context.Event(), context.Queue()
    stamps = arrivals(exchange)
    start = context.Barrier(3)  # the two others and this test
    job = order_workers.Job(redis_server, KEY, exchange.url + "/tradingApi", 2, 5, lease)
    others = [
        context.Process(target=order_workers.send_ordered, args=(job, start, results))
        for _ in range(2)
    ]
    for other in others:
        other.start()
    holder = context.Process(
        target=order_workers.hold_forever, args=(redis_server, KEY, lease, held, results)
    )
    holder.start()
    assert held.wait(60)
    _, held_at, _ = results.get(timeout=10)
    start.wait(timeout=60)  # the others now queue behind the hold
    time.sleep(0.2)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(timeout=10)
    statuses = [s for _ in others for s in results.get(timeout=60)]
    for other in others:
        other.join(timeout=30)

    assert statuses == [200] * 20
    assert exchange.rejected == []
    waited = min(stamps) - held_at
    assert waited >= lease - 0.25  # the dead holder kept the order until its lease ran out
    assert waited <= lease + 2.0  # and not later: the lease freed it, not a timeout


@pytest.fixture
def client(redis_client):
    return redis_client


def ordered(client, **options: Any) -> OrderedNonce:
    return OrderedNonce(RedisNonce(client, KEY), **options)


def test_a_lease_that_ran_out_refuses_to_send(client):
    """Past its lease, a hold refuses at the moment of sending: nothing goes out."""
    hold = ordered(client, lease=0.05).hold()
    hold.sending()  # still held
    time.sleep(0.06)

    with pytest.raises(NonceTimeoutError, match=r"lease .* ran out before the request was"):
        hold.sending()
    hold.release()


def test_the_adapter_re_signs_a_request_whose_lease_ran_out(client, exchange):
    """A request sent after its lease ran out is refused unsent, then re-signed and sent."""
    import requests

    from requests_exchange_auth import ExchangeAdapter, SignedRetry

    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=ordered(client, lease=0.2))
    with requests.Session() as session:
        session.mount("http://", ExchangeAdapter(retry=SignedRetry(backoff=0)))
        prepared = session.prepare_request(
            requests.Request("POST", exchange.url + "/tradingApi", auth=auth)
        )
        time.sleep(0.25)
        r = session.send(prepared)

    assert r.status_code == 200
    assert [i.verdict.ok for i in exchange.received] == [True]


def test_nonces_are_drawn_with_the_lease_from_the_key(client):
    """Each hold's nonce comes from the RedisNonce key, in lease order."""
    nonce = ordered(client, lease=5)
    first = nonce()
    second = nonce()

    assert second > first
    assert int(client.get(KEY)) == second
    assert client.get(KEY + ":order") is None  # given back


def test_a_holder_elsewhere_makes_a_waiter_time_out(client):
    """While another host holds the order, a waiter gives up after its timeout, unsent."""
    elsewhere = ordered(client, lease=5).hold()
    here = ordered(client, lease=5, timeout=0.2)

    with pytest.raises(NonceTimeoutError, match="another holder"):
        here()
    elsewhere.release()
    assert isinstance(here(), int)


def test_a_waiter_takes_the_order_as_soon_as_it_is_given_back(client):
    """A waiter blocked on Redis wakes when the holder releases, not at the lease's end."""
    elsewhere = ordered(client, lease=20).hold()
    waiter = ordered(client, lease=20)
    timer = threading.Timer(0.2, elsewhere.release)
    timer.start()
    started = time.monotonic()

    waiter()

    assert time.monotonic() - started < 2
    timer.join()


def test_an_abandoned_hold_is_freed_by_the_next_hold_of_its_process(client):
    """A hold dropped without I/O (a garbage-collected request) frees its lease at once
    for this process's next hold, without waiting for the lease to run out."""
    nonce = ordered(client, lease=30, timeout=2)
    nonce.hold().abandon()
    gc.collect()
    started = time.monotonic()

    assert isinstance(in_thread(nonce), int)
    assert time.monotonic() - started < 1


def test_the_same_thread_signing_again_frees_its_own_lease(client):
    """A thread that draws again has finished its request: it does not wait on itself."""
    nonce = ordered(client, lease=30, timeout=1)
    first = nonce.hold()
    second = nonce.hold()

    assert second.value > first.value
    second.release()
    assert client.get(KEY + ":order") is None


def test_a_release_after_the_lease_ran_out_warns(client, caplog):
    """Giving back a lease that already ran out (and was taken) warns, and frees nothing."""
    hold = ordered(client, lease=0.05).hold()
    time.sleep(0.06)
    other = ordered(client, lease=5).hold()

    with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"):
        hold.release()

    assert "ran out before its request was over" in caplog.text
    assert client.get(KEY + ":order") is not None  # still the other holder's
    other.release()


def test_a_flushed_script_cache_is_reloaded(client):
    """A server that lost the scripts (SCRIPT FLUSH, a restart) gets them again."""
    nonce = ordered(client, lease=5)
    nonce()
    client.script_flush()

    assert isinstance(nonce(), int)


def test_a_damaged_key_is_an_error(client):
    """A key that does not hold a nonce is refused, as RedisNonce refuses it."""
    client.set(KEY, "not a number")

    with pytest.raises(NonceError, match="does not hold a nonce"):
        ordered(client, lease=5)()
    assert client.get(KEY + ":order") is None


def test_an_unreachable_redis_is_an_error_and_frees_the_local_order(client):
    """A Redis that cannot be reached raises NonceError, and keeps no local order."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    gone = redis.Redis(port=1, retry=Retry(NoBackoff(), 0))  # refused at once, not retried
    nonce = OrderedNonce(RedisNonce(gone, KEY), lease=5, timeout=0.5)

    assert isinstance(in_thread(nonce), NonceError)
    assert isinstance(in_thread(nonce), NonceError)  # not a NonceTimeoutError: free


def test_a_release_that_cannot_reach_redis_only_warns(client, caplog):
    """A lease that cannot be given back (Redis gone) warns: it runs out by itself."""
    hold = ordered(client, lease=5).hold()
    hold.lease._order._execute = _unreachable

    with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"):
        hold.release()

    assert "could not give back the nonce order" in caplog.text


def _unreachable(*args: object) -> None:
    import redis

    raise redis.ConnectionError("gone")


@pytest.mark.parametrize("lease", [0, -1, 0.001, 7200, "10", True])
def test_lease_is_checked(client, lease):
    """lease= is a number of seconds in a sensible range."""
    with pytest.raises(ConfigurationError, match="lease must be a number of seconds"):
        ordered(client, lease=lease)


def test_an_order_across_hosts_does_not_pickle(client):
    """It holds a Redis client: build one per process instead."""
    import pickle

    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ordered(client, lease=5))


def test_a_redis_error_while_waiting_is_a_nonce_error(client):
    """A Redis that fails while a waiter blocks raises NonceError, not a hang."""
    import redis

    elsewhere = ordered(client, lease=5).hold()
    waiter = ordered(client, lease=5, timeout=2)
    order = waiter._order
    real = order._execute

    def failing(*args: object) -> object:
        if args[0] == "BLPOP":
            raise redis.ConnectionError("gone")
        return real(*args)

    order._execute = failing
    with pytest.raises(NonceError, match="could not draw a nonce"):
        waiter()
    elsewhere.release()


def test_a_client_timing_out_while_waiting_just_asks_again(redis_server, client):
    """A client whose socket timeout is shorter than the wait asks again, and gets the order."""
    import redis

    elsewhere = ordered(client, lease=20).hold()
    impatient = redis.Redis(port=redis_server, socket_timeout=0.1)
    waiter = OrderedNonce(RedisNonce(impatient, KEY), lease=20, timeout=5)
    timer = threading.Timer(0.4, elsewhere.release)
    timer.start()

    assert isinstance(waiter(), int)
    timer.join()
