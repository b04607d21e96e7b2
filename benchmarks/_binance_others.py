"""Binance's other signing paths: a tutorial's recipe and the libraries, on the same order.

The section of the table that compares ``BinanceQueryAuth`` with every other way to
sign the benchmark's Binance order (``_peers.py``), ccxt included (the scheme's own peer
from ``schemes/binance.py``, timed once for both sections), and the whole path from a
params dict to a signed ``PreparedRequest``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests

import _ccxt
import _harness
import _peers
from _cases import Scheme
from _harness import Case
from _table import OURS_OVER, Plan, Row, Target, case, fastest, ours, ratio


def part(plan: Plan, binance: Scheme, ccxt: _ccxt.Ccxt | None, session: requests.Session) -> None:
    """The tutorial recipe and the peer libraries, on the same Binance order."""
    peers = _peers.peers()
    for peer in peers:
        if peer.available:
            sample = _harness.statement(peer.stmt, peer.namespace)
            plan.cases += [
                Case(f"peer.{peer.key}", sample),
                Case(f"full.{peer.key}", _full(peer, session)),
            ]
    if ccxt is not None and ccxt.available:
        plan.cases.append(Case("full.ccxt", _full_ccxt(ccxt, session)))
    plan.cases.append(Case("full.ours.str", _ours_pre_encoded(binance.auth, session)))

    plan.rows.append(
        "Signing the same Binance order (params, timestamp, secret): ours vs the others"
    )
    plan.rows.append(Row("BinanceQueryAuth on the prepared request", ours(binance)))
    libraries = []
    # ccxt (the scheme's own peer, timed once for both sections) second, as it always was
    others: list[tuple[str, str, str, bool]] = [
        (p.key, p.label, p.check, p.available) for p in peers
    ]
    if ccxt is not None:
        others.insert(1, ("ccxt", ccxt.label, ccxt.check, ccxt.available))
    for key, label, check, available in others:
        if not available:
            plan.rows.append(Row(label, None, note=check))
            continue
        value = case(ccxt.key if key == "ccxt" and ccxt is not None else f"peer.{key}")
        plan.rows.append(Row(label, value, ours(binance), OURS_OVER, note=check))
        if key != "tutorial":
            libraries.append(value)
    plan.targets.append(
        Target(
            "BinanceQueryAuth per request ÷ fastest peer's signing path",
            ratio(ours(binance), fastest(libraries)) if libraries else None,
            1.0,
            "<",
            why_missing="no peer installed: pip install '.[bench]'",
        )
    )

    plan.rows.append("The whole path from a params dict to a signed PreparedRequest (Session)")
    plan.rows.append(Row("ours, data=dict (requests encodes)", case("prepare.ours.binance")))
    plan.rows.append(Row("ours, data=urlencode(params)", case("full.ours.str")))
    for key, _, _, available in others:
        if available:
            plan.rows.append(Row(f"{key}, then prepare_request", case(f"full.{key}")))


def _full(peer: _peers.Peer, session: requests.Session) -> Callable[[int], float]:
    """The peer's signing path, then Session.prepare_request on what it produced."""
    ns = {
        **peer.namespace,
        "prepare": session.prepare_request,
        "Request": requests.Request,
        "url": _peers.BINANCE_URL,
        "headers": {"X-MBX-APIKEY": "k"},
    }
    stmt = {
        "tutorial": 'prepare(Request("POST", url + "?" + sign(dict(params)), headers=headers))',
        "python-binance": (
            'kw = sign("post", True, data=dict(params))\n'
            'prepare(Request("POST", url, data=kw["data"], headers=headers))'
        ),
        "connector": (
            'm, u, q = sign("POST", "/api/v3/order", dict(params))\n'
            "prepare(Request(m, u, params=q, headers=headers))"
        ),
    }[peer.key]
    return _harness.statement(stmt, ns)


def _full_ccxt(ccxt: _ccxt.Ccxt, session: requests.Session) -> Callable[[int], float]:
    ns = {
        "sign": ccxt.exchange.sign,
        "api": ccxt.peer.api,
        "params": dict(ccxt.peer.params),
        "prepare": session.prepare_request,
        "Request": requests.Request,
    }
    stmt = (
        'o = sign("order", api, "POST", dict(params))\n'
        'prepare(Request(o["method"], o["url"], data=o["body"], headers=o["headers"]))'
    )
    return _harness.statement(stmt, ns)


def _ours_pre_encoded(auth: Any, session: requests.Session) -> Callable[[int], float]:
    ns = {
        "prepare": session.prepare_request,
        "Request": requests.Request,
        "url": _peers.BINANCE_URL,
        "urlencode": urlencode,
        "order": _peers.BINANCE.ORDER,
        "auth": auth,
    }
    return _harness.statement('prepare(Request("POST", url, data=urlencode(order), auth=auth))', ns)
