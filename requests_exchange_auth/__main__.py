"""Command line: ``python -m requests_exchange_auth demo``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m requests_exchange_auth",
        description="Sign crypto-exchange API requests with requests.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "demo",
        help="sign requests for every scheme against a local verifying exchange "
        "(no credentials or network needed)",
    )
    parser.parse_args(argv)
    from ._demo import run  # noqa: PLC0415  # the demo starts a server; load it only when asked

    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    return run(sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
