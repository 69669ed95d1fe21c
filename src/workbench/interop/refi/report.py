"""What an exchange did, in words a researcher can act on: counts, per-source fidelity and losses.

REFI-QDA §7 asks tools to warn at export and import when data may be lost and to list what was
discarded; every Loss says what, how many and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Loss:
    what: str
    count: int
    reason: str

    def __str__(self) -> str:
        return f"{self.what} ({self.count}): {self.reason}"


def _lines(title: str, counts: dict[str, int], losses: list[Loss], warnings: list[str]) -> list[str]:
    lines = [title, "  " + ", ".join(f"{k}: {v}" for k, v in counts.items())]
    if losses:
        lines.append("  not carried:")
        lines.extend(f"    - {loss}" for loss in losses)
    if warnings:
        lines.append("  warnings:")
        lines.extend(f"    - {w}" for w in warnings)
    return lines


@dataclass
class ExportReport:
    path: Path
    kind: str  # "project" (.qdpx) or "codebook" (.qdc)
    counts: dict[str, int] = field(default_factory=dict)
    losses: list[Loss] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return "\n".join(_lines(f"REFI-QDA export ({self.kind}) -> {self.path}", self.counts, self.losses,
                                self.warnings))


@dataclass
class ImportReport:
    path: Path
    origin: str | None
    unit: str
    counts: dict[str, int] = field(default_factory=dict)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)  # per source: selections and how many matched
    losses: list[Loss] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return int(self.sources["matched"].sum()) if len(self.sources) else 0

    @property
    def mismatched(self) -> int:
        return int(self.sources["mismatched"].sum()) if len(self.sources) else 0

    def __repr__(self) -> str:
        lines = _lines(f"REFI-QDA import <- {self.path} (from {self.origin or 'unknown tool'}; positions read as "
                       f"{self.unit})", self.counts, self.losses, self.warnings)
        if len(self.sources):
            lines.append(f"  selections re-extracted and compared: {self.matched} matched, {self.mismatched} did not "
                         f"(per source: report.sources)")
            shown = self.sources[self.sources["mismatched"] > 0] if self.mismatched else self.sources.head(5)
            for row in shown.head(20).itertuples(index=False):
                lines.append(f"    {row.document}: {row.matched}/{row.selections} matched")
            if len(self.sources) > len(shown.head(20)):
                lines.append(f"    ... {len(self.sources) - len(shown.head(20))} more sources")
        return "\n".join(lines)
