"""Benchmark requests-exchange-auth against the floor and the peers, in one interleaved run.

Usage (from a checkout)::

    python -m pip install ".[all,bench]" && python benchmarks/run.py
    python benchmarks/run.py --smoke    # a few rounds: checks that every row runs

Prints one table of medians and ratios, then the issue's targets with met / not met.
It asserts nothing about timing and exits 0 whatever the numbers are; it exits 1 only
if a case cannot run at all.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any
from urllib.parse import urlencode

import requests

import _cases
import _endtoend
import _harness
import _peers
from _harness import Case, Round

Value = Callable[[Round], float]  # seconds per operation, from one round
OURS_OVER = "ours ÷ this"  # the ratio label of rows that put ours over another path


@dataclass
class Row:
    """A line of the table: a median per-operation time, and optionally a ratio."""

    label: str
    value: Value | None  # None: the row did not run (a peer not installed)
    base: Value | None = None  # the ratio is value / base, per round
    base_label: str = ""
    rate: str = ""  # show 1/value in this unit (req/s, draws/s) instead of a time
    note: str = ""


@dataclass
class Target:
    """A row of the issue's targets table."""

    measure: str
    value: Value | None  # the ratio (or rate) per round
    bound: float
    op: str  # "<=", "<" or ">="
    why_missing: str = ""


def case(key: str) -> Value:
    return lambda m: m[key]


def minus(key: str, base: str) -> Value:
    return lambda m: m[key] - m[base]


def ratio(num: Value, den: Value) -> Value:
    return lambda m: num(m) / den(m)


def fastest(values: Sequence[Value]) -> Value:
    return lambda m: min(v(m) for v in values)


# -- the run ----------------------------------------------------------------------------------

FLOOR = {  # scheme -> (short name in ratios, row label)
    "binance": ("hmac.digest", "hmac.digest HMAC-SHA256 of the Binance payload"),
    "poloniex": ("HMAC-SHA512", "hmac.digest HMAC-SHA512 of the Poloniex body"),
    "open_api": ("jwt.encode", "jwt.encode HS256 of the Open Service claims"),
}
FLOOR_BOUND = {"binance": 4.0, "poloniex": 4.0, "open_api": 1.5}


@dataclass
class Plan:
    """What one run measures (cases) and shows (rows, targets)."""

    cases: list[Case] = field(default_factory=list)
    rows: list[str | Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def build(session: requests.Session, exchange_url: str) -> Plan:
    plan = Plan()
    schemes = _cases.schemes()
    _signing_part(plan, schemes, session)
    _peers_part(plan, schemes[0], session)
    _endtoend_part(plan, schemes, exchange_url)
    _nonce_part(plan)
    return plan


def _signing_part(plan: Plan, schemes: list[_cases.Scheme], session: requests.Session) -> None:
    """The floor, our auths on a prepared request, and Session.prepare_request."""
    # Cases compared with each other sit next to each other: with the order rotating by
    # one case per round, a pair is measured back to back in almost every round.
    floors = {case.key: case for case in _cases.floor_cases()}
    for scheme in schemes:
        plan.cases += [floors[f"floor.{scheme.key}"], *_cases.auth_cases(scheme, session)]

    sizes = {"binance": len(_cases.binance_payload()), "poloniex": len(_cases.poloniex_payload())}
    plan.rows.append("The floor: the signature alone, on exactly what our auth signs")
    for key, (_, text) in FLOOR.items():
        size = f" ({sizes[key]} B)" if key in sizes else ""
        plan.rows.append(Row(f"{text}{size}", case(f"floor.{key}")))

    plan.rows.append("Our auths called on a prepared request (the copy is timed, then subtracted)")
    for scheme in schemes:
        plan.rows.append(
            Row(f"copy of the prepared {scheme.key} request", case(f"copy.{scheme.key}"))
        )
    for scheme in schemes:
        ours = minus(f"auth.{scheme.key}", f"copy.{scheme.key}")
        floor = case(f"floor.{scheme.key}")
        short = FLOOR[scheme.key][0]
        plan.rows.append(Row(scheme.label, ours, floor, short))
        plan.targets.append(
            Target(
                f"{scheme.label} per request ÷ {short}",
                ratio(ours, floor),
                FLOOR_BOUND[scheme.key],
                "<=",
            )
        )

    plan.rows.append("Session.prepare_request, the same request with a no-op auth and with ours")
    for scheme in schemes:
        noop, ours = case(f"prepare.noop.{scheme.key}"), case(f"prepare.ours.{scheme.key}")
        plan.rows.append(Row(f"no-op AuthBase, {scheme.key} request", noop))
        plan.rows.append(Row(scheme.label, ours, noop, "no-op"))
        plan.targets.append(
            Target(f"prepare_request with {scheme.label} ÷ no-op", ratio(ours, noop), 1.10, "<=")
        )


def _peers_part(plan: Plan, binance: _cases.Scheme, session: requests.Session) -> None:
    """The tutorial recipe and the peer libraries, on the same Binance order."""
    peers = _peers.peers()
    for peer in peers:
        if peer.available:
            sample = _harness.statement(peer.stmt, peer.namespace)
            plan.cases += [
                Case(f"peer.{peer.key}", sample),
                Case(f"full.{peer.key}", _full(peer, session)),
            ]
    plan.cases.append(Case("full.ours.str", _ours_pre_encoded(binance.auth, session)))

    ours = minus("auth.binance", "copy.binance")
    plan.rows.append(
        "Signing the same Binance order (params, timestamp, secret): ours vs the others"
    )
    plan.rows.append(Row("BinanceQueryAuth on the prepared request", ours))
    libraries = []
    for peer in peers:
        if not peer.available:
            plan.rows.append(Row(peer.label, None, note=peer.check))
            continue
        value = case(f"peer.{peer.key}")
        plan.rows.append(Row(peer.label, value, ours, OURS_OVER, note=peer.check))
        if peer.key != "tutorial":
            libraries.append(value)
    plan.targets.append(
        Target(
            "BinanceQueryAuth per request ÷ fastest peer's signing path",
            ratio(ours, fastest(libraries)) if libraries else None,
            1.0,
            "<",
            why_missing="no peer installed: pip install '.[bench]'",
        )
    )

    plan.rows.append("The whole path from a params dict to a signed PreparedRequest (Session)")
    plan.rows.append(Row("ours, data=dict (requests encodes)", case("prepare.ours.binance")))
    plan.rows.append(Row("ours, data=urlencode(params)", case("full.ours.str")))
    for peer in peers:
        if peer.available:
            plan.rows.append(Row(f"{peer.key}, then prepare_request", case(f"full.{peer.key}")))


def _endtoend_part(plan: Plan, schemes: list[_cases.Scheme], exchange_url: str) -> None:
    plan.cases += _endtoend.cases(exchange_url, requests.Session(), schemes)
    plan.rows.append(
        "End to end: one keep-alive Session to LocalExchange (own process, 127.0.0.1, unverified)"
    )
    for scheme in schemes:
        noop, ours = case(f"e2e.noop.{scheme.key}"), case(f"e2e.ours.{scheme.key}")
        replay = case(f"e2e.replay.{scheme.key}")
        plan.rows.append(Row(f"no-op AuthBase, {scheme.key} request", noop, rate="req/s"))
        plan.rows.append(
            Row(
                "  same signed bytes, replayed (nothing computed)",
                replay,
                noop,
                "no-op",
                rate="req/s",
            )
        )
        plan.rows.append(Row(scheme.label, ours, noop, "no-op", rate="req/s"))
        # a ratio of rates: (1 / ours) / (1 / noop)
        plan.targets.append(
            Target(f"keep-alive req/s with {scheme.label} ÷ no-op", ratio(noop, ours), 0.95, ">=")
        )


def _nonce_part(plan: Plan) -> None:
    plan.cases += _cases.nonce_cases()
    threads = _cases.NONCE_THREADS
    plan.rows.append("MonotonicNonce")
    plan.rows.append(Row("one thread", case("nonce.1"), rate="draws/s"))
    plan.rows.append(
        Row(f"{threads} threads, one shared generator", case("nonce.8"), rate="draws/s")
    )
    plan.targets.append(
        Target("MonotonicNonce, one thread (draws/s)", lambda m: 1 / m["nonce.1"], 1e6, ">=")
    )


def _full(peer: _peers.Peer, session: requests.Session) -> Callable[[int], float]:
    """The peer's signing path, then Session.prepare_request on what it produced."""
    ns = {
        **peer.namespace,
        "prepare": session.prepare_request,
        "Request": requests.Request,
        "url": _cases.BINANCE_URL,
        "headers": {"X-MBX-APIKEY": "k"},
    }
    stmt = {
        "tutorial": 'prepare(Request("POST", url + "?" + sign(dict(params)), headers=headers))',
        "ccxt": (
            'o = sign("order", api, "POST", dict(params))\n'
            'prepare(Request(o["method"], o["url"], data=o["body"], headers=o["headers"]))'
        ),
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


def _ours_pre_encoded(auth: Any, session: requests.Session) -> Callable[[int], float]:
    ns = {
        "prepare": session.prepare_request,
        "Request": requests.Request,
        "url": _cases.BINANCE_URL,
        "urlencode": urlencode,
        "order": _cases.ORDER,
        "auth": auth,
    }
    return _harness.statement('prepare(Request("POST", url, data=urlencode(order), auth=auth))', ns)


# -- the table --------------------------------------------------------------------------------


def _time(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def _rate(seconds: float, unit: str) -> str:
    return f"{1 / seconds:,.0f} {unit}" if seconds > 0 else "-"


def _per_round(value: Value, rounds: list[dict[str, float]]) -> list[float]:
    return [value(m) for m in rounds]


def render(plan: Plan, rounds: list[dict[str, float]]) -> list[str]:
    rows, targets = plan.rows, plan.targets
    lines = []
    width = 62
    for row in rows:
        if isinstance(row, str):
            lines.extend(["", row, "-" * len(row)])
            continue
        if row.value is None:
            lines.append(f"  {row.label:<{width}}  {row.note}")
            continue
        med = _harness.median(_per_round(row.value, rounds))
        shown = _rate(med, row.rate) if row.rate else _time(med)
        text = f"  {row.label:<{width}} {shown:>16}"
        if row.base is not None:
            value, base = row.value, row.base
            # a rate, or ours over this row's path: base / value; else value / base
            if row.rate or row.base_label == OURS_OVER:
                r = _harness.median(base(m) / value(m) for m in rounds)
            else:
                r = _harness.median(value(m) / base(m) for m in rounds)
            text += f"   {r:5.2f}× {row.base_label}"
        lines.append(text.rstrip())
        if row.note:
            lines.append(f"      {row.note}")
    lines += ["", "Targets (ratios are medians of per-round ratios)", "-" * 47]
    for target in targets:
        if target.value is None:
            lines.append(f"  {target.measure:<{width}}  not measured: {target.why_missing}")
            continue
        got = _harness.median(_per_round(target.value, rounds))
        met = {"<=": got <= target.bound, "<": got < target.bound, ">=": got >= target.bound}[
            target.op
        ]
        bound = f"{target.bound:,.0f}" if target.bound >= 1000 else f"{target.bound:g}"
        shown = f"{got:,.0f}" if target.bound >= 1000 else f"{got:.3f}"
        verdict = "met" if met else "NOT MET"
        lines.append(f"  {target.measure:<{width}} {shown:>10}  {target.op} {bound:<9} {verdict}")
    return lines


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _versions() -> str:
    names = ("requests-exchange-auth", "requests", "PyJWT")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="two short rounds: every row runs, the numbers mean nothing",
    )
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 100, smoke 2)")
    parser.add_argument(
        "--sample-ms", type=float, default=None, help="length of one sample (default 4 ms)"
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.smoke else 100)
    sample_ms = args.sample_ms or (0.2 if args.smoke else 4.0)

    session = requests.Session()
    session.trust_env = False  # no netrc/proxy lookups in the timed prepare_request calls
    with _endtoend.exchange_process() as exchange_url:
        plan = build(session, exchange_url)
        print(f"running {len(plan.cases)} cases × {rounds} rounds ...", file=sys.stderr, flush=True)
        measured = _harness.run(plan.cases, rounds, sample_ms / 1000)

    mode = "SMOKE RUN: too few rounds for these numbers to mean anything; " if args.smoke else ""
    print("requests-exchange-auth benchmark")
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({_cpu()})"
    )
    print(_versions())
    print(
        f"{mode}{rounds} rounds, every case once per round (interleaved), "
        f"~{sample_ms:g} ms per sample; medians"
    )
    for line in render(plan, measured):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
