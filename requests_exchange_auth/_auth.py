"""What every auth shares: construction, the signing pipeline, ``sign()``, repr and loaders.

A scheme module subclasses :class:`ExchangeAuth` (or :class:`TimedAuth` /
:class:`NoncedAuth`), declares what it owns, and writes its recipe in ``_sign`` over a
transport-neutral :class:`~requests_exchange_auth._draft.Draft`. The transports come
from the adapters: calling the object signs a ``requests.PreparedRequest``
(``_requests``), :class:`~requests_exchange_auth.httpx.HttpxAuth` wraps it for httpx, and
:meth:`ExchangeAuth.sign` serves every other client.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypedDict, TypeVar
from urllib.parse import urlsplit

from . import _credentials
from ._draft import Draft, Headers, SignedRequest
from ._retry import IDEMPOTENT_METHODS, Answer, Attempt
from ._transport import check_transport
from .exceptions import ConfigurationError, UnsignableRequestError

try:  # a requests auth where requests is installed (always, with this package's install)
    from requests.auth import AuthBase as _AuthBase

    from . import _requests
except ImportError:  # the scheme modules, loaded without requests, still sign via sign()
    _AuthBase = object  # type: ignore[misc,assignment]
    _requests = None  # type: ignore[assignment]

__all__ = ["AuthOptions", "ExchangeAuth", "RedirectPolicy"]

_Self = TypeVar("_Self", bound="ExchangeAuth")
RedirectPolicy = Literal["strip", "raise"]
_POLICIES = ("strip", "raise")


class AuthOptions(TypedDict, total=False):
    """The keyword options every auth takes."""

    allow_insecure_http: bool
    on_cross_origin_redirect: RedirectPolicy


class ExchangeAuth(_AuthBase):
    """Base of the package's auths; a scheme adds its recipe in ``_sign``.

    Holds only immutable configuration, so one object can sign for many threads
    (DESIGN.md #7), and pickles with its credentials (DESIGN.md #6: treat a pickle as
    a secret).
    """

    #: the exchange's name, for messages
    exchange: ClassVar[str] = "the exchange"
    #: headers the scheme adds; a cross-origin redirect strips them (DESIGN.md #4)
    owned_headers: ClassVar[tuple[str, ...]] = ()
    #: the header that carries the API key as it is, if the scheme has one
    key_header: ClassVar[str | None] = None
    #: ``from_env`` reads ``<prefix>_API_KEY`` and one ``<prefix>_API_<FIELD>`` per field
    env_prefix: ClassVar[str]
    #: what ``from_env``/``from_file`` read after the key, passed on in this order
    credential_fields: ClassVar[tuple[str, ...]] = ("secret",)
    #: whether the signature covers the body (then a body it cannot read is refused)
    signs_body: ClassVar[bool] = True
    #: the constructor's name for the key, used in errors and ``repr``
    key_param: ClassVar[str] = "api_key"
    #: whether this auth re-signs and resends once on its exchange's timestamp answer
    resends: bool = False
    #: the HTTP statuses that answer can come with (never a 5xx: DESIGN.md #8)
    rejection_statuses: ClassVar[frozenset[int]] = frozenset()
    #: statuses below 400 whose answers :meth:`retry_answer` reads too (errors in a 200)
    retry_statuses: ClassVar[frozenset[int]] = frozenset()

    def __init__(
        self,
        api_key: str | bytes,
        *,
        allow_insecure_http: bool = False,
        on_cross_origin_redirect: RedirectPolicy = "strip",
    ) -> None:
        if on_cross_origin_redirect not in _POLICIES:
            msg = (
                "on_cross_origin_redirect must be 'strip' (follow without credentials) "
                f"or 'raise' (refuse to follow), not {on_cross_origin_redirect!r}."
            )
            raise ConfigurationError(msg)
        self._api_key = _credentials.api_key(api_key, self.key_param)
        self._allow_insecure_http = bool(allow_insecure_http)
        self._redirect_policy: RedirectPolicy = on_cross_origin_redirect

    @property
    def api_key(self) -> str:
        """The API key (public: it travels in clear in a header)."""
        return self._api_key

    @property
    def redirect_policy(self) -> RedirectPolicy:
        """``"strip"`` or ``"raise"``: what a cross-origin redirect gets (DESIGN.md #4)."""
        return self._redirect_policy

    @property
    def allow_insecure_http(self) -> bool:
        """Whether plain ``http://`` to non-loopback hosts is signed (DESIGN.md #5)."""
        return self._allow_insecure_http

    # -- the pipeline every transport runs ------------------------------------------------

    def _apply(self, draft: Draft) -> None:
        """Check the transport, add the key header, and sign ``draft`` in place.

        An ordered nonce hold taken while signing is released on any error, so a
        request that is never sent never blocks the ones behind it.
        """
        if not draft.url.startswith("https://"):  # the common case needs no check at all
            check_transport(draft.url, allow_insecure_http=self._allow_insecure_http)
        if self.key_header is not None:
            draft.headers[self.key_header] = self._api_key
        try:
            self._sign(draft)
        except BaseException:
            if draft.hold is not None:
                draft.hold.release()
                draft.hold = None
            raise

    def _sign(self, draft: Draft) -> None:
        """The scheme's recipe: read ``draft``, add what it owns, put the signature."""
        raise NotImplementedError

    def carries_credentials(self, headers: Mapping[str, str]) -> bool:
        """Whether a request's headers still carry this auth's credentials: the redirect
        guard strips them on a cross-origin hop, and such a request is never re-signed."""
        if self.key_header is not None:
            return headers.get(self.key_header) == self._api_key
        return bool(self.owned_headers) and headers.get(self.owned_headers[0]) is not None

    def rejects_timestamp(self, status: int, body: bytes) -> bool:
        """Whether an answer is this exchange's "timestamp outside the window" rejection,
        which proves the server did not act on the request (DESIGN.md #8).

        Adapters ask only for a ``status`` in :attr:`rejection_statuses`.
        """
        return False

    def retry_answer(self, attempt: Attempt, status: int, body: bytes) -> Answer | None:
        """What this exchange's error answer says about sending the request again.

        ``Answer.SAFE`` when the exchange documents that it did not act on the request
        (or acting again changes nothing), ``Answer.UNKNOWN`` when the outcome is
        unknown, ``Answer.FINAL`` for a result; ``None`` (the default) leaves it to the
        general rules of :class:`~requests_exchange_auth.SignedRetry`: a 429 or 418
        with ``Retry-After`` is safe, a 5xx unknown, the rest final. Asked only for an
        answer with status 400 or more, or one in :attr:`retry_statuses`.
        """
        return None

    def is_idempotent(self, attempt: Attempt) -> bool:
        """Whether sending ``attempt`` twice has the effect of sending it once (a read).

        ``GET``, ``HEAD`` and ``OPTIONS`` by default; a scheme whose reads are POSTs
        says which. Only ``SignedRetry(idempotent=True)`` asks.
        """
        return attempt.method in IDEMPOTENT_METHODS

    # -- the transports -----------------------------------------------------------------

    @cached_property
    def _redirect_guard(self) -> _requests.RedirectGuard:
        """The redirect guard every request this auth signs gets: one per auth (it holds
        only the auth's immutable policy), built on first use rather than per request."""
        return _requests.RedirectGuard(self)

    if _requests is not None:  # requests' AuthBase contract: the adapter itself, no wrapper
        __call__ = _requests.sign_prepared

    def sign(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> SignedRequest:
        """Sign a request for any HTTP client and return what to send.

        :param method: the HTTP method.
        :param url: the whole URL exactly as it will be sent: ``https://``, with the
            query already percent-encoded (``urllib.parse.urlencode``).
        :param headers: the headers the request will carry, if any.
        :param body: the body bytes (a ``str`` is sent as UTF-8), or ``None``.
        :returns: a :class:`SignedRequest`: send its method, URL, headers and body as
            they are. A redirect is never seen here: don't let the client follow one to
            another host with these headers (see the security guide).
        :raises UnsignableRequestError: for a URL or body that cannot be sent as given.

        .. versionadded:: 0.3.0
        """
        _check_sign_arguments(url, body)
        draft = Draft(method.upper(), url, Headers(headers), body)
        self._apply(draft)
        data = draft.body
        if isinstance(data, str):
            data = data.encode("utf-8")
        return SignedRequest.of(draft, data if isinstance(data, bytes) else None)

    # -- showing and loading ----------------------------------------------------------

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key_param}={_credentials.mask(self._api_key)!r})"

    if not TYPE_CHECKING:  # each scheme declares these with its own typed options

        @classmethod
        def from_env(cls, prefix=None, *, environ=None, **options):
            """Build from ``<PREFIX>_API_KEY`` and the other ``<PREFIX>_API_*`` variables
            (read now, once); ``prefix`` defaults to the class's own.

            :param environ: a mapping to read instead of :data:`os.environ`.
            :param options: keyword options passed on to the constructor.
            """
            fields = cls.credential_fields
            key_and_secrets = _credentials.from_env(prefix or cls.env_prefix, fields, environ)
            return cls._from_credentials(key_and_secrets, options)

        @classmethod
        def from_file(cls, path, **options):
            """Build from a JSON key file such as ``{"key": "...", "secret": "..."}``.

            :param options: keyword options passed on to the constructor.
            """
            key_and_secrets = _credentials.from_file(path, cls.credential_fields)
            return cls._from_credentials(key_and_secrets, options)

    @classmethod
    def _from_credentials(
        cls: type[_Self], key_and_secrets: tuple[str, ...], options: dict[str, Any]
    ) -> _Self:
        return cls(*key_and_secrets, **options)


def _check_sign_arguments(url: object, body: object) -> None:
    """``sign()`` takes the wire form: an absolute URL without spaces, a str/bytes body."""
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        msg = (
            f"url must be an absolute http(s) URL as a str, not {url!r}; e.g. "
            "'https://api.example.com/path?a=1'."
        )
        raise UnsignableRequestError(msg)
    if not url.isascii() or any(c.isspace() for c in url):
        msg = (
            "url holds spaces or non-ASCII characters; pass it exactly as it goes on the "
            "wire, percent-encoded (build the query with urllib.parse.urlencode)."
        )
        raise UnsignableRequestError(msg)
    if body is not None and not isinstance(body, bytes | str):
        msg = (
            f"body must be bytes, str or None, not {type(body).__name__}: encode a form "
            "with urllib.parse.urlencode or JSON with json.dumps first; nothing was signed."
        )
        raise UnsignableRequestError(msg)
