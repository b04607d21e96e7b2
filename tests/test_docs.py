"""The documentation keeps up with the package: a page per registered scheme, a reference
entry per public name, every Python example run, and links that point where users can go.

These read the reStructuredText sources, so they need no Sphinx; ``tox -e docs`` builds
the site (warnings are errors, so a page that the toctree, the registry's table or a
reference cannot find fails there) and runs its doctests.
"""

from __future__ import annotations

import configparser
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from requests_exchange_auth._registry import DOCS_URL, SCHEMES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.rst"))
PUBLIC_MODULES = (
    "requests_exchange_auth",
    "requests_exchange_auth.exceptions",
    "requests_exchange_auth.httpx",
    "requests_exchange_auth.nonce",
    "requests_exchange_auth.testing",
)
_DIRECTIVE = re.compile(
    r"^\.\. (?:auto(?:class|function|data|exception|attribute|method)|py:function|py:class)"
    r":: ([\w.]+)",
    re.M,
)


def _resolve(dotted: str) -> Any:
    """The object a dotted name stands for, importing the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            value = getattr(value, name)
        return value
    raise LookupError(dotted)


def _documented() -> dict[str, Any]:
    """Every name the reference documents, fully qualified, and the object it names."""
    found: dict[str, Any] = {}
    for page in sorted([*(DOCS / "reference").glob("*.rst"), *(DOCS / "exchanges").glob("*.rst")]):
        module = ""
        for line in page.read_text("utf-8").splitlines():
            current = re.match(r"\.\. (?:currentmodule|automodule|module):: ([\w.]+)", line)
            if current:
                module = current.group(1)
                continue
            entry = _DIRECTIVE.match(line)
            if entry:
                name = entry.group(1)
                ours = name.startswith("requests_exchange_auth")
                qualified = name if ours else f"{module}.{name}"
                found[qualified] = _resolve(qualified)
    return found


DOCUMENTED = _documented()
PUBLIC = [(module, name) for module in PUBLIC_MODULES for name in _resolve(module).__all__]


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=lambda v: v)
def test_every_public_name_has_a_reference_entry(module, name):
    """Each name of each public ``__all__`` is documented in docs/reference (an auth on its
    exchange's page), under some public path that names the very same object."""
    wanted = getattr(_resolve(module), name)
    assert any(value is wanted for value in DOCUMENTED.values()), (
        f"{module}.{name} has no autodoc entry in docs/reference/*.rst or docs/exchanges/*.rst"
    )


@pytest.mark.parametrize("entry", SCHEMES, ids=lambda e: e.id)
def test_every_registered_scheme_has_its_page(entry):
    """docs/exchanges/<id>.rst exists and follows the template: what is signed, what the
    auth adds, its errors, and an example on requests, on httpx and with sign()."""
    page = DOCS / "exchanges" / f"{entry.id}.rst"
    assert page.is_file(), f"no docs page for the registered scheme {entry.id!r}: {page}"
    text = page.read_text("utf-8")
    assert f"~requests_exchange_auth.{entry.auth_class.__name__}`" in text
    assert f".. autoclass:: requests_exchange_auth.{entry.auth_class.__name__}\n" in text
    assert f"scheme id\n``{entry.id}``" in text or f"scheme id ``{entry.id}``" in text
    for heading in ("What is signed", "What the auth adds and owns", "Errors and what to do"):
        assert f"\n{heading}\n---" in text, heading
    examples = re.findall(r"^\.\. testcode::\n\n((?:    .*\n|\n)+)", text, re.M)
    assert any("import requests\n" in code for code in examples), "no requests example"
    assert any("HttpxAuth(" in code for code in examples), "no httpx example"
    assert any(".sign(" in code for code in examples), "no sign() example"


def test_every_page_is_a_registered_scheme_or_the_index():
    """No page for a scheme the registry does not have (a renamed or removed id)."""
    pages = {p.stem for p in (DOCS / "exchanges").glob("*.rst")} - {"index"}
    assert pages == {entry.id for entry in SCHEMES}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_examples_run_in_the_doctest_build(page):
    """Every Python example is a ``testcode`` block, which ``sphinx -b doctest`` runs; a
    ``code-block:: python`` must say, just above it, why the doctest build skips it."""
    text = page.read_text("utf-8")
    for match in re.finditer(r"^\.\. code-block:: python$", text, re.M):
        before = text[: match.start()].rstrip("\n").rsplit("\n\n", 1)[-1]
        assert before.startswith(".. not run by the doctest build: "), (
            f"{page.name}: a Python example that no test runs, after: {before[:80]!r}"
        )


@pytest.mark.parametrize("page", [*PAGES, ROOT / "CHANGELOG.rst"], ids=lambda p: p.name)
def test_pages_link_no_spec_file(page):
    """The specs are the project's design documents, not shipped: pages quote them."""
    assert not re.search(r"\b[\w-]+\.md\b", page.read_text("utf-8"))


def test_readme_lists_every_registered_scheme_with_its_page():
    """The README's table names every scheme id and links its page under DOCS_URL."""
    readme = (ROOT / "README.rst").read_text("utf-8")
    for entry in SCHEMES:
        assert f"`{entry.id}`_" in readme, entry.id
        assert f".. _{entry.id}: {entry.docs_url}\n" in readme, entry.id


def test_docs_url_is_the_documentation_project_url():
    """The CLI's page links and setup.cfg's Documentation URL share one root."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    urls = dict(
        line.split(" = ", 1) for line in config["metadata"]["project_urls"].strip().splitlines()
    )
    assert set(urls) == {"Documentation", "Source", "Changelog", "Issues"}
    assert DOCS_URL.startswith(urls["Documentation"])
    assert urls["Changelog"] == f"{DOCS_URL}changelog.html"


@pytest.mark.parametrize("entry", SCHEMES, ids=lambda e: e.id)
def test_cli_texts_cite_no_spec_file(entry):
    """What sign and verify print about a scheme is in the user's words: no spec file or
    section, which users do not have (the CLI links the scheme's page instead)."""
    kit = entry.kit
    for text in (kit.payload_title, kit.advice):
        assert ".md" not in text
        assert "§" not in text
    assert entry.docs_url == f"{DOCS_URL}exchanges/{entry.id}.html"


def test_readme_stays_a_front_page():
    """README.rst is the front page (at most 250 lines); the details live in the docs."""
    lines = (ROOT / "README.rst").read_text("utf-8").splitlines()
    assert len(lines) <= 250, f"README.rst has {len(lines)} lines; move details to docs/"
