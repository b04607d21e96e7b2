"""The request-rewriting shortcuts decide exactly as the general code they skip."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest
import requests
from hypothesis import example, given, settings
from hypothesis import strategies as st

from requests_exchange_auth import BinanceApiKeyAuth, InsecureTransportError
from requests_exchange_auth._bodies import FORM, set_form_text
from requests_exchange_auth._draft import Draft
from requests_exchange_auth._params import has_param, remove_params
from requests_exchange_auth._requests import RedirectGuard, sign_prepared
from requests_exchange_auth._transport import check_transport

_RAW = st.text(st.sampled_from("ab=&%2F73tiestampsignaturenonce"), max_size=40)
_NAMES = st.sampled_from(["timestamp", "signature", "nonce", "a", "recvWindow", ""])


def _server_name(piece: str) -> str:
    """A parameter's name as a server decodes it (form decoding)."""
    return unquote_plus(piece.partition("=")[0])


@settings(max_examples=500, deadline=None)
@given(part=_RAW, name=_NAMES)
@example(part="time%73tamp=1", name="timestamp")
@example(part="a=1&%74imestamp=2", name="timestamp")
@example(part="non%63e=1", name="nonce")
def test_has_param_is_the_full_scan(part, name):
    """The substring shortcut answers as decoding every piece's name would."""
    assert has_param(part, name) == any(_server_name(p) == name for p in part.split("&"))


@settings(max_examples=500, deadline=None)
@given(part=_RAW, names=st.lists(_NAMES, min_size=1, max_size=3).map(tuple))
@example(part="a=1&time%73tamp=1", names=("timestamp",))
def test_remove_params_is_the_full_filter(part, names):
    """The shortcut for 'no such name in the text' keeps the text as the filter would."""
    full = "&".join(p for p in part.split("&") if _server_name(p) not in names)
    assert remove_params(part, names) in (part, full)
    if any(_server_name(p) in names for p in part.split("&")):
        assert remove_params(part, names) == full


def _draft(body, headers=None):
    return Draft("POST", "https://example.com/x", dict(headers or {}), body)


def test_empty_form_body_gets_a_zero_length():
    """Writing an empty form body leaves no stale Content-Length behind."""
    draft = _draft("a=1", {"Content-Length": "3"})
    set_form_text(draft, "")
    assert draft.body == ""
    assert draft.headers["Content-Length"] == "0"
    assert draft.headers["Content-Type"] == FORM


def test_form_body_keeps_a_callers_content_type():
    """A caller's own form Content-Type (with parameters) is not replaced."""
    draft = _draft("a=1", {"Content-Type": FORM + "; charset=utf-8"})
    set_form_text(draft, "a=1&b=2")
    assert draft.headers["Content-Type"] == FORM + "; charset=utf-8"
    assert draft.headers["Content-Length"] == "7"


def test_a_body_written_where_there_was_none_is_labelled_a_form():
    """A bodyless request's Content-Type (a session default) does not describe our body."""
    draft = _draft(None, {"Content-Type": "application/json"})
    set_form_text(draft, "nonce=1")
    assert draft.headers["Content-Type"] == FORM


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
    assert check_transport(url, allow_insecure_http=False) is None  # no refusal raised


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
    auth = BinanceApiKeyAuth("k" * 16)
    sign_prepared(auth, p)
    sign_prepared(auth, p)
    assert p.hooks["response"][0] is callers_hook
    assert len(p.hooks["response"]) == 2
    assert isinstance(p.hooks["response"][1], RedirectGuard)


def test_guard_ignores_a_redirect_status_without_location():
    """A 302 with no Location is no redirect: the request keeps its headers."""
    key = "k" * 16
    request = requests.Request("GET", "https://a.example/x", headers={"X-MBX-APIKEY": key})
    prepared = request.prepare()
    response = requests.Response()
    response.status_code = 302
    response.request = prepared
    RedirectGuard(BinanceApiKeyAuth(key, on_cross_origin_redirect="raise"))(response)
    assert prepared.headers["X-MBX-APIKEY"] == key
