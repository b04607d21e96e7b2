"""Which scheme guards which path of the local exchange, and how each answers a rejection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from ..exceptions import ConfigurationError
from ._received import Received
from ._verdict import Failure, Verdict

_LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8"

#: The schemes a route can name.
#:
#: ``binance`` SIGNED requests; ``binance_key`` the API key only (listenKey);
#: ``poloniex`` the legacy trading API with strict nonces; ``open_api`` Open Service
#: JWTs; ``time`` the server time as ``{"serverTime": <ms>}``; ``public`` no check.
SCHEMES = frozenset({"binance", "binance_key", "poloniex", "open_api", "time", "public"})

#: Routes of a :class:`LocalExchange`: an exact path, or a prefix ending in ``/``.
DEFAULT_ROUTES: Mapping[str, str] = {
    # binance-signed-requests.md §1: one scheme for spot, SAPI and futures
    "/api/": "binance",
    "/sapi/": "binance",
    "/fapi/": "binance",
    "/dapi/": "binance",
    "/eapi/": "binance",
    # §1: listenKey management is USER_STREAM: API key, no signature
    "/api/v3/userDataStream": "binance_key",
    "/fapi/v1/listenKey": "binance_key",
    "/dapi/v1/listenKey": "binance_key",
    # §5: each API's time endpoint
    "/api/v3/time": "time",
    "/fapi/v1/time": "time",
    "/dapi/v1/time": "time",
    "/eapi/v1/time": "time",
    # poloniex.md Part A: every private call is a POST to /tradingApi
    "/tradingApi": "poloniex",
    # binance-open-api-jwt.md §1: paths under /mp-api/v1/apps/{appId}/
    "/mp-api/": "open_api",
}


def merged_routes(routes: Mapping[str, str] | None) -> dict[str, str]:
    """The default routes with the caller's added or overriding them; names checked."""
    merged = dict(DEFAULT_ROUTES)
    for path, scheme in (routes or {}).items():
        if scheme not in SCHEMES:
            msg = (
                f"route {path!r} names scheme {scheme!r}; expected one of "
                f"{', '.join(sorted(SCHEMES))}."
            )
            raise ConfigurationError(msg)
        if not path.startswith("/"):
            msg = f"route {path!r} must be a path starting with '/', e.g. '/api/'."
            raise ConfigurationError(msg)
        merged[path] = scheme
    return merged


def scheme_for(routes: Mapping[str, str], path: str) -> str | None:
    """The exact route for ``path``, else its longest matching prefix route, else None."""
    if path in routes:
        return routes[path]
    prefixes = [p for p in routes if p.endswith("/") and path.startswith(p)]
    return routes[max(prefixes, key=len)] if prefixes else None


def error_answer(scheme: str, verdict: Verdict) -> tuple[int, dict[str, Any]]:
    """A rejection in the exchange's own format: (HTTP status, JSON body)."""
    if scheme in ("binance", "binance_key"):
        status = 401 if verdict.code in ("-2014", "-2015") else 400
        return status, {"code": int(verdict.code), "msg": verdict.reason}
    if scheme == "poloniex":
        # client libraries report the nonce error with HTTP 422 (poloniex.md, Nonce rules)
        status = 422 if verdict.failure is Failure.NONCE_NOT_INCREASING else 403
        return status, {"error": verdict.reason}
    if scheme == "open_api":
        # §4 lists the codes; the HTTP status of a failure is not documented
        body = {"code": verdict.code, "message": verdict.reason, "data": None, "success": False}
        return 401, body
    return 404, {"error": verdict.reason}


def success_answer(
    scheme: str, received: Received, verdict: Verdict, now_ms: int
) -> tuple[int, Any]:
    """What each exchange answers a verified request when no canned response is set."""
    if scheme == "time":
        return 200, {"serverTime": now_ms}
    if scheme == "binance_key":
        return 200, {"listenKey": _LISTEN_KEY}
    if scheme == "binance":
        params = dict(parse_qsl(received.body.decode("latin-1"), keep_blank_values=True))
        params.update(parse_qsl(received.query, keep_blank_values=True))
        return 200, {"accepted": True, "params": params}
    if scheme == "poloniex":
        return 200, {"success": 1, "nonce": verdict.nonce}
    if scheme == "open_api":
        return 200, {"code": "000000", "message": None, "data": {"userData": ""}, "success": True}
    return 200, {}
