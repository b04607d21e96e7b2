"""The core's error and log messages, word for word.

A message is what a user reads instead of a traceback: it says what was wrong, what was
expected and how to fix it (DESIGN.md, "Errors"), and the CLI rewrites its argument
names into option names by their exact words (``_cli._CLI_WORDS``). So the wording is a
contract, pinned here whole; the other tests match the phrase they are about.
"""

from __future__ import annotations

import io
import logging
import sys

import pytest
from requests import PreparedRequest, Response
from requests.structures import CaseInsensitiveDict

from requests_exchange_auth import (
    BinanceQueryAuth,
    ConfigurationError,
    CrossOriginRedirectError,
    InsecureTransportError,
    MissingDependencyError,
    UnsignableRequestError,
)
from requests_exchange_auth._bodies import GET_ONLY, form_text, json_body, no_body
from requests_exchange_auth._draft import Draft
from requests_exchange_auth._params import decoded_query
from requests_exchange_auth._requests import RedirectGuard
from requests_exchange_auth._signing import require
from requests_exchange_auth._transport import check_transport
from requests_exchange_auth.schemes.binance import time_url

WHO = "SomeAuth"


def draft(body: object, content_type: str | None = None) -> Draft:
    headers = CaseInsensitiveDict({"Content-Type": content_type} if content_type else {})
    return Draft("POST", "https://api.example/x", headers, body)


def refused(call, kind: type[Exception]) -> str:
    with pytest.raises(kind) as caught:
        call()
    return str(caught.value)


BODY_MESSAGES = [
    pytest.param(
        lambda: form_text(draft(io.BytesIO(b"a=1")), WHO),
        "SomeAuth cannot sign a BytesIO body: a stream, file or generator can only be read "
        "once, and the signature must cover the exact bytes sent. Pass the body as a dict, "
        "str or bytes instead; nothing was sent.",
        id="stream",
    ),
    pytest.param(
        lambda: json_body(draft(chunk for chunk in [b"{}"]), WHO),
        "SomeAuth cannot sign a generator body: a stream, file or generator can only be "
        "read once, and the signature must cover the exact bytes sent. Pass the body as a "
        "dict, str or bytes instead; nothing was sent.",
        id="json-stream",
    ),
    pytest.param(
        lambda: no_body(draft(io.StringIO("a=1")), WHO),
        "SomeAuth cannot sign a StringIO body: a stream, file or generator can only be read "
        "once, and the signature must cover the exact bytes sent. Pass the body as a dict, "
        "str or bytes instead; nothing was sent.",
        id="query-only-stream",
    ),
    pytest.param(
        lambda: form_text(draft("a=1", "Application/JSON; charset=utf-8"), WHO),
        "SomeAuth signs form bodies only (application/x-www-form-urlencoded), but this "
        "request's Content-Type is 'application/json'. Send the parameters as data={...} "
        "or params={...} instead of json= or files=; nothing was sent.",
        id="form-type",
    ),
    pytest.param(
        lambda: form_text(draft("a=é"), WHO),
        "SomeAuth needs a percent-encoded form body, but this body holds raw non-ASCII "
        "characters (the exchange rejects unencoded payloads). Pass the parameters as "
        "data={...} and the client encodes them; nothing was sent.",
        id="form-ascii",
    ),
    pytest.param(
        lambda: form_text(draft(' {"a": 1}'), WHO),
        "SomeAuth signs form bodies only, but this body looks like JSON. Send the "
        "parameters as data={...} (a JSON value goes inside one parameter); nothing was "
        "sent.",
        id="form-json",
    ),
    pytest.param(
        lambda: json_body(draft(b"a=1", "application/x-www-form-urlencoded"), WHO),
        "SomeAuth signs JSON bodies only, but this request's Content-Type is "
        "'application/x-www-form-urlencoded'. Send the parameters as json={...} (or "
        "params={...} on a GET); nothing was sent.",
        id="json-type",
    ),
    pytest.param(
        lambda: json_body(draft(b"a=1"), WHO),
        "SomeAuth signs JSON bodies only, but this request's Content-Type is 'none, and it "
        "does not look like JSON'. Send the parameters as json={...} (or params={...} on a "
        "GET); nothing was sent.",
        id="json-untyped",
    ),
    pytest.param(
        lambda: json_body(Draft("GET", "https://api.example/x", {}, "a=1"), WHO, GET_ONLY),
        "SomeAuth signs query parameters only, and this request has a body. Pass the "
        "parameters as params={...} (they go in the query, signed); nothing was sent.",
        id="query-only-method",
    ),
    pytest.param(
        lambda: json_body(draft(b"a=1", "text/plain"), WHO, GET_ONLY),
        "SomeAuth signs JSON bodies only, but this request's Content-Type is 'text/plain'. "
        "Send the parameters as json={...} (or params={...} on a GET); nothing was sent.",
        id="query-or-json",
    ),
    pytest.param(
        lambda: no_body(draft("a=1"), WHO),
        "SomeAuth signs query parameters only, and this request has a body. Pass the "
        "parameters as params={...} (they go in the query, signed); nothing was sent.",
        id="no-body",
    ),
    pytest.param(
        lambda: decoded_query("a=1&na%FFme=2"),
        "the query parameter 'na%FFme' holds a percent-escape that is not UTF-8 text, which "
        "this exchange cannot decode to verify the signature; pass the parameters as "
        "params={...} (str values); nothing was sent.",
        id="query-not-utf8",
    ),
]


@pytest.mark.parametrize(("call", "expected"), BODY_MESSAGES)
def test_unsignable_request_messages(call, expected):
    assert refused(call, UnsignableRequestError) == expected


def test_plaintext_message():
    call = lambda: check_transport("http://Exchange.example:8080/x", allow_insecure_http=False)  # noqa: E731
    assert refused(call, InsecureTransportError) == (
        "refusing to sign a request to http://exchange.example: credentials and signed "
        "payloads would travel unencrypted. Use an https:// URL, or pass "
        "allow_insecure_http=True to the auth if this host is trusted; nothing was sent."
    )


@pytest.mark.parametrize(
    ("proxy", "shown"),
    [
        ("http://user:pw@proxy.example:3128", "proxy.example:3128"),
        ("proxy.example", "proxy.example"),
    ],
)
def test_plaintext_through_a_proxy_message(proxy, shown):
    def call():
        check_transport("http://127.0.0.1:9/x", allow_insecure_http=False, proxy=proxy)

    assert refused(call, InsecureTransportError) == (
        f"refusing to sign a request to http://127.0.0.1: it would go through a proxy "
        f"({shown}) in clear text, key and signature included. Exempt the host from the "
        "proxy (NO_PROXY=127.0.0.1,localhost), use https://, or pass "
        "allow_insecure_http=True if the proxy is trusted; nothing was sent."
    )


def test_missing_extra_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "jwt", None)  # import jwt now raises ImportError
    call = lambda: require("jwt", extra="jwt", feature="BinanceOpenApiJwtAuth")  # noqa: E731
    assert refused(call, MissingDependencyError) == (
        "BinanceOpenApiJwtAuth needs PyJWT, which is not installed; install the extra with: "
        "pip install 'requests-exchange-auth[jwt]' (from a checkout, until the package is "
        "on PyPI: python -m pip install '.[jwt]')"
    )


def test_missing_extra_of_the_same_name(monkeypatch):
    monkeypatch.setitem(sys.modules, "cryptography", None)
    call = lambda: require("cryptography", extra="crypto", feature="RSA keys")  # noqa: E731
    assert refused(call, MissingDependencyError).startswith("RSA keys needs cryptography, ")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "ftp://user:pw@api.binance.com",
            "BinanceServerClock needs an http(s) URL of a Binance API, not "
            "'ftp://***@api.binance.com'; e.g. 'https://api.binance.com' or "
            "'https://fapi.binance.com'.",
        ),
        (  # not /api: a trailing character is not stripped like a trailing slash
            "https://api.binance.com/apiX",
            "cannot tell which Binance API 'https://api.binance.com/apiX' belongs to; pass "
            "a URL whose path starts with /api, /sapi, /fapi, /dapi or /eapi (e.g. "
            "'https://testnet.binancefuture.com/fapi'), or the time endpoint itself (e.g. "
            "'.../fapi/v1/time').",
        ),
        (
            "https://api.binance.com/wapi/v3",
            "cannot tell which Binance API 'https://api.binance.com/wapi/v3' belongs to; pass "
            "a URL whose path starts with /api, /sapi, /fapi, /dapi or /eapi (e.g. "
            "'https://testnet.binancefuture.com/fapi'), or the time endpoint itself (e.g. "
            "'.../fapi/v1/time').",
        ),
    ],
)
def test_time_url_messages(url, expected):
    assert refused(lambda: time_url(url), ConfigurationError) == expected


def redirect(status: int, url: str, location: str, body: bytes | None = b"a=1") -> Response:
    """A redirect answer to a signed request, as requests hands it to a response hook."""
    request = PreparedRequest()
    request.prepare(method="POST", url=url, data=body)
    BinanceQueryAuth("k", "s")(request)
    response = Response()
    response.status_code, response.request, response._content = status, request, b""
    response.headers["Location"] = location
    return response


def test_cross_origin_redirect_message():
    auth = BinanceQueryAuth("k", "s", on_cross_origin_redirect="raise")
    answer = redirect(307, "https://a.example/x", "http://b.example:8080/y")
    with pytest.raises(CrossOriginRedirectError) as caught:
        RedirectGuard(auth)(answer)
    assert str(caught.value) == (
        "the server redirected (307) a signed request from https://a.example:443 to "
        "http://b.example:8080; it was not followed because the credentials would go with "
        "it. Call the new URL yourself, or pass on_cross_origin_redirect='strip' to follow "
        "it unsigned."
    )
    assert caught.value.response is answer


def test_stripped_redirect_log_message(caplog):
    auth = BinanceQueryAuth("k", "s")
    with caplog.at_level(logging.WARNING, logger="requests_exchange_auth"):
        RedirectGuard(auth)(redirect(302, "https://a.example/x", "https://A.example:444/y"))
    assert caplog.messages == [
        "removed credentials from a request redirected from https://a.example:443 to "
        "https://a.example:444"
    ]
