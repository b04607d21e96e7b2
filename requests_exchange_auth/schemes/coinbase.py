"""Coinbase Advanced Trade and Coinbase App (CDP keys): a fresh ES256 or EdDSA JWT per request.

Specification: ``specs/coinbase.md``; section numbers below refer to it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import _credentials
from .._auth import AuthOptions
from .._bodies import json_body
from .._coinbase_keys import JwtSigner, load_key
from .._draft import Draft
from .._retry import Answer, Attempt
from .._signing import require
from .._time import Clock
from .._timed import TimedAuth, TimedOptions, TimeEndpoint, endpoint_at
from ..exceptions import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typing_extensions import Self, Unpack

__all__ = ["CoinbaseAuth"]

AUTH_HEADER = "Authorization"
LIFETIME_S = 120  # §5: "Your JWT expires after 2 minutes"
_DEFAULT_PORTS = {"https": ":443", "http": ":80"}


def _server_time(answer: Any) -> object:
    """§5: ``{"epochMillis": "1709005034333", ...}`` (a string on the wire, an int in the SDK)."""
    return int(answer["epochMillis"])


def _key_file(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """``name`` and ``privateKey`` of Coinbase's downloaded key file; ``None`` for another
    shape. Errors never echo the file, and are raised outside the ``except`` blocks."""
    where, problem = os.fspath(path), ""
    try:
        content = json.loads(Path(where).read_bytes().decode("utf-8"))
    except OSError as exc:
        problem = f"cannot read key file {where!r} ({exc.strerror}); check path and permissions."
    except (UnicodeDecodeError, json.JSONDecodeError):
        problem = (
            f"key file {where!r} is not UTF-8 JSON; pass the key file Coinbase's portal "
            'downloaded, {"name": "organizations/…/apiKeys/…", "privateKey": "…"}.'
        )
    if problem:
        raise ConfigurationError(problem)
    if not isinstance(content, dict) or "name" not in content:
        return None
    name, private_key = content.get("name"), content.get("privateKey")
    if not isinstance(name, str) or not isinstance(private_key, str):
        msg = f'key file {where!r} must hold string fields "name" and "privateKey".'
        raise ConfigurationError(msg)
    return name, private_key


def _token_nonce() -> str:
    """§3: 64 hex characters (256 bits) from :mod:`secrets`, as the official SDK sends."""
    return secrets.token_hex(32)


class CoinbaseOptions(TimedOptions, total=False):
    """The keyword options of :class:`CoinbaseAuth`."""

    jwt_nonce: Callable[[], str] | None


class CoinbaseAuth(TimedAuth):
    """Attaches a Coinbase CDP key JWT (``Authorization: Bearer``) to the given Request object.

    Every request gets a new token (§3, §5): header ``alg`` (``ES256`` for an EC P-256
    key, ``EdDSA`` for Ed25519), ``kid`` (the key name), a random ``nonce`` and ``typ``;
    claims ``sub`` (the key name), ``iss`` ``"cdp"``, ``nbf`` (now, in seconds), ``exp``
    (``nbf + 120``) and ``uri``, ``"<METHOD> <host><path>"`` without the query. Neither
    query nor body is signed and neither is changed; bodies must be JSON (or none).
    Serves Advanced Trade (``/api/v3/brokerage/…``) and Coinbase App (``/v2/…``).

    :param api_key_name: the key name: ``organizations/{org_id}/apiKeys/{key_id}`` for
        an ECDSA key, the key id (a UUID) for an Ed25519 key.
    :param private_key: the key file's ``privateKey``: EC PEM (SEC 1 or PKCS#8), the
        portal's base64 Ed25519 key (64 or 32 bytes) or Ed25519 PKCS#8 PEM, as ``str``
        or ``bytes``; literal ``\\n`` escapes are read as newlines. A ``cryptography``
        key object works too. Needs the ``crypto`` and ``jwt`` extras.
    :param clock: Unix time in nanoseconds as an ``int`` (default :func:`time.time_ns`);
        ``nbf`` and ``exp`` come from it. ``CoinbaseAuth.server_clock(url).sync()``
        follows Coinbase's clock (``/api/v3/brokerage/time``).
    :param jwt_nonce: makes each token's ``nonce`` (default: 64 random hex characters
        from :mod:`secrets`); pass a constant only in tests.
    :param retry_invalid_timestamp: on a 401 (Coinbase's one answer to every JWT problem,
        an expired token or ``nbf`` ahead of its clock among them), sync ``clock`` and
        resend once with a fresh token (§6). Needs a server clock.
    :param allow_insecure_http: sign plain ``http://`` requests to non-loopback hosts.
    :param on_cross_origin_redirect: ``"strip"`` (default) or ``"raise"``.
    :raises ConfigurationError: for any invalid argument (an RSA key, an EC curve other
        than P-256, base64 that is not 32 or 64 bytes), naming it but showing no key.
    :raises MissingDependencyError: without ``cryptography`` or PyJWT.

    .. versionadded:: 0.3.0
    """

    exchange = "Coinbase"
    owned_headers = (AUTH_HEADER,)
    env_prefix = "COINBASE"
    credential_fields = ("private_key",)
    # §2: the body is not signed, but §7 step 4 checks its kind (JSON or none), so a
    # stream, which cannot be checked without reading it, is refused as by signing schemes
    signs_body = True
    key_param = "api_key_name"
    units = ("s",)  # §5: nbf = clock() // 10**9
    rejection_statuses = frozenset({401})  # §6: every JWT problem
    time_endpoint = TimeEndpoint(endpoint_at("/api/v3/brokerage/time"), _server_time)

    def __init__(
        self,
        api_key_name: str | bytes,
        private_key: object,
        *,
        clock: Clock | None = None,
        jwt_nonce: Callable[[], str] | None = None,
        retry_invalid_timestamp: bool = False,
        **options: Unpack[AuthOptions],
    ) -> None:
        super().__init__(
            api_key_name, clock=clock, retry_invalid_timestamp=retry_invalid_timestamp, **options
        )
        require("jwt", extra="jwt", feature="CoinbaseAuth")
        if jwt_nonce is not None and not callable(jwt_nonce):
            msg = "jwt_nonce must be a zero-argument callable returning a str; omit it normally."
            raise ConfigurationError(msg)
        self._signer = JwtSigner(load_key(private_key))
        self._nonce = jwt_nonce or _token_nonce

    @property
    def algorithm(self) -> str:
        """``"ES256"`` (EC P-256 key) or ``"EdDSA"`` (Ed25519 key): the tokens' ``alg``."""
        return self._signer.alg

    def _sign(self, draft: Draft) -> None:
        """§7: JSON or no body, the uri of the request as sent, a fresh token."""
        json_body(draft, "CoinbaseAuth")  # §7 step 4: checked, never read for signing
        parts = urlsplit(draft.url)
        host = parts.netloc.rpartition("@")[2]  # §7 step 2: the Host header, no userinfo
        host = host.removesuffix(_DEFAULT_PORTS.get(parts.scheme, "\0"))
        now = self._timestamp()
        claims = {
            "sub": self._api_key,
            "iss": "cdp",  # §10: the official SDK's issuer since 2024-05
            "nbf": now,
            "exp": now + LIFETIME_S,
            "uri": f"{draft.method} {host}{parts.path or '/'}",  # §3: no query, verbatim
        }
        nonce = self._nonce()
        if type(nonce) is not str:
            kind = type(nonce).__name__
            msg = f"jwt_nonce returned {kind}; it must return a str (secrets.token_hex(32))."
            raise ConfigurationError(msg)
        headers = {"kid": self._api_key, "nonce": nonce}
        draft.headers[AUTH_HEADER] = f"Bearer {self._signer.token(claims, headers)}"

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether Coinbase answered 401, its one answer to every JWT problem, an expired
        token or ``nbf`` ahead of its clock among them (§6): it proves nothing was done."""
        return status == 401

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """The general rules: §6 gives every JWT problem one answer, 401 "Unauthorized",
        a result (a bug or a key's configuration; the clock case is
        ``retry_invalid_timestamp``'s); a 429 with ``Retry-After`` is safe, a 5xx unknown."""
        return None

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **options: Unpack[CoinbaseOptions]) -> Self:
        """Build from the JSON key file Coinbase's portal downloads, as it comes:
        ``{"name": "organizations/…/apiKeys/…", "privateKey": "-----BEGIN EC…\\n…"}``
        (other fields are ignored), or the package's ``{"key": …, "private_key": …}``.

        :param options: keyword options passed on to the constructor.
        """
        found = _key_file(path) or _credentials.from_file(path, cls.credential_fields)
        return cls(*found, **options)

    if TYPE_CHECKING:

        @classmethod
        def from_env(
            cls, prefix: str | None = None, *, environ: Mapping[str, str] | None = None,
            **options: Unpack[CoinbaseOptions],
        ) -> Self: ...  # fmt: skip
