"""coinbase.md §8: the vectors C1-C9 (ES256 and Ed25519 keys), as requests on the wire.

``TOKENS`` are the spec's exact tokens for host ``api.coinbase.com``; ``tests/test_coinbase.py``
checks every one of them byte for byte through requests, httpx and ``sign()``. The
wire contract sends each vector to a local server instead, whose host and port are in
the ``uri`` claim, so its token cannot be the spec's: there ``VECTORS`` pin the target
and body, the local exchange verifies the token, and one changed byte is rejected. Only
the vectors without a query or body are in ``VECTORS``: Coinbase signs neither (§2), so
the contract's changed query or body byte would rightly still be accepted; the others
are sent through every transport in ``tests/test_coinbase.py``.
"""

from __future__ import annotations

from requests_exchange_auth.schemes.coinbase import CoinbaseAuth
from scheme_vectors import WireVector, fixed

# §8: keys GENERATED FOR TESTING, never valid on Coinbase (here, not from the testing kit:
# the kit imports requests, and these vectors are signed without it too)
COINBASE_EC_NAME = (
    "organizations/f8fc7450-f4df-42bf-943c-13d8b77f0e75/"
    "apiKeys/8ff14d18-41f7-4249-8176-106c0c273f91"
)
COINBASE_EC_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIJey0Gb1hHpAbouOJE2FwWVRaQJSDjnSp2HnayYMSmfEoAoGCCqGSM49\n"
    "AwEHoUQDQgAEfFYVw7+vUb5R/FzmL9uXKU364Om0RbJAg/+12GgjLfSeh3JrUkDO\n"
    "zo5+FEfuWHwyrNMqA/YnKRhGuDGm8PRgXg==\n"
    "-----END EC PRIVATE KEY-----\n"
)
COINBASE_ED_NAME = "2a9e0a51-4b99-42b9-a6c5-77abd4639b77"
COINBASE_ED_KEY = (
    "DlVPw1UTI+jQVog8n4ntnJ2YDHkP3sSAezk4QrKKgyoksyrHs77kq9qTowf49gVlbM8C1+0xymvP/G0pfEhp6Q=="
)

NOW_S = 1767268800  # 2026-01-01T12:00:00Z
NOW_NS = NOW_S * 1_000_000_000 + 999_999_999  # floored to the second, never rounded (§5)
NONCE = "0123456789abcdef" * 4
ED_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIA5VT8NVEyPo0FaIPJ+J7ZydmAx5D97EgHs5OEKyioMq\n"
    "-----END PRIVATE KEY-----\n"
)
ED_PUBLIC_PEM = (
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJLMqx7O+5Kvak6MH+PYFZWzPAtftMcprz/xtKXxIaek=\n"
    "-----END PUBLIC KEY-----\n"
)
EC_PUBLIC_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfFYVw7+vUb5R/FzmL9uXKU364Om0\n"
    "RbJAg/+12GgjLfSeh3JrUkDOzo5+FEfuWHwyrNMqA/YnKRhGuDGm8PRgXg==\n"
    "-----END PUBLIC KEY-----\n"
)
MAIN = "https://api.coinbase.com"
PORTFOLIO = "/api/v3/brokerage/portfolios/5f9e0a2b-6c1d-4e3f-8a7b-9c0d1e2f3a4b"
ORDER = (
    b'{"client_order_id":"spec-c3-0001","product_id":"BTC-USD","side":"BUY",'
    b'"order_configuration":{"limit_limit_gtc":{"base_size":"0.001","limit_price":"10000"}}}'
)
EC = {"api_key_name": COINBASE_EC_NAME, "private_key": COINBASE_EC_KEY}
ED = {"api_key_name": COINBASE_ED_NAME, "private_key": COINBASE_ED_KEY}
ED_FORMS = {  # C9: the same key three ways gives the same token
    "base64": COINBASE_ED_KEY,
    "pem": ED_PEM,
    "escaped-pem": ED_PEM.replace("\n", "\\n"),
}

# (id, account, method, path and query, body, uri claim)
CASES = (
    ("C1", EC, "GET", "/api/v3/brokerage/accounts", None,
     "GET api.coinbase.com/api/v3/brokerage/accounts"),
    ("C2", EC, "GET",
     "/api/v3/brokerage/orders/historical/batch?product_ids=BTC-USD&order_status=OPEN&limit=10",
     None, "GET api.coinbase.com/api/v3/brokerage/orders/historical/batch"),
    ("C3", EC, "POST", "/api/v3/brokerage/orders", ORDER,
     "POST api.coinbase.com/api/v3/brokerage/orders"),
    ("C4", EC, "DELETE", PORTFOLIO, None, f"DELETE api.coinbase.com{PORTFOLIO}"),
    ("C5", ED, "GET", "/api/v3/brokerage/accounts", None,
     "GET api.coinbase.com/api/v3/brokerage/accounts"),
    ("C6", ED, "GET", "/api/v3/brokerage/products/BTC-USD/ticker?limit=5", None,
     "GET api.coinbase.com/api/v3/brokerage/products/BTC-USD/ticker"),
    ("C7", ED, "POST", "/api/v3/brokerage/orders", ORDER,
     "POST api.coinbase.com/api/v3/brokerage/orders"),
    ("C8", ED, "DELETE", PORTFOLIO, None, f"DELETE api.coinbase.com{PORTFOLIO}"),
    ("C9", ED, "GET", "/v2/accounts", None, "GET api.coinbase.com/v2/accounts"),
)  # fmt: skip

_HEAD_EC = (
    "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9yZ2FuaXphdGlvbnMvZjhmYzc0NTAtZjRkZi00MmJmLTk0M2MtMTNkOGI3"
    "N2YwZTc1L2FwaUtleXMvOGZmMTRkMTgtNDFmNy00MjQ5LTgxNzYtMTA2YzBjMjczZjkxIiwibm9uY2UiOiIwMTIz"
    "NDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidHlw"
    "IjoiSldUIn0"
)
_HEAD_ED = (
    "eyJhbGciOiJFZERTQSIsImtpZCI6IjJhOWUwYTUxLTRiOTktNDJiOS1hNmM1LTc3YWJkNDYzOWI3NyIsIm5vbmNl"
    "IjoiMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2Rl"
    "ZiIsInR5cCI6IkpXVCJ9"
)
_SUB_EC = (
    "eyJzdWIiOiJvcmdhbml6YXRpb25zL2Y4ZmM3NDUwLWY0ZGYtNDJiZi05NDNjLTEzZDhiNzdmMGU3NS9hcGlLZXlz"
    "LzhmZjE0ZDE4LTQxZjctNDI0OS04MTc2LTEwNmMwYzI3M2Y5MSIsImlzcyI6ImNkcCIsIm5iZiI6MTc2NzI2ODgw"
    "MCwiZXhwIjoxNzY3MjY4OTIwLCJ1cmkiOiJ"
)
_SUB_ED = (
    "eyJzdWIiOiIyYTllMGE1MS00Yjk5LTQyYjktYTZjNS03N2FiZDQ2MzliNzciLCJpc3MiOiJjZHAiLCJuYmYiOjE3"
    "NjcyNjg4MDAsImV4cCI6MTc2NzI2ODkyMCwidXJpIjoi"
)
#: §8: the exact tokens (ES256 with RFC 6979 k and low s; Ed25519 is deterministic)
TOKENS = {
    "C1": f"{_HEAD_EC}.{_SUB_EC}HRVQgYXBpLmNvaW5iYXNlLmNvbS9hcGkvdjMvYnJva2VyYWdlL2FjY291bnRzIn0"
          ".6QX4z1RDnAQNM0SP84o8UllxEnFwRLMlyDo_NA72jx4cRZEfIDii1vTuCm2xUr7OTTFPY-QNCmbHILv3Ot2E6g",
    "C2": f"{_HEAD_EC}.{_SUB_EC}HRVQgYXBpLmNvaW5iYXNlLmNvbS9hcGkvdjMvYnJva2VyYWdlL29yZGVycy9oaXN0"
          "b3JpY2FsL2JhdGNoIn0"
          ".40mBAaMjldDbaioWdlN4chcTt79CWpH5snNFwfoptCIHkqvvB49S1C_KhAFvHw9_NIc-MBPOKFH6K21cQ4BZuA",
    "C3": f"{_HEAD_EC}.{_SUB_EC}QT1NUIGFwaS5jb2luYmFzZS5jb20vYXBpL3YzL2Jyb2tlcmFnZS9vcmRlcnMifQ"
          ".LNLa2kczLct91tzC4VxN9G9KyOXomdsxhfdQt-qdd89Y1dvH6wnGaEDGZqnjc0rpTF9UulDXih_s8Ez2yAWouQ",
    "C4": f"{_HEAD_EC}.{_SUB_EC}ERUxFVEUgYXBpLmNvaW5iYXNlLmNvbS9hcGkvdjMvYnJva2VyYWdlL3BvcnRmb2xp"
          "b3MvNWY5ZTBhMmItNmMxZC00ZTNmLThhN2ItOWMwZDFlMmYzYTRiIn0"
          ".m2mYwX258lC35Gc_a7Zusw54RIajpAheUldPAkGjlp0L75uAuV2SX0b7K_74lLacFRN93jFD81Wdr6FPUwXPiA",
    "C5": f"{_HEAD_ED}.{_SUB_ED}R0VUIGFwaS5jb2luYmFzZS5jb20vYXBpL3YzL2Jyb2tlcmFnZS9hY2NvdW50cyJ9"
          ".CSGjHsR8VgAzbLF2YiSSyWzdlyXYKR5dkl15L4HX6HOGd04i_nR4PY1Uu7CaTc57lWHZj-EbsdiOUD7P6xZqDg",
    "C6": f"{_HEAD_ED}.{_SUB_ED}R0VUIGFwaS5jb2luYmFzZS5jb20vYXBpL3YzL2Jyb2tlcmFnZS9wcm9kdWN0cy9C"
          "VEMtVVNEL3RpY2tlciJ9"
          ".PSQ0_142dnAsPZrPeWZ6GelfyyToBcyu0UaTQTVOw0vvjIoSbf7e89KU6hUHDp6v3ZFk9EySyrjfuTQrzzBLBA",
    "C7": f"{_HEAD_ED}.{_SUB_ED}UE9TVCBhcGkuY29pbmJhc2UuY29tL2FwaS92My9icm9rZXJhZ2Uvb3JkZXJzIn0"
          ".fDXJ6B7uLUHrS9VGBTcYBonobenxeLQtoGstVfyEIpUrV03k44M9yyqAgp3gl2RnaS3aIJbuUmc4bJFejDdrBg",
    "C8": f"{_HEAD_ED}.{_SUB_ED}REVMRVRFIGFwaS5jb2luYmFzZS5jb20vYXBpL3YzL2Jyb2tlcmFnZS9wb3J0Zm9s"
          "aW9zLzVmOWUwYTJiLTZjMWQtNGUzZi04YTdiLTljMGQxZTJmM2E0YiJ9"
          ".ZUMz47t8BSwYD36mphnYiQ3Ii453AoF2szaoNWstSxLNtdyaOK94-aK7ouBj41q-Aas6Tnj7Ml5Ai4rx9fxZDg",
    "C9": f"{_HEAD_ED}.{_SUB_ED}R0VUIGFwaS5jb2luYmFzZS5jb20vdjIvYWNjb3VudHMifQ"
          ".clOGDXplyoNxp5F4ehm_QLPCys7C3qopyci9fBF2QAY_XoHWRrhBX5ShjdQilPbxWnWNsIw6VBt5hQK5E1qdAQ",
}  # fmt: skip


def make(account: dict[str, str], **options: object) -> CoinbaseAuth:
    """The vector's auth: its key, the fixed clock and the spec's nonce."""
    return CoinbaseAuth(**account, clock=fixed(NOW_NS), jwt_nonce=_Nonce(), **options)  # type: ignore[arg-type]


class _Nonce:
    """The spec's fixed nonce (a named class: the auth pickles)."""

    def __call__(self) -> str:
        return NONCE


def _vector(case: tuple, private_key: str | None = None, suffix: str = "") -> WireVector:
    name, account, method, path, _, _ = case
    if private_key is not None:
        account = {**account, "private_key": private_key}
    return WireVector(f"{name}{suffix}", lambda: make(account), method, MAIN + path, target=path,
                      account=account, now_ns=NOW_NS)  # fmt: skip


VECTORS = (
    *(_vector(case) for case in CASES if case[0] in ("C1", "C4", "C5", "C8")),
    *(_vector(CASES[8], key, f"-{form}") for form, key in ED_FORMS.items()),
)
