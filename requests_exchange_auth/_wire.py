"""The only code that reads or edits a :class:`requests.PreparedRequest`.

requests runs an auth after ``prepare_url`` and ``prepare_body`` (requests/models.py,
``prepare``), so ``r.url`` and ``r.body`` here are the bytes that go on the wire: they
are split and joined as text, never decoded and re-encoded
(binance-signed-requests.md §3 "sign the exact bytes that go on the wire", §7).
"""

from __future__ import annotations

import ipaddress
import logging
import weakref
from collections.abc import Callable, Collection
from typing import Literal
from urllib.parse import urljoin, urlsplit

from requests import PreparedRequest, Response
from requests.models import REDIRECT_STATI

from .exceptions import CrossOriginRedirectError, InsecureTransportError, UnsignableRequestError

log = logging.getLogger("requests_exchange_auth")

FORM = "application/x-www-form-urlencoded"
RedirectPolicy = Literal["strip", "raise"]
_DEFAULT_PORTS = {"http": 80, "https": 443}
# the usual loopback hosts, recognised without parsing an address
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "::1"})
# requests keeps the body (and our signature in it) on these redirects (sessions.py,
# resolve_redirects); on the others it drops the body itself.
_BODY_KEEPING_REDIRECTS = frozenset({307, 308})


# -- the URL ---------------------------------------------------------------------------


def split_url(url: str) -> tuple[str, str, str]:
    """Split a prepared URL into (everything before ``?``, raw query, ``#fragment``)."""
    rest, hash_, fragment = url.partition("#")
    base, _, query = rest.partition("?")
    return base, query, hash_ + fragment


def join_url(base: str, query: str, fragment: str) -> str:
    """Inverse of :func:`split_url`; an empty query leaves no dangling ``?``."""
    return f"{base}?{query}{fragment}" if query else base + fragment


# -- parameters inside a raw query or form body -------------------------------------


def has_param(part: str, name: str) -> bool:
    """Whether the raw ``a=1&b=2`` text carries a parameter called ``name``."""
    if name not in part:  # the common case, without splitting the text
        return False
    return any(piece.partition("=")[0] == name for piece in part.split("&"))


def remove_params(part: str, names: Collection[str]) -> str:
    """Drop every ``name=…`` piece for the given raw names, keeping all else byte for byte."""
    for name in names:
        if name in part:
            return "&".join(p for p in part.split("&") if p.partition("=")[0] not in names)
    return part  # the common case: no name occurs at all, so there is nothing to drop


def replace_param(part: str, piece: str) -> str | None:
    """Put ``name=value`` in place of the first ``name=…`` piece and drop any later ones.

    :returns: the new text, or ``None`` when ``part`` has no such parameter.
    """
    name = piece.partition("=")[0]
    if name not in part:  # the common case: nothing to replace
        return None
    pieces, found = [], False
    for p in part.split("&"):
        if p.partition("=")[0] != name:
            pieces.append(p)
        elif not found:
            pieces.append(piece)
            found = True
    return "&".join(pieces) if found else None


def append_param(part: str, piece: str) -> str:
    """Append ``name=value`` to raw query or body text."""
    return f"{part}&{piece}" if part else piece


# -- the body ---------------------------------------------------------------------------


def _media_type(r: PreparedRequest) -> str | None:
    value = r.headers.get("Content-Type")
    if value is None:
        return None
    if value == FORM:  # what requests itself writes for data={...}
        return FORM
    return str(value).partition(";")[0].strip().lower()


def _refuse_stream(r: PreparedRequest, scheme: str) -> None:
    if r.body is not None and not isinstance(r.body, (bytes, str)):
        msg = (
            f"{scheme} cannot sign a {type(r.body).__name__} body: a stream, file or "
            "generator can only be read once, and the signature must cover the exact "
            "bytes sent. Pass data= as a dict, str or bytes instead; nothing was sent."
        )
        raise UnsignableRequestError(msg)


def form_body(r: PreparedRequest, scheme: str) -> str | None:
    """The body as form text, or None when there is none (body policy, DESIGN.md #3).

    Accepts what requests makes of ``data=dict`` and a ``str``/``bytes`` body that is
    already percent-encoded ASCII; refuses JSON, multipart, streams and raw non-ASCII.
    """
    body = r.body
    if body is None:  # the common case of a GET: no header to look at
        return None
    _refuse_stream(r, scheme)
    if not body:
        return None
    media_type = _media_type(r)
    if media_type not in (None, FORM):
        msg = (
            f"{scheme} signs form bodies only ({FORM}), but this request's Content-Type "
            f"is {media_type!r}. Send the parameters as data={{...}} or params={{...}} "
            "instead of json= or files=; nothing was sent."
        )
        raise UnsignableRequestError(msg)
    text = body.decode("latin-1") if isinstance(body, bytes) else body
    if not text.isascii():
        msg = (
            f"{scheme} needs a percent-encoded form body, but this body holds raw "
            "non-ASCII characters (the exchange rejects unencoded payloads). Pass the "
            "parameters as data={...} and requests encodes them; nothing was sent."
        )
        raise UnsignableRequestError(msg)
    if media_type is None and text.lstrip()[:1] in ("{", "["):
        msg = (
            f"{scheme} signs form bodies only, but this body looks like JSON. Send the "
            "parameters as data={...} (a JSON value goes inside one parameter); "
            "nothing was sent."
        )
        raise UnsignableRequestError(msg)
    return text


def set_form_body(r: PreparedRequest, text: str) -> None:
    """Write form text back as the body, keeping its type and the framing headers right.

    ``text`` is ASCII (it comes from :func:`form_body` plus ASCII parameters), so its
    length in characters is its length in bytes: Content-Length is written directly,
    without ``prepare_content_length``'s generic probing (which would also leave a stale
    length in place for an empty body).
    """
    r.body = text.encode("ascii") if isinstance(r.body, bytes) else text
    headers = r.headers
    if "Content-Type" not in headers:
        headers["Content-Type"] = FORM
    # urllib3 2 sends a str body as UTF-8; the ASCII case needs no encoding to count.
    headers["Content-Length"] = str(len(text) if text.isascii() else len(text.encode()))


def raw_body(r: PreparedRequest, scheme: str) -> bytes:
    """The exact body bytes, for schemes that hash any body (JSON, form or other).

    A ``str`` body is written back as UTF-8 bytes when it is not ASCII: left as ``str``,
    http.client would send it as Latin-1, which is not what was hashed.
    """
    _refuse_stream(r, scheme)
    body = r.body
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    data = body.encode("utf-8")
    if len(data) != len(body):
        r.body = data
        r.prepare_content_length(data)
    return data


# -- transport and redirects -------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str, *, allow_insecure_http: bool) -> None:
    """Refuse to sign for plain http unless the host is loopback or the caller opted in."""
    if url.startswith("https://"):  # the common case, without parsing the URL
        return
    parts = urlsplit(url)
    if parts.scheme == "https" or allow_insecure_http:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return
    msg = (
        f"refusing to sign a request to {parts.scheme}://{parts.hostname}: credentials "
        "and signed payloads would travel unencrypted. Use an https:// URL, or pass "
        "allow_insecure_http=True to the auth if this host is trusted; nothing was sent."
    )
    raise InsecureTransportError(msg)


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with default ports filled in, as RFC 6454 compares them."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(scheme)


def _show(o: tuple[str, str, int | None]) -> str:
    return f"{o[0]}://{o[1]}:{o[2]}"


class RedirectGuard:
    """A response hook that keeps credentials from following a cross-origin redirect.

    requests strips only ``Authorization`` on such a redirect (sessions.py,
    ``rebuild_auth``); our headers, and on a 307/308 the signed body, would follow it.
    The hook runs on the redirect response before requests builds the next request
    from ``response.request``, so cleaning that request here cleans the next hop.
    Hooks cannot see ``allow_redirects``: with ``"raise"``, a cross-origin redirect
    response raises even when the caller would not have followed it (e.g. ``HEAD``).
    """

    def __init__(self, headers: tuple[str, ...], policy: RedirectPolicy) -> None:
        self.headers = headers
        self.policy = policy

    def install(self, r: PreparedRequest) -> None:
        """Register on ``r`` once, however often the request is re-signed."""
        hooks = r.hooks.setdefault("response", [])
        for hook in hooks:
            if isinstance(hook, RedirectGuard):
                return
        hooks.append(self)

    def __call__(self, response: Response, *args: object, **kwargs: object) -> None:
        request = response.request
        # The status code rules out almost every response; is_redirect alone would look
        # up "location" first, through a KeyError when there is none.
        if response.status_code not in REDIRECT_STATI:
            return
        if not response.is_redirect or request.url is None:
            return
        source = origin(request.url)
        target = origin(urljoin(request.url, response.headers["location"]))
        if source == target:
            return
        where = f"from {_show(source)} to {_show(target)}"
        if self.policy == "raise":
            msg = (
                f"the server redirected ({response.status_code}) a signed request {where}; "
                "it was not followed because the credentials would go with it. Call the "
                "new URL yourself, or pass on_cross_origin_redirect='strip' to follow it "
                "unsigned."
            )
            # Read the (small) redirect body so the connection goes back to the pool, as
            # requests does for every redirect it follows (sessions.py, resolve_redirects).
            _ = response.content
            raise CrossOriginRedirectError(msg, response=response)
        for name in self.headers:
            request.headers.pop(name, None)
        if response.status_code in _BODY_KEEPING_REDIRECTS and request.body is not None:
            request.body = None
            for name in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                request.headers.pop(name, None)
        log.warning("removed credentials from a request redirected %s", where)


# -- ordered nonces ----------------------------------------------------------------------


class _Release:
    """A response hook that runs a release once: at the first response, or never twice."""

    def __init__(self, finalizer: weakref.finalize[[], PreparedRequest]) -> None:
        self.finalizer = finalizer

    def __call__(self, response: Response, *args: object, **kwargs: object) -> None:
        self.finalizer()  # a dead finalizer does nothing, so later hops cannot release twice


def release_when_done(r: PreparedRequest, release: Callable[[], None]) -> None:
    """Run ``release`` once, as soon as one of these happens (whichever comes first):

    - a response to ``r`` arrives (a response hook, put first so that a hook that raises
      after it cannot keep ``release`` from running);
    - :func:`release_now` runs for ``r`` (``OrderedAdapter`` does, when a send raises:
      requests calls no hook then);
    - ``r`` is garbage-collected (a request that was prepared and dropped);
    - ``r`` is signed again (its earlier send is over).
    """
    hooks = r.hooks.setdefault("response", [])
    for hook in [hook for hook in hooks if isinstance(hook, _Release)]:
        hooks.remove(hook)
        hook.finalizer()
    hooks.insert(0, _Release(weakref.finalize(r, release)))


def release_now(r: PreparedRequest) -> None:
    """Run the release registered for ``r`` by :func:`release_when_done`, if still pending."""
    for hook in r.hooks.get("response", []):
        if isinstance(hook, _Release):
            hook.finalizer()
