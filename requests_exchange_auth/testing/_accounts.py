"""Throw-away test credentials from the specs (``shared/specs``); worthless on a real exchange.

:class:`LocalExchange` registers them by default, so examples and tests need no real key.
"""

# ruff: noqa: S105  # these "secrets" are published test vectors, not secrets

import importlib.util

# binance-signed-requests.md §8, the official spot HMAC example
BINANCE_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

# binance-signed-requests.md §8 "RSA and Ed25519": keys generated for testing; the API
# keys are made up here (Binance issues one per registered public key).
BINANCE_RSA_KEY = "RSA-TEST-KEY-0000000000000000000000000000000000000000000000000001"
BINANCE_RSA_PRIVATE_KEY = (
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
BINANCE_RSA_PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAysZiniQ6eNV5EVs0uWt+\n"
    "JCsT8tlegXwZXBmTmxapRC/uY2F7TyfrnUYxG/TldOM0hW+ztASxIts1Bp3Yu5Ft\n"
    "s3sdVWnBavxBKOLq6hs+eAoto61zIhcc+rRcaDLcC9itkt3NC0qJKHvvrb+VcXrK\n"
    "IWmeZ4hM3V17qCO0AlMrN0BUdS1TYCVFl4Yjqjuq+HMSDNXKff9HGmjGDGI3b5V5\n"
    "OAzdKGpRIaTR3e2CsC79tnW1dJ1PMfyooNIb14LNEsSHW06V/0DmiH4Usw8Rz6Sc\n"
    "bnZneRKpn3RUW1MAwKSrE/oB8+gN4rW1IdtJuzobd3jqhLsbQpyMPrZMcRLUVW/C\n"
    "UQIDAQAB\n"
    "-----END PUBLIC KEY-----\n"
)
BINANCE_ED25519_KEY = "ED25519-TEST-KEY-00000000000000000000000000000000000000000000001"
BINANCE_ED25519_PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIY838w8+EorlMSk1jpRraLLZr5OKywq4dNTOTDqc+Hr\n"
    "-----END PRIVATE KEY-----\n"
)
BINANCE_ED25519_PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAsKi2AcPuaLzG7+OoJXKGTHSgEfWjT2YF+jMR7rqyaYI=\n"
    "-----END PUBLIC KEY-----\n"
)

# poloniex.md Part A "Legacy vector" (secret generated for testing; the key is made up)
POLONIEX_KEY = "POLO-TEST-KEY-0001"
POLONIEX_SECRET = (
    "7f8e9d0c1b2a3948576a5b4c3d2e1f00112233445566778899aabbccddeeff00"
    "112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00"
)

# binance-open-api-jwt.md §6 "Worked example"
OPEN_API_KEY = "AKTEST0000000001"
OPEN_API_SECRET = "SKTEST-please-replace-0123456789abcdef"


def binance_accounts() -> dict[str, str]:
    """The Binance accounts a :class:`LocalExchange` registers unless told otherwise.

    The RSA and Ed25519 accounts need ``cryptography`` to verify; without it they are
    left out, so the HMAC schemes work on a bare install.
    """
    binance = {BINANCE_KEY: BINANCE_SECRET}
    if importlib.util.find_spec("cryptography") is not None:
        binance[BINANCE_RSA_KEY] = BINANCE_RSA_PUBLIC_KEY
        binance[BINANCE_ED25519_KEY] = BINANCE_ED25519_PUBLIC_KEY
    return binance


# What the examples send (the demo, the contract tests); orders on the test accounts.
DEMO_ORDER = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "1",
    "price": "0.1",
}
LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8"
