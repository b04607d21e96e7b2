"""Binance Mini Program Open Service: a JWT over a canonical-request digest.

Specification: ``specs/binance-open-api-jwt.md``; section numbers below refer to it.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import any_body
from .._draft import Draft
from .._retry import Answer, Attempt
from .._signing import JwtSigner, require, sha256_hex
from .._time import Clock
from .._timed import TimedAuth
from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

TOKEN_HEADER = "X-Mp-Open-Api-Token"  # noqa: S105  # a header name, not a password
_UNRESERVED = "-_.~"  # RFC 3986 unreserved, besides letters and digits (§2 step 3)
# A component made only of unreserved characters decodes and re-encodes to itself, so
# it skips the (comparatively slow) unquote/quote round trip.
_PLAIN = re.compile(r"[A-Za-z0-9._~-]*").fullmatch
# An ASCII query component whose escapes all decode to ASCII is re-encoded token by
# token: each %XX escape or reserved character maps to its canonical form. Escapes of
# bytes >= 0x80 (UTF-8, maybe invalid) take the full unquote/quote path.
_HIGH_ESCAPE = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]").search
_TOKEN = re.compile(r"%[0-7][0-9A-Fa-f]|[^A-Za-z0-9._~-]")


def _canonical_char(char: str) -> str:
    # Runs only while the module is imported, to build the table below: mutmut cannot
    # switch a mutant on that early; the table is tested through canonical_query.
    return char if _PLAIN(char) else f"%{ord(char):02X}"  # pragma: no mutate


_CANONICAL = {chr(c): _canonical_char(chr(c)) for c in range(128)}
_CANONICAL["+"] = "%20"  # unquote_plus: a raw + is a space
_CANONICAL.update(
    {
        f"%{hi}{lo}": _canonical_char(chr(int(hi + lo, 16)))
        for hi in "01234567"
        for lo in "0123456789ABCDEFabcdef"
    }
)
_EMPTY_BODY_SHA256 = sha256_hex(b"")


def _encode(text: str) -> str:
    """Percent-encode UTF-8 bytes outside the unreserved set, hex upper-case (§2 step 3)."""
    return quote(text, safe=_UNRESERVED)


def _segment(raw: str) -> str:
    return raw if _PLAIN(raw) else _encode(unquote(raw))


def _component(raw: str) -> str:
    """``_encode(unquote_plus(raw))``, with shortcuts for the common ASCII components."""
    if _PLAIN(raw):
        return raw
    if raw.isascii() and not _HIGH_ESCAPE(raw):
        return _TOKEN.sub(_canonical_token, raw)
    return _encode(unquote_plus(raw))


def _canonical_token(match: re.Match[str]) -> str:
    return _CANONICAL[match.group()]


def _canonical_uri(path: str) -> str:
    """§2 step 2: normalised absolute path, each segment re-encoded, one trailing ``/``."""
    path = posixpath.normpath("/" + path) if path else "/"
    path = "/" + path.lstrip("/")  # normpath keeps a leading "//"; the URI has one root
    segments = [_segment(segment) for segment in path.split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


# A client calls a handful of endpoints over and over; the path's canonical form is a
# pure function of it, so a bounded cache saves the normalisation on every request
# (wrapped, not decorated: mutmut skips a decorated function, docs/contributing.rst).
canonical_uri = functools.lru_cache(maxsize=256)(_canonical_uri)  # pragma: no mutate


def canonical_query(query: str) -> str:
    """§2 step 3: decode the wire query, re-encode, sort by name then value, join with ``&``."""
    pairs = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((_component(name), _component(value)))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def canonical_request(method: str, url: str, body: bytes) -> str:
    """The four-line canonical request of §2, from the request exactly as sent."""
    parts = urlsplit(url)
    return "\n".join(
        (
            method.upper(),
            canonical_uri(parts.path),
            canonical_query(parts.query),
            sha256_hex(body) if body else _EMPTY_BODY_SHA256,
        )
    )


class OpenApiOptions(AuthOptions, total=False):
    """The keyword options of :class:`BinanceOpenApiJwtAuth`."""

    clock: Clock | None
    unit: Literal["s", "ms"]


class BinanceOpenApiJwtAuth(TimedAuth):
    """Attaches a Binance Open Service JWT (``X-Mp-Open-Api-Token``) to the given Request object.

    The token is HS256 over ``{"iss": access_key_id, "dig": …, "ts": …}``, where ``dig``
    is the SHA-256 of the canonical request (§2-3); URL and body are left untouched, so
    re-signing only replaces the header. Any ``str`` or ``bytes`` body (JSON, form,
    multipart) is hashed as sent; streams are refused.

    :param access_key_id: the access key id (AK).
    :param secret_key: the secret key (SK), used as its literal bytes.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`).
    :param unit: unit of the ``ts`` claim, ``"s"`` (default, §3) or ``"ms"``.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.
    :raises MissingDependencyError: when PyJWT (the ``jwt`` extra) is not installed.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0 ``ts_unit`` is now ``unit``; :meth:`sign`.
    """

    owned_headers = (TOKEN_HEADER,)
    env_prefix = "BINANCE_OPEN_API"
    key_param = "access_key_id"
    units = ("s", "ms")

    def __init__(
        self,
        access_key_id: str | bytes,
        secret_key: str | bytes,
        *,
        clock: Clock | None = None,
        unit: Literal["s", "ms"] = "s",
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(access_key_id, clock=clock, unit=unit, **options)
        jwt = require("jwt", extra="jwt", feature="BinanceOpenApiJwtAuth")
        secret = _credentials.secret(secret_key, "secret_key")
        try:  # PyJWT checks the key here, once, rather than on every token
            self._signer = JwtSigner(secret)
        except jwt.InvalidKeyError as exc:
            msg = (
                "secret_key looks like public-key material (PEM, SSH or DER), which PyJWT "
                "refuses as an HMAC secret; pass the Open Service secret key (SK) instead."
            )
            raise ConfigurationError(msg) from exc

    def _sign(self, draft: Draft) -> None:
        """§3: the claims over the canonical request's digest, HS256, in the header."""
        body = any_body(draft, "BinanceOpenApiJwtAuth")
        canonical = canonical_request(draft.method, draft.url, body)
        claims = {
            "iss": self._api_key,
            "dig": sha256_hex(canonical.encode()),
            "ts": self._timestamp(),
        }
        draft.headers[TOKEN_HEADER] = self._signer.token(claims)

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: the Open Service answers its errors with HTTP 200 and a
        ``code``, none documented as "not acted on"; 900003 (an unexpected error) leaves
        the outcome unknown, and a 200 is never retried either way."""
        return None

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[OpenApiOptions],
        ) -> Self: ...  # fmt: skip

        @classmethod
        def from_file(
            cls, path: str | os.PathLike[str], **options: Unpack[OpenApiOptions]
        ) -> Self: ...
