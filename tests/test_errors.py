"""Errors: the right class and a precise message for every bad input, and no secret anywhere.

The table of bad inputs lives in ``bad_inputs.py``; the secrets scanned for are
``vectors.SECRETS`` (DESIGN.md #6 "Secrets stay secret", #9 "Clear construction").
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
import requests
from bad_inputs import BAD_INPUTS, REFUSED_REQUESTS
from requests.adapters import BaseAdapter
from vectors import (
    BINANCE_API_KEY,
    BINANCE_API_KEY_MASKED,
    BINANCE_ORDER_URL,
    BINANCE_SECRET,
    FUTURES_SECRET,
    OPEN_API_AK,
    OPEN_API_AK_MASKED,
    OPEN_API_POST_URL,
    OPEN_API_SK,
    POLONIEX_API_KEY,
    POLONIEX_API_KEY_MASKED,
    POLONIEX_SECRET,
    POLONIEX_URL,
    RSA_TEST_KEY_PEM,
    SECRETS,
    USER_DATA_IMPLICIT_REJECTION_EMPTY,
)

import requests_exchange_auth
from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    DecryptionError,
    ExchangeAuthError,
    PoloniexBodyDigestAuth,
    decrypt_user_data,
)

WINDOW = 16  # a leak of any 16 consecutive characters of a secret counts


def _secret_material(secret: str) -> list[str]:
    """The parts of a secret that must not leak: a PEM's base64 lines, not its armor."""
    if secret.startswith("-----BEGIN"):
        return [line for line in secret.splitlines() if not line.startswith("-----")]
    return [secret]


LEAK_WINDOWS = frozenset(
    part[i : i + WINDOW]
    for secret in SECRETS
    for part in _secret_material(secret)
    for i in range(max(1, len(part) - WINDOW + 1))
)


def leaked(text: str) -> list[str]:
    """Every secret, or 16-character piece of one, that appears in ``text``."""
    found = [secret for secret in SECRETS if secret in text]
    return found + sorted(window for window in LEAK_WINDOWS if window in text)


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception and everything chained to it by ``__cause__`` or ``__context__``."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


def _ids(rows: Any) -> list[str]:
    return [row.id for row in rows]


# -- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=_ids(BAD_INPUTS))
def test_bad_input_raises_its_error_class(bad):
    """Each bad input raises exactly the documented error class."""
    with pytest.raises(ExchangeAuthError) as info:
        bad.call()

    assert info.type is bad.error


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=_ids(BAD_INPUTS))
def test_bad_input_error_is_rooted(bad):
    """Each error is an ExchangeAuthError and a requests.RequestException (exceptions.py)."""
    with pytest.raises(requests.RequestException) as info:
        bad.call()

    assert isinstance(info.value, ExchangeAuthError)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=_ids(BAD_INPUTS))
def test_bad_input_message_names_problem_and_fix(bad):
    """Each message contains the fragments that name the parameter, the problem and the fix."""
    with pytest.raises(ExchangeAuthError) as info:
        bad.call()

    message = str(info.value)
    assert [fragment for fragment in bad.fragments if fragment not in message] == []


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=_ids(BAD_INPUTS))
def test_bad_input_error_leaks_no_secret(bad):
    """No message, repr or args in the exception chain holds a secret or a 16-char piece of one."""
    with pytest.raises(ExchangeAuthError) as info:
        bad.call()

    texts = [
        text for exc in chain(info.value) for text in (str(exc), repr(exc), *map(repr, exc.args))
    ]
    assert leaked("\n".join(texts)) == []


def test_leak_scan_would_catch_a_leak():
    """The scan itself finds a secret fragment embedded in a message (guards the test above)."""
    message = f"bad secret {BINANCE_SECRET[5:25]!r}; line {RSA_TEST_KEY_PEM.splitlines()[3][:20]}"

    assert len(leaked(message)) > 2


# -- nothing is sent ----------------------------------------------------------------------


class RecordingAdapter(BaseAdapter):
    """A transport that records what it is asked to send and answers 200."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(  # noqa: PLR0917  # BaseAdapter.send's signature
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.status_code, response.request, response.url = 200, request, request.url or ""
        response.raw, response._content = io.BytesIO(b""), b""
        return response

    def close(self) -> None:
        pass


def recording_session() -> tuple[requests.Session, RecordingAdapter]:
    session, adapter = requests.Session(), RecordingAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session, adapter


@pytest.mark.parametrize("refused", REFUSED_REQUESTS, ids=_ids(REFUSED_REQUESTS))
def test_refused_request_is_never_sent(refused):
    """An unsignable body or plain-http URL fails in Session.request before the transport."""
    session, adapter = recording_session()

    with pytest.raises(refused.error):
        session.request(refused.method, refused.url, auth=refused.auth(), **refused.kwargs())

    assert adapter.sent == []


def test_recording_session_sends_a_valid_request():
    """The recording transport does see a request that can be signed (guards the test above)."""
    session, adapter = recording_session()
    auth = BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET)

    session.post(BINANCE_ORDER_URL, data={"symbol": "LTCBTC"}, auth=auth)

    assert len(adapter.sent) == 1


# -- reprs ---------------------------------------------------------------------------------

REPRS = [
    pytest.param(
        lambda: BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET),
        f"BinanceQueryAuth(api_key='{BINANCE_API_KEY_MASKED}')",
        id="BinanceQueryAuth",
    ),
    pytest.param(
        lambda: BinanceQueryAuth(BINANCE_API_KEY.encode(), FUTURES_SECRET.encode()),
        f"BinanceQueryAuth(api_key='{BINANCE_API_KEY_MASKED}')",
        id="BinanceQueryAuth-bytes-credentials",
    ),
    pytest.param(
        lambda: BinanceQueryAuth.from_env(
            environ={"BINANCE_API_KEY": BINANCE_API_KEY, "BINANCE_API_SECRET": BINANCE_SECRET}
        ),
        f"BinanceQueryAuth(api_key='{BINANCE_API_KEY_MASKED}')",
        id="BinanceQueryAuth-from_env",
    ),
    pytest.param(
        lambda: BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET).key_only(),
        f"BinanceApiKeyAuth(api_key='{BINANCE_API_KEY_MASKED}')",
        id="BinanceQueryAuth-key_only",
    ),
    pytest.param(
        lambda: BinanceApiKeyAuth(BINANCE_API_KEY),
        f"BinanceApiKeyAuth(api_key='{BINANCE_API_KEY_MASKED}')",
        id="BinanceApiKeyAuth",
    ),
    pytest.param(
        lambda: PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET),
        f"PoloniexBodyDigestAuth(api_key='{POLONIEX_API_KEY_MASKED}')",
        id="PoloniexBodyDigestAuth",
    ),
    pytest.param(
        lambda: BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK),
        f"BinanceOpenApiJwtAuth(access_key_id='{OPEN_API_AK_MASKED}')",
        id="BinanceOpenApiJwtAuth",
    ),
]


@pytest.mark.parametrize(("make", "expected"), REPRS)
def test_repr_shows_only_the_masked_key(make, expected):
    """repr() names the class and the masked API key, nothing else (DESIGN.md #6)."""
    assert repr(make()) == expected


@pytest.mark.parametrize(("make", "expected"), REPRS)
def test_str_shows_only_the_masked_key(make, expected):
    """str() is the same masked text as repr()."""
    assert str(make()) == expected


@pytest.mark.parametrize(("make", "expected"), REPRS)
def test_repr_and_str_hold_no_secret(make, expected):
    """Neither repr() nor str() holds a secret, a piece of one, or the full API key."""
    auth = make()
    text = f"{auth!r}\n{auth!s}"

    assert leaked(text) == []
    assert BINANCE_API_KEY not in text
    assert POLONIEX_API_KEY not in text


# -- logs ----------------------------------------------------------------------------------


class RedirectingAdapter(RecordingAdapter):
    """Answers the first request with a 307 to another origin, the next with 200."""

    def send(  # noqa: PLR0917  # BaseAdapter.send's signature
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        response = super().send(request)
        if len(self.sent) == 1:
            response.status_code = 307
            response.headers["location"] = "https://elsewhere.example/collect"
        return response


def _signature_values(r: requests.PreparedRequest) -> list[str]:
    """What the auth put in the request that is as sensitive as a secret."""
    found = [r.headers.get(name, "") for name in ("Sign", "X-Mp-Open-Api-Token")]
    for part in ((r.url or "").partition("?")[2], r.body or ""):
        text = part.decode() if isinstance(part, bytes) else part
        found += [p[len("signature=") :] for p in text.split("&") if p.startswith("signature=")]
    return [value for value in found if value]


def fixed_clock() -> int:
    return 1_499_827_319_559_000_000


SIGNED_REQUESTS = [
    pytest.param(
        lambda: BinanceQueryAuth(
            BINANCE_API_KEY, BINANCE_SECRET, recv_window=5000, clock=fixed_clock
        ),
        BINANCE_ORDER_URL,
        {"data": {"symbol": "LTCBTC"}},
        id="binance-body",
    ),
    pytest.param(
        lambda: BinanceQueryAuth(BINANCE_API_KEY, FUTURES_SECRET, clock=fixed_clock),
        BINANCE_ORDER_URL,
        {"params": {"symbol": "BTCUSDT"}},
        id="binance-query",
    ),
    pytest.param(
        lambda: PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, nonce=lambda: 42),
        POLONIEX_URL,
        {"data": {"command": "returnBalances"}},
        id="poloniex",
    ),
    pytest.param(
        lambda: BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, clock=fixed_clock),
        OPEN_API_POST_URL,
        {"json": {"openId": "o_TEST_1", "templateId": "t_1"}},
        id="open-api",
    ),
]


@pytest.mark.parametrize(("make", "url", "kwargs"), SIGNED_REQUESTS)
def test_logs_hold_no_secret_or_signature(make, url, kwargs, caplog):
    """Signing and following a cross-origin redirect logs no secret, signature or token."""
    caplog.set_level(logging.DEBUG, logger="requests_exchange_auth")
    session = requests.Session()
    session.mount("https://", RedirectingAdapter())
    # the same request, signed apart: the redirect guard strips the one that is sent
    signatures = _signature_values(requests.Request("POST", url, auth=make(), **kwargs).prepare())

    session.post(url, auth=make(), **kwargs)

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text}" for record in caplog.records
    )
    assert leaked(logged) == []
    assert [value for value in signatures if value in logged] == []


# -- decryption must fail closed ------------------------------------------------------------


def test_decrypt_rejects_implicit_rejection_output():
    """A ciphertext not made for this key raises even when implicit rejection yields valid UTF-8."""
    # binance-open-api-jwt.md §5: "Decryption failure → raise a clear error (wrong key,
    # truncated data); never return partial plaintext." With OpenSSL ≥ 3.2, PKCS#1 v1.5
    # decryption under the wrong key returns pseudo-random bytes instead of failing; for
    # this ciphertext they are b"", which is valid UTF-8, so no error is raised today.
    with pytest.raises(DecryptionError, match="could not be decrypted"):
        decrypt_user_data(RSA_TEST_KEY_PEM, USER_DATA_IMPLICIT_REJECTION_EMPTY)


# -- tracebacks that show locals -------------------------------------------------------------

# What error trackers hide when a traceback shows each frame's locals (Sentry's and
# Django's default lists, structlog and loguru recipes): any name containing one of these.
SCRUBBED_NAMES = ("secret", "password", "passphrase", "private_key", "token", "api_key")
PACKAGE_DIR = str(Path(requests_exchange_auth.__file__).parent)


def shown_secrets(name: str, value: object, where: str) -> list[str]:
    """Where ``value``, held under ``name``, would show a secret in a scrubbed traceback.

    A scrubbed name hides its whole value; a mapping's keys count as names (the
    scrubbers check them too); other objects show as their ``repr``.
    """
    if any(word in name.lower() for word in SCRUBBED_NAMES):
        return []
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in shown_secrets(str(k), v, f"{where}[{k!r}]")]
    if isinstance(value, list | tuple | set | frozenset):
        return [p for i, v in enumerate(value) for p in shown_secrets(name, v, f"{where}[{i}]")]
    if isinstance(value, bytes | bytearray):
        text = bytes(value).decode("utf-8", "replace")
    else:
        text = value if isinstance(value, str) else _safe_repr(value)
    return [where] if leaked(text) else []


def _safe_repr(value: object) -> str:
    """``repr``, or a placeholder when it fails, as the trackers do."""
    try:
        return repr(value)
    except Exception:  # e.g. an auth whose __init__ failed before it set _api_key
        return f"<{type(value).__name__}: repr failed>"


def package_frames(exc: BaseException) -> Iterator[FrameType]:
    """The package's frames in the tracebacks of ``exc`` and of everything chained to it."""
    for error in chain(exc):
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.startswith(PACKAGE_DIR):
                yield tb.tb_frame
            tb = tb.tb_next


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=_ids(BAD_INPUTS))
def test_bad_input_traceback_locals_hold_secrets_only_under_scrubbed_names(bad):
    """In the package's frames of the traceback, a local holding a secret has a scrubbed name."""
    with pytest.raises(ExchangeAuthError) as info:
        bad.call()

    shown = [
        f"{frame.f_code.co_name}(): {place}"
        for frame in package_frames(info.value)
        for name, value in frame.f_locals.items()
        for place in shown_secrets(name, value, name)
    ]
    assert shown == []


def test_locals_scan_would_catch_a_secret_under_a_plain_name():
    """The scan finds a secret held under a generic name, or in a list (guards the test above)."""
    assert shown_secrets("data", BINANCE_SECRET.encode(), "data") == ["data"]
    assert shown_secrets("value", ["x", BINANCE_SECRET], "value") == ["value[1]"]
    assert shown_secrets("env", {"HOME": "/", "X_SECRET": BINANCE_SECRET}, "env") == []
    assert shown_secrets("secret_bytes", BINANCE_SECRET.encode(), "secret_bytes") == []
