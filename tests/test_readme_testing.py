"""The pytest example (README's "Testing your client", the testing guide) and the CLI
guide's debugging session do what they show.

test_readme.py execs every Python block and the docs' doctest build runs every
``testcode`` block; a pytest file only defines tests when exec'd, so here the pytest
example runs as the pytest file it is, and the console session of the CLI guide is
replayed command by command, its shown output compared line by line.
"""

from __future__ import annotations

import io
import os
import pathlib
import re
import shlex
import sys

import pytest

from requests_exchange_auth._cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.rst").read_text("utf-8")
TESTING_GUIDE = (ROOT / "docs" / "guides" / "testing.rst").read_text("utf-8")
CLI_GUIDE = (ROOT / "docs" / "guides" / "cli.rst").read_text("utf-8")
# hypothesis's plugin is unrelated to these runs and takes seconds to set up in each
QUICK = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def _block(page: str, language: str, first_line: str) -> str:
    """The ``.. code-block:: <language>`` whose first line starts with ``first_line``."""
    pattern = rf"^\.\. code-block:: {language}\n\n((?:    .*\n|\n)+)"
    for block in re.findall(pattern, page, re.M):
        text = re.sub(r"^    ", "", block, flags=re.M)
        if text.startswith(first_line):
            return text
    raise LookupError(first_line)


PYTEST_EXAMPLES = {
    "readme": _block(README, "python", "# test_my_client.py"),
    "testing-guide": _block(TESTING_GUIDE, "python", "# test_my_client.py"),
}


@pytest.mark.parametrize("page", PYTEST_EXAMPLES)
@pytest.mark.parametrize(
    ("change", "failed"),
    [(None, 0), (("BinanceQueryAuth(key, secret,", "BinanceQueryAuth(key, secret[::-1],"), 2)],
    ids=["as-shown", "signing-wrongly"],
)
def test_pytest_example_passes_and_catches_wrong_signing(pytester, page, change, failed):
    """The example's two tests pass; with a wrong secret in the client, both fail."""
    source = PYTEST_EXAMPLES[page]
    if change is not None:
        assert source.count(change[0]) == 1
        source = source.replace(*change)
    pytester.makepyfile(test_my_client=source)
    result = pytester.runpytest(*QUICK)
    result.assert_outcomes(passed=2 - failed, failed=failed)
    if failed:
        result.stdout.fnmatch_lines(["*SignatureMismatch*bad_signature*"])


def _session() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each ``$`` line of the CLI guide's session."""
    section = CLI_GUIDE.split("debugging a rejected signature\n")[1]
    section = re.split(r"\n[^\n]+\n-{3,}\n", section)[0]  # up to the next section
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"^\.\. code-block:: console\n\n((?:    .*\n|\n)+)", section, re.M):
        for line in re.sub(r"^    ", "", block, flags=re.M).rstrip("\n").split("\n"):
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line)
    return steps


def _matches(shown: list[str], actual: list[str]) -> bool:
    """Equal line by line; a ``...`` line stands for any number of lines."""
    if "..." in shown:
        cut = shown.index("...")
        head, tail = shown[:cut], shown[cut + 1 :]
        return actual[:cut] == head and (not tail or actual[-len(tail) :] == tail)
    return shown == actual


def test_cli_session_prints_what_the_guide_shows(monkeypatch, capsys, tmp_path):
    """Each command of the CLI guide's console session prints exactly the lines shown."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", dict(os.environ))
    status = 0
    steps = _session()
    assert len(steps) >= 6
    for command, shown in steps:
        words = shlex.split(command)
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            os.environ[name] = value
            continue
        env = {}
        while "=" in words[0]:
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        target = None
        if len(words) > 2 and words[-2] == ">":
            target, words = words[-1], words[:-2]
        if words == ["echo", "$?"]:
            actual = f"{status}\n"
        elif words[0] == "cat":
            actual = pathlib.Path(words[1]).read_text("utf-8")
        else:
            assert words[0] == "rxa", command
            saved = {name: os.environ.get(name) for name in env}
            os.environ.update(env)
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
            status = main(words[1:], prog="rxa")
            for name, value in saved.items():
                if value is None:
                    del os.environ[name]
                else:
                    os.environ[name] = value
            actual = capsys.readouterr().out
        if target is not None:
            pathlib.Path(target).write_text(actual, "utf-8")
            actual = ""
        assert _matches(shown, actual.rstrip("\n").split("\n") if actual else []), (command, actual)
