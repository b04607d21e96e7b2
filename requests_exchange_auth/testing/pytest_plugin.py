"""pytest fixtures for testing exchange clients, registered through the ``pytest11`` entry
point as ``requests_exchange_auth``: active once the package is installed, no conftest
import needed; ``-p no:requests_exchange_auth`` turns them off.

Imports stay lazy: every pytest run in an environment with this package loads this
module, so it must cost nothing to tests that do not use it (and pull in neither PyJWT
nor cryptography).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._exchange import LocalExchange
    from ._fakes import CountingNonce, FakeClock


@pytest.fixture
def local_exchange() -> Iterator[LocalExchange]:
    """A running :class:`~requests_exchange_auth.testing.LocalExchange` with the specs'
    test accounts, fresh for each test; its ``url`` is ``http://127.0.0.1:<port>``."""
    from ._exchange import LocalExchange  # noqa: PLC0415  # lazy: see the module docstring

    with LocalExchange() as exchange:
        yield exchange


@pytest.fixture
def frozen_clock() -> FakeClock:
    """A :class:`~requests_exchange_auth.testing.FakeClock` standing at the Binance docs'
    example time (1499827319559 ms) until advanced; pass it as ``clock=``."""
    from ._fakes import FakeClock  # noqa: PLC0415

    return FakeClock()


@pytest.fixture
def counting_nonce() -> CountingNonce:
    """A :class:`~requests_exchange_auth.testing.CountingNonce` issuing 1, 2, 3, …;
    pass it as ``nonce=``."""
    from ._fakes import CountingNonce  # noqa: PLC0415

    return CountingNonce()
