"""Credentials never cross origins (DESIGN.md #4), for every registered scheme, on requests
and httpx (sync and async), shown with two real loopback servers.

``sign()`` never sees a redirect (the client that sends the signed request follows it),
which the security guide documents; it has no case here.
"""

from __future__ import annotations

import logging

import pytest
import requests
from contract import ENTRIES, example_kwargs, make, secrets_of
from transports import send

from requests_exchange_auth import CrossOriginRedirectError
from requests_exchange_auth._transport import origin

FOLLOWING = ["requests", "httpx", "httpx-async"]


def landing(hit, url):
    return 200, {}


def redirect_to(target: str, status: int):
    """A responder that redirects every request to ``target`` (absolute or relative)."""

    def respond(hit, url):
        if hit.target.startswith("/landing"):
            return 200, {}
        return status, {"Location": target}

    return respond


def leaked(hit, auth, entry) -> list[str]:
    """What of the signed request reached a server: its headers, key, secrets, body."""
    headers = {name.lower() for name in hit.headers}
    found = [name for name in auth.owned_headers if name.lower() in headers]
    found += ["body"] if hit.body else []
    found += ["content-type"] if "content-type" in headers else []
    found += ["transfer-encoding"] if "transfer-encoding" in headers else []  # an empty body
    seen = str(hit.headers) + hit.target
    found += ["api key"] if auth.api_key in seen else []
    found += ["secret"] if any(secret in seen for secret in secrets_of(entry)) else []
    return found


def _send(transport, auth, entry, url, method=None):
    example = entry.kit.examples[0]
    kwargs = example_kwargs(example)
    return send(transport, auth, method or example.method, url + example.path, **kwargs)


@pytest.mark.parametrize("transport", FOLLOWING)
@pytest.mark.parametrize("status", [302, 307, 308])
@pytest.mark.parametrize("entry", ENTRIES)
def test_cross_origin_redirect_delivers_no_credentials(recording_server, entry, status, transport):
    """A redirect to another origin reaches it without the auth's headers, key or body."""
    other = recording_server(landing)
    first = recording_server(redirect_to(other.url + "/landing", status))
    auth = make(entry)
    reply = _send(transport, auth, entry, first.url)
    assert reply.status == 200
    assert reply.history == [status]
    assert [h.target for h in other.hits] == ["/landing"]
    assert leaked(other.hits[0], auth, entry) == []
    assert len(first.hits) == 1


@pytest.mark.parametrize("transport", FOLLOWING)
@pytest.mark.parametrize("status", [302, 307])
def test_a_chain_of_cross_origin_redirects_is_followed_unsigned(
    recording_server, status, transport
):
    """Stripped at the first hop, the request has nothing left to strip at the next: it
    is followed to the end without credentials."""
    entry = ENTRIES[0].values[0]
    last = recording_server(landing)
    second = recording_server(redirect_to(last.url + "/landing", status))
    first = recording_server(redirect_to(second.url + "/next", status))
    auth = make(entry)
    reply = _send(transport, auth, entry, first.url)
    assert (reply.status, reply.history) == (200, [status, status])
    assert [leaked(hit, auth, entry) for hit in second.hits + last.hits] == [[], []]


@pytest.mark.parametrize("transport", FOLLOWING)
@pytest.mark.parametrize("entry", ENTRIES)
def test_same_origin_redirect_keeps_the_signed_request(recording_server, entry, transport):
    """A 307 within one origin reaches its target with the same signed body and headers."""
    server = recording_server(redirect_to("/landing", 307))
    auth = make(entry)
    assert _send(transport, auth, entry, server.url).status == 200
    start, target = server.hits
    assert target.target == "/landing"
    assert target.body == start.body
    for name in auth.owned_headers:
        assert name.lower() in {h.lower() for h in target.headers}


@pytest.mark.parametrize("transport", FOLLOWING)
@pytest.mark.parametrize("entry", ENTRIES)
def test_raise_policy_refuses_to_follow(recording_server, entry, transport):
    """With on_cross_origin_redirect='raise' nothing reaches the other origin."""
    other = recording_server(landing)
    first = recording_server(redirect_to(other.url + "/landing", 307))
    auth = make(entry, on_cross_origin_redirect="raise")
    with pytest.raises(CrossOriginRedirectError, match=r"redirected .*a signed request from"):
        _send(transport, auth, entry, first.url)
    assert other.hits == []
    assert len(first.hits) == 1


def test_a_refused_redirect_gives_its_connection_back(recording_server):
    """The refused redirect's (small) body is read, so its connection goes back to the
    pool, as requests does for every redirect it follows."""
    entry = ENTRIES[0].values[0]
    first = recording_server(redirect_to("https://elsewhere.example/landing", 302))
    auth = make(entry, on_cross_origin_redirect="raise")
    with requests.Session() as session, pytest.raises(CrossOriginRedirectError) as caught:
        session.get(first.url + "/x", auth=auth, timeout=5)
    assert caught.value.response.status_code == 302
    assert caught.value.response.raw.connection is None  # released to the pool (urllib3)


@pytest.mark.parametrize(
    ("source", "target", "same"),
    [
        ("https://h.example/a", "https://h.example:443/b", True),
        ("https://h.example:443/a", "https://h.example/b", True),
        ("http://h.example/a", "http://h.example:80/b", True),
        ("https://h.example/a", "http://h.example/b", False),  # a downgrade
        ("http://h.example/a", "https://h.example/b", False),  # an upgrade is another origin
        ("https://h.example/a", "https://h.example:8443/b", False),
        ("https://h.example/a", "https://H.EXAMPLE/b", True),
        ("https://h.example/a", "https://g.example/b", False),
    ],
)
def test_origins_compare_scheme_host_and_default_port(source, target, same):
    """RFC 6454: scheme, host and port, default ports filled in (https://h is :443)."""
    assert (origin(source) == origin(target)) is same


@pytest.mark.parametrize("transport", FOLLOWING)
def test_stripping_is_logged_without_secrets(recording_server, caplog, transport):
    """The guard logs one warning naming both origins and no credentials."""
    entry = ENTRIES[0].values[0]
    other = recording_server(landing)
    first = recording_server(redirect_to(other.url + "/landing", 302))
    caplog.set_level(logging.DEBUG, logger="requests_exchange_auth")
    auth = make(entry)
    _send(transport, auth, entry, first.url)
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = record.getMessage()
    assert first.url.replace("http://", "") in message
    assert other.url.replace("http://", "") in message
    assert auth.api_key not in message
    assert not any(secret in message for secret in secrets_of(entry))


@pytest.mark.parametrize("entry", ENTRIES)
def test_guard_is_installed_once_per_request(entry):
    """Re-signing a prepared request does not stack redirect guards."""
    auth = make(entry)
    prepared = requests.Request("POST", "https://example.com/x", auth=auth).prepare()
    hooks = len(prepared.hooks["response"])
    auth(prepared)
    auth(prepared)
    assert len(prepared.hooks["response"]) == hooks


@pytest.mark.parametrize("entry", ENTRIES)
def test_invalid_policy_is_refused(entry):
    """An unknown redirect policy is a configuration error naming both choices."""
    with pytest.raises(ValueError, match=r"'strip'.*'raise'"):
        make(entry, on_cross_origin_redirect="follow")
