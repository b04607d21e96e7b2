"""``verify``: check a captured request against credentials, and explain any mismatch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from .._credentials import mask
from .._registry import Scheme, scheme
from ..testing import Failure, Verdict
from ..testing._verifier import Verifier
from . import _creds
from ._capture import Captured, parse
from ._errors import INVALID, VALID, CliError
from ._schemes import IDS, Options, check
from ._words import in_cli_words

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
    parser.add_argument("scheme", choices=IDS, help="the signing scheme")
    parser.add_argument("file", nargs="?", default="-",
                        help="the captured request (default: stdin)")  # fmt: skip
    parser.add_argument("--now", type=int, metavar="MS",
                        help="the server's time, Unix ms, for the timing checks (default: "
                        "now); use the request's own timestamp for an old capture")  # fmt: skip
    parser.add_argument("--last-nonce", type=int, metavar="N",
                        help="the key's last accepted nonce (schemes with a nonce)")  # fmt: skip
    _creds.add_options(parser, verify=True)
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
    entry = scheme(args.scheme)
    if args.last_nonce is not None and not entry.kit.tracks_nonces:
        raise CliError(f"--last-nonce is for schemes with a nonce, not {entry.id}.")
    creds = _creds.load(args, entry)  # before the user pastes
    captured = parse(_read(args.file, stdin, err))
    options = Options(now_ms=args.now, last_nonce=args.last_nonce)
    verdict = check(entry, captured.received, creds, options)
    _explain(out, entry, captured, creds.api_key, verdict, now_given=args.now is not None)
    return VALID if verdict.ok else INVALID


def _explain(
    out: TextIO, entry: Scheme, captured: Captured, api_key: str, verdict: Verdict, *,
    now_given: bool,
) -> None:  # fmt: skip
    request, kit = captured.received, entry.kit
    where = captured.url.partition("?")[0] or request.path  # the query is in the payload
    print(f"Checked {request.method} {where} (read from {captured.source})", file=out)
    print(f"as a {entry.title} request, with the credentials of key {mask(api_key)!r}.", file=out)
    print(f"\n== {kit.payload_title}", file=out)
    print(verdict.payload if verdict.payload is not None else kit.payload(request), file=out)
    if verdict.ok:
        print("\nVALID: the signature matches and every check passed.", file=out)
    else:
        _explain_failure(out, kit, verdict, now_given=now_given)
    print(f"\n== documentation\n{entry.docs_url}", file=out)


def _explain_failure(out: TextIO, kit: Verifier, verdict: Verdict, *, now_given: bool) -> None:
    headline = _HEADLINES.get(verdict.failure, str(verdict.failure))
    print(f"\nINVALID: {headline} ({verdict.failure}).", file=out)
    print(f"  The exchange would answer: {verdict.code} {in_cli_words(verdict.reason)}", file=out)
    if verdict.detail:
        print(f"  Why: {in_cli_words(verdict.detail)}", file=out)
    if verdict.failure in (Failure.BAD_SIGNATURE, Failure.PAYLOAD_MISMATCH):
        print(f"  Check: {in_cli_words(kit.advice)}", file=out)
    if verdict.failure is Failure.STALE_TIMESTAMP and not now_given:
        print("  Captured earlier? Check it as of then with --now <Unix ms>.", file=out)
