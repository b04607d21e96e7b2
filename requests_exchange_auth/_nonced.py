"""Auths that sign a nonce: the ``nonce=`` source checked once, drawn last, held in order.

Exchanges reject a nonce not greater than the last one they accepted for a key, forever
(poloniex.md "Nonce rules", kraken.md §3). So a nonce is drawn only after every check
that can fail (a refused body never uses one up), and from an
:class:`~requests_exchange_auth.OrderedNonce` it comes with a hold on the order, which the
pipeline (``ExchangeAuth._apply``) releases on any error and the adapter once the
request is over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._auth import AuthOptions, ExchangeAuth
from ._draft import Draft
from ._ordered import OrderedNonce
from .exceptions import ConfigurationError, NonceError
from .nonce import MonotonicNonce

__all__ = ["NoncedAuth", "NoncedOptions", "checked_nonce"]

Nonce = Callable[[], int]


class NoncedOptions(AuthOptions, total=False):
    """The keyword options of every nonce auth."""

    nonce: Nonce | None


def checked_nonce(nonce: object) -> Nonce:
    """The ``nonce=`` source, or the process-wide :meth:`MonotonicNonce.shared` for ``None``.

    :raises ConfigurationError: when it is not callable.
    """
    if nonce is None:
        return MonotonicNonce.shared()
    if not callable(nonce):
        msg = (
            "nonce must be a zero-argument callable returning an increasing int "
            f"(e.g. MonotonicNonce() or FileNonce(path)), not {type(nonce).__name__}."
        )
        raise ConfigurationError(msg)
    return nonce


class NoncedAuth(ExchangeAuth):
    """An auth whose signature covers a nonce from ``nonce``.

    :param nonce: a zero-argument callable returning an increasing ``int``; by default
        the process-wide :meth:`MonotonicNonce.shared` (microseconds). An
        :class:`OrderedNonce` makes requests arrive in nonce order.
    """

    def __init__(self, api_key: str | bytes, *, nonce: Nonce | None = None, **options: Any):
        super().__init__(api_key, **options)
        self._nonce = checked_nonce(nonce)

    @property
    def nonce(self) -> Nonce:
        """The nonce source."""
        return self._nonce

    def _draw(self, draft: Draft) -> int:
        """The next nonce for ``draft``: call it after every check that can fail."""
        source = self._nonce
        if isinstance(source, OrderedNonce):
            draft.hold = hold = source.hold()
            value: object = hold.value
        else:
            value = source()
        if type(value) is not int or value <= 0:
            msg = (
                f"the nonce source returned {type(value).__name__} {value!r}; it must "
                "return a positive int that increases on every call."
            )
            raise NonceError(msg)  # the pipeline releases an ordered hold
        return value
