"""Processes that send in ordered mode across hosts: importable by a spawned interpreter."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier, Event
from typing import Any

import redis
import requests

from requests_exchange_auth import (
    OrderedAdapter,
    OrderedNonce,
    PoloniexBodyDigestAuth,
    RedisNonce,
)
from requests_exchange_auth.testing import POLONIEX_KEY, POLONIEX_SECRET


def ordered(port: int, key: str, lease: float, timeout: float = 30.0) -> OrderedNonce:
    return OrderedNonce(RedisNonce(redis.Redis(port=port), key), lease=lease, timeout=timeout)


@dataclass(frozen=True)
class Job:
    """What a sending process does: ``threads`` threads, ``each`` requests each, to ``url``,
    on the Redis ``key`` of the server at ``port``, with leases of ``lease`` seconds."""

    port: int
    key: str
    url: str
    threads: int
    each: int
    lease: float


def send_ordered(job: Job, start: Barrier, results: Any) -> None:
    """Run ``job`` once every process is ready; put the statuses in ``results``."""
    threads, each, url = job.threads, job.each, job.url
    nonce = ordered(job.port, job.key, job.lease)
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=nonce)
    statuses: list[int] = []
    ready = threading.Barrier(threads)

    def send() -> None:
        with requests.Session() as session:
            session.mount("http://", OrderedAdapter())
            ready.wait()
            for _ in range(each):
                r = session.post(url, data={"command": "returnBalances"}, auth=auth, timeout=10)
                statuses.append(r.status_code)

    workers = [threading.Thread(target=send) for _ in range(threads)]
    start.wait()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(statuses)


def hold_forever(port: int, key: str, lease: float, held: Event, results: Any) -> None:
    """Take the order, say when (Unix time), and never give it back: to be killed."""
    hold = ordered(port, key, lease).hold()
    results.put(("held", time.time(), hold.value))
    held.set()
    time.sleep(600)
