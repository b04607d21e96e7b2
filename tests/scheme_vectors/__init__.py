"""Each registered scheme's spec vectors, in one shape every transport test can send.

One module per registry id (``-`` spelt ``_``): ``scheme_vectors/kraken_futures.py`` holds
``VECTORS``, a tuple of :class:`WireVector`. The contract tests load the module of every
registered scheme and fail when one is missing, so a new scheme cannot go untested.

Nothing here imports an HTTP client: the no-requests test signs these vectors with
requests and httpx made unimportable.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class WireVector:
    """A spec vector: a request, the auth that signs it (fixed clock or nonce), and the
    exact request that must go on the wire.

    :param id: the spec's name for it (``"H1"``).
    :param make_auth: builds the auth, with the vector's clock or nonce.
    :param method: the HTTP method.
    :param url: the URL before signing, query percent-encoded as the client sends it.
    :param body: the body before signing (``None``: no body).
    :param headers: request headers before signing (a body's Content-Type).
    :param target: the request target after signing (path and query), as sent.
    :param signed_body: the body after signing, as sent.
    :param signed_headers: headers the auth must have set, with their exact values.
    :param account: the credentials the exchange checks with, as the verifier takes them.
    :param now_ns: the server's time at which the vector is valid.
    """

    id: str
    make_auth: Callable[[], Any]
    method: str
    url: str
    target: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    signed_body: bytes | None = None
    signed_headers: Mapping[str, str] = field(default_factory=dict)
    account: Mapping[str, Any] = field(default_factory=dict)
    now_ns: int = 0

    @property
    def path(self) -> str:
        """The URL's path and query (what a local server is sent)."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


def vectors_of(scheme_id: str) -> tuple[WireVector, ...]:
    """The vectors of a registered scheme; ImportError when its module is missing."""
    module = importlib.import_module(f"scheme_vectors.{scheme_id.replace('-', '_')}")
    found: tuple[WireVector, ...] = module.VECTORS
    return found


def fixed(value: int) -> Callable[[], int]:
    """A clock or nonce that always answers ``value`` (a named function: it pickles)."""
    return _Fixed(value)


class _Fixed:
    def __init__(self, value: int) -> None:
        self.value = value

    def __call__(self) -> int:
        return self.value
