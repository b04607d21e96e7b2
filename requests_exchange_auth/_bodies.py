"""Body policies: which bodies a scheme signs, read without re-encoding (DESIGN.md #3).

Each policy reads ``draft.body`` as the client prepared it and either returns the text
or bytes to sign or raises :class:`UnsignableRequestError` naming the fix, before
anything is sent. Streams (files, generators) are refused unread: they can be read only
once, and the signature must cover the exact bytes sent. Writing a body back keeps
``Content-Type`` and ``Content-Length`` right even when an auth is called directly.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from ._draft import Draft
from .exceptions import UnsignableRequestError

__all__ = [
    "FORM",
    "GET_ONLY",
    "JSON",
    "any_body",
    "form_text",
    "json_body",
    "media_type",
    "no_body",
    "set_body",
    "set_form_text",
]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# a tuple, not ``bytes | str``: that would build a union object on every request
_TEXT_TYPES = (bytes, str)
#: the ``query_only`` of most JSON schemes: a GET's parameters go in the query
GET_ONLY = ("GET",)


def media_type(headers: MutableMapping[str, str]) -> str | None:
    """The request's media type, lower-case and without parameters; ``None`` if unset."""
    try:  # not .get(): for requests' headers that is one more Python call per request
        value = headers["Content-Type"]
    except KeyError:
        return None
    if value in (FORM, JSON):  # what requests writes for data=/json=
        return value
    return str(value).partition(";")[0].strip().lower()


def _refuse_stream(body: object, who: str) -> None:
    if body is not None and not isinstance(body, _TEXT_TYPES):
        msg = (
            f"{who} cannot sign a {type(body).__name__} body: a stream, file or "
            "generator can only be read once, and the signature must cover the exact "
            "bytes sent. Pass the body as a dict, str or bytes instead; nothing was sent."
        )
        raise UnsignableRequestError(msg)


# -- form bodies ---------------------------------------------------------------------------


def form_text(draft: Draft, who: str) -> str | None:
    """The body as form text, or ``None`` when there is none.

    Accepts what a client makes of ``data={...}`` and a ``str``/``bytes`` body that is
    already percent-encoded ASCII; refuses JSON, multipart, streams and raw non-ASCII.
    Sets ``Content-Type`` to the form type if absent, as :func:`json_body` does for JSON.
    """
    body = draft.body
    if body is None:  # the common case of a GET: no header to look at
        return None
    # What requests makes of data={...}, with nothing more to check. Not mutated: a
    # shortcut to what the checks below return for it.
    plain = type(body) is str and body.isascii()  # pragma: no mutate
    if plain and body and media_type(draft.headers) == FORM:  # pragma: no mutate
        return body  # type: ignore[return-value]  # plain: it is a str
    _refuse_stream(body, who)
    if not body:
        return None
    kind = media_type(draft.headers)
    if kind not in (None, FORM):
        msg = (
            f"{who} signs form bodies only ({FORM}), but this request's Content-Type is "
            f"{kind!r}. Send the parameters as data={{...}} or params={{...}} instead of "
            "json= or files=; nothing was sent."
        )
        raise UnsignableRequestError(msg)
    text = body.decode("latin-1") if isinstance(body, bytes) else str(body)
    if not text.isascii():
        msg = (
            f"{who} needs a percent-encoded form body, but this body holds raw non-ASCII "
            "characters (the exchange rejects unencoded payloads). Pass the parameters "
            "as data={...} and the client encodes them; nothing was sent."
        )
        raise UnsignableRequestError(msg)
    if kind is None and text.lstrip()[:1] in ("{", "["):
        msg = (
            f"{who} signs form bodies only, but this body looks like JSON. Send the "
            "parameters as data={...} (a JSON value goes inside one parameter); nothing "
            "was sent."
        )
        raise UnsignableRequestError(msg)
    if kind is None:
        draft.headers["Content-Type"] = FORM
    return text


def set_form_text(draft: Draft, text: str) -> None:
    """Write form text back as the body, keeping its type (``str`` or ``bytes``).

    Called after :func:`form_text`, which gave a body it accepted a Content-Type.
    ``text`` is ASCII (form text plus ASCII parameters), so its length in characters is
    its length in bytes. A request that had no body had no real Content-Type either (a
    session default, say): the body is all ours, so it gets the form type
    (DESIGN.md #3: Content-Type is right even when the auth is called directly).
    """
    had_body = bool(draft.body)
    draft.body = text.encode() if isinstance(draft.body, bytes) else text
    headers = draft.headers
    if not had_body:
        headers["Content-Type"] = FORM
    headers["Content-Length"] = str(len(text))


# -- JSON and raw bodies ----------------------------------------------------------------


def any_body(draft: Draft, who: str) -> bytes:
    """The exact body bytes, for schemes that hash any body (JSON, form or other).

    A non-ASCII ``str`` body is written back as the UTF-8 bytes that were hashed: left
    as ``str``, http.client would send it as Latin-1.
    """
    body = draft.body
    if type(body) is bytes:  # what requests and httpx make of json= and data=
        return body
    _refuse_stream(body, who)
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    data = str(body).encode()  # UTF-8, of a str: _refuse_stream let nothing else through
    if len(data) != len(str(body)):
        set_body(draft, data)
    return data


def json_body(draft: Draft, who: str, query_only: tuple[str, ...] = ()) -> bytes:
    """The exact bytes of a JSON body (``b""`` when there is none), signed verbatim.

    Refuses a form, multipart or other non-JSON Content-Type, and a body without one
    that does not look like JSON; sets ``Content-Type: application/json`` if absent. A
    method in ``query_only`` (``GET_ONLY``, say) may carry no body at all: its
    parameters go in the query.
    """
    if draft.method in query_only:
        no_body(draft, who)
        return b""
    data = draft.body
    if type(data) is not bytes:  # json= gives bytes in requests and httpx; the rest is rare
        data = any_body(draft, who)
    if not data:
        return data
    kind = media_type(draft.headers)
    if kind == JSON or (kind is not None and kind.endswith("+json")):
        return data
    if kind is None and data.lstrip()[:1] in (b"{", b"["):
        draft.headers["Content-Type"] = JSON
        return data
    shown = kind or "none, and it does not look like JSON"
    msg = (
        f"{who} signs JSON bodies only, but this request's Content-Type is {shown!r}. "
        "Send the parameters as json={...} (or params={...} on a GET); nothing was sent."
    )
    raise UnsignableRequestError(msg)


def no_body(draft: Draft, who: str) -> None:
    """Refuse any body: the scheme signs the query alone."""
    body = draft.body
    _refuse_stream(body, who)
    if body:
        msg = (
            f"{who} signs query parameters only, and this request has a body. Pass the "
            "parameters as params={...} (they go in the query, signed); nothing was sent."
        )
        raise UnsignableRequestError(msg)


def set_body(draft: Draft, data: bytes) -> None:
    """Replace the body with ``data`` and its Content-Length."""
    draft.body = data
    draft.headers["Content-Length"] = str(len(data))
