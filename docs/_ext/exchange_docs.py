"""A Sphinx extension for these docs: the registry's table, and public names for private paths.

- ``.. exchange-table::`` renders one row per entry of
  :data:`requests_exchange_auth._registry.SCHEMES`, linking each scheme's page
  (``exchanges/<id>``); a registered scheme without a page fails the build (``-W``).
- Type hints name objects where they are defined (``requests_exchange_auth.schemes.binance
  .BinanceApiKeyAuth``), the reference documents them where users import them
  (``requests_exchange_auth.BinanceApiKeyAuth``): a reference that finds nothing is
  resolved to the documented name of the same object, if there is one.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

import requests_exchange_auth
from requests_exchange_auth._registry import SCHEMES


def _resolve(dotted: str) -> Any:
    """The object a dotted name stands for, or ``None``."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                value = getattr(value, name)
        except AttributeError:
            return None
        return value
    return None


class ExchangeTable(SphinxDirective):
    """The table of registered schemes, from the registry itself."""

    def run(self) -> list[nodes.Node]:
        rows = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 30 30 20",
            "",
            "   * - Exchange API",
            "     - Auth",
            "     - Scheme id",
        ]
        for entry in SCHEMES:
            rows += [
                f"   * - :doc:`{entry.title} </exchanges/{entry.id}>`",
                f"     - :class:`~requests_exchange_auth.{entry.auth_class.__name__}`",
                f"     - ``{entry.id}``",
            ]
        container = nodes.container()
        self.state.nested_parse(StringList(rows), self.content_offset, container)
        return container.children


@functools.cache
def _package_modules() -> tuple[Any, ...]:
    """Every module of the package (an incremental build has not imported them all)."""
    names = pkgutil.walk_packages(requests_exchange_auth.__path__, "requests_exchange_auth.")
    return tuple(
        importlib.import_module(info.name) for info in names if not info.name.endswith("__main__")
    )


def _candidates(node: Any) -> list[str]:
    """The dotted names a reference may mean: as written, or in its module and class."""
    target = node.get("reftarget", "")
    module, cls = node.get("py:module"), node.get("py:class")
    names = [target]
    if module and cls:
        names.append(f"{module}.{cls}.{target}")
    if module:
        names.append(f"{module}.{target}")
    return names


def _public_alias(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a Python reference that found nothing to the documented name of the same
    object; a private helper type (``Clock``, ``AuthOptions``) renders as plain text."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    last = target.rsplit(".", 1)[-1]
    documented = env.get_domain("py").objects
    for candidate in _candidates(node):
        wanted = _resolve(candidate)
        if wanted is None:
            continue
        for name, entry in documented.items():
            if name.rsplit(".", 1)[-1] == last and _resolve(name) is wanted:
                return make_refnode(
                    app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name
                )
    if target.startswith("requests_exchange_auth.") and _resolve(target) is not None:
        return contnode  # an internal type: shown as written, linked nowhere
    if "." not in target and any(hasattr(module, target) for module in _package_modules()):
        return contnode  # a type alias of ours (Clock, AuthOptions) in a signature
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("exchange-table", ExchangeTable)
    app.connect("missing-reference", _public_alias)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
