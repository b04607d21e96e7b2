"""SignedRetry's rules, apart from any transport: what each answer and failure allows."""

from __future__ import annotations

import email.utils
import json

import pytest

from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    ConfigurationError,
    PoloniexBodyDigestAuth,
    SignedRetry,
)
from requests_exchange_auth._registry import scheme
from requests_exchange_auth._retry import Answer, Attempt, classify, retry_after
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    OPEN_API_KEY,
    OPEN_API_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
)

POLONIEX = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET)
BINANCE = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET)
ORDER = Attempt("POST", "https://api.binance.com/api/v3/order", b"symbol=BTCUSDT")
READ = Attempt("GET", "https://api.binance.com/api/v3/account", None)


def legacy(command: str) -> Attempt:
    return Attempt("POST", "https://poloniex.com/tradingApi", f"command={command}&nonce=1".encode())


def body(value: object) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("status", "headers", "answer", "expected"),
    [
        (429, {"Retry-After": "1"}, {"code": -1003}, (Answer.SAFE, 1.0)),
        (418, {"Retry-After": "120"}, {"code": -1003}, (Answer.SAFE, 120.0)),
        (429, {}, {"code": -1003}, (Answer.FINAL, None)),
        (503, {}, {"code": -1007, "msg": "execution status unknown"}, (Answer.UNKNOWN, None)),
        (408, {}, {"code": -1007}, (Answer.UNKNOWN, None)),
        (500, {}, {"code": -1006}, (Answer.UNKNOWN, None)),
        (502, {}, "<html>bad gateway</html>", (Answer.UNKNOWN, None)),
        (400, {}, {"code": -1021}, (Answer.FINAL, None)),
        (400, {}, {"code": -1022}, (Answer.FINAL, None)),
    ],
    ids=[
        "429",
        "418",
        "429-no-retry-after",
        "-1007",
        "408-1007",
        "-1006",
        "502",
        "-1021-left-to-the-resend",
        "-1022",
    ],
)
def test_binance_answers(status, headers, answer, expected):
    """Binance: rate limits with Retry-After are safe; -1006/-1007 and 5xx are unknown."""
    assert classify(BINANCE, ORDER, status, headers, body(answer)) == expected


@pytest.mark.parametrize("auth", [BINANCE, BinanceApiKeyAuth(BINANCE_KEY)], ids=["query", "key"])
def test_both_binance_auths_declare_the_same(auth):
    """BinanceApiKeyAuth reads Binance's answers as BinanceQueryAuth does."""
    assert classify(auth, ORDER, 408, {}, body({"code": -1007}))[0] is Answer.UNKNOWN


@pytest.mark.parametrize(
    ("attempt", "status", "answer", "expected"),
    [
        (legacy("returnBalances"), 503, {"error": "x"}, Answer.SAFE),
        (legacy("buy"), 503, {"error": "x"}, Answer.UNKNOWN),
        (
            legacy("buy"),
            422,
            {"error": "Nonce must be greater than 5. You provided 5."},
            Answer.SAFE,
        ),
        (legacy("buy"), 403, {"error": "Invalid API key/secret pair."}, Answer.FINAL),
        (legacy("buy"), 502, {"error": "x"}, Answer.UNKNOWN),
    ],
    ids=["503-read", "503-trade", "nonce", "bad-key", "502-trade"],
)
def test_poloniex_legacy_answers(attempt, status, answer, expected):
    """Poloniex legacy: the nonce rejection is safe, a 503 only to a read."""
    assert classify(POLONIEX, attempt, status, {}, body(answer))[0] is expected


@pytest.mark.parametrize(
    ("body_bytes", "idempotent"),
    [
        (b"command=returnOpenOrders&currencyPair=all&nonce=1", True),
        (b"comm%61nd=returnBalances&nonce=1", True),
        (b"command=buy&nonce=1", False),
        (b"command=withdraw&nonce=1", False),
        (b"nonce=1", False),
        (None, False),
    ],
    ids=["returnOpenOrders", "escaped-name", "buy", "withdraw", "no-command", "no-body"],
)
def test_poloniex_reads_are_the_return_commands(body_bytes, idempotent):
    """Every legacy call is a POST: the return… commands are its reads."""
    attempt = Attempt("POST", "https://poloniex.com/tradingApi", body_bytes)
    assert POLONIEX.is_idempotent(attempt) is idempotent


def test_schemes_without_declarations_follow_the_general_rules():
    """The Open Service auth declares nothing: a 5xx is unknown, a 4xx final."""
    auth = BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET)
    attempt = Attempt("GET", "https://dip-cb.binanceapi.com/mp-api/v1/x", None)
    assert classify(auth, attempt, 503, {}, b"")[0] is Answer.UNKNOWN
    assert classify(auth, attempt, 404, {}, b"")[0] is Answer.FINAL
    assert auth.is_idempotent(attempt)


def test_retry_after_reads_seconds_and_http_dates():
    """Retry-After as delta-seconds or as an HTTP-date; anything else is ignored."""
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert retry_after("2", lambda: now) == 2.0
    assert retry_after(date, lambda: now) == pytest.approx(30.0)
    assert retry_after(email.utils.formatdate(now - 30, usegmt=True), lambda: now) == 0.0
    assert retry_after("soon", lambda: now) is None
    assert retry_after("-1", lambda: now) is None
    assert retry_after(None) is None


def test_the_first_wait_is_backoff_with_jitter_then_doubles():
    """Each wait is half fixed, half random, doubling up to max_backoff."""
    policy = SignedRetry(backoff=1.0, max_backoff=3.0)
    for retry, ceiling in [(1, 1.0), (2, 2.0), (3, 3.0), (6, 3.0)]:
        waits = [policy.wait(retry) for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)


def test_unknown_outcomes_wait_for_the_opt_in():
    """An unknown outcome is retried only for an idempotent request, and only opted in."""
    assert SignedRetry().begin(BINANCE).after_failure(READ, sent=True, error=OSError()) is None
    opted = SignedRetry(idempotent=True, backoff=0)
    assert opted.begin(BINANCE).after_failure(READ, sent=True, error=OSError()) == 0
    assert opted.begin(BINANCE).after_failure(ORDER, sent=True, error=OSError()) is None


def test_a_failure_before_sending_is_always_safe():
    """A send that failed before its last byte was written is retried, whatever it was."""
    retrying = SignedRetry(backoff=0).begin(BINANCE)
    assert retrying.after_failure(ORDER, sent=False, error=ConnectionRefusedError()) == 0


def test_success_and_redirects_are_never_read():
    """An answer below 400 is final without its body being read."""

    def unread() -> bytes:
        raise AssertionError

    assert SignedRetry().begin(BINANCE).after_response(ORDER, 200, {}, unread) is None
    assert SignedRetry().begin(BINANCE).after_response(ORDER, 307, {}, unread) is None


def test_total_counts_from_the_first_send():
    """A wait that would end after ``total`` seconds from the first send is not taken."""
    retrying = SignedRetry(total=1.0, backoff=0.4, max_backoff=0.4).begin(BINANCE)
    assert retrying.after_failure(ORDER, sent=False, error=OSError()) is not None
    retrying._started -= 0.9
    assert retrying.after_failure(ORDER, sent=False, error=OSError()) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attempts": 0}, "between 1"),
        ({"attempts": 1.5}, "must be an int"),
        ({"attempts": True}, "must be an int"),
        ({"total": -1}, "total must be a finite number"),
        ({"backoff": float("nan")}, "backoff must be a finite number"),
        ({"max_backoff": "1"}, "max_backoff must be a number"),
    ],
    ids=["attempts-0", "attempts-float", "attempts-bool", "total", "backoff", "max-backoff"],
)
def test_bad_settings_are_refused(kwargs, message):
    """Each setting is checked at construction, naming what was wrong."""
    with pytest.raises(ConfigurationError, match=message):
        SignedRetry(**kwargs)


def test_one_attempt_means_no_retry():
    """attempts=1 sends once."""
    assert (
        SignedRetry(attempts=1).begin(BINANCE).after_failure(ORDER, sent=False, error=OSError())
        is None
    )


def test_the_log_shows_no_query(caplog):
    """The retry's log line names the path, never the query (it holds the signature)."""
    attempt = Attempt("GET", "https://user:pw@api.binance.com/api/v3/account?signature=abc", None)
    with caplog.at_level("INFO", logger="requests_exchange_auth"):
        SignedRetry(backoff=0).begin(BINANCE).after_failure(attempt, sent=False, error=OSError())
    assert "signature" not in caplog.text
    assert "pw" not in caplog.text
    assert "/api/v3/account" in caplog.text


# -- the schemes that answer errors with HTTP 200 ------------------------------------------

KRAKEN = scheme("kraken").kit.make_auth()
FUTURES = scheme("kraken-futures").kit.make_auth()
POLONIEX_V3 = scheme("poloniex").kit.make_auth()


def kraken(path: str, sends: int = 1) -> Attempt:
    return Attempt("POST", f"https://api.kraken.com/0/private/{path}", b"nonce=1", sends)


@pytest.mark.parametrize(
    ("errors", "sends", "expected"),
    [
        (["EAPI:Invalid nonce"], 1, Answer.SAFE),
        (["EAPI:Invalid nonce"], 2, Answer.FINAL),
        (["EGeneral:Temporary lockout"], 1, Answer.FINAL),
        (["EAPI:Rate limit exceeded"], 1, Answer.FINAL),
        ([], 1, Answer.FINAL),
    ],
    ids=["invalid-nonce", "invalid-nonce-again", "lockout", "rate-limit", "success"],
)
def test_kraken_answers(errors, sends, expected):
    """Kraken: an invalid nonce is retried once, re-signed; nothing else is, in a 200."""
    answer = body({"error": errors, "result": {}})
    assert classify(KRAKEN, kraken("AddOrder", sends), 200, {}, answer)[0] is expected


def test_kraken_reads_are_its_private_queries():
    """Every Kraken private call is a POST: its queries are its idempotent calls."""
    assert KRAKEN.is_idempotent(kraken("Balance"))
    assert KRAKEN.is_idempotent(kraken("OpenOrders"))
    assert not KRAKEN.is_idempotent(kraken("AddOrder"))
    assert not KRAKEN.is_idempotent(kraken("Withdraw"))


def test_kraken_retries_an_invalid_nonce_once():
    """Through the retry: the first invalid nonce waits and re-signs, the second returns."""
    retrying = SignedRetry(backoff=0).begin(KRAKEN)
    answer = body({"error": ["EAPI:Invalid nonce"]})
    attempt = kraken("AddOrder")

    assert retrying.after_response(attempt, 200, {}, lambda: answer) == 0
    assert retrying.after_response(attempt, 200, {}, lambda: answer) is None


@pytest.mark.parametrize(
    ("answer", "sends", "expected"),
    [
        ({"result": "error", "error": "nonceDuplicate"}, 3, Answer.SAFE),
        ({"result": "error", "error": "nonceBelowThreshold"}, 1, Answer.SAFE),
        ({"result": "error", "error": "nonceBelowThreshold"}, 2, Answer.FINAL),
        (
            {"result": "error", "errors": [{"code": 1, "message": "unknownError"}]},
            1,
            Answer.UNKNOWN,
        ),
        ({"result": "error", "errors": ["Server Error"]}, 1, Answer.UNKNOWN),
        ({"result": "error", "error": "apiLimitExceeded"}, 1, Answer.FINAL),
        ({"result": "success"}, 1, Answer.FINAL),
    ],
    ids=["duplicate", "below", "below-again", "unknown", "server-error", "limit", "success"],
)
def test_kraken_futures_answers(answer, sends, expected):
    """Kraken Futures: its nonce answers are safe (below threshold: once), its service
    errors unknown."""
    attempt = Attempt("POST", "https://futures.kraken.com/derivatives/api/v3/sendorder",
                      b"orderType=lmt", sends)  # fmt: skip
    assert classify(FUTURES, attempt, 200, {}, body(answer))[0] is expected


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [(503, {}, Answer.UNKNOWN), (429, {"Retry-After": "2"}, Answer.SAFE), (408, {}, Answer.FINAL)],
    ids=["503", "429", "408-timing"],
)
def test_poloniex_v3_follows_the_general_rules(status, headers, expected):
    """Poloniex v3 declares nothing of its own: its timestamp answer is the resend's."""
    attempt = Attempt("POST", "https://api.poloniex.com/orders", b"{}")
    assert classify(POLONIEX_V3, attempt, status, headers, b'{"code": 400}')[0] is expected
