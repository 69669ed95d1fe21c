"""Intercoder agreement coefficients as pure functions: no project, no database, numbers a reviewer can redo.

Each function returns a float, or an `Undefined` naming why the coefficient does not exist for this data
(nobody used the category, one coder only, no variation); malformed input raises a ValidationError that
says what to fix. The formulas, their units and universes are written out in docs/agreement.md.

- `cohen_kappa(a, b)`: two coders' labels, one per unit (Cohen 1960).
- `fleiss_kappa(counts)`: subjects x categories, how many raters chose each (Fleiss 1971).
- `krippendorff_alpha(data, level)`: coders x units, NaN/None for missing (Krippendorff 2011).
- `unitizing_alpha(units, length)`: (coder, start, end, category) on a continuum (Krippendorff 1995, 2004).
- `binary_coefficients(tally)`: all of them at once, vectorised, from a tally of binary units (what the
  project-level `workbench.analysis.reliability.agreement` computes per code and per bootstrap sample).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ValidationError

LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class Undefined:
    """A coefficient that does not exist for these data, and why. Falsy; `float()` gives NaN."""

    reason: str

    def __float__(self) -> float:
        return math.nan

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"undefined: {self.reason}"


Result = float | Undefined

NO_VARIATION = ("no variation: every unit got the same value from every coder, so chance agreement is "
                "total and a chance-corrected coefficient is undefined")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(np.isnan(value))
    except (TypeError, ValueError):
        return False


# ---- Cohen -----------------------------------------------------------------------------------------------
def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> Result:
    """Cohen's (1960) kappa of two coders' labels (one per unit, same order). Units where either label is
    missing (None/NaN) are left out. kappa = (p_o - p_e) / (1 - p_e), p_e from each coder's own marginals."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValidationError(f"the two coders rated {len(a)} and {len(b)} units",
                              where="cohen_kappa(a, b)", fix="give one label per unit to each coder, in the same order")
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if not _missing(x) and not _missing(y)]
    if not pairs:
        return Undefined("no unit was rated by both coders")
    labels = sorted({v for pair in pairs for v in pair}, key=repr)
    index = {v: i for i, v in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in pairs:
        table[index[x], index[y]] += 1
    n = table.sum()
    p_o = np.trace(table) / n
    p_e = float((table.sum(1) / n) @ (table.sum(0) / n))
    if p_e >= 1.0:
        return Undefined(NO_VARIATION)
    return float((p_o - p_e) / (1.0 - p_e))


# ---- Fleiss ----------------------------------------------------------------------------------------------
def fleiss_kappa(counts: Any) -> Result:
    """Fleiss' (1971) kappa from a subjects x categories table of how many raters chose each category.

    Every subject must have the same number of ratings (at least two). kappa = (P - P_e) / (1 - P_e) with P
    the mean share of agreeing rater pairs per subject and P_e = sum_j p_j^2 over the pooled category shares.
    """
    table = np.asarray(counts, dtype=float)
    where = "fleiss_kappa(counts)"
    if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] == 0:
        raise ValidationError(f"counts must be a subjects x categories table, got shape {table.shape}", where=where)
    if np.isnan(table).any() or (table < 0).any():
        raise ValidationError("counts must be non-negative numbers (no NaN)", where=where)
    raters = table.sum(1)
    if not np.allclose(raters, raters[0]):
        bad = int(np.argmax(~np.isclose(raters, raters[0])))
        raise ValidationError(f"subject {bad} has {raters[bad]:g} ratings, subject 0 has {raters[0]:g}",
                              where=where, fix="Fleiss' kappa needs the same number of raters for every subject; "
                              "use krippendorff_alpha for missing ratings")
    m = raters[0]
    if m < 2:
        return Undefined("one rater per subject: agreement needs at least two")
    p_subject = ((table * (table - 1)).sum(1)) / (m * (m - 1))
    shares = table.sum(0) / table.sum()
    p_e = float((shares ** 2).sum())
    if p_e >= 1.0 - 1e-15:
        return Undefined(NO_VARIATION)
    return float((p_subject.mean() - p_e) / (1.0 - p_e))


# ---- Krippendorff's alpha ----------------------------------------------------------------------------------
def _value_matrix(data: Any) -> tuple[np.ndarray, list[Any], np.ndarray]:
    """coders x units data as (the array, its distinct values, where a value is present)."""
    arr = np.asarray(data, dtype=object)
    if arr.ndim != 2:
        raise ValidationError(f"data must be coders x units (2 dimensions), got {arr.ndim}",
                              where="krippendorff_alpha(data)", fix="one row per coder, NaN or None where missing")
    present = np.vectorize(lambda v: not _missing(v), otypes=[bool])(arr) if arr.size else np.zeros(arr.shape, bool)
    values = list({v for v in arr[present]})
    return arr, values, present


def _distances(values: list[Any], totals: np.ndarray, level: str) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    if level == "ratio":
        s = v[:, None] + v[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(s == 0, 0.0, ((v[:, None] - v[None, :]) / np.where(s == 0, 1, s)) ** 2)
        return d
    # ordinal: values sorted; delta_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2
    cum = np.concatenate([[0.0], np.cumsum(totals)])
    i = np.arange(len(values))
    lo, hi = np.minimum(i[:, None], i[None, :]), np.maximum(i[:, None], i[None, :])
    between = cum[hi + 1] - cum[lo]
    return (between - (totals[:, None] + totals[None, :]) / 2.0) ** 2


def krippendorff_alpha(data: Any, level: str = "nominal") -> Result:
    """Krippendorff's alpha for coders x units data (NaN or None where a coder gave no value).

    alpha = 1 - D_o / D_e from the coincidence matrix of pairable values (units with two or more values);
    `level` picks the difference function: nominal, ordinal, interval or ratio (Krippendorff 2011).
    """
    if level not in LEVELS:
        raise ValidationError(f"unknown level {level!r}", where="krippendorff_alpha", fix=f"use one of {', '.join(LEVELS)}")
    arr, values, present = _value_matrix(data)
    if not values:
        return Undefined("no coder gave any value")
    if level != "nominal":
        try:
            values = sorted(float(v) for v in values)
        except (TypeError, ValueError):
            raise ValidationError(f"{level} alpha needs numeric values", where="krippendorff_alpha",
                                  fix="use level='nominal' for labels") from None
        index = {v: i for i, v in enumerate(values)}
        key = float
    else:
        values = sorted(values, key=repr)
        index = {v: i for i, v in enumerate(values)}
        key = _same  # type: ignore[assignment]
    coders, units = arr.shape
    counts = np.zeros((units, len(values)))
    rows, cols = np.nonzero(present)
    for r, c in zip(rows, cols, strict=True):
        counts[c, index[key(arr[r, c])]] += 1
    m = counts.sum(1)
    counts = counts[m >= 2]
    m = m[m >= 2]
    if not len(m):
        return Undefined("no unit has values from two or more coders")
    weighted = counts / (m - 1)[:, None]
    coincidences = weighted.T @ counts - np.diag(weighted.sum(0))
    totals = coincidences.sum(1)
    n = totals.sum()
    delta = (1.0 - np.eye(len(values))) if level == "nominal" else _distances(values, totals, level)
    d_o = float((coincidences * delta).sum())
    d_e = float((np.outer(totals, totals) * delta).sum()) / (n - 1)
    if d_e <= 0:
        return Undefined(NO_VARIATION)
    return 1.0 - d_o / d_e


def _same(v: Any) -> Any:
    return v


# ---- unitizing alpha ---------------------------------------------------------------------------------------
def _coder_units(units: Iterable[Sequence[Any]], begin: int, length: int
                 ) -> dict[tuple[Any, Any], np.ndarray]:
    """(coder, category) -> sorted (start, end) array; refuses units outside the continuum or overlapping."""
    spans: dict[tuple[Any, Any], list[tuple[int, int]]] = {}
    for n, unit in enumerate(units):
        try:
            coder, start, end, category = unit
        except (TypeError, ValueError):
            raise ValidationError(f"unit {n} is not (coder, start, end, category): {unit!r}",
                                  where="unitizing_alpha(units)") from None
        start, end = int(start), int(end)
        if not begin <= start < end <= begin + length:
            raise ValidationError(f"unit {n} [{start}, {end}) lies outside the continuum [{begin}, {begin + length})",
                                  where="unitizing_alpha(units)", fix="0 <= start < end <= length (half-open spans)")
        spans.setdefault((coder, category), []).append((start, end))
    out = {}
    for (coder, category), items in spans.items():
        arr = np.array(sorted(items), dtype=np.int64)
        if len(arr) > 1 and (arr[1:, 0] < arr[:-1, 1]).any():
            at = int(np.argmax(arr[1:, 0] < arr[:-1, 1]))
            raise ValidationError(f"coder {coder!r} has overlapping units of category {category!r}: "
                                  f"[{arr[at, 0]}, {arr[at, 1]}) and [{arr[at + 1, 0]}, {arr[at + 1, 1]})",
                                  where="unitizing_alpha(units)", fix="merge them: a coder marks a stretch once per category")
        out[(coder, category)] = arr
    return out


def _gaps(spans: np.ndarray, begin: int, length: int) -> np.ndarray:
    """Lengths of the uncoded stretches between one coder's units (zero-length gaps left out)."""
    edges = np.concatenate([[begin], spans.ravel(), [begin + length]]).reshape(-1, 2)
    g = edges[:, 1] - edges[:, 0]
    return g[g > 0]


def _pair_disagreement(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of squared differences between two coders' units: overlapping units by their ends, a unit lying
    wholly in the other coder's gap by its squared length (Krippendorff 1995)."""
    if not len(a) and not len(b):
        return 0.0
    if not len(a) or not len(b):
        both = a if len(a) else b
        return float(((both[:, 1] - both[:, 0]) ** 2).sum())
    lo = np.searchsorted(b[:, 1], a[:, 0], side="right")  # first b ending after a starts
    hi = np.searchsorted(b[:, 0], a[:, 1], side="left")   # b units starting before a ends
    n_overlap = np.maximum(hi - lo, 0)
    total = float(((a[:, 1] - a[:, 0])[n_overlap == 0] ** 2).sum())
    ia = np.repeat(np.arange(len(a)), n_overlap)
    if len(ia):
        starts = np.repeat(lo, n_overlap)
        offsets = np.arange(len(ia)) - np.repeat(np.cumsum(n_overlap) - n_overlap, n_overlap)
        ib = starts + offsets
        total += float(((a[ia, 0] - b[ib, 0]) ** 2 + (a[ia, 1] - b[ib, 1]) ** 2).sum())
    lo_b = np.searchsorted(a[:, 1], b[:, 0], side="right")
    hi_b = np.searchsorted(a[:, 0], b[:, 1], side="left")
    alone_b = (hi_b - lo_b) <= 0
    total += float(((b[:, 1] - b[:, 0])[alone_b] ** 2).sum())
    return total


def unitizing_components(units: Iterable[Sequence[Any]], length: int, *, begin: int = 0,
                         coders: Iterable[Any] | int | None = None) -> dict[Any, tuple[float, float]]:
    """category -> (observed D_o, expected D_e) disagreement of Krippendorff's unitizing alpha.

    `units`: (coder, start, end, category), half-open [start, end) on the continuum [begin, begin + length).
    `coders`: all coders (names, or how many), including any who marked nothing; default: those in `units`.
    """
    if length <= 0:
        raise ValidationError(f"the continuum must have a positive length, got {length}", where="unitizing_alpha")
    spans = _coder_units(units, begin, length)
    names = sorted({c for c, _ in spans}, key=repr)
    if isinstance(coders, int):
        n_coders = coders
    elif coders is not None:
        names = list(dict.fromkeys([*coders, *names]))
        n_coders = len(names)
    else:
        n_coders = len(names)
    if n_coders < 2 or n_coders < len(names):
        raise ValidationError(f"unitizing alpha needs two or more coders, got {n_coders}", where="unitizing_alpha",
                              fix="pass coders=[...] to count coders who marked nothing")
    categories = sorted({k for _, k in spans}, key=repr)
    coder_ix = {c: i for i, c in enumerate(names)}
    cat_ix = {k: i for i, k in enumerate(categories)}
    rows = [(coder_ix[c], cat_ix[k], s - begin, e - begin) for (c, k), arr in spans.items() for s, e in arr]
    arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    parts = unitizing_arrays(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], n_coders, length)
    return {categories[i]: v for i, v in parts.items()}


def unitizing_arrays(coder: np.ndarray, category: np.ndarray, start: np.ndarray, end: np.ndarray,
                     n_coders: int, length: int) -> dict[int, tuple[float, float]]:
    """`unitizing_components` on integer arrays (continuum [0, length); a coder's units of a category
    sorted or not, never overlapping): category index -> (D_o, D_e). The project-level path."""
    out: dict[int, tuple[float, float]] = {}
    empty = np.zeros((0, 2), dtype=np.int64)
    top = int(end.max(initial=0)) + 1
    if (int(category.max(initial=0)) + 1) * n_coders < (2 ** 62) // top:
        order = np.argsort((category.astype(np.int64) * n_coders + coder) * top + start)
    else:
        order = np.lexsort((start, coder, category))
    coder, category, start, end = coder[order], category[order], start[order], end[order]
    cuts = np.flatnonzero(np.diff(category)) + 1
    total_length = float(n_coders) * length
    for idx in np.split(np.arange(len(category)), cuts):
        if not len(idx):
            continue
        cat = int(category[idx[0]])
        per = []
        for r in range(n_coders):
            mine = idx[coder[idx] == r]
            per.append(np.stack([start[mine], end[mine]], 1) if len(mine) else empty)
        d_o = sum(_pair_disagreement(per[i], per[j]) for i in range(n_coders) for j in range(i + 1, n_coders))
        d_o = 2.0 * d_o / (n_coders * (n_coders - 1) * float(length) ** 2)
        lengths = (end[idx] - start[idx]).astype(float)
        gaps = np.sort(np.concatenate([_gaps(p, 0, length) for p in per]).astype(float))
        suffix_sum = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
        at = np.searchsorted(gaps, lengths, side="left")  # the gaps >= l start here
        fits = suffix_sum[at] - (lengths - 1.0) * (len(gaps) - at)  # sum over gaps g >= l of (g - l + 1)
        n_c = len(lengths)
        within = (n_c - 1.0) * (2 * lengths ** 3 - 3 * lengths ** 2 + lengths) / 3.0
        numerator = (2.0 / length) * float((within + lengths ** 2 * fits).sum())
        denominator = total_length * (total_length - 1.0) - float((lengths * (lengths - 1.0)).sum())
        out[cat] = (d_o, numerator / denominator if denominator > 0 else 0.0)
    return out


def unitizing_alpha(units: Iterable[Sequence[Any]], length: int, *, begin: int = 0,
                    coders: Iterable[Any] | int | None = None, category: Any = None) -> Result:
    """Krippendorff's unitizing alpha (alpha_U; 1995, 2004: 251-256) for coders marking stretches of a continuum.

    Per category, D_o sums the squared differences of the coders' unit boundaries (and the squared length of
    a unit that falls in another coder's gap), D_e does the same over all possible placements of the units;
    overall alpha = 1 - mean(D_o) / mean(D_e) over categories (as DKPro Statistics computes it).
    `category`: the alpha of that category only.
    """
    parts = unitizing_components(units, length, begin=begin, coders=coders)
    if category is not None:
        if category not in parts:
            return Undefined(f"no coder marked a unit of category {category!r}")
        d_o, d_e = parts[category]
    else:
        if not parts:
            return Undefined("no coder marked any unit")
        d_o = float(np.mean([p[0] for p in parts.values()]))
        d_e = float(np.mean([p[1] for p in parts.values()]))
    if d_e <= 0:
        return Undefined(NO_VARIATION)
    return 1.0 - d_o / d_e


# ---- binary units, vectorised (the project-level path) ---------------------------------------------------
STATISTICS = ("units", "agree", "values", "coded", "o01", "full_units", "full_agree", "full_coded", "n2",
              "n2_agree", "a_coded", "b_coded")


def binary_statistics(tally: np.ndarray, marginals: np.ndarray | None = None, coders: int | None = None) -> np.ndarray:
    """The sums every binary coefficient needs, linear in the tally (so bootstrap samples are one matrix
    product away): `tally[..., m, k]` -> `[..., len(STATISTICS)]` (see `binary_coefficients`)."""
    t = np.asarray(tally, dtype=float)
    size = t.shape[-1]
    m = np.arange(size)[:, None] * np.ones((1, size))
    k = np.ones((size, 1)) * np.arange(size)[None, :]
    valid = (k <= m) & (m >= 2)
    mm1 = np.where(m >= 2, m - 1, 1)
    agree_pairs = np.where(valid, (k * (k - 1) + (m - k) * (m - k - 1)) / np.maximum(m * mm1, 1), 0.0)
    w = np.where(valid, t, 0.0)
    out = np.zeros((*t.shape[:-2], len(STATISTICS)))
    out[..., 0] = w.sum((-1, -2))
    out[..., 1] = (w * agree_pairs).sum((-1, -2))
    out[..., 2] = (w * m).sum((-1, -2))
    out[..., 3] = (w * k).sum((-1, -2))
    out[..., 4] = (w * np.where(valid, k * (m - k) / mm1, 0.0)).sum((-1, -2))
    full = size - 1 if coders is None else coders
    if 2 <= full < size:
        rows = t[..., full, : full + 1]
        kk = np.arange(full + 1)
        out[..., 5] = rows.sum(-1)
        out[..., 6] = (rows * (kk * (kk - 1) + (full - kk) * (full - kk - 1))).sum(-1) / (full * (full - 1))
        out[..., 7] = (rows * kk).sum(-1) / full
    if size > 2:
        out[..., 8] = t[..., 2, :3].sum(-1)
        out[..., 9] = t[..., 2, 0] + t[..., 2, 2]
    if marginals is not None:
        mg = np.asarray(marginals, dtype=float)
        out[..., 10], out[..., 11] = mg[..., 0], mg[..., 1]
    return out


def coefficients_from_statistics(stats: np.ndarray, two_coders: bool) -> dict[str, np.ndarray]:
    """Percent agreement, Cohen's and Fleiss' kappa and nominal alpha from `binary_statistics` (NaN: undefined)."""
    s = {name: stats[..., i] for i, name in enumerate(STATISTICS)}
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = s["agree"] / s["units"]
        n, n1 = s["values"], s["coded"]
        n0 = n - n1
        alpha = np.where(n0 * n1 > 0, 1.0 - (n - 1) * s["o01"] / (n0 * n1), np.nan)
        p_bar = s["full_agree"] / s["full_units"]
        p1 = s["full_coded"] / s["full_units"]
        p_e = p1 ** 2 + (1 - p1) ** 2
        fleiss = np.where((s["full_units"] > 0) & (p_e < 1 - 1e-15), (p_bar - p_e) / (1 - p_e), np.nan)
        cohen = np.full(percent.shape, np.nan)
        if two_coders:
            n2 = s["n2"]
            pa, pb = s["a_coded"] / n2, s["b_coded"] / n2
            p_e2 = pa * pb + (1 - pa) * (1 - pb)
            cohen = np.where((n2 > 0) & (p_e2 < 1 - 1e-15), (s["n2_agree"] / n2 - p_e2) / (1 - p_e2), np.nan)
    return {"units": s["units"], "percent_agreement": percent, "cohen_kappa": cohen, "fleiss_kappa": fleiss,
            "krippendorff_alpha": alpha, "coded": n1}


def binary_coefficients(tally: np.ndarray, marginals: np.ndarray | None = None, coders: int | None = None
                        ) -> dict[str, np.ndarray]:
    """Percent agreement, Cohen's kappa, Fleiss' kappa and nominal alpha from a tally of binary units.

    `tally[..., m, k]`: how many units (characters, sentences, documents) had m coders present of whom k
    coded them (leading axes: codes, bootstrap samples). `marginals[..., 2]`: for two coders, how many of
    the m=2 units each coder coded (Cohen needs the off-diagonal cells apart). `coders`: how many coders in
    all (Fleiss' kappa uses the units all of them rated; default: the tally's largest m). Undefined values
    are NaN here; the caller says why.
    """
    stats = binary_statistics(tally, marginals, coders)
    return coefficients_from_statistics(stats, marginals is not None)
