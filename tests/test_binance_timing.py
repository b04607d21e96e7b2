"""Server time and -1021: BinanceServerClock, the opt-in resend, and what is never resent.

binance-signed-requests.md §5 (timing rules, time endpoints) and §6 (errors).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest
import requests
from forking import child_exit_code
from hypothesis import given
from hypothesis import strategies as st
from vectors import FUTURES_PAYLOAD, FUTURES_SECRET, FUTURES_SIGNATURE, FUTURES_TIMESTAMP_MS

from requests_exchange_auth import (
    BinanceQueryAuth,
    BinanceServerClock,
    ConfigurationError,
    ServerTimeError,
)
from requests_exchange_auth.schemes.binance import time_url
from requests_exchange_auth.testing import (
    BINANCE_ED25519_KEY,
    BINANCE_ED25519_PRIVATE_KEY,
    BINANCE_KEY,
    BINANCE_SECRET,
    LocalExchange,
)
from requests_exchange_auth.testing._server import QuietHTTPServer

SECOND_MS = 1000


def signed(exchange: LocalExchange) -> list:
    """The signed requests the exchange received (time requests left out)."""
    return [e for e in exchange.received if e.scheme == "binance"]


# -- which time endpoint ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.binance.com", "https://api.binance.com/api/v3/time"),
        ("https://api1.binance.com/", "https://api1.binance.com/api/v3/time"),
        ("https://api.binance.com/sapi/v1/capital/config/getall", "https://api.binance.com/api/v3/time"),
        ("https://fapi.binance.com", "https://fapi.binance.com/fapi/v1/time"),
        ("https://dapi.binance.com/dapi/v1/order?x=1", "https://dapi.binance.com/dapi/v1/time"),
        ("https://eapi.binance.com", "https://eapi.binance.com/eapi/v1/time"),
        ("https://testnet.binance.vision", "https://testnet.binance.vision/api/v3/time"),
        ("https://testnet.binancefuture.com/dapi", "https://testnet.binancefuture.com/dapi/v1/time"),
        ("http://127.0.0.1:8080/fapi/v1/time", "http://127.0.0.1:8080/fapi/v1/time"),
        ("https://proxy.example/custom/time/", "https://proxy.example/custom/time"),
    ],
)  # fmt: skip
def test_time_endpoint_fits_the_api(url, expected):
    assert time_url(url) == expected


# -- the estimate -----------------------------------------------------------------------


class FakeServer:
    """A time endpoint ``offset_ns`` ahead of a fake monotonic clock, with set latencies."""

    def __init__(self, offset_ns: int, latencies_ms: list[tuple[int, int]]) -> None:
        self.now = 10**12  # the fake monotonic clock, ns
        self.offset_ns = offset_ns
        self.latencies = iter(latencies_ms)

    def timer(self) -> int:
        return self.now

    def get(self, url: str, timeout: float, **kwargs: object) -> requests.Response:
        there, back = next(self.latencies)
        self.now += there * 1_000_000
        server_ms = (self.now + self.offset_ns) // 1_000_000  # the server stamps here
        self.now += back * 1_000_000
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps({"serverTime": server_ms}).encode()
        response._content_consumed = True  # read already, as a Session does without stream=
        return response


OFFSET_NS = 1_700_000_000_000 * 1_000_000 - 10**12  # server time minus the fake timer


def clock_on(server: FakeServer, samples: int = 5) -> BinanceServerClock:
    clock = BinanceServerClock(
        "https://api.binance.com", samples=samples, session=server, timer=server.timer
    )
    return clock.sync()


def test_one_slow_sample_does_not_move_the_estimate():
    """The median of five readings ignores one answer that took 800 ms to come back."""
    server = FakeServer(OFFSET_NS, [(1, 1), (1, 1), (1, 800), (1, 1), (1, 1)])
    clock = clock_on(server)
    error_ms = (clock() - (server.now + OFFSET_NS)) / 1e6
    assert -2 <= error_ms <= 0


@given(
    offset_ms=st.integers(-3_600_000, 3_600_000),
    latencies=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=1, max_size=9),
)
def test_estimate_is_never_ahead_of_the_server(offset_ms, latencies):
    """Whatever the latencies, the clock reads at or behind the server (§5: ahead is fatal)."""
    server = FakeServer(OFFSET_NS + offset_ms * 1_000_000, latencies)
    clock = clock_on(server, samples=len(latencies))
    true_now = server.now + server.offset_ns
    assert clock() <= true_now
    # ... and behind by no more than the slowest answer's way back, plus the ms rounding
    assert true_now - clock() <= (max(back for _, back in latencies) + 1) * 1_000_000


def test_a_failed_sync_keeps_the_last_estimate(recording_server):
    answers = iter([(200, {}, b'{"serverTime": 1700000000000}'), (500, {}, b"oops")])
    server = recording_server(lambda hit, url: next(answers))
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    before = clock.offset_ms
    with pytest.raises(ServerTimeError, match=r"could not read the Binance server time.*500"):
        clock.sync()
    assert clock.offset_ms is not None
    assert before is not None
    assert abs(clock.offset_ms - before) < 1000  # the estimate survived


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (b'{"serverTime": "1700000000000"}', "not Unix milliseconds"),
        (b'{"serverTime": 1700000000}', "not Unix milliseconds"),
        (b'{"serverTime": true}', "not Unix milliseconds"),
        (b'{"time": 1}', "KeyError"),
        (b"<html>", "JSONDecodeError"),
        (b"[1]", "TypeError"),
    ],
)
def test_a_bad_answer_is_a_clear_error(recording_server, answer, problem):
    server = recording_server(lambda hit, url: (200, {}, answer))
    clock = BinanceServerClock(server.url + "/fapi", samples=1)
    with pytest.raises(ServerTimeError, match=problem) as info:
        clock.sync()
    assert "/fapi/v1/time" in str(info.value)
    assert "call sync() again" in str(info.value)


def test_connection_refused_is_a_clear_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = BinanceServerClock(f"http://127.0.0.1:{port}/api", samples=1, timeout=2)
    with pytest.raises(ServerTimeError, match="ConnectionError"):
        clock.sync()
    assert clock.offset_ms is None
    assert "not synced" in repr(clock)


def test_max_age_shares_one_sync(exchange):
    clock = BinanceServerClock(exchange.url + "/api", samples=3).sync()
    clock.sync(max_age=60)  # synced a moment ago: no requests
    assert len(exchange.received) == 3
    clock.sync(max_age=0)
    assert len(exchange.received) == 6
    assert clock.age is not None
    assert 0 <= clock.age < 60


def resyncing(url: str) -> BinanceServerClock:
    """A clock whose background syncs come every 0.05 s: below the public minimum of 1 s,
    set on the attribute the thread reads, so that the tests of that thread take little
    time."""
    clock = BinanceServerClock(url, samples=1, resync_every=1)
    clock.resync_every = FAST_RESYNC_S
    return clock


FAST_RESYNC_S = 0.05


def test_background_resync(exchange):
    """With resync_every, a daemon thread follows the server's clock until close()."""
    with resyncing(exchange.url + "/api").sync() as clock:
        exchange.clock_offset_ms = 7 * SECOND_MS
        deadline = time.monotonic() + 10
        while abs((clock.offset_ms or 0) - 7 * SECOND_MS) > 500 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert abs((clock.offset_ms or 0) - 7 * SECOND_MS) <= 500
        thread = clock._thread
        assert thread is not None
        assert thread.is_alive()
    assert not thread.is_alive()  # close() stopped and joined it: no more syncs
    assert clock._thread is None


def test_background_failure_is_logged_and_survived(recording_server, caplog):
    answers = iter([(200, {}, b'{"serverTime": 1700000000000}')])
    server = recording_server(lambda hit, url: next(answers, (503, {}, b"down")))
    clock = resyncing(server.url + "/api")
    with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"), clock.sync():
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "background sync failed" in caplog.records[0].getMessage()
        assert clock.offset_ms is not None


def test_pickled_clock_carries_its_offset(exchange):
    """A copy re-bases the offset on its own monotonic clock, and can sync again."""
    exchange.clock_offset_ms = 3 * SECOND_MS
    clock = BinanceServerClock(exchange.url + "/api", samples=1).sync()
    copy = pickle.loads(pickle.dumps(clock))  # noqa: S301  # our own pickle
    assert abs(copy.offset_ms - clock.offset_ms) < 50
    assert copy.age >= clock.age - 1
    assert copy.sync().offset_ms is not None
    unsynced = pickle.loads(pickle.dumps(BinanceServerClock(exchange.url + "/api")))  # noqa: S301
    assert unsynced.offset_ms is None


def test_pickled_auth_keeps_working_with_its_clock(exchange):
    exchange.clock_offset_ms = 3 * SECOND_MS
    clock = BinanceServerClock(exchange.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=2000, clock=clock)
    copy = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own pickle
    response = requests.get(exchange.url + "/api/v3/account", auth=copy, timeout=10)
    assert response.status_code == 200, response.text
    assert copy.clock.sync() is copy.clock


def test_close_while_syncing_returns_and_stays_closed(exchange):
    """close() during a sync neither hangs nor leaves a resync thread behind."""
    clock = BinanceServerClock(exchange.url + "/api", samples=1, resync_every=1)
    syncing = threading.Thread(target=lambda: [clock.sync() for _ in range(20)])
    syncing.start()
    clock.close()
    syncing.join(timeout=30)
    assert not syncing.is_alive()
    assert clock._thread is None
    assert "BinanceServerClock-resync" not in [t.name for t in threading.enumerate()]
    assert clock.sync().offset_ms is not None  # still usable by hand


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads, 3.12+
def test_a_fork_during_a_sync_leaves_the_child_usable(exchange):
    """A child forked while a sync holds the lock gets fresh locks, not a deadlock."""
    clock = BinanceServerClock(exchange.url + "/api", samples=1).sync()
    with clock._sync_lock:  # as if a sync were in flight in another thread
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit status
            try:
                clock.sync(max_age=3600)  # would block forever on the copied lock
                os._exit(0)
            except BaseException:
                os._exit(1)
    assert child_exit_code(pid, "the clock's lock") == 0


# -- end to end: the local exchange's clock ahead and behind ------------------------------


@pytest.mark.parametrize("server_ahead_ms", [3 * SECOND_MS, -3 * SECOND_MS])
def test_a_synced_clock_follows_a_skewed_server(exchange, server_ahead_ms):
    """Local clock 3 s behind or ahead of the server: rejected alone, accepted after one sync."""
    exchange.clock_offset_ms = server_ahead_ms
    url = exchange.url + "/api/v3/account"
    plain = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=2000)
    assert requests.get(url, auth=plain, timeout=10).json()["code"] == -1021

    clock = BinanceServerClock(exchange.url + "/api").sync()
    assert abs(clock.offset_ms - server_ahead_ms) < 100  # type: ignore[operator]
    synced = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=2000, clock=clock)
    response = requests.get(url, auth=synced, timeout=10)
    assert response.status_code == 200, response.text


@pytest.fixture(params=[3 * SECOND_MS, -3 * SECOND_MS], ids=["server-ahead", "server-behind"])
def drifted(request) -> Iterator[tuple[LocalExchange, BinanceServerClock]]:
    """A clock synced while the server agreed, then the server jumps 3 s ahead or behind."""
    with LocalExchange() as exchange:
        clock = BinanceServerClock(exchange.url + "/api", samples=3).sync()
        exchange.clock_offset_ms = request.param
        exchange.received.clear()
        yield exchange, clock


@pytest.mark.parametrize("key", ["HMAC", "Ed25519"])
def test_minus_1021_is_resigned_and_resent_once(drifted, key):
    """The first answer is -1021; the clock syncs; one fresh, valid resend is accepted."""
    exchange, clock = drifted
    credentials = (
        {"api_key": BINANCE_KEY, "secret": BINANCE_SECRET}
        if key == "HMAC"
        else {"api_key": BINANCE_ED25519_KEY, "private_key": BINANCE_ED25519_PRIVATE_KEY}
    )
    auth = BinanceQueryAuth(
        **credentials, recv_window=2000, clock=clock, retry_invalid_timestamp=True
    )
    with requests.Session() as session:
        response = session.post(
            exchange.url + "/api/v3/order", data={"symbol": "BTCUSDT"}, auth=auth, timeout=10
        )
    assert response.status_code == 200, response.text
    assert [r.json()["code"] for r in response.history] == [-1021]
    first, second = signed(exchange)
    assert first.verdict.code == "-1021"
    assert second.verdict.ok
    stamps = [
        int(dict(p.split("=") for p in e.request.body.decode().split("&"))["timestamp"])
        for e in (first, second)
    ]
    # fresh, from the re-synced clock: moved the way the server's clock jumped
    direction = 1 if exchange.clock_offset_ms > 0 else -1
    assert (stamps[1] - stamps[0]) * direction >= 2 * SECOND_MS
    assert response.request.body.count("timestamp=") == 1
    assert [e.scheme for e in exchange.received].count("time") == 3  # one sync


def test_resend_happens_once_even_if_minus_1021_persists(recording_server):
    """A server that answers -1021 every time gets exactly two requests."""

    def respond(hit, url):
        if hit.target.endswith("/time"):
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        return 400, {"Content-Type": "application/json"}, b'{"code":-1021,"msg":"late"}'

    server = recording_server(respond)
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    response = requests.get(server.url + "/api/v3/account", auth=auth, timeout=10)
    assert response.json()["code"] == -1021
    assert len(response.history) == 1
    assert [h.target.startswith("/api/v3/account") for h in server.hits].count(True) == 2


NEVER_RESENT = {
    "-1022 bad signature": (400, b'{"code":-1022,"msg":"Signature is not valid."}'),
    "-2015 rejected key": (401, b'{"code":-2015,"msg":"Invalid API-key, IP, or permissions."}'),
    "-1102 missing param": (400, b'{"code":-1102,"msg":"Mandatory parameter was not sent."}'),
    "500 with -1021 body": (500, b'{"code":-1021,"msg":"outcome unknown"}'),
    "502 html": (502, b"<html>Bad Gateway</html>"),
    "503 with -1021 body": (503, b'{"code":-1021,"msg":"outcome unknown"}'),
    "400 json number": (400, b"-1021"),
    "400 html": (400, b"<html>Bad Request</html>"),
}  # fmt: skip


@pytest.mark.parametrize("case", NEVER_RESENT)
def test_other_answers_are_never_resent(recording_server, case):
    """Only a 4xx -1021 is resent; a 5xx may have been acted on (§6)."""
    status, body = NEVER_RESENT[case]

    def respond(hit, url):
        if hit.target.endswith("/time"):
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        return status, {"Content-Type": "application/json"}, body

    server = recording_server(respond)
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    response = requests.post(server.url + "/api/v3/order", data={"a": "1"}, auth=auth, timeout=10)
    assert response.status_code == status
    assert response.history == []
    assert [h.target for h in server.hits].count("/api/v3/order") == 1


@pytest.mark.parametrize("code", ["-1022", "-2015"])
def test_real_rejections_are_never_resent(drifted, code):
    """Against the verifying exchange: a wrong secret or an unknown key is sent once."""
    exchange, clock = drifted
    exchange.clock_offset_ms = 0
    key, secret = (BINANCE_KEY, "wrong-secret") if code == "-1022" else ("unknown", "s")
    auth = BinanceQueryAuth(key, secret, clock=clock, retry_invalid_timestamp=True)
    response = requests.get(exchange.url + "/api/v3/account", auth=auth, timeout=10)
    assert str(response.json()["code"]) == code
    assert len(signed(exchange)) == 1


def test_connection_errors_are_never_resent():
    """A server that drops the connection after reading the request sees it once."""
    accepted = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # closing a socket does not wake a blocked accept(): poll
    port = listener.getsockname()[1]
    done = threading.Event()

    def serve() -> None:
        while len(accepted) < 2 and not done.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.recv(65536)
            accepted.append(1)
            connection.close()  # no answer at all

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with LocalExchange() as exchange:
        clock = BinanceServerClock(exchange.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/v3/account", auth=auth, timeout=5)
    # requests runs no hook without a response: the call is over, and any resend would
    # have been sent before it raised; the server counts a request before hanging up
    done.set()
    thread.join(timeout=5)
    listener.close()
    assert not thread.is_alive()
    assert accepted == [1]


def test_a_failed_resync_returns_the_first_answer(recording_server, caplog):
    """If the time endpoint fails during recovery, the -1021 comes back, not resent."""
    calls = {"time": 0}

    def respond(hit, url):
        if hit.target.endswith("/time"):
            calls["time"] += 1
            if calls["time"] > 1:
                return 503, {}, b"down"
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        return 400, {}, b'{"code":-1021,"msg":"late"}'

    server = recording_server(respond)
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"):
        response = requests.get(server.url + "/api/v3/account", auth=auth, timeout=10)
    assert response.json()["code"] == -1021
    assert "not resent" in caplog.text
    assert [h.target.startswith("/api/v3/account") for h in server.hits].count(True) == 1


# -- many threads, one clock, one auth --------------------------------------------------


def test_eight_threads_share_a_clock_while_it_resyncs(exchange):
    """400 requests from 8 threads, the clock re-syncing all the while: 0 rejections."""
    exchange.clock_offset_ms = 3 * SECOND_MS
    clock = BinanceServerClock(exchange.url + "/api", samples=3).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=2000, clock=clock)
    stop = threading.Event()
    syncs = []

    def resync() -> None:
        while not stop.is_set():  # the server's clock wanders by up to 400 ms meanwhile
            exchange.clock_offset_ms = 3 * SECOND_MS + (len(syncs) % 5) * 100
            clock.sync()
            syncs.append(1)
            time.sleep(0.01)

    def send(worker: int) -> list[int]:
        with requests.Session() as session:
            return [
                session.get(
                    exchange.url + "/api/v3/order", params={"n": f"{worker}-{i}"}, auth=auth,
                    timeout=10,
                ).status_code
                for i in range(50)
            ]  # fmt: skip

    syncer = threading.Thread(target=resync)
    syncer.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = [s for batch in pool.map(send, range(8)) for s in batch]
    finally:
        stop.set()
        syncer.join()
    assert len(statuses) == 400
    assert statuses.count(200) == 400
    assert [e.verdict.ok for e in signed(exchange)].count(False) == 0
    assert len(syncs) >= 2


# -- one auth object, every Binance API --------------------------------------------------


def test_futures_vector_through_one_auth_on_every_api():
    """One auth object reproduces the futures HMAC vector (§8) on every API's path."""
    auth = BinanceQueryAuth("k", FUTURES_SECRET, clock=lambda: FUTURES_TIMESTAMP_MS * 1_000_000)
    params = FUTURES_PAYLOAD.rpartition("&timestamp=")[0]
    for prefix in ("/api/v3", "/sapi/v1", "/fapi/v1", "/dapi/v1"):
        r = requests.Request("POST", f"https://fapi.binance.com{prefix}/order", data=params)
        prepared = auth(r.prepare())
        assert prepared.body == f"{FUTURES_PAYLOAD}&signature={FUTURES_SIGNATURE}", prefix


# -- the resend and redirects: sign only for the origin given, never loop ------------------

MINUS_1021 = (400, {"Content-Type": "application/json"}, b'{"code":-1021,"msg":"late"}')


def _time(hit):
    return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()


def time_or(answer):
    """A responder that serves the time endpoint and answers ``answer()`` elsewhere."""
    return lambda hit, url: _time(hit) if "/time" in hit.target else answer()


def _retrying_auth(url: str) -> BinanceQueryAuth:
    clock = BinanceServerClock(url + "/api", samples=1).sync()
    return BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)


def test_other_origin_answering_minus_1021_gets_nothing_signed(recording_server):
    """A redirect to another host that answers -1021 must not make us sign for it."""
    other = recording_server(time_or(lambda: MINUS_1021))
    order = "/api/v3/order?symbol=BTCUSDT&side=SELL&type=MARKET&quantity=100"
    origin = recording_server(
        lambda hit, url: (
            _time(hit) if "/time" in hit.target else (302, {"Location": other.url + order})
        )
    )
    auth = _retrying_auth(origin.url)
    response = requests.get(origin.url + "/api/v3/account", auth=auth, timeout=10)
    assert response.json()["code"] == -1021
    hits = [h for h in other.hits if "/time" not in h.target]
    assert len(hits) == 1
    assert "signature=" not in hits[0].target
    assert "X-MBX-APIKEY" not in hits[0].headers


def test_a_resend_redirected_elsewhere_carries_no_credentials(recording_server):
    """-1021, then the resend's answer is a 307 to another host: it gets no key or body."""
    other = recording_server(lambda hit, url: (200, {}))
    answers = iter([MINUS_1021, (307, {"Location": other.url + "/steal"})])
    origin = recording_server(
        lambda hit, url: _time(hit) if "/time" in hit.target else next(answers)
    )
    auth = _retrying_auth(origin.url)
    response = requests.post(origin.url + "/api/v3/order", data={"a": "1"}, auth=auth, timeout=10)
    assert response.status_code == 200
    assert len(other.hits) == 1
    assert "X-MBX-APIKEY" not in other.hits[0].headers
    assert b"signature" not in other.hits[0].body


def test_a_resend_redirected_on_the_same_origin_stays_fresh_and_single(recording_server):
    """A same-origin 307 after the resend carries the fresh signature; nothing is resent twice."""
    answers = iter([MINUS_1021, (307, {"Location": "/api/v3/order2"}), MINUS_1021, MINUS_1021])
    origin = recording_server(
        lambda hit, url: _time(hit) if "/time" in hit.target else next(answers)
    )
    auth = _retrying_auth(origin.url)
    response = requests.post(origin.url + "/api/v3/order", data={"a": "1"}, auth=auth, timeout=10)
    assert response.json()["code"] == -1021  # the hop's own -1021 is returned, not resent
    signed_hits = [h for h in origin.hits if "/time" not in h.target]
    assert [h.target for h in signed_hits] == ["/api/v3/order", "/api/v3/order", "/api/v3/order2"]
    assert signed_hits[2].body == signed_hits[1].body  # the re-signed body followed the 307
    assert signed_hits[1].body != signed_hits[0].body


def test_threads_meeting_minus_1021_together_share_syncs(drifted):
    """Four simultaneous -1021s cost fewer syncs than four (max_age sharing)."""
    exchange, clock = drifted
    auth = BinanceQueryAuth(
        BINANCE_KEY, BINANCE_SECRET, recv_window=2000, clock=clock, retry_invalid_timestamp=True
    )
    barrier = threading.Barrier(4)

    def send(_: int) -> int:
        with requests.Session() as session:
            barrier.wait()
            return session.get(exchange.url + "/api/v3/account", auth=auth, timeout=10).status_code

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(send, range(4))) == [200] * 4
    time_requests = [e.scheme for e in exchange.received].count("time")
    assert time_requests == 3  # one sync (samples=3): the others found it fresh


def test_resigning_installs_the_resend_hook_once(exchange):
    clock = BinanceServerClock(exchange.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    r = requests.Request("GET", exchange.url + "/api/v3/account").prepare()
    auth(auth(r))
    assert len(r.hooks["response"]) == 2  # the resend hook and the redirect guard


def test_a_custom_clock_needs_sync_with_max_age():
    class Clock:
        def __call__(self) -> int:
            return time.time_ns()

        def sync(self) -> None:
            """No max_age: the recovery could not call it."""

    with pytest.raises(ConfigurationError, match=r"sync\(max_age=seconds\)"):
        BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=Clock(), retry_invalid_timestamp=True)


# -- answers that cannot be read, and servers that never finish --------------------------

NESTED = b"[" * 3000 + b"]" * 3000  # valid JSON, deeper than json goes before Python 3.13
# What the clock says of it: json's RecursionError up to 3.12; from 3.13, which parses it,
# that a list holds no serverTime (a TypeError) or that the server time is a list.
NESTED_PROBLEM = ("RecursionError", "TypeError: list indices", "the server time is a JSON list")
SLACK_S = 1.0  # scheduling on a busy machine; the promise itself is samples × timeout


def _now_ms() -> int:
    return time.time_ns() // 10**6


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (NESTED, NESTED_PROBLEM),
        (b'{"serverTime": ' + NESTED + b"}", NESTED_PROBLEM),
        (b'{"serverTime": [' + b"1," * 999 + b"1]}", "the server time is a JSON list"),
        (b'{"serverTime": "' + b"9" * 5000 + b'"}', "characters), not Unix milliseconds"),
        (b" " * 20_000 + b'{"serverTime": 1700000000000}', "longer than 16384 bytes"),
        (b"\xff\xfe{", "Error"),
    ],
    ids=["nested-3000", "nested-serverTime", "list", "long-text", "too-long", "not-utf8"],
)
def test_an_answer_that_cannot_be_read_is_a_server_time_error(recording_server, answer, problem):
    """Deep, huge or undecodable JSON from the time endpoint is a ServerTimeError, nothing else."""
    server = recording_server(lambda hit, url: (200, {}, answer))
    clock = BinanceServerClock(server.url + "/api", samples=1)

    with pytest.raises(ServerTimeError, match="could not read the Binance server time") as info:
        clock.sync()

    problems = (problem,) if isinstance(problem, str) else problem
    assert any(p in str(info.value) for p in problems), str(info.value)
    assert len(str(info.value)) < 400  # a short view of the answer, never all of it
    assert clock.offset_ms is None


def test_background_sync_survives_unreadable_answers_and_recovers(recording_server, caplog):
    """The resync thread logs an unreadable answer, keeps going, and syncs once it is fixed."""
    answers = iter([_now_ms(), NESTED, NESTED])

    def respond(hit, url):
        answer = next(answers, None)
        if answer is None:  # the endpoint recovered, and the server moved 7 s ahead
            return 200, {}, json.dumps({"serverTime": _now_ms() + 7 * SECOND_MS}).encode()
        if isinstance(answer, bytes):
            return 200, {}, answer
        return 200, {}, json.dumps({"serverTime": answer}).encode()

    server = recording_server(respond)
    clock = resyncing(server.url + "/api")
    with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"), clock.sync():
        deadline = time.monotonic() + 10
        while abs((clock.offset_ms or 0) - 7 * SECOND_MS) > 500 and time.monotonic() < deadline:
            time.sleep(0.02)

        assert abs((clock.offset_ms or 0) - 7 * SECOND_MS) <= 500
    warnings = [r.getMessage() for r in caplog.records if "sync failed" in r.getMessage()]
    assert len(warnings) == 2
    assert any(p in warnings[0] for p in NESTED_PROBLEM), warnings[0]
    assert f"next try in {FAST_RESYNC_S:g} s" in warnings[0]


def test_background_thread_survives_any_exception(caplog):
    """Even an unexpected exception from sync() is logged, with its traceback, and retried."""
    from requests_exchange_auth._resync import resync_forever as _resync_forever

    stop = threading.Event()

    class Flaky:
        calls = 0

        def sync(self) -> None:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("a bug, say")
            stop.set()

    flaky = Flaky()
    with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"):
        _resync_forever(weakref.ref(flaky), stop, 0.01)  # type: ignore[arg-type]

    assert flaky.calls == 2
    assert "background sync failed" in caplog.records[0].getMessage()
    assert "a bug, say" in caplog.records[0].getMessage()
    assert caplog.records[0].exc_info is not None


def test_an_unreadable_4xx_answer_to_an_order_is_returned_untouched(recording_server):
    """With the -1021 resend on, a 400 whose JSON cannot be parsed reaches the caller as it is."""
    server = recording_server(lambda hit, url: _time(hit) if "/time" in hit.target else (
        400, {"Content-Type": "application/json"}, NESTED))  # fmt: skip
    auth = _retrying_auth(server.url)

    response = requests.post(server.url + "/api/v3/order", data={"symbol": "BTCUSDT"},
                             auth=auth, timeout=10)  # fmt: skip

    assert response.status_code == 400
    assert response.content == NESTED
    assert response.history == []
    assert [h.target for h in server.hits].count("/api/v3/order") == 1


class TricklingServer:
    """A local HTTP server whose time endpoint answers ``step`` bytes every 0.2 s.

    The first ``good`` time requests get a whole answer at once (so a clock can sync);
    any other path gets Binance's -1021 at once. ``headers=True`` trickles the status
    line and headers too, not only the body; ``padding`` spaces lengthen the body.
    """

    def __init__(
        self, *, good: int = 0, headers: bool = False, step: int = 1, padding: int = 0
    ) -> None:
        self.good, self.trickle_headers, self.step, self.padding = good, headers, step, padding
        self.stopping, self.client_gone = threading.Event(), threading.Event()
        self.hits: list[str] = []
        trickling = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                trickling.hits.append(self.path)
                trickling.answer(self)

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        self._server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.005,))

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        timed = handler.path.endswith("/time")
        body = json.dumps({"serverTime": _now_ms()}).encode() if timed else MINUS_1021[2]
        body += b" " * self.padding
        status = b"200 OK" if timed else b"400 Bad Request"
        head = b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
            status, len(body))  # fmt: skip
        if not timed or self.hits.count(handler.path) <= self.good:
            handler.wfile.write(head + body)
            return
        slow = head + body if self.trickle_headers else body
        if not self.trickle_headers:
            handler.wfile.write(head)
        for i in range(0, len(slow), self.step):
            if self.stopping.wait(0.2):
                return
            try:
                handler.wfile.write(slow[i : i + self.step])
            except OSError:  # the client went away
                self.client_gone.set()
                return

    def __enter__(self) -> TricklingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.mark.parametrize(
    "trickle",
    [{}, {"headers": True}, {"step": 64, "padding": 4000}],
    ids=["body-bytes", "headers-bytes", "body-chunks"],
)
def test_a_trickling_time_endpoint_cannot_stretch_a_sync(trickle):
    """A server dripping its answer every 0.2 s gets a ServerTimeError within samples × timeout."""
    with TricklingServer(**trickle) as server:
        clock = BinanceServerClock(server.url + "/api", samples=1, timeout=0.3)
        started = time.monotonic()

        with pytest.raises(ServerTimeError, match=r"no complete answer within timeout=0\.3 s"):
            clock.sync()

        assert time.monotonic() - started <= clock.samples * clock.timeout + SLACK_S


def test_an_abandoned_sample_stops_reading():
    """The request given up at the deadline hangs up at its next chunk, not at the end."""
    with TricklingServer(step=64, padding=4000) as server:
        clock = BinanceServerClock(server.url + "/api", samples=1, timeout=0.1)
        with pytest.raises(ServerTimeError):
            clock.sync()

        assert server.client_gone.wait(5)  # the whole answer would take 13 s


def test_minus_1021_recovery_against_a_trickling_endpoint_is_bounded(caplog):
    """During -1021 recovery a trickling time endpoint costs at most samples × timeout more."""
    with TricklingServer(good=1) as server:
        clock = BinanceServerClock(server.url + "/api", samples=1, timeout=0.3).sync()
        auth = BinanceQueryAuth(
            BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True
        )
        started = time.monotonic()

        with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"):
            response = requests.get(server.url + "/api/v3/account", auth=auth, timeout=5)

        took = time.monotonic() - started
        assert response.json()["code"] == -1021  # the first answer, not resent
        assert "not resent" in caplog.text
        assert "no complete answer within timeout=0.3 s" in caplog.text
        assert took <= clock.samples * clock.timeout + SLACK_S
        assert len([h for h in server.hits if h.startswith("/api/v3/account")]) == 1
