"""Every validation path of the package, as a table of zero-argument calls that must raise.

Each row is ``(id, call, error, fragments)``: ``call()`` must raise exactly ``error`` with a
message containing every fragment. The calls use the throw-away secrets of
:mod:`vectors`, so that ``test_errors`` can scan every message for a leaked secret.
"""

from __future__ import annotations

import functools
import io
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import requests
from vectors import (
    BINANCE_API_KEY,
    BINANCE_ORDER_URL,
    BINANCE_SECRET,
    ED25519_PUBLIC_KEY_PEM,
    ED25519_TEST_KEY_PEM,
    FUTURES_SECRET,
    OPEN_API_AK,
    OPEN_API_GET_URL,
    OPEN_API_POST_URL,
    OPEN_API_SK,
    POLONIEX_API_KEY,
    POLONIEX_SECRET,
    POLONIEX_URL,
    RSA_TEST_KEY_PEM,
    USER_DATA_STD,
    WRONG_RSA_KEY_PEM,
)

from requests_exchange_auth import (
    BinanceApiKeyAuth,
    BinanceOpenApiJwtAuth,
    BinanceQueryAuth,
    BinanceServerClock,
    ConfigurationError,
    DecryptionError,
    FileNonce,
    InsecureTransportError,
    MonotonicNonce,
    NonceError,
    OrderedNonce,
    PoloniexBodyDigestAuth,
    UnsignableRequestError,
    decrypt_user_data,
)


class BadInput(NamedTuple):
    id: str
    call: Callable[[], object]
    error: type[Exception]
    fragments: list[str]


class RefusedRequest(NamedTuple):
    """A request an auth must refuse while it is prepared, before anything is sent."""

    id: str
    auth: Callable[[], requests.auth.AuthBase]
    method: str
    url: str
    kwargs: Callable[[], dict[str, Any]]  # fresh each time: a generator is used up
    error: type[Exception]
    fragments: list[str]

    def prepare(self) -> requests.PreparedRequest:
        return requests.Request(self.method, self.url, auth=self.auth(), **self.kwargs()).prepare()


def binance(**options: Any) -> BinanceQueryAuth:
    return BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, **options)


def poloniex(**options: Any) -> PoloniexBodyDigestAuth:
    return PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET, **options)


def open_api(**options: Any) -> BinanceOpenApiJwtAuth:
    return BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK, **options)


def following(make: Callable[..., requests.auth.AuthBase]) -> Callable[[], object]:
    """Build an auth with the unknown redirect policy ``"follow"``."""
    return lambda: make(on_cross_origin_redirect="follow")


def signing(auth: Callable[[], requests.auth.AuthBase], url: str) -> Callable[[], object]:
    """Prepare a plain form POST with the auth (errors that only show at signing time)."""
    return lambda: requests.Request("POST", url, data={"a": "1"}, auth=auth()).prepare()


def chunks() -> Iterator[bytes]:
    yield b"symbol=LTCBTC"


def key_file(content: str, name: str = "key.json") -> Callable[[], object]:
    """Write ``content`` to a fresh key file and load it with ``from_file``."""

    def call() -> object:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, name)
            path.write_text(content, encoding="utf-8")
            return BinanceQueryAuth.from_file(path)

    return call


def missing_key_file() -> object:
    with tempfile.TemporaryDirectory() as tmp:
        return BinanceQueryAuth.from_file(Path(tmp, "missing-key.json"))


def not_utf8_key_file() -> object:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "key.json")
        path.write_bytes(b'{"key": "\xff", "secret": "' + BINANCE_SECRET.encode() + b'"}')
        return BinanceQueryAuth.from_file(path)


def nonce_file(content: bytes) -> Callable[[], object]:
    """Draw from a FileNonce whose file holds ``content``."""

    def call() -> object:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "nonce")
            path.write_bytes(content)
            return FileNonce(path)()

    return call


def nonce_file_in_missing_directory() -> object:
    with tempfile.TemporaryDirectory() as tmp:
        return FileNonce(Path(tmp, "missing", "nonce"))()


def redis_nonce(**options: Any) -> object:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from requests_exchange_auth import RedisNonce

    # Nothing listens on port 1; without retries the refusal is immediate, where redis-py's
    # default retry with backoff spent about 4 s on each of the table's four tests.
    unreachable = redis.Redis(port=1, retry=Retry(NoBackoff(), 0))
    return RedisNonce(options.pop("client", unreachable), **{"key": "k", **options})


def ed25519_key() -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(ED25519_TEST_KEY_PEM.encode(), password=None)


@functools.cache  # a DSA key takes ~0.5 s to make, and five table tests use each row
def other_key(kind: str) -> Any:
    """A freshly generated private key of a kind Binance does not take (never stored)."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa, x25519

    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "dsa":
        return dsa.generate_private_key(2048)
    if kind == "x25519":
        return x25519.X25519PrivateKey.generate()
    return rsa.generate_private_key(65537, 1024)  # noqa: S505  # the point: too short


def other_key_pem(kind: str) -> bytes:
    from cryptography.hazmat.primitives import serialization as s

    if kind == "openssh":
        return ed25519_key().private_bytes(
            s.Encoding.PEM, s.PrivateFormat.OpenSSH, s.NoEncryption()
        )
    return other_key(kind).private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())


def unusual_curve_pem() -> bytes:
    """An EC key on secp112r1, which OpenSSL makes but cryptography cannot load."""
    return subprocess.run(  # fixed arguments
        ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp112r1"],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout


def encrypted_rsa_pem(password: bytes) -> bytes:
    """RSA_TEST_KEY_PEM encrypted with ``password`` (PKCS#8)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(RSA_TEST_KEY_PEM.encode(), password=None)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    )


def from_env_bytes(secret: bytes) -> object:
    """from_env() on a secret given as bytes, as Python decodes a POSIX environment."""
    environ = {"BINANCE_API_KEY": BINANCE_API_KEY, "BINANCE_API_SECRET": os.fsdecode(secret)}
    return BinanceQueryAuth.from_env(environ=environ)


# A lone surrogate has no UTF-8 encoding: "\udcff" is how Python decodes a 0xff byte of
# the environment (surrogateescape), "\ud800" what a JSON "\ud800" escape loads as.
SURROGATE = "holds a lone surrogate"
SURROGATE_FIX = "set it to the exact text the exchange showed"
WITH_SURROGATE = BINANCE_SECRET[:32] + "\ud800" + BINANCE_SECRET[32:]
PEM_WITH_SURROGATE = RSA_TEST_KEY_PEM.replace("\n-----END", "\udcff\n-----END")
PASSWORD_WITH_SURROGATE = FUTURES_SECRET + "\udcff"

AUTHS = {
    "binance": (binance, BINANCE_ORDER_URL),
    "poloniex": (poloniex, POLONIEX_URL),
}
BODY_POLICY: list[tuple[str, Callable[[], dict[str, Any]], list[str]]] = [
    ("json", lambda: {"json": {"symbol": "LTCBTC"}}, ["form bodies only", "'application/json'"]),
    (
        "files-multipart",
        lambda: {"files": {"file": ("order.txt", b"symbol=LTCBTC")}},
        ["form bodies only", "'multipart/form-data'"],
    ),
    ("generator", lambda: {"data": chunks()}, ["cannot sign a generator body"]),
    ("file-object", lambda: {"data": io.BytesIO(b"symbol=LTCBTC")}, ["cannot sign a BytesIO"]),
    ("raw-non-ascii-str", lambda: {"data": "symbol=１２３４５６"}, ["raw non-ASCII"]),
    ("raw-non-ascii-bytes", lambda: {"data": "symbol=１２３".encode()}, ["raw non-ASCII"]),
    ("json-text", lambda: {"data": '{"symbol": "LTCBTC"}'}, ["looks like JSON"]),
]
HTTP_URLS = {
    "binance": "http://api.binance.com/api/v3/order",
    "binance-key-only": "http://api.binance.com/api/v3/userDataStream",
    "poloniex": "http://poloniex.com/tradingApi",
    "open-api": OPEN_API_POST_URL.replace("https://", "http://"),
}
HTTP_AUTHS: dict[str, Callable[[], requests.auth.AuthBase]] = {
    "binance": binance,
    "binance-key-only": lambda: BinanceApiKeyAuth(BINANCE_API_KEY),
    "poloniex": poloniex,
    "open-api": open_api,
}

REFUSED_REQUESTS = [
    *(
        RefusedRequest(
            f"{scheme}-body-{case}",
            make,
            "POST",
            url,
            kwargs,
            UnsignableRequestError,
            [f"{type(make()).__name__} ", *fragments, "nothing was sent"],
        )
        for scheme, (make, url) in AUTHS.items()
        for case, kwargs, fragments in BODY_POLICY
    ),
    RefusedRequest(
        "open-api-body-generator",
        open_api,
        "POST",
        OPEN_API_POST_URL,
        lambda: {"data": chunks()},
        UnsignableRequestError,
        ["BinanceOpenApiJwtAuth cannot sign a generator body", "nothing was sent"],
    ),
    RefusedRequest(
        "open-api-body-file-object",
        open_api,
        "POST",
        OPEN_API_POST_URL,
        lambda: {"data": io.BytesIO(b"{}")},
        UnsignableRequestError,
        ["BinanceOpenApiJwtAuth cannot sign a BytesIO body", "nothing was sent"],
    ),
    *(
        RefusedRequest(
            f"{scheme}-plain-http",
            HTTP_AUTHS[scheme],
            "POST",
            url,
            lambda: {"data": {"symbol": "LTCBTC"}},
            InsecureTransportError,
            [
                f"refusing to sign a request to http://{url.split('/')[2]}",
                "https://",
                "allow_insecure_http=True",
                "nothing was sent",
            ],
        )
        for scheme, url in HTTP_URLS.items()
    ),
]


def _as_bad_input(refused: RefusedRequest) -> BadInput:
    return BadInput(refused.id, refused.prepare, refused.error, refused.fragments)


RECV_WINDOW_RANGE = ["recv_window is out of range", "at most 60000"]
RECV_WINDOW_NUMBER = ["recv_window must be a number", "e.g. 5000"]
WHITESPACE = "contains whitespace or control characters"
ONLY_BINANCE = "accepts RSAPrivateKey or Ed25519PrivateKey keys only"
ED25519_FOUND = "private_key is an Ed25519 private key (Ed25519PrivateKey)"
NOT_DECRYPTED = ["userData could not be decrypted", "private_key"]

BAD_INPUTS: list[BadInput] = [
    # -- credentials (DESIGN.md #9) --------------------------------------------------------
    BadInput("api_key-empty", lambda: BinanceQueryAuth("", BINANCE_SECRET),
             ConfigurationError, ["api_key is empty"]),
    BadInput("api_key-whitespace", lambda: BinanceQueryAuth("   ", BINANCE_SECRET),
             ConfigurationError, ["api_key", WHITESPACE]),
    BadInput("api_key-trailing-newline",
             lambda: BinanceQueryAuth(BINANCE_API_KEY + "\n", BINANCE_SECRET),
             ConfigurationError, ["api_key", WHITESPACE, "strip"]),
    BadInput("api_key-inner-space",
             lambda: BinanceQueryAuth(BINANCE_API_KEY[:10] + " " + BINANCE_API_KEY[10:],
                                      BINANCE_SECRET),
             ConfigurationError, ["api_key", WHITESPACE]),
    BadInput("api_key-non-ascii", lambda: BinanceQueryAuth("vmPUZE6mv9SD5VNHk4Hé", BINANCE_SECRET),
             ConfigurationError, ["api_key contains non-ASCII characters"]),
    BadInput("api_key-int", lambda: BinanceQueryAuth(12345, BINANCE_SECRET),
             ConfigurationError, ["api_key must be str or bytes, not int"]),
    BadInput("api_key-bytes-not-utf8", lambda: BinanceQueryAuth(b"\xff\xfe", BINANCE_SECRET),
             ConfigurationError, ["api_key must be UTF-8 text", "Pass it as str"]),
    BadInput("secret-empty", lambda: BinanceQueryAuth(BINANCE_API_KEY, ""),
             ConfigurationError, ["secret is empty"]),
    BadInput("secret-empty-bytes", lambda: BinanceQueryAuth(BINANCE_API_KEY, b""),
             ConfigurationError, ["secret is empty"]),
    BadInput("secret-whitespace", lambda: BinanceQueryAuth(BINANCE_API_KEY, "   "),
             ConfigurationError, ["secret", WHITESPACE]),
    BadInput("secret-trailing-newline",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET + "\n"),
             ConfigurationError, ["secret", WHITESPACE, "strip"]),
    BadInput("secret-leading-space-bytes",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, b" " + FUTURES_SECRET.encode()),
             ConfigurationError, ["secret", WHITESPACE]),
    BadInput("secret-lone-surrogate", lambda: BinanceQueryAuth(BINANCE_API_KEY, WITH_SURROGATE),
             ConfigurationError, [f"secret {SURROGATE}", SURROGATE_FIX, "as bytes"]),
    BadInput("secret-not-utf8-in-the-environment",
             lambda: from_env_bytes(BINANCE_SECRET.encode() + b"\xff"),
             ConfigurationError, [f"secret {SURROGATE}", "environment variable"]),
    BadInput("api_key-lone-surrogate",
             lambda: BinanceQueryAuth(BINANCE_API_KEY + "\udcff", BINANCE_SECRET),
             ConfigurationError, [f"api_key {SURROGATE}", SURROGATE_FIX]),
    BadInput("private_key-pem-lone-surrogate",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=PEM_WITH_SURROGATE),
             ConfigurationError, [f"private_key {SURROGATE}", SURROGATE_FIX]),
    BadInput("private_key_password-lone-surrogate",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=encrypted_rsa_pem(b"horse"),
                                      private_key_password=PASSWORD_WITH_SURROGATE),
             ConfigurationError, [f"private_key_password {SURROGATE}", "as bytes"]),
    BadInput("secret-int", lambda: BinanceQueryAuth(BINANCE_API_KEY, 12345),
             ConfigurationError, ["secret must be str or bytes, not int"]),
    BadInput("secret-missing", lambda: BinanceQueryAuth(BINANCE_API_KEY),
             ConfigurationError, ["needs the HMAC secret", "BinanceApiKeyAuth(api_key)"]),
    BadInput("secret-and-private_key",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET,
                                      private_key=ED25519_TEST_KEY_PEM),
             ConfigurationError, ["either secret", "or private_key", "not both"]),
    BadInput("private_key_password-without-private_key",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET,
                                      private_key_password=BINANCE_SECRET),
             ConfigurationError, ["private_key_password was given without private_key"]),
    BadInput("private_key-ec",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=other_key("ec")),
             ConfigurationError, ["is an EC (elliptic-curve) private key", ONLY_BINANCE]),
    BadInput("private_key-ec-pem",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=other_key_pem("ec")),
             ConfigurationError, ["is an EC (elliptic-curve) private key", ONLY_BINANCE]),
    BadInput("private_key-dsa",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=other_key("dsa")),
             ConfigurationError, ["private_key is a DSA private key", ONLY_BINANCE]),
    BadInput("private_key-x25519",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=other_key("x25519")),
             ConfigurationError, ["an X25519 (key-agreement) private key", ONLY_BINANCE]),
    BadInput("private_key-public-key-object",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=ed25519_key().public_key()),
             ConfigurationError, ["public key", "pass the private key"]),
    BadInput("private_key-public-key-pem",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=ED25519_PUBLIC_KEY_PEM),
             ConfigurationError, ["private_key is a public key", "pass the private key"]),
    BadInput("private_key-openssh",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=other_key_pem("openssh")),
             ConfigurationError, ["OpenSSH format", "ssh-keygen -p -m PKCS8"]),
    BadInput("private_key-unusual-curve",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=unusual_curve_pem()),
             ConfigurationError, ["key type or curve that cannot be loaded", "Ed25519"]),
    BadInput("server-clock-timeout-0",
             lambda: BinanceServerClock("https://api.binance.com", timeout=0),
             ConfigurationError, ["timeout must be seconds greater than 0", "not 0"]),
    BadInput("server-clock-user-password-hidden",
             lambda: BinanceServerClock("https://user:hunter2@gateway.example/"),
             ConfigurationError, ["cannot tell which Binance API", "//***@gateway.example"]),
    BadInput("private_key-garbage",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key="not a key at all"),
             ConfigurationError, ["private_key must be PEM text", "no BEGIN line"]),
    BadInput("private_key-garbage-pem",
             lambda: BinanceQueryAuth(
                 BINANCE_API_KEY,
                 private_key="-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END"),
             ConfigurationError, ["private_key could not be loaded", "openssl pkey"]),
    BadInput("private_key-int", lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=12345),
             ConfigurationError, ["private_key is a int", "RSAPrivateKey or Ed25519PrivateKey"]),
    BadInput("private_key-rsa-1024",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=other_key("rsa1024")),
             ConfigurationError, ["1024-bit RSA key", "at least 2048 bits", "openssl genpkey"]),
    BadInput("private_key-encrypted-no-password",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=encrypted_rsa_pem(b"horse")),
             ConfigurationError, ["private_key is encrypted", "private_key_password"]),
    BadInput("private_key-encrypted-wrong-password",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=encrypted_rsa_pem(b"horse"),
                                      private_key_password="battery"),
             ConfigurationError, ["private_key could not be loaded", "private_key_password"]),
    BadInput("private_key-password-not-text",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=RSA_TEST_KEY_PEM,
                                      private_key_password=1234),
             ConfigurationError, ["private_key_password must be str or bytes, not int"]),
    BadInput("private_key-object-with-password",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, private_key=ed25519_key(),
                                      private_key_password="battery"),
             ConfigurationError, ["private_key_password applies only to PEM text"]),
    BadInput("unit-s",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET, unit="s"),  # type: ignore[arg-type]
             ConfigurationError, ["BinanceQueryAuth unit must be one of 'ms' (milliseconds)",
                                  "'us'", "not 's'"]),
    BadInput("retry-without-syncable-clock",
             lambda: BinanceQueryAuth(BINANCE_API_KEY, BINANCE_SECRET,
                                      retry_invalid_timestamp=True),
             ConfigurationError, ["retry_invalid_timestamp=True needs a clock",
                                  "BinanceServerClock(url).sync()"]),
    BadInput("server-clock-not-a-url", lambda: BinanceServerClock("api.binance.com"),
             ConfigurationError, ["needs an http(s) URL", "https://api.binance.com"]),
    BadInput("server-clock-unknown-api",
             lambda: BinanceServerClock("https://testnet.binancefuture.com"),
             ConfigurationError, ["cannot tell which Binance API", "/fapi", "/time"]),
    BadInput("server-clock-unknown-path",
             lambda: BinanceServerClock("https://api.binance.com/v1/order"),
             ConfigurationError, ["cannot tell which Binance API"]),
    BadInput("server-clock-samples-0",
             lambda: BinanceServerClock("https://api.binance.com", samples=0),
             ConfigurationError, ["samples must be an int from 1 to 25", "not 0"]),
    BadInput("server-clock-samples-float",
             lambda: BinanceServerClock("https://api.binance.com", samples=5.0),
             ConfigurationError, ["samples must be an int"]),
    BadInput("server-clock-resync-tiny",
             lambda: BinanceServerClock("https://api.binance.com", resync_every=0.01),
             ConfigurationError, ["resync_every must be seconds, at least 1"]),
    BadInput("server-clock-resync-text",
             lambda: BinanceServerClock("https://api.binance.com", resync_every="300"),
             ConfigurationError, ["resync_every must be seconds"]),
    BadInput("server-clock-not-synced", BinanceServerClock("https://a.localhost/api"),
             ConfigurationError, ["has not synced yet", "sync()"]),
    BadInput("poloniex-api_key-empty", lambda: PoloniexBodyDigestAuth("", POLONIEX_SECRET),
             ConfigurationError, ["api_key is empty"]),
    BadInput("poloniex-secret-newline",
             lambda: PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET + "\r\n"),
             ConfigurationError, ["secret", WHITESPACE]),
    BadInput("open-api-access_key_id-empty", lambda: BinanceOpenApiJwtAuth("", OPEN_API_SK),
             ConfigurationError, ["access_key_id is empty"]),
    BadInput("open-api-secret_key-empty", lambda: BinanceOpenApiJwtAuth(OPEN_API_AK, ""),
             ConfigurationError, ["secret_key is empty"]),
    BadInput("poloniex-secret-lone-surrogate",
             lambda: PoloniexBodyDigestAuth(POLONIEX_API_KEY, POLONIEX_SECRET + "\ud800"),
             ConfigurationError, [f"secret {SURROGATE}"]),
    BadInput("open-api-secret_key-lone-surrogate",
             lambda: BinanceOpenApiJwtAuth(OPEN_API_AK, "\udcff" + OPEN_API_SK),
             ConfigurationError, [f"secret_key {SURROGATE}", SURROGATE_FIX]),
    BadInput("open-api-secret_key-newline",
             lambda: BinanceOpenApiJwtAuth(OPEN_API_AK, OPEN_API_SK + "\n"),
             ConfigurationError, ["secret_key", WHITESPACE]),
    # -- recv_window (binance-signed-requests.md §5) ---------------------------------------
    BadInput("recv_window-0", lambda: binance(recv_window=0),
             ConfigurationError, RECV_WINDOW_RANGE),
    BadInput("recv_window-negative", lambda: binance(recv_window=-1),
             ConfigurationError, RECV_WINDOW_RANGE),
    BadInput("recv_window-60001", lambda: binance(recv_window=60001),
             ConfigurationError, RECV_WINDOW_RANGE),
    BadInput("recv_window-four-decimals", lambda: binance(recv_window="5000.1234"),
             ConfigurationError, ["recv_window has more than three decimals"]),
    BadInput("recv_window-text", lambda: binance(recv_window="abc"),
             ConfigurationError, RECV_WINDOW_NUMBER),
    BadInput("recv_window-bool", lambda: binance(recv_window=True),
             ConfigurationError, RECV_WINDOW_NUMBER),
    BadInput("recv_window-nan", lambda: binance(recv_window=float("nan")),
             ConfigurationError, RECV_WINDOW_NUMBER),
    BadInput("recv_window-inf", lambda: binance(recv_window=float("inf")),
             ConfigurationError, RECV_WINDOW_NUMBER),
    # -- policies and injected callables --------------------------------------------------
    *(
        BadInput(f"{name}-on_cross_origin_redirect", following(make),
                 ConfigurationError, ["on_cross_origin_redirect must be 'strip'", "'follow'"])
        for name, make in (("binance", binance), ("poloniex", poloniex), ("open-api", open_api))
    ),
    BadInput("binance-clock-not-callable", lambda: binance(clock=1499827319559),
             ConfigurationError, ["clock must be a zero-argument callable", "not int"]),
    BadInput("open-api-clock-not-callable", lambda: open_api(clock=1700000000),
             ConfigurationError, ["clock must be a zero-argument callable", "not int"]),
    BadInput("binance-clock-returns-float",
             signing(lambda: binance(clock=lambda: 1499827319559.0 * 1e6), BINANCE_ORDER_URL),
             ConfigurationError, ["the clock returned float", "nanoseconds as an int"]),
    BadInput("open-api-clock-returns-float",
             signing(lambda: open_api(clock=lambda: 1.7e18), OPEN_API_GET_URL),
             ConfigurationError, ["the clock returned float", "nanoseconds as an int"]),
    BadInput("poloniex-nonce-not-callable", lambda: poloniex(nonce=154264078495300),
             ConfigurationError, ["nonce must be a zero-argument callable", "not int"]),
    BadInput("poloniex-nonce-returns-0", signing(lambda: poloniex(nonce=lambda: 0), POLONIEX_URL),
             NonceError, ["nonce source returned int 0", "positive int"]),
    BadInput("poloniex-nonce-returns-negative",
             signing(lambda: poloniex(nonce=lambda: -1), POLONIEX_URL),
             NonceError, ["nonce source returned int -1", "positive int"]),
    BadInput("poloniex-nonce-returns-float",
             signing(lambda: poloniex(nonce=lambda: 154264078495300.0), POLONIEX_URL),
             NonceError, ["nonce source returned float", "positive int"]),
    BadInput("poloniex-nonce-returns-bool",
             signing(lambda: poloniex(nonce=lambda: True), POLONIEX_URL),
             NonceError, ["nonce source returned bool True", "positive int"]),
    BadInput("MonotonicNonce-unit", lambda: MonotonicNonce(unit="minutes"),
             ConfigurationError, ["unit must be one of", "'minutes'"]),
    BadInput("MonotonicNonce-clock", lambda: MonotonicNonce(clock=5),
             ConfigurationError, ["clock must be a zero-argument callable"]),
    BadInput("FileNonce-unit", lambda: FileNonce("nonce", unit="minutes"),
             ConfigurationError, ["unit must be one of", "'minutes'"]),
    BadInput("FileNonce-timeout", lambda: FileNonce("nonce", timeout=0),
             ConfigurationError, ["timeout must be a positive number of seconds", "not 0"]),
    BadInput("FileNonce-damaged", nonce_file(b"12x4\n"),
             NonceError, ["does not hold a nonce", "5 bytes", "/nonce", "Write into the file",
                          "'Nonce must be greater than N'", "nothing was sent"]),
    BadInput("FileNonce-empty", nonce_file(b""),
             NonceError, ["does not hold a nonce", "0 bytes", "delete the file"]),
    BadInput("FileNonce-key-file", nonce_file(f'{{"secret": "{POLONIEX_SECRET}"}}'.encode()),
             NonceError, ["does not hold a nonce", "32+ bytes"]),
    BadInput("FileNonce-missing-directory", nonce_file_in_missing_directory,
             NonceError, ["cannot use the nonce file", "/missing/nonce", "No such file",
                          "existing directory", "nothing was sent"]),
    BadInput("OrderedNonce-nonce", lambda: OrderedNonce(5),
             ConfigurationError, ["nonce must be a zero-argument callable", "not int"]),
    BadInput("OrderedNonce-timeout", lambda: OrderedNonce(timeout=float("inf")),
             ConfigurationError, ["timeout must be a positive number of seconds", "inf"]),
    BadInput("RedisNonce-client", lambda: redis_nonce(client="localhost:6379"),
             ConfigurationError, ["client must be a synchronous redis.Redis client", "not str"]),
    BadInput("RedisNonce-key", lambda: redis_nonce(key=""),
             ConfigurationError, ["key must be a non-empty str", "one per API key"]),
    BadInput("RedisNonce-unit-ns", lambda: redis_nonce(unit="ns"),
             ConfigurationError, ["unit must be one of 's' (seconds), 'ms'", "'us'", "not 'ns'"]),
    BadInput("RedisNonce-unreachable", redis_nonce(),
             NonceError, ["could not draw a nonce from the Redis key 'k'", "ConnectionError",
                          "nothing was sent", "reachable"]),
    BadInput("open-api-unit", lambda: open_api(unit="us"),
             ConfigurationError, ["BinanceOpenApiJwtAuth unit must be one of 's' (seconds)",
                                  "'ms'", "not 'us'"]),
    # -- body policy and transport (DESIGN.md #3, #5): raised while preparing -------------
    *(_as_bad_input(refused) for refused in REFUSED_REQUESTS),
    # -- from_env (DESIGN.md #9) ------------------------------------------------------------
    BadInput("binance-from_env-empty", lambda: BinanceQueryAuth.from_env(environ={}),
             ConfigurationError, ["BINANCE_API_KEY and BINANCE_API_SECRET", "not set"]),
    BadInput("binance-from_env-no-secret",
             lambda: BinanceQueryAuth.from_env(environ={"BINANCE_API_KEY": BINANCE_API_KEY}),
             ConfigurationError, ["environment variable BINANCE_API_SECRET is not set"]),
    BadInput("binance-from_env-empty-key",
             lambda: BinanceQueryAuth.from_env(
                 environ={"BINANCE_API_KEY": "", "BINANCE_API_SECRET": BINANCE_SECRET}),
             ConfigurationError, ["environment variable BINANCE_API_KEY is not set or empty"]),
    BadInput("binance-from_env-secret-newline",
             lambda: BinanceQueryAuth.from_env(environ={
                 "BINANCE_API_KEY": BINANCE_API_KEY, "BINANCE_API_SECRET": BINANCE_SECRET + "\n"}),
             ConfigurationError, ["secret", WHITESPACE]),
    BadInput("binance-from_env-custom-prefix",
             lambda: BinanceQueryAuth.from_env("BINANCE_TESTNET", environ={}),
             ConfigurationError, ["BINANCE_TESTNET_API_KEY and BINANCE_TESTNET_API_SECRET"]),
    BadInput("poloniex-from_env-empty", lambda: PoloniexBodyDigestAuth.from_env(environ={}),
             ConfigurationError, ["POLONIEX_API_KEY and POLONIEX_API_SECRET"]),
    BadInput("open-api-from_env-empty", lambda: BinanceOpenApiJwtAuth.from_env(environ={}),
             ConfigurationError, ["BINANCE_OPEN_API_API_KEY and BINANCE_OPEN_API_API_SECRET"]),
    # -- from_file (DESIGN.md #9) -----------------------------------------------------------
    BadInput("from_file-missing", missing_key_file,
             ConfigurationError, ["cannot read key file", "missing-key.json", "No such file"]),
    BadInput("from_file-invalid-json",
             key_file(f'{{"key": "{BINANCE_API_KEY}", "secret": "{BINANCE_SECRET}"'),
             ConfigurationError,
             ["is not valid JSON", "line 1", '{"key": "...", "secret": "..."}']),
    BadInput("from_file-secret-unquoted",
             key_file(f'{{"key": "{BINANCE_API_KEY}", "secret": {BINANCE_SECRET}}}'),
             ConfigurationError, ["is not valid JSON"]),
    BadInput("from_file-wrong-field-names",
             key_file(json.dumps({"api_key": BINANCE_API_KEY, "api_secret": BINANCE_SECRET})),
             ConfigurationError, ['string fields "key" and "secret"']),
    BadInput("from_file-list",
             key_file(json.dumps([BINANCE_API_KEY, BINANCE_SECRET])),
             ConfigurationError, ['string fields "key" and "secret"']),
    BadInput("from_file-secret-not-string",
             key_file(json.dumps({"key": BINANCE_API_KEY, "secret": [BINANCE_SECRET]})),
             ConfigurationError, ['string fields "key" and "secret"']),
    BadInput("from_file-secret-newline",
             key_file(json.dumps({"key": BINANCE_API_KEY, "secret": BINANCE_SECRET + "\n"})),
             ConfigurationError, ["secret", WHITESPACE]),
    BadInput("from_file-secret-surrogate-escape",
             key_file(json.dumps({"key": BINANCE_API_KEY, "secret": WITH_SURROGATE})),
             ConfigurationError, [f"secret {SURROGATE}", "JSON file"]),
    BadInput("from_file-not-utf8",
             not_utf8_key_file,
             ConfigurationError, ["key.json", "is not UTF-8 text"]),
    # -- decrypt_user_data (binance-open-api-jwt.md §5) -------------------------------------
    BadInput("decrypt-wrong-key", lambda: decrypt_user_data(WRONG_RSA_KEY_PEM, USER_DATA_STD),
             DecryptionError, NOT_DECRYPTED),
    BadInput("decrypt-truncated",
             lambda: decrypt_user_data(RSA_TEST_KEY_PEM, USER_DATA_STD[:200]),
             DecryptionError, NOT_DECRYPTED),
    BadInput("decrypt-extended",
             lambda: decrypt_user_data(RSA_TEST_KEY_PEM, USER_DATA_STD[:-2] + "AAAA"),
             DecryptionError, NOT_DECRYPTED),
    BadInput("decrypt-not-base64",
             lambda: decrypt_user_data(RSA_TEST_KEY_PEM, "userData: not base64!"),
             DecryptionError, ["userData could not be decrypted", "not base64"]),
    BadInput("decrypt-ed25519-pem",
             lambda: decrypt_user_data(ED25519_TEST_KEY_PEM, USER_DATA_STD),
             ConfigurationError, [ED25519_FOUND, "accepts RSAPrivateKey keys only"]),
    BadInput("decrypt-ed25519-object", lambda: decrypt_user_data(ed25519_key(), USER_DATA_STD),
             ConfigurationError, [ED25519_FOUND, "accepts RSAPrivateKey keys only"]),
    BadInput("decrypt-pem-garbage",
             lambda: decrypt_user_data(
                 "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
                 USER_DATA_STD),
             ConfigurationError, ["private_key could not be loaded", "openssl pkey"]),
    BadInput("decrypt-truncated-pem",
             lambda: decrypt_user_data(RSA_TEST_KEY_PEM[:900], USER_DATA_STD),
             ConfigurationError, ["private_key could not be loaded"]),
    BadInput("decrypt-not-pem",
             lambda: decrypt_user_data(RSA_TEST_KEY_PEM.splitlines()[1], USER_DATA_STD),
             ConfigurationError, ["private_key must be PEM text", "no BEGIN line"]),
    BadInput("decrypt-ciphertext-wrong-type", lambda: decrypt_user_data(RSA_TEST_KEY_PEM, 5),
             ConfigurationError, ["ciphertext must be str or bytes", "not int"]),
    BadInput("decrypt-empty", lambda: decrypt_user_data(RSA_TEST_KEY_PEM, ""),
             DecryptionError, NOT_DECRYPTED),
    BadInput("decrypt-base64-bad-padding",
             lambda: decrypt_user_data(RSA_TEST_KEY_PEM, USER_DATA_STD + "="),
             DecryptionError, NOT_DECRYPTED),
    BadInput("decrypt-key-wrong-type", lambda: decrypt_user_data(12345, USER_DATA_STD),
             ConfigurationError, ["private_key is a int", "RSAPrivateKey"]),
    BadInput("decrypt-encrypted-pem-no-password",
             lambda: decrypt_user_data(encrypted_rsa_pem(b"correct horse"), USER_DATA_STD),
             ConfigurationError, ["private_key is encrypted", "private_key_password"]),
    BadInput("decrypt-encrypted-pem-wrong-password",
             lambda: decrypt_user_data(encrypted_rsa_pem(b"correct horse"), USER_DATA_STD,
                                       private_key_password="battery staple"),
             ConfigurationError, ["private_key could not be loaded", "private_key_password"]),
    BadInput("decrypt-pem-lone-surrogate",
             lambda: decrypt_user_data(PEM_WITH_SURROGATE, USER_DATA_STD),
             ConfigurationError, [f"private_key {SURROGATE}"]),
    BadInput("decrypt-password-lone-surrogate",
             lambda: decrypt_user_data(encrypted_rsa_pem(b"correct horse"), USER_DATA_STD,
                                       private_key_password=PASSWORD_WITH_SURROGATE),
             ConfigurationError, [f"private_key_password {SURROGATE}"]),
    BadInput("decrypt-password-for-plain-pem",
             lambda: decrypt_user_data(RSA_TEST_KEY_PEM, USER_DATA_STD,
                                       private_key_password=b"correct horse"),
             ConfigurationError, ["private_key_password"]),
]  # fmt: skip
