"""The request-rewriting shortcuts decide exactly as the general code they skip."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from requests_exchange_auth import InsecureTransportError
from requests_exchange_auth._wire import (
    FORM,
    RedirectGuard,
    check_transport,
    has_param,
    remove_params,
    set_form_body,
)

_RAW = st.text(st.sampled_from("ab=&%2Ftimestampsignaturenonce"), max_size=40)
_NAMES = st.sampled_from(["timestamp", "signature", "nonce", "a", "recvWindow", ""])


@settings(max_examples=500, deadline=None)
@given(part=_RAW, name=_NAMES)
def test_has_param_is_the_full_scan(part, name):
    """The substring shortcut answers as splitting every piece would."""
    assert has_param(part, name) == any(p.partition("=")[0] == name for p in part.split("&"))


@settings(max_examples=500, deadline=None)
@given(part=_RAW, names=st.lists(_NAMES, min_size=1, max_size=3).map(tuple))
def test_remove_params_is_the_full_filter(part, names):
    """The shortcut for 'no such name in the text' keeps the text as the filter would."""
    full = "&".join(p for p in part.split("&") if p.partition("=")[0] not in names)
    assert remove_params(part, names) in (part, full)
    if any(p.partition("=")[0] in names for p in part.split("&")):
        assert remove_params(part, names) == full


def test_empty_form_body_gets_a_zero_length():
    """Writing an empty form body leaves no stale Content-Length behind."""
    r = requests.Request("POST", "https://example.com/x", data="a=1").prepare()
    set_form_body(r, "")
    assert r.body == ""
    assert r.headers["Content-Length"] == "0"
    assert r.headers["Content-Type"] == FORM


def test_form_body_keeps_a_callers_content_type():
    """A caller's own form Content-Type (with parameters) is not replaced."""
    r = requests.Request(
        "POST",
        "https://example.com/x",
        data="a=1",
        headers={"Content-Type": FORM + "; charset=utf-8"},
    ).prepare()
    set_form_body(r, "a=1&b=2")
    assert r.headers["Content-Type"] == FORM + "; charset=utf-8"
    assert r.headers["Content-Length"] == "7"


@pytest.mark.parametrize(
    "url",
    [
        "https://api.binance.com/x",
        "HTTPS://api.binance.com/x",
        "http://127.0.0.1:8080/x",
        "http://[::1]:8080/x",
        "http://127.0.0.2/x",
        "http://localhost/x",
    ],
)
def test_transport_shortcuts_allow_what_the_parser_allows(url):
    """https (any case) and loopback hosts, known by name or parsed, may be signed."""
    check_transport(url, allow_insecure_http=False)


@pytest.mark.parametrize("url", ["http://10.0.0.1/x", "http://127.0.0.1.example.com/x"])
def test_transport_shortcuts_refuse_the_rest(url):
    """Plain http to anything else is still refused."""
    with pytest.raises(InsecureTransportError):
        check_transport(url, allow_insecure_http=False)


def test_guard_installs_once_after_other_hooks():
    """The guard goes after the caller's hooks, once, however often the request is signed."""

    def callers_hook(response, *args, **kwargs):
        return response

    r = requests.Request("GET", "https://example.com/x", hooks={"response": [callers_hook]})
    p = r.prepare()
    guard = RedirectGuard(("X-Key",), "strip")
    guard.install(p)
    guard.install(p)
    assert p.hooks["response"] == [callers_hook, guard]


def test_guard_ignores_a_redirect_status_without_location():
    """A 302 with no Location is no redirect: the request keeps its headers."""
    request = requests.Request("GET", "https://a.example/x", headers={"X-Key": "k"}).prepare()
    response = requests.Response()
    response.status_code = 302
    response.request = request
    RedirectGuard(("X-Key",), "raise")(response)
    assert request.headers["X-Key"] == "k"
