"""What every auth shares: credentials, the transport and redirect policies, repr, loaders."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from requests import PreparedRequest
from requests.auth import AuthBase

from . import _credentials
from ._wire import RedirectGuard, RedirectPolicy, check_transport
from .exceptions import ConfigurationError

_Self = TypeVar("_Self", bound="ExchangeAuth")
_POLICIES = ("strip", "raise")


class ExchangeAuth(AuthBase):
    """Base of the package's auths; subclasses add the scheme in ``__call__``.

    Holds only immutable configuration, so one object can sign for many threads
    (DESIGN.md #7), and pickles with its credentials.
    """

    #: headers the scheme adds; a cross-origin redirect strips them (DESIGN.md #4)
    headers: ClassVar[tuple[str, ...]] = ()
    #: the header that carries the API key as it is, if the scheme has one
    key_header: ClassVar[str | None] = None
    #: ``from_env`` reads ``<prefix>_API_KEY`` and ``<prefix>_API_SECRET``
    env_prefix: ClassVar[str]
    #: the constructor's name for the key, used in errors and ``repr``
    key_param: ClassVar[str] = "api_key"

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
        self._guard = RedirectGuard(self.headers, on_cross_origin_redirect)

    @property
    def api_key(self) -> str:
        """The API key (public: it travels in clear in a header)."""
        return self._api_key

    def _begin(self, r: PreparedRequest) -> None:
        """The checks and settings every scheme makes before it signs."""
        check_transport(r.url or "", allow_insecure_http=self._allow_insecure_http)
        self._guard.install(r)
        if self.key_header is not None:
            r.headers[self.key_header] = self._api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key_param}={_credentials.mask(self._api_key)!r})"

    @classmethod
    def from_env(
        cls: type[_Self],
        prefix: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> _Self:
        """Build from ``<PREFIX>_API_KEY`` and ``<PREFIX>_API_SECRET`` (read now, once).

        :param prefix: the variables' prefix; the class default when omitted.
        :param environ: a mapping to read instead of :data:`os.environ`.
        :param options: keyword options passed on to the constructor.
        """
        key, secret = _credentials.from_env(prefix or cls.env_prefix, environ)
        return cls._from_credentials(key, secret, options)

    @classmethod
    def from_file(cls: type[_Self], path: str | os.PathLike[str], **options: Any) -> _Self:
        """Build from a JSON key file ``{"key": "...", "secret": "..."}``.

        :param options: keyword options passed on to the constructor.
        """
        key, secret = _credentials.from_file(path)
        return cls._from_credentials(key, secret, options)

    @classmethod
    def _from_credentials(
        cls: type[_Self], key: str, secret: str, options: dict[str, Any]
    ) -> _Self:
        return cls(key, secret, **options)  # type: ignore[call-arg, arg-type]  # subclasses take a secret
