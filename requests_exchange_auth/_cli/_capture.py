"""Read a captured request — a curl command line or a raw HTTP request — as the server would.

Error messages name what is wrong and where, but never repeat the input: it may hold
an API key, a signature, or be a key file piped in by mistake.
"""

from __future__ import annotations

import re

from ..testing import Received
from ._curl import Captured, CaptureError, from_curl

__all__ = ["CaptureError", "Captured", "parse"]

_REQUEST_LINE = re.compile(r"([A-Z]+) (\S+)(?: HTTP/\d(?:\.\d)?)?")


def parse(data: bytes) -> Captured:
    """A curl command (starting with ``curl``) or a raw HTTP request, from its bytes."""
    text = data.decode("utf-8", "replace").lstrip()
    if not text:
        msg = "no request given: pass a curl command line or a raw HTTP request."
        raise CaptureError(msg)
    if re.match(r"(\S*/)?curl(\.exe)?\s", text):
        return from_curl(text)
    return _raw_http(data.lstrip())


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    """(request line and headers, body), split at the first empty line."""
    blank = re.search(rb"\r?\n\r?\n", data)
    return (data, b"") if blank is None else (data[: blank.start()], data[blank.end() :])


def _raw_http(data: bytes) -> Captured:
    head, body = _split_head(data)
    lines = head.decode("latin-1").splitlines()
    match = _REQUEST_LINE.fullmatch(lines[0].strip()) if lines else None
    if match is None:
        msg = (
            "the input is not a curl command, and its first line is not an HTTP request "
            "line such as 'POST /api/v3/order HTTP/1.1'."
        )
        raise CaptureError(msg)
    headers: dict[str, str] = {}
    for number, line in enumerate(lines[1:], 2):
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or name != name.strip():
            msg = f"line {number} of the HTTP request is not a 'Name: value' header."
            raise CaptureError(msg)
        headers[name] = value.strip()
    body = _framed(body, headers)
    method, target = match[1], match[2]
    host = next((v for k, v in headers.items() if k.lower() == "host"), "")
    url = target if "://" in target else (f"https://{host}{target}" if host else "")
    return Captured(Received(method, target, headers, body), url, "a raw HTTP request")


def _framed(body: bytes, headers: dict[str, str]) -> bytes:
    """The body as Content-Length frames it; without one, up to the end, line breaks trimmed."""
    length = next((v for k, v in headers.items() if k.lower() == "content-length"), None)
    if length is None:
        return body.rstrip(b"\r\n")
    if not length.isdigit():
        msg = "the Content-Length header is not a number."
        raise CaptureError(msg)
    if len(body) < int(length):
        msg = (
            f"the body is shorter ({len(body)} bytes) than its Content-Length ({length}); "
            "paste the whole request."
        )
        raise CaptureError(msg)
    return body[: int(length)]
