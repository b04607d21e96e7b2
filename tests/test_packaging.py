"""The package's public surface and metadata."""

from __future__ import annotations

import pathlib
import re
from importlib import metadata

import requests_exchange_auth


def test_all_lists_exactly_the_public_names():
    """__all__ is sorted and names every public attribute of the top-level package.

    The names load on first use (PEP 562), so each is fetched first.
    """
    for name in requests_exchange_auth.__all__:
        getattr(requests_exchange_auth, name)
    assert set(requests_exchange_auth.__all__) <= set(dir(requests_exchange_auth))
    public = {
        name
        for name, value in vars(requests_exchange_auth).items()
        if not name.startswith("_") and not isinstance(value, type(requests_exchange_auth))
    }
    assert sorted(requests_exchange_auth.__all__) == requests_exchange_auth.__all__
    assert set(requests_exchange_auth.__all__) == public


def test_version_is_single_sourced():
    """The installed distribution's version is the package's __version__."""
    assert metadata.version("requests-exchange-auth") == requests_exchange_auth.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", requests_exchange_auth.__version__)


def test_package_is_typed():
    """py.typed ships with the package, so type checkers use its annotations."""
    package_dir = pathlib.Path(requests_exchange_auth.__file__).parent
    assert (package_dir / "py.typed").is_file()


def test_errors_share_one_root_under_requests():
    """Every public error derives from ExchangeAuthError, itself a RequestException."""
    import requests

    errors = [
        getattr(requests_exchange_auth, name)
        for name in requests_exchange_auth.__all__
        if name.endswith("Error")
    ]
    assert len(errors) == 10
    for error in errors:
        assert issubclass(error, requests_exchange_auth.ExchangeAuthError)
    assert issubclass(requests_exchange_auth.ExchangeAuthError, requests.RequestException)
