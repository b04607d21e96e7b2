"""Known-answer vectors and throw-away credentials, copied from ``shared/specs``.

Every credential here was published as an example or GENERATED FOR TESTING; none can
reach a real account. Section numbers refer to the spec file named above each group.
:data:`SECRETS` lists every secret and private key, so that tests can scan error
messages, reprs and logs for leaks.
"""

from __future__ import annotations

# -- binance-signed-requests.md §8: official spot HMAC key (from Binance's docs) ---------

BINANCE_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
BINANCE_API_KEY_MASKED = "vmPU…h8A"  # DESIGN.md #6: "the API key at most masked"
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
BINANCE_ORDER_URL = "https://api.binance.com/api/v3/order"  # §8: POST /api/v3/order
BINANCE_TIMESTAMP_MS = 1499827319559
BINANCE_RECV_WINDOW = 5000

# §8 parameters: symbol=LTCBTC side=BUY type=LIMIT timeInForce=GTC quantity=1 price=0.1
BINANCE_ORDER = (
    ("symbol", "LTCBTC"),
    ("side", "BUY"),
    ("type", "LIMIT"),
    ("timeInForce", "GTC"),
    ("quantity", "1"),
    ("price", "0.1"),
)

# §8 H1, all in the query (docs example 2); H2 is the same string as the body (example 1)
H1_QUERY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    "&recvWindow=5000&timestamp=1499827319559"
)
H1_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
H2_BODY = H1_QUERY
H2_SIGNATURE = H1_SIGNATURE

# §8 H3, mixed (docs example 3): the signature goes at the end of the body
H3_QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
H3_BODY = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
H3_SIGNATURE = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"

# §8 H4, non-ASCII symbol (current docs), and H4-wrong: the unencoded payload's signature,
# rejected since 2026-01-15 (§3 "Percent-encoding rule"), which must never be produced
H4_SYMBOL = "１２３４５６"  # FULLWIDTH DIGIT ONE … SIX
H4_QUERY = (
    "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT"
    "&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
)
H4_SIGNATURE = "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
H4_WRONG_SIGNATURE = "ca2cdfbf21d2e2958de492c7f2dd1f059dd2ed4d4459d26a5ec7928db50c8d4f"

# §8 H5, a GET (derived)
H5_QUERY = "recvWindow=5000&timestamp=1499827319559"
H5_SIGNATURE = "82f4e72e95e63d666b6da651e82a701722ad8a785a169318d91f36f279c55821"

# §8 H6, encoding (derived): newClientOrderId="my order/1" with the space as %20
H6_CLIENT_ORDER_ID = "my order/1"
H6_QUERY = "symbol=BTCUSDT&newClientOrderId=my%20order%2F1&timestamp=1499827319559"
H6_SIGNATURE = "ab37d37568182082040c9ce1d29c0d825c497d8ad6bb61fc48c9d862957200e4"

# -- binance-signed-requests.md §8: official USDⓈ-M futures HMAC example -----------------

FUTURES_ORDER_URL = "https://fapi.binance.com/fapi/v1/order"
FUTURES_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
FUTURES_TIMESTAMP_MS = 1591702613943
FUTURES_PAYLOAD = (
    "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
    "&recvWindow=5000&timestamp=1591702613943"
)
FUTURES_SIGNATURE = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
# the docs' "mixed" example prints f9d0ae5e…6e36f2 (a stray space); this is the correct one
FUTURES_MIXED_QUERY = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
FUTURES_MIXED_BODY = "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"
FUTURES_MIXED_SIGNATURE = "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"

# -- binance-signed-requests.md §8 "RSA and Ed25519": keys GENERATED FOR TESTING ----------

# RSA-2048, PKCS#8; also the userData key of binance-open-api-jwt.md §6
RSA_TEST_KEY_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDKxmKeJDp41XkR\n"
    "WzS5a34kKxPy2V6BfBlcGZObFqlEL+5jYXtPJ+udRjEb9OV04zSFb7O0BLEi2zUG\n"
    "ndi7kW2zex1VacFq/EEo4urqGz54Ci2jrXMiFxz6tFxoMtwL2K2S3c0LSokoe++t\n"
    "v5VxesohaZ5niEzdXXuoI7QCUys3QFR1LVNgJUWXhiOqO6r4cxIM1cp9/0caaMYM\n"
    "YjdvlXk4DN0oalEhpNHd7YKwLv22dbV0nU8x/Kig0hvXgs0SxIdbTpX/QOaIfhSz\n"
    "DxHPpJxudmd5EqmfdFRbUwDApKsT+gHz6A3itbUh20m7Oht3eOqEuxtCnIw+tkxx\n"
    "EtRVb8JRAgMBAAECggEAJwKDdmkB1r06zVv+iK1lVw/yhoXK6J43QsCo5O03IycV\n"
    "dYkLb+7+JQOb7wTuH86WDBWxPLCqY0pIqT00tOEFecH1orj1vN9KqdL93ovfOLi8\n"
    "jwCPZb+Mk66fGGywaJcGzXpeOA3e1SsCsSpqVaqJuGPZVZGjN/MEFxTHTKszZS1i\n"
    "3rXoe5Aa8u3qCLTtJPA907BPh6kl8Ebv/C9jpRn8p4iiu5vQCcBlg05CdrKkmmBZ\n"
    "7H0sSnbyK4cx4SkJGj0lgAXvkymC0I+5Fb/8oI5bb+5JqcY+psdPY8a+MmsEi6Jz\n"
    "oXAIYKXRYgil3+osEOFl4oSz4TK2URL2VBvPBpwNAQKBgQD+ep8+QcYXTCw4hnYK\n"
    "AUVNicRpuBkCehNileU2xMJlts2N+a5WmlfUfhsOcdr81YRfuuJR2MfIVYw2WihM\n"
    "c0EfHMMDN0MpPQek1XRM7xa+OrKqTdwWBN9XB8Kqjs5oXWtDHtgeMUex2rp489pf\n"
    "Td93A3zQXkSYlnr8/gSWqdgX3wKBgQDL/KagdZaaFzEL0UZ8DfkVAC6NHmnj8pcB\n"
    "8ADnj5VQjNXXiwcc2iJyQOHuS4tTyCbaA1UgR5kBYX/GyC12KSHzWPPdpGVAqfL+\n"
    "DIbnTX0OUXSZmAwsB55JHyJ9UXzHc33d8O1M6vgK6lXvJJyRYTRHPhrAYE+taF4/\n"
    "D+0KSo4rzwKBgEu51ZVDIV1hb29Ko+mKQ0M1kdsby2VvSkF19YV8u5Rk93oeKIDg\n"
    "4O38sLR1sQK3zvJlvF86sQiuXFD4NzG4wlItzuIwGa412QZ19mvGYfAtq2j+TlXH\n"
    "EWbmikkSwd1Qn1CT5x/k7j7ApejEN+FQXQUfZo7i3mrBrMuIE3l6BTHlAoGAfL3S\n"
    "87sUzsQx5QUkMkalNFd5ICkiHhhCihfHpdNjPu/w8S9+uQEYIYBV6VBfMmvqflWd\n"
    "X/EIuxRxfBD75A9BSLvz3W1j0chb5Ump0ZbMS846HJcjkmVSQWr9v17ujFWu+eMU\n"
    "an4iEyK8TFK6QBkOTCbJWy1KbEOvpqbJkQqIqHcCgYEA2YTKYYyxOH+h284Yra/k\n"
    "64v97Q9cdclK3buTcbCaRKJ3B0SFOoR+uK6ajc/jngSs7QCb10OJFZysGliBp4FN\n"
    "X6mKBy5c+Zehd4m1lCbsDofpuC1mGoDcyTal1h0hymFsMB+A2ZKWcYImb424tP7v\n"
    "HipYIBJv7l7T8hLZ5UuE77Q=\n"
    "-----END PRIVATE KEY-----\n"
)
ED25519_TEST_KEY_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIY838w8+EorlMSk1jpRraLLZr5OKywq4dNTOTDqc+Hr\n"
    "-----END PRIVATE KEY-----\n"
)
ED25519_PUBLIC_KEY_PEM = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAsKi2AcPuaLzG7+OoJXKGTHSgEfWjT2YF+jMR7rqyaYI=\n"
    "-----END PUBLIC KEY-----\n"
)
RSA_P1 = (
    "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2"
    "&timestamp=1668481559918&recvWindow=5000"
)
RSA_P2 = (
    "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=SELL&type=LIMIT"
    "&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000"
)
ASYMMETRIC_TIMESTAMP = 1668481559918
# (key PEM, payload, base64 signature) from §8; on the wire '+', '/', '=' are escaped
ASYMMETRIC_VECTORS = {
    "RSA-P1": (
        RSA_TEST_KEY_PEM,
        RSA_P1,
        "ZlHLBUrw5e3koXtzbHRPu8NBvnS9w2R/XaK8lLGSdNWsk9ZR23hoG7GsQtPyDneKA8VnFq856V0AZkD5+FB8"
        "pIXDPjSg5j2bhimWGpfed31cqec/ZUFpbTYNzkUmSDPI4K4RiG85wm+K9mlGSQX1G4GW759RksVnWccuyfQ/"
        "j40A+PxAU5GW6RquEolOp9HrG5WhFGuUMNZNPQM2QAk/zbNHY8pYCSuPXz9s52rZOe8yIaIwMGnKd8LA9Rr9"
        "spqFGIL4GwbpWn4+zr4v+jiFZ6qg4fXCeu++7ZLLLSiRDs3+P1K4Se8ZGHYrhlGavQ16twKDGXT5AWP3Ol8u"
        "d0rk3Q==",
    ),
    "RSA-P2": (
        RSA_TEST_KEY_PEM,
        RSA_P2,
        "wJpkB/lSf0Yt5Jzdbnm0cfh2LJuRAUd5EU0mtKfIgZsjlxzTLlZxDSKidac0lJnvQh4vwwncDAAu1XIfduhs"
        "cYUtyvC4glITOuZ1D2ERfji0msaCydPXG0+MrJAnhga84Hi4E6kMDcKmxstlEiS2UOLQBj09qCW9m1o2em3J"
        "hf5j4W5DMtHlbayoVwPc6xZB+YMelDi8Dbs5RRInD6+dIeVvX3FLlfS4vECnx65SY3iUjRAkY560cnJ16qxB"
        "Ic3hmDMnZrJvoAoMiac5Qi3cfDATGNhvUig21fWGTGPVBLlstWt17l4U4QHN+hXlvi4SaYKTH9Y4V9zkXnXN"
        "67i1ug==",
    ),
    "Ed25519-P1": (
        ED25519_TEST_KEY_PEM,
        RSA_P1,
        "a2oDn9oit3zmL9R25YkExwNTQJQ6bPKUPd7ucR/Qv45ALEPFVKWe/XqvvUB6AzhzscmHHYkwszunrIWaVRznDQ==",
    ),
    "Ed25519-P2": (
        ED25519_TEST_KEY_PEM,
        RSA_P2,
        "rtIAt4HILt3C5JnqQBi1+R22bRgcDpr3JcQfWtrLPTR2KFWVXWoFlSXpYG6rLhZRwKEPYfv2lsqHEGqsh9RnBw==",
    ),
}
ED25519_P1_WIRE = (
    "a2oDn9oit3zmL9R25YkExwNTQJQ6bPKUPd7ucR%2FQv45ALEPFVKWe%2FXqvvUB6AzhzscmHHYkwszunrIWaVRz"
    "nDQ%3D%3D"
)

# §8 payloads P1/P2 (the docs' RSA/Ed25519 ones) and their signatures with the keys above;
# PKCS#1 v1.5 and Ed25519 are deterministic, so these are exact.
ASYMMETRIC_TIMESTAMP_MS = 1668481559918
P1_PAYLOAD = (
    "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2"
    "&timestamp=1668481559918&recvWindow=5000"
)
P2_PAYLOAD = (
    "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=SELL&type=LIMIT"
    "&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000"
)
RSA_P1_SIGNATURE = (
    "ZlHLBUrw5e3koXtzbHRPu8NBvnS9w2R/XaK8lLGSdNWsk9ZR23hoG7GsQtPyDneKA8VnFq856V0AZkD5+FB8pIXD"
    "PjSg5j2bhimWGpfed31cqec/ZUFpbTYNzkUmSDPI4K4RiG85wm+K9mlGSQX1G4GW759RksVnWccuyfQ/j40A+PxA"
    "U5GW6RquEolOp9HrG5WhFGuUMNZNPQM2QAk/zbNHY8pYCSuPXz9s52rZOe8yIaIwMGnKd8LA9Rr9spqFGIL4Gwbp"
    "Wn4+zr4v+jiFZ6qg4fXCeu++7ZLLLSiRDs3+P1K4Se8ZGHYrhlGavQ16twKDGXT5AWP3Ol8ud0rk3Q=="
)
RSA_P2_SIGNATURE = (
    "wJpkB/lSf0Yt5Jzdbnm0cfh2LJuRAUd5EU0mtKfIgZsjlxzTLlZxDSKidac0lJnvQh4vwwncDAAu1XIfduhscYUt"
    "yvC4glITOuZ1D2ERfji0msaCydPXG0+MrJAnhga84Hi4E6kMDcKmxstlEiS2UOLQBj09qCW9m1o2em3Jhf5j4W5D"
    "MtHlbayoVwPc6xZB+YMelDi8Dbs5RRInD6+dIeVvX3FLlfS4vECnx65SY3iUjRAkY560cnJ16qxBIc3hmDMnZrJv"
    "oAoMiac5Qi3cfDATGNhvUig21fWGTGPVBLlstWt17l4U4QHN+hXlvi4SaYKTH9Y4V9zkXnXN67i1ug=="
)
ED25519_P1_SIGNATURE = (
    "a2oDn9oit3zmL9R25YkExwNTQJQ6bPKUPd7ucR/Qv45ALEPFVKWe/XqvvUB6AzhzscmHHYkwszunrIWaVRznDQ=="
)
ED25519_P2_SIGNATURE = (
    "rtIAt4HILt3C5JnqQBi1+R22bRgcDpr3JcQfWtrLPTR2KFWVXWoFlSXpYG6rLhZRwKEPYfv2lsqHEGqsh9RnBw=="
)
ED25519_P1_WIRE = (  # §8: as sent, percent-encoded
    "a2oDn9oit3zmL9R25YkExwNTQJQ6bPKUPd7ucR%2FQv45ALEPFVKWe%2FXqvvUB6AzhzscmHHYkwszunrIWaVRznDQ%3D%3D"
)

# -- poloniex.md Part A "Legacy vector" (secret GENERATED FOR TESTING) -------------------

POLONIEX_URL = "https://poloniex.com/tradingApi"
POLONIEX_API_KEY = "PLNX-TEST-0000-0000-0001"  # made up here: Part A publishes no key
POLONIEX_API_KEY_MASKED = "PLNX…001"
POLONIEX_SECRET = (
    "7f8e9d0c1b2a3948576a5b4c3d2e1f00112233445566778899aabbccddeeff00"
    "112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00"
)
POLONIEX_NONCE_1 = 154264078495300
POLONIEX_BODY_1 = "command=returnBalances&nonce=154264078495300"
POLONIEX_SIGN_1 = (
    "bd839e78f4c43280351ff0b8da5901df017b075aabe711febd09105eeae53979"
    "a1e594874acdd05f32339940844f8cfbd263b1d2cc733a08a07b958130500aab"
)
POLONIEX_NONCE_2 = 154264078495301
POLONIEX_BODY_2 = "command=buy&currencyPair=BTC_ETH&rate=0.01&amount=1&nonce=154264078495301"
POLONIEX_SIGN_2 = (
    "800a2966b53831658b243387005b8c9cdb464ff7703f813976c99a1dee2f43a2"
    "e810bc87f3f8dca556819a6b1decf5479e19f03a5e07f3dbd8fbe54b16edf7b6"
)

# -- binance-open-api-jwt.md §6 "Worked example" (all inputs FIXED FOR TESTING) ----------

OPEN_API_APP_ID = "ozSQnakAm7apa6ew7crPYd"
OPEN_API_AK = "AKTEST0000000001"
OPEN_API_AK_MASKED = "AKTE…001"
OPEN_API_SK = "SKTEST-please-replace-0123456789abcdef"
OPEN_API_DATA_TOKEN = "dt_TEST/abc+1=="  # chosen to exercise encoding
OPEN_API_TS = 1700000000  # seconds
OPEN_API_APP_URL = f"https://dip-cb.binanceapi.com/mp-api/v1/apps/{OPEN_API_APP_ID}"
OPEN_API_USER_DATA_URL = f"{OPEN_API_APP_URL}/user-open-data"
OPEN_API_GET_URL = f"{OPEN_API_USER_DATA_URL}?openData=dt_TEST%2Fabc%2B1%3D%3D"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # §2 step 4
OPEN_API_CANONICAL_GET = (
    "GET\n"
    f"/mp-api/v1/apps/{OPEN_API_APP_ID}/user-open-data/\n"
    "openData=dt_TEST%2Fabc%2B1%3D%3D\n"
    f"{EMPTY_SHA256}"
)
OPEN_API_DIG = "797a1e7a625f7801baf8379f234c497e892791a75a4a31a7e76a7b080c460118"
OPEN_API_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBS1RFU1QwMDAwMDAwMDAxIiwiZGl"
    "nIjoiNzk3YTFlN2E2MjVmNzgwMWJhZjgzNzlmMjM0YzQ5N2U4OTI3OTFhNzVhNGEzMWE3ZTc2YTd"
    "iMDgwYzQ2MDExOCIsInRzIjoxNzAwMDAwMDAwfQ.-HKqc3Fg4LqdHy8mlbnh-3kcuDCXUD70G7vA"
    "Tnke9sQ"
)

# §6 "POST example (digest only)"
OPEN_API_POST_URL = f"{OPEN_API_APP_URL}/message/send"
OPEN_API_POST_BODY = b'{"openId":"o_TEST_1","templateId":"t_1"}'
OPEN_API_POST_BODY_SHA256 = "c1e55d0f8df259367013a101ec3486da0ef47dd5f2f200a7d06772e6a2b7054c"
OPEN_API_POST_CANONICAL = (
    f"POST\n/mp-api/v1/apps/{OPEN_API_APP_ID}/message/send/\n\n{OPEN_API_POST_BODY_SHA256}"
)
OPEN_API_POST_DIG = "e4a4283d502bf70c8a1d708568312a9079d01572f6684765ed8ac142a11a950a"

# §6 "Decryption vector": three spellings of one ciphertext for RSA_TEST_KEY_PEM
USER_DATA_PLAINTEXT = "o_TEST_0001"
USER_DATA_STD = (
    "pXip3NMx6csOmhe3IqN5J9q8iFUxIxy/D606fgV4O7AatdP0zg+KyfbGByXRPF5KocGHYAsfu8Ga"
    "TIB1wr1G+Wne6MTnLXlJX9Ea+uNGYqjcT92za4OXHK1gWCCVttVdlN/sPUb2J10V4C19RVVBxJmf"
    "s31wbXJiH4sT+tpNgPdinP4TyWnMgMu6UyFGhu2XKNlWkypUl473MBVwXlFHZo+zaBSuGjBwyPla"
    "pnblQNgcKc2LQOLoadgzrgKAie5DeANoNm/Mq+dd9dDo/AeV8ks9tFmdNfPPCr5Q6W/mEgQcM13x"
    "zE310gCNSAooFVN558B4r0vgBJsYDBAq0e2RcQ=="
)
USER_DATA_URL = (
    "pXip3NMx6csOmhe3IqN5J9q8iFUxIxy_D606fgV4O7AatdP0zg-KyfbGByXRPF5KocGHYAsfu8Ga"
    "TIB1wr1G-Wne6MTnLXlJX9Ea-uNGYqjcT92za4OXHK1gWCCVttVdlN_sPUb2J10V4C19RVVBxJmf"
    "s31wbXJiH4sT-tpNgPdinP4TyWnMgMu6UyFGhu2XKNlWkypUl473MBVwXlFHZo-zaBSuGjBwyPla"
    "pnblQNgcKc2LQOLoadgzrgKAie5DeANoNm_Mq-dd9dDo_AeV8ks9tFmdNfPPCr5Q6W_mEgQcM13x"
    "zE310gCNSAooFVN558B4r0vgBJsYDBAq0e2RcQ=="
)
USER_DATA_URL_NOPAD = USER_DATA_URL.removesuffix("==")

# -- made here for the error tests (not in the specs) -------------------------------------

# A second RSA-2048 key GENERATED FOR TESTING, to decrypt USER_DATA_STD with the wrong key.
# It is fixed rather than generated per run: with OpenSSL's implicit rejection (3.2+),
# PKCS#1 v1.5 decryption under a wrong key returns pseudo-random bytes instead of failing,
# and about 0.7 % of random keys give bytes that are valid UTF-8, so a fresh key per run
# would make the wrong-key test flaky. This key's rejection bytes are not UTF-8.
WRONG_RSA_KEY_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCsCoDRIXVfru5+\n"
    "e6pxU2XYruztRy7c2onBqixJt9aVZIyd5aH6WvYmn6W6z0tBYNXkkYxBEVeb/z/5\n"
    "4F1SvZO3Pk5U/9oEMFqk8KdKB8igJuJNziXUiR37cfyVDQKKD1s1Wm9AJaoQkVz+\n"
    "1yylJTg/jeJg0HFHvHHw8f4SUMBcGp6M/TV9TeKEn08aTkfWAsEidK0fc+EY6pWJ\n"
    "zfoiLX1u242EuOm1mQPwqP1Zt189lMelttoT1iEgP3ES114C/ke4l/yohW4XE5Xp\n"
    "6tB+g+uBQDAH2nmjUh9TGf8EfNZfRellZLYQ8xisi/Avd8H3KGDJYujXtpdEs9tH\n"
    "E7Wg5eutAgMBAAECggEABbuI3M8UWeaakFDfFk0c2upDP0nMrDPE/NTGioNLbWlv\n"
    "DRDag5zV0GYn79BZ9dj775SQ+5cQGATalSEuguQJwMSc+BSZZ2PUFWRmcp9NRlbd\n"
    "WhHZLVqPSvJao/3NvJtz4tR7WgQXRVuOoXg6hts1Y1q/NRIlACqtkkWB/Yq+yiLT\n"
    "7iToqhkyQT2sfIL/zZYS8VuLAWfucxrW9iQ6Ebc5tLZanqgyEBobpRO47He2Bdv2\n"
    "w99br/QNchNoTuxromIixr7m62nZXEfwJYcMJdwELvuUAfz21aN/vQihaQ2u9rgx\n"
    "SCJN+VTsSnVGhKWNbUkqsXC60IhQZGfTj1uh6ayrIQKBgQDcz7X8o+iKNuG7J7R4\n"
    "+yDLjD8bzRcftBzRekkLUFpLzRzXN8e4KzcmJGsBc57Nxq7Tooyj33+3nvc7JZlZ\n"
    "xrvkZi7iQbuSEho7tbokVOks+aJNGOeFqQpJEFJU4wkxR0Xj+DoHtmn9WAr+mp7A\n"
    "p43KA17h0hSwuMwt2lvtpaoOjQKBgQDHdSRtZYBiMAf99cSH1UyigiKmsVreDViO\n"
    "z7HsoNjcAMCjA9eGFjeTgt87rcBapsI+AN1NWZ4jnwRZLIx3M7L/XknXkrBUdSCw\n"
    "/LBBnJ3gBzg/434+FX9UiuQ3bedZMvHOlVZHHfgjWE5NpSJh1tEw6vO7YNJpwlye\n"
    "MUoNSWMZoQKBgFRmaG9Kz2WVGK8KvCbKBn0G/FBKEh6iH6nKDgVvDzSOEAoLXiF9\n"
    "EzVXEjeZ1AdffA+UwCEbGpw6/ND0zCrOlZ71l9IPwfxRQwmzqpSciAwS1wCVFlm2\n"
    "hSHsRSwBI9BcJ9C9XqD4DocxkfJDc467/KxMoYW7YQEzgYe9QQoTGm85AoGAI/Ce\n"
    "tLuia47eEcvUMumjWnD6j3DLv9FF0M3p8Ip3KQVVsMoDbtzX/NOLJ/TCAVOlEokT\n"
    "V1m7ng2MOglF8kC1k0BJK/f5n+5PCrUtiVUQOYrzfseeOs+i1vgD8VzzX+ZHHgNY\n"
    "vY3P5YaG7YTA8kJEBX2Al5X1tCrah4K4JjbADaECgYEAkQkOptoyshi9hSPAnj8J\n"
    "QDsA3uXeCL7HwKTMLWOAkQ99Spf2TF3ODApjzzr3TsjSFPQ1tFc+Vllf8MaFS4Tp\n"
    "66shtZ1uacuEfXhxcnU7EYZi1ah1WiXWseayHq0VKl5xOJ/2H8otxh6+qj7SX0lj\n"
    "smAvynCDIw93H/FH6ZoazY0=\n"
    "-----END PRIVATE KEY-----\n"
)

# A random ciphertext for RSA_TEST_KEY_PEM whose implicit-rejection "plaintext" is empty
# (found by trying random 256-byte values): it is not valid userData and must not decrypt.
USER_DATA_IMPLICIT_REJECTION_EMPTY = (
    "ZAu9CXGKg1Yj3OOO50mE5s+we/IYv8U/GpU7soJyZ1LXswnAw77X2t2ndOrNrYKq1NDcifxHNgOzJBBt"
    "84Nhkb4hqHUf6JpGmKmm7yALNl/kU+77yV5WNCfToSXcYYj9bKL1WkCGQw2DvM/FAe8TAWoHhFzY/htk"
    "YhNr5iNd59gVKlcjssL0ZpyjwXiKXL8AAkKBOk8Qa/p4GDPSL41aXqmgNJiMbl+v89u64kC9uaXb//pa"
    "AP0y3uAHDps7IPXxvquvl9IZv2uDrrvbG3MgBkuFY4oGiO52GJaBUumDuvuyxjTSQoGJWqUlOvsaa47C"
    "dpzFSWGnVm/CofRtsSt4jA=="
)

#: every secret and private key the tests use, for leak scans (DESIGN.md #6)
SECRETS = (
    BINANCE_SECRET,
    FUTURES_SECRET,
    POLONIEX_SECRET,
    OPEN_API_SK,
    RSA_TEST_KEY_PEM,
    ED25519_TEST_KEY_PEM,
    WRONG_RSA_KEY_PEM,
)
