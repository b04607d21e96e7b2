"""Read a curl command line ("Copy as cURL", a client's debug log) as the request it sends.

Error messages name the option at fault but never repeat a value: it may be a key.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..testing import Received


class CaptureError(ValueError):
    """The input is neither a curl command we understand nor a raw HTTP request."""


@dataclass(frozen=True)
class Captured:
    """The request, its URL when known (for display), and what it was read from."""

    received: Received
    url: str
    source: str


# curl options that take a value, and what to do with it
_VALUE_OPTIONS = {
    "-X": "method", "--request": "method",
    "-H": "header", "--header": "header",
    "-d": "data", "--data": "data", "--data-ascii": "data", "--data-binary": "data",
    "--data-raw": "raw", "--data-urlencode": "urlencode",
    "--url": "url",
    "-A": "user-agent", "--user-agent": "user-agent",
    "-e": "referer", "--referer": "referer",
    "-b": "cookie", "--cookie": "cookie",
    "-o": "ignore", "--output": "ignore", "-m": "ignore", "--max-time": "ignore",
    "--connect-timeout": "ignore", "--retry": "ignore", "-w": "ignore", "--write-out": "ignore",
    "-x": "ignore", "--proxy": "ignore", "--cacert": "ignore", "--resolve": "ignore",
}  # fmt: skip
_FLAGS = {
    "-s", "--silent", "-S", "--show-error", "-v", "--verbose", "-i", "--include", "-k",
    "--insecure", "-L", "--location", "--compressed", "-f", "--fail", "-g", "--globoff",
    "--http1.1", "--http2", "--no-progress-meter", "-G", "--get", "-I", "--head", "-#",
}  # fmt: skip
_SHORT_FLAGS = {flag[1] for flag in _FLAGS if len(flag) == 2}
_REFUSED = {
    "-F": "a multipart form", "--form": "a multipart form", "-T": "an uploaded file",
    "--upload-file": "an uploaded file",
    "-u": "basic authentication", "--user": "basic authentication",
}  # fmt: skip


class _Curl:
    """The state of one curl command line while its options are read."""

    def __init__(self) -> None:
        self.method = ""
        self.url = ""
        self.headers: dict[str, str] = {}
        self.data: list[str] = []
        self.get = False

    def option(self, kind: str, value: str) -> None:
        if kind == "method":
            self.method = value.upper()
        elif kind == "header":
            name, sep, content = value.partition(":")
            if not sep:
                msg = "a -H value is not 'Name: value'; check the quoting of the headers."
                raise CaptureError(msg)
            self.headers[name.strip()] = content.strip()
        elif kind in ("data", "raw", "urlencode"):
            self.data.append(_data(kind, value))
        elif kind == "url":
            self.url = value
        elif kind in ("user-agent", "referer", "cookie"):
            self.headers[kind.title()] = value


def _data(kind: str, value: str) -> str:
    if kind == "urlencode":  # name=content: content encoded as curl does (RFC 3986 unreserved)
        name, sep, content = value.partition("=")
        if "@" in (name if sep else value):  # @file or name@file: curl reads a file
            raise CaptureError(_FILE_DATA)
        encoded = quote(content if sep else value, safe="-._~")
        return f"{name}={encoded}" if sep and name else encoded
    if kind == "data" and value.startswith("@"):
        raise CaptureError(_FILE_DATA)
    return value


_FILE_DATA = (
    "the curl command reads its body from a file (@file); put the body itself on the "
    "command line with --data-raw, or pass the raw HTTP request instead."
)


def from_curl(text: str) -> Captured:
    """A curl command line, read with curl's own rules for method, URL, headers and body."""
    # A backslash-newline is a line continuation in the shell: the command is one line.
    text = re.sub(r"\\\r?\n", " ", text)
    try:
        tokens = shlex.split(text)
    except ValueError:
        msg = "the curl command has an unclosed quote; copy the whole command."
        raise CaptureError(msg) from None
    curl = _Curl()
    words = iter(tokens[1:])
    for word in words:
        _read(curl, word, words)
    if not curl.url:
        msg = "the curl command has no URL."
        raise CaptureError(msg)
    url = curl.url if "://" in curl.url else "http://" + curl.url  # curl's default scheme
    body = "&".join(curl.data)  # curl joins several -d values with '&'
    if curl.get and body:
        url += ("&" if "?" in url else "?") + body
        body = ""
    method = curl.method or ("POST" if body else "GET")
    if body and not any(h.lower() == "content-type" for h in curl.headers):
        curl.headers["Content-Type"] = "application/x-www-form-urlencoded"  # as curl -d does
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    received = Received(method, target, curl.headers, body.encode("utf-8"))
    return Captured(received, url.partition("#")[0], "a curl command")


def _read(curl: _Curl, word: str, words: Iterator[str]) -> None:
    """Take in one word of the command line (and the next one, for an option's value)."""
    name, value = word, None
    if word.startswith("--") and "=" in word:
        name, _, value = word.partition("=")
    elif word[:2] in _VALUE_OPTIONS and len(word) > 2 and not word.startswith("--"):
        name, value = word[:2], word[2:]  # -XPOST, -H'a: b'
    if name in _REFUSED:
        msg = f"the curl command sends {_REFUSED[name]} ({name}), which these schemes do not sign."
        raise CaptureError(msg)
    if name in _VALUE_OPTIONS:
        value = next(words, None) if value is None else value
        if value is None:
            msg = f"the curl option {name} needs a value."
            raise CaptureError(msg)
        curl.option(_VALUE_OPTIONS[name], value)
    elif name in _FLAGS or _short_flags(name):
        letters = "" if name.startswith("--") else name[1:]
        curl.get = curl.get or name == "--get" or "G" in letters
        curl.method = "HEAD" if name == "--head" or "I" in letters else curl.method
    elif name.startswith("-"):
        msg = f"unsupported curl option {name}; remove it, or pass the raw HTTP request."
        raise CaptureError(msg)
    elif not curl.url:
        curl.url = word
    else:
        msg = "the curl command has more than one URL; pass one request at a time."
        raise CaptureError(msg)


def _short_flags(name: str) -> bool:
    """``-sSL``: several one-letter flags in one word."""
    return len(name) > 2 and name[0] == "-" and name[1] != "-" and set(name[1:]) <= _SHORT_FLAGS
