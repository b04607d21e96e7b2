"""Write ``httpx.inv``: a Sphinx inventory for the httpx names these docs link to.

httpx documents itself with MkDocs, which publishes no ``objects.inv``, so intersphinx
has nothing to download; this small one maps each name to its place on httpx's site.
Run it after adding a name: ``python docs/_inventories/make_httpx.py``.

The other inventories here are the ones the projects publish, copied from Debian 12's
documentation packages (the docs build has no network): ``python.inv`` from
``python3.11-doc``, ``requests.inv`` from ``python-requests-doc`` (requests 2.28.1; the
names we link to are unchanged since), ``requests-mock.inv`` from
``python-requests-mock-doc``.
"""

from __future__ import annotations

import pathlib
import zlib

VERSION = "0.28"
#: (name, domain:role, page and anchor on https://www.python-httpx.org/)
ENTRIES = (
    ("httpx", "py:module", "api/"),
    ("httpx.Client", "py:class", "api/#client"),
    ("httpx.AsyncClient", "py:class", "api/#asyncclient"),
    ("httpx.Request", "py:class", "api/#request"),
    ("httpx.Response", "py:class", "api/#response"),
    ("httpx.Headers", "py:class", "api/#headers"),
    ("httpx.Auth", "py:class", "advanced/authentication/#custom-authentication-schemes"),
    ("httpx.Auth.auth_flow", "py:method", "advanced/authentication/#custom-authentication-schemes"),
    ("httpx.Auth.sync_auth_flow", "py:method", "advanced/authentication/"),
    ("httpx.Auth.async_auth_flow", "py:method", "advanced/authentication/"),
    ("httpx.MockTransport", "py:class", "advanced/transports/#mock-transports"),
    ("httpx.HTTPTransport", "py:class", "advanced/transports/#http-transport"),
    ("httpx.AsyncHTTPTransport", "py:class", "advanced/transports/#http-transport"),
    ("httpx.BaseTransport", "py:class", "advanced/transports/#custom-transports"),
    ("httpx.AsyncBaseTransport", "py:class", "advanced/transports/#custom-transports"),
    ("extensions", "std:label", "advanced/extensions/"),
    ("trace", "std:label", "advanced/extensions/#trace"),
)


def main() -> None:
    lines = "".join(f"{name} {role} 1 {uri} -\n" for name, role, uri in ENTRIES)
    header = (
        "# Sphinx inventory version 2\n"
        "# Project: HTTPX\n"
        f"# Version: {VERSION}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    target = pathlib.Path(__file__).with_name("httpx.inv")
    target.write_bytes(header.encode() + zlib.compress(lines.encode()))


if __name__ == "__main__":
    main()
