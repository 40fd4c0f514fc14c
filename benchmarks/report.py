"""The results as markdown tables and as JSON."""

import json
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.importtime import Imported
from benchmarks.launcher import Stats, ms
from benchmarks.scenarios import Case


@dataclass(frozen=True)
class Measured:
    """One case: ``jailnet`` and its floor, run in pairs."""

    case: Case
    k: int
    jailnet: Stats
    floor: Stats

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios: each pair's jailnet run over its floor run, the two
        run back to back, so a change in the machine's speed between pairs cancels out."""
        return statistics.median(j / f for j, f in zip(self.jailnet.samples, self.floor.samples, strict=True))

    @property
    def ratio_of_medians(self) -> float:
        return self.jailnet.median / self.floor.median

    def as_json(self) -> dict[str, object]:
        return {"case": self.case.name, "slug": self.case.slug, "kind": self.case.kind, "leases": self.case.leases,
                "k": self.k, "limit": self.case.limit,
                "commands": [list(r.argv) for r in self.case.recording],
                "jailnet": self.jailnet.as_json(), "floor": self.floor.as_json(), "ratio": round(self.ratio, 3),
                "ratio_of_medians": round(self.ratio_of_medians, 3)}


def cell(stats: Stats) -> str:
    return f"{ms(stats.median):.1f} ms ({ms(stats.min):.1f}–{ms(stats.max):.1f})"


def table(rows: Sequence[Measured]) -> str:
    """The main table: median (min–max) of each, the median of the pairs' ratios, and the ratio of
    the medians."""
    lines = ["| case | k | jailnet | floor | ratio | of the medians |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        lines.append(f"| {row.case.name} | {row.k} | {cell(row.jailnet)} | {cell(row.floor)} | {row.ratio:.2f}× | "
                     f"{row.ratio_of_medians:.2f}× |")
    return "\n".join(lines)


def pieces_table(pieces: dict[str, Stats]) -> str:
    lines = ["| what | median | min | max |", "| --- | ---: | ---: | ---: |"]
    for name, stats in pieces.items():
        lines.append(f"| `{name}` | {ms(stats.median):.1f} ms | {ms(stats.min):.1f} ms | {ms(stats.max):.1f} ms |")
    return "\n".join(lines)


def scale_table(rows: Sequence[Measured], what: str = "leases") -> str:
    """One row a count (of leases in the network, or of ``what`` the case names so)."""
    lines = [f"| {what} | k | jailnet | floor | jailnet − floor |", "| ---: | ---: | ---: | ---: | ---: |"]
    for row in sorted(rows, key=lambda r: r.case.leases):
        gap = ms(row.jailnet.median - row.floor.median)
        lines.append(f"| {row.case.leases:,} | {row.k} | {cell(row.jailnet)} | {cell(row.floor)} | {gap:.1f} ms |")
    return "\n".join(lines)


def imports_table(imports: Sequence[Imported], total_us: int | None) -> str:
    lines = [] if total_us is None else [f"All imports: {total_us / 1000:.1f} ms (the sum of every module's own "
                                         "time).", ""]
    lines += ["| module | depth | cumulative | self |", "| --- | ---: | ---: | ---: |"]
    for item in imports:
        lines.append(f"| `{item.module}` | {item.depth} | {item.cumulative_us / 1000:.1f} ms | "
                     f"{item.self_us / 1000:.1f} ms |")
    return "\n".join(lines)


def environment(python: str, python_version: str, load: tuple[float, float, float]) -> dict[str, object]:
    """The machine the numbers come from."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count() or 0
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
            "usable_cpus": usable, "hook_python": python, "hook_python_version": python_version,
            "harness_python_version": sys.version, "load_average_before": list(load)}


def write_json(path: Path, document: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
