"""Every registered scheme refuses bad input clearly, before anything is sent, and never
shows a secret: in its repr, its errors (and their chains) or its loaders."""

from __future__ import annotations

import json

import pytest
from contract import ENTRIES, make, secrets_of, takes
from transports import TRANSPORTS, send

from requests_exchange_auth import (
    ConfigurationError,
    ExchangeAuthError,
    InsecureTransportError,
    UnsignableRequestError,
)
from requests_exchange_auth.testing import LocalExchange, Received


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def assert_shows_no_secret(exc: BaseException, entry) -> None:
    """No secret (nor a 16-character piece of one) in str, repr or args of the chain."""
    for link in _chain(exc):
        text = f"{link}{link!r}{link.args!r}"
        for secret in secrets_of(entry):
            pieces = {secret[i : i + 16] for i in range(max(1, len(secret) - 15))}
            assert not any(piece in text for piece in pieces), type(link).__name__


@pytest.mark.parametrize("entry", ENTRIES)
def test_repr_and_str_show_the_masked_key_only(entry):
    """repr names the class and at most a masked key (DESIGN.md #6)."""
    auth = make(entry)
    for text in (repr(auth), str(auth)):
        assert text.startswith(type(auth).__name__ + "(")
        assert auth.api_key not in text or len(auth.api_key) < 12
        assert not any(secret in text for secret in secrets_of(entry))


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("entry", ENTRIES)
def test_plaintext_to_another_host_is_refused_before_sending(entry, transport):
    """http:// to a non-loopback host is refused with the fix (.invalid never resolves)."""
    example = entry.kit.examples[0]
    with pytest.raises(InsecureTransportError, match="Use an https:// URL") as caught:
        send(transport, make(entry), example.method, "http://exchange.invalid" + example.path)
    assert_shows_no_secret(caught.value, entry)


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("entry", ENTRIES)
def test_plaintext_through_an_environment_proxy_is_refused(
    entry, transport, monkeypatch, recording_server
):
    """A loopback http:// request that HTTP_PROXY would carry in clear is not signed."""
    proxy = recording_server(lambda hit, url: (200, {}))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    example = entry.kit.examples[0]
    with pytest.raises(InsecureTransportError, match="through a proxy") as caught:
        send(transport, make(entry), example.method, "http://127.0.0.1:9" + example.path)
    assert proxy.hits == []
    assert "NO_PROXY=127.0.0.1" in str(caught.value)


@pytest.mark.parametrize("entry", ENTRIES)
def test_no_proxy_lets_a_loopback_request_go_direct(entry, monkeypatch, local_exchange):
    """With the host exempt from the proxy, the request is signed and sent directly."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    example = entry.kit.examples[0]
    reply = send("requests", make(entry), example.method, local_exchange.url + example.path)
    assert reply.status != 0  # answered by the exchange itself, not a proxy
    assert local_exchange.received


def _stream():
    yield b"a=1"


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
@pytest.mark.parametrize("entry", ENTRIES)
def test_a_streamed_body_is_refused_unread(entry, transport, recording_server):
    """A generator body cannot be signed: refused, nothing sent (schemes that sign bodies)."""
    if not entry.auth_class.signs_body:
        pytest.skip("this scheme signs no body: a stream passes through untouched")
    server = recording_server(lambda hit, url: (200, {}))
    example = entry.kit.examples[0]
    stream = _stream()
    with pytest.raises(UnsignableRequestError, match="nothing was sent") as caught:
        send(transport, make(entry), "POST", server.url + example.path, body=stream)
    assert server.hits == []
    assert next(stream) == b"a=1"  # never read
    assert_shows_no_secret(caught.value, entry)


@pytest.mark.parametrize("entry", ENTRIES)
def test_sign_refuses_what_no_client_sends(entry):
    """sign() takes the wire form: a str/bytes body and an absolute, encoded URL."""
    auth = make(entry)
    with pytest.raises(UnsignableRequestError, match="body must be bytes, str or None"):
        auth.sign("POST", "https://example.com/x", body={"a": "1"})
    with pytest.raises(UnsignableRequestError, match="absolute http"):
        auth.sign("GET", "/relative/path")
    with pytest.raises(UnsignableRequestError, match="percent-encoded"):
        auth.sign("GET", "https://example.com/x?a=b c")


@pytest.mark.parametrize("entry", ENTRIES)
def test_empty_credentials_are_refused_by_name(entry):
    """An empty secret (or passphrase) is a ConfigurationError naming the parameter."""
    account = entry.kit.spec_account()
    names = list(account)[1:]
    for name in names:
        broken = {**account, name: ""}
        with pytest.raises(ConfigurationError, match=f"{name} is empty") as caught:
            entry.auth_class(**broken)
        assert_shows_no_secret(caught.value, entry)


@pytest.mark.parametrize("entry", ENTRIES)
def test_clock_and_nonce_must_be_callables(entry):
    """A clock or nonce that is not a callable is refused at construction."""
    for option in ("clock", "nonce"):
        if takes(entry, option):
            with pytest.raises(ConfigurationError, match=f"{option} must be a zero-argument"):
                make(entry, **{option: 1_700_000_000})


@pytest.mark.parametrize("entry", ENTRIES)
def test_from_env_and_from_file_build_a_working_auth(entry, tmp_path, local_exchange):
    """The loaders read the scheme's variables and key-file fields, in order."""
    cls = entry.auth_class
    values = list(entry.kit.spec_account().values())
    fields = ("key", *cls.credential_fields)
    env = {
        f"{cls.env_prefix}_API_{f.upper()}": str(v) for f, v in zip(fields, values, strict=False)
    }
    path = tmp_path / "key.json"
    path.write_text(json.dumps(dict(zip(fields, map(str, values), strict=False))))
    example = entry.kit.examples[0]
    for auth in (cls.from_env(environ=env), cls.from_file(path)):
        reply = send("requests", auth, example.method, local_exchange.url + example.path)
        assert reply.status == 200, local_exchange.received[-1].verdict


@pytest.mark.parametrize("entry", ENTRIES)
def test_from_env_names_every_missing_variable(entry):
    """A missing variable is named, with every variable the scheme reads."""
    cls = entry.auth_class
    with pytest.raises(ConfigurationError, match=f"{cls.env_prefix}_API_KEY") as caught:
        cls.from_env(environ={})
    for field in cls.credential_fields:
        assert f"{cls.env_prefix}_API_{field.upper()}" in str(caught.value)


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_error_is_rooted_and_rejections_show_no_secret(entry):
    """Verifier rejections show no secret either (they name what to fix)."""
    exchange = LocalExchange()
    example = entry.kit.examples[0]
    status, answer = exchange.handle(Received(example.method, example.path))
    assert entry.kit.is_rejection(status, answer)  # Kraken: HTTP 200, the error in the body
    verdict = exchange.received[-1].verdict
    text = f"{verdict} {answer}"
    assert not any(secret in text for secret in secrets_of(entry))
    assert issubclass(InsecureTransportError, ExchangeAuthError)
