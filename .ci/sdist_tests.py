"""The sdist's own test suite runs: build the sdist, unpack it, and test from inside it.

``tox -e sdist`` runs this (so do ``python -m tox`` and CI). Every test module of the
unpacked tree is collected, which fails if a helper it imports (conftest.py, vectors.py,
bad_inputs.py, forking.py, nonce_workers.py, example_client/) or a file it reads was left
out of the sdist; then a fast part of the suite runs there. Extra arguments go to that
pytest run.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
# one module per kind of helper: vectors, the bad-input table, the example client, the
# README's examples and the CI script it checks, a forked child
FAST = [
    "tests/test_vectors.py",
    "tests/test_errors.py",
    "tests/test_example_client.py",
    "tests/test_readme.py",
    "tests/test_file_nonce.py",
]


def main(args: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        build = [sys.executable, "-m", "build", "--sdist", "--quiet", "--outdir", tmp, str(ROOT)]
        subprocess.run(build, check=True)  # noqa: S603  # our interpreter, fixed arguments
        (sdist,) = pathlib.Path(tmp).glob("*.tar.gz")
        with tarfile.open(sdist) as archive:
            if hasattr(tarfile, "data_filter"):  # 3.12+, and the security releases before
                archive.extractall(tmp, filter="data")
            else:  # pragma: no cover - an old 3.10 or 3.11
                archive.extractall(tmp)  # noqa: S202  # the archive we just built
        source = sdist.with_name(sdist.name.removesuffix(".tar.gz"))
        pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
        print(f"== the tests of {sdist.name}, from {source}", flush=True)
        collected = subprocess.run(  # noqa: S603  # our interpreter, fixed arguments
            [*pytest, "--collect-only", "tests"],
            cwd=source,
            capture_output=True,
            text=True,
            check=False,
        )
        if collected.returncode != 0:
            print(collected.stdout, collected.stderr, sep="\n")
            return collected.returncode
        print(collected.stdout.splitlines()[-1], flush=True)  # "N tests collected in ..."
        return subprocess.run([*pytest, *FAST, *args], cwd=source, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
