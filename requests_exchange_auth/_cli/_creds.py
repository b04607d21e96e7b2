"""Credentials for the command line: from a key file or the environment, never from argv.

A secret on the command line would land in shell history and in ``ps`` output; only the
API key (which is not secret) may be passed as an option.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from .. import _credentials
from ._errors import CliError


@dataclass(frozen=True)
class Credentials:
    """What signs or verifies: an HMAC secret, or a PEM key (Binance RSA/Ed25519)."""

    api_key: str
    secret: str | None = None
    private_key: bytes | None = None
    public_key: bytes | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a traceback
        return f"Credentials(api_key={_credentials.mask(self.api_key)!r})"


def add_options(parser: argparse.ArgumentParser, env_prefixes: str, *, verify: bool) -> None:
    """The credential options; ``env_prefixes`` names the default variables in the help."""
    group = parser.add_argument_group(
        "credentials",
        "A key file, or the environment (the default): never the command line, which "
        f"shell history and ps keep. Default variables: {env_prefixes}.",
    )
    group.add_argument(
        "--key-file", metavar="PATH", help='JSON key file: {"key": "...", "secret": "..."}'
    )
    group.add_argument(
        "--env-prefix", metavar="PREFIX", help="read PREFIX_API_KEY and PREFIX_API_SECRET"
    )
    group.add_argument(
        "--private-key",
        metavar="PEM",
        help="binance: an RSA or Ed25519 private key file (PKCS#8 PEM), instead of a secret",
    )
    if verify:
        group.add_argument(
            "--public-key", metavar="PEM", help="binance: the RSA or Ed25519 public key file"
        )
    group.add_argument(
        "--private-key-password-env",
        metavar="VAR",
        help="the environment variable that holds the private key's password",
    )
    group.add_argument(
        "--api-key",
        metavar="KEY",
        help="with --private-key/--public-key: the API key (default: PREFIX_API_KEY)",
    )


def load(args: argparse.Namespace, scheme: str, env_prefix: str) -> Credentials:
    """The credentials the options point to, for ``scheme``."""
    prefix = args.env_prefix or env_prefix
    private, public = args.private_key, getattr(args, "public_key", None)
    if private or public:
        return _key_pair(args, scheme, prefix, private, public)
    if args.api_key:
        msg = (
            "--api-key goes with --private-key or --public-key; an HMAC key comes with its "
            f"secret from --key-file or {prefix}_API_KEY and {prefix}_API_SECRET."
        )
        raise CliError(msg)
    if args.key_file:
        key, secret = _credentials.from_file(args.key_file)
    else:
        key, secret = _credentials.from_env(prefix, None)
    return Credentials(key, secret=secret)


def _key_pair(
    args: argparse.Namespace, scheme: str, prefix: str, private: str | None, public: str | None
) -> Credentials:
    if scheme != "binance":
        msg = f"--private-key and --public-key are for binance RSA/Ed25519 keys, not {scheme}."
        raise CliError(msg)
    if args.key_file or (private and public):
        msg = "pass one of --key-file, --private-key and --public-key."
        raise CliError(msg)
    api_key = args.api_key or os.environ.get(f"{prefix}_API_KEY")
    if not api_key:
        msg = f"an RSA/Ed25519 key needs its API key: pass --api-key, or set {prefix}_API_KEY."
        raise CliError(msg)
    password = None
    if args.private_key_password_env:
        password = os.environ.get(args.private_key_password_env)
        if password is None:
            msg = f"environment variable {args.private_key_password_env} is not set."
            raise CliError(msg)
    return Credentials(
        api_key,
        private_key=_read(private) if private else None,
        public_key=_read(public) if public else None,
        password=password,
    )


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        problem = f"cannot read key file {path!r} ({exc.strerror}); check the path."
    raise CliError(problem)  # outside the except block: nothing of the file rides along
