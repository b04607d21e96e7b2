"""RSA and Ed25519 keys: the spec's vectors, an independent check with openssl, end to end.

binance-signed-requests.md §4 (algorithms, percent-encoded base64) and §8 (vectors).
"""

from __future__ import annotations

import base64
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import requests
from vectors import (
    ASYMMETRIC_TIMESTAMP,
    ASYMMETRIC_VECTORS,
    ED25519_P1_WIRE,
    ED25519_TEST_KEY_PEM,
    RSA_TEST_KEY_PEM,
)

from requests_exchange_auth import BinanceQueryAuth, MissingDependencyError
from requests_exchange_auth.testing import (
    BINANCE_ED25519_KEY,
    BINANCE_ED25519_PRIVATE_KEY,
    BINANCE_RSA_KEY,
    BINANCE_RSA_PRIVATE_KEY,
    LocalExchange,
)

serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")

ORDER_URL = "https://api.binance.com/api/v3/order"
TS_NS = ASYMMETRIC_TIMESTAMP * 1_000_000
KEYS = {"RSA": RSA_TEST_KEY_PEM, "Ed25519": ED25519_TEST_KEY_PEM}


def pairs(payload: str) -> list[tuple[str, str]]:
    """The payload's parameters, decoded, as a caller would pass them to requests."""
    return [(n, unquote(v)) for n, _, v in (p.partition("=") for p in payload.split("&"))]


def fixed_clock() -> int:
    return TS_NS


def auth_for(pem: str | bytes | object, **options: object) -> BinanceQueryAuth:
    return BinanceQueryAuth("test-key", private_key=pem, clock=fixed_clock, **options)


def wire(b64: str) -> str:
    return quote(b64, safe="")


@pytest.mark.parametrize("vector", ASYMMETRIC_VECTORS, ids=list(ASYMMETRIC_VECTORS))
def test_vector_in_the_query(vector):
    """GET: the payload is the query; the signature is appended, percent-encoded (§4, §8)."""
    pem, payload, signature = ASYMMETRIC_VECTORS[vector]
    r = requests.Request("GET", ORDER_URL, params=pairs(payload)).prepare()
    auth_for(pem)(r)
    assert r.url == f"{ORDER_URL}?{payload}&signature={wire(signature)}"


@pytest.mark.parametrize("vector", ASYMMETRIC_VECTORS, ids=list(ASYMMETRIC_VECTORS))
def test_vector_in_the_body(vector):
    """POST form: the payload is the body; the signature ends the body (§3, §7)."""
    pem, payload, signature = ASYMMETRIC_VECTORS[vector]
    r = requests.Request("POST", ORDER_URL, data=pairs(payload)).prepare()
    auth_for(pem)(r)
    assert r.url == ORDER_URL
    assert r.body == f"{payload}&signature={wire(signature)}"
    assert r.headers["Content-Length"] == str(len(r.body))


def test_ed25519_wire_form_is_the_specs():
    """The spec spells out the escaped Ed25519(P1) value; '/' and '=' never go raw."""
    _, payload, _ = ASYMMETRIC_VECTORS["Ed25519-P1"]
    r = requests.Request("GET", ORDER_URL, params=pairs(payload)).prepare()
    auth_for(ED25519_TEST_KEY_PEM)(r)
    assert r.url.endswith("&signature=" + ED25519_P1_WIRE)


@pytest.mark.parametrize(
    "form",
    ["str", "bytes", "object", "encrypted", "encrypted-str-password", "pkcs1"],
)
def test_every_key_form_signs_alike(form):
    """PEM str or bytes, a key object, encrypted PEM (+ password), PKCS#1 PEM: one signature."""
    pem, payload, signature = ASYMMETRIC_VECTORS["RSA-P1"]
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"correct horse"),
    )
    options: dict[str, object] = {
        "str": {"pem": pem},
        "bytes": {"pem": pem.encode()},
        "object": {"pem": key},
        "encrypted": {"pem": encrypted, "private_key_password": b"correct horse"},
        "encrypted-str-password": {"pem": encrypted, "private_key_password": "correct horse"},
        "pkcs1": {
            "pem": key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        },
    }[form]
    auth = auth_for(options.pop("pem"), **options)
    r = auth(requests.Request("GET", ORDER_URL, params=pairs(payload)).prepare())
    assert r.url.endswith("&signature=" + wire(signature))


def test_a_pem_bundle_with_the_public_key_loads():
    """Some tools write the private key and its public key into one file."""
    pem, payload, signature = ASYMMETRIC_VECTORS["Ed25519-P1"]
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    r = requests.Request("GET", ORDER_URL, params=pairs(payload)).prepare()
    auth_for(pem.encode() + public)(r)
    assert r.url.endswith("&signature=" + wire(signature))


@pytest.mark.parametrize("key_type", KEYS)
def test_pickled_auth_signs_alike(key_type):
    """Key objects do not pickle; the auth does (as PKCS#8), and signs the same bytes."""
    auth = auth_for(KEYS[key_type])
    copy = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own pickle
    first = auth(requests.Request("GET", ORDER_URL, params={"a": "1"}).prepare())
    second = copy(requests.Request("GET", ORDER_URL, params={"a": "1"}).prepare())
    assert copy.key_type == auth.key_type == key_type
    assert first.url == second.url


def test_key_type_and_repr_show_no_key():
    for key_type, pem in KEYS.items():
        auth = auth_for(pem)
        assert auth.key_type == key_type
        assert "PRIVATE" not in repr(auth)
        assert pem.splitlines()[1][:16] not in repr(auth)
    assert BinanceQueryAuth("k", "s").key_type == "HMAC"


def test_missing_cryptography_names_the_extra(monkeypatch):
    """Without cryptography, the error names the extra to install, before anything is sent."""
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(MissingDependencyError, match=r"requests-exchange-auth\[crypto\]"):
        BinanceQueryAuth("k", private_key=ED25519_TEST_KEY_PEM)


def openssl() -> str:
    path = shutil.which("openssl")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("the openssl command is missing; .ci/run installs it")
        pytest.skip("the openssl command is not installed")
    return path


@pytest.mark.parametrize("vector", ASYMMETRIC_VECTORS, ids=list(ASYMMETRIC_VECTORS))
def test_openssl_verifies_what_we_send(vector, tmp_path: Path):
    """An independent implementation (the openssl CLI) verifies the signature on the wire."""
    pem, payload, _ = ASYMMETRIC_VECTORS[vector]
    r = requests.Request("GET", ORDER_URL, params=pairs(payload)).prepare()
    auth_for(pem)(r)
    signed, _, sent = r.url.partition("?")[2].rpartition("&signature=")
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "public.pem").write_bytes(public)
    (tmp_path / "payload").write_bytes(signed.encode())
    (tmp_path / "signature").write_bytes(base64.b64decode(unquote(sent), validate=True))
    if vector.startswith("RSA"):
        command = ["dgst", "-sha256", "-verify", "public.pem", "-signature", "signature"]
        command.append("payload")
    else:  # §8: Ed25519 needs pkeyutl -rawin on OpenSSL 3.0
        command = ["pkeyutl", "-verify", "-pubin", "-inkey", "public.pem", "-rawin"]
        command += ["-in", "payload", "-sigfile", "signature"]
    done = subprocess.run(  # noqa: S603  # fixed arguments, our own temp files
        [openssl(), *command], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Verified OK" in done.stdout or "Signature Verified Successfully" in done.stdout
    # and openssl does reject a payload that differs by one byte
    (tmp_path / "payload").write_bytes(signed.replace("SELL", "SELX").encode())
    tampered = subprocess.run(  # noqa: S603
        [openssl(), *command], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert tampered.returncode != 0


# -- end to end: a requests.Session to the local verifying exchange ---------------------

ACCOUNTS = {
    "RSA": (BINANCE_RSA_KEY, BINANCE_RSA_PRIVATE_KEY),
    "Ed25519": (BINANCE_ED25519_KEY, BINANCE_ED25519_PRIVATE_KEY),
}
ORDER = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "quantity": "1", "price": "0.2"}


@pytest.mark.parametrize("key_type", ACCOUNTS)
@pytest.mark.parametrize("path", ["/api/v3/order", "/sapi/v1/asset", "/fapi/v1/order"])
@pytest.mark.parametrize("where", ["query", "body", "mixed", "non-ascii"])
def test_exchange_accepts_asymmetric_signatures(exchange, key_type, path, where):
    """The local exchange verifies with the registered public key, in every placement."""
    api_key, private_key = ACCOUNTS[key_type]
    auth = BinanceQueryAuth(api_key, private_key=private_key, recv_window=5000)
    arguments = {
        "query": {"params": ORDER},
        "body": {"data": ORDER},
        "mixed": {"params": {"symbol": "BTCUSDT"}, "data": {"side": "SELL", "quantity": "1"}},
        "non-ascii": {"params": {"symbol": "１２３４５６", "note": "a+b/c=d"}},
    }[where]
    with requests.Session() as session:
        response = session.post(exchange.url + path, auth=auth, **arguments)
    assert response.status_code == 200, response.text
    assert exchange.received[-1].verdict.ok


def _flip(text: str, position: int) -> str:
    swap = "B" if text[position] != "B" else "C"
    return text[:position] + swap + text[position + 1 :]


@pytest.mark.parametrize("key_type", ACCOUNTS)
@pytest.mark.parametrize("target", ["payload", "signature", "key-header", "wrong-key"])
def test_exchange_rejects_tampering(exchange, key_type, target):
    """One changed byte after signing, or the wrong registered key, is rejected."""
    api_key, private_key = ACCOUNTS[key_type]
    other = "RSA" if key_type == "Ed25519" else "Ed25519"
    signing_key = ACCOUNTS[other][1] if target == "wrong-key" else private_key
    auth = BinanceQueryAuth(api_key, private_key=signing_key)

    def tamper(r: requests.PreparedRequest) -> requests.PreparedRequest:
        auth(r)
        body = str(r.body)
        if target == "payload":
            r.body = body.replace("quantity=1", "quantity=2")
        elif target == "signature":
            head, _, signature = body.rpartition("signature=")
            r.body = head + "signature=" + _flip(signature, 10)
        elif target == "key-header":
            r.headers["X-MBX-APIKEY"] = _flip(api_key, 3)
        return r

    response = requests.post(exchange.url + "/api/v3/order", data=ORDER, auth=tamper, timeout=10)
    expected = -2015 if target == "key-header" else -1022
    assert response.json()["code"] == expected
    assert not exchange.received[-1].verdict.ok


def test_unescaped_plus_in_signature_is_rejected(exchange):
    """§4: a raw '+' decodes to a space server-side; the escaping is what makes it verify."""
    auth = BinanceQueryAuth(BINANCE_RSA_KEY, private_key=BINANCE_RSA_PRIVATE_KEY)
    for attempt in range(40):  # find a signature with a '+' in it
        r = auth(
            requests.Request(
                "GET", exchange.url + "/api/v3/account", params={"n": attempt}
            ).prepare()
        )
        if "%2B" in r.url:
            break
    else:  # pragma: no cover - 40 RSA signatures without a '+' (about 1 in 10^20)
        pytest.fail("no signature with a '+' found")
    r.url = r.url.replace("%2B", "+")
    with requests.Session() as session:
        response = session.send(r)
    assert response.json()["code"] == -1022


def test_microsecond_timestamps(exchange):
    """timestamp_unit='us' sends 16 digits, which spot accepts (§5)."""
    auth = BinanceQueryAuth(BINANCE_ED25519_KEY, private_key=BINANCE_ED25519_PRIVATE_KEY)
    micro = BinanceQueryAuth(
        BINANCE_ED25519_KEY, private_key=BINANCE_ED25519_PRIVATE_KEY, unit="us"
    )
    for each, digits in ((auth, 13), (micro, 16)):
        response = requests.get(exchange.url + "/api/v3/account", auth=each, timeout=10)
        assert response.status_code == 200, response.text
        assert len(response.json()["params"]["timestamp"]) == digits


def test_one_auth_for_every_binance_api():
    """The same object signs spot, SAPI, USDⓈ-M, COIN-M and options requests (§1)."""
    with LocalExchange() as running:
        for key_type, (api_key, private_key) in ACCOUNTS.items():
            auth = BinanceQueryAuth(api_key, private_key=private_key)
            for path in ("/api/v3/account", "/sapi/v1/capital", "/fapi/v2/balance",
                         "/dapi/v1/account", "/eapi/v1/account"):  # fmt: skip
                response = requests.get(running.url + path, auth=auth, timeout=10)
                assert response.status_code == 200, (key_type, path, response.text)
        assert len(running.received) == 10
