"""Binance API-key-only requests: ``USER_STREAM`` and ``MARKET_DATA`` endpoints (listenKey).

Specification: ``specs/binance-signed-requests.md`` §1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._auth import AuthOptions, ExchangeAuth
from .._draft import Draft
from .._retry import Answer, Attempt
from .._timed import json_answer

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["KEY_HEADER", "BinanceApiKeyAuth", "status_unknown"]

KEY_HEADER = "X-MBX-APIKEY"  # §1: every Binance request with a key carries it here
# Binance's errors list: -1006 UNEXPECTED_RESP and -1007 TIMEOUT, "execution status
# unknown", whatever the HTTP status (futures answers a backend timeout with 408).
_STATUS_UNKNOWN = frozenset({-1006, -1007})


def status_unknown(body: bytes) -> Answer | None:
    """Binance's answers, for a retry: "execution status unknown" (-1006, -1007) is
    unknown at any status; every 5xx is unknown by the general rules already (§6:
    "HTTP 5xx: outcome unknown (order may exist) — never auto-retry order placement";
    Binance's HTTP return codes: "the execution status is UNKNOWN and could have been a
    success"). 429 and 418 come with ``Retry-After``: the general rules retry them after
    it."""
    answer = json_answer(body)
    if isinstance(answer, dict) and answer.get("code") in _STATUS_UNKNOWN:
        return Answer.UNKNOWN
    return None


class BinanceApiKeyAuth(ExchangeAuth):
    """Attaches only the Binance API key (``X-MBX-APIKEY``) to the given Request object.

    For endpoints of security type ``USER_STREAM`` or ``MARKET_DATA``, such as listenKey
    management, which need the key but no signature (§1). Nothing else is changed.

    :param api_key: the API key.
    :param allow_insecure_http: send the key over plain ``http://`` to non-loopback hosts.
    :param on_cross_origin_redirect: as for :class:`BinanceQueryAuth`.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0 ``from_env``/``from_file`` need no secret.
    """

    exchange = "Binance"
    owned_headers = (KEY_HEADER,)
    key_header = KEY_HEADER
    env_prefix = "BINANCE"
    credential_fields = ()  # the key alone: nothing is signed
    signs_body = False

    def _sign(self, draft: Draft) -> None:
        """The key header is all (set by the pipeline)."""

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """Binance's answers, as for :class:`BinanceQueryAuth`."""
        return status_unknown(body)

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[AuthOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[AuthOptions]
        ) -> Self: ...
