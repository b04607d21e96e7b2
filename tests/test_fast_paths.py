"""The request-rewriting shortcuts decide exactly as the general code they skip."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import unquote_plus

import pytest
import requests
from hypothesis import example, given, settings
from hypothesis import strategies as st

from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceQueryAuth,
    InsecureTransportError,
    UnsignableRequestError,
)
from requests_exchange_auth._bodies import (
    FORM,
    JSON,
    any_body,
    form_text,
    json_body,
    set_form_text,
)
from requests_exchange_auth._draft import Draft
from requests_exchange_auth._params import (
    decoded_query,
    has_param,
    join_url,
    path_of,
    place_param,
    remove_params,
    replace_param,
    request_target,
    split_url,
)
from requests_exchange_auth._requests import RedirectGuard, sign_prepared
from requests_exchange_auth._time import iso_ms
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


@pytest.mark.parametrize(
    ("part", "piece", "expected"),
    [
        ("a=1&sig=x&b=2&sig=y", "sig=ab==", "a=1&sig=ab==&b=2"),  # a value may hold "="
        ("si%67=old&a=1", "sig=new", "sig=new&a=1"),  # the name as the server reads it
        ("a=1&signature=2", "sig=3", None),
        ("", "sig=3", None),
    ],
)
def test_replace_param_takes_the_first_place_and_drops_the_rest(part, piece, expected):
    assert replace_param(part, piece) == expected


@pytest.mark.parametrize(
    ("query", "body", "expected"),
    [
        ("a=1&t=0", "t=0&b=2", ("a=1&t=9==", "b=2", True)),  # the query's copy wins
        ("a=1", "b=2&t=0", ("a=1", "b=2&t=9==", True)),
        ("a=1&t=0", None, ("a=1&t=9==", None, True)),
        ("a=1", "b=2", ("a=1", "b=2", False)),
        ("a=1", None, ("a=1", None, False)),
    ],
)
def test_place_param_keeps_the_callers_position_once(query, body, expected):
    assert place_param(query, body, "t=9==") == expected


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://h/p?a=1&b=2", ("https://h/p", "a=1&b=2", "")),
        ("https://h/p?a=1?b#f#g", ("https://h/p", "a=1?b", "#f#g")),  # the first ? and #
        ("https://h/p#f?g", ("https://h/p", "", "#f?g")),
        ("https://h/p", ("https://h/p", "", "")),
    ],
)
def test_split_url_splits_at_the_first_question_mark_and_hash(url, parts):
    """RFC 3986 §3: the query starts at the first "?", the fragment at the first "#"."""
    assert split_url(url) == parts
    assert join_url(*parts) == url


def _draft(body, headers=None):
    return Draft("POST", "https://example.com/x", dict(headers or {}), body)


def test_empty_form_body_gets_a_zero_length():
    """Writing an empty form body leaves no stale Content-Length behind."""
    draft = _draft("a=1", {"Content-Length": "3"})
    assert form_text(draft, "test") == "a=1"  # the scheme reads the body first
    assert draft.headers["Content-Type"] == FORM  # a form body without a type gets one
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
        "http://exchange.localhost:8080/x",  # RFC 6761 §6.3: every .localhost name
    ],
)
def test_transport_shortcuts_allow_what_the_parser_allows(url, monkeypatch):
    """https (any case) and loopback hosts, known by name or parsed, are signed (with no
    proxy in the environment): the request leaves with its timestamp and signature."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    signed = BinanceQueryAuth("k" * 16, "s" * 16).sign("GET", url + "?a=1")  # URL as given
    query = signed.url.partition("?")[2]
    assert query.startswith("a=1&timestamp=")
    assert re.search(r"&signature=[0-9a-f]{64}$", query)


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


# -- JSON bodies, canonical queries, paths (schemes that sign decoded or JSON text) ----------


@pytest.mark.parametrize("body", [b'{"a": 1}', b" \n[1, 2]", '{"é": 1}'])
def test_a_json_looking_body_without_a_type_is_labelled_json(body):
    """No Content-Type and a body opening with { or [ (after blanks): signed as JSON."""
    draft = _draft(body)
    data = json_body(draft, "SomeAuth")
    assert data == (body.encode("utf-8") if isinstance(body, str) else body)
    assert draft.headers["Content-Type"] == JSON


@pytest.mark.parametrize(
    "kind", [JSON, "application/problem+json", "Application/JSON; charset=utf-8"]
)
def test_json_and_structured_json_types_are_signed(kind):
    draft = _draft(b'{"a": 1}', {"Content-Type": kind})
    assert json_body(draft, "SomeAuth") == b'{"a": 1}'
    assert draft.headers["Content-Type"] == kind


@pytest.mark.parametrize(
    ("headers", "body", "shown"),
    [
        ({"Content-Type": "text/plain"}, b'{"a": 1}', "'text/plain'"),
        ({"Content-Type": FORM}, b"[1]", f"'{FORM}'"),
        ({}, b"a=1", "'none, and it does not look like JSON'"),
        ({}, b"a=[1]", "'none, and it does not look like JSON'"),
    ],
)
def test_a_body_that_is_not_json_is_refused_by_name(headers, body, shown):
    """Another type, or no type and a body that does not open like JSON: refused."""
    with pytest.raises(UnsignableRequestError) as caught:
        json_body(_draft(body, headers), "SomeAuth")
    assert str(caught.value) == (
        f"SomeAuth signs JSON bodies only, but this request's Content-Type is {shown}. "
        "Send the parameters as json={...} (or params={...} on a GET); nothing was sent."
    )


def test_a_non_ascii_str_body_is_sent_as_the_utf8_bytes_it_signs():
    """http.client would send a str body as Latin-1: it becomes the UTF-8 bytes hashed,
    with their length."""
    draft = _draft('{"note":"é€"}', {"Content-Length": "13"})
    assert any_body(draft, "SomeAuth") == '{"note":"é€"}'.encode()
    assert (draft.body, draft.headers["Content-Length"]) == ('{"note":"é€"}'.encode(), "16")


def test_no_json_body_is_empty_bytes_and_unlabelled():
    draft = _draft(None)
    assert json_body(draft, "SomeAuth") == b""
    assert "Content-Type" not in draft.headers


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(
    ("query", "sort", "wire", "decoded"),
    [
        ("b=2&a=1", False, "b=2&a=1", "b=2&a=1"),
        ("b=2&a=1", True, "a=1&b=2", "a=1&b=2"),
        ("a=2&b=0&a=1", True, "a=2&a=1&b=0", "a=2&a=1&b=0"),  # stable: by name only
        ("a=x=y", False, "a=x%3Dy", "a=x=y"),  # a pair splits at its first "="
        ("q=a+b&r=%7e&&s=%E2%82%AC", False, "q=a%20b&r=~&s=%E2%82%AC", "q=a b&r=~&s=€"),
        ("x=1%2F2&y=%26", False, "x=1%2F2&y=%26", "x=1/2&y=&"),
        ("sym=BTC-USDT_1.0~", False, "sym=BTC-USDT_1.0~", "sym=BTC-USDT_1.0~"),
    ],
)
def test_decoded_query_reads_form_style_and_writes_one_wire_form(query, sort, wire, decoded):
    """bitget.md/kucoin.md §5: form decoding, optional stable sort by name, %XX for every
    byte outside A-Za-z0-9-_.~ (a space as %20); the wire form is a fixed point."""
    assert decoded_query(query, sort=sort) == (wire, decoded)
    assert decoded_query(wire, sort=sort) == (wire, decoded)


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize("query", ["a=%FF", "%C3=1", "a=1&b=%E2%82"])
def test_decoded_query_refuses_an_escape_that_is_not_utf8(query):
    with pytest.raises(UnsignableRequestError, match="percent-escape that is not UTF-8"):
        decoded_query(query)


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://h.example/a/b", "/a/b"),
        ("https://h.example/a/b?x=1/2#f/g", "/a/b"),
        ("https://h.example#f/g", "/"),
        ("https://h.example?x=/y", "/"),
        ("https://h.example", "/"),
        ("/api/v3/order?x=1", "/api/v3/order"),
        ("https://h.example/a//b?c=//d", "/a//b"),  # the first "//" ends the scheme
        ("//h.example/a/b", "/a/b"),  # scheme-relative
    ],
)
def test_path_of_is_the_path_before_query_and_fragment(url, path):
    assert path_of(url) == path


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("https://h.example/a/b", "/a/b"),
        ("https://h.example/a/b?x=1/2#f/g", "/a/b?x=1/2"),
        ("https://h.example/a?", "/a"),  # an empty query leaves no "?"
        ("https://h.example#f?g", "/"),  # a "?" in the fragment is not a query
        ("https://h.example?x=/y", "/?x=/y"),
        ("https://h.example/a//b?c=//d", "/a//b?c=//d"),
    ],
)
def test_request_target_is_the_path_and_query_as_on_the_request_line(url, target):
    assert request_target(url) == target


@settings(max_examples=500, derandomize=True)
@given(st.integers(min_value=0, max_value=253_402_300_799_999))  # to 9999-12-31T23:59:59.999
def test_iso_ms_is_the_utc_iso_format_of_the_millisecond(ms):
    """The millisecond table and the per-second cache write what datetime writes."""
    moment = datetime.fromtimestamp(ms // 1000, tz=timezone.utc).replace(
        microsecond=ms % 1000 * 1000
    )
    assert iso_ms(ms) == moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
