"""The mutation score of each mutated module after ``mutmut run`` (tox -e mutation).

Reads mutmut's result files under ``mutants/``, prints one line per module (killed,
timed out, survived, without tests, not checked yet, score) and every mutant that was
not killed, and exits 1 when a module scores below ``--fail-under`` (95 by default). A
timeout counts as killed: the mutant made a test hang, which a test run notices. The
score is (killed + timeout) / all mutants, so a mutant no test reaches, or not yet
checked, counts against it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout"}


def scores(root: Path) -> dict[str, dict[str, str]]:
    """{module path: {mutant name: status}} from the ``.meta`` files under ``root``."""
    found = {}
    for meta in sorted(root.rglob("*.py.meta")):
        exit_codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        if exit_codes:
            module = str(meta.relative_to(root)).removesuffix(".meta")
            found[module] = {name: status_by_exit_code[code] for name, code in exit_codes.items()}
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fail-under", type=float, default=95.0)
    parser.add_argument("--root", type=Path, default=Path("mutants"))
    args = parser.parse_args()
    results = scores(args.root)
    if not results:
        print(f"no mutmut results under {args.root}/: run `mutmut run` first")
        return 1
    low = []
    print(
        f"{'module':<48} {'killed':>6} {'t/o':>4} {'surv':>4} {'none':>4} {'n/c':>4} {'score':>7}"
    )
    for module, statuses in results.items():
        counts = Counter(statuses.values())
        killed = sum(counts[status] for status in KILLED)
        score = 100 * killed / len(statuses)
        low += [module] if score < args.fail_under else []
        print(
            f"{module:<48} {counts['killed']:>6} {counts['timeout']:>4} "
            f"{counts['survived']:>4} {counts['no tests']:>4} {counts['not checked']:>4} "
            f"{score:>6.1f}%"
        )
    for statuses in results.values():
        for name, status in statuses.items():
            if status not in KILLED:
                print(f"  {status}: {name}")
    if low:
        print(f"below {args.fail_under:g} %: {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
