"""Kraken nonces under load, on the local exchange's strict nonce route (kraken.md §3).

8 threads × 50 requests from one KrakenAuth: with an OrderedNonce none is rejected (and
the run reports how many are without it); 4 processes sharing one key through a FileNonce,
and through a RedisNonce on a real Redis: no nonce is ever accepted twice.
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
from collections.abc import Callable
from typing import Any

import requests
from nonce_workers import file_nonce, redis_nonce

from requests_exchange_auth import KrakenAuth, MonotonicNonce, OrderedNonce
from requests_exchange_auth.testing import LocalExchange, spec_credentials

THREADS, REQUESTS = 8, 50
PROCESSES, PER_PROCESS = 4, 50


def kraken(nonce: Callable[[], int]) -> KrakenAuth:
    return KrakenAuth(**spec_credentials("kraken"), nonce=nonce)


def hammer(url: str, auth: KrakenAuth) -> None:
    """8 threads × 50 signed requests, each thread on its own session, all at once."""
    start = threading.Barrier(THREADS)

    def send() -> None:
        with requests.Session() as session:
            start.wait()
            for _ in range(REQUESTS):
                session.post(url, data={"asset": "XBT"}, auth=auth, timeout=10)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_ordered_nonce_gets_every_request_past_a_strict_server(exchange, summary_line):
    """Ordered: 0 of 400 rejected. Plain MonotonicNonce: the rejections are counted and shown."""
    url = exchange.url + "/0/private/Balance"
    hammer(url, kraken(OrderedNonce(MonotonicNonce())))
    ordered = [r.verdict for r in exchange.received]
    exchange.received.clear()
    hammer(url, kraken(MonotonicNonce()))
    plain = [r.verdict for r in exchange.received]

    assert len(ordered) == len(plain) == THREADS * REQUESTS
    assert [v.reason for v in ordered if not v] == []
    refused = [v.reason for v in plain if not v]
    assert set(refused) <= {"EAPI:Invalid nonce"}
    summary_line(
        f"Kraken ordered mode: 0 of 400 rejected; without it: {len(refused)} of 400 rejected"
    )


# -- several processes, one key ---------------------------------------------------------------


def send_from_process(
    make_nonce: Callable[[], Callable[[], int]], url: str, start: Any, results: Any
) -> None:
    """In a spawned process: build the auth over a shared nonce store, then send."""
    auth = kraken(make_nonce())
    start.wait()
    with requests.Session() as session:
        for _ in range(PER_PROCESS):
            session.post(url, data={"asset": "XBT"}, auth=auth, timeout=30)
    results.put(PER_PROCESS)


def run_processes(make_nonce: Callable[[], Callable[[], int]], url: str) -> int:
    context = multiprocessing.get_context("spawn")  # fork would copy this process's threads
    start, results = context.Barrier(PROCESSES), context.Queue()
    children = [
        context.Process(target=send_from_process, args=(make_nonce, url, start, results))
        for _ in range(PROCESSES)
    ]
    for child in children:
        child.start()
    sent = sum(results.get(timeout=300) for _ in children)
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return sent


def assert_no_nonce_accepted_twice(make_nonce: Callable[[], Callable[[], int]]) -> None:
    """Every request of 4 processes arrives; the exchange (not enforcing the order, which
    processes cannot keep) accepts each, and no nonce twice."""
    with LocalExchange(strict_nonce=False) as exchange:
        sent = run_processes(make_nonce, exchange.url + "/0/private/Balance")
    nonces = [r.verdict.nonce for r in exchange.received if r.verdict]
    assert sent == len(exchange.received) == len(nonces) == PROCESSES * PER_PROCESS
    assert len(set(nonces)) == len(nonces)


def test_file_nonce_shares_one_key_between_processes(nonce_path):
    """4 processes × 50 requests through one FileNonce: 200 accepted, no nonce twice."""
    assert_no_nonce_accepted_twice(functools.partial(file_nonce, str(nonce_path)))


def test_redis_nonce_shares_one_key_between_processes(redis_client, redis_server):
    """4 processes × 50 requests through one RedisNonce key: 200 accepted, no nonce twice."""
    assert_no_nonce_accepted_twice(functools.partial(redis_nonce, redis_server, "kraken:nonce"))
