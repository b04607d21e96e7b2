"""The other ways to sign a Binance order, each checked once against ours before it is timed.

Besides ccxt (every scheme's own peer, in ``schemes/binance.py``): a tutorial's
hand-written recipe, python-binance and binance-connector. Every path gets the same
parameters (the benchmark order plus ``recvWindow=5000``), the same timestamp and the
same secret, and is checked once, with the timestamp injected, by
``schemes/binance.py``'s ``compare``: same parameters, HMAC-SHA256 of what it signs
under the same secret, and our exact signature where it orders the parameters as we do.

A peer that is not installed, or fails its check, is left out of the timing and says so
in the table. The timed runs use each library's own clock.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from _bench import CHECK_MS, scheme_module
from requests_exchange_auth.testing import BINANCE_KEY, BINANCE_SECRET

BINANCE: Any = scheme_module("binance")  # schemes/binance.py: the order, and the check
BINANCE_URL, ACCOUNT_URL, PARAMS = BINANCE.URL, BINANCE.ACCOUNT_URL, BINANCE.PARAMS


@dataclass
class Peer:
    """One signing path: ``sign(params)`` returns ``(method, url, body, headers)``."""

    key: str
    label: str
    sign: Callable[[dict[str, str]], tuple[str, str, str | None, dict[str, str]]] | None = None
    #: the peer's own signing function, as it is timed (from a fresh copy of the params)
    stmt: str = ""
    namespace: dict[str, Any] = field(default_factory=dict)
    check: str = ""  # what the one-off check found, or why the peer is left out

    @property
    def available(self) -> bool:
        return self.sign is not None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


# -- the tutorial recipe ------------------------------------------------------------------


def tutorial_sign(params: dict[str, str], now: Callable[[], float] = time.time) -> str:
    """The recipe of Binance's own signature examples: urlencode, timestamp, HMAC, append."""
    query_string = urlencode(params, True)
    timestamp = int(now() * 1000)
    if query_string:
        query_string = f"{query_string}&timestamp={timestamp}"
    else:
        query_string = f"timestamp={timestamp}"
    signature = hmac.new(
        BINANCE_SECRET.encode("utf-8"), query_string.encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return query_string + "&signature=" + signature


def _tutorial() -> Peer:
    def sign(params: dict[str, str]) -> tuple[str, str, str | None, dict[str, str]]:
        query = tutorial_sign(params, now=lambda: CHECK_MS / 1000)
        return "POST", f"{BINANCE_URL}?{query}", None, {"X-MBX-APIKEY": BINANCE_KEY}

    return Peer(
        "tutorial",
        "tutorial recipe: urlencode + hmac.new",
        sign,
        "sign(dict(params))",
        {"sign": tutorial_sign, "params": PARAMS},
    )


# -- python-binance -----------------------------------------------------------------------


def _python_binance() -> Peer:
    version = _version("python-binance")
    if not version:
        return Peer(
            "python-binance",
            "python-binance Client._get_request_kwargs",
            check="skipped: not installed (bench extra)",
        )
    from binance import base_client  # noqa: PLC0415  # optional: the bench extra
    from binance.client import Client  # noqa: PLC0415

    def make() -> Any:
        client = Client(BINANCE_KEY, BINANCE_SECRET, ping=False)  # ping: no network
        client.REQUEST_RECVWINDOW = None  # its default 10000 would replace ours
        return client

    checked = make()

    def sign(params: dict[str, str]) -> tuple[str, str, str | None, dict[str, str]]:
        method = "post" if params else "get"
        # Its timestamp is int(time.time() * 1000 + timestamp_offset): a clock at zero and
        # the offset at the check time give that time exactly, with no float rounding.
        with _patched(base_client, "time", SimpleNamespace(time=lambda: 0.0)):
            checked.timestamp_offset = CHECK_MS
            kwargs = checked._get_request_kwargs(method, True, data=dict(params))
        data = kwargs.get("data", kwargs.get("params"))
        text = data if isinstance(data, str) else urlencode(_items(data))
        url = BINANCE_URL if params else ACCOUNT_URL
        return method.upper(), url, text, dict(checked.session.headers)

    client = make()
    return Peer(
        "python-binance",
        f"python-binance {version} Client._get_request_kwargs",
        sign,
        'sign("post", True, data=dict(params))',
        {"sign": client._get_request_kwargs, "params": PARAMS},
    )


def _items(data: Any) -> list[tuple[str, str]]:
    return list(data.items()) if isinstance(data, dict) else list(data)


# -- binance-connector --------------------------------------------------------------------


def _connector() -> Peer:
    version = _version("binance-connector")
    if not version:
        return Peer(
            "connector",
            "binance-connector API.sign_request",
            check="skipped: not installed (bench extra)",
        )
    from binance import api as connector_api  # noqa: PLC0415  # optional: the bench extra
    from binance.spot import Spot  # noqa: PLC0415

    def make() -> Any:
        spot = Spot(BINANCE_KEY, BINANCE_SECRET)

        # sign_request ends in send_request, which builds the URL and the query and then
        # sends; this stand-in does the same up to the send.
        def send_request(method: str, path: str, payload: Any = None) -> tuple[str, str, str]:
            return method, spot.base_url + path, spot._prepare_params(payload or {})

        spot.send_request = send_request
        return spot

    checked = make()

    def sign(params: dict[str, str]) -> tuple[str, str, str | None, dict[str, str]]:
        method = "POST" if params else "GET"
        path = "/api/v3/order" if params else "/api/v3/account"
        with _patched(connector_api, "get_timestamp", lambda: CHECK_MS):
            method, url, query = checked.sign_request(method, path, dict(params))
        return method, f"{url}?{query}", None, dict(checked.session.headers)

    spot = make()
    return Peer(
        "connector",
        f"binance-connector {version} API.sign_request",
        sign,
        'sign("POST", "/api/v3/order", dict(params))',
        {"sign": spot.sign_request, "params": PARAMS},
    )


@contextmanager
def _patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


# -- the check ------------------------------------------------------------------------------


def check(peer: Peer) -> None:
    """Check ``peer`` once; on failure it is left out (``peer.sign`` set to None)."""
    if peer.sign is None:
        return
    try:
        peer.check = BINANCE.compare(peer.sign)
    except Exception as exc:  # any failure of a peer leaves it out
        peer.check = f"left out: check failed ({type(exc).__name__}: {exc})"
        peer.sign = None
        peer.stmt = ""


def peers() -> list[Peer]:
    """Every signing path the benchmark compares with ours, each checked once."""
    found = [_tutorial(), _python_binance(), _connector()]
    for peer in found:
        check(peer)
    return found
