"""requests-mock matchers that fail a mocked call whose signature does not verify.

requests-mock calls an ``additional_matcher`` with each request that matched a
registered method and URL. These matchers verify it with the scheme's verifier and,
by default, raise :class:`SignatureMismatch` (an ``AssertionError``) that explains why,
so the test fails at the call instead of passing on a canned response. Nothing here
imports requests-mock: it only hands us the request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .._registry import scheme as _scheme
from .._time import Clock
from ._credential import binance_account, secret_bytes
from ._received import Received, _PreparedLike
from ._verdict import Verdict
from ._verify_binance import check_binance
from ._verify_open_api import check_open_api

__all__ = [
    "SignatureMatcher",
    "SignatureMismatch",
    "binance_matcher",
    "matcher",
    "open_api_matcher",
    "poloniex_matcher",
]


class SignatureMismatch(AssertionError):
    """A mocked request's signature did not verify; ``verdict`` says why.

    .. versionadded:: 0.2.0
    """

    def __init__(self, method: str, url: str, verdict: Verdict) -> None:
        super().__init__(f"{method} {url}: {verdict}")
        self.verdict = verdict


class SignatureMatcher:
    """An ``additional_matcher`` for requests-mock that verifies each request's signature.

    Build one with :func:`matcher` (any registered scheme); every verdict is kept in
    :attr:`verdicts`.

    :param check: verifies one :class:`Received` request.
    :param raise_on_mismatch: raise :class:`SignatureMismatch` (default); ``False``
        only declines to match, so requests-mock tries other mocks and otherwise
        raises its ``NoMockAddress``.

    .. versionadded:: 0.2.0
    """

    def __init__(self, check: Callable[[Received], Verdict], *, raise_on_mismatch: bool = True):
        self._check = check
        self.raise_on_mismatch = raise_on_mismatch
        #: the verdict of every request checked, in order
        self.verdicts: list[Verdict] = []

    def __call__(self, request: _PreparedLike) -> bool:
        verdict = self._check(Received.from_prepared(request))
        self.verdicts.append(verdict)
        if not verdict.ok and self.raise_on_mismatch:
            raise SignatureMismatch(request.method or "", request.url or "", verdict)
        return verdict.ok


def matcher(
    scheme: str,
    *,
    clock: Clock = time.time_ns,
    strict_nonce: bool = True,
    raise_on_mismatch: bool = True,
    **credentials: Any,
) -> SignatureMatcher:
    """Verify each request of ``scheme`` (a registry id) as its exchange would::

        m.post(url, json={}, additional_matcher=matcher("kraken", api_key=K, secret=S))

    :param clock: the server's clock, Unix time in nanoseconds.
    :param strict_nonce: for schemes with nonces, reject one not greater than the last
        one this matcher accepted.
    :param credentials: the account, named as the auth's constructor names them.

    .. versionadded:: 0.3.0
    """
    kit = _scheme(scheme).kit
    accounts = {kit.key_of_account(credentials): kit.credential_of_account(credentials)}
    last: list[int] = []
    lock = threading.Lock()

    def check(received: Received) -> Verdict:
        with lock:  # check and record as one step, as the server does
            seen = last[-1] if last and strict_nonce and kit.tracks_nonces else None
            verdict = kit.check(received, accounts, clock() // 1_000_000, seen)
            if verdict.ok and verdict.nonce is not None:
                last.append(verdict.nonce)
        return verdict

    return SignatureMatcher(check, raise_on_mismatch=raise_on_mismatch)


def binance_matcher(
    api_key: str,
    secret: str | bytes | None = None,
    *,
    public_key: object = None,
    clock: Clock = time.time_ns,
    key_only: bool = False,
    raise_on_mismatch: bool = True,
) -> SignatureMatcher:
    """Verify Binance requests (see :func:`verify_binance`) against ``clock`` (nanoseconds).

    .. versionadded:: 0.2.0
    """
    credential = binance_account(secret, public_key, key_only=key_only, who="binance_matcher")
    accounts = {api_key: credential}

    def check(received: Received) -> Verdict:
        return check_binance(received, accounts, clock() // 1_000_000, key_only=key_only)

    return SignatureMatcher(check, raise_on_mismatch=raise_on_mismatch)


def poloniex_matcher(
    api_key: str, secret: str | bytes, *, strict_nonce: bool = True, raise_on_mismatch: bool = True
) -> SignatureMatcher:
    """Verify Poloniex legacy requests (see :func:`verify_poloniex`), nonces strictly rising.

    .. versionadded:: 0.2.0
    """
    secret_bytes(secret, "secret")  # checked here, as before: a bad secret fails at once
    return matcher(
        "poloniex-legacy", strict_nonce=strict_nonce, raise_on_mismatch=raise_on_mismatch,
        api_key=api_key, secret=secret,
    )  # fmt: skip


def open_api_matcher(
    access_key_id: str,
    secret_key: str | bytes,
    *,
    clock: Clock = time.time_ns,
    max_skew_s: int = 300,
    raise_on_mismatch: bool = True,
) -> SignatureMatcher:
    """Verify Open Service JWTs (see :func:`verify_open_api`) against ``clock`` (nanoseconds).

    .. versionadded:: 0.2.0
    """
    accounts = {access_key_id: secret_bytes(secret_key, "secret_key")}

    def check(received: Received) -> Verdict:
        now_s = clock() // 1_000_000_000
        return check_open_api(received, accounts, now_s, max_skew_s=max_skew_s)

    return SignatureMatcher(check, raise_on_mismatch=raise_on_mismatch)
