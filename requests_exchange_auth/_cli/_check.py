"""``verify``: check a captured request against credentials, and explain any mismatch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from .._credentials import mask
from ..testing._verdict import Failure, Verdict
from . import _creds
from ._capture import Captured, parse
from ._errors import INVALID, VALID, CliError
from ._schemes import SCHEMES, Options, Scheme

_HEADLINES: dict[Failure | None, str] = {
    Failure.BAD_SIGNATURE: "the signature does not match",
    Failure.PAYLOAD_MISMATCH: "the token is validly signed, but for a different request",
    Failure.MISSING_KEY: "the request carries no API key",
    Failure.UNKNOWN_KEY: "the request's API key is not the one in the credentials",
    Failure.MISSING_PARAMETER: "a required parameter is missing or misplaced",
    Failure.MALFORMED_PARAMETER: "a parameter is malformed",
    Failure.WRONG_ALGORITHM: "the token is not HS256",
    Failure.STALE_TIMESTAMP: "the timestamp is too old",
    Failure.TIMESTAMP_AHEAD: "the timestamp is ahead of the server's clock",
    Failure.NONCE_NOT_INCREASING: "the nonce is not greater than the last one",
}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "verify",
        help="check a captured request (curl command or raw HTTP) and explain a mismatch",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Check a captured request as the exchange's server would: read a curl command line or
a raw HTTP request from FILE or stdin, verify it with the credentials, and show the
payload the server signs and, if the check fails, why.

Exit status: 0 valid, 1 invalid, 2 an error.""",
        epilog="""\
example: sign, then check with another secret (exit 1, "the signature does not match"):

  rxa sign binance GET https://api.binance.com/api/v3/account --only curl > req.txt
  BINANCE_API_SECRET=other %(prog)s binance req.txt""",
    )
    parser.add_argument("scheme", choices=SCHEMES, help="the signing scheme")
    parser.add_argument("file", nargs="?", default="-",
                        help="the captured request (default: stdin)")  # fmt: skip
    parser.add_argument("--now", type=int, metavar="MS",
                        help="the server's time, Unix ms, for the timing checks (default: "
                        "now); use the request's own timestamp for an old capture")  # fmt: skip
    parser.add_argument("--last-nonce", type=int, metavar="N",
                        help="poloniex: the last nonce accepted for the key")  # fmt: skip
    _creds.add_options(parser, "BINANCE_*, POLONIEX_*, BINANCE_OPEN_API_*", verify=True)
    parser.set_defaults(run=run)


def _read(path: str, stdin: BinaryIO, err: TextIO) -> bytes:
    if path != "-":
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            problem = f"cannot read {path!r} ({exc.strerror}); check the path."
        raise CliError(problem)
    if sys.stdin.isatty():
        print("Paste a curl command or a raw HTTP request, then Ctrl-D:", file=err)
    return stdin.read()


def run(args: argparse.Namespace, out: TextIO, stdin: BinaryIO, err: TextIO) -> int:
    scheme = SCHEMES[args.scheme]
    if args.last_nonce is not None and scheme.name != "poloniex":
        raise CliError(f"--last-nonce is for poloniex requests, not {scheme.name}.")
    creds = _creds.load(args, scheme.name, scheme.env_prefix)  # before the user pastes
    captured = parse(_read(args.file, stdin, err))
    options = Options(now_ms=args.now, last_nonce=args.last_nonce)
    verdict = scheme.verify(captured.received, creds, options)
    _explain(out, scheme, captured, creds.api_key, verdict, now_given=args.now is not None)
    return VALID if verdict.ok else INVALID


def _explain(
    out: TextIO, scheme: Scheme, captured: Captured, api_key: str, verdict: Verdict, *,
    now_given: bool,
) -> None:  # fmt: skip
    request = captured.received
    where = captured.url.partition("?")[0] or request.path  # the query is in the payload
    print(f"Checked {request.method} {where} (read from {captured.source})", file=out)
    print(f"as a {scheme.title}, with the credentials of key {mask(api_key)!r}.", file=out)
    print(f"\n== {scheme.payload_title}", file=out)
    print(verdict.payload if verdict.payload is not None else scheme.payload(request), file=out)
    if verdict.ok:
        print("\nVALID: the signature matches and every check passed.", file=out)
        return
    headline = _HEADLINES.get(verdict.failure, str(verdict.failure))
    print(f"\nINVALID: {headline} ({verdict.failure}).", file=out)
    print(f"  The exchange would answer: {verdict.code} {verdict.reason}", file=out)
    if verdict.detail:
        print(f"  Why: {verdict.detail}", file=out)
    if verdict.failure in (Failure.BAD_SIGNATURE, Failure.PAYLOAD_MISMATCH):
        print(f"  Check: {scheme.advice}", file=out)
    if verdict.failure is Failure.STALE_TIMESTAMP and not now_given:
        print("  Captured earlier? Check it as of then with --now <Unix ms>.", file=out)
