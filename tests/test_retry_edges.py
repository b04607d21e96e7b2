"""The retry layers' edges: unwatched pools, transports without a trace, pass-through."""

from __future__ import annotations

import httpx
import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError

from requests_exchange_auth import BinanceQueryAuth, ExchangeAdapter, SignedRetry
from requests_exchange_auth._adapter import _sent_when
from requests_exchange_auth._retry import Attempt, retry_after
from requests_exchange_auth._urllib3 import Watch, WatchedHTTPPool, watch
from requests_exchange_auth.httpx import ExchangeTransport, HttpxAuth
from requests_exchange_auth.testing import BINANCE_KEY, BINANCE_SECRET, FakeClock, LocalExchange

FAST = SignedRetry(backoff=0.001, max_backoff=0.001)


def binance() -> BinanceQueryAuth:
    """Each signing reads a clock 1 ms later, so each attempt's timestamp differs even when
    retries follow each other within a millisecond (as FAST's do)."""
    return BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=FakeClock(step_ns=1_000_000))


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "refused")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, "/", reason))  # type: ignore[arg-type]


def test_an_unwatched_pool_trusts_only_a_connection_never_made():
    """Where no watched pool took the send (a SOCKS proxy), only a failed connect is "not
    sent"; any other failure may have been sent."""
    unwatched = Watch(None)
    timed_out = requests.ReadTimeout(ReadTimeoutError(None, "/", "read timed out"))  # type: ignore[arg-type]

    assert _sent_when(refused(), unwatched) is False
    assert _sent_when(timed_out, unwatched) is True
    assert _sent_when(requests.ConnectionError(), unwatched) is True


def test_proxy_managers_make_watched_pools():
    """An HTTP proxy's pool manager makes watched pools, as the adapter's own does."""
    adapter = ExchangeAdapter()
    manager = adapter.proxy_manager_for("http://127.0.0.1:3128")

    assert manager.pool_classes_by_scheme["http"] is WatchedHTTPPool
    assert adapter.poolmanager.pool_classes_by_scheme["http"] is WatchedHTTPPool


def test_a_manager_with_pools_of_its_own_is_left_alone():
    """watch() leaves anything that is not a default pool manager as it is."""
    from urllib3 import PoolManager

    manager = PoolManager()
    own = {"http": object, "https": object}
    manager.pool_classes_by_scheme = own  # type: ignore[assignment]
    watch(manager)
    watch(object())

    assert manager.pool_classes_by_scheme is own


def test_watched_pools_serve_sends_that_are_not_the_adapters(exchange):
    """A watched pool used directly (no send of the adapter in progress) just sends."""
    adapter = ExchangeAdapter()
    response = adapter.poolmanager.request("GET", exchange.url + "/api/v3/time")

    assert response.status == 200


def test_adapter_pickles_with_its_retry():
    """The adapter pickles (as requests' own does) and keeps its retry."""
    import pickle

    adapter = pickle.loads(pickle.dumps(ExchangeAdapter(retry=FAST)))  # noqa: S301  # our bytes

    assert adapter.retry == FAST
    assert adapter.poolmanager.pool_classes_by_scheme["http"] is WatchedHTTPPool


# -- httpx --------------------------------------------------------------------------------


def test_unsigned_httpx_requests_go_through_once():
    """A request HttpxAuth did not sign passes the transport once, whatever the answer."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503)

    layer = ExchangeTransport(httpx.MockTransport(handler), retry=FAST)
    with httpx.Client(transport=layer) as client:
        assert client.get("http://127.0.0.1:1/x").status_code == 503
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("error", "sends"),
    [(httpx.ConnectError("refused"), 3), (httpx.ReadTimeout("read"), 1)],
    ids=["connect-error", "read-timeout"],
)
def test_a_transport_without_a_trace_trusts_only_a_connection_never_made(error, sends):
    """A transport that calls no trace (a MockTransport) leaves "sent?" to the error: a
    failed connect is retried, a read timeout is not."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise error

    layer = ExchangeTransport(httpx.MockTransport(handler), retry=FAST)
    with (
        httpx.Client(transport=layer, auth=HttpxAuth(binance())) as client,
        pytest.raises(type(error)),
    ):
        client.get("http://127.0.0.1:1/api/v3/account")
    assert len(calls) == sends
    assert len({c.url.params["timestamp"] + c.url.params["signature"] for c in calls}) == sends


def test_httpx_transports_close_what_they_wrap():
    """Closing the client closes the wrapped transport."""
    closed: list[bool] = []

    class Inner(httpx.MockTransport):
        def close(self) -> None:
            closed.append(True)

    with httpx.Client(transport=ExchangeTransport(Inner(lambda r: httpx.Response(200)))):
        pass
    assert closed == [True]


def test_a_redirected_hop_is_not_retried():
    """Only the request as signed is retried; a hop a redirect led to goes through once."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/api/v3/start":
            return httpx.Response(307, headers={"Location": "/api/v3/order"})
        return httpx.Response(429, headers={"Retry-After": "0"})

    layer = ExchangeTransport(httpx.MockTransport(handler), retry=FAST)
    client = httpx.Client(transport=layer, auth=HttpxAuth(binance()), follow_redirects=True)
    with client:
        r = client.post("http://127.0.0.1:1/api/v3/start", data={"a": "1"})
    assert r.status_code == 429
    assert calls == ["/api/v3/start", "/api/v3/order"]


# -- the rules --------------------------------------------------------------------------


def test_a_final_answer_is_never_retried():
    """A rejection that is a result (a 400) comes back at once."""
    attempt = Attempt("POST", "https://api.binance.com/api/v3/order", None)
    retrying = SignedRetry().begin(binance())

    assert retrying.after_response(attempt, 400, {}, lambda: b'{"code":-1102}') is None


def test_an_http_date_without_a_zone_is_ignored():
    """An HTTP-date is GMT; one without a zone cannot be trusted and is ignored."""
    assert retry_after("Wed, 21 Oct 2015 07:28:00 -0000") is None


@pytest.mark.parametrize("times", [0, -1, True, 1.5])
def test_canned_times_is_a_positive_int(times):
    """respond(times=) is checked in the test's own thread."""
    with pytest.raises(ValueError, match="times must be a positive int"):
        LocalExchange().respond("/x", {}, times=times)
