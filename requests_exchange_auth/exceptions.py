"""The errors this package raises, all rooted at :class:`ExchangeAuthError`.

::

    requests.RequestException
    └── ExchangeAuthError
        ├── ConfigurationError (+ ValueError)     bad constructor argument or key file
        │   └── MissingDependencyError             an optional extra is not installed
        ├── UnsignableRequestError (+ ValueError)  the request cannot be signed as it is
        ├── InsecureTransportError                 a signed request to a plain-http URL
        ├── CrossOriginRedirectError               a redirect would carry credentials away
        ├── NonceError (+ ValueError)              no nonce could be issued safely: a bad
        │                                          value, a damaged or unreachable store
        ├── NonceTimeoutError (+ TimeoutError)     waited too long for a nonce lock
        ├── ServerTimeError                        the server time could not be read
        └── DecryptionError (+ ValueError)         ``userData`` could not be decrypted

The root subclasses :class:`requests.RequestException`, as requests' own
``InvalidURL`` and ``InvalidHeader`` do, so one ``except requests.RequestException``
around a call catches everything that call can raise, signing included. Every message
says what was wrong, what was expected and how to fix it, and never shows a secret.

The scheme modules import no HTTP client (DESIGN.md, "Architecture"), and this module
is theirs too: where requests is not importable at all, the root falls back to
:class:`OSError`, requests' own base of ``RequestException``, so the tree keeps its
shape and ``except OSError`` still catches it.
"""

from __future__ import annotations

try:
    from requests import RequestException
except ImportError:  # only where requests is absent: the scheme modules still work
    RequestException = OSError  # type: ignore[misc,assignment]  # requests' own base

__all__ = [
    "ConfigurationError",
    "CrossOriginRedirectError",
    "DecryptionError",
    "ExchangeAuthError",
    "InsecureTransportError",
    "MissingDependencyError",
    "NonceError",
    "NonceTimeoutError",
    "ServerTimeError",
    "UnsignableRequestError",
]


class ExchangeAuthError(RequestException):
    """Root of every error raised by requests-exchange-auth for bad input or setup."""


class ConfigurationError(ExchangeAuthError, ValueError):
    """A constructor argument, environment variable or key file is not usable."""


class MissingDependencyError(ConfigurationError):
    """A feature needs an optional extra that is not installed.

    :param extra: the extra that brings it (``pip install 'requests-exchange-auth[jwt]'``).
    """

    def __init__(self, message: str, *, extra: str = "") -> None:
        super().__init__(message)
        self.extra = extra


class UnsignableRequestError(ExchangeAuthError, ValueError):
    """The request's body or URL cannot be signed by this scheme; nothing was sent."""


class InsecureTransportError(ExchangeAuthError):
    """A request would send credentials over plain ``http://`` to a non-loopback host."""


class CrossOriginRedirectError(ExchangeAuthError):
    """A redirect to another origin was refused (``on_cross_origin_redirect="raise"``)."""


class NonceError(ExchangeAuthError, ValueError):
    """No nonce could be issued safely; nothing was sent.

    A nonce source returned something other than a positive ``int``, or the store that
    keeps the last nonce issued (a :class:`FileNonce` file, a :class:`RedisNonce` key)
    is damaged or cannot be reached, so a new value might repeat an old one.
    """


class NonceTimeoutError(ExchangeAuthError, TimeoutError):
    """A nonce lock was not free in time: a file lock, or the order of an ``OrderedNonce``.

    Raised before anything is sent, so the request can be retried as it is.
    """


class ServerTimeError(ExchangeAuthError):
    """A server clock could not read the exchange's time endpoint; its last estimate stays."""


class DecryptionError(ExchangeAuthError, ValueError):
    """Encrypted ``userData`` could not be decoded or decrypted with the given key."""
