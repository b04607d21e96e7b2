"""Credentials for the command line: from a key file or the environment, never from argv.

A secret on the command line would land in shell history and in ``ps`` output; only the
API key (which is not secret) may be passed as an option.
"""

from __future__ import annotations

import argparse
import inspect
import os
from dataclasses import dataclass
from pathlib import Path

from .. import _credentials
from .._registry import Scheme
from ._errors import CliError


@dataclass(frozen=True)
class Credentials:
    """What signs or verifies: the key's secrets (``values``, in the constructor's order:
    the secret, a passphrase), or a PEM key pair's one half."""

    api_key: str
    values: tuple[str, ...] = ()
    private_key: bytes | None = None
    public_key: bytes | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a traceback
        return f"Credentials(api_key={_credentials.mask(self.api_key)!r})"


def add_options(parser: argparse.ArgumentParser, *, verify: bool) -> None:
    """The credential options (``verify`` adds ``--public-key``)."""
    group = parser.add_argument_group(
        "credentials",
        "A key file, or the environment (the default): never the command line, which "
        "shell history and ps keep. The default variables are the scheme's: "
        "BINANCE_API_KEY and BINANCE_API_SECRET for binance, and so on (see --env-prefix).",
    )
    group.add_argument(
        "--key-file", metavar="PATH", help='JSON key file: {"key": "...", "secret": "..."}'
    )
    group.add_argument(
        "--env-prefix", metavar="PREFIX", help="read PREFIX_API_KEY, PREFIX_API_SECRET, ..."
    )
    group.add_argument(
        "--private-key",
        metavar="PEM",
        help="an RSA or Ed25519 private key file (PKCS#8 PEM) instead of a secret, for "
        "schemes whose keys can be key pairs (binance)",
    )
    if verify:
        group.add_argument("--public-key", metavar="PEM", help="the RSA or Ed25519 public key file")
    group.add_argument(
        "--private-key-password-env",
        metavar="VAR",
        help="the environment variable that holds the private key's password",
    )
    pair = "--private-key or --public-key" if verify else "--private-key"
    group.add_argument(
        "--api-key",
        metavar="KEY",
        help=f"with {pair}: the API key (default: PREFIX_API_KEY)",
    )


def load(args: argparse.Namespace, entry: Scheme) -> Credentials:
    """The credentials the options point to, for the scheme ``entry``."""
    cls = entry.auth_class
    prefix = args.env_prefix or cls.env_prefix
    private, public = args.private_key, getattr(args, "public_key", None)
    if private or public:
        return _key_pair(args, entry, prefix, private, public)
    fields = cls.credential_fields
    if args.api_key:
        msg = (
            "--api-key goes with a key pair (--private-key); a key with a secret comes "
            f"from --key-file or the variables {prefix}_API_KEY and {prefix}_API_SECRET."
        )
        raise CliError(msg)
    if args.key_file:
        key, *secrets = _credentials.from_file(args.key_file, fields)
    else:
        key, *secrets = _credentials.from_env(prefix, fields, None)
    return Credentials(key, tuple(secrets))


def _key_pair(
    args: argparse.Namespace, entry: Scheme, prefix: str, private: str | None, public: str | None
) -> Credentials:
    if "private_key" not in inspect.signature(entry.auth_class).parameters:
        msg = f"--private-key and --public-key are for key pairs, which {entry.id} has not."
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
