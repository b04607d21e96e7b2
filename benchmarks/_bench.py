"""What a scheme's benchmark file declares, and how the run finds it.

Every scheme in the registry (``requests_exchange_auth._registry.SCHEMES``) has one file,
``benchmarks/schemes/<registry id, "-" as "_">.py``, that sets ``ROWS``:

- :class:`Rows`: the request to sign, the floor and its bound, and optionally a ccxt
  peer; the run derives every row and target of the scheme from it;
- :class:`SignsNothing`: the scheme adds no signature (there is no floor to divide by),
  with the reason, shown in the table.

A scheme file imports only this module, the package and the standard library at import
time (ccxt is imported by the run, when it is installed), so that loading every file,
as ``tests/test_benchmarks.py`` does, costs nothing and warns about nothing.
"""

from __future__ import annotations

import functools
import hmac
import importlib.util
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from requests_exchange_auth import SignedRequest
from requests_exchange_auth.testing._verifier import Example

__all__ = [
    "CHECK_MS",
    "CHECK_NS",
    "CcxtPeer",
    "Example",
    "Floor",
    "Rows",
    "SignedRequest",
    "SignsNothing",
    "hmac_floor",
    "load",
    "scheme_file",
    "scheme_module",
]

SCHEMES_DIR = Path(__file__).resolve().parent / "schemes"
#: a fixed time for the one-off like-for-like checks (the timed runs use real clocks)
CHECK_NS = 1_700_000_000_123_000_000
CHECK_MS = CHECK_NS // 1_000_000

Account = Mapping[str, Any]  # the scheme's test account: its constructor's arguments


@dataclass(frozen=True)
class Floor:
    """The signature primitive alone, on exactly the payload the auth signs.

    The run signs the benchmark request once with ``auth.sign()``, reads the payload back
    from that :class:`SignedRequest`, and times ``primitive(account, payload)()``. When
    ``wire`` is given, it first checks that this call returns what the auth put on the
    wire (so the floor computes the same signature over the same bytes), and stops the
    run if not.

    :param short: its name in ratios, e.g. ``"hmac.digest"``.
    :param label: its row, e.g. ``"hmac.digest HMAC-SHA256 of the Binance payload"``
        (a ``bytes`` payload gets its size appended).
    :param payload: what the auth signed, read back from the signed request.
    :param primitive: ``(account, payload)`` -> the zero-argument call that is timed; a
        :func:`functools.partial` of the library function keeps the call overhead out.
    :param wire: the signature the auth sent, in the form ``primitive``'s call returns
        it (raw bytes for a hex or base64 MAC); ``None`` for randomised signatures
        (ECDSA), which cannot be compared, and then say so in ``note``.
    """

    short: str
    label: str
    payload: Callable[[SignedRequest], Any]
    primitive: Callable[[Account, Any], Callable[[], object]]
    wire: Callable[[SignedRequest], object] | None = None
    note: str = ""


@dataclass(frozen=True)
class CcxtPeer:
    """ccxt's ``exchange.sign(path, api, method, params)`` for the same request, offline.

    Timed as ``sign(path, api, method, dict(params))`` (``headers``/``body`` too when set),
    a fresh copy of the params each call as ccxt may edit them, on an exchange made with
    ``config(account)``: the same credentials as ours. Nothing is sent: ``sign`` only
    builds the URL, headers and body.

    :param exchange: the ccxt exchange id, e.g. ``"binance"``.
    :param setup: adjusts a new exchange object (options such as a default window).
    :param check: ``(exchange, account) -> note``: on a fresh exchange object, pin its
        clock or nonce, compare what it signs with what ours signs, and return a line
        for the table ("check: same signature as ours"); raise ``AssertionError`` when
        it is not like for like, and the peer is left out of the timing.
    :param note: shown under the row, e.g. why this exchange stands in for another.
    """

    exchange: str
    path: str
    api: Any
    method: str
    params: Mapping[str, Any]
    headers: Mapping[str, str] | None = None
    body: str | None = None
    config: Callable[[Account], dict[str, Any]] | None = None
    setup: Callable[[Any], None] | None = None
    check: Callable[[Any, Account], str] | None = None
    note: str = ""

    def credentials(self, account: Account) -> dict[str, Any]:
        """ccxt's constructor config: ``config(account)``, or key, secret (and passphrase)."""
        if self.config is not None:
            return self.config(account)
        values = list(account.values())
        found = {"apiKey": values[0], "secret": values[1]}
        if "passphrase" in account:
            found["password"] = account["passphrase"]
        return found


@dataclass(frozen=True)
class Rows:
    """A scheme's benchmark rows: what to sign, the floor and its bound, the ccxt peer.

    :param request: the request to sign (the kit's :class:`Example` shape: method,
        path, params, data or json; ``account`` picks another key type).
    :param origin: where the real exchange is, e.g. ``"https://api.binance.com"``
        (the end-to-end rows send the same path to the local exchange instead).
    :param floor: the signature alone, on exactly what the auth signs.
    :param bound: the target for auth ÷ floor (the issue's 3 unless the file says why).
    :param options: keyword options for the auth (e.g. ``recv_window``).
    :param ccxt: ccxt's signing of the same request, or ``None`` (then say why in ``no_peer``).
    """

    request: Example
    origin: str
    floor: Floor
    bound: float = 3.0
    options: Mapping[str, Any] = field(default_factory=dict)
    ccxt: CcxtPeer | None = None
    no_peer: str = ""


@dataclass(frozen=True)
class SignsNothing:
    """A registered scheme that signs nothing, so has no rows: the reason, for the table."""

    reason: str


def hmac_floor(digest: str, key_field: str = "secret") -> Callable[[Account, bytes], Any]:
    """``hmac.digest(account[key_field], payload, digest)``: the floor of an HMAC scheme.

    The key is the secret's text as bytes; a scheme that keys with the decoded secret
    (Kraken's base64) writes its own primitive.
    """

    def primitive(account: Account, payload: bytes) -> Callable[[], object]:
        key = account[key_field]
        key = key.encode() if isinstance(key, str) else key
        return functools.partial(hmac.digest, key, payload, digest)

    return primitive


# -- finding the files ----------------------------------------------------------------------


def scheme_file(scheme_id: str) -> Path:
    """Where the benchmark file of the registered scheme ``scheme_id`` lives."""
    return SCHEMES_DIR / f"{scheme_id.replace('-', '_')}.py"


@functools.cache
def scheme_module(scheme_id: str) -> ModuleType | None:
    """The scheme's benchmark file, imported once; ``None`` when there is none."""
    path = scheme_file(scheme_id)
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"bench_schemes.{path.stem}", path)
    if spec is None or spec.loader is None:  # pragma: no cover  # a .py file always has one
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would (dataclasses look it up there)
    spec.loader.exec_module(module)
    return module


def load(scheme_id: str) -> Rows | SignsNothing | None:
    """The ``ROWS`` of the scheme's file; ``None`` when the scheme has no file.

    :raises TypeError: when the file sets no ``ROWS``, or something else.
    """
    module = scheme_module(scheme_id)
    if module is None:
        return None
    rows = getattr(module, "ROWS", None)
    if not isinstance(rows, Rows | SignsNothing):
        msg = f"{scheme_file(scheme_id)} must set ROWS to a Rows or a SignsNothing, not {rows!r}."
        raise TypeError(msg)
    return rows
