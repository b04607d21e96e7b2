"""The registry is the one list of schemes: each entry is complete, and nothing else
needs editing for a scheme to reach the package, the kit, the CLI and the demo."""

from __future__ import annotations

import re

import pytest
from contract import ENTRIES

import requests_exchange_auth
from requests_exchange_auth._auth import ExchangeAuth
from requests_exchange_auth._cli._schemes import IDS
from requests_exchange_auth._registry import SCHEMES, scheme
from requests_exchange_auth.testing import LocalExchange, Received, spec_credentials
from requests_exchange_auth.testing._verifier import Verifier


def test_ids_are_unique_lowercase_words():
    """One id per scheme, spelt the same everywhere (CLI, kit, docs)."""
    ids = [entry.id for entry in SCHEMES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    assert tuple(ids) == IDS


@pytest.mark.parametrize("entry", ENTRIES)
def test_entry_is_complete(entry):
    """Its auth is a public ExchangeAuth, its verifier is for it and has examples."""
    cls = entry.auth_class
    assert issubclass(cls, ExchangeAuth)
    assert cls.__name__ in requests_exchange_auth.__all__
    assert getattr(requests_exchange_auth, cls.__name__) is cls
    assert cls.__module__.startswith("requests_exchange_auth.schemes.")
    kit = entry.kit
    assert isinstance(kit, Verifier)
    assert kit.scheme == entry.id
    assert kit.examples
    assert kit.paths
    assert spec_credentials(entry.id) == kit.spec_account()
    assert entry.spec.endswith(".md")
    assert (cls.__doc__ or "").startswith("Attaches ")


@pytest.mark.parametrize("entry", ENTRIES)
def test_the_local_exchange_routes_every_example_to_its_scheme(entry):
    """Each example's path reaches its own scheme, whatever other schemes share it."""
    exchange = LocalExchange()
    for example in entry.kit.examples:
        auth = entry.kit.make_auth(example.account)
        signed = auth.sign(example.method, "https://example.com" + example.path)
        route = exchange.routes.route(Received.from_prepared(signed))
        assert route is not None
        assert route.name == entry.id


def test_an_unknown_id_names_the_registered_ones():
    """Asking the registry for an unknown scheme lists what there is."""
    with pytest.raises(ValueError, match="no scheme 'nope'; expected one of binance"):
        scheme("nope")
