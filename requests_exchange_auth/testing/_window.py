"""The timestamp window every timestamp exchange enforces, for the verifiers.

An exchange accepts a signed timestamp that is not too far ahead of its clock and not
too old; each exchange sets both bounds (Binance: under 1000 ms ahead, at most
``recvWindow`` behind; others a fixed window each way).
"""

from __future__ import annotations

from ._verdict import Failure

__all__ = ["window_failure"]


def window_failure(
    stamp_ms: float, now_ms: int, *, ahead_ms: float, behind_ms: float, where: str
) -> tuple[Failure, str] | None:
    """Why ``stamp_ms`` is outside the window around ``now_ms``, or ``None`` if inside.

    :param ahead_ms: rejected when this far ahead of the server, or further.
    :param behind_ms: rejected when older than this.
    :param where: the spec section that sets the window, cited in the detail.
    :returns: the failure and a detail naming the fix.
    """
    if stamp_ms >= now_ms + ahead_ms:
        detail = (
            f"the timestamp {stamp_ms:.0f} is {stamp_ms - now_ms:.0f} ms ahead of the "
            f"server's {now_ms} (it takes less than {ahead_ms:g} ms); sync the clock with "
            f"the exchange's time endpoint ({where})."
        )
        return Failure.TIMESTAMP_AHEAD, detail
    if now_ms - stamp_ms > behind_ms:
        detail = (
            f"the timestamp {stamp_ms:.0f} is {now_ms - stamp_ms:.0f} ms older than the "
            f"server's {now_ms}, more than the {behind_ms:g} ms it allows; sign just before "
            f"sending, and sync a clock that runs behind ({where})."
        )
        return Failure.STALE_TIMESTAMP, detail
    return None
