"""The requests adapter: the only code that reads or writes a :class:`requests.PreparedRequest`.

requests runs an auth after ``prepare_url`` and ``prepare_body`` (requests/models.py,
``prepare``), so ``r.url`` and ``r.body`` are the bytes that go on the wire; the scheme
signs them through a :class:`~requests_exchange_auth._draft.Draft` that shares ``r``'s own
headers. What only requests needs lives here too, as response hooks: the redirect guard
(DESIGN.md #4), the one safe resend after a timestamp rejection (#8), and the release of
an ordered nonce hold (#7).
"""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from requests import PreparedRequest, RequestException, Response
from requests.cookies import extract_cookies_to_jar
from requests.models import REDIRECT_STATI

from ._draft import Draft
from ._transport import origin, show_origin
from .exceptions import CrossOriginRedirectError, ServerTimeError

if TYPE_CHECKING:
    from ._auth import ExchangeAuth

__all__ = ["RedirectGuard", "hold_of", "release_now", "sign_prepared"]

log = logging.getLogger("requests_exchange_auth")

# requests keeps the body (and our signature in it) on these redirects (sessions.py,
# resolve_redirects); on the others it drops the body itself.
_BODY_KEEPING_REDIRECTS = frozenset({307, 308})
# what describes the body, which goes with it (the headers requests purges itself there)
_BODY_HEADERS = ("Content-Length", "Content-Type", "Transfer-Encoding")


def sign_prepared(
    auth: ExchangeAuth, r: PreparedRequest, *, resend: bool = True
) -> PreparedRequest:
    """Sign ``r`` in place with ``auth`` and install the hooks its behaviour needs.

    :param resend: install the one resend (not when signing that resend itself).
    """
    hooks = r.hooks["response"]  # always there: requests/hooks.py, default_hooks
    # Usually empty; else a user's hooks, or ours from an earlier signing.
    guarded, resending = _our_hooks(hooks) if hooks else (False, False)
    draft = Draft(r.method or "GET", r.url or "", r.headers, r.body)
    auth._apply(draft)
    r.url = draft.url
    r.body = draft.body  # type: ignore[assignment]  # what the client gave, or our str/bytes
    if not guarded:
        hooks.append(auth._redirect_guard)
    if draft.hold is not None:
        release_when_done(r, draft.hold)
    if resend and auth.resends and not resending:
        # First in line, so the redirect guard then sees the answer to a resend.
        hooks.insert(0, Resend(auth))
    return r


def _our_hooks(hooks: list[Any]) -> tuple[bool, bool]:
    """Whether ``hooks`` hold our redirect guard and our resend; releases a hold left by
    an earlier signing (its send is over, whoever re-signs the request)."""
    guarded = resending = False
    for hook in hooks:
        kind = type(hook)
        if kind is RedirectGuard:
            guarded = True
        elif kind is Resend:
            resending = True
        elif kind is _Release:
            hook.now()
    return guarded, resending


# -- redirects --------------------------------------------------------------------------


class RedirectGuard:
    """A response hook that keeps credentials from following a cross-origin redirect.

    requests strips only ``Authorization`` on such a redirect (sessions.py,
    ``rebuild_auth``); our headers, and on a 307/308 the signed body, would follow it.
    The hook runs on the redirect response before requests builds the next request
    from ``response.request``, so cleaning that request here cleans the next hop.
    Hooks cannot see ``allow_redirects``: with ``"raise"``, a cross-origin redirect
    response raises even when the caller would not have followed it (e.g. ``HEAD``).
    """

    __slots__ = ("auth", "headers", "policy")

    def __init__(self, auth: ExchangeAuth) -> None:
        self.auth = auth  # the signer: ExchangeAdapter re-signs a retry with it
        self.headers = auth.owned_headers
        self.policy = auth.redirect_policy

    def __call__(self, response: Response, *args: object, **kwargs: object) -> None:
        request = response.request
        # The status code rules out almost every response; is_redirect alone would look
        # up "location" first, through a KeyError when there is none.
        if response.status_code not in REDIRECT_STATI:
            return
        if not response.is_redirect or request.url is None:
            return
        source = origin(request.url)
        target = origin(urljoin(request.url, response.headers["location"]))
        if source == target:
            return
        where = f"from {show_origin(source)} to {show_origin(target)}"
        if self.policy == "raise":
            msg = (
                f"the server redirected ({response.status_code}) a signed request {where}; "
                "it was not followed because the credentials would go with it. Call the "
                "new URL yourself, or pass on_cross_origin_redirect='strip' to follow it "
                "unsigned."
            )
            # Read the (small) redirect body so the connection goes back to the pool, as
            # requests does for every redirect it follows (sessions.py, resolve_redirects).
            _ = response.content
            raise CrossOriginRedirectError(msg, response=response)
        for name in self.headers:
            request.headers.pop(name, None)
        if response.status_code in _BODY_KEEPING_REDIRECTS:
            request.body = None
            for name in _BODY_HEADERS:
                request.headers.pop(name, None)
        log.warning("removed credentials from a request redirected %s", where)


# -- the one safe resend ----------------------------------------------------------------


class Resend:
    """On the exchange's timestamp rejection, sync the clock and resend once, re-signed.

    Modelled on requests' ``HTTPDigestAuth.handle_401`` (the first response is kept in
    ``history``), with three differences. The request object itself is re-signed,
    because requests builds any redirect of the answer from that very object
    (sessions.py, ``resolve_redirects``), so the redirect guard and a redirected hop see
    the fresh, valid request. The hook removes itself first, so one request (and its
    redirects, which share the hooks) is resent at most once. And a response to a
    request that no longer carries our key, which the redirect guard strips on a
    cross-origin hop, is never re-signed: we sign only for the origin we were given.
    The rejection proves the server did not act on the request; no other answer is
    resent, and never a 5xx (DESIGN.md #8).
    """

    __slots__ = ("auth",)

    def __init__(self, auth: ExchangeAuth) -> None:
        self.auth = auth

    def __call__(self, response: Response, **kwargs: Any) -> Response:
        auth, request = self.auth, response.request
        status = response.status_code
        if status not in auth.rejection_statuses or not auth.carries_credentials(request.headers):
            return response
        try:
            body = response.content
        except RequestException:  # cut off mid-answer: not the rejection, returned untouched
            return response
        if not auth.rejects_timestamp(status, body):
            return response
        response.close()
        request.hooks["response"] = [
            hook for hook in request.hooks["response"] if not isinstance(hook, Resend)
        ]  # a new list: dispatch_hook is iterating the old one
        clock: Any = auth.clock  # type: ignore[attr-defined]  # a resending auth is timed
        try:
            # Threads that met the same rejection share one sync: skip it when a sync
            # finished after this request was sent.
            clock.sync(max_age=response.elapsed.total_seconds())
        except ServerTimeError as exc:
            log.warning("timestamp rejection not resent: %s", exc)
            return response
        response.request = request.copy()  # the first attempt, as it was sent
        # Cookies the rejection set go along, as digest auth does (auth.py, handle_401).
        jar = request._cookies  # type: ignore[attr-defined]  # requests' own attribute
        extract_cookies_to_jar(jar, response.request, response.raw)  # type: ignore[no-untyped-call]
        request.prepare_cookies(jar)
        sign_prepared(auth, request, resend=False)
        log.info("resending a request re-signed after its timestamp was rejected")
        retried: Response = response.connection.send(request, **kwargs)
        retried.history.append(response)
        return retried


# -- ordered nonces ---------------------------------------------------------------------


class _Release:
    """A response hook that gives a hold back once: at the first response, or never twice.

    A request that is garbage-collected with its hold still taken abandons it instead
    (``hold.abandon()``: no I/O in a finalizer, which may run in any thread at any time).
    """

    __slots__ = ("finalizer", "hold")

    def __init__(self, r: PreparedRequest, hold: Any) -> None:
        self.hold = hold
        self.finalizer = weakref.finalize(r, hold.abandon)

    def __call__(self, response: Response, *args: object, **kwargs: object) -> None:
        self.now()

    def now(self) -> None:
        if self.finalizer.detach() is not None:  # still pending: released here, once
            self.hold.release()


def release_when_done(r: PreparedRequest, hold: Any) -> None:
    """Give ``hold`` back once, as soon as one of these happens (whichever comes first):

    - a response to ``r`` arrives (a response hook, put first so that a hook that raises
      after it cannot keep the hold);
    - :func:`release_now` runs for ``r`` (``ExchangeAdapter`` does, when a send ends:
      requests calls no hook when it raises);
    - its bytes are written, for an ``OrderedNonce(release="sent")`` under an
      ``ExchangeAdapter`` (``hold.sent()``);
    - ``r`` is garbage-collected (a request that was prepared and dropped);
    - ``r`` is signed again (its earlier send is over).
    """
    hooks = r.hooks["response"]
    for hook in [hook for hook in hooks if isinstance(hook, _Release)]:
        hooks.remove(hook)
        hook.now()
    hooks.insert(0, _Release(r, hold))


def release_now(r: PreparedRequest) -> None:
    """Give back the hold registered for ``r`` by :func:`release_when_done`, if pending."""
    for hook in r.hooks["response"]:
        if isinstance(hook, _Release):
            hook.now()


def hold_of(r: PreparedRequest) -> Any:
    """The nonce hold ``r`` still keeps, or ``None``."""
    for hook in r.hooks["response"]:
        if isinstance(hook, _Release) and hook.finalizer.alive:
            return hook.hold
    return None
