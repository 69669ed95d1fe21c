"""The inventory tables a literature study reports: included sources by year band, education level,
country or any other field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import ValidationError
from ..store.project import Project
from .screening import record_fields, screening_status

# (label, first year, last year): the reference study's split, plus what falls outside it
YEAR_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("before 2002", None, 2001), ("2002-2012", 2002, 2012), ("2013 or later", 2013, None))
NOT_GIVEN = "(not given)"

__all__ = ["YEAR_BANDS", "inventory", "year_band"]


def year_band(year: Any, bands: Sequence[tuple[str, int | None, int | None]] = YEAR_BANDS) -> str:
    """The band a publication year falls in (NOT_GIVEN when there is no usable year)."""
    try:
        y = int(str(year).strip()[:4])
    except (TypeError, ValueError):
        return NOT_GIVEN
    for label, first, last in bands:
        if (first is None or y >= first) and (last is None or y <= last):
            return label
    return NOT_GIVEN


def inventory(project: Project, by: str = "year_band", *, status: str | None = "include",
              bands: Sequence[tuple[str, int | None, int | None]] = YEAR_BANDS) -> pd.DataFrame:
    """Sources per value of `by` ("year_band", "education_level", "country" or any record field).

    `status`: which records count ("include" by default: the inventory of included sources; None: all,
    with a column per screening status). Columns: sources, share (percent), records (their names).
    """
    fields = record_fields(project)
    state = screening_status(project).set_index("record")["status"].reindex(fields.index)
    if by == "year_band":
        values = pd.Series([year_band(y, bands) for y in fields.get("year", pd.Series(index=fields.index))],
                           index=fields.index)
        order = [label for label, _, _ in bands] + [NOT_GIVEN]
    elif by in fields.columns:
        values = fields[by].astype("object").where(fields[by].notna(), NOT_GIVEN).astype(str)
        order = None
    else:
        raise ValidationError(f"no record field {by!r}", where="inventory(by=...)",
                              fix="use year_band or one of: " + ", ".join(sorted(map(str, fields.columns))))
    frame = pd.DataFrame({by: values, "status": state.fillna("unscreened")})
    if status is not None:
        frame = frame[frame["status"] == status]
    grouped = frame.groupby(by, sort=False)
    out = pd.DataFrame({"sources": grouped.size(),
                        "records": grouped.apply(lambda g: ", ".join(sorted(g.index)), include_groups=False)})
    if status is None:
        counts = pd.crosstab(frame[by], frame["status"])
        out = out.join(counts)
    total = int(out["sources"].sum())
    out["share"] = (out["sources"] / total * 100).round(1) if total else 0.0
    if order is not None:
        out = out.reindex([o for o in order if o in out.index])
    else:
        out = out.sort_values(["sources"], ascending=False, kind="stable")
    out.index.name = by
    columns = ["sources", "share", "records"] + [c for c in out.columns if c not in ("sources", "share", "records")]
    return out[columns]
