"""Figures: samples, their percentiles, the target beside them, and the one table."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0..100), linear between closest ranks (numpy's default)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Figure:
    """One line of the table.

    `value` is what the target is checked against (a p50, a p95, a rate...); `p50`/`p95` are
    shown when the figure is a distribution. `ok` is None when the figure could not be
    measured (then `note` says why)."""

    key: str
    name: str
    target: str
    unit: str = "ms"
    p50: float | None = None
    p95: float | None = None
    value: float | None = None
    ok: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)

    def measured(self) -> str:
        def fmt(v: float) -> str:
            if v >= 100:
                return f"{v:,.0f}"
            if v >= 10:
                return f"{v:.1f}"
            return f"{v:.2f}"

        if self.ok is None and self.value is None and self.p50 is None:
            return "n/a"
        if self.p50 is not None and self.p95 is not None:
            text = f"{fmt(self.p50)} / {fmt(self.p95)} {self.unit}"
        else:
            text = f"{fmt(self.value)} {self.unit}"
        return text

    def verdict(self) -> str:
        return {True: "pass", False: "MISS", None: "n/a"}[self.ok]

    def as_json(self) -> dict:
        return asdict(self)


def distribution(key: str, name: str, target: str, samples: list[float], *, limit: float,
                 on: str = "p50", unit: str = "ms", **extra) -> Figure:
    """A latency figure: passes when its p50 (or p95) is at most `limit`."""
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    value = p50 if on == "p50" else p95
    return Figure(key, name, target, unit=unit, p50=p50, p95=p95, value=value,
                  ok=value <= limit, samples=[round(s, 3) for s in samples], extra=extra)


def summary(samples: list[float]) -> dict:
    if not samples:
        return {}
    return {"n": len(samples), "p50": percentile(samples, 50), "p95": percentile(samples, 95),
            "mean": statistics.fmean(samples), "max": max(samples), "min": min(samples)}


def table(figures: list[Figure]) -> str:
    """The figures as one Markdown table (what `make bench` prints and README.md keeps)."""
    rows = [("Figure", "Measured (p50 / p95)", "Target", "Result")]
    for f in figures:
        name = f.name + (f" ({f.note})" if f.note else "")
        rows.append((name, f.measured(), f.target, f.verdict()))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(row)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
