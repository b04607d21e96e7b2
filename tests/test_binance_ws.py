"""BinanceQueryAuth on the WebSocket API: the spec's vectors, properties against a
reimplementation from the spec, parity with ccxt.pro and binance-common, and end to end
against the local verifying WebSocket API.

Specification: shared/specs/binance-websocket-api.md (section numbers below refer to it).
"""

from __future__ import annotations

import base64
import enum
import functools
import hashlib
import hmac
import importlib
import json
import math
import pickle
import random
import string
import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vectors import ED25519_TEST_KEY_PEM, RSA_TEST_KEY_PEM, SECRETS

from requests_exchange_auth import (
    BinanceQueryAuth,
    ConfigurationError,
    ExchangeAuthError,
    UnsignableRequestError,
)
from requests_exchange_auth.schemes import binance_ws
from requests_exchange_auth.testing import (
    BINANCE_ED25519_KEY,
    BINANCE_ED25519_PRIVATE_KEY,
    BINANCE_KEY,
    BINANCE_RSA_KEY,
    BINANCE_RSA_PRIVATE_KEY,
    BINANCE_SECRET,
    Failure,
    FakeClock,
    LocalBinanceWebSocket,
    verify_binance_websocket,
)

serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")

# -- §6 vectors --------------------------------------------------------------------------------

HMAC_KEY = BINANCE_KEY  # §6: the docs' official key
RSA_KEY_ID = "CAvIjXy3F44yW6Pou5k8Dy1swsYDWJZLeoK2r8G4cFDnE9nosRppc2eKc1T8TRTQ"
ED25519_KEY_ID = "4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO"
TS = 1645423376532
W1_PARAMS = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
             "quantity": "0.01000000", "price": "52000.00", "recvWindow": 100}  # fmt: skip
W2_PARAMS = {"symbol": "１２３４５６", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
             "quantity": "1.00000000", "price": "0.10000000", "recvWindow": 5000}  # fmt: skip
W1_TAIL = ("price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT"
           "&timeInForce=GTC&timestamp=1645423376532&type=LIMIT")  # fmt: skip
W2_TAIL = ("price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=１２３４５６"
           "&timeInForce=GTC&timestamp=1645423376532&type=LIMIT")  # fmt: skip
KEYS = {"HMAC": (HMAC_KEY, {"secret": BINANCE_SECRET}),
        "RSA": (RSA_KEY_ID, {"private_key": RSA_TEST_KEY_PEM}),
        "Ed25519": (ED25519_KEY_ID, {"private_key": ED25519_TEST_KEY_PEM})}  # fmt: skip
VECTORS = {  # id: (key type, params, timestamp, payload after "apiKey=<key>&", signature)
    "W1-hmac-official": ("HMAC", W1_PARAMS, TS, W1_TAIL,
                         "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"),
    "W2-hmac-official-non-ascii": ("HMAC", W2_PARAMS, TS, W2_TAIL,
                         "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd"),
    "W3-ed25519": ("Ed25519", W1_PARAMS, TS, W1_TAIL,
                   "h4yFRcuycDLdHh/q1JK42ESduPfhMFIuBd2zsnfo28YeD/EuNRJ0SscagX/oLh1PXTm6iBV4SupN+wwfB7cEDw=="),
    "W4-ed25519-non-ascii": ("Ed25519", W2_PARAMS, TS, W2_TAIL,
                   "p3/01AgpwwMjtZPIuW6CaACp5YoM0hZonoK4k/CwWnP3GFx/odhUbs3oDlS1z5r/jNUVMmXB3NV9TCk6kYrCDw=="),
    "W5-rsa": ("RSA", W1_PARAMS, TS, W1_TAIL,
               "B57VBosMoRRH4uHwSTTJthI0otB+n5nTPdT5AiRnK7SPMGznpdw4E3o2d3bDuYjUg06RtFm0+y+0vBIKukkkxU/"
               "54qvGr/nqv2H9pfqoO2UcuKTwsnF2A7/727RSexpJwuiLGom5cPBkKH9Y0idQzyLNIhhzmyQ33DF1BN29khrVv0s7"
               "Ow8SlATXNJ9oge53BVrUiReZg2xj9Smfr25kDsW2ys6cHeImdpG3825H4HWlYns+EGFDkXtcdn41XC2qorg0tuDhdW"
               "dTLY3byRBP/dPJZ55uB/6jp9FqLvi7wvppLvIZdPu4kupbymITxTCAMWoJQohRVYe/8/m8K2iPaw=="),
    "W7-hmac-boolean": ("HMAC", {"omitZeroBalances": True, "recvWindow": 5000}, TS,
                        "omitZeroBalances=true&recvWindow=5000&timestamp=1645423376532",
                        "d35e9c6f6c4c9e72ceada400142f5c8fc3e0af13eedf0df34dc7971fe9b58c96"),
}  # fmt: skip
# §6 W2-wrong: what binance-common signs (the percent-encoded symbol), not the docs' value
W2_WRONG = "3638bee4d1f01e29fe7b2cabe7afdda17c3c8a56c844d0e1c3340ab75a670225"
# §6 W6: session.logon with the Ed25519 key
W6_TS = 1649729878532
W6_SIGNATURE = (
    "UZcRwESiYdSWupjrUtbwpEmmGtr6K3wOGk7QY4OImOW99Ru+4rIKbs2XB3yIpkxF2n4Cdsv+jTWgydeMrmMCBw=="
)


def at(ms: int):
    return lambda: ms * 1_000_000


class SetClock:
    """A clock a test sets to a timestamp in ms, so that one auth serves many requests
    (loading the RSA key is the slow part: ~0.1 s here)."""

    def __init__(self) -> None:
        self.ms = TS

    def __call__(self) -> int:
        return self.ms * 1_000_000


CLOCK = SetClock()
_AUTHS: dict[tuple[str, Any], BinanceQueryAuth] = {}


def auth_of(kind: str, ts: int = TS, **options: Any) -> BinanceQueryAuth:
    """The auth of the §6 key ``kind`` at ``ts`` (one per key type and options)."""
    CLOCK.ms = ts
    cached = (kind, tuple(sorted(options.items())))
    if cached not in _AUTHS:
        api_key, credential = KEYS[kind]
        _AUTHS[cached] = BinanceQueryAuth(api_key, clock=CLOCK, **credential, **options)
    return _AUTHS[cached]


@pytest.mark.parametrize("vector", VECTORS, ids=list(VECTORS))
def test_vector(vector):
    """Each §6 vector: the payload, the signature, and the whole params dict returned."""
    kind, params, ts, tail, signature = VECTORS[vector]
    auth = auth_of(kind, ts)
    signed = auth.sign_websocket_params(params)
    assert binance_ws.payload(signed).decode() == f"apiKey={KEYS[kind][0]}&{tail}"
    assert signed == {**params, "apiKey": KEYS[kind][0], "timestamp": ts, "signature": signature}


def test_official_non_ascii_vector_is_not_percent_encoded():
    """W2 is signed over raw UTF-8, as the docs say: never the percent-encoded W2-wrong (§7)."""
    signed = auth_of("HMAC").sign_websocket_params(W2_PARAMS)
    assert signed["signature"] != W2_WRONG
    assert "%" not in binance_ws.payload(signed).decode()


def test_session_logon_vector():
    """W6: session.logon with the Ed25519 key is the whole JSON-ready request (§3)."""
    request = auth_of("Ed25519", W6_TS).session_logon_request(id="logon-1")
    assert request == {
        "id": "logon-1",
        "method": "session.logon",
        "params": {"apiKey": ED25519_KEY_ID, "timestamp": W6_TS, "signature": W6_SIGNATURE},
    }
    assert json.loads(json.dumps(request)) == request


def test_session_logon_default_id_is_fresh():
    """Without ``id``, each logon request gets a new one, to match its answer."""
    auth = auth_of("Ed25519")
    assert auth.session_logon_request()["id"] != auth.session_logon_request()["id"]


@pytest.mark.parametrize("kind", ["HMAC", "RSA"])
def test_session_logon_needs_an_ed25519_key(kind):
    """§3 "Only Ed25519 keys are supported": other keys get a ConfigurationError at once."""
    with pytest.raises(ConfigurationError, match=f"only Ed25519 keys.*an {kind} key") as info:
        auth_of(kind).session_logon_request()
    assert not any(secret in str(info.value) for secret in SECRETS)


def test_session_logon_carries_the_auths_recv_window():
    """§3: optional recvWindow, from the auth's recv_window."""
    params = auth_of("Ed25519", W6_TS, recv_window=5000).session_logon_request(id=1)["params"]
    assert params["recvWindow"] == 5000
    assert binance_ws.payload(params).decode() == (
        f"apiKey={ED25519_KEY_ID}&recvWindow=5000&timestamp={W6_TS}"
    )


# -- §5: what the helper returns ---------------------------------------------------------------


def test_returns_a_new_dict_and_leaves_the_callers_alone():
    """§5: a new dict; the input mapping is not modified, values keep their types."""
    params = dict(W1_PARAMS)
    signed = auth_of("HMAC").sign_websocket_params(params)
    assert params == W1_PARAMS
    assert signed is not params
    assert type(signed["recvWindow"]) is int


def test_re_signing_an_earlier_result_gives_fresh_owned_values():
    """§5: apiKey, timestamp and signature are owned: re-signing replaces them."""
    clock = FakeClock(TS * 1_000_000)
    auth = BinanceQueryAuth(HMAC_KEY, BINANCE_SECRET, clock=clock)
    first = auth.sign_websocket_params({"symbol": "BTCUSDT"})
    clock.advance(ms=1500)
    second = auth.sign_websocket_params(first)
    assert second["timestamp"] == first["timestamp"] + 1500
    assert second["signature"] != first["signature"]
    assert second == auth.sign_websocket_params({"symbol": "BTCUSDT"})


def test_a_stale_signature_is_not_signed_over():
    """§2: signature is left out of the payload; a stale one given in is replaced."""
    auth = auth_of("HMAC")
    given = auth.sign_websocket_params({**W1_PARAMS, "signature": "stale"})
    assert given == auth.sign_websocket_params(W1_PARAMS)


def test_another_keys_api_key_is_refused_masked():
    """An apiKey of another account is a mix-up: refused, the key shown masked only."""
    other = "abcd" + "x" * 56 + "wxyz"
    with pytest.raises(UnsignableRequestError, match=r"'abcd…xyz'.*'vmPU…h8A'") as info:
        auth_of("HMAC").sign_websocket_params({"apiKey": other, "symbol": "BTCUSDT"})
    assert other not in str(info.value)


@pytest.mark.parametrize(
    ("window", "sent"), [(5000, 5000), ("6000.346", 6000.346), (Decimal("60000"), 60000)]
)
def test_recv_window_of_the_auth_is_added_as_a_number(window, sent):
    """§5: the auth's recv_window is added as a JSON number when the caller sent none."""
    signed = auth_of("HMAC", recv_window=window).sign_websocket_params({"symbol": "BTCUSDT"})
    assert signed["recvWindow"] == sent
    assert type(signed["recvWindow"]) is type(sent)
    assert f"recvWindow={window}&" in binance_ws.payload(signed).decode()


def test_recv_window_of_the_caller_wins():
    """§5: the caller's recvWindow is kept as it is."""
    signed = auth_of("HMAC", recv_window=5000).sign_websocket_params({"recvWindow": "100"})
    assert signed["recvWindow"] == "100"


def test_microsecond_timestamps():
    """§4: µs accepted on spot; the auth's unit applies, as on REST."""
    auth = BinanceQueryAuth(HMAC_KEY, BINANCE_SECRET, clock=at(TS), unit="us")
    assert auth.sign_websocket_params({})["timestamp"] == TS * 1000


class Side(enum.IntEnum):
    ONE = 1


@pytest.mark.parametrize(
    ("value", "text"),
    [("１２３ &=%", "１２３ &=%"), (True, "true"), (False, "false"), (-7, "-7"), (Side.ONE, "1"),
     (1e-05, "1e-05"), (0.1, "0.1"), (Decimal("0.10"), "0.10"), (2**70, str(2**70))],
)  # fmt: skip
def test_rendering(value, text):
    """§2 render: raw strings, JSON booleans, decimal integers, JSON floats, str(Decimal)."""
    assert binance_ws.render("x", value) == text


@pytest.mark.parametrize(
    "params",
    [None, [("symbol", "BTCUSDT")], "symbol=BTCUSDT", {1: "x"}, {("a",): "x"},
     {"price": None}, {"ids": [1, 2]}, {"o": {"a": 1}}, {"b": b"raw"}, {"f": math.nan},
     {"f": math.inf}, {"d": Decimal("NaN")}, {"s": "\ud800"}],
    ids=["None", "list", "str", "int-name", "tuple-name", "None-value", "list-value",
         "dict-value", "bytes-value", "nan", "inf", "decimal-nan", "lone-surrogate"],
)  # fmt: skip
def test_unsignable_params_are_refused_before_signing(params):
    """§5: non-mapping params, non-str names and unrenderable values raise our error."""
    with pytest.raises(UnsignableRequestError) as info:
        auth_of("HMAC").sign_websocket_params(params)
    assert isinstance(info.value, ExchangeAuthError)
    assert isinstance(info.value, ValueError)
    assert not any(secret in str(info.value) for secret in SECRETS)


def test_a_pickled_auth_signs_websocket_params_alike():
    """The WebSocket half keeps no state of its own: a pickled auth signs the same."""
    for api_key, credential in KEYS.values():
        auth = BinanceQueryAuth(api_key, clock=FakeClock(TS * 1_000_000), **credential)
        again = pickle.loads(pickle.dumps(auth))  # noqa: S301  # our own pickle
        assert again.sign_websocket_params(W1_PARAMS) == auth.sign_websocket_params(W1_PARAMS)


# -- properties against a reimplementation from the spec ----------------------------------------


@functools.cache
def spec_key(kind: str) -> Any:
    return serialization.load_pem_private_key(KEYS[kind][1]["private_key"].encode(), None)


def spec_signature(kind: str, params: dict[str, Any]) -> str:
    """§2-§3 as written, with json.dumps for the non-string values (the server's JSON)."""

    def text(value: Any) -> str:
        if isinstance(value, str):
            return value
        return str(value) if isinstance(value, Decimal) else json.dumps(value)

    data = "&".join(f"{k}={text(params[k])}" for k in sorted(params) if k != "signature")
    payload = data.encode("utf-8")
    if kind == "HMAC":
        return hmac.new(BINANCE_SECRET.encode(), payload, hashlib.sha256).hexdigest()
    key = spec_key(kind)
    if kind == "RSA":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return base64.b64encode(key.sign(payload, padding.PKCS1v15(), hashes.SHA256())).decode()
    return base64.b64encode(key.sign(payload)).decode()


OWNED = {"apiKey", "timestamp", "signature", "recvWindow"}
NAMES = st.text(min_size=1, max_size=10).filter(lambda name: name not in OWNED)
VALUES = st.one_of(
    st.text(max_size=12), st.integers(), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
)  # fmt: skip
PARAMS = st.dictionaries(NAMES, VALUES, max_size=6)


@pytest.mark.parametrize("kind", list(KEYS))
@settings(derandomize=True, max_examples=150, deadline=None)
@given(params=PARAMS, ts=st.integers(10**12, 10**13))
def test_signature_is_the_specs(kind, params, ts):
    """For any params, the signature is the spec's over the sorted raw payload."""
    signed = auth_of(kind, ts).sign_websocket_params(params)
    assert signed == {**params, "apiKey": KEYS[kind][0], "timestamp": ts,
                      "signature": spec_signature(kind, signed)}  # fmt: skip


@settings(derandomize=True, max_examples=200, deadline=None)
@given(params=PARAMS)
def test_the_verifier_accepts_what_is_signed_as_json(params):
    """What is signed, sent as JSON text, verifies as the server reads it (HMAC)."""
    signed = auth_of("HMAC").sign_websocket_params(params)
    frame = json.dumps({"id": 1, "method": "order.test", "params": signed}, default=str)
    assert verify_binance_websocket(frame, HMAC_KEY, BINANCE_SECRET, clock=at(TS))


# -- parity with ccxt.pro and binance-common (§6: both Binance clients that sign WS requests) ---

PARITY_REQUESTS = 2_100


def random_params(rng: random.Random, alphabet: str, *, typed: bool) -> dict[str, Any]:
    """Random method params: names and string values from ``alphabet``; ints, bools,
    floats too when ``typed``."""
    params: dict[str, Any] = {}
    for _ in range(rng.randint(0, 7)):
        name = "".join(rng.choices(string.ascii_letters, k=rng.randint(1, 12)))
        if name in OWNED:
            continue
        roll = rng.random()
        if not typed or roll < 0.6:
            params[name] = "".join(rng.choices(alphabet, k=rng.randint(0, 16)))
        elif roll < 0.8:
            params[name] = rng.randint(-(10**15), 10**15)
        elif roll < 0.9:
            params[name] = rng.random() < 0.5
        else:
            params[name] = rng.uniform(-1e6, 1e6)
    return params


UNRESERVED = string.ascii_letters + string.digits + "-_.~"
ANY_TEXT = UNRESERVED + string.punctuation + " é€龙１\u00a0\U0001f600"


def ccxt_signers() -> dict[str, Any]:
    import ccxt.pro  # the tests extra: CI must not skip the parity tests

    exchanges = {}
    for kind, (api_key, credential) in KEYS.items():
        secret = credential.get("secret") or credential["private_key"]
        exchange = ccxt.pro.binance({"apiKey": api_key, "secret": secret})
        exchange.options["recvWindow"] = None  # §6: else it overwrites the caller's
        exchanges[kind] = exchange
    return exchanges


def test_parity_ccxt_pro_sign_params(monkeypatch):
    """ccxt.pro 4.5.90 ``binance.sign_params`` with its nonce pinned signs the same params
    to the same dict, for every key type, strings of any text, ints, bools and floats."""
    base = importlib.import_module("ccxt.base.exchange")  # ccxt.base is also a list

    # ccxt parses the RSA PEM on every call (~0.1 s here); parse it once, sign as ccxt does
    monkeypatch.setattr(base, "load_pem_private_key", functools.cache(base.load_pem_private_key))
    rng = random.Random(15)  # noqa: S311  # reproducible test data, not keys
    exchanges = ccxt_signers()
    for n in range(PARITY_REQUESTS):
        kind = list(KEYS)[n % 3]
        ts = rng.randint(10**12, 2 * 10**12)
        params = random_params(rng, ANY_TEXT, typed=True)
        if rng.random() < 0.3:
            params["recvWindow"] = rng.randint(1, 60000)
        exchange = exchanges[kind]
        exchange.nonce = lambda ts=ts: ts
        theirs = exchange.sign_params(dict(params))
        assert auth_of(kind, ts).sign_websocket_params(params) == theirs, (kind, params)


def binance_common_signers() -> dict[str, tuple[Any, Any]]:
    from binance_common.configuration import ConfigurationWebSocketAPI
    from binance_common.signature import Signers

    signers = {}
    for kind, (api_key, credential) in KEYS.items():
        if kind == "HMAC":
            config = ConfigurationWebSocketAPI(api_key=api_key, api_secret=BINANCE_SECRET)
            signers[kind] = (config, None)
        else:
            pem = credential["private_key"]
            config = ConfigurationWebSocketAPI(api_key=api_key, private_key=pem)
            signers[kind] = (config, Signers.get_signer(pem))
    return signers


def test_parity_binance_common_websocket_api_signature():
    """binance-common 4.7.0 ``websocket_api_signature`` (the official SDKs' signer, with
    pycryptodome keys) agrees where §7 says it can: values of unreserved ASCII and ints,
    which its urlencode() leaves as they are; timestamp pinned through the params."""
    from binance_common.utils import websocket_api_signature

    rng = random.Random(1015)  # noqa: S311  # reproducible test data, not keys
    signers = binance_common_signers()
    for n in range(PARITY_REQUESTS):
        kind = list(KEYS)[n % 3]
        ts = rng.randint(10**12, 2 * 10**12)
        params = random_params(rng, UNRESERVED, typed=False)
        if rng.random() < 0.5:
            params[rng.choice(["limit", "orderId", "recvWindow"])] = rng.randint(1, 60000)
        config, signer = signers[kind]
        theirs = websocket_api_signature(config, {**params, "timestamp": ts}, signer)
        assert auth_of(kind, ts).sign_websocket_params(params) == dict(theirs), (kind, params)


def test_binance_common_differs_on_non_ascii_as_the_spec_says():
    """§7: binance-common signs the percent-encoded W2 (W2-wrong); we sign the docs' W2."""
    from binance_common.utils import websocket_api_signature

    config, _ = binance_common_signers()["HMAC"]
    theirs = websocket_api_signature(config, {**W2_PARAMS, "timestamp": TS})
    assert theirs["signature"] == W2_WRONG
    assert (
        auth_of("HMAC").sign_websocket_params(W2_PARAMS)["signature"]
        == VECTORS["W2-hmac-official-non-ascii"][4]
    )


# -- end to end: the local WebSocket API ---------------------------------------------------------

LOCAL = {
    "HMAC": BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, recv_window=5000),
    "RSA": BinanceQueryAuth(BINANCE_RSA_KEY, private_key=BINANCE_RSA_PRIVATE_KEY),
    "Ed25519": BinanceQueryAuth(BINANCE_ED25519_KEY, private_key=BINANCE_ED25519_PRIVATE_KEY),
}
ORDER = {
    "symbol": "１２３４５６", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
    "quantity": "1.00000000", "price": 0.1, "newOrderRespType": "ACK", "test": True,
}  # fmt: skip


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture(scope="module")
def ws_api():
    with LocalBinanceWebSocket() as server:
        yield server


@pytest.fixture
def ws(ws_api):
    from websockets.sync.client import connect

    with connect(ws_api.url) as connection:

        def call(request: dict[str, Any] | str) -> dict[str, Any]:
            connection.send(request if isinstance(request, str) else json.dumps(request))
            answer: dict[str, Any] = json.loads(connection.recv(timeout=10))
            return answer

        yield call


@pytest.mark.parametrize("kind", list(LOCAL))
def test_e2e_signed_request_is_accepted(ws, kind):
    """A signed order.test with every key type is accepted by the verifying server."""
    params = LOCAL[kind].sign_websocket_params(ORDER)
    answer = ws({"id": kind, "method": "order.test", "params": params})
    assert answer["status"] == 200, answer
    assert answer["id"] == kind
    assert answer["result"]["params"] == params


@pytest.mark.parametrize("kind", list(LOCAL))
def test_e2e_one_changed_byte_is_rejected(ws, kind):
    """One byte changed in the frame after signing: -1022, as Binance answers (§4)."""
    frame = json.dumps({"id": 7, "method": "order.test",
                        "params": LOCAL[kind].sign_websocket_params(ORDER)})  # fmt: skip
    tampered = frame.replace('"BUY"', '"BUZ"')
    assert tampered != frame
    assert ws(frame)["status"] == 200
    answer = ws(tampered)
    error = {"code": -1022, "msg": "Signature for this request is not valid."}
    assert answer == {"id": 7, "status": 400, "error": error}


def test_e2e_session_logon_then_unsigned_requests(ws):
    """session.logon with Ed25519, then a request with only its timestamp is accepted (§3)."""
    auth = LOCAL["Ed25519"]
    answer = ws(auth.session_logon_request(id="logon"))
    assert answer["status"] == 200, answer
    assert answer["result"]["apiKey"] == BINANCE_ED25519_KEY
    status = ws({"id": 2, "method": "session.status"})
    assert status["result"]["apiKey"] == BINANCE_ED25519_KEY
    answer = ws({"id": 3, "method": "account.status", "params": {"timestamp": now_ms()}})
    assert answer["status"] == 200, answer
    assert ws({"id": 4, "method": "session.logout"})["result"]["apiKey"] is None
    answer = ws({"id": 5, "method": "account.status", "params": {"timestamp": now_ms()}})
    assert answer["error"]["code"] == -1102  # logged out: apiKey needed again


def test_e2e_tampered_session_logon_is_rejected(ws):
    """A session.logon with one byte changed is rejected, and the session stays anonymous."""
    frame = json.dumps(LOCAL["Ed25519"].session_logon_request(id=9))
    tampered = frame.replace('"timestamp": 1', '"timestamp": 2')
    assert ws(tampered)["error"]["code"] == -1022
    assert ws({"id": 2, "method": "session.status"})["result"]["apiKey"] is None


def test_e2e_session_logon_with_an_hmac_key_is_rejected(ws):
    """The server takes only Ed25519 keys for session.logon, however well signed (§3)."""
    params = LOCAL["HMAC"].sign_websocket_params({})
    answer = ws({"id": 1, "method": "session.logon", "params": params})
    assert answer["status"] == 400
    assert answer["error"]["code"] == -4056


def test_e2e_stale_timestamp_is_rejected(ws):
    """A timestamp older than recvWindow: -1021, as for REST (§4)."""
    stale = BinanceQueryAuth(BINANCE_KEY, BINANCE_SECRET, clock=FakeClock())
    answer = ws({"id": 1, "method": "order.test", "params": stale.sign_websocket_params(ORDER)})
    assert answer["error"]["code"] == -1021


def test_e2e_time_and_malformed_frames(ws):
    """``time`` answers the server time; a frame that is not a request is refused."""
    assert ws({"id": 1, "method": "time"})["result"]["serverTime"] > 10**12
    assert ws("not json")["status"] == 400


def test_verifier_rejects_and_explains():
    """verify_binance_websocket: a wrong secret is -1022 with the payload, no secret shown."""
    params = auth_of("HMAC").sign_websocket_params(W1_PARAMS)
    frame = {"id": 1, "method": "order.test", "params": params}
    verdict = verify_binance_websocket(frame, HMAC_KEY, "wrong-secret", clock=at(TS))
    assert not verdict
    assert verdict.failure is Failure.BAD_SIGNATURE
    assert verdict.payload == f"apiKey={HMAC_KEY}&{W1_TAIL}"
    assert BINANCE_SECRET not in str(verdict)
    assert verify_binance_websocket(frame, HMAC_KEY, BINANCE_SECRET, clock=at(TS))


@pytest.mark.parametrize(
    ("params", "code"),
    [({"apiKey": "unknown-key-0000", "timestamp": TS, "signature": "00"}, "-2015"),
     ({"timestamp": TS, "signature": "00"}, "-1102"),
     ({"apiKey": HMAC_KEY, "timestamp": TS}, "-1102"),
     ({"apiKey": HMAC_KEY, "timestamp": TS, "ids": [1], "signature": "00"}, "-1100"),
     (["apiKey", HMAC_KEY], "-1102")],
    ids=["unknown-key", "no-api-key", "no-signature", "list-value", "params-not-an-object"],
)  # fmt: skip
def test_verifier_rejects_incomplete_requests(params, code):
    """The server's checks before the signature: key known, key and signature present,
    values it can render (§1-§2)."""
    verdict = verify_binance_websocket({"id": 1, "method": "order.test", "params": params},
                                       HMAC_KEY, BINANCE_SECRET, clock=at(TS))  # fmt: skip
    assert (verdict.ok, verdict.code) == (False, code)
