"""ccxt's ``sign()`` for a scheme's request, from the scheme's :class:`~_bench.CcxtPeer`.

Made with the same credentials as our auth, checked once by the scheme file's own
``check`` (clock pinned, compared with ours), then timed with ccxt's own clock. A peer
that is not installed, or fails its check, is left out of the timing and says so in the
table, as the Binance peers in ``_peers.py`` do.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from _bench import CcxtPeer
from _cases import Scheme
from _harness import Case, statement


@dataclass
class Ccxt:
    """A scheme's ccxt peer, ready to time (``exchange`` is None when it is left out)."""

    key: str  # the case key
    label: str
    peer: CcxtPeer
    exchange: Any = None
    check: str = ""  # what the one-off check found, or why the peer is left out

    @property
    def available(self) -> bool:
        return self.exchange is not None

    def case(self) -> Case:
        peer = self.peer
        extra = "".join(
            f", {name}={name}" for name in ("headers", "body") if getattr(peer, name) is not None
        )
        ns = {
            "sign": self.exchange.sign,
            "path": peer.path,
            "api": peer.api,
            "method": peer.method,
            "params": dict(peer.params),
            "headers": dict(peer.headers or {}),
            "body": peer.body,
        }
        return Case(self.key, statement(f"sign(path, api, method, dict(params){extra})", ns))


def _version() -> str:
    try:
        return metadata.version("ccxt")
    except metadata.PackageNotFoundError:
        return ""


def ccxt_peer(scheme: Scheme) -> Ccxt | None:
    """The scheme's ccxt peer, checked once; ``None`` when its file names none."""
    peer = scheme.rows.ccxt
    if peer is None:
        return None
    version = _version()
    label = f"ccxt {version} {peer.exchange}.sign".replace("  ", " ")
    found = Ccxt(f"ccxt.{scheme.id}", label, peer)
    try:
        import ccxt  # noqa: PLC0415  # optional: the bench extra
    except ImportError:
        found.check = "skipped: not installed (bench extra)"
        return found

    def make() -> Any:
        exchange = getattr(ccxt, peer.exchange)(peer.credentials(scheme.account))
        if peer.setup is not None:
            peer.setup(exchange)
        return exchange

    try:
        found.check = peer.check(make(), scheme.account) if peer.check else "not checked"
        found.exchange = make()
        found.exchange.sign(peer.path, peer.api, peer.method, dict(peer.params))
    except Exception as exc:  # any failure of a peer leaves it out
        found.check = f"left out: check failed ({type(exc).__name__}: {exc})"
        found.exchange = None
    return found
