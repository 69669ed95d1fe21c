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


def union_length(spans: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Characters covered by the union of spans per group (`keys`), by one sort and a running maximum."""
    if spans.empty:
        return pd.Series(dtype="int64")
    s = spans.sort_values([*keys, "start"], kind="stable")
    group = s.groupby(keys, sort=False)
    reach = group["end"].cummax()
    before = reach.groupby([s[k] for k in keys], sort=False).shift(1).fillna(-1).to_numpy()
    start = np.maximum(s["start"].to_numpy(), before)
    covered = np.maximum(0, s["end"].to_numpy() - start)
    return pd.Series(covered, index=s.index).groupby([s[k] for k in keys], sort=False).sum()


def counts(spans: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The four counts per code (rows: `codes`, zero where a code has no codings)."""
    out = pd.DataFrame(0, index=pd.Index(codes, name="code"), columns=COUNTS, dtype="int64")
    if spans.empty:
        return out
    g = spans.groupby("code", sort=False)
    out["segments"] = g["id"].nunique().reindex(codes, fill_value=0)
    out["documents"] = g["document"].nunique().reindex(codes, fill_value=0)
    out["cases"] = g["casekey"].nunique().reindex(codes, fill_value=0)
    chars = union_length(spans, ["code", "document"])
    if len(chars):
        out["characters"] = chars.groupby(level=0).sum().reindex(codes, fill_value=0)
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
