"""A request as the server receives it: method, request target, headers, body bytes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict


class _PreparedLike(Protocol):
    """What :meth:`Received.from_prepared` reads: a ``requests.PreparedRequest``, or
    anything that looks like one (requests-mock hands matchers such a proxy)."""

    method: str | None
    url: str | None
    headers: Any
    body: Any


def _latin1(text: str) -> str:
    """Text whose characters are single bytes, as http.server decodes the wire (Latin-1).

    Characters above U+00FF cannot have come from the wire; they stand for their UTF-8
    bytes, which is what a client would have sent.
    """
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8").decode("latin-1")
    return text


@dataclass(frozen=True)
class Received:
    """A request as the server saw it, to pass to a verifier.

    :param method: the HTTP method, e.g. ``"POST"``.
    :param target: the request target: ``/path?query`` as on the request line, or a
        whole URL (its scheme and host are ignored). Non-ASCII bytes appear as Latin-1
        characters, as :mod:`http.server` gives them.
    :param headers: the request headers, any mapping; kept as a case-insensitive one.
    :param body: the body bytes; a ``str`` is taken as UTF-8.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``target`` may be a whole URL; ``headers`` any mapping; ``body`` a ``str``.
    """

    method: str
    target: str
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""

    def __post_init__(self) -> None:
        # Normalised once here, so every verifier reads the same bytes.
        headers = self.headers
        if not isinstance(headers, CaseInsensitiveDict):
            headers = CaseInsensitiveDict(dict(headers))
        body = self.body.encode("utf-8") if isinstance(self.body, str) else bytes(self.body or b"")
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "target", _latin1(self.target))
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "body", body)

    @classmethod
    def from_prepared(cls, request: _PreparedLike) -> Received:
        """What a server receives for a ``requests.PreparedRequest`` sent as it is.

        The target is the URL's path and query, as requests puts them on the request
        line; a ``str`` body goes out as Latin-1, as :mod:`http.client` encodes it.

        :raises ValueError: for a streamed body (a file or generator), which cannot be
            read without consuming it, or a ``str`` body that http.client cannot send.
        """
        url = request.url or "/"
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = request.body
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = _str_body(body)
        else:
            msg = (
                f"cannot verify a {type(body).__name__} body: a stream can be read only "
                "once. Build the request with data= as a dict, str or bytes."
            )
            raise ValueError(msg)
        headers: Mapping[str, Any] = request.headers or {}
        return cls(request.method or "GET", target, CaseInsensitiveDict(dict(headers)), data)

    @property
    def path(self) -> str:
        """The path, without the query; ``/`` when the target has none."""
        return self._split()[0]

    @property
    def query(self) -> str:
        """The raw query string, as sent (no ``?``, nothing decoded)."""
        return self._split()[1]

    def _split(self) -> tuple[str, str]:
        target = self.target.partition("#")[0]
        if not target.startswith("/"):  # absolute-form (RFC 9112 §3.2.2), e.g. a whole URL
            parts = urlsplit(target)
            return parts.path or "/", parts.query
        path, _, query = target.partition("?")
        return path, query


def _str_body(body: str) -> bytes:
    try:
        return body.encode("latin-1")  # http.client: "a string is encoded as ISO-8859-1"
    except UnicodeEncodeError:
        pass
    msg = (
        "this str body holds characters outside Latin-1, which http.client refuses to "
        "send; encode it first (body.encode('utf-8'))."
    )
    raise ValueError(msg)


def as_received(request: Received | _PreparedLike) -> Received:
    """Accept a :class:`Received` or anything :meth:`Received.from_prepared` takes."""
    return request if isinstance(request, Received) else Received.from_prepared(request)
