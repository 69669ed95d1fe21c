"""Code co-occurrence: overlapping segments, shared units (sentence, paragraph, turn, document) or segments
within a distance, as a square code x code table of counts, Jaccard or association strength.

Approach: interval sweeps per document. Segments are sorted once by (document, start); for each segment the
partners that start before its end (plus the distance) are a contiguous run found with one `searchsorted`,
so pairs come out as index ranges and are counted with `bincount` - no per-character arrays, no Python
loop per segment. Units: each segment is mapped to the units it touches (two `searchsorted`), and the
unit x code incidence matrix B gives the counts as B'B.

Counts: `overlap` - pairs of overlapping segments of two codes; a unit - units holding both codes;
`distance` - segment pairs at most `distance` characters apart (overlapping ones included). The diagonal
holds each code's occurrences (segments, or units with the code). Jaccard: c_ij / (s_i + s_j - c_ij);
association strength (van Eck & Waltman's c-coefficient, as in VOSviewer): c_ij / (s_i * s_j); their
diagonal is 0. With `subcodes=True` a sub-code's segment also counts for its chosen ancestors (never
paired with itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..corpus.units import UNITS
from ..corpus.units import units as project_units
from ..errors import ValidationError
from ..store.project import Project
from .selection import select

BY = ("overlap", "distance", *UNITS)
MEASURES = ("count", "jaccard", "association")
_CHUNK = 250_000


def pair_counts(doc: np.ndarray, start: np.ndarray, end: np.ndarray, code: np.ndarray, n_codes: int,
                reach: int = 0, ids: np.ndarray | None = None) -> np.ndarray:
    """Symmetric n x n counts of segment pairs (different codes) with partner start < own end + reach.

    reach=0: overlapping segments (half-open spans); reach=d+1: segments at most d characters apart.
    `ids` (optional): pairs of rows with the same id (one coding rolled up to two codes) are skipped.
    """
    counts = np.zeros(n_codes * n_codes, dtype=np.int64)
    if len(doc) < 2:
        return counts.reshape(n_codes, n_codes)
    doc = np.asarray(doc, dtype=np.int64)
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    band = int(end.max()) + reach + 1
    order = np.lexsort((start, doc))
    key = doc[order] * band + start[order]
    bound = doc[order] * band + end[order] + reach
    code_s = np.asarray(code, dtype=np.int64)[order]
    ids_s = np.asarray(ids)[order] if ids is not None else None
    last = np.searchsorted(key, bound, side="left")  # partners of i: i+1 .. last-1
    n = len(key)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        i = np.arange(lo, hi)
        k = np.maximum(last[lo:hi] - i - 1, 0)
        total = int(k.sum())
        if total == 0:
            continue
        first = np.repeat(i, k)
        offsets = np.repeat(np.cumsum(k) - k, k)
        second = first + 1 + (np.arange(total) - offsets)
        a, b = code_s[first], code_s[second]
        keep = a != b
        if ids_s is not None:
            keep &= ids_s[first] != ids_s[second]
        counts += np.bincount(a[keep] * n_codes + b[keep], minlength=n_codes * n_codes)
    square = counts.reshape(n_codes, n_codes)
    return square + square.T


def unit_counts(unit_of: np.ndarray, code: np.ndarray, n_units: int, n_codes: int) -> np.ndarray:
    """Units holding both codes (n x n; the diagonal: units holding the code), from (unit, code) pairs."""
    if len(unit_of) == 0:
        return np.zeros((n_codes, n_codes), dtype=np.int64)
    incidence = sparse.coo_matrix((np.ones(len(unit_of), dtype=np.int64), (unit_of, code)),
                                  shape=(n_units, n_codes)).tocsr()
    incidence.data[:] = 1  # duplicates summed by tocsr: a unit holds a code or not
    return np.asarray((incidence.T @ incidence).todense(), dtype=np.int64)


def units_touched(doc: np.ndarray, start: np.ndarray, end: np.ndarray, unit_doc: np.ndarray,
                  unit_start: np.ndarray, unit_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(segment row, unit index) for every unit a segment overlaps; units sorted by (doc, start), disjoint."""
    band = int(max(end.max(initial=0), unit_end.max(initial=0))) + 1
    ukey_end = unit_doc * band + unit_end
    ukey_start = unit_doc * band + unit_start
    first = np.searchsorted(ukey_end, doc * band + start, side="right")
    stop = np.searchsorted(ukey_start, doc * band + end, side="left")
    k = np.maximum(stop - first, 0)
    rows = np.repeat(np.arange(len(doc)), k)
    offsets = np.repeat(np.cumsum(k) - k, k)
    unit = np.repeat(first, k) + (np.arange(int(k.sum())) - offsets)
    return rows, unit


def normalise(counts: np.ndarray, measure: str) -> np.ndarray:
    """Jaccard or association strength from counts whose diagonal holds the occurrences."""
    occ = np.diag(counts).astype("float64")
    c = counts.astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "jaccard":
            out = c / (occ[:, None] + occ[None, :] - c)
        else:
            out = c / (occ[:, None] * occ[None, :])
    out = np.nan_to_num(out, nan=0.0, posinf=0.0)
    np.fill_diagonal(out, 0.0)
    return out


def cooccurrence(project: Project, by: str = "overlap", distance: int | None = None, measure: str = "count",
                 coder: str | None = None, codes: Iterable[str] | None = None, *,
                 where: Mapping[str, Any] | None = None, subcodes: bool = False) -> pd.DataFrame:
    """A square code x code DataFrame (tree order). `table.attrs["occurrences"]`: each code's count."""
    if by not in BY:
        raise ValidationError(f"unknown by={by!r}", where="wb.cooccurrence", fix=f"use one of {', '.join(BY)}")
    if measure not in MEASURES:
        raise ValidationError(f"unknown measure {measure!r}", where="wb.cooccurrence",
                              fix=f"use one of {', '.join(MEASURES)}")
    if by == "distance" and (distance is None or int(distance) != distance or distance < 0):
        raise ValidationError(f"by='distance' needs a whole number of characters >= 0, got {distance!r}",
                              where="wb.cooccurrence", fix="pass e.g. distance=200")
    sel = select(project, coder=coder, codes=codes, where=where, subcodes=subcodes)
    n = len(sel.codes)
    position = {c: i for i, c in enumerate(sel.codes)}
    spans = sel.spans
    code = spans["code"].map(position).to_numpy(dtype=np.int64)
    doc_names = sorted(set(spans["document"]))
    doc_index = {d: i for i, d in enumerate(doc_names)}
    doc = spans["document"].map(doc_index).to_numpy(dtype=np.int64)
    start = spans["start"].to_numpy(dtype=np.int64)
    end = spans["end"].to_numpy(dtype=np.int64)
    if by in ("overlap", "distance"):
        reach = 0 if by == "overlap" else int(distance) + 1
        counts = pair_counts(doc, start, end, code, n, reach, spans["id"].to_numpy())
        np.fill_diagonal(counts, np.bincount(code, minlength=n) if len(code) else 0)
    elif by == "document":
        counts = unit_counts(doc, code, len(doc_names), n)
    else:
        found = project_units(project, by, doc_names, exclude_speakers=()) if doc_names else []
        found = sorted(found, key=lambda u: (doc_index[u.document], u.start))
        unit_doc = np.array([doc_index[u.document] for u in found], dtype=np.int64)
        unit_start = np.array([u.start for u in found], dtype=np.int64)
        unit_end = np.array([u.end for u in found], dtype=np.int64)
        rows, unit = units_touched(doc, start, end, unit_doc, unit_start, unit_end)
        counts = unit_counts(unit, code[rows], len(found), n)
    values = counts if measure == "count" else normalise(counts, measure)
    table = pd.DataFrame(values, index=pd.Index(sel.codes, name="code"), columns=pd.Index(sel.codes, name="code"))
    table.attrs["occurrences"] = dict(zip(sel.codes, np.diag(counts).tolist(), strict=True))
    table.attrs["by"] = by
    return table
