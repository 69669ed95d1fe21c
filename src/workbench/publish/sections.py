"""Sections built from other parts of the workbench (agreement, matrices, networks, topics, PRISMA).

Each is built from its public function when the workbench has it (`wb.matrix`, `wb.agreement`,
`wb.theme_network`); one whose function this version lacks, or that the report does not build yet, is
not skipped silently: the snapshot lists it under `pending` and the title page says what is missing.
Only aggregates and code labels leave here - never text - so the key has nothing to replace.
"""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from .findings import Findings

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

# sections the report does not build yet -> (the function it would come from, what the reader misses)
PENDING: dict[str, tuple[str, str]] = {}


def _wb(name: str) -> Any | None:
    """The public workbench function `name`, or None when this version has none."""
    wb = importlib.import_module("workbench")
    return getattr(wb, name) if name in getattr(wb, "_EXPORTS", {}) else None


def _number(x: Any) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else round(value, 3)


def activity(project: Project, spec: Findings, coder: str | None) -> pd.DataFrame | None:
    """Schools with at least one coding of each activity: from wb.matrix, else workbench.demo.activity_table."""
    from ..demo import SCHOOL_ACTIVITIES, activity_table

    known = project.codes().set_index("id")["label"]
    codes = spec.activity_codes or (SCHOOL_ACTIVITIES if set(SCHOOL_ACTIVITIES) <= set(known.index) else None)
    if not codes or coder is None:
        return None
    matrix = _wb("matrix")
    if matrix is None:
        return activity_table(project, coder)
    table = matrix(project, columns="case", value="documents", coder=coder, codes=codes,
                   where={spec.source_attribute: "school"}, subcodes=False)
    return pd.DataFrame({"code": list(codes), "activity": [str(known.get(c, c)) for c in codes],
                         "schools": [int((table.loc[c] > 0).sum()) if c in table.index else 0 for c in codes]})


def agreement(project: Project) -> dict[str, Any] | None:
    """The agreement summary with its method: the latest saved run if it is current, else computed now."""
    fn = _wb("agreement")
    if fn is None:
        return None
    table, method, source = None, None, "computed for this snapshot"
    runs = project.runs("agreement")
    if len(runs) and not bool(runs.iloc[-1]["stale"]):
        run = project.run(int(runs.iloc[-1]["id"]))
        table, method, source = run.table("table"), (run.summary or {}).get("method"), f"saved run #{run.id}"
    if table is None:
        coders = project.codings()["coder"].nunique()
        if coders < 2:
            return {"available": False, "note": "only one coder: no agreement to report"}
        table = fn(project, save=False, n_boot=200)
        method = table.attrs.get("method")
    rows = []
    for r in table.to_dict("records"):
        alpha = _number(r.get("krippendorff_alpha"))
        if alpha is None and r.get("code") != "(all codes)":
            continue
        rows.append({"code": str(r.get("code")), "label": str(r.get("label") or r.get("code")),
                     "alpha": alpha, "alpha_low": _number(r.get("krippendorff_alpha_low")),
                     "alpha_high": _number(r.get("krippendorff_alpha_high")),
                     "kappa": _number(r.get("cohen_kappa")), "percent": _number(r.get("percent_agreement")),
                     "coded_units": int(r.get("coded_units") or 0)})
    overall = next((r for r in rows if r["code"] == "(all codes)"), None)
    first = table.iloc[0] if len(table) else {}
    return {"available": True, "method": method, "source": source, "overall": overall,
            "coders": str(first.get("coders", "")), "documents": int(first.get("documents", 0) or 0),
            "unit": str(first.get("unit", "")), "codes": [r for r in rows if r["code"] != "(all codes)"]}


def theme_network(project: Project, coder: str | None, spec: Findings, types: list[str]) -> dict[str, Any] | None:
    """Code co-occurrence networks (all sources, and per respondent type) with one shared layout."""
    fn = _wb("theme_network")
    if fn is None or coder is None:
        return None
    from ..analysis.networks import layout

    graph = fn(project, coder=coder, links=True)
    pos = layout(graph)
    variants: dict[str, Any] = {}
    for t in ["", *types]:
        if t == "":
            g = graph
        else:
            where = {"kind": "literature"} if t == "literature" else {spec.source_attribute: t}
            g = fn(project, coder=coder, links=True, where=where)
        variants[t] = {"nodes": {n: int(d.get("frequency", 0)) for n, d in g.nodes(data=True)},
                       "edges": [[a, b, float(d.get("weight", 1)), str(d.get("kind", ""))]
                                 for a, b, d in g.edges(data=True)]}
    nodes = {n: {"label": str(d.get("label", n)), "theme": str(d.get("theme", "")), "colour": str(d.get("colour", "#888")),
                 "x": round(pos[n][0], 4), "y": round(pos[n][1], 4)} for n, d in graph.nodes(data=True)}
    return {"nodes": nodes, "variants": variants, "by": str(graph.graph.get("by", "overlap"))}


def prisma(project: Project, key: Any) -> list[dict[str, Any]] | None:
    """The literature flow (identification, duplicates, screening, exclusions, inclusion) from wb.prisma."""
    fn = _wb("prisma")
    if fn is None:
        return None
    flow = fn(project)
    decided = flow[flow["stage"].isin(["excluded", "included"])]["n"].sum() if len(flow) else 0
    if not decided:  # nothing screened yet: a flow of zeros would mislead
        return None
    return [{"stage": str(r["stage"]), "label": key.replace(str(r["label"])), "n": int(r["n"])}
            for r in flow.to_dict("records")]


def topics(project: Project, coder: str | None, spec: Findings, types: list[str], key: Any) -> dict[str, Any] | None:
    """The latest saved topic run (wb.topic_runs): topics, sizes by respondent type, best-matching codes.

    Only aggregates and top words are published, never the representative passages: those are uncoded
    text. A topic model is not fitted here (it takes a while and is the researcher's choice of settings).
    """
    runs_fn, run_fn = _wb("topic_runs"), _wb("topic_run")
    if runs_fn is None or run_fn is None:
        return None
    runs = runs_fn(project)
    if not len(runs):
        return None
    run = run_fn(project, int(runs.iloc[-1]["id"]))
    table = run.topics
    alignment = run.alignment(coder=coder)
    by = run.by(spec.source_attribute) if spec.source_attribute else None
    sizes = run.assignments["topic"].value_counts()
    out = []
    for r in table.to_dict("records"):
        t = int(r["topic"])
        if t == -1:
            continue
        best, share = None, 0.0
        if t in alignment.table.index and alignment.table.shape[1]:
            row = alignment.table.loc[t]
            if row.max() > 0:
                best, share = str(row.idxmax()), float(row.max() / max(1, int(sizes.get(t, 0))))
        counts = {}
        if by is not None:
            match = by.xs(t, level="topic") if isinstance(by.index, pd.MultiIndex) else by.loc[[t]]
            for ty in types:
                counts[ty] = int(match[ty].sum()) if ty in match.columns else 0
        words = r.get("top_words") or ""
        out.append({"topic": t, "label": key.replace(str(r.get("label") or t)), "size": int(r.get("size") or 0),
                    "words": key.replace(", ".join(words) if isinstance(words, list) else str(words)),
                    "by_type": counts, "best_code": best, "best_share": round(share, 3)})
    params = run.params
    return {"run": run.id, "stale": bool(run.stale), "nmi": round(float(alignment.nmi), 3), "topics": out,
            "unit": str(params.get("unit", "")), "model": str(params.get("model", "")),
            "outliers": int(sizes.get(-1, 0)), "passages": int(sizes.sum())}


def optional(project: Project, spec: Findings, coder: str | None, types: list[str], key: Any) -> dict[str, Any]:
    """The sections of other features: built where their function exists, listed as pending where not."""
    pending = []
    out: dict[str, Any] = {}
    for name, needs, what, build in (
            ("agreement", "wb.agreement", "the agreement summary with its method", lambda: agreement(project)),
            ("network", "wb.theme_network", "the theme network",
             lambda: theme_network(project, coder, spec, types)),
            ("topics", "a saved topic run (wb.topics)", "the topic overview and its alignment to the codebook",
             lambda: topics(project, coder, spec, types, key)),
            ("prisma", "wb.prisma and screening decisions", "the literature flow (PRISMA)", lambda: prisma(project, key))):
        value = build()
        if value is None:
            pending.append({"section": name, "needs": needs, "what": what})
        out[name] = value
    for name, (needs, what) in PENDING.items():
        pending.append({"section": name, "needs": needs, "what": what})
    out["pending"] = pending
    return out
