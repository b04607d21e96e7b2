"""What the benchmark times for every registered scheme, and for MonotonicNonce.

Each scheme's file in ``schemes/`` names one realistic request and its floor (see
``_bench.py``). From it, for every scheme alike: the floor, computed on exactly what our
auth signs (checked against the signature our auth sent); our auth on a prepared
request (the copy timed and subtracted); ``auth.sign()`` on the same wire form; and
``Session.prepare_request`` with a no-op auth and with ours.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import requests
from requests import PreparedRequest
from requests.auth import AuthBase

import _bench
from _bench import Rows, SignedRequest, SignsNothing
from _harness import Case, alternating, statement, threaded_sampler
from requests_exchange_auth import MonotonicNonce
from requests_exchange_auth._registry import SCHEMES

NONCE_THREADS = 8


class NoopAuth(AuthBase):
    """Returns the request untouched: what requests costs with an auth that does nothing."""

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        return r


class BenchmarkError(Exception):
    """A scheme's benchmark file does not measure what it says (the run stops)."""


def copier(template: PreparedRequest) -> Callable[[], PreparedRequest]:
    """A cheap fresh copy of a prepared request: new headers and hooks, the rest shared.

    Each timed auth call needs an unsigned request. ``PreparedRequest.copy`` would do,
    but it also copies the cookie jar (slower, so noisier to subtract) and shares the
    hooks dict, so the redirect guard would be installed only once. This copy is timed
    as its own row and subtracted, round by round.
    """
    state = template.__dict__
    headers = template.headers

    def fresh() -> PreparedRequest:
        r = PreparedRequest.__new__(PreparedRequest)
        r.__dict__.update(state)
        r.headers = headers.copy()
        r.hooks = {"response": []}
        return r

    return fresh


@dataclass
class Scheme:
    """A registered scheme with its benchmark file: our auth and the request it signs."""

    id: str
    rows: Rows
    auth: Any  # an ExchangeAuth (a requests AuthBase with .sign())
    account: dict[str, Any]

    @property
    def label(self) -> str:
        return type(self.auth).__name__

    def url(self, origin: str | None = None) -> str:
        return (origin or self.rows.origin) + self.rows.request.path

    def kwargs(self) -> dict[str, Any]:
        """``params``, ``data`` and ``json`` for requests and httpx alike."""
        example = self.rows.request
        return {
            "params": dict(example.params) or None,
            "data": dict(example.data) or None,
            "json": dict(example.json) if example.json is not None else None,
        }

    def request(self, auth: AuthBase | None, origin: str | None = None) -> requests.Request:
        return requests.Request(
            self.rows.request.method, self.url(origin), auth=auth, **self.kwargs()
        )

    @cached_property
    def unsigned(self) -> PreparedRequest:
        """The request as requests prepares it, unsigned (no session: no netrc lookup)."""
        return self.request(None).prepare()

    def wire(self) -> dict[str, Any]:
        """``sign()``'s arguments: the unsigned request's wire form."""
        r = self.unsigned
        return {"method": r.method, "url": r.url, "headers": dict(r.headers), "body": r.body}

    @cached_property
    def signed_once(self) -> SignedRequest:
        wire = self.wire()
        signed: SignedRequest = self.auth.sign(wire.pop("method"), wire.pop("url"), **wire)
        return signed

    @cached_property
    def floor_payload(self) -> Any:
        return self.rows.floor.payload(self.signed_once)

    @property
    def floor_label(self) -> str:
        payload, label = self.floor_payload, self.rows.floor.label
        return f"{label} ({len(payload)} B)" if isinstance(payload, bytes) else label


@dataclass
class Coverage:
    """What the registry's scheme has in ``benchmarks/schemes/``, for the table."""

    id: str
    status: str  # "rows", "signs nothing", "NO BENCHMARK FILE", "not selected"
    text: str


def schemes(only: Collection[str] = ()) -> tuple[list[Scheme], list[Coverage]]:
    """Every registered scheme with rows (or those in ``only``), and what each one has."""
    found, coverage = [], []
    for entry in SCHEMES:
        rows = _bench.load(entry.id)
        where = _bench.scheme_file(entry.id).relative_to(_bench.SCHEMES_DIR.parent.parent)
        if rows is None:
            coverage.append(Coverage(entry.id, "NO BENCHMARK FILE", f"add {where}"))
        elif isinstance(rows, SignsNothing):
            coverage.append(Coverage(entry.id, "signs nothing", rows.reason))
        elif only and entry.id not in only:
            coverage.append(Coverage(entry.id, "not selected", f"{where} (--scheme)"))
        else:
            account = dict(rows.request.account or entry.kit.spec_account())
            auth = entry.kit.make_auth(account, **rows.options)
            found.append(Scheme(entry.id, rows, auth, account))
            coverage.append(Coverage(entry.id, "rows", str(where)))
    return found, coverage


def floor_case(scheme: Scheme) -> Case:
    """The floor on exactly what the auth signed, after checking it signs the same way."""
    floor = scheme.rows.floor
    call = floor.primitive(scheme.account, scheme.floor_payload)
    if floor.wire is not None and call() != floor.wire(scheme.signed_once):
        msg = (
            f"benchmarks/schemes: the floor of {scheme.id!r} ({floor.label}) does not "
            "compute the signature our auth sent; it must time the same primitive on "
            "the same payload."
        )
        raise BenchmarkError(msg)
    return Case(f"floor.{scheme.id}", statement("floor()", {"floor": call}))


def auth_cases(scheme: Scheme, session: requests.Session) -> list[Case]:
    """Copy, copy + auth, ``auth.sign()``, and prepare_request with a no-op auth and ours.

    The two prepare_request calls alternate call by call (they take ~200 µs each, so
    timing each call costs nothing): GC pauses and drift then fall on both alike.
    """
    ns: dict[str, Any] = {"fresh": copier(scheme.unsigned), "auth": scheme.auth}
    signing = {"sign": scheme.auth.sign, **scheme.wire()}

    def preparing(auth: AuthBase) -> Callable[[], PreparedRequest]:
        def op() -> PreparedRequest:
            return session.prepare_request(scheme.request(auth))

        return op

    prepare = {
        f"prepare.noop.{scheme.id}": preparing(NoopAuth()),
        f"prepare.ours.{scheme.id}": preparing(scheme.auth),
    }
    return [
        Case(f"copy.{scheme.id}", statement("fresh()", ns)),
        Case(f"auth.{scheme.id}", statement("auth(fresh())", ns)),
        Case(
            f"sign.{scheme.id}",
            statement("sign(method, url, headers=headers, body=body)", signing),
        ),
        Case(f"prepare.{scheme.id}", alternating(prepare), weight=2),
    ]


def nonce_cases() -> list[Case]:
    nonce = MonotonicNonce()
    return [
        Case("nonce.1", statement("nonce()", {"nonce": nonce})),
        Case("nonce.8", threaded_sampler(nonce, NONCE_THREADS), weight=4),
    ]
