"""The example client's suite catches a client that signs wrongly, in both of its styles.

The suite in ``tests/example_client/`` uses only the public testing kit. Here it runs
in pytester's temporary directory (no conftest, no project settings: the fixtures
come from the installed plugin) against copies of the client with one bug each; the
tests of the affected scheme must fail, with the local exchange (fixtures) and with
the requests-mock matcher alike, and say why.
"""

from __future__ import annotations

import pathlib
import sys

import pytest

EXAMPLE = pathlib.Path(__file__).parent / "example_client"
# hypothesis's plugin is unrelated to these runs and takes seconds to set up in each
QUICK = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
BINANCE_TESTS = {
    "test_binance_order_on_local_exchange",
    "test_binance_open_orders_on_local_exchange",
    "test_binance_order_with_requests_mock",
    "test_binance_open_orders_with_requests_mock",
}
POLONIEX_TESTS = {
    "test_poloniex_balances_on_local_exchange",
    "test_poloniex_balances_with_requests_mock",
}

# bug: (text in exchange_client.py, its buggy replacement, tests that must fail, reasons)
BUGS = {
    "honest client": ("", "", set(), ()),
    "secret mangled": (
        "BinanceQueryAuth(api_key, secret,",
        "BinanceQueryAuth(api_key, secret.lower(),",
        BINANCE_TESTS,
        ("-1022", "bad_signature"),
    ),
    "parameter added after signing": (
        "        prepared = self.session.prepare_request(request)\n",
        "        prepared = self.session.prepare_request(request)\n"
        '        prepared.prepare_url(prepared.url, {"newOrderRespType": "FULL"})\n',
        BINANCE_TESTS,
        ("-1022", "bad_signature", "-1102", "missing_parameter"),
    ),
    "nonce that does not increase": (
        "PoloniexBodyDigestAuth(api_key, secret, nonce=nonce)",
        "PoloniexBodyDigestAuth(api_key, secret, nonce=lambda: 1)",
        POLONIEX_TESTS,
        ("Nonce must be greater than 1. You provided 1.", "nonce_not_increasing"),
    ),
}


@pytest.mark.parametrize("bug", BUGS)
def test_example_suite_fails_exactly_when_the_client_signs_wrongly(pytester, monkeypatch, bug):
    """Each bug fails the affected scheme's tests in both styles, naming the reason."""
    old, new, must_fail, reasons = BUGS[bug]
    client = (EXAMPLE / "exchange_client.py").read_text(encoding="utf-8")
    assert client.count(old) == 1 or not old, "the bug no longer applies to the example client"
    pytester.makepyfile(
        exchange_client=client.replace(old, new) if old else client,
        test_exchange_client=(EXAMPLE / "test_exchange_client.py").read_text(encoding="utf-8"),
    )
    # this session imported the originals under the same names; the copies must load
    for name in ("exchange_client", "test_exchange_client"):
        monkeypatch.delitem(sys.modules, name, raising=False)

    run = pytester.inline_run(*QUICK, "--tb=short")

    passed, _, failed = run.listoutcomes()
    assert {r.nodeid.rpartition("::")[2] for r in failed} == must_fail
    assert len(passed) + len(failed) == len(BINANCE_TESTS | POLONIEX_TESTS)
    for report in failed:
        style = "requests_mock" if "requests_mock" in report.nodeid else "local_exchange"
        text = report.longreprtext
        assert any(reason in text for reason in reasons), (style, text[-2000:])
