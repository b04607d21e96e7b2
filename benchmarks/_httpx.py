"""httpx: ``HttpxAuth`` per call, and end to end on one keep-alive Client and AsyncClient.

Per call, for each scheme: the adapter's flow on an unsigned ``httpx.Request`` (sign,
yield the signed copy, close the flow), next to ``auth.sign()`` on the same wire form
and to the requests path (in ``_cases``). The control is httpx building the signed
request once, with ``content=`` the signed body: the adapter has to build that copy
(an httpx request's URL and body cannot be rewritten in place), so the flow minus
``sign()`` minus that build is the adapter's own glue.

End to end, as ``_endtoend`` does for requests: the same local exchange in its own
process, one ``httpx.Client`` and one ``httpx.AsyncClient`` (on an event loop of its
own), each alternating request by request between ``httpx.Auth()`` (httpx's no-op
auth) and ``HttpxAuth(auth)``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from _cases import Scheme
from _harness import Case, alternating, async_alternating, statement

try:
    import httpx

    from requests_exchange_auth.httpx import HttpxAuth
except ImportError:  # the httpx extra
    httpx = None  # type: ignore[assignment]
    MISSING = "skipped: httpx not installed (pip install httpx)"
else:
    MISSING = ""

FLOW = "flow = auth_flow(request)\nnext(flow)\nflow.close()"
BUILD = "Request(method, url, headers=headers, content=body)"


def call_cases(scheme: Scheme) -> list[Case]:
    """The adapter's flow on an unsigned httpx.Request, and httpx building the signed one."""
    if httpx is None:
        return []
    request = httpx.Request(scheme.rows.request.method, scheme.url(), **scheme.kwargs())
    signed = scheme.signed_once
    build = {
        "Request": httpx.Request,
        "method": signed.method,
        "url": signed.url,
        "headers": signed.headers,
        "body": signed.body,
    }
    flow = {"auth_flow": HttpxAuth(scheme.auth).sync_auth_flow, "request": request}
    return [
        Case(f"httpx.build.{scheme.id}", statement(BUILD, build)),
        Case(f"httpx.auth.{scheme.id}", statement(FLOW, flow)),
    ]


def endtoend_cases(
    base_url: str, schemes: list[Scheme]
) -> tuple[list[Case], list[Callable[[], None]]]:
    """Per scheme: httpx's no-op auth and ours, alternating, sync and async; and closers."""
    if httpx is None:
        return [], []
    client = httpx.Client(trust_env=False)
    loop = asyncio.new_event_loop()
    aclient = httpx.AsyncClient(trust_env=False)
    found = []
    for scheme in schemes:
        method, url, kwargs = scheme.rows.request.method, scheme.url(base_url), scheme.kwargs()
        auths: dict[str, Any] = {"noop": httpx.Auth(), "ours": HttpxAuth(scheme.auth)}
        sync = {
            f"hx.{name}.{scheme.id}": functools.partial(
                client.request, method, url, auth=auth, **kwargs
            )
            for name, auth in auths.items()
        }
        aio = {
            f"ahx.{name}.{scheme.id}": functools.partial(
                aclient.request, method, url, auth=auth, **kwargs
            )
            for name, auth in auths.items()
        }
        found += [
            Case(f"hx.{scheme.id}", alternating(sync), weight=16),
            Case(f"ahx.{scheme.id}", async_alternating(aio, loop), weight=16),
        ]

    def close_async() -> None:
        loop.run_until_complete(aclient.aclose())
        loop.close()

    return found, [client.close, close_async]
