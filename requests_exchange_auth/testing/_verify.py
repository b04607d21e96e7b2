"""Checking one request of any registered scheme, as its exchange's server would."""

from __future__ import annotations

from typing import Any

from .._registry import scheme as _scheme
from .._time import Clock
from ._credential import now_ms
from ._received import Received, _PreparedLike, as_received
from ._verdict import Verdict

__all__ = ["verify"]


def verify(
    scheme: str,
    request: Received | _PreparedLike,
    *,
    clock: Clock | None = None,
    last_nonce: int | None = None,
    **credentials: Any,
) -> Verdict:
    """Check a request of ``scheme`` (a registry id) as its exchange's server would.

    ::

        verdict = verify("binance", prepared, api_key=KEY, secret=SECRET)
        assert verdict, str(verdict)

    :param request: a :class:`Received`, or a ``requests.PreparedRequest``.
    :param clock: the server's clock, Unix time in nanoseconds (default
        :func:`time.time_ns`).
    :param last_nonce: the last nonce accepted for the key, for schemes with nonces.
    :param credentials: the account, named as the auth's constructor names them
        (``api_key=``, ``secret=``; a public key where the auth takes a private one).
    :raises ~requests_exchange_auth.ConfigurationError: for an unknown scheme or
        unusable credentials.

    .. versionadded:: 0.3.0
    """
    kit = _scheme(scheme).kit
    accounts = {kit.key_of_account(credentials): kit.credential_of_account(credentials)}
    return kit.check(as_received(request), accounts, now_ms(clock), last_nonce)


def spec_credentials(scheme: str) -> dict[str, Any]:
    """The specs' throw-away account of ``scheme``, as its auth's constructor arguments.

    A :class:`LocalExchange` accepts it by default; it is worthless on a real exchange::

        auth = KrakenAuth(**spec_credentials("kraken"))

    .. versionadded:: 0.3.0
    """
    return _scheme(scheme).kit.spec_account()
