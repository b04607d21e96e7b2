"""``sign``: build a request, sign it, and show the payload, the request and a curl command."""

from __future__ import annotations

import argparse
from typing import TextIO
from urllib.parse import urlsplit

import requests

from ..testing._received import Received
from . import _creds
from ._errors import INVALID, VALID, CliError
from ._render import curl, raw_http
from ._schemes import SCHEMES, Options

_QUERY_METHODS = ("GET", "DELETE", "HEAD")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sign",
        help="sign a request and show exactly what was signed, plus a curl command",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Build a request from a method, a URL and NAME=VALUE parameters, sign it, and print
the payload that was signed, the signed HTTP request and an equivalent curl command.
The secret is never printed, but the output is a valid signed request for a while:
do not share it.

Exit status: 0 signed (and, with --send, accepted), 1 sent and rejected, 2 an error.""",
        epilog="\n".join(
            (
                "example: the Binance docs' HMAC example, with its published test key exported as",
                "BINANCE_API_KEY and BINANCE_API_SECRET, prints signature=c8db5682...6b71:",
                "",
                "  %(prog)s binance POST \\",
                "    'https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT"
                "&timeInForce=GTC&quantity=1&price=0.1' \\",
                "    --recv-window 5000 --timestamp 1499827319559",
            )
        ),
    )
    parser.add_argument("scheme", choices=SCHEMES, help="the signing scheme")
    parser.add_argument("method", type=str.upper, help="HTTP method, e.g. GET or POST")
    parser.add_argument("url", help="the full URL, https://...; may carry a query already")
    parser.add_argument(
        "params", nargs="*", metavar="NAME=VALUE",
        help="parameters: in the query for GET/DELETE/HEAD, in the form body otherwise",
    )  # fmt: skip
    where = parser.add_argument_group("where parameters go")
    where.add_argument("-q", "--query", action="append", default=[], metavar="NAME=VALUE",
                       help="a query parameter (repeatable)")  # fmt: skip
    where.add_argument("-d", "--data", action="append", default=[], metavar="NAME=VALUE",
                       help="a form-body parameter (repeatable)")  # fmt: skip
    where.add_argument("--body", metavar="TEXT", help="the body, sent byte for byte as given")
    where.add_argument("--json", metavar="TEXT", help="a JSON body (open-api), sent as given")
    signing = parser.add_argument_group("signing")
    signing.add_argument("--timestamp", type=int, metavar="MS",
                         help="sign as at this Unix time in ms (binance, open-api), e.g. to "
                         "reproduce a documented example")  # fmt: skip
    signing.add_argument("--nonce", type=int, metavar="N", help="the nonce to use (poloniex)")
    signing.add_argument("--recv-window", metavar="MS", help="add recvWindow (binance)")
    signing.add_argument("--ts-unit", choices=("s", "ms"), default="s",
                         help="unit of the token's ts claim (open-api; default s)")  # fmt: skip
    signing.add_argument("--allow-insecure-http", action="store_true",
                         help="sign a plain http:// URL to a non-loopback host")  # fmt: skip
    output = parser.add_argument_group("output")
    output.add_argument("--only", choices=("payload", "request", "curl"),
                        help="print only this part, without headings (for pipes)")  # fmt: skip
    output.add_argument("--send", action="store_true", help="send the request; show the answer")
    output.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help="seconds to wait for the answer with --send (default 10)")  # fmt: skip
    _creds.add_options(parser, "BINANCE_*, POLONIEX_*, BINANCE_OPEN_API_*", verify=False)
    parser.set_defaults(run=run)


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            msg = "parameters are NAME=VALUE; one argument has no '=' or no name."
            raise CliError(msg)
        pairs.append((name, value))
    return pairs


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options the scheme has no use for, rather than ignore them silently."""
    only = {"nonce": "poloniex", "recv_window": "binance", "json": "open-api"}
    for option, scheme in only.items():
        if getattr(args, option) is not None and args.scheme != scheme:
            flag = "--" + option.replace("_", "-")
            raise CliError(f"{flag} is for {scheme} requests, not {args.scheme}.")
    if args.timestamp is not None and args.scheme == "poloniex":
        raise CliError("--timestamp is for binance and open-api; poloniex signs a --nonce.")
    if (args.body is not None or args.json is not None) and args.data:
        raise CliError("give the body either as -d NAME=VALUE parameters or as --body/--json.")
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CliError("the URL must be absolute, starting with https:// and a host name.")


def _request(args: argparse.Namespace, auth: requests.auth.AuthBase) -> requests.Request:
    query, data = _pairs(args.query), _pairs(args.data)
    (query if args.method in _QUERY_METHODS else data).extend(_pairs(args.params))
    body = args.json if args.json is not None else args.body
    headers = {"Content-Type": "application/json"} if args.json is not None else {}
    return requests.Request(
        args.method, args.url, params=query, data=data or body, headers=headers, auth=auth
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    _check_options(args)
    scheme = SCHEMES[args.scheme]
    creds = _creds.load(args, scheme.name, scheme.env_prefix)
    options = Options(
        timestamp_ms=args.timestamp, nonce=args.nonce, recv_window=args.recv_window,
        ts_unit=args.ts_unit, allow_insecure_http=args.allow_insecure_http,
    )  # fmt: skip
    with requests.Session() as session:
        prepared = session.prepare_request(_request(args, scheme.make_auth(creds, options)))
        parts = {
            "payload": scheme.payload(Received.from_prepared(prepared)),
            "request": raw_http(prepared),
            "curl": curl(prepared),
        }
        if args.only:
            print(parts[args.only], file=out)
        else:
            print(f"== {scheme.payload_title}\n{parts['payload']}\n", file=out)
            print(f"== signed request\n{parts['request']}\n", file=out)
            print(f"== curl\n{parts['curl']}", file=out)
        if not args.send:
            return VALID
        # as session.request would: proxies and CA bundle from the environment
        settings = session.merge_environment_settings(prepared.url, {}, None, None, None)
        try:
            response = session.send(prepared, timeout=args.timeout, **settings)
        except requests.RequestException as exc:
            raise CliError(f"could not send the request: {exc}") from None
    status = f"HTTP {response.status_code} {response.reason}"
    print(f"\n== response\n{status}\n{response.text}", file=out)
    return VALID if response.ok else INVALID
