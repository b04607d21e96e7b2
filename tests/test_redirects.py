"""Credentials never cross origins (DESIGN.md #4), shown with two real loopback servers."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
import requests

from requests_exchange_auth import (
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    CrossOriginRedirectError,
    PoloniexBodyDigestAuth,
)
from requests_exchange_auth._base import ExchangeAuth
from requests_exchange_auth.testing import (
    BINANCE_KEY,
    BINANCE_SECRET,
    OPEN_API_KEY,
    OPEN_API_SECRET,
    POLONIEX_KEY,
    POLONIEX_SECRET,
)

AUTHS: dict[str, Callable[..., ExchangeAuth]] = {
    "binance": lambda **kw: BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, **kw),
    "poloniex": lambda **kw: PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, **kw),
    "open_api": lambda **kw: BinanceOpenApiJwtAuth(OPEN_API_KEY, OPEN_API_SECRET, **kw),
}
ORDER = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "1"}


def landing(hit, url):
    return 200, {}


def redirect_to(target: str, status: int):
    """A responder that redirects every request to ``target`` (absolute or relative)."""

    def respond(hit, url):
        if hit.target.startswith("/landing"):
            return 200, {}
        return status, {"Location": target}

    return respond


def leaked(hit, auth: ExchangeAuth) -> list[str]:
    """What of the signed request reached a server: header names, signature, signed body."""
    found = [name for name in auth.headers if name in hit.headers]
    found += ["signature"] if "signature" in hit.target else []
    found += ["body"] if hit.body else []
    found += ["api key"] if auth.api_key in str(hit.headers) + hit.target else []
    return found


@pytest.mark.parametrize("scheme", AUTHS)
@pytest.mark.parametrize(
    ("method", "status", "options"),
    [
        ("GET", 302, {"params": ORDER}),
        ("POST", 307, {"data": ORDER}),
        ("POST", 308, {"data": ORDER}),
    ],
    ids=["GET-302", "form-POST-307", "form-POST-308"],
)
def test_cross_origin_redirect_delivers_no_credentials(
    recording_server, scheme, method, status, options
):
    """A redirect to another origin reaches it without key, signature or signed body."""
    other = recording_server(landing)
    first = recording_server(redirect_to(other.url + "/landing", status))
    auth = AUTHS[scheme]()

    response = requests.request(
        method, first.url + "/api/v3/order", auth=auth, timeout=5, **options
    )

    assert response.status_code == 200
    assert [h.target for h in other.hits] == ["/landing"]
    assert leaked(other.hits[0], auth) == []
    assert response.history[0].status_code == status
    assert len(first.hits) == 1
    assert any(name in first.hits[0].headers for name in auth.headers)


@pytest.mark.parametrize("scheme", AUTHS)
def test_same_origin_redirect_keeps_the_signed_request(recording_server, scheme):
    """A 307 within one origin still reaches its target with the signed body and headers."""
    server = recording_server(redirect_to("/landing", 307))
    auth = AUTHS[scheme]()

    response = requests.post(server.url + "/start", data=ORDER, auth=auth, timeout=5)

    assert response.status_code == 200
    start, target = server.hits
    assert target.target == "/landing"
    assert target.body == start.body
    assert target.body
    for name in auth.headers:
        assert target.headers[name] == start.headers[name]


def test_raise_policy_refuses_to_follow(recording_server):
    """With on_cross_origin_redirect='raise' the redirect is refused and nothing reaches it."""
    other = recording_server(landing)
    first = recording_server(redirect_to(other.url + "/landing", 307))
    auth = AUTHS["binance"](on_cross_origin_redirect="raise")

    with pytest.raises(CrossOriginRedirectError, match=r"redirected \(307\)") as caught:
        requests.post(first.url + "/api/v3/order", data=ORDER, auth=auth, timeout=5)

    assert other.hits == []
    assert caught.value.response is not None
    assert "signature" not in str(caught.value)


def test_stripping_is_logged_without_secrets(recording_server, caplog):
    """The guard logs one warning naming both origins and no credentials."""
    other = recording_server(landing)
    first = recording_server(redirect_to(other.url + "/landing", 302))
    caplog.set_level(logging.DEBUG, logger="requests_exchange_auth")

    requests.get(first.url + "/x", params=ORDER, auth=AUTHS["binance"](), timeout=5)

    [record] = [r for r in caplog.records if r.name == "requests_exchange_auth"]
    assert record.levelno == logging.WARNING
    assert first.url.replace("http://", "") in record.getMessage()
    assert other.url.replace("http://", "") in record.getMessage()
    assert BINANCE_SECRET not in record.getMessage()
    assert BINANCE_KEY not in record.getMessage()


def test_guard_is_installed_once_per_request():
    """Re-signing a prepared request does not stack redirect guards."""
    auth = AUTHS["binance"]()
    prepared = requests.Request(
        "GET", "https://api.binance.com/api/v3/account", auth=auth
    ).prepare()
    auth(prepared)
    auth(prepared)
    assert len(prepared.hooks["response"]) == 1


def test_invalid_policy_is_refused():
    """An unknown redirect policy is a configuration error naming both choices."""
    with pytest.raises(ValueError, match=r"'strip'.*'raise'"):
        AUTHS["poloniex"](on_cross_origin_redirect="follow")
