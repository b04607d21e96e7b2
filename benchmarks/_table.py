"""The table: rows of medians and ratios, and the targets with met / not met."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import _harness
from _harness import Case, Round

Value = Callable[[Round], float]  # seconds per operation, from one round
OURS_OVER = "ours ÷ this"  # the ratio label of rows that put ours over another path


@dataclass
class Row:
    """A line of the table: a median per-operation time, and optionally a ratio."""

    label: str
    value: Value | None  # None: the row did not run (a peer not installed)
    base: Value | None = None  # the ratio is value / base, per round
    base_label: str = ""
    rate: str = ""  # show 1/value in this unit (req/s, draws/s) instead of a time
    note: str = ""


@dataclass
class Target:
    """A row of the issue's targets table."""

    measure: str
    value: Value | None  # the ratio (or rate) per round
    bound: float
    op: str  # "<=", "<" or ">="
    why_missing: str = ""


@dataclass
class Plan:
    """What one run measures (cases) and shows (rows, targets), and what to close after."""

    cases: list[Case] = field(default_factory=list)
    rows: list[str | Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)


def ours(scheme: Any) -> Value:
    """A scheme's auth on a prepared request, per call: copy + auth, minus the copy."""
    return minus(f"auth.{scheme.id}", f"copy.{scheme.id}")


def case(key: str) -> Value:
    return lambda m: m[key]


def minus(key: str, base: str) -> Value:
    return lambda m: m[key] - m[base]


def ratio(num: Value, den: Value) -> Value:
    return lambda m: num(m) / den(m)


def fastest(values: Sequence[Value]) -> Value:
    return lambda m: min(v(m) for v in values)


def _time(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def _rate(seconds: float, unit: str) -> str:
    return f"{1 / seconds:,.0f} {unit}" if seconds > 0 else "-"


def _per_round(value: Value, rounds: list[dict[str, float]]) -> list[float]:
    return [value(m) for m in rounds]


def render(
    rows: Sequence[str | Row], targets: Sequence[Target], rounds: list[dict[str, float]]
) -> list[str]:
    """The table's lines: each row's median (and ratio), then every target's verdict."""
    lines = []
    width = max([62, *(len(row.label) for row in rows if isinstance(row, Row))])
    for row in rows:
        if isinstance(row, str):
            lines.extend(["", row, "-" * len(row)])
            continue
        if row.value is None:
            lines.append(f"  {row.label:<{width}}  {row.note}")
            continue
        med = _harness.median(_per_round(row.value, rounds))
        shown = _rate(med, row.rate) if row.rate else _time(med)
        text = f"  {row.label:<{width}} {shown:>16}"
        if row.base is not None:
            value, base = row.value, row.base
            # a rate, or ours over this row's path: base / value; else value / base
            if row.rate or row.base_label == OURS_OVER:
                r = _harness.median(base(m) / value(m) for m in rounds)
            else:
                r = _harness.median(value(m) / base(m) for m in rounds)
            text += f"   {r:5.2f}× {row.base_label}"
        lines.append(text.rstrip())
        if row.note:
            lines.append(f"      {row.note}")
    lines += ["", "Targets (ratios are medians of per-round ratios)", "-" * 47]
    width = max([width, *(len(target.measure) for target in targets)])
    for target in targets:
        if target.value is None:
            lines.append(f"  {target.measure:<{width}}  not measured: {target.why_missing}")
            continue
        got = _harness.median(_per_round(target.value, rounds))
        met = {"<=": got <= target.bound, "<": got < target.bound, ">=": got >= target.bound}[
            target.op
        ]
        bound = f"{target.bound:,.0f}" if target.bound >= 1000 else f"{target.bound:g}"
        shown = f"{got:,.0f}" if target.bound >= 1000 else f"{got:.4f}"  # 0.8996 is not "0.900"
        verdict = "met" if met else "NOT MET"
        lines.append(f"  {target.measure:<{width}} {shown:>10}  {target.op} {bound:<9} {verdict}")
    return lines
