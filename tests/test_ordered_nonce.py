"""OrderedNonce: requests signed from one generator reach a strict server in nonce order.

The strict server is LocalExchange's ``/tradingApi``: it rejects (422) any nonce not
greater than the last one it accepted for the key, as Poloniex does.
"""

from __future__ import annotations

import copy
import gc
import pickle
import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from requests_exchange_auth import (
    MonotonicNonce,
    NonceTimeoutError,
    OrderedAdapter,
    OrderedNonce,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth._requests import hold_of, release_now
from requests_exchange_auth.testing import POLONIEX_KEY, POLONIEX_SECRET

THREADS, REQUESTS = 8, 50


def poloniex(nonce) -> PoloniexBodyDigestAuth:
    return PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=nonce)


def hammer(url: str, auth: PoloniexBodyDigestAuth) -> list[int]:
    """8 threads × 50 signed requests, each thread on its own session; the status codes."""
    statuses: list[int] = []
    start = threading.Barrier(THREADS)

    def send() -> None:
        with requests.Session() as session:
            start.wait()
            for _ in range(REQUESTS):
                r = session.post(url, data={"command": "returnBalances"}, auth=auth)
                statuses.append(r.status_code)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_strict_server_rejects_none_in_ordered_mode_and_some_without(exchange, summary_line):
    """Ordered: all 400 requests accepted. Plain: the rejections are counted and shown."""
    url = exchange.url + "/tradingApi"

    ordered = hammer(url, poloniex(OrderedNonce(MonotonicNonce())))
    plain = hammer(url, poloniex(MonotonicNonce()))

    assert ordered == [200] * (THREADS * REQUESTS)
    rejected = plain.count(422)
    assert plain.count(200) + rejected == THREADS * REQUESTS
    refused = [r.verdict.reason for r in exchange.received if not r.verdict.ok]
    assert len(refused) == rejected
    assert all(reason.startswith("Nonce must be greater than ") for reason in refused)
    summary_line(f"ordered mode: 0 of 400 rejected; without it: {rejected} of 400 rejected")


# -- failures never keep the order ----------------------------------------------------------


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers: reads time out."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield int(server.getsockname()[1])


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """A session with OrderedAdapter mounted for plain http (the loopback servers here)."""
    with requests.Session() as s:
        s.mount("http://", OrderedAdapter())
        yield s


def in_other_thread(call) -> object:
    """Run ``call`` in a fresh thread and return its result or exception."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(call())
        except Exception as exc:  # handed back to the test to inspect
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


def balances(session: requests.Session | None, url: str, auth, **kwargs) -> requests.Response:
    """POST returnBalances through ``session``, or through requests.post when None."""
    send = requests.post if session is None else session.post
    return send(url, data={"command": "returnBalances"}, auth=auth, **kwargs)


@pytest.mark.parametrize("failure", ["connection-refused", "read-timeout"])
def test_failed_send_releases_the_order_for_other_threads(
    failure, session, exchange, closed_port, silent_server
):
    """A send that raises, whose exception is still alive, does not block another thread."""
    auth = poloniex(OrderedNonce(timeout=5))
    port = closed_port if failure == "connection-refused" else silent_server
    kept = in_other_thread(
        lambda: balances(session, f"http://127.0.0.1:{port}/tradingApi", auth, timeout=0.2)
    )
    assert isinstance(kept, requests.ConnectionError | requests.Timeout)
    assert kept.request is not None  # the failed request is alive: only the adapter freed it

    after = balances(session, exchange.url + "/tradingApi", auth)

    assert after.status_code == 200


def test_failed_send_without_adapter_releases_for_the_same_thread(exchange, closed_port):
    """Without OrderedAdapter, the thread whose send failed can sign and send again at once."""
    auth = poloniex(OrderedNonce(timeout=0.5))
    with requests.Session() as plain:
        with pytest.raises(requests.ConnectionError) as kept:
            balances(plain, f"http://127.0.0.1:{closed_port}/tradingApi", auth)

        after = balances(plain, exchange.url + "/tradingApi", auth)

    assert after.status_code == 200
    assert kept.value.request is not None


def test_raising_response_hook_does_not_keep_the_order(exchange):
    """Our release runs before a user's hook, so a hook that raises cannot keep the order
    (without an OrderedAdapter, which would release it when the send returns)."""
    auth = poloniex(OrderedNonce(timeout=0.5))

    kept: list[requests.Response] = []  # the request stays alive: no release by collection

    def broken_hook(response, **kwargs):
        kept.append(response)
        raise RuntimeError("a user's hook failed")

    with requests.Session() as session, pytest.raises(RuntimeError, match="a user's hook"):
        session.post(exchange.url + "/tradingApi", auth=auth, hooks={"response": [broken_hook]})
    after = in_other_thread(lambda: balances(None, exchange.url + "/tradingApi", auth))

    assert isinstance(after, requests.Response)
    assert after.status_code == 200
    assert kept[0].request is not None
    kept[0].close()  # its connection was never read: requests raised from the hook


def test_prepared_request_dropped_releases_the_order(exchange):
    """A request signed and then dropped unsent gives the order back when it is collected."""
    auth = poloniex(OrderedNonce(timeout=0.5))
    in_other_thread(
        lambda: requests.Request("POST", exchange.url + "/tradingApi", auth=auth).prepare()
    )
    gc.collect()

    after = balances(None, exchange.url + "/tradingApi", auth)

    assert after.status_code == 200


def test_waiter_times_out_with_a_clear_error(exchange):
    """While a signed request is kept unsent by another thread, a caller waits, then raises."""
    nonce = OrderedNonce(timeout=0.05)
    auth = poloniex(nonce)
    kept: list[requests.PreparedRequest] = []
    in_other_thread(
        lambda: kept.append(
            requests.Request("POST", exchange.url + "/tradingApi", auth=auth).prepare()
        )
    )

    with pytest.raises(NonceTimeoutError) as info:
        balances(None, exchange.url + "/tradingApi", auth)

    message = str(info.value)
    assert "waited 0.05 s for the nonce order" in message
    assert "nothing was sent" in message
    assert "mount ExchangeAdapter" in message
    assert len(exchange.received) == 0
    kept.clear()  # dropping the request frees the order
    assert balances(None, exchange.url + "/tradingApi", auth).status_code == 200


# -- the generator itself ---------------------------------------------------------------------


def test_hold_keeps_the_order_until_released():
    """A hold keeps other threads out until released; a release twice is harmless."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.05)
    hold = nonce.hold()

    blocked = in_other_thread(nonce)
    hold.release()
    hold.release()
    after = in_other_thread(nonce)

    assert isinstance(blocked, NonceTimeoutError)
    assert isinstance(after, int)
    assert after > hold.value


def test_same_thread_signing_again_ends_its_earlier_hold():
    """A thread that draws again has finished its earlier request, so it never waits on itself."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.05)

    first, second = nonce.hold(), nonce.hold()

    assert second.value > first.value
    assert isinstance(in_other_thread(nonce), NonceTimeoutError)
    second.release()


def test_failing_generator_releases_the_order():
    """If the wrapped generator raises, no order is kept."""
    calls = iter([ValueError("store down"), 7])

    def flaky() -> int:
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    nonce = OrderedNonce(flaky, timeout=0.05)

    failed = in_other_thread(nonce.hold)

    assert isinstance(failed, ValueError)
    assert in_other_thread(nonce) == 7


def test_default_generator_is_the_shared_one():
    """Without an argument, OrderedNonce draws from MonotonicNonce.shared()."""
    assert OrderedNonce().nonce is MonotonicNonce.shared()


@pytest.mark.parametrize("duplicate", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copy_is_the_same_order(duplicate):
    """Within a process, a copy is the same order (a deep-copied auth stays ordered with it)."""
    nonce = OrderedNonce()

    assert duplicate(nonce) is nonce


def test_pickles_as_a_free_order_around_the_generator():
    """An unpickled OrderedNonce has its own free order, its timeout and the shared generator."""
    nonce = OrderedNonce(timeout=7)
    hold = nonce.hold()

    twin = pickle.loads(pickle.dumps(nonce))  # noqa: S301  # our own bytes
    hold.release()

    assert twin is not nonce
    assert twin.nonce is MonotonicNonce.shared()
    assert repr(twin).startswith("OrderedNonce(MonotonicNonce(unit='us'")
    assert repr(twin).endswith(", timeout=7)")
    assert isinstance(twin(), int)


def test_resigning_a_request_keeps_one_release(exchange):
    """Signing one prepared request twice ends the first hold and leaves one release hook."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.05)
    auth = poloniex(nonce)
    request = requests.Request("POST", exchange.url + "/tradingApi", auth=auth).prepare()
    first_body = request.body

    auth(request)

    releases = [h for h in request.hooks["response"] if type(h).__name__ == "_Release"]
    assert len(releases) == 1
    assert request.body != first_body
    assert isinstance(in_other_thread(nonce), NonceTimeoutError)  # the second hold is kept
    del request, releases
    gc.collect()
    assert isinstance(in_other_thread(nonce), int)


def test_resigning_in_another_thread_does_not_wait_for_its_own_hold(exchange):
    """A request re-signed by another thread gives up its earlier hold instead of waiting on it."""
    auth = poloniex(OrderedNonce(MonotonicNonce(), timeout=0.05))
    request = requests.Request("POST", exchange.url + "/tradingApi", auth=auth).prepare()

    resigned = in_other_thread(lambda: auth(request))

    assert resigned is request


def test_a_response_kept_alive_still_released_the_order(exchange):
    """The response hook releases the order: a response (and its request) held by the
    caller does not keep the next request waiting for garbage collection."""
    auth = poloniex(OrderedNonce(timeout=0.5))
    kept = in_other_thread(lambda: balances(None, exchange.url + "/tradingApi", auth))
    assert isinstance(kept, requests.Response)
    assert kept.request is not None  # alive: only the hook can have released its hold

    after = balances(None, exchange.url + "/tradingApi", auth)

    assert after.status_code == 200
    assert kept.status_code == 200


@pytest.mark.parametrize("transport", ["httpx", "httpx-async"])
def test_httpx_releases_the_order_when_the_flow_ends(exchange, closed_port, transport):
    """On httpx, a sent request and a failed send each give the order back at once."""
    import httpx
    from transports import send

    auth = poloniex(OrderedNonce(timeout=0.5))
    url = exchange.url + "/tradingApi"
    assert send(transport, auth, "POST", url, data={"command": "x"}).status == 200
    with pytest.raises(httpx.ConnectError):
        send(transport, auth, "POST", f"http://127.0.0.1:{closed_port}/tradingApi")
    kept = in_other_thread(lambda: send(transport, auth, "POST", url, data={"command": "y"}))
    assert kept.status == 200  # another thread: not released, it would have timed out
    assert [r.verdict.ok for r in exchange.received] == [True, True]


def test_a_signed_request_shows_its_hold_until_it_is_released(exchange):
    """``hold_of`` finds the hold a prepared request keeps (ExchangeAdapter watches it for
    ``release="sent"``); once released, the request keeps none and the order is free."""
    nonce = OrderedNonce(MonotonicNonce(), timeout=0.05)
    request = requests.Request("POST", exchange.url + "/tradingApi", auth=poloniex(nonce)).prepare()

    hold = hold_of(request)

    assert hold is not None
    assert f"nonce={hold.value}" in request.body
    assert isinstance(in_other_thread(nonce), NonceTimeoutError)
    release_now(request)
    assert hold_of(request) is None
    assert isinstance(in_other_thread(nonce), int)
