"""Show a prepared request as the raw HTTP it becomes, and as an equivalent curl command."""

from __future__ import annotations

import shlex
from urllib.parse import urlsplit

from requests import PreparedRequest

# headers curl sets on its own; the curl command leaves requests' versions of them out
_CURL_OWN = frozenset({"user-agent", "accept", "accept-encoding", "connection", "content-length"})


def body_text(r: PreparedRequest) -> str:
    """The body as text (UTF-8, undecodable bytes escaped), empty when there is none."""
    body = r.body
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", "backslashreplace")
    return str(body)


def raw_http(r: PreparedRequest) -> str:
    """The request line, the headers and the body, as they go on the wire."""
    parts = urlsplit(r.url or "")
    lines = [f"{r.method} {r.path_url} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in r.headers.items()]
    return "\n".join(lines) + "\n\n" + body_text(r)


def curl(r: PreparedRequest) -> str:
    """One curl command line that sends the same request (method, URL, headers, body)."""
    words = ["curl"]
    body = body_text(r)
    default_method = "POST" if body else "GET"
    if r.method != default_method:
        words += ["-X", r.method or "GET"]
    for name, value in r.headers.items():
        if name.lower() not in _CURL_OWN:
            words += ["-H", f"{name}: {value}"]
    if body:
        words += ["--data-raw", body]  # sent as it is: no '@file', no newline stripping
    words.append(r.url or "")
    return " ".join(shlex.quote(str(word)) for word in words)
