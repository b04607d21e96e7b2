"""LocalExchange as a documented tool: accounts, routes, canned responses, records, lifecycle."""

from __future__ import annotations

import io
import unittest
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceQueryAuth,
    ConfigurationError,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth._registry import SCHEMES
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
    CountingNonce,
    Failure,
    FakeClock,
    LocalExchange,
    Received,
)
from requests_exchange_auth.testing._server import QuietHTTPServer

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "1"}


def binance(**options):
    return BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, **options)


def test_canned_response_answers_a_verified_request(local_exchange):
    """respond() sets the JSON a verified request gets; the verdict is still recorded."""
    local_exchange.respond("/api/v3/order", {"orderId": 28, "status": "NEW"})
    r = requests.post(local_exchange.url + "/api/v3/order", data=ORDER, auth=binance(), timeout=5)
    assert r.json() == {"orderId": 28, "status": "NEW"}
    [record] = local_exchange.received
    assert (record.scheme, record.status, record.verdict.ok) == ("binance", 200, True)
    assert record.response == {"orderId": 28, "status": "NEW"}


def test_canned_response_does_not_excuse_a_bad_signature(local_exchange):
    """A request that fails verification gets the exchange's error, not the canned body."""
    local_exchange.respond("/api/v3/order", {"orderId": 28})
    bad = BinanceQueryAuth(BINANCE_KEY, "not-the-secret")
    r = requests.post(local_exchange.url + "/api/v3/order", data=ORDER, auth=bad, timeout=5)
    assert r.status_code == 400
    assert r.json()["code"] == -1022
    assert local_exchange.rejected[0].verdict.failure is Failure.BAD_SIGNATURE


def test_canned_error_status_and_callable_body(local_exchange):
    """A canned answer can be an exchange error, per method, built from the request."""
    local_exchange.respond(
        "/api/v3/order",
        lambda received: {"code": -2010, "msg": f"insufficient balance ({received.method})"},
        status=400,
        method="delete",
    )
    url = local_exchange.url + "/api/v3/order"
    deleted = requests.delete(url, params=ORDER, auth=binance(), timeout=5)
    posted = requests.post(url, data=ORDER, auth=binance(), timeout=5)
    assert (deleted.status_code, deleted.json()["msg"]) == (400, "insufficient balance (DELETE)")
    assert posted.json()["accepted"] is True
    assert all(r.verdict.ok for r in local_exchange.received)  # signatures were fine


def test_canned_response_that_raises_is_a_500_not_a_hang_up(local_exchange):
    """A canned callable that fails answers 500 with the error, so the test sees why."""
    local_exchange.respond("/api/v3/order", lambda received: 1 / 0)
    r = requests.post(local_exchange.url + "/api/v3/order", data=ORDER, auth=binance(), timeout=5)
    assert r.status_code == 500
    assert "ZeroDivisionError" in r.json()["error"]


def test_canned_body_must_be_json():
    """A body that is not JSON-serialisable fails at respond(), in the test's own thread."""
    with pytest.raises(TypeError, match="not JSON serializable"):
        LocalExchange().respond("/x", {1, 2})


def test_responses_argument_and_public_route():
    """responses= sets canned bodies; a 'public' route answers without any check."""
    with LocalExchange(
        routes={"/api/v3/ticker/": "public"}, responses={"/api/v3/ticker/price": {"price": "1.5"}}
    ) as exchange:
        r = requests.get(exchange.url + "/api/v3/ticker/price", timeout=5)
        other = requests.get(exchange.url + "/api/v3/ticker/24hr", timeout=5)
    assert r.json() == {"price": "1.5"}
    assert other.json() == {}
    assert [x.scheme for x in exchange.received] == ["public", "public"]


def test_routes_map_custom_paths_to_schemes():
    """A client behind a path prefix is checked with the scheme its route names."""
    routes = {"/gateway/binance/": "binance", "/gateway/polo": "poloniex-legacy"}
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=CountingNonce())
    with LocalExchange(routes=routes) as exchange, requests.Session() as session:
        url = exchange.url + "/gateway/"
        assert session.get(url + "binance/api/v3/account", auth=binance(), timeout=5).ok
        assert session.post(url + "polo", data={"command": "x"}, auth=auth, timeout=5).ok
        assert session.post(url + "polo/x", data={"command": "x"}, timeout=5).status_code == 404
    assert [r.scheme for r in exchange.received] == ["binance", "poloniex-legacy", "none"]
    assert exchange.received[-1].verdict.failure is Failure.NO_ROUTE
    assert exchange.received[-1].status == 404


@pytest.mark.parametrize(
    ("routes", "message"),
    [({"/x/": "nope"}, "names scheme 'nope'"), ({"x/": "binance"}, "starting with '/'")],
)
def test_bad_routes_are_refused(routes, message):
    """A route to an unknown scheme, or not a path, is a configuration error."""
    with pytest.raises(ConfigurationError, match=message):
        LocalExchange(routes=routes)


def test_default_routes_name_registered_schemes():
    """Every route names a registered scheme or a time endpoint, which answers the time."""
    known = {entry.id for entry in SCHEMES} | {"time"}
    assert {name for names in LocalExchange().routes.paths().values() for name in names} <= known
    clock = FakeClock()
    with LocalExchange(clock=clock, clock_offset_ms=-250) as exchange:
        r = requests.get(exchange.url + "/fapi/v1/time", timeout=5)
    assert r.json() == {"serverTime": clock.ms - 250}


def test_add_account_registers_keys_at_runtime(local_exchange):
    """add_account makes a new key acceptable; an unknown scheme is refused."""
    auth = BinanceQueryAuth("MY-OWN-KEY-0000000001", "my-own-secret")
    url = local_exchange.url + "/api/v3/account"
    assert requests.get(url, auth=auth, timeout=5).json()["code"] == -2015
    local_exchange.add_account("binance", "MY-OWN-KEY-0000000001", "my-own-secret")
    assert requests.get(url, auth=auth, timeout=5).ok
    local_exchange.add_account("poloniex-legacy", "P-KEY", "p-secret")
    assert local_exchange.accounts["poloniex-legacy"]["P-KEY"] == b"p-secret"
    with pytest.raises(ConfigurationError, match="no scheme 'nope'; expected one of binance"):
        local_exchange.add_account("nope", "k", "s")


def test_strict_nonce_tracks_each_key_and_can_be_relaxed():
    """Nonces must rise per key; with strict_nonce=False a repeat is accepted."""
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 7)
    for strict, second in ((True, 422), (False, 200)):
        with LocalExchange(strict_nonce=strict) as exchange:
            url = exchange.url + "/tradingApi"
            assert requests.post(url, auth=auth, timeout=5).status_code == 200
            assert requests.post(url, auth=auth, timeout=5).status_code == second
            assert exchange.last_nonce(POLONIEX_KEY) == 7
    assert exchange.last_nonce("unknown") is None


def test_a_shared_fake_clock_keeps_client_and_server_in_step():
    """With one FakeClock on both sides, the timing rules can be tested exactly."""
    clock = FakeClock()
    with LocalExchange(clock=clock) as exchange:
        url = exchange.url + "/api/v3/account"
        assert requests.get(url, auth=binance(clock=clock), timeout=5).ok
        exchange.clock_offset_ms = 5001  # the request arrives 5001 ms "later"
        late = requests.get(url, auth=binance(clock=clock), timeout=5)
    assert late.json()["code"] == -1021
    assert exchange.rejected[0].verdict.failure is Failure.STALE_TIMESTAMP


def test_key_only_route_needs_no_signature(local_exchange):
    """listenKey paths take the key alone, as Binance's USER_STREAM endpoints do."""
    url = local_exchange.url + "/api/v3/userDataStream"
    r = requests.post(url, auth=BinanceApiKeyAuth(BINANCE_KEY), timeout=5)
    assert "listenKey" in r.json()
    assert requests.post(url, timeout=5).json()["code"] == -2014


def test_start_and_stop_without_with():
    """start() and stop() serve other frameworks; stop keeps the record, start is idempotent."""
    exchange = LocalExchange()
    assert exchange.start() is exchange.start()
    requests.get(exchange.url + "/api/v3/time", timeout=5)
    exchange.stop()
    exchange.stop()
    assert len(exchange.received) == 1
    with pytest.raises(RuntimeError, match="not running"):
        _ = exchange.url


def test_usable_from_unittest():
    """A unittest.TestCase can run the exchange with addCleanup."""

    class ClientTest(unittest.TestCase):
        def setUp(self):
            self.exchange = LocalExchange().start()
            self.addCleanup(self.exchange.stop)

        def test_order(self):
            url = self.exchange.url + "/api/v3/order"
            r = requests.post(url, data=ORDER, auth=binance(), timeout=5)
            self.assertEqual(r.status_code, 200)  # noqa: PT009  # unittest style, on purpose
            self.assertTrue(self.exchange.received[-1].verdict)  # noqa: PT009  # unittest style, on purpose

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ClientTest)
    result = unittest.TextTestRunner(stream=io.StringIO()).run(suite)
    assert result.wasSuccessful(), result.failures + result.errors


def test_handle_is_the_exchange_without_http():
    """handle() answers a Received directly, for adapters that skip the socket."""
    exchange = LocalExchange()
    status, body = exchange.handle(Received("GET", "/api/v3/account"))
    assert (status, body["code"]) == (401, -2014)


def test_a_client_that_hung_up_is_not_reported_but_a_bug_is(capsys):
    """The local servers print nothing for a client gone away (a ConnectionError, which a
    handler thread outliving its test would print among pytest's dots); anything else
    still gets socketserver's traceback."""
    server = QuietHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    try:
        for gone in (BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")):
            try:
                raise gone
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a bug in a handler")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a bug in a handler" in capsys.readouterr().err
    finally:
        server.server_close()
