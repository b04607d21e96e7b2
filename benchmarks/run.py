"""Benchmark requests-exchange-auth against the floor and the peers, in one interleaved run.

Usage (from a checkout)::

    python -m pip install ".[all,bench]" && python benchmarks/run.py
    python benchmarks/run.py --smoke            # a few rounds: checks that every row runs
    python benchmarks/run.py --scheme kraken    # one scheme's rows (and the nonce rows)

Prints which registered schemes have rows, one table of medians and ratios, then the
targets with met / not met. It asserts nothing about timing and exits 0 whatever the
numbers are; it exits 1 only if a case cannot run at all, or a scheme's floor does not
compute the signature its auth sent.

How to add a scheme's rows
--------------------------

Add ONE file, ``benchmarks/schemes/<registry id, "-" as "_">.py`` (``kraken-futures`` ->
``kraken_futures.py``), that sets ``ROWS`` (the names are in ``_bench.py``)::

    # Gate: a spot order in a JSON body (gate.md)
    from _bench import CcxtPeer, Example, Floor, Rows, hmac_floor

    ORDER = {"currency_pair": "BTC_USDT", "side": "buy", "amount": "0.001", "price": "50000"}

    def sign_string(signed):  # SignedRequest -> the exact bytes our auth signed
        ...

    ROWS = Rows(
        request=Example("a spot order", "POST", "/api/v4/spot/orders", json=ORDER),
        origin="https://api.gateio.ws",
        floor=Floor(
            "HMAC-SHA512",                                     # its name in the ratios
            "hmac.digest HMAC-SHA512 of the Gate sign string",  # its row
            payload=sign_string,
            primitive=hmac_floor("sha512"),  # (account, payload) -> the call timed
            wire=lambda signed: bytes.fromhex(signed.headers["SIGN"]),  # checked equal
        ),
        bound=3.0,  # auth ÷ floor (the default)
        ccxt=CcxtPeer("gate", "orders", ["private", "spot"], "POST", ORDER),
    )

A randomised signature (ECDSA: Coinbase's ES256) cannot be compared: leave ``wire``
out and say why in the floor's ``note``.

From that file alone the run times, for the scheme: the floor; the auth on a prepared
request (÷ floor ≤ ``bound``); ``Session.prepare_request`` with it (÷ a no-op auth ≤
1.10); ccxt's ``sign()`` on the same request with the same credentials (ours ÷ ccxt <
1; give ``CcxtPeer`` a ``check`` that pins ccxt's clock and compares with ours, as
``schemes/binance.py`` does); ``auth.sign()`` and ``HttpxAuth`` on the same request; and
keep-alive requests/s to the local exchange through requests, ``httpx.Client`` and
``httpx.AsyncClient``. A scheme that signs nothing sets
``ROWS = SignsNothing("why")``. A registered scheme without a file is listed under
"Schemes" as NO BENCHMARK FILE, and ``tests/test_benchmarks.py`` fails for it.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence
from importlib import metadata

import requests

import _binance_others
import _cases
import _ccxt
import _endtoend
import _harness
import _httpx
from _table import OURS_OVER, Plan, Row, Target, case, ours, ratio, render
from requests_exchange_auth._registry import SCHEMES

Peers = dict[str, "_ccxt.Ccxt | None"]


def build(session: requests.Session, exchange_url: str, schemes: list[_cases.Scheme]) -> Plan:
    plan = Plan()
    peers = {scheme.id: _ccxt.ccxt_peer(scheme) for scheme in schemes}
    _signing_part(plan, schemes, peers, session)
    _ccxt_part(plan, schemes, peers)
    for scheme in schemes:
        if scheme.id == "binance":
            _binance_others.part(plan, scheme, peers["binance"], session)
    _httpx_part(plan, schemes)
    _endtoend_part(plan, schemes, exchange_url)
    _httpx_endtoend_part(plan, schemes, exchange_url)
    _nonce_part(plan)
    return plan


def _signing_part(
    plan: Plan, schemes: list[_cases.Scheme], peers: Peers, session: requests.Session
) -> None:
    """The floor, our auths on a prepared request, and Session.prepare_request."""
    # Cases compared with each other sit next to each other: with the order rotating by
    # one case per round, a pair is measured back to back in almost every round.
    for scheme in schemes:
        peer = peers[scheme.id]
        plan.cases += [_cases.floor_case(scheme), *_cases.auth_cases(scheme, session)]
        plan.cases[-1:-1] = _httpx.call_cases(scheme)  # before the (slow) prepare case
        if peer is not None and peer.available:
            plan.cases.insert(len(plan.cases) - 1, peer.case())

    plan.rows.append("The floor: the signature alone, on exactly what our auth signs")
    for scheme in schemes:
        floor = scheme.rows.floor
        unchecked = "not compared with the signature our auth sent" if floor.wire is None else ""
        note = floor.note or unchecked
        plan.rows.append(Row(scheme.floor_label, case(f"floor.{scheme.id}"), note=note))

    plan.rows.append("Our auths called on a prepared request (the copy is timed, then subtracted)")
    for scheme in schemes:
        copy = case(f"copy.{scheme.id}")
        plan.rows.append(Row(f"copy of the prepared {scheme.id} request", copy))
    for scheme in schemes:
        floor, short = case(f"floor.{scheme.id}"), scheme.rows.floor.short
        plan.rows.append(Row(scheme.label, ours(scheme), floor, short))
        plan.targets.append(
            Target(
                f"{scheme.label} per request ÷ {short}",
                ratio(ours(scheme), floor),
                scheme.rows.bound,
                "<=",
            )
        )

    plan.rows.append("Session.prepare_request, the same request with a no-op auth and with ours")
    for scheme in schemes:
        noop, mine = case(f"prepare.noop.{scheme.id}"), case(f"prepare.ours.{scheme.id}")
        plan.rows.append(Row(f"no-op AuthBase, {scheme.id} request", noop))
        plan.rows.append(Row(scheme.label, mine, noop, "no-op"))
        plan.targets.append(
            Target(f"prepare_request with {scheme.label} ÷ no-op", ratio(mine, noop), 1.10, "<=")
        )


def _ccxt_part(plan: Plan, schemes: list[_cases.Scheme], peers: Peers) -> None:
    """Each scheme against ccxt's sign() for the same exchange, in the same run."""
    plan.rows.append("ccxt's sign() for the same exchange: same request, same credentials")
    for scheme in schemes:
        peer = peers[scheme.id]
        if peer is None:
            why = scheme.rows.no_peer or "its benchmark file names no ccxt peer"
            plan.rows.append(Row(f"{scheme.label}: no ccxt peer", None, note=why))
            continue
        note = "\n      ".join(filter(None, [peer.check, peer.peer.note]))
        value = case(peer.key) if peer.available else None
        plan.rows.append(Row(f"{scheme.label} on the prepared request", ours(scheme)))
        plan.rows.append(Row(peer.label, value, ours(scheme), OURS_OVER, note=note))
        plan.targets.append(
            Target(
                f"{scheme.label} per request ÷ ccxt {peer.peer.exchange}.sign",
                ratio(ours(scheme), value) if value is not None else None,
                1.0,
                "<",
                why_missing=peer.check,
            )
        )


def _httpx_part(plan: Plan, schemes: list[_cases.Scheme]) -> None:
    """One request signed three ways: requests' path, auth.sign(), HttpxAuth's flow."""
    plan.rows.append(
        "One request signed for requests, for any client (auth.sign()) and for httpx (HttpxAuth)"
    )
    if _httpx.MISSING:
        plan.rows.append(Row("HttpxAuth on an httpx.Request", None, note=_httpx.MISSING))
    for scheme in schemes:
        sign, hx = case(f"sign.{scheme.id}"), case(f"httpx.auth.{scheme.id}")
        built = case(f"httpx.build.{scheme.id}")
        mine = ours(scheme)
        plan.rows.append(Row(f"{scheme.label} on a PreparedRequest (requests)", mine))
        plan.rows.append(Row("  .sign(method, url, headers=, body=)", sign, mine, "requests"))
        if _httpx.MISSING:
            continue
        plan.rows.append(Row("  httpx.Request(...) of the signed request (the copy built)", built))
        label = f"  HttpxAuth({scheme.label}) flow on an httpx.Request"
        plan.rows.append(Row(label, hx, sign, "sign()"))
        plan.targets.append(
            Target(
                f"HttpxAuth({scheme.label}) ÷ (sign() + httpx.Request)",
                lambda m, s=sign, h=hx, b=built: h(m) / (s(m) + b(m)),
                1.25,
                "<=",
            )
        )


def _endtoend_part(plan: Plan, schemes: list[_cases.Scheme], exchange_url: str) -> None:
    plan.cases += _endtoend.cases(exchange_url, requests.Session(), schemes)
    plan.rows.append(
        "End to end: one keep-alive Session to LocalExchange (own process, 127.0.0.1, unverified)"
    )
    plan.rows.append(
        Row(
            "check_transport(http://127.0.0.1/), in every ours row below",
            case("transport.loopback"),
            note="reads the environment's proxies (loopback must not go through one); "
            "https:// skips that",
        )
    )
    for scheme in schemes:
        noop, mine = case(f"e2e.noop.{scheme.id}"), case(f"e2e.ours.{scheme.id}")
        replay = case(f"e2e.replay.{scheme.id}")
        plan.rows.append(Row(f"no-op AuthBase, {scheme.id} request", noop, rate="req/s"))
        plan.rows.append(
            Row(
                "  same signed bytes, replayed (nothing computed)",
                replay,
                noop,
                "no-op",
                rate="req/s",
            )
        )
        plan.rows.append(Row(scheme.label, mine, noop, "no-op", rate="req/s"))
        # a ratio of rates: (1 / ours) / (1 / noop)
        plan.targets.append(
            Target(f"keep-alive req/s with {scheme.label} ÷ no-op", ratio(noop, mine), 0.95, ">=")
        )


def _httpx_endtoend_part(plan: Plan, schemes: list[_cases.Scheme], exchange_url: str) -> None:
    cases, closers = _httpx.endtoend_cases(exchange_url, schemes)
    plan.cases += cases
    plan.closers += closers
    clients = {
        "hx": ("httpx.Client", "one keep-alive client to the same LocalExchange"),
        "ahx": ("httpx.AsyncClient", "one keep-alive client on its own event loop, same exchange"),
    }
    for prefix, (client, how) in clients.items():
        plan.rows.append(f"End to end with {client}: {how}")
        if _httpx.MISSING:
            plan.rows.append(Row(client, None, note=_httpx.MISSING))
        for scheme in schemes:
            noop, mine = case(f"{prefix}.noop.{scheme.id}"), case(f"{prefix}.ours.{scheme.id}")
            measure = f"{client} req/s with {scheme.label} ÷ no auth"
            if _httpx.MISSING:
                plan.targets.append(Target(measure, None, 0.9, ">=", _httpx.MISSING))
                continue
            label = f"no auth (httpx.Auth()), {scheme.id} request"
            plan.rows.append(Row(label, noop, rate="req/s"))
            plan.rows.append(Row(f"HttpxAuth({scheme.label})", mine, noop, "no auth", rate="req/s"))
            plan.targets.append(Target(measure, ratio(noop, mine), 0.9, ">="))


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


def coverage_lines(coverage: list[_cases.Coverage]) -> list[str]:
    """Which registered schemes have rows, sign nothing, or have no benchmark file."""
    title = "Schemes: every registered scheme, and its file in benchmarks/schemes/"
    lines = ["", title, "-" * len(title)]
    width = max(len(c.id) for c in coverage)
    for found in coverage:
        lines.append(f"  {found.id:<{width}}  {found.status:<17}  {found.text}")
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
    names = ("requests-exchange-auth", "requests", "httpx", "PyJWT", "ccxt")
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
    parser.add_argument(
        "--scheme",
        action="append",
        default=[],
        choices=[entry.id for entry in SCHEMES],
        metavar="ID",
        help="only this registered scheme's rows (repeatable; default: every scheme)",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.smoke else 100)
    sample_ms = args.sample_ms or (0.2 if args.smoke else 4.0)

    schemes, coverage = _cases.schemes(args.scheme)
    for missing in (c for c in coverage if c.status == "NO BENCHMARK FILE"):
        print(f"warning: {missing.id} has no benchmark rows: {missing.text}", file=sys.stderr)
    session = requests.Session()
    session.trust_env = False  # no netrc/proxy lookups in the timed prepare_request calls
    with _endtoend.exchange_process() as exchange_url:
        plan = build(session, exchange_url, schemes)
        print(f"running {len(plan.cases)} cases × {rounds} rounds ...", file=sys.stderr, flush=True)
        try:
            measured = _harness.run(plan.cases, rounds, sample_ms / 1000)
        finally:
            for close in plan.closers:
                close()

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
    for line in coverage_lines(coverage) + render(plan.rows, plan.targets, measured):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
