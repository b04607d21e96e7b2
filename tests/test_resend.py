"""The one safe resend after a timestamp rejection, on requests and httpx (sync and async).

A local exchange whose clock jumps after the auth's server clock synced: the first
answer is the exchange's timestamp rejection, the clock syncs once, and one fresh,
valid resend is accepted; nothing else is ever resent (DESIGN.md #8).
"""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests
from transports import send

from requests_exchange_auth import BinanceQueryAuth, BinanceServerClock
from requests_exchange_auth.testing import BINANCE_KEY, BINANCE_SECRET, LocalExchange

FOLLOWING = ["requests", "httpx", "httpx-async"]


def _signed(exchange: LocalExchange) -> list:
    return [r for r in exchange.received if r.scheme != "time"]


@pytest.mark.parametrize("jump_ms", [3000, -3000], ids=["server-ahead", "server-behind"])
@pytest.mark.parametrize("transport", FOLLOWING)
def test_a_rejected_timestamp_is_resigned_and_resent_once(transport, jump_ms):
    """First answer rejected; one sync; one fresh resend, accepted; the next needs none."""
    with LocalExchange() as exchange:
        clock = BinanceServerClock(exchange.url + "/api", samples=1).sync()
        exchange.clock_offset_ms = jump_ms
        exchange.received.clear()
        auth = BinanceQueryAuth(
            BINANCE_KEY, BINANCE_SECRET, recv_window=2000, clock=clock,
            retry_invalid_timestamp=True,
        )  # fmt: skip
        url = exchange.url + "/api/v3/order"
        reply = send(transport, auth, "POST", url, data={"symbol": "BTCUSDT"})
        assert reply.status == 200
        first, second = _signed(exchange)
        assert first.verdict.code == "-1021"
        assert second.verdict.ok
        assert [r.scheme for r in exchange.received].count("time") == 1  # one sync
        assert send(transport, auth, "POST", url, data={"symbol": "BTCUSDT"}).status == 200
        assert len(_signed(exchange)) == 3  # the next request needed no resend


def _time_or(status: int, body: bytes):
    def respond(hit, url):
        if hit.target.endswith("/time"):
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        return status, {"Content-Type": "application/json"}, body

    return respond


NEVER_RESENT = {
    "-1022 bad signature": (400, b'{"code":-1022,"msg":"Signature is not valid."}'),
    "500 with -1021 body": (500, b'{"code":-1021,"msg":"outcome unknown"}'),
    "503 with -1021 body": (503, b'{"code":-1021,"msg":"outcome unknown"}'),
    "400 html": (400, b"<html>Bad Request</html>"),
    "400 deep json": (400, b"[" * 3000 + b"]" * 3000),
}


@pytest.mark.parametrize("case", NEVER_RESENT)
@pytest.mark.parametrize("transport", FOLLOWING)
def test_other_answers_are_never_resent(recording_server, transport, case):
    """Only the rejection that proves the server did not act is resent: never a 5xx."""
    status, body = NEVER_RESENT[case]
    server = recording_server(_time_or(status, body))
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    reply = send(transport, auth, "POST", server.url + "/api/v3/order", data={"a": "1"})
    assert reply.status == status
    assert reply.history == []
    assert [h.target for h in server.hits].count("/api/v3/order") == 1


@pytest.mark.parametrize("transport", FOLLOWING)
def test_the_resend_happens_once_even_if_the_rejection_persists(recording_server, transport):
    """A server that rejects every timestamp gets exactly two requests."""
    server = recording_server(_time_or(400, b'{"code":-1021,"msg":"late"}'))
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    reply = send(transport, auth, "GET", server.url + "/api/v3/account")
    assert reply.json["code"] == -1021
    assert reply.history == [400]
    assert [h.target.startswith("/api/v3/account") for h in server.hits].count(True) == 2


def test_cookies_the_rejection_set_go_with_the_resend(recording_server):
    """As digest auth does (requests/auth.py, handle_401), the resend carries new cookies."""
    answers = iter([(400, b'{"code":-1021,"msg":"late"}'), (200, b"{}")])

    def respond(hit, url):
        if hit.target.endswith("/time"):
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        status, body = next(answers)
        return status, {"Set-Cookie": "session=abc; Path=/"} if status == 400 else {}, body

    server = recording_server(respond)
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    assert send("requests", auth, "GET", server.url + "/api/v3/account").status == 200
    first, second = [h for h in server.hits if h.target.startswith("/api/v3/account")]
    assert "session=abc" not in first.headers.get("Cookie", "")
    assert second.headers.get("Cookie") == "session=abc"


def test_the_resend_and_a_failed_sync_are_logged(recording_server, caplog):
    """The resend is logged at INFO; a sync that fails leaves the rejection, with a warning."""
    syncs = iter([200, 503])

    def respond(hit, url):
        if hit.target.endswith("/time"):
            status = next(syncs, 503)
            return status, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        return 400, {}, b'{"code":-1021,"msg":"late"}'

    server = recording_server(respond)
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    with caplog.at_level(logging.INFO, logger="requests_exchange_auth"):
        reply = send("requests", auth, "GET", server.url + "/api/v3/account")
    assert reply.history == []  # not resent: the clock could not sync
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith("timestamp rejection not resent: ")
    assert "503" in warning.getMessage()


def test_a_resend_is_logged(recording_server, caplog):
    server = recording_server(_time_or(400, b'{"code":-1021,"msg":"late"}'))
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    with caplog.at_level(logging.INFO, logger="requests_exchange_auth"):
        assert send("requests", auth, "GET", server.url + "/api/v3/account").history == [400]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "resending a request re-signed after its timestamp was rejected"
    ]


def test_a_redirect_of_the_resend_is_never_resent_again(recording_server):
    """The resend's own hooks carry no second resend: a redirected hop that meets the
    rejection again is returned as it is (one resend per request, its redirects included)."""
    answers = iter([(400, {}), (302, {"Location": "/api/v3/again"})])

    def respond(hit, url):
        if hit.target.endswith("/time"):
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        status, headers = next(answers, (400, {}))
        return status, headers, b'{"code":-1021,"msg":"late"}'

    server = recording_server(respond)
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    reply = requests.get(server.url + "/api/v3/account", auth=auth, timeout=5)
    assert [h.target.partition("?")[0] for h in server.hits if "/time" not in h.target] == [
        "/api/v3/account",
        "/api/v3/account",
        "/api/v3/again",
    ]
    # requests rebuilds history along redirects (sessions.py, Session.send): the 302 is kept
    assert (reply.status_code, [r.status_code for r in reply.history]) == (400, [302])


class _AgeRecordingClock(BinanceServerClock):
    def __init__(self, url: str) -> None:
        super().__init__(url, samples=1)
        self.ages: list[float | None] = []

    def sync(self, *, max_age: float | None = None) -> BinanceServerClock:
        self.ages.append(max_age)
        return super().sync(max_age=max_age)


def test_the_resend_sync_is_skipped_for_a_sync_newer_than_the_request(recording_server):
    """Threads that met the same rejection share one sync: the recovery asks for a sync
    no older than the rejected request (its response's elapsed time)."""
    server = recording_server(_time_or(400, b'{"code":-1021,"msg":"late"}'))
    clock = _AgeRecordingClock(server.url + "/api").sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    reply = requests.get(server.url + "/api/v3/account", auth=auth, timeout=5)
    assert clock.ages == [None, reply.history[0].elapsed.total_seconds()]


def test_the_resend_is_sent_with_the_callers_send_options(recording_server):
    """The resend goes the way the first attempt went: through the same proxy here (and
    with the same timeout, verify and cert: requests passes them together)."""
    answers = iter([b'{"code":-1021,"msg":"late"}', b'{"orderId":1}'])

    def respond(hit, url):
        if hit.target.endswith("/time"):
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        body = next(answers)
        return (400 if b"-1021" in body else 200), {}, body

    exchange, proxy = recording_server(respond), recording_server(respond)
    clock = BinanceServerClock(exchange.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(
        BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True,
        allow_insecure_http=True,  # a plaintext proxy, trusted here
    )  # fmt: skip
    url = exchange.url + "/api/v3/account"
    reply = requests.get(url, auth=auth, timeout=5, proxies={"http": proxy.url})
    assert (reply.status_code, reply.content) == (200, b'{"orderId":1}')
    assert [h.target.startswith(url) for h in proxy.hits] == [True, True]  # absolute form
    assert {h.target for h in exchange.hits} == {"/api/v3/time"}  # the clock's syncs alone


def test_a_cross_origin_redirect_answering_the_resend_is_stripped(recording_server):
    """The resend runs first among the hooks, so the redirect guard sees its answer: a
    cross-origin redirect of the resend reaches the other origin without the key."""
    other = recording_server(lambda hit, url: (200, {}))
    answers = iter([(400, {}), (302, {"Location": other.url + "/landing"})])

    def respond(hit, url):
        if hit.target.endswith("/time"):
            return 200, {}, json.dumps({"serverTime": time.time_ns() // 10**6}).encode()
        status, headers = next(answers)
        return status, headers, b'{"code":-1021,"msg":"late"}'

    server = recording_server(respond)
    clock = BinanceServerClock(server.url + "/api", samples=1).sync()
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=clock, retry_invalid_timestamp=True)
    reply = requests.get(server.url + "/api/v3/account", auth=auth, timeout=5)
    assert reply.status_code == 200
    [landed] = other.hits
    assert "x-mbx-apikey" not in {name.lower() for name in landed.headers}


class _SyncedClock:
    """A clock that a resending auth accepts, without a server."""

    def __call__(self) -> int:
        return time.time_ns()

    def sync(self, *, max_age: float | None = None) -> _SyncedClock:
        return self


def test_signing_a_request_again_keeps_one_resend():
    auth = BinanceQueryAuth(
        BINANCE_KEY, BINANCE_SECRET, retry_invalid_timestamp=True, clock=_SyncedClock()
    )
    request = requests.Request("GET", "https://api.binance.com/api/v3/account", auth=auth)
    prepared = request.prepare()
    auth(prepared)
    kinds = [type(hook).__name__ for hook in prepared.hooks["response"]]
    assert kinds == ["Resend", "RedirectGuard"]
