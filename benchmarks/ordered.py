"""Ordered mode's throughput against unordered sends, and its out-of-order arrivals.

8 threads, each with its own keep-alive session, send signed Poloniex legacy requests on
one key to a strict local exchange (a nonce not above the key's last one is rejected, as
Poloniex does) in a process of its own. The exchange answers each request ``latency``
late, after checking its nonce: arrival order at the check is the order the requests
came off the loopback sockets, and the latency stands for the exchange's round trip.
Three ways to send, in blocks that take turns, round after round:

- unordered: ``MonotonicNonce``, requests overtake each other (the server does not
  reject them in these blocks, so that rejected requests do not skip the latency);
- ordered, ``release="response"``: one request in flight at a time;
- ordered, ``release="sent"``: the order passes on once a request's bytes are written.

Run from a checkout::

    python benchmarks/ordered.py                  # 3 rounds of 5 s blocks per latency
    python benchmarks/ordered.py --smoke          # short blocks: every row runs

It asserts nothing: it prints the rates, the ratios (the median of the per-round
ratios) and the issue's targets with met / not met.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import requests

from _loop_exchange import LoopExchange
from requests_exchange_auth import (
    MonotonicNonce,
    OrderedAdapter,
    OrderedNonce,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth.testing import POLONIEX_KEY, POLONIEX_SECRET, LocalExchange

THREADS = 8
LATENCIES_MS = (5, 50)
MODES = ("unordered", "response", "sent")
TARGET_RATIO = 0.9
TARGET_REQUESTS = 10_000


def _serve(conn: Connection, kind: str) -> None:
    """The exchange process: a strict LocalExchange answering ``latency`` late, on its
    own thread-per-connection server or on one event loop (``_loop_exchange``)."""
    latency = [0.0]

    def late(received: Any) -> dict[str, int]:
        time.sleep(latency[0])
        return {"BTC": 1}

    exchange = LocalExchange(responses={"/tradingApi": late} if kind == "threads" else None)
    if kind == "threads":
        exchange.start()
        url = exchange.url
    else:
        loop = LoopExchange(exchange)
        url = loop.url
    conn.send(url)
    with contextlib.suppress(EOFError):
        while True:
            command, value = conn.recv()
            if command == "block":  # a new block: its latency and strictness
                latency[0], exchange.strict_nonce = value
                if kind == "loop":
                    loop.latency = latency[0]
                exchange.received.clear()
                conn.send(None)
            elif command == "count":
                conn.send((len(exchange.received), len(exchange.rejected)))
            else:  # "stop"
                return


@contextlib.contextmanager
def exchange_process(kind: str) -> Iterator[tuple[str, Callable[[str, Any], Any]]]:
    """The exchange in a child process: its URL, and a call that sends it a command."""
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(theirs, kind), daemon=True)
    server.start()

    def ask(command: str, value: Any = None) -> Any:
        ours.send((command, value))
        return ours.recv()

    try:
        if not ours.poll(30):
            raise RuntimeError("the local exchange did not start within 30 s")
        yield ours.recv(), ask
    finally:
        with contextlib.suppress(OSError):
            ours.send(("stop", None))
        server.join(5)
        if server.is_alive():
            server.terminate()


def block(url: str, auth: PoloniexBodyDigestAuth, seconds: float) -> tuple[int, float]:
    """Send from THREADS threads for ``seconds``: (requests answered, seconds taken)."""
    counts = [0] * THREADS
    stop = threading.Event()
    start = threading.Barrier(THREADS + 1)

    def send(slot: int) -> None:
        with requests.Session() as session:
            session.mount("http://", OrderedAdapter())
            start.wait()
            while not stop.is_set():
                session.post(url, data={"command": "returnBalances"}, auth=auth, timeout=30)
                counts[slot] += 1

    workers = [threading.Thread(target=send, args=(slot,)) for slot in range(THREADS)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return sum(counts), time.perf_counter() - began


@dataclass
class Tally:
    """One latency's blocks, per mode: rates per round, requests, out-of-order arrivals."""

    rates: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in MODES})
    requests: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODES, 0))
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODES, 0))

    def ratio(self, mode: str) -> float:
        pairs = zip(self.rates[mode], self.rates["unordered"], strict=True)
        return statistics.median(ours / base for ours, base in pairs)


SERVERS = {
    "loop": "one event loop (as nginx, Netty)",
    "threads": "a thread per connection (LocalExchange)",
}


def run(rounds: int, seconds: float) -> dict[tuple[str, int], Tally]:
    base = MonotonicNonce()  # one sequence for every block: the key's nonces only grow
    auths = {
        "unordered": PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=base),
        "response": PoloniexBodyDigestAuth(
            POLONIEX_KEY, POLONIEX_SECRET, nonce=OrderedNonce(base, release="response")
        ),
        "sent": PoloniexBodyDigestAuth(
            POLONIEX_KEY, POLONIEX_SECRET, nonce=OrderedNonce(base, release="sent")
        ),
    }
    tallies = {(kind, ms): Tally() for kind in SERVERS for ms in LATENCIES_MS}
    for kind in SERVERS:
        with exchange_process(kind) as (url, ask):
            for _ in range(rounds):
                for ms in LATENCIES_MS:
                    tally = tallies[(kind, ms)]
                    for mode in MODES:
                        ask("block", (ms / 1000, mode != "unordered"))
                        # one request in flight: a shorter block measures its (low) rate
                        took = seconds / 2 if mode == "response" else seconds
                        done, elapsed = block(url + "/tradingApi", auths[mode], took)
                        received, rejected = ask("count")
                        tally.rates[mode].append(done / elapsed)
                        tally.requests[mode] += received
                        tally.rejected[mode] += rejected if mode != "unordered" else 0
    return tallies


LABELS = {"unordered": "unordered", "response": 'ordered, "response"', "sent": 'ordered, "sent"'}


def report(tallies: dict[tuple[str, int], Tally], rounds: int, seconds: float, smoke: bool) -> None:
    print("requests-exchange-auth: ordered mode against unordered sends")
    print(f"CPython {platform.python_version()}, {platform.system()}, {os.cpu_count()} cores")
    print(f"{THREADS} threads, {rounds} rounds of {seconds:g} s blocks; rates are medians")
    if smoke:
        print("SMOKE RUN: blocks too short for the numbers to mean anything")
    for kind, title in SERVERS.items():
        print(f"\nThe strict exchange on {title}")
        print(f"{'latency':>8}  {'mode':<22} {'requests':>9} {'req/s':>8} {'out of order':>13} "
              f"{'÷ unordered':>12}")  # fmt: skip
        for ms in LATENCIES_MS:
            tally = tallies[(kind, ms)]
            for mode in MODES:
                rate = statistics.median(tally.rates[mode])
                wrong = "-" if mode == "unordered" else str(tally.rejected[mode])
                ratio = "" if mode == "unordered" else f"{tally.ratio(mode):.2f}×"
                print(f"{ms:>5} ms  {LABELS[mode]:<22} {tally.requests[mode]:>9,} "
                      f"{rate:>8.1f} {wrong:>13} {ratio:>12}")  # fmt: skip
    print("\nTargets")
    for kind in SERVERS:
        for ms in LATENCIES_MS:
            ratio = tallies[(kind, ms)].ratio("sent")
            verdict = "met" if ratio >= TARGET_RATIO else "NOT MET"
            print(f'  {kind}: ordered ("sent") ÷ unordered at {ms} ms, {THREADS} threads: '
                  f"{ratio:.3f}× (≥ {TARGET_RATIO}×) {verdict}")  # fmt: skip
        total = sum(tallies[(kind, ms)].requests["sent"] for ms in LATENCIES_MS)
        wrong = sum(tallies[(kind, ms)].rejected["sent"] for ms in LATENCIES_MS)
        verdict = "met" if wrong == 0 and total >= TARGET_REQUESTS else "NOT MET"
        print(f'  {kind}: out-of-order arrivals, ordered ("sent"): {wrong} in {total:,} '
              f"loopback requests (0 in ≥ {TARGET_REQUESTS:,}) {verdict}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a block")
    parser.add_argument("--smoke", action="store_true", help="one round of 0.1 s blocks")
    args = parser.parse_args()
    rounds, seconds = (1, 0.1) if args.smoke else (args.rounds, args.seconds)
    report(run(rounds, seconds), rounds, seconds, args.smoke)


if __name__ == "__main__":
    main()
