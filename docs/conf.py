"""Sphinx configuration: furo, autodoc, offline intersphinx, and every example a doctest.

Build and check as tox does (``tox -e docs``)::

    python -m sphinx -W -n -b html docs docs/_build/html
    python -m sphinx -W -n -b doctest docs docs/_build/doctest
"""

from __future__ import annotations

import pathlib
import sys

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import requests_exchange_auth  # noqa: E402  # after the path for our extension

project = "requests-exchange-auth"
author = "the requests-exchange-auth authors"
copyright = "the requests-exchange-auth authors; MIT license"  # the name Sphinx reads
release = requests_exchange_auth.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "exchange_docs",  # docs/_ext: the registry's table, public names for private paths
]

exclude_patterns = ["_build", "_inventories"]
html_theme = "furo"
html_title = f"requests-exchange-auth {release}"
html_static_path = ["_static"]
# without an icon, every browser asks the host for /favicon.ico: a 404 in the console
html_favicon = "_static/favicon.svg"
# no "view source" links to a host that does not exist yet; the repository is linked
html_show_sourcelink = False
pygments_style = "friendly"
pygments_dark_style = "monokai"

# -- autodoc ----------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
python_use_unqualified_type_names = True
autodoc_default_options: dict[str, object] = {}  # members are listed per directive

# -- intersphinx, offline ---------------------------------------------------------------
# CI has no network: every inventory is a file in docs/_inventories (see make_httpx.py
# there for where each comes from), and no URL is ever fetched.
_INV = HERE / "_inventories"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", str(_INV / "python.inv")),
    "requests": ("https://requests.readthedocs.io/en/latest/", str(_INV / "requests.inv")),
    "httpx": ("https://www.python-httpx.org/", str(_INV / "httpx.inv")),
    "requests-mock": (
        "https://requests-mock.readthedocs.io/en/latest/",
        str(_INV / "requests-mock.inv"),
    ),
}

# -- doctest ----------------------------------------------------------------------------
# Every example on every page is a ``testcode`` block, run by ``-b doctest`` against the
# package's LocalExchange; tests/test_docs.py checks that no Python example escapes it.
doctest_test_doctest_blocks = ""
trim_doctest_flags = True
doctest_global_setup = """
import os
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(_name, None)  # the examples talk to 127.0.0.1 directly
"""

nitpicky = True
nitpick_ignore = [
    # redis-py's docs publish an inventory, but the build is offline and ships none for it
    ("py:class", "redis.Redis"),
    ("py:class", "Redis"),
    # urllib3 likewise (OrderedAdapter's signature is requests' HTTPAdapter's)
    ("py:class", "urllib3.util.retry.Retry"),
    # the constructors' **options: Unpack[...]; typing has no Unpack before Python 3.11,
    # so there the hint stays a name (the TypedDict's keys are the class's own options)
    ("py:class", "Unpack"),
    ("py:class", "typing_extensions.Unpack"),
    # a loader's "-> Self" (CoinbaseAuth.from_file): typing has no Self before Python 3.11
    ("py:class", "Self"),
    ("py:class", "typing_extensions.Self"),
]
