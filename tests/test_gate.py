"""GateAuth: the official and the generated vectors, the decoded query, the body's SHA-512,
byte parity with gate-api and ccxt, its body policy, its answers and its clock.

Specification: shared/specs/gate.md (section numbers below refer to it).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
from types import SimpleNamespace
from urllib.parse import unquote_plus, urlencode, urlsplit

import pytest
import requests
from scheme_vectors.gate import (
    API_KEY,
    CASES,
    CLOCK_NS,
    DOCS_KEY,
    DOCS_SECRET,
    DOCS_TIMESTAMP,
    EMPTY,
    G4_BODY,
    OFFICIAL,
    SECRET,
    TIMESTAMP,
)
from skew import resends_after_three_seconds

from requests_exchange_auth import GateAuth, UnsignableRequestError
from requests_exchange_auth.testing import FakeClock, LocalExchange, Received
from requests_exchange_auth.testing._verify_gate import GATE, gate_string

HOST = "https://api.gateio.ws"
OWNED = ("KEY", "Timestamp", "SIGN")


def gate_auth(**options) -> GateAuth:
    return GateAuth(API_KEY, SECRET, clock=lambda: CLOCK_NS, **options)


def _owned(headers) -> dict[str, str]:
    return {name: headers[name] for name in OWNED}


# -- §8: the vectors ---------------------------------------------------------------------------


def _string(method: str, path: str, query: str, body: bytes | None, stamp: int) -> str:
    digest = hashlib.sha512(body).hexdigest() if body else EMPTY
    return f"{method}\n{path}\n{query}\n{digest}\n{stamp}"


@pytest.mark.parametrize("case", OFFICIAL, ids=[case[0] for case in OFFICIAL])
def test_the_official_vectors(case):
    """§8 O1-O2, from Gate's "API Signature string generation": key "key", secret "secret"."""
    _, method, url, body, target, query, signature = case
    auth = GateAuth(DOCS_KEY, DOCS_SECRET, clock=lambda: DOCS_TIMESTAMP * 10**9)
    signed = auth.sign(method, url, body=body)
    assert signed.headers["SIGN"] == signature
    assert signed.headers["Timestamp"] == "1541993715"
    path = target.partition("?")[0]
    assert gate_string(Received.from_prepared(signed)).decode() == _string(
        method, path, query, body, DOCS_TIMESTAMP
    )


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_spec_vector_signs_its_string(case):
    """§8 G1-G7 through requests: the rewritten query, the signature string, SIGN."""
    _, method, url, body, target, query, signature = case
    headers = {"Content-Type": "application/json"} if body else {}
    r = requests.Request(method, url, data=body, headers=headers, auth=gate_auth()).prepare()
    assert "/" + r.url.partition("://")[2].partition("/")[2] == target
    expected = _string(method, target.partition("?")[0], query, body, TIMESTAMP)
    assert gate_string(Received.from_prepared(r)).decode() == expected
    assert r.headers["SIGN"] == signature
    assert r.body == body


def test_g4_hashes_the_body_as_the_spec_prints_it():
    """§8 "Of G4": the body's SHA-512 stands in place of the empty string's."""
    assert hashlib.sha512(G4_BODY).hexdigest().startswith("cf1112ba928c9e1ffa7d9a5ad846d187")


def test_the_timestamp_is_whole_seconds_truncated():
    """§5: ``clock() // 10**9``, an integer string (never the SDK's float)."""
    assert gate_auth().sign("GET", CASES[0][2]).headers["Timestamp"] == str(TIMESTAMP)


@pytest.mark.parametrize(("typed", "wire"), [
    ("b=2&a=1", "b=2&a=1"),  # the order is kept (§3)
    ("a=x+y", "a=x%20y"),  # a typed '+' is a space (§4: never send '+')
    ("currencies=BTC,GT", "currencies=BTC%2CGT"),
    ("a=%7e%41", "a=~A"),
])  # fmt: skip
def test_the_query_is_rewritten_to_its_canonical_form(typed, wire):
    """§4: decoded form-style, order kept, re-encoded strictly (space %20, never '+')."""
    assert gate_auth().sign("GET", f"{HOST}/api/v4/x?{typed}").url == f"{HOST}/api/v4/x?{wire}"


def test_resigning_changes_only_the_timestamp_and_signature():
    """§7 step 4: the canonical query is a fixed point; the headers are replaced."""
    clock = FakeClock(CLOCK_NS)
    auth = GateAuth(API_KEY, SECRET, clock=clock)
    first = auth.sign("GET", CASES[2][2])
    clock.advance(ms=2000)
    again = auth.sign(first.method, first.url, headers=first.headers)
    assert again.url == first.url
    assert again.headers["Timestamp"] == str(TIMESTAMP + 2)
    assert sorted(again.headers) == sorted(first.headers)


# -- parity with gate-api and ccxt -----------------------------------------------------------

UNRESERVED = string.ascii_letters + string.digits + "-_.~"
ANY = UNRESERVED + string.punctuation + " é€龙\u00a0\U0001f600"
METHODS = ("GET", "DELETE", "POST", "PUT", "PATCH")
PATH = "/api/v4/spot/orders"
JSON_HEADERS = {"Content-Type": "application/json"}


def _decoded(url: str) -> str:
    query = urlsplit(url).query
    return unquote_plus(query) if query else ""


@pytest.fixture(scope="module")
def sdk_client():
    """gate-api 7.2.161's ApiClient, ``time.time`` pinned to the integer (no network)."""
    import gate_api
    from gate_api import api_client

    client = gate_api.ApiClient(gate_api.Configuration(key=API_KEY, secret=SECRET))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api_client, "time", SimpleNamespace(time=lambda: TIMESTAMP))
        yield client


def assert_sdk_parity(client, method: str, query: dict, body: dict | None) -> None:
    """The SDK signs ``unquote_plus(urlencode(querys))`` and sends ``urlencode`` (a space as
    '+'); on its own wire request our headers are its own, byte for byte (§3, §4)."""
    querys, headers = list(query.items()), {}
    text = None if body is None else json.dumps(body)
    client.update_params_for_auth(method, HOST + PATH, headers, querys, text, ["apiv4"])
    wire = HOST + PATH + (f"?{urlencode(querys)}" if querys else "")  # as its rest.py does
    data = None if text is None else text.encode()
    mine = gate_auth().sign(method, wire, body=data, headers=JSON_HEADERS if data else None)
    assert _owned(mine.headers) == headers
    assert _decoded(mine.url) == "&".join(f"{k}={v}" for k, v in query.items())


@pytest.fixture(scope="module")
def ccxt_gate():
    import ccxt  # the tests extra: CI must not skip the parity tests

    exchange = ccxt.gate({"apiKey": API_KEY, "secret": SECRET})
    exchange.nonce = lambda: TIMESTAMP * 1000  # offline, fixed
    return exchange


def assert_ccxt_parity(exchange, method: str, params: dict) -> None:
    """ccxt 4.5.90 ``gate.sign()`` signs ``unquote(urlencode())`` of GET/DELETE/PATCH
    parameters and the JSON of a POST's; on its own URL and body our headers are its."""
    out = exchange.sign("orders", ["private", "spot"], method, dict(params))
    body = out["body"].encode() if out["body"] is not None else None
    mine = gate_auth().sign(method, out["url"], body=body, headers=out["headers"])
    assert _owned(mine.headers) == _owned(out["headers"])


def _random_params(rng: random.Random) -> dict[str, str]:
    """Up to five parameters, about half of them needing percent-encoding (seeded)."""
    params = {}
    for _ in range(rng.randrange(6)):
        name = "".join(rng.choices(string.ascii_letters + "_", k=rng.randint(1, 8)))
        alphabet = ANY if rng.random() < 0.5 else UNRESERVED
        params[name] = "".join(rng.choices(alphabet, k=rng.randrange(11)))
    return params


def _random_requests(seed: int, count: int = 2000):
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not secrets
    for _ in range(count):
        body = None if rng.random() < 0.3 else _random_params(rng)
        yield rng.choice(METHODS), _random_params(rng), body


def test_parity_with_gate_api(sdk_client):
    """2,000 random requests (queries that need encoding, JSON bodies, both at once), each
    checked against gate-api's signing code, offline."""
    for method, query, body in _random_requests(15):
        assert_sdk_parity(sdk_client, method, query, body if method in METHODS[2:] else None)


def test_parity_with_ccxt(ccxt_gate):
    """2,000 random requests (queries that need encoding, JSON bodies), each checked
    against ccxt's signing code, offline (its gate has no private PUT: that is a PATCH)."""
    for method, params, _ in _random_requests(25):
        params.pop("query", None)  # ccxt reads it as the URL query of a POST
        assert_ccxt_parity(ccxt_gate, "PATCH" if method == "PUT" else method, params)


def test_where_the_sdk_sends_otherwise():
    """§5, §9: the SDK sends ``str(time.time())``, a float, and '+' for a space; the auth
    sends whole seconds and ``%20``. The signed query text is the same."""
    import gate_api
    from gate_api import api_client

    client = gate_api.ApiClient(gate_api.Configuration(key=API_KEY, secret=SECRET))
    headers: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api_client, "time", SimpleNamespace(time=lambda: 1767268800.5))
        client.update_params_for_auth("GET", HOST + PATH, headers, [("t", "a b")], None, ["apiv4"])
    assert headers["Timestamp"] == "1767268800.5"
    mine = gate_auth().sign("GET", f"{HOST}{PATH}?t=a+b")
    assert (mine.headers["Timestamp"], mine.url.partition("?")[2]) == ("1767268800", "t=a%20b")


def test_where_ccxt_sends_otherwise(ccxt_gate):
    """§4, §9: ccxt leaves the commas of ``currencies=`` raw on the wire (ccxt#25570); the
    auth encodes them. Both decode to the same signed text, so both SIGNs are the spec's G3."""
    params = {"currencies": "BTC,GT,ETH", "note": "a b/é+1"}
    out = ccxt_gate.sign("estimate_rate", ["private", "unified"], "GET", params)
    assert out["url"].endswith("?currencies=BTC,GT,ETH&note=a%20b%2F%C3%A9%2B1")
    assert out["headers"]["SIGN"] == CASES[2][6]
    assert gate_auth().sign("GET", out["url"]).headers["SIGN"] == CASES[2][6]


# -- body policy, answers and clock ------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"data": {"a": "1"}}, "signs JSON bodies only"),
    ({"files": {"f": ("f.txt", b"x")}}, "signs JSON bodies only"),
    ({"data": "a=1"}, "signs JSON bodies only"),
])  # fmt: skip
def test_unsignable_bodies_are_refused(kwargs, fragment):
    """§2, §7 step 2: JSON bodies only; no form bodies, no multipart."""
    with pytest.raises(UnsignableRequestError, match=re.escape(fragment)):
        requests.Request("POST", HOST + PATH, auth=gate_auth(), **kwargs).prepare()


def test_a_json_body_without_its_type_gets_it():
    """§2: ``Content-Type: application/json`` when there is a body."""
    signed = gate_auth().sign("POST", HOST + PATH, body=G4_BODY)
    assert signed.headers["Content-Type"] == "application/json"
    assert signed.headers["SIGN"] == CASES[3][6]


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"label":"REQUEST_EXPIRED","message":"Request Timestamp is far from the server time"}',
     True),
    (b'{"label":"INVALID_SIGNATURE","message":"Signature mismatch"}', False),
    (b'{"label":"INVALID_KEY","message":"REQUEST_EXPIRED"}', False),
    (b"REQUEST_EXPIRED", False),
])  # fmt: skip
def test_rejects_timestamp_only_on_request_expired(body, expected):
    """§6: the REQUEST_EXPIRED label alone proves the timestamp was refused."""
    assert gate_auth().rejects_timestamp(401, body) is expected


def test_server_clock_reads_gate_time_endpoint():
    """§5: /api/v4/spot/time, in milliseconds, on the main and futures hosts alike."""
    for host in (HOST, "https://fx-api.gateio.ws"):
        assert GateAuth.server_clock(host).url == f"{host}/api/v4/spot/time"
    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        synced = GateAuth.server_clock(exchange.url, samples=1).sync()
        assert abs(synced() - CLOCK_NS) < 5_000_000_000


@pytest.mark.parametrize(("change", "label"), [
    ({"KEY": ""}, "INVALID_KEY"),
    ({"KEY": "other"}, "INVALID_KEY"),
    ({"Timestamp": ""}, "MISSING_REQUIRED_HEADER"),
    ({"SIGN": ""}, "MISSING_REQUIRED_HEADER"),
    ({"Timestamp": "1767268800123"}, "INVALID_SIGNATURE"),  # milliseconds: signed as sent?
    ({"Timestamp": "soon"}, "REQUEST_EXPIRED"),
    ({"SIGN": CASES[0][6]}, "INVALID_SIGNATURE"),
])  # fmt: skip
def test_the_local_exchange_answers_in_gates_words(change, label):
    """§6: each header mistake gets its label, with HTTP 401."""
    signed = gate_auth().sign("GET", CASES[1][2])
    headers = {**signed.headers, **change}
    exchange = LocalExchange(clock=FakeClock(CLOCK_NS))
    status, answer = exchange.handle(Received("GET", CASES[1][4], headers))
    assert (status, answer["label"]) == (401, label)


def test_the_window_is_sixty_seconds_each_way():
    """§5: "the gap ... cannot exceed 60 seconds", either way."""
    received = Received.from_prepared(gate_auth().sign("GET", CASES[0][2]))
    for skew_s, ok in ((60, True), (61, False), (-60, True), (-61, False)):
        exchange = LocalExchange(clock=FakeClock((TIMESTAMP + skew_s) * 10**9))
        assert (exchange.handle(received)[0] == 200) is ok, skew_s


def test_end_to_end_accepted_and_one_changed_byte_rejected():
    """On the local exchange: the G3 request is accepted; with one byte of its query
    changed after signing, it is INVALID_SIGNATURE."""

    def tamper(r):
        r = gate_auth(allow_insecure_http=True)(r)
        r.url = r.url.replace("GT", "GU")
        return r

    with LocalExchange(clock=FakeClock(CLOCK_NS)) as exchange:
        url = exchange.url + "/api/v4/unified/estimate_rate"
        params = {"currencies": "BTC,GT,ETH", "note": "a b/é+1"}
        assert requests.get(url, params=params, auth=gate_auth(), timeout=5).status_code == 200
        r = requests.get(url, params=params, auth=tamper, timeout=5)
    assert (r.status_code, r.json()["label"]) == (401, "INVALID_SIGNATURE")


@pytest.mark.parametrize("transport", ["requests", "httpx", "httpx-async"])
def test_three_seconds_behind_is_fatal_with_a_two_second_window(monkeypatch, transport):
    """§6: Gate's 60 s window takes a 3 s skew; with the kit's window narrowed to 2 s it
    is REQUEST_EXPIRED, one sync, one resend."""
    monkeypatch.setattr(GATE, "window_ms", 2000)
    resends_after_three_seconds("gate", transport, "REQUEST_EXPIRED")
