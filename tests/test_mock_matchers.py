"""The requests-mock matchers: a mocked call passes only when its signature verifies."""

from __future__ import annotations

import pytest
import requests
import requests_mock as rm

from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_RSA_KEY,
    BINANCE_RSA_PUBLIC_KEY,
    BINANCE_SECRET,
    OPEN_API_KEY,
    OPEN_API_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
    CountingNonce,
    Failure,
    FakeClock,
    SignatureMismatch,
    binance_matcher,
    open_api_matcher,
    poloniex_matcher,
)

ORDER_URL = "https://api.binance.com/api/v3/order"
POLO_URL = "https://poloniex.com/tradingApi"
OPEN_URL = "https://dip-cb.binanceapi.com/mp-api/v1/apps/ozSQnakAm7apa6ew7crPYd/user-open-data"


def test_binance_matcher_passes_a_signed_call(requests_mock, frozen_clock):
    """A correctly signed call gets the mocked response; the verdict is kept."""
    matcher = binance_matcher(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    requests_mock.post(ORDER_URL, json={"orderId": 1}, additional_matcher=matcher)
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    assert requests.post(ORDER_URL, data={"symbol": "X"}, auth=auth, timeout=5).json() == {
        "orderId": 1
    }
    assert [v.ok for v in matcher.verdicts] == [True]


def test_binance_matcher_fails_a_wrongly_signed_call(requests_mock, frozen_clock):
    """A wrong secret raises SignatureMismatch, an AssertionError naming the failure."""
    matcher = binance_matcher(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    requests_mock.post(ORDER_URL, json={"orderId": 1}, additional_matcher=matcher)
    auth = BinanceQueryAuth(BINANCE_KEY, "wrong-secret", clock=frozen_clock)
    with pytest.raises(SignatureMismatch, match=r"POST https://api\.binance\.com.*bad_signature"):
        requests.post(ORDER_URL, data={"symbol": "X"}, auth=auth, timeout=5)
    assert matcher.verdicts[0].failure is Failure.BAD_SIGNATURE
    assert issubclass(SignatureMismatch, AssertionError)


def test_binance_matcher_checks_the_time(requests_mock, frozen_clock):
    """The matcher's clock is the server's: a request signed 6 s earlier is stale."""
    matcher = binance_matcher(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    requests_mock.get(ORDER_URL, json={}, additional_matcher=matcher)
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=frozen_clock)
    prepared = requests.Request("GET", ORDER_URL, auth=auth).prepare()
    frozen_clock.advance(ms=6000)
    with pytest.raises(SignatureMismatch) as raised, requests.Session() as session:
        session.send(prepared, timeout=5)
    assert raised.value.verdict.failure is Failure.STALE_TIMESTAMP


def test_binance_matcher_with_a_public_key_and_key_only(requests_mock):
    """RSA accounts verify with the registered public key; key-only routes need no secret."""
    requests_mock.post(
        ORDER_URL, json={}, additional_matcher=binance_matcher(
            BINANCE_RSA_KEY, public_key=BINANCE_RSA_PUBLIC_KEY
        )
    )  # fmt: skip
    stream_url = "https://api.binance.com/api/v3/userDataStream"
    requests_mock.post(
        stream_url, json={"listenKey": "k"}, additional_matcher=binance_matcher(
            BINANCE_KEY, key_only=True
        )
    )  # fmt: skip
    assert requests.post(stream_url, auth=BinanceApiKeyAuth(BINANCE_KEY), timeout=5).ok
    with pytest.raises(SignatureMismatch, match="unknown_key"):
        requests.post(ORDER_URL, auth=BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET), timeout=5)


def test_poloniex_matcher_tracks_the_nonce(requests_mock):
    """Nonces must rise from call to call, as Poloniex requires; a repeat fails."""
    matcher = poloniex_matcher(POLONIEX_KEY, POLONIEX_SECRET)
    requests_mock.post(POLO_URL, json={"ok": 1}, additional_matcher=matcher)
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=CountingNonce())
    for _ in range(3):
        requests.post(POLO_URL, data={"command": "returnBalances"}, auth=auth, timeout=5)
    stuck = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 3)
    with pytest.raises(SignatureMismatch, match="Nonce must be greater than 3"):
        requests.post(POLO_URL, data={"command": "returnBalances"}, auth=stuck, timeout=5)
    assert [v.nonce for v in matcher.verdicts] == [1, 2, 3, 3]


def test_poloniex_matcher_without_strict_nonce(requests_mock):
    """strict_nonce=False checks the signature only."""
    matcher = poloniex_matcher(POLONIEX_KEY, POLONIEX_SECRET, strict_nonce=False)
    requests_mock.post(POLO_URL, json={}, additional_matcher=matcher)
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=lambda: 3)
    for _ in range(2):
        assert requests.post(POLO_URL, auth=auth, timeout=5).ok


def test_open_api_matcher(requests_mock):
    """Open Service tokens are checked against the matcher's clock, in seconds."""
    clock = FakeClock(1_700_000_000_000_000_000)
    matcher = open_api_matcher(OPEN_API_KEY, OPEN_API_SECRET, clock=clock)
    requests_mock.get(OPEN_URL, json={"code": "000000"}, additional_matcher=matcher)
    auth = BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET, clock=clock)
    assert requests.get(OPEN_URL, params={"openData": "x y"}, auth=auth, timeout=5).ok
    prepared = requests.Request("GET", OPEN_URL, auth=auth).prepare()
    clock.advance(ms=301_000)
    with pytest.raises(SignatureMismatch, match="stale_timestamp"), requests.Session() as s:
        s.send(prepared, timeout=5)


def test_declining_instead_of_raising(requests_mock):
    """raise_on_mismatch=False declines the match, so requests-mock reports no mock."""
    matcher = binance_matcher(BINANCE_KEY, BINANCE_SECRET, raise_on_mismatch=False)
    requests_mock.post(ORDER_URL, json={}, additional_matcher=matcher)
    auth = BinanceQueryAuth(BINANCE_KEY, "wrong-secret")
    with pytest.raises(rm.exceptions.NoMockAddress):
        requests.post(ORDER_URL, auth=auth, timeout=5)
    assert matcher.verdicts[0].failure is Failure.BAD_SIGNATURE
