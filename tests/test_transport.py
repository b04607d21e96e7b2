"""No plaintext (DESIGN.md #5): http:// is signed only for loopback or on explicit opt-in."""

from __future__ import annotations

import pytest
import requests

from requests_exchange_auth import BinanceQueryAuth, InsecureTransportError
from requests_exchange_auth._transport import check_transport
from requests_exchange_auth.testing import BINANCE_KEY, BINANCE_SECRET


@pytest.mark.parametrize(
    "url",
    [
        "https://api.binance.com/api/v3/account",
        "http://127.0.0.1:8080/api/v3/account",
        "http://127.1.2.3/api/v3/account",
        "http://localhost/api/v3/account",
        "http://[::1]:9000/api/v3/account",
    ],
    ids=["https", "ipv4-loopback", "loopback-range", "localhost", "ipv6-loopback"],
)
def test_secure_or_loopback_urls_are_signed(url):
    """https and loopback http URLs are signed."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET)
    prepared = requests.Request("GET", url, auth=auth).prepare()
    assert "signature=" in prepared.url


@pytest.mark.parametrize(
    "url",
    ["http://api.binance.com/api/v3/account", "http://10.0.0.1/api/v3/account"],
    ids=["public-host", "private-address"],
)
def test_plain_http_to_other_hosts_is_refused(url):
    """A plain-http URL to a non-loopback host raises and names the fix."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET)
    with pytest.raises(InsecureTransportError, match="allow_insecure_http=True"):
        requests.Request("GET", url, auth=auth).prepare()


def test_explicit_opt_in_allows_plain_http():
    """allow_insecure_http=True signs plain-http URLs to any host."""
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, allow_insecure_http=True)
    prepared = requests.Request("GET", "http://testnet.example/api", auth=auth).prepare()
    assert "signature=" in prepared.url


@pytest.mark.parametrize(
    ("proxy", "shown"),
    [
        ("http://user:hunter2@10.1.2.3:3128", "(10.1.2.3:3128)"),
        ("10.1.2.3:3128", "(10.1.2.3:3128)"),
        ("http://proxy.example", "(proxy.example)"),
        ("socks5://proxy.example:1080/", "(proxy.example:1080)"),
    ],
)
def test_a_proxy_is_named_without_its_credentials(proxy, shown):
    """The refusal says which proxy, as host[:port], never its user:password."""
    with pytest.raises(InsecureTransportError) as caught:
        check_transport("http://127.0.0.1:9/x", allow_insecure_http=False, proxy=proxy)
    assert f"through a proxy {shown} in clear text" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert "user" not in str(caught.value)


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_proxy_environment(monkeypatch):
    """No proxy variable from the machine, in either case."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("environment", "url", "refused_via"),
    [
        ({"ALL_PROXY": "http://all.example:3128"}, "http://127.0.0.1:9/x", "all.example:3128"),
        ({"all_proxy": "http://all.example"}, "http://localhost:9/x", "all.example"),
        ({"HTTP_PROXY": "http://p.example:8080"}, "http://127.0.0.1:9/x", "p.example:8080"),
        ({"HTTPS_PROXY": "http://p.example"}, "http://127.0.0.1:9/x", None),  # not for http
        ({"HTTP_PROXY": "http://p.example", "NO_PROXY": "127.0.0.1"}, "http://127.0.0.1/x", None),
        (  # the host NO_PROXY names, also behind a user@
            {"ALL_PROXY": "http://p.example", "NO_PROXY": "localhost"},
            "http://user@localhost:9/x",
            None,
        ),
    ],
)
def test_the_environments_proxies_as_requests_reads_them(
    clean_proxy_environment, environment, url, refused_via
):
    """HTTP_PROXY, else ALL_PROXY, unless NO_PROXY names the host (urllib's rules)."""
    for name, value in environment.items():
        clean_proxy_environment.setenv(name, value)
    if refused_via is None:
        assert check_transport(url, allow_insecure_http=False) is None
    else:
        with pytest.raises(InsecureTransportError, match=rf"through a proxy \({refused_via}\) "):
            check_transport(url, allow_insecure_http=False)


@pytest.mark.parametrize("where", ["session", "call"])
def test_an_exchange_adapter_sees_the_sessions_proxy(recording_server, where):
    """Mounted, ExchangeAdapter refuses a signed plain-http request that the session's
    (or the call's) proxies would carry in clear text; nothing reaches either server."""
    from requests_exchange_auth import ExchangeAdapter

    server = recording_server(lambda hit, url: (200, {}))
    proxy = recording_server(lambda hit, url: (200, {}))
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET)
    with requests.Session() as session:
        session.mount("http://", ExchangeAdapter())
        options = {"proxies": {"http": proxy.url}}
        if where == "session":
            session.proxies, options = options["proxies"], {}
        shown = proxy.url.removeprefix("http://")
        with pytest.raises(InsecureTransportError, match=rf"through a proxy \({shown}\)"):
            session.get(server.url + "/api/v3/account", auth=auth, timeout=5, **options)
    assert (server.hits, proxy.hits) == ([], [])


def test_an_exchange_adapter_lets_a_trusted_proxy_carry_plain_http(recording_server):
    """allow_insecure_http=True trusts the proxy too: the request goes through it."""
    from requests_exchange_auth import ExchangeAdapter

    proxy = recording_server(lambda hit, url: (200, {}))
    auth = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, allow_insecure_http=True)
    with requests.Session() as session:
        session.mount("http://", ExchangeAdapter())
        url = "http://127.0.0.1:9/api/v3/account"
        reply = session.get(url, auth=auth, timeout=5, proxies={"http": proxy.url})
    assert reply.status_code == 200
    assert [hit.target.partition("?")[0] for hit in proxy.hits] == [url]


def test_a_refused_proxy_send_gives_the_nonce_order_back(recording_server):
    """Nothing was sent, so an OrderedNonce hold is not kept for the refused request."""
    import threading

    from requests_exchange_auth import ExchangeAdapter, OrderedNonce, PoloniexBodyDigestAuth
    from requests_exchange_auth.testing import POLONIEX_KEY, POLONIEX_SECRET

    nonce = OrderedNonce(timeout=0.05)
    auth = PoloniexBodyDigestAuth(POLONIEX_KEY, POLONIEX_SECRET, nonce=nonce)
    proxy = recording_server(lambda hit, url: (200, {}))
    with requests.Session() as session:
        session.mount("http://", ExchangeAdapter())
        kept = requests.Request("POST", "http://127.0.0.1:9/tradingApi", auth=auth).prepare()
        with pytest.raises(InsecureTransportError):  # kept alive: no release by collection
            session.send(kept, proxies={"http": proxy.url})
        drawn: list[object] = []
        thread = threading.Thread(target=lambda: drawn.append(nonce()))  # another thread
        thread.start()
        thread.join()
    assert isinstance(drawn[0], int)  # not a NonceTimeoutError: the order was free
    assert kept.body.startswith("nonce=")
