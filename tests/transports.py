"""One way to send a signed request on each transport the package serves.

``requests`` (the auth as ``auth=``), ``httpx`` and ``httpx-async`` (through
:class:`~requests_exchange_auth.httpx.HttpxAuth`), and ``sign`` (``auth.sign(...)``, then
sent byte for byte with :mod:`http.client`, as any other client would).
"""

from __future__ import annotations

import asyncio
import http.client
import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import requests

from requests_exchange_auth import SignedRequest
from requests_exchange_auth.httpx import HttpxAuth

TRANSPORTS = ("requests", "httpx", "httpx-async", "sign")


@dataclass
class Reply:
    """What came back: the status, the parsed JSON (or ``None``), redirect hops seen."""

    status: int
    json: Any
    history: list[int] = field(default_factory=list)


def _parsed(text: bytes) -> Any:
    try:
        return jsonlib.loads(text)
    except (ValueError, RecursionError):  # not JSON, or a hostile nesting
        return None


def send(  # a request's parts, spelt as the clients spell them
    transport: str,
    auth: Any,
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    json: Any = None,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = True,
) -> Reply:
    """Send one request with ``auth`` on ``transport``; raises what the client raises."""
    kwargs: dict[str, Any] = {"params": params or None, "headers": dict(headers or {})}
    if json is not None:
        kwargs["json"] = json
    elif data:
        kwargs["data"] = dict(data)
    if transport == "requests":
        if body is not None:
            kwargs["data"] = body
        response = requests.request(
            method, url, auth=auth, timeout=10, allow_redirects=follow_redirects, **kwargs
        )
        return Reply(response.status_code, _parsed(response.content),
                     [r.status_code for r in response.history])  # fmt: skip
    if transport in ("httpx", "httpx-async"):
        if body is not None:
            kwargs["content"] = body
        return _httpx(transport, HttpxAuth(auth), method, url, follow=follow_redirects, **kwargs)
    if body is not None:
        kwargs["content"] = body
    return _signed(auth, method, url, **kwargs)


def _httpx(
    transport: str, auth: HttpxAuth, method: str, url: str, *, follow: bool, **kwargs: Any
) -> Reply:
    def reply(response: httpx.Response) -> Reply:
        return Reply(response.status_code, _parsed(response.content),
                     [r.status_code for r in response.history])  # fmt: skip

    if transport == "httpx":
        with httpx.Client(follow_redirects=follow, timeout=10) as client:
            return reply(client.request(method, url, auth=auth, **kwargs))

    async def go() -> Reply:
        async with httpx.AsyncClient(follow_redirects=follow, timeout=10) as client:
            return reply(await client.request(method, url, auth=auth, **kwargs))

    return asyncio.run(go())


def signed_request(  # the same keywords as send()
    auth: Any,
    method: str,
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    json: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> SignedRequest:
    """What ``sign()`` makes of a request given as the clients take it."""
    all_headers, body = dict(headers or {}), content
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    if json is not None:
        body = jsonlib.dumps(json).encode()
        all_headers.setdefault("Content-Type", "application/json")
    elif data:
        body = urlencode(data).encode()
        all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return auth.sign(method, url, headers=all_headers, body=body)


def _signed(auth: Any, method: str, url: str, **kwargs: Any) -> Reply:
    """``sign()``, then the signed bytes sent as they are by http.client."""
    with signed_request(auth, method, url, **kwargs) as signed:
        parts = urlsplit(signed.url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request(signed.method, target, signed.body, signed.headers)
            response = connection.getresponse()
            return Reply(response.status, _parsed(response.read()))
        finally:
            connection.close()
