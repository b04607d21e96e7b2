"""The command line: ``python -m requests_exchange_auth`` or ``rxa``.

``demo`` (the default job of the README), ``sign`` and ``verify``. User errors are one
line on stderr and exit status 2, never a traceback; no output ever shows a secret.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import requests

from .. import __version__
from .._registry import DOCS_URL
from ..exceptions import ExchangeAuthError
from . import _check, _sign
from ._capture import CaptureError
from ._errors import ERROR, CliError
from ._words import in_cli_words

PROG = "python -m requests_exchange_auth"


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Sign crypto-exchange API requests with requests, and debug signatures.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit status: 0 valid or done, 1 invalid or rejected, 2 an error.\n"
        f"'{prog} COMMAND --help' explains each command.\n\nDocumentation: {DOCS_URL}",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command")
    demo = "sign requests for every scheme against a local verifying exchange"
    commands.add_parser(
        "demo",
        help=f"{demo} (no credentials or network needed)",
        description=f"{demo.capitalize()} on 127.0.0.1, with the specs' throw-away test "
        "keys: each honest request must be accepted and each tampered one rejected. "
        "No credentials, no network. Exit status: 0 all as expected, 1 otherwise.",
    )
    _sign.add_parser(commands)
    _check.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = PROG) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    parser = _parser(prog)
    args = parser.parse_args(argv)  # a usage error exits 2, as argparse does
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "demo":
            from .._demo import run  # noqa: PLC0415  # the demo starts a server; load it only when asked

            return run(sys.stdout)
        if args.command == "sign":
            return _sign.run(args, sys.stdout)
        return _check.run(args, sys.stdout, sys.stdin.buffer, sys.stderr)
    except (CliError, CaptureError, ExchangeAuthError, requests.RequestException) as exc:
        print(f"{prog}: error: {in_cli_words(str(exc))}", file=sys.stderr)
        return ERROR


def rxa() -> int:
    """The ``rxa`` console script."""
    return main(prog="rxa")
