"""The one fork-reset mechanism: objects that hold locks get fresh ones in a forked child.

A fork copies every lock in the state it was in, held by a thread that does not exist
in the child; the child's first use would block forever. Nonce generators, lock files
and server clocks register here and rebuild their locks (and nothing else: their values
carry over, so the child's draws still increase).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from typing import Protocol

__all__ = ["Resettable", "reset_after_fork", "resets_after_fork"]


class Resettable(Protocol):
    """Something that rebuilds its locks (and drops its threads) after a fork."""

    def _after_fork(self) -> None: ...


_REGISTERED: weakref.WeakSet[Resettable] = weakref.WeakSet()
_MODULE_STATE: list[Callable[[], None]] = []


def reset_after_fork(obj: Resettable) -> None:
    """Have ``obj._after_fork()`` run in every forked child, for as long as ``obj`` lives."""
    _REGISTERED.add(obj)


def resets_after_fork(reset: Callable[[], None]) -> Callable[[], None]:
    """Decorate a function that renews module-level locks; it runs in every forked child."""
    _MODULE_STATE.append(reset)
    return reset


def _in_child() -> None:
    for reset in _MODULE_STATE:
        reset()
    for obj in list(_REGISTERED):
        obj._after_fork()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_in_child)
