"""Testing helpers: a local verifying exchange and the server-side checks behind it."""

from __future__ import annotations

from ._exchange import Exchange, LocalExchange
from ._verify import Received, Verdict

__all__ = ["Exchange", "LocalExchange", "Received", "Verdict"]
