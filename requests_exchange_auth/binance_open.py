"""Binance Mini Program Open Service: a JWT over a canonical-request digest, and ``userData``.

Specification: ``specs/binance-open-api-jwt.md``; section numbers below refer to it.
"""

from __future__ import annotations

import base64
import functools
import posixpath
import re
from typing import Any
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from requests import PreparedRequest

from . import _credentials
from ._base import ExchangeAuth
from ._credentials import Clock, StrOrBytes
from ._keys import load_private_key
from ._signing import JwtSigner, require, sha256_hex
from ._wire import RedirectPolicy, raw_body
from .exceptions import ConfigurationError, DecryptionError

TOKEN_HEADER = "X-Mp-Open-Api-Token"  # noqa: S105  # a header name, not a password
_UNRESERVED = "-_.~"  # RFC 3986 unreserved, besides letters and digits (§2 step 3)
_TS_DIVISORS = {"s": 1_000_000_000, "ms": 1_000_000}
# A component made only of unreserved characters decodes and re-encodes to itself, so
# it skips the (comparatively slow) unquote/quote round trip.
_PLAIN = re.compile(r"[A-Za-z0-9._~-]*").fullmatch
# An ASCII query component whose escapes all decode to ASCII is re-encoded token by
# token: each %XX escape or reserved character maps to its canonical form. Escapes of
# bytes >= 0x80 (UTF-8, maybe invalid) take the full unquote/quote path.
_HIGH_ESCAPE = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]").search
_TOKEN = re.compile(r"%[0-7][0-9A-Fa-f]|[^A-Za-z0-9._~-]")


def _canonical_char(char: str) -> str:
    return char if _PLAIN(char) else f"%{ord(char):02X}"


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


# A client calls a handful of endpoints over and over; the path's canonical form is a
# pure function of it, so a bounded cache saves the normalisation on every request.
@functools.lru_cache(maxsize=256)
def canonical_uri(path: str) -> str:
    """§2 step 2: normalised absolute path, each segment re-encoded, one trailing ``/``."""
    path = posixpath.normpath("/" + path) if path else "/"
    path = "/" + path.lstrip("/")  # normpath keeps a leading "//"; the URI has one root
    segments = [_segment(segment) for segment in path.split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


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


class BinanceOpenApiJwtAuth(ExchangeAuth):
    """Attaches a Binance Open Service JWT (``X-Mp-Open-Api-Token``) to the given Request object.

    The token is HS256 over ``{"iss": access_key_id, "dig": …, "ts": …}``, where ``dig``
    is the SHA-256 of the canonical request (§2-3); URL and body are left untouched, so
    re-signing only replaces the header. Any ``str`` or ``bytes`` body (JSON, form,
    multipart) is hashed as sent; streams are refused.

    :param access_key_id: the access key id (AK).
    :param secret_key: the secret key (SK), used as its literal bytes.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`).
    :param ts_unit: unit of the ``ts`` claim, ``"s"`` (default, §3) or ``"ms"``.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument.
    :raises MissingDependencyError: when PyJWT (the ``jwt`` extra) is not installed.

    .. versionadded:: 0.1.0
    """

    headers = (TOKEN_HEADER,)
    env_prefix = "BINANCE_OPEN_API"
    key_param = "access_key_id"

    def __init__(
        self,
        access_key_id: StrOrBytes,
        secret_key: StrOrBytes,
        *,
        clock: Clock | None = None,
        ts_unit: str = "s",
        allow_insecure_http: bool = False,
        on_cross_origin_redirect: RedirectPolicy = "strip",
    ) -> None:
        super().__init__(
            access_key_id,
            allow_insecure_http=allow_insecure_http,
            on_cross_origin_redirect=on_cross_origin_redirect,
        )
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
        self._clock = _credentials.clock(clock)
        if ts_unit not in _TS_DIVISORS:
            msg = f"ts_unit must be 's' (seconds, the default) or 'ms', not {ts_unit!r}."
            raise ConfigurationError(msg)
        self._ts_divisor = _TS_DIVISORS[ts_unit]

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        self._begin(r)
        body = raw_body(r, "BinanceOpenApiJwtAuth")
        canonical = canonical_request(r.method or "GET", r.url or "", body)
        claims = {"iss": self._api_key, "dig": sha256_hex(canonical.encode()), "ts": self._ts()}
        r.headers[TOKEN_HEADER] = self._signer.token(claims)
        return r

    def _ts(self) -> int:
        return _credentials.checked_now(self._clock(), "the ts unit") // self._ts_divisor


def _b64decode_tolerant(data: str | bytes) -> bytes:
    """§5: standard, URL-safe or unpadded base64, whitespace ignored."""
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    text = "".join(text.split()).replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    return base64.b64decode(text, validate=True)


def decrypt_user_data(
    private_key: Any, ciphertext: str | bytes, *, private_key_password: StrOrBytes | None = None
) -> str:
    """Decrypt the ``userData`` of an Open Service response with your RSA private key (§5).

    :param private_key: the RSA private key registered with Binance: PEM ``str``/``bytes``
        or a ``cryptography`` ``RSAPrivateKey``.
    :param ciphertext: base64 text, standard or URL-safe, padded or not.
    :param private_key_password: the password of an encrypted PEM key.
    :returns: the plaintext (an openid, phone number or e-mail address).
    :raises DecryptionError: when the data is not base64 or does not decrypt with this key
        (deliberately without detail: PKCS#1 v1.5 failures must not become an oracle).
    :raises MissingDependencyError: when ``cryptography`` (the ``crypto`` extra) is missing.

    .. versionadded:: 0.1.0
    """
    require("cryptography", extra="crypto", feature="decrypt_user_data")
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = load_private_key(
        private_key, private_key_password, accept=(rsa.RSAPrivateKey,), feature="decrypt_user_data"
    )
    plaintext = _decrypt(key, ciphertext, padding.PKCS1v15())
    # OpenSSL 3.2+ answers a bad PKCS#1 v1.5 ciphertext with pseudo-random bytes
    # ("implicit rejection") instead of an error; userData is an openid, phone number or
    # e-mail address, so anything empty, not UTF-8 or not printable is such an answer.
    if not plaintext or not plaintext.isprintable():
        msg = (
            "userData could not be decrypted: it is not base64, is damaged, or was encrypted "
            "for another key. Pass the userData string as received, and check that "
            "private_key is the key registered for this mini program."
        )
        raise DecryptionError(msg)
    return plaintext


def _decrypt(key: Any, ciphertext: str | bytes, scheme: Any) -> str:
    """Decode and decrypt; any failure comes back as ``""``, leaving no exception attached."""
    try:
        return str(key.decrypt(_b64decode_tolerant(ciphertext), scheme).decode("utf-8"))
    except ValueError:  # binascii.Error, UnicodeDecodeError and decryption failures
        return ""
