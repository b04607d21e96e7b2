"""Editing parameters inside raw ``a=1&b=2`` text (a query or a form body) and URLs.

The text is the client's, already percent-encoded: it is split and joined, never decoded
and re-encoded, so every byte the caller chose stays as it was (DESIGN.md #1). Only
*names* are compared as the server decodes them, so that ``time%73tamp`` is the
``timestamp`` the auth owns (DESIGN.md #2).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from urllib.parse import quote, unquote_plus

from .exceptions import UnsignableRequestError

__all__ = [
    "append_param",
    "decoded_query",
    "has_param",
    "join_url",
    "path_of",
    "place_param",
    "remove_params",
    "replace_param",
    "request_target",
    "split_url",
]


# -- URLs -------------------------------------------------------------------------------


def split_url(url: str) -> tuple[str, str, str]:
    """Split a URL into (everything before ``?``, raw query, ``#fragment``)."""
    if "#" not in url:  # the common case, on every request: one split
        base, _, query = url.partition("?")
        return base, query, ""
    rest, hash_, fragment = url.partition("#")
    base, _, query = rest.partition("?")
    return base, query, hash_ + fragment


def join_url(base: str, query: str, fragment: str) -> str:
    """Inverse of :func:`split_url`; an empty query leaves no dangling ``?``."""
    return f"{base}?{query}{fragment}" if query else base + fragment


def _path_of(url: str) -> str:
    """The raw path of a URL (``/api/v3/order``), as on the request line; ``/`` if none.

    The part before the query that :func:`split_url` returns is a URL too, and the
    cheaper argument when a scheme has split the URL already (and the one remembered:
    it holds no query).
    """
    base = url if "?" not in url and "#" not in url else split_url(url)[0]
    start = base.find("//")
    slash = base.find("/", start + 2 if start >= 0 else 0)
    return base[slash:] if slash >= 0 else "/"


# Remembered per URL (bounded, thread-safe): a client calls a handful of endpoints, so
# nearly every request's path is one seen before, and a hit costs less than the search.
# Wrapped, not decorated: mutmut skips a decorated function (docs/contributing.rst).
path_of = functools.lru_cache(maxsize=256)(_path_of)  # pragma: no mutate  # any size works


def request_target(url: str) -> str:
    """The path and, when there is a query, ``?`` and the query, as on the request line
    (``/api/v5/trade/order?instId=BTC-USDT``, RFC 9112 §3.2.1); never the fragment."""
    if "?" not in url:  # a POST's URL, mostly: the path is all of it (and a fragment is cut)
        return path_of(url)
    base, query, _ = split_url(url)
    path = path_of(base)
    return f"{path}?{query}" if query else path


# -- parameters ---------------------------------------------------------------------------


def _name(piece: str) -> str:
    """A parameter's name as the server reads it: form-decoded when it holds an escape."""
    raw = piece.partition("=")[0]
    # Not mutated: a shortcut; the owned names hold no space, so a name without an escape
    # is one of them exactly when its decoded text is (a "+" decodes to a space).
    return unquote_plus(raw) if "%" in raw else raw  # pragma: no mutate


def _may_hold(part: str, name: str) -> bool:
    """Cheap pre-check: ``name`` can occur only spelled out, or behind an escape."""
    return name in part or "%" in part


def has_param(part: str, name: str) -> bool:
    """Whether the raw text carries a parameter called ``name``."""
    if not _may_hold(part, name):  # the common case, without splitting the text
        return False
    return any(_name(piece) == name for piece in part.split("&"))


def remove_params(part: str, names: Collection[str]) -> str:
    """Drop every ``name=…`` piece for the given names, keeping all else byte for byte."""
    if "%" not in part:  # no escape: a name can occur only spelled out (_may_hold)
        for name in names:  # a loop, not any(): this runs on every request
            if name in part:
                break
        else:
            return part  # the common case: no name occurs at all, so there is nothing to drop
    kept = [piece for piece in part.split("&") if _name(piece) not in names]
    return "&".join(kept)


def replace_param(part: str, piece: str) -> str | None:
    """Put ``name=value`` in place of the first ``name=…`` piece and drop any later ones.

    :returns: the new text, or ``None`` when ``part`` has no such parameter.
    """
    name = piece.partition("=")[0]
    if not _may_hold(part, name):  # the common case: nothing to replace
        return None
    pieces, found = [], False
    for p in part.split("&"):
        if _name(p) != name:
            pieces.append(p)
        elif not found:
            pieces.append(piece)
            found = True
    return "&".join(pieces) if found else None


def append_param(part: str, piece: str) -> str:
    """Append ``name=value`` to raw query or body text."""
    return f"{part}&{piece}" if part else piece


def place_param(query: str, body: str | None, piece: str) -> tuple[str, str | None, bool]:
    """Put ``name=value`` where the caller placed a ``name`` and drop every other copy;
    say whether it was placed. The first one wins, the query's before the body's.

    The auth owns the value, so a stale one is replaced (DESIGN.md #2); the caller may
    own the position: Binance's RSA and Ed25519 examples put ``recvWindow`` after
    ``timestamp`` (binance-signed-requests.md §8), and MEXC signs the same way (mexc.md §7).
    """
    replaced = replace_param(query, piece)
    if replaced is not None:
        name = piece.partition("=")[0]
        return replaced, None if body is None else remove_params(body, (name,)), True
    replaced = None if body is None else replace_param(body, piece)
    if replaced is not None:
        return query, replaced, True
    return query, body, False


# -- a canonical query, for exchanges that verify the decoded parameters -----------------

# Text made only of RFC 3986 unreserved characters decodes and re-encodes to itself.
_PLAIN = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


def _decoded(raw: str) -> str | None:
    """A name or value as a form decoder reads it (``+`` is a space); None if not UTF-8."""
    if _PLAIN(raw):
        return raw
    try:
        return unquote_plus(raw, errors="strict")
    except UnicodeDecodeError:
        return None


def _encoded(text: str) -> str:
    """Every byte outside ``A-Za-z0-9-_.~`` as ``%XX`` (a space too: never ``+``)."""
    # Not mutated: the shortcut gives what quote gives, and quote never escapes a letter
    # (a mutant's safe="XXXX" is safe="").
    return text if _PLAIN(text) else quote(text, safe="")  # pragma: no mutate


def _decoded_query(query: str, *, sort: bool = False) -> tuple[str, str]:
    """The query in one wire form that every server-side decoder reads alike, and its
    decoded text, for exchanges that sign the parameters decoded (Bitget, KuCoin).

    The raw query is read form-style (``+`` is a space, ``%XX`` are UTF-8 bytes), its
    pairs optionally sorted by decoded name (stably), and written back with every byte
    outside ``A-Za-z0-9-_.~`` percent-encoded and a space as ``%20``: RFC 3986 and form
    decoders then both read the decoded text back (bitget.md §5, kucoin.md §5). The wire
    form is a fixed point, so re-signing never changes it again.

    :returns: (the wire query, the decoded ``name=value&...`` text to sign).
    :raises UnsignableRequestError: for an escape that does not decode to UTF-8.
    """
    pairs = []
    for piece in query.split("&"):
        if not piece:
            continue
        raw_name, _, raw_value = piece.partition("=")
        name, value = _decoded(raw_name), _decoded(raw_value)
        if name is None or value is None:
            msg = (
                f"the query parameter {raw_name!r} holds a percent-escape that is not "
                "UTF-8 text, which this exchange cannot decode to verify the signature; "
                "pass the parameters as params={...} (str values); nothing was sent."
            )
            raise UnsignableRequestError(msg)
        pairs.append((name, value))
    if sort:
        pairs.sort(key=_first)
    wire = "&".join(f"{_encoded(name)}={_encoded(value)}" for name, value in pairs)
    return wire, "&".join(f"{name}={value}" for name, value in pairs)


# A client calls a handful of endpoints with the same parameters over and over, and the
# result is a pure function of the query: a bounded cache spares the decoding (wrapped,
# as path_of is, so that mutmut mutates the function).
decoded_query = functools.lru_cache(maxsize=512)(_decoded_query)  # pragma: no mutate


def _first(pair: tuple[str, str]) -> str:
    return pair[0]
