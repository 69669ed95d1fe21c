"""Topics against the codebook (alignment) and against themselves over seeds (stability).

Alignment works on the run's passages: a passage carries a code when a coding overlaps it. The topic x
code table counts passages; NMI compares the topic of each (passage, code) pair with its code, passages
without a code counting as code "(none)", so a model that merely separates coded from uncoded talk scores
low. A topic is *uncovered* when no code reaches `min_share` of its passages (a candidate new code); a
code is *unsupported* when no topic holds `min_share` of its passages (the material does not cluster
around it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import NotFound, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project
    from .topics import TopicRun

NONE = "(none)"


@dataclass
class TopicAlignment:
    """table: topics x codes (passages); nmi; uncovered topics; unsupported codes; pairs (passage, code)."""

    run_id: int
    coder: str | None
    table: pd.DataFrame
    nmi: float
    uncovered: pd.DataFrame
    unsupported: pd.DataFrame
    pairs: pd.DataFrame

    def _repr_html_(self) -> str:
        return (f"<p>topic run {self.run_id}, coder {self.coder or 'all'}: NMI {self.nmi:.3f}, "
                f"{len(self.uncovered)} uncovered topics, {len(self.unsupported)} unsupported codes</p>"
                + self.table.to_html())


def passage_codes(assignments: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """(passage index, code) for every coding that overlaps a passage (half-open spans)."""
    a = assignments.reset_index(drop=True).reset_index(names="passage")[["passage", "document", "start", "end"]]
    c = codings[["document", "start", "end", "code"]]
    merged = a.merge(c, on="document", suffixes=("", "_c"))
    hit = merged[(merged["start_c"] < merged["end"]) & (merged["end_c"] > merged["start"])]
    return hit[["passage", "code"]].drop_duplicates().sort_values(["passage", "code"]).reset_index(drop=True)


def topic_alignment(run: TopicRun, coder: str | None = None, *, min_share: float = 0.3,
                    min_passages: int = 2) -> TopicAlignment:
    """How the run's topics line up with the codes on the same passages (see the module docstring)."""
    from sklearn.metrics import normalized_mutual_info_score

    if not 0 < min_share <= 1:
        raise ValidationError(f"min_share must be in (0, 1], not {min_share!r}", where="min_share")
    project = run.project
    codings = project.codings(coder=coder)
    if coder is not None and not len(codings):
        known = sorted(set(project.codings()["coder"]))
        raise NotFound(f"coder {coder!r} has no codings", fix=f"coders with codings: {', '.join(known) or 'none'}")
    a = run.assignments.reset_index(drop=True)
    pairs = passage_codes(a, codings)
    pairs["topic"] = a["topic"].to_numpy()[pairs["passage"].to_numpy()]
    uncoded = sorted(set(range(len(a))) - set(pairs["passage"]))
    all_pairs = pd.concat([pairs, pd.DataFrame({"passage": uncoded, "code": NONE,
                                                "topic": a["topic"].to_numpy()[uncoded]})],
                          ignore_index=True).sort_values(["passage", "code"]).reset_index(drop=True)
    nmi = float(normalized_mutual_info_score(all_pairs["code"], all_pairs["topic"])) if len(all_pairs) else 0.0
    table = pd.crosstab(pairs["topic"], pairs["code"]) if len(pairs) else pd.DataFrame()
    table = table.reindex(sorted(set(a["topic"])), fill_value=0)
    sizes = a["topic"].value_counts()
    labels = run.topics.set_index("topic")["label"]
    rows = []
    for t in table.index:
        if t == -1:
            continue
        row = table.loc[t]
        best = row.idxmax() if len(row) and row.max() > 0 else None
        cover = float(row.max() / sizes[t]) if best is not None else 0.0
        if cover < min_share:
            rows.append({"topic": t, "label": labels.get(t, ""), "size": int(sizes[t]), "best_code": best,
                         "best_share": round(cover, 3)})
    uncovered = pd.DataFrame(rows, columns=["topic", "label", "size", "best_code", "best_share"])
    code_rows = []
    for code in table.columns:
        col = table[code].drop(index=-1, errors="ignore")
        total = int(table[code].sum())
        best_t = int(col.idxmax()) if len(col) and col.max() > 0 else None
        share = float(col.max() / total) if best_t is not None and total else 0.0
        if share < min_share or (best_t is not None and col.max() < min_passages):
            code_rows.append({"code": code, "passages": total, "best_topic": best_t, "best_share": round(share, 3)})
    unsupported = pd.DataFrame(code_rows, columns=["code", "passages", "best_topic", "best_share"])
    return TopicAlignment(run.id, coder, table, round(nmi, 6), uncovered, unsupported, all_pairs)


# ---- stability -------------------------------------------------------------------------------------------
def jaccard_matrix(a: Sequence[int], b: Sequence[int]) -> pd.DataFrame:
    """Jaccard overlap of the passage sets of every topic of `a` (rows) with every topic of `b`."""
    a, b = np.asarray(a), np.asarray(b)
    ta, tb = sorted(set(a.tolist()) - {-1}), sorted(set(b.tolist()) - {-1})
    out = np.zeros((len(ta), len(tb)))
    for i, x in enumerate(ta):
        ma = a == x
        for j, y in enumerate(tb):
            mb = b == y
            union = np.count_nonzero(ma | mb)
            out[i, j] = np.count_nonzero(ma & mb) / union if union else 0.0
    return pd.DataFrame(out, index=pd.Index(ta, name="topic"), columns=tb)


def topic_stability(project: Project, seeds: Sequence[int] = (0, 1, 2, 3, 4), *, threshold: float = 0.5,
                    **params: Any) -> pd.DataFrame:
    """Over `seeds`, how often each topic of the first seed's model recurs (Jaccard >= `threshold`).

    Returns one row per topic of the first seed: topic, label, size, recurrence (share of the other
    seeds with a matching topic), mean_jaccard (best match, averaged). `frame.attrs["ari"]`: the mean
    adjusted Rand index between the first seed's assignments and each other seed's. Embeddings come
    from the cache, so only the clustering is repeated.
    """
    from sklearn.metrics import adjusted_rand_score

    from .topics import fit_seeds

    seeds = list(seeds)
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValidationError(f"need at least two different seeds, not {seeds!r}", where="seeds",
                              fix="e.g. seeds=range(5)")
    fitted = fit_seeds(project, seeds, **params)
    by_seed = {seed: f.topics for seed, f in fitted.items()}
    ref = by_seed[seeds[0]]
    labels = fitted[seeds[0]].table.set_index("topic")["label"]
    best = {t: [] for t in sorted(set(ref) - {-1})}
    aris = []
    for seed in seeds[1:]:
        other = by_seed[seed]
        aris.append(adjusted_rand_score(ref, other))
        jm = jaccard_matrix(ref, other)
        for t in best:
            best[t].append(float(jm.loc[t].max()) if jm.shape[1] else 0.0)
    sizes = pd.Series(ref).value_counts()
    frame = pd.DataFrame([{"topic": t, "label": labels.get(t, ""), "size": int(sizes[t]),
                           "recurrence": round(float(np.mean([j >= threshold for j in js])), 3),
                           "mean_jaccard": round(float(np.mean(js)), 3)} for t, js in best.items()],
                         columns=["topic", "label", "size", "recurrence", "mean_jaccard"])
    frame.attrs["ari"] = round(float(np.mean(aris)), 4)
    frame.attrs["seeds"] = seeds
    return frame
