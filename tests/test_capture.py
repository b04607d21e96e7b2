"""Reading captured requests for ``verify``: curl command lines and raw HTTP requests."""

from __future__ import annotations

import pytest

from requests_exchange_auth._cli._capture import CaptureError, parse

SECRET_LOOKING = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


def curl(command: str):
    return parse(command.encode()).received


@pytest.mark.parametrize(
    ("command", "method", "target", "body"),
    [
        ("curl https://h.example/a?b=1", "GET", "/a?b=1", b""),
        ("curl -X POST 'https://h.example/a' -d 'x=1' -d 'y=2'", "POST", "/a", b"x=1&y=2"),
        ("curl https://h.example/a --data-raw '@not-a-file'", "POST", "/a", b"@not-a-file"),
        ("curl -G https://h.example/a -d x=1", "GET", "/a?x=1", b""),
        ("curl -sSG 'https://h.example/a?y=2' --data x=1", "GET", "/a?y=2&x=1", b""),
        ("curl -XDELETE --url=https://h.example/a", "DELETE", "/a", b""),
        ("curl -I https://h.example/", "HEAD", "/", b""),
        ("curl h.example/a#frag", "GET", "/a", b""),
        ("curl --data-urlencode 'n=a b/c' https://h.example/", "POST", "/", b"n=a%20b%2Fc"),
        ("curl --data-urlencode '=a b' https://h.example/", "POST", "/", b"a%20b"),
        ("curl --data-urlencode 'a b' https://h.example/", "POST", "/", b"a%20b"),
        ("curl https://h.example/ \\\n  -H 'X-A: 1' \\\r\n  --compressed -o out.json", "GET", "/",
         b""),
        ("/usr/bin/curl -v https://h.example/", "GET", "/", b""),
    ],
    ids=[
        "GET", "data-joined", "data-raw-at", "get-flag", "combined-flags", "attached-value",
        "head", "no-scheme-and-fragment", "urlencode-name", "urlencode-eq", "urlencode-plain",
        "continuations", "curl-path",
    ],
)  # fmt: skip
def test_curl_commands(command, method, target, body):
    """curl's own rules decide method, target and body."""
    received = curl(command)
    assert (received.method, received.target, received.body) == (method, target, body)


def test_curl_headers_and_default_content_type():
    """-H, -A, -e and -b become headers; -d brings curl's form Content-Type."""
    received = curl(
        "curl -H 'X-MBX-APIKEY: k1' -H'X-B:2' -A ua -e ref -b c=1 -d a=1 https://h.example/"
    )
    headers = dict(received.headers)
    assert headers == {
        "X-MBX-APIKEY": "k1",
        "X-B": "2",
        "User-Agent": "ua",
        "Referer": "ref",
        "Cookie": "c=1",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    assert parse(b"curl -H 'Content-Type: application/json' -d {} https://h/").received.headers[
        "content-type"
    ] == ("application/json")


def test_curl_url_for_display():
    """The URL (without fragment) is kept to show what was checked."""
    captured = parse(b"curl 'https://h.example/a?b=1#f'")
    assert (captured.url, captured.source) == ("https://h.example/a?b=1", "a curl command")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (f"curl 'https://h.example/?s={SECRET_LOOKING}", "unclosed quote"),
        ("curl -X", "needs a value"),
        ("curl -d x=1", "no URL"),
        ("curl https://a/ https://b/", "more than one URL"),
        ("curl -F a=@x https://h/", "multipart form"),
        (f"curl -u user:{SECRET_LOOKING} https://h/", "basic authentication"),
        ("curl --frobnicate https://h/", "unsupported curl option --frobnicate"),
        ("curl -d @body.txt https://h/", "reads its body from a file"),
        ("curl --data-urlencode name@file https://h/", "reads its body from a file"),
        (f"curl -H '{SECRET_LOOKING}' https://h/", "not 'Name: value'"),
    ],
    ids=["unclosed-quote", "missing-value", "no-url", "two-urls", "form", "user",
         "unknown-option", "at-file", "urlencode-file", "bad-header"],
)  # fmt: skip
def test_curl_errors_say_what_and_never_repeat_the_input(command, message):
    """Each problem is named; the input (which may hold credentials) is not echoed."""
    with pytest.raises(CaptureError, match=message) as raised:
        parse(command.encode())
    assert SECRET_LOOKING not in str(raised.value)


RAW = (
    b"POST /api/v3/order?symbol=X HTTP/1.1\r\n"
    b"Host: api.binance.com\r\n"
    b"X-MBX-APIKEY: k\r\n"
    b"Content-Length: 9\r\n"
    b"\r\n"
    b"quantity=1\n"  # one byte more than Content-Length, as a terminal paste adds
)


def test_raw_http_request():
    """Request line, headers, and the body as Content-Length frames it."""
    captured = parse(RAW)
    received = captured.received
    assert (received.method, received.target, received.body) == ("POST", "/api/v3/order?symbol=X",
                                                                  b"quantity=")  # fmt: skip
    assert received.headers["x-mbx-apikey"] == "k"
    assert captured.url == "https://api.binance.com/api/v3/order?symbol=X"
    assert captured.source == "a raw HTTP request"


def test_raw_http_without_content_length_or_host():
    """Without Content-Length the body runs to the end, trailing line breaks trimmed."""
    captured = parse(b"\n\nPUT /x\nA: b\n\nbody=1\r\n\n")
    assert (captured.received.method, captured.received.body, captured.url) == (
        "PUT",
        b"body=1",
        "",
    )
    absolute = parse(b"GET https://h.example/y HTTP/1.1\n\n")
    assert (absolute.received.path, absolute.url) == ("/y", "https://h.example/y")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no request given"),
        (b"   \n", "no request given"),
        (f'{{"key": "k", "secret": "{SECRET_LOOKING}"}}'.encode(), "not an HTTP request line"),
        (b"GET / HTTP/1.1\nno colon here\n\n", "line 2"),
        (b"GET / HTTP/1.1\n Folded: x\n\n", "line 2"),
        (b"POST / HTTP/1.1\nContent-Length: ten\n\nx", "not a number"),
        (b"POST / HTTP/1.1\nContent-Length: 10\n\nx=1", r"shorter \(3 bytes\)"),
    ],
    ids=["empty", "blank", "a-key-file", "no-colon", "folded", "bad-length", "short-body"],
)
def test_raw_http_errors_say_what_and_never_repeat_the_input(data, message):
    """A key file piped in by mistake is refused without showing its content."""
    with pytest.raises(CaptureError, match=message) as raised:
        parse(data)
    assert SECRET_LOOKING not in str(raised.value)
