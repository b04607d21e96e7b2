"""The transport-neutral request a scheme signs, and the signed result :meth:`sign` returns.

A scheme module sees only a :class:`Draft`: the method, the URL exactly as it goes on
the wire (already percent-encoded), the headers as a case-insensitive mutable mapping,
and the body as the client prepared it. The adapters build one from their own request
object (a ``requests.PreparedRequest``, an ``httpx.Request``, or the arguments of
``sign()``) and write the result back (DESIGN.md, "Architecture": the adapters are thin).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Draft", "Headers", "SignedRequest"]


class Headers(MutableMapping[str, str]):
    """A case-insensitive header mapping that keeps the spelling and order it was given.

    ``sign()`` uses it where no HTTP client supplies one (requests has
    ``CaseInsensitiveDict``, httpx its ``Headers``; the scheme modules import neither).
    """

    __slots__ = ("_items",)

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in (headers or {}).items():
            self[name] = value

    def __setitem__(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __delitem__(self, name: str) -> None:
        del self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


class Draft:
    """One request being signed: what a scheme module reads and edits in place.

    :param method: the HTTP method, upper-case.
    :param url: the whole URL as it goes on the wire (query percent-encoded).
    :param headers: the request's own case-insensitive header mapping, edited in place.
    :param body: the body as prepared: ``str``, ``bytes``, ``None``, or whatever else the
        client was given (a stream, which every body policy refuses unread).
    """

    __slots__ = ("body", "headers", "hold", "method", "url")

    def __init__(
        self, method: str, url: str, headers: MutableMapping[str, str], body: object
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        #: an :class:`~requests_exchange_auth.OrderedNonce` hold taken while signing; the
        #: adapter releases it when the request is over (DESIGN.md #7, ordered mode)
        self.hold: Any = None


@dataclass(frozen=True)
class SignedRequest:
    """A signed request for any HTTP client: send exactly these bytes, as they are.

    Returned by every auth's ``sign()``. Send the URL without re-encoding it (aiohttp:
    ``yarl.URL(signed.url, encoded=True)``), the headers as given and the body bytes.

    A request signed with an :class:`~requests_exchange_auth.OrderedNonce` holds the
    nonce order until :meth:`release` (or the end of a ``with`` block, or garbage
    collection): release it as soon as the response is back or the send failed, or, with
    ``OrderedNonce(release="sent")``, as soon as the request's bytes are written.

    .. versionadded:: 0.3.0
    """

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    _finalizer: weakref.finalize[[], None] | None = field(default=None, repr=False, compare=False)
    _hold: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, draft: Draft, body: bytes | None) -> SignedRequest:
        """The signed result of ``draft`` (its body already as bytes)."""
        signed = cls(draft.method, draft.url, dict(draft.headers.items()), body)
        hold = draft.hold
        if hold is not None:  # garbage-collected unreleased: abandoned (no I/O in a finalizer)
            object.__setattr__(signed, "_finalizer", weakref.finalize(signed, hold.abandon))
            object.__setattr__(signed, "_hold", hold)
        return signed

    def __repr__(self) -> str:
        # DESIGN.md #6: no signature shown, and it may sit in the query or any header
        path = self.url.partition("?")[0]
        size = "no body" if self.body is None else f"{len(self.body)}-byte body"
        return f"<SignedRequest {self.method} {path} headers={sorted(self.headers)} {size}>"

    def release(self) -> None:
        """Give back the nonce order this request holds, if any (once; later calls do nothing)."""
        if self._finalizer is not None and self._finalizer.detach() is not None:
            self._hold.release()

    def __enter__(self) -> SignedRequest:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
