"""Every registered scheme, retried: each attempt re-signed and verified, on every transport
with a retry layer, and its declared answers safe to ask about whatever the body.

A scheme added to the registry is covered here without naming it.
"""

from __future__ import annotations

import pytest
from contract import ENTRIES, example_kwargs
from test_retry_transports import FAST, TRANSPORTS, retried

from requests_exchange_auth._retry import Answer, Attempt

HOSTILE = [b"", b"not json", b"[" * 5000 + b"]" * 5000, b"[]", b'{"code": "x"}', b"\xff" * 70000]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("entry", ENTRIES)
def test_a_rate_limited_example_is_retried_re_signed(entry, transport, exchange):
    """A 429 with Retry-After, then the usual answer: two attempts, both verified."""
    example = entry.kit.examples[0]
    auth = entry.kit.make_auth(example.account)
    exchange.respond(example.path, {"error": "slow down"}, status=429,
                     headers={"Retry-After": "0"}, times=1)  # fmt: skip

    r = retried(transport, auth, example.method, exchange.url + example.path, retry=FAST,
                **example_kwargs(example))  # fmt: skip

    assert r.status_code == 200
    assert [(i.status, i.verdict.ok) for i in exchange.received] == [(429, True), (200, True)]


@pytest.mark.parametrize("status", [400, 401, 408, 418, 429, 500, 502, 503, 504])
@pytest.mark.parametrize("entry", ENTRIES)
def test_declared_answers_never_raise(entry, status):
    """retry_answer reads any body, hostile ones included, and answers an Answer or None."""
    auth = entry.kit.make_auth()
    attempt = Attempt("POST", "https://example.com/x", b"command=x")
    for body in HOSTILE:
        assert auth.retry_answer(attempt, status, body) in (*Answer, None)
    assert auth.is_idempotent(Attempt("GET", "https://example.com/x", None)) in (True, False)


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_scheme_module_declares_its_retry_answers(entry):
    """Each scheme says in its own module what its answers mean for a retry, even when it
    is "the general rules": a new scheme cannot be retried by accident."""
    cls = entry.auth_class
    declared = next(k for k in cls.__mro__ if "retry_answer" in vars(k))
    assert declared.__module__.startswith("requests_exchange_auth.schemes.")
    assert declared.retry_answer.__doc__
