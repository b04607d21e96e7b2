"""``sign``: build a request, sign it, and show the payload, the request and a curl command."""

from __future__ import annotations

import argparse
from typing import TextIO
from urllib.parse import urlsplit

import requests

from .._registry import scheme
from ..testing import Received
from . import _creds
from ._errors import INVALID, VALID, CliError
from ._render import curl, raw_http
from ._schemes import IDS, Options, make_auth

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
    _add_request(parser)
    _add_signing(parser)
    _creds.add_options(parser, verify=False)
    parser.set_defaults(run=run)


def _add_request(parser: argparse.ArgumentParser) -> None:
    """The request: scheme, method, URL, parameters and body, and the output options."""
    parser.add_argument("scheme", choices=IDS, help="the signing scheme")
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
    where.add_argument("--json", metavar="TEXT", help="a JSON body, sent byte for byte as given")
    output = parser.add_argument_group("output")
    output.add_argument("--only", choices=("payload", "request", "curl"),
                        help="print only this part, without headings (for pipes)")  # fmt: skip
    output.add_argument("--send", action="store_true", help="send the request; show the answer")
    output.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help="seconds to wait for the answer with --send (default 10)")  # fmt: skip


def _add_signing(parser: argparse.ArgumentParser) -> None:
    """The signing options; a scheme refuses the ones its auth does not take."""
    signing = parser.add_argument_group("signing")
    signing.add_argument("--timestamp", type=int, metavar="MS",
                         help="sign as at this Unix time in ms (schemes with a timestamp), "
                         "e.g. to reproduce a documented example")  # fmt: skip
    signing.add_argument("--nonce", type=int, metavar="N",
                         help="the nonce to use (schemes with a nonce)")  # fmt: skip
    signing.add_argument("--recv-window", metavar="MS",
                         help="the receive window (schemes that have one)")  # fmt: skip
    signing.add_argument("--unit", choices=("s", "ms", "us"),
                         help="the timestamp's unit, where the scheme offers a choice")  # fmt: skip
    signing.add_argument("--allow-insecure-http", action="store_true",
                         help="sign a plain http:// URL to a non-loopback host")  # fmt: skip


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
    """Refuse what cannot make one request (the scheme refuses options it has no use for)."""
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


def _send(
    session: requests.Session, prepared: requests.PreparedRequest, args: argparse.Namespace
) -> requests.Response:
    # as session.request would: proxies and CA bundle from the environment
    settings = session.merge_environment_settings(prepared.url, {}, None, None, None)
    try:
        return session.send(prepared, timeout=args.timeout, **settings)
    except requests.RequestException as exc:
        # the exception's text holds the signed URL: name the failure and the host only
        host = urlsplit(args.url).netloc
        raise CliError(f"could not send the request to {host}: {type(exc).__name__}") from None


def run(args: argparse.Namespace, out: TextIO) -> int:
    _check_options(args)
    entry = scheme(args.scheme)
    creds = _creds.load(args, entry)
    options = Options(
        timestamp_ms=args.timestamp, nonce=args.nonce, recv_window=args.recv_window,
        unit=args.unit, allow_insecure_http=args.allow_insecure_http,
    )  # fmt: skip
    with requests.Session() as session:
        prepared = session.prepare_request(_request(args, make_auth(entry, creds, options)))
        parts = {
            "payload": entry.kit.payload(Received.from_prepared(prepared)),
            "request": raw_http(prepared),
            "curl": curl(prepared),
        }
        response = _send(session, prepared, args) if args.send else None
    # printed only once the request went out (or was never to): the text of a request
    # that could not be sent is still a valid signed request for a while
    if args.only:
        print(parts[args.only], file=out)
    else:
        print(f"== {entry.kit.payload_title}\n{parts['payload']}\n", file=out)
        print(f"== signed request\n{parts['request']}\n", file=out)
        print(f"== curl\n{parts['curl']}\n", file=out)
        print(f"== documentation\n{entry.docs_url}", file=out)
    if response is None:
        return VALID
    status = f"HTTP {response.status_code} {response.reason}"
    print(f"\n== response\n{status}\n{response.text}", file=out)
    try:
        answer = response.json()
    except ValueError:
        answer = None
    # the exchange's own judgement: Kraken rejects with HTTP 200 and an error in the body
    return INVALID if entry.kit.is_rejection(response.status_code, answer) else VALID
