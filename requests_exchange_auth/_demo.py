"""``python -m requests_exchange_auth demo``: sign real requests against a local verifying exchange.

Every registered scheme sends its examples with the specs' throw-away test account, and
one of them again with a byte changed after signing, which must be rejected. No
credentials or network: the exchange runs on 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import requests
from requests import PreparedRequest

from ._credentials import mask
from ._registry import SCHEMES, Scheme
from .exceptions import MissingDependencyError
from .testing import LocalExchange

if TYPE_CHECKING:
    from .testing._verifier import Example

_SIGNATURE = re.compile(r"((?:signature|sign|Sign)=)([^&]{8})[^&]*")
_VALUE = re.compile(r"[=:]\"?([A-Za-z0-9])")


@dataclass
class Tally:
    """What the demo saw; it passes when nothing was unexpected."""

    accepted: int = 0
    rejected: int = 0
    unexpected: int = 0
    skipped: int = 0
    extras: set[str] | None = None


def _steps() -> Iterator[tuple[Scheme, Example, bool]]:
    """Each scheme's examples, then its first example tampered."""
    for entry in SCHEMES:
        for example in entry.kit.examples:
            yield entry, example, False
        if entry.kit.examples:
            yield entry, entry.kit.examples[0], True


def tamper(r: PreparedRequest, owned: tuple[str, ...]) -> None:
    """Change one byte of what was signed, as a buggy client or proxy would: the first
    value of the body, else of the query, else the first header the auth owns."""
    body = r.body.decode() if isinstance(r.body, bytes) else r.body
    base, _, query = (r.url or "").partition("?")
    if body:
        r.body = _changed(body)
    elif query:
        r.url = f"{base}?{_changed(query)}"
    else:
        r.headers[owned[0]] = _changed(str(r.headers[owned[0]]), at=-1)


def _changed(text: str, at: int | None = None) -> str:
    match = _VALUE.search(text)
    index = match.start(1) if match is not None and at is None else (at or 0) % len(text)
    char = text[index]
    new = "2" if char == "1" else ("1" if char.isdigit() else ("b" if char == "a" else "a"))
    return text[:index] + new + text[index + 1 :]


def _masked(text: str) -> str:
    """Show a signature parameter by its first characters only."""
    return _SIGNATURE.sub(lambda m: f"{m[1]}{m[2]}…", text)


def _show(r: PreparedRequest, entry: Scheme, out: TextIO) -> None:
    auth = entry.auth_class
    print(f"    sent     {r.method} {_masked(r.path_url)}", file=out)
    for name in (*auth.owned_headers, "Content-Type"):
        value = r.headers.get(name)
        if value is not None:
            shown = mask(str(value)) if name == auth.key_header else str(value)
            if name not in (auth.key_header, "Content-Type"):
                shown = shown[:12] + "…"  # a signature or token: its start is enough
            print(f"             {name}: {shown}", file=out)
    if r.body:
        body = r.body.decode("utf-8", "replace") if isinstance(r.body, bytes) else str(r.body)
        print(f"             body: {_masked(body)}", file=out)


def _send(session: requests.Session, url: str, entry: Scheme, example: Example) -> PreparedRequest:
    request = requests.Request(
        example.method, url + example.path, auth=entry.kit.make_auth(example.account),
        params=dict(example.params), data=dict(example.data), json=example.json,
    )  # fmt: skip
    return session.prepare_request(request)


def run(out: TextIO) -> int:
    """Run every step; 0 when honest requests pass and tampered ones are rejected, else 1."""
    tally = Tally(extras=set())
    with LocalExchange() as exchange, requests.Session() as session:
        print(f"Local verifying exchange at {exchange.url} (throw-away test keys, no network)\n",
              file=out)  # fmt: skip
        for number, (entry, example, tampered) in enumerate(_steps(), 1):
            title = f"TAMPERED after signing: {example.title}" if tampered else example.title
            print(f"[{number}] {entry.title}: {title}", file=out)
            try:
                prepared = _send(session, exchange.url, entry, example)
            except MissingDependencyError as exc:
                print(f"    skipped  {exc}\n", file=out)
                tally.skipped += 1
                tally.extras.add(exc.extra)  # type: ignore[union-attr]
                continue
            if tampered:
                tamper(prepared, entry.auth_class.owned_headers)
            _show(prepared, entry, out)
            response = session.send(prepared, timeout=10)
            expected = not tampered
            # the exchange's own judgement: Kraken rejects with HTTP 200 and an error body
            ok = not entry.kit.is_rejection(response.status_code, _json(response))
            verdict = "accepted" if ok else f"rejected {response.text}"
            mark = "as expected" if ok == expected else "UNEXPECTED"
            print(f"    verdict  HTTP {response.status_code}, {verdict} ({mark})\n", file=out)
            tally.unexpected += ok != expected
            tally.accepted += ok and expected
            tally.rejected += not ok and not expected
    print(_summary(tally), file=out)
    return 1 if tally.unexpected else 0


def _json(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _summary(tally: Tally) -> str:
    counts = f"{tally.accepted} accepted, {tally.rejected} tampered rejected"
    if tally.skipped:
        extras = ",".join(sorted(tally.extras or ()))
        counts += (
            f", {tally.skipped} skipped (pip install 'requests-exchange-auth[{extras}]' runs them)"
        )
    if tally.unexpected:
        return f"demo FAILED: {tally.unexpected} unexpected verdicts ({counts})"
    return f"demo passed: {counts}"
