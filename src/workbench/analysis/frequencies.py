"""Code frequencies: segments, documents, cases and coded characters per code, with and without sub-codes.

Coded characters are the union of a code's segments per document, so overlapping segments (two coders,
or a parent and a child coded on the same words) are not counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..store.project import Project
from .selection import Selection, select

COUNTS = ["segments", "documents", "cases", "characters"]


def _group_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype=np.int64), column.cat.categories
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int64), pd.Index(uniques)


def union_length(spans: pd.DataFrame, by: str = "code", within: str = "document") -> pd.Series:
    """Characters covered by the union of spans per `by` value, unions taken per `within` (one sort and a
    running maximum of the ends, reset at each group's start)."""
    if spans.empty:
        return pd.Series(dtype="int64")
    key_codes, keys = _group_codes(spans[by])
    sub_codes, subs = _group_codes(spans[within])
    cell = key_codes * max(len(subs), 1) + sub_codes
    start, end = spans["start"].to_numpy(dtype=np.int64), spans["end"].to_numpy(dtype=np.int64)
    order = np.lexsort((start, cell))
    g, s, e = cell[order], start[order], end[order]
    first = np.r_[True, g[1:] != g[:-1]]
    group = np.cumsum(first) - 1
    band = int(e.max()) + 2
    reach = np.maximum.accumulate(group * band + e) - group * band
    before = np.r_[-1, reach[:-1]]
    before[first] = -1
    covered = np.maximum(0, e - np.maximum(s, before))
    total = np.bincount(key_codes[order], weights=covered, minlength=len(keys)).astype(np.int64)
    return pd.Series(total, index=keys)


def counts(spans: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The four counts per code (rows: `codes`, zero where a code has no codings)."""
    out = pd.DataFrame(0, index=pd.Index(codes, name="code"), columns=COUNTS, dtype="int64")
    if spans.empty:
        return out
    g = spans.groupby("code", sort=False, observed=True)
    out["segments"] = g["id"].nunique().reindex(codes, fill_value=0)
    out["documents"] = g["document"].nunique().reindex(codes, fill_value=0)
    out["cases"] = g["casekey"].nunique().reindex(codes, fill_value=0)
    chars = union_length(spans)
    if len(chars):
        out["characters"] = chars.reindex(codes, fill_value=0).to_numpy()
    return out.astype("int64")


def frequency_table(sel: Selection, own: Selection | None = None) -> pd.DataFrame:
    tree = sel.tree.loc[sel.codes]
    table = pd.DataFrame({"label": tree["label"], "parent": tree["parent"], "depth": tree["depth"]})
    table.index.name = "code"
    table = table.join(counts(sel.spans, sel.codes))
    if own is not None:
        table = table.join(counts(own.spans, own.codes).add_prefix("own_"))
    return table


def frequencies(project: Project, coder: str | None = None, codes: Iterable[str] | None = None,
                subcodes: bool = True, where: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Per code (tree order): segments, documents, cases and coded characters.

    With `subcodes=True` the counts include each code's sub-codes, and `own_*` columns give the code's
    own codings alone; with `subcodes=False` only the own counts are returned.
    """
    sel = select(project, coder=coder, codes=codes, where=where, subcodes=subcodes)
    if not subcodes:
        return frequency_table(sel)
    own = Selection(sel.tree, sel.codes, sel.documents, sel.spans[sel.spans["raw_code"] == sel.spans["code"]])
    return frequency_table(sel, own)
