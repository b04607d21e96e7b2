"""What the testing kit knows of each scheme, behind one interface the kit iterates over.

A :class:`Verifier` checks a received request the way its exchange's server does, says
which paths it guards on a :class:`LocalExchange` and how that exchange answers, holds
the specs' throw-away test account, and gives examples that the demo and the contract
tests send. The registry (``_registry``) names one per scheme; the local exchange, the
matchers, the CLI and the demo read it there, so none of them lists schemes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .._credentials import mask
from ._credential import secret_bytes
from ._received import Received
from ._verdict import ACCEPTED, Failure, Verdict, rejected

__all__ = ["ACCEPTED", "Example", "Verifier", "unknown_key"]


@dataclass(frozen=True)
class Example:
    """A request the demo and the contract tests send with a scheme's test account.

    :param title: what it shows, in a few words.
    :param method: the HTTP method.
    :param path: the path on the exchange (no query: pass ``params``).
    :param params: query parameters.
    :param data: form-body parameters.
    :param json: a JSON body (a dict).
    :param account: constructor arguments overriding the test account (another key type).
    """

    title: str
    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, str] = field(default_factory=dict)
    json: Mapping[str, Any] | None = None
    account: Mapping[str, Any] | None = None


class Verifier:
    """One scheme, as the testing kit sees it; subclasses fill in the exchange's rules."""

    #: the registry id of the scheme
    scheme: ClassVar[str]
    #: the header that carries the API key: tells schemes apart on shared paths
    key_header: ClassVar[str]
    #: the paths it guards on a LocalExchange: exact paths, or prefixes ending in "/"
    paths: ClassVar[tuple[str, ...]] = ()
    #: the exchange's public time endpoints, answered with :meth:`time_answer`
    time_paths: ClassVar[tuple[str, ...]] = ()
    #: whether the exchange rejects a nonce not greater than the key's last one
    tracks_nonces: ClassVar[bool] = False
    #: what the payload the server signs is called, and what to check on a mismatch (CLI);
    #: in the user's words: the CLI links the scheme's docs page, never a spec file
    payload_title: ClassVar[str] = "payload signed"
    advice: ClassVar[str] = ""
    #: what ``sign`` and the demo send
    examples: ClassVar[tuple[Example, ...]] = ()

    # -- accounts ---------------------------------------------------------------------

    @property
    def account_scheme(self) -> str:
        """The scheme whose accounts this one checks against: its own, by default."""
        return self.scheme

    def spec_account(self) -> dict[str, Any]:
        """The specs' throw-away credentials, as the auth's constructor arguments."""
        raise NotImplementedError

    def accounts(self) -> dict[str, Any]:
        """API key -> credential, for every test account a LocalExchange registers."""
        account = self.spec_account()
        return {self.key_of_account(account): self.credential_of_account(account)}

    def key_of_account(self, account: Mapping[str, Any]) -> str:
        """The API key in constructor arguments (their first value)."""
        return str(next(iter(account.values())))

    def credential_of_account(self, account: Mapping[str, Any]) -> Any:
        """What :meth:`check` needs besides the key, from constructor arguments."""
        return self.credential(*list(account.values())[1:])

    def credential(self, *values: Any) -> Any:
        """Normalise a registered credential: by default an HMAC ``secret``'s bytes.

        Schemes whose accounts hold something else (a public key, a passphrase) override it.
        """
        return secret_bytes(values[0], "secret")

    def make_auth(self, account: Mapping[str, Any] | None = None, **options: Any) -> Any:
        """The scheme's auth over the test account (or ``account``), with ``options``."""
        from .._registry import scheme  # noqa: PLC0415  # the registry names this module

        cls = scheme(self.scheme).auth_class
        return cls(**(account or self.spec_account()), **options)

    # -- the server ---------------------------------------------------------------------

    def key_of(self, received: Received) -> str:
        """The API key a request carries ("" when none)."""
        return received.headers.get(self.key_header, "")

    def check(
        self,
        received: Received,
        accounts: Mapping[str, Any],
        now_ms: int,
        last_nonce: int | None = None,
    ) -> Verdict:
        """The server's checks, for any number of accounts (API key -> credential)."""
        raise NotImplementedError

    def reject(self, verdict: Verdict) -> tuple[int, Any]:
        """A rejection in the exchange's own format: (HTTP status, JSON body)."""
        return 401, {"error": verdict.reason}

    def is_rejection(self, status: int, answer: Any) -> bool:
        """Whether an answer (HTTP status, parsed JSON body or ``None``) rejects the request.

        Most exchanges reject with an HTTP error status; some (Kraken) answer HTTP 200 and
        name the error in the body, so the demo, the CLI's ``--send`` and the tests ask here.
        """
        return status >= 400

    def accept(self, received: Received, verdict: Verdict, now_ms: int) -> tuple[int, Any]:
        """What the exchange answers a verified request when no canned answer is set."""
        return 200, {}

    def time_answer(self, now_ms: int) -> Any:
        """The exchange's answer on its time endpoint."""
        return {"serverTime": now_ms}

    def payload(self, received: Received) -> str:
        """The text the server signs, for display (CLI ``sign``/``verify``)."""
        raise NotImplementedError


def unknown_key(
    key: str | None,
    accounts: Mapping[str, Any],
    code: str,
    reason: str,
    *,
    where: str,
    payload: str | None = None,
) -> Verdict | None:
    """The rejection for a missing or unregistered key, or ``None`` when it is known.

    :param where: where the key travels, for the detail ("the Key header").
    """
    if not key:
        detail = f"the request carries no API key: {where} is missing or empty."
        return rejected(Failure.MISSING_KEY, code, reason, detail, payload)
    if key not in accounts:
        known = ", ".join(repr(mask(k)) for k in accounts)
        detail = f"{where} is {mask(key)!r}; expected {known or 'a registered key'}."
        return rejected(Failure.UNKNOWN_KEY, code, reason, detail, payload)
    return None
