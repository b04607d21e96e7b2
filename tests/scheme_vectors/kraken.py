"""kraken.md Part S §5: the official AddOrder example, and the derived JSON, Balance, otp
(S4) and AddOrderBatch (S5) vectors, as requests on the wire.

S2b and S5b (the JSON nonce as a string, ccxt's form) are not among them: the auth sends
a number (§8); tests/test_kraken.py checks them against the verifier and ccxt.
"""

from __future__ import annotations

from requests_exchange_auth.schemes.kraken import KrakenAuth
from scheme_vectors import WireVector, fixed

KEY = "KRAKEN-SPOT-TEST-KEY-0001"
SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
HOST = "https://api.kraken.com"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
ORDER_FORM = "ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
ORDER_JSON = '"ordertype":"limit","pair":"XBTUSD","price":"37500","type":"buy","volume":"1.25"}'
BATCH_JSON = (
    '"orders":[{"ordertype":"limit","price":"37500","type":"buy","volume":"1.25"},'
    '{"ordertype":"limit","price":"38000","type":"sell","volume":"0.5"}],"pair":"XBTUSD"}'
)
#: id -> (path, headers, body before signing, nonce, body after signing, API-Sign)
CASES = {
    "official": ("AddOrder", FORM, ORDER_FORM, 1616492376594, f"nonce=1616492376594&{ORDER_FORM}",
                 "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="),
    "S2-json": ("AddOrder", JSON, "{" + ORDER_JSON, 1616492376594,
                '{"nonce":1616492376594,' + ORDER_JSON,
                "kMkTQfyYJH05IdnWQ9TIqL9Kq+dKqcD5O/TGPPLRwwy1is/YvqEYtMAHf7tXsqwfbLwp7pbzJzWHxzKPnL8rfA=="),
    "S3-balance": ("Balance", {}, None, 1616492376595, "nonce=1616492376595",
                   "9qsYnAxkAt04Q9bMOFfYWglY6B/1ShQtPB2GO659iotiVGrR7HnEEhGS8TlToTniR3G4Y+HNrzV7X6iksOh5jQ=="),
    "S4-otp": ("AddOrder", FORM, f"otp=123456&{ORDER_FORM}", 1616492376596,
               f"nonce=1616492376596&otp=123456&{ORDER_FORM}",
               "wXJua755AroeAH7wmdWDT5kcs4OlyOniUybT0vkgri2LrGyI4DC6AtoaR0YtePn04INyekiAuMBciV2QvSbsIA=="),
    "S5-batch": ("AddOrderBatch", JSON, "{" + BATCH_JSON, 1616492376597,
                 '{"nonce":1616492376597,' + BATCH_JSON,
                 "77JWoRHiEDFXTdcV6woPaBf+wrNlCR/QGvLZ+3AsOF9PMWZ8faCj1C1u59ATWvY+dDh9b5oSImsWNps13Za37Q=="),
}  # fmt: skip


def _auth(nonce: int):
    return lambda: KrakenAuth(KEY, SECRET, nonce=fixed(nonce))


def _vector(name: str) -> WireVector:
    path, headers, body, nonce, signed, signature = CASES[name]
    return WireVector(
        name, _auth(nonce), "POST", f"{HOST}/0/private/{path}", target=f"/0/private/{path}",
        body=None if body is None else body.encode(), headers=headers,
        signed_body=signed.encode(), signed_headers={"API-Key": KEY, "API-Sign": signature},
        account={"api_key": KEY, "secret": SECRET},
    )  # fmt: skip


VECTORS = tuple(_vector(name) for name in CASES)
