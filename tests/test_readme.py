"""README.rst keeps its promises: its examples run, and CI runs its two commands."""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.rst").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    """The bodies of every ``.. code-block:: <language>`` directive, dedented."""
    pattern = rf"^\.\. code-block:: {language}\n\n((?:    .*\n|\n)+)"
    return [re.sub(r"^    ", "", b, flags=re.M) for b in re.findall(pattern, README, re.M)]


@pytest.mark.parametrize("code", _blocks("python"), ids=lambda c: c.splitlines()[0][:40])
def test_python_examples_run(code, capsys):
    """Every Python example in the README runs as written."""
    exec(compile(code, "README.rst", "exec"), {"__name__": "readme_example"})  # noqa: S102  # our own docs


def test_ci_runs_the_readme_commands():
    """.ci/run runs the README's two newcomer commands, after the venv is made."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    demo, tests = (c for c in _blocks("console") if "python3 -m venv" in c)
    for command in (demo, tests):
        steps = command.strip().split(" && ")
        assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"]
        assert " && ".join(steps[2:]) in ci.replace("--quiet ", "").replace("\n", " && ")
