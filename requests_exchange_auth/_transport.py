"""Where a signed request may go: https, or plain http to a loopback host reached directly.

DESIGN.md #5 (no plaintext) and #4 (credentials never cross origins): transport-neutral
checks on URLs, used by every adapter.
"""

from __future__ import annotations

import ipaddress
import os
import re
import urllib.request
from urllib.parse import urlsplit

from .exceptions import InsecureTransportError

__all__ = ["check_transport", "env_proxy_for", "origin", "redact"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# the usual loopback hosts, recognised without parsing an address
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "::1"})


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def env_proxy_for(url: str) -> str | None:
    """The proxy the environment routes ``url`` through (``HTTP_PROXY``, ``ALL_PROXY``,
    minus ``NO_PROXY``), as urllib and requests read it; ``None`` when it goes direct."""
    scheme = urlsplit(url).scheme
    # urllib reads every variable's name and value (~50 µs); names alone say whether there
    # is any *_proxy variable to read, in any case, as urllib compares them
    if not any(name[-6:].lower() == "_proxy" for name in os.environ):
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy:
        return None
    host = urlsplit(url).netloc.rpartition("@")[2]
    return None if urllib.request.proxy_bypass(host) else proxy  # NO_PROXY, as urllib reads it


def check_transport(url: str, *, allow_insecure_http: bool, proxy: str | None = None) -> None:
    """Refuse to sign for plain http unless the host is loopback reached directly, or the
    caller opted in.

    :param proxy: a proxy the client is known to use for this request (an adapter that
        sees it passes it); the environment's proxies are always looked at.
    :raises InsecureTransportError: with what to do instead; nothing was sent.
    """
    parts = urlsplit(url)  # callers skip "https://..." themselves; "HTTPS://..." gets here
    if parts.scheme == "https" or allow_insecure_http:
        return
    where = f"{parts.scheme}://{parts.hostname}"
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        via = proxy or env_proxy_for(url)
        if via is None:
            return
        msg = (
            f"refusing to sign a request to {where}: it would go through a proxy "
            f"({_host_of(via)}) in clear text, key and signature included. Exempt the "
            "host from the proxy (NO_PROXY=127.0.0.1,localhost), use https://, or pass "
            "allow_insecure_http=True if the proxy is trusted; nothing was sent."
        )
        raise InsecureTransportError(msg)
    msg = (
        f"refusing to sign a request to {where}: credentials and signed payloads would "
        "travel unencrypted. Use an https:// URL, or pass allow_insecure_http=True to the "
        "auth if this host is trusted; nothing was sent."
    )
    raise InsecureTransportError(msg)


def _host_of(proxy: str) -> str:
    """A proxy URL without any ``user:password@``."""
    parts = urlsplit(proxy if "//" in proxy else "//" + proxy)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname}{port}"


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with default ports filled in, as RFC 6454 compares them."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(scheme)


def show_origin(o: tuple[str, str, int | None]) -> str:
    """An origin as ``scheme://host:port``, for messages."""
    return f"{o[0]}://{o[1]}:{o[2]}"


_USERINFO = re.compile(r"(//)[^/@\s]+@")


def redact(text: str) -> str:
    """Hide a ``user:password@`` in URLs (a proxy or gateway URL may carry one)."""
    return _USERINFO.sub(r"\1***@", text)
