"""What a verifier answers: accepted, or rejected with a reason a program can test for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Failure(str, Enum):
    """Why a request was rejected; one value per mistake a client can make.

    .. versionadded:: 0.2.0
    """

    #: no API key where the scheme needs one (header or JWT ``iss``)
    MISSING_KEY = "missing_key"
    #: an API key that is not the expected one (or not registered)
    UNKNOWN_KEY = "unknown_key"
    #: a required parameter or header is absent, or the signature is not last
    MISSING_PARAMETER = "missing_parameter"
    #: a parameter is present but malformed (not digits, out of range, repeated)
    MALFORMED_PARAMETER = "malformed_parameter"
    #: the signature does not verify over the payload with the given credentials
    BAD_SIGNATURE = "bad_signature"
    #: the signature is valid but covers another request (a JWT whose ``dig`` differs)
    PAYLOAD_MISMATCH = "payload_mismatch"
    #: a JWT that is not HS256 (the algorithm is pinned, never read from the token)
    WRONG_ALGORITHM = "wrong_algorithm"
    #: the timestamp is older than the window the server allows
    STALE_TIMESTAMP = "stale_timestamp"
    #: the timestamp is ahead of the server's clock by more than it tolerates
    TIMESTAMP_AHEAD = "timestamp_ahead"
    #: the nonce is not greater than the last one accepted for the key
    NONCE_NOT_INCREASING = "nonce_not_increasing"
    #: :class:`LocalExchange` only: no route for the path
    NO_ROUTE = "no_route"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Verdict:
    """Whether a request verified; if not, why, in the exchange's words and in ours.

    A verdict is true when the request was accepted, so ``assert verdict`` works, and
    its ``str`` explains a rejection (never showing a secret).

    :param ok: the request verified.
    :param code: the exchange's error code, as it would answer (``"-1022"``).
    :param reason: the exchange's error message.
    :param failure: what went wrong, as a :class:`Failure`; ``None`` when accepted.
    :param detail: a longer explanation for the developer, with the fix.
    :param payload: the text the server computes the signature over (Binance
        ``totalParams``, the Poloniex body, the Open Service canonical request), when
        the request is complete enough to have one.
    :param nonce: the nonce the request carried (Poloniex), for callers that track it.
    """

    ok: bool
    code: str = ""
    reason: str = ""
    failure: Failure | None = None
    detail: str = ""
    payload: str | None = None
    nonce: int | None = None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return "accepted"
        text = f"rejected: {self.failure} ({self.code} {self.reason})"
        if self.detail:
            text += f"\n  {self.detail}"
        if self.payload is not None:
            text += f"\n  payload the server signs: {self.payload!r}"
        return text


ACCEPTED = Verdict(ok=True)


def rejected(
    failure: Failure, code: str, reason: str, detail: str = "", payload: str | None = None
) -> Verdict:
    """A rejection; keyword-light so each verifier's checks read as one line each."""
    return Verdict(False, code, reason, failure, detail, payload)
