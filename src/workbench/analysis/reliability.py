"""Intercoder agreement of a project's coders: one row per code plus "(all codes)", saved as a run.

The universe is stated, not implied. A document belongs to a coder's universe when it is assigned to
them (`Project.assign`); a coder with no assignment recorded anywhere is taken to have been assigned
exactly the documents they coded something in (never every document: that would turn "did not look"
into "found nothing"). A unit counts only where two or more of the compared coders were assigned its
document; elsewhere it is missing data, not disagreement. Units (docs/agreement.md has the formulas):

- ``character``: every character of the text (NVivo's universe), coded or not, per code and coder;
  computed with interval sweeps per document, never a loop over characters.
- ``sentence`` / ``paragraph`` / ``turn``: the units of `workbench.corpus.units.split`; a coder coded a
  unit when one of their codings of the code overlaps it.
- ``document``: the code is present in the document or not (literature screening).
- ``segment``: each coder's segments, matched when another coder's segment of the code overlaps it by at
  least `overlap` of their union (MAXQDA's rule); only percent agreement is defined (no "nobody" cell).

``coded_only=True`` leaves out the units no coder touched with any of the selected codes. The
"(all codes)" row pools the code-by-unit decisions of all codes (a pooled kappa). Confidence intervals
are percentile bootstraps over documents with a fixed seed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..corpus.units import split
from ..errors import NotFound, ValidationError
from ..store.agreement import agreement_inputs
from .agreement import NO_VARIATION, binary_statistics, coefficients_from_statistics, unitizing_arrays

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

ALL_CODES = "(all codes)"
CONSENSUS = "consensus"
UNITS = ("character", "segment", "sentence", "paragraph", "turn", "document")
COEFFICIENTS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")


@dataclass
class Universe:
    """Who is compared on which documents, and their codings as merged spans (numpy arrays)."""

    coders: list[str]
    codes: list[str]
    labels: dict[str, str]
    doc_ids: np.ndarray  # universe documents (two or more coders assigned), in name order
    doc_names: list[str]
    lengths: np.ndarray
    present: np.ndarray  # (documents, coders) bool: assigned
    doc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # index into doc_ids
    code: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    coder: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    rule: str = ""

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.doc_names), len(self.codes), len(self.coders)


def sort_order(key: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Order by (key, position): one int64 sort where the pair fits in 63 bits, else a lexsort."""
    top = int(position.max(initial=0)) + 1
    if int(key.max(initial=0)) < (2 ** 62) // top:
        return np.argsort(key.astype(np.int64) * top + position)
    return np.lexsort((position, key))


def union_spans(key: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge overlapping or touching spans that share a key; returns (key, start, end) sorted."""
    if not len(key):
        return key, start, end
    order = sort_order(key, start)
    k, s, e = key[order], start[order], end[order]
    big = int(e.max()) + 1
    run = np.maximum.accumulate(k * big + e) - k * big  # running max of end within each key
    new = np.ones(len(k), dtype=bool)
    new[1:] = (k[1:] != k[:-1]) | (s[1:] > run[:-1])
    idx = np.flatnonzero(new)
    return k[idx], s[idx], np.maximum.reduceat(e, idx)


def universe(project: Project, coders: Iterable[str] | None = None, codes: Iterable[str] | None = None,
             documents: Iterable[str] | None = None) -> Universe:
    """The compared coders and codes, the documents two or more of them were assigned, their merged spans."""
    chosen = None if coders is None else ([coders] if isinstance(coders, str) else list(coders))
    with project.read() as conn:
        data = agreement_inputs(conn, documents, chosen)
    names = {d[0]: d[1] for d in data.documents}
    if documents is not None:
        missing = sorted(set(documents) - set(names.values()))
        if missing:
            raise NotFound(f"no document {missing[0]!r}", where="agreement(documents=...)",
                           fix="see Project.documents() for the names")
    doc_col, start_col, end_col, code_col, coder_col = data.codings
    used = sorted(set(coder_col))
    if chosen is None:
        chosen = [c for c in used if c != CONSENSUS]
    else:
        known = set(used) | {a for a, _ in data.assignments}
        for c in chosen:
            if c not in known:
                everyone = sorted(project.coders()["id"])
                raise NotFound(f"coder {c!r} has no codings and no assignments here", where="agreement(coders=...)",
                               fix=f"the project's coders: {', '.join(everyone) or 'none'}")
        if len(set(chosen)) != len(chosen):
            raise ValidationError(f"a coder is named twice in {chosen}", where="agreement(coders=...)")
    frame = project.codes()
    labels = dict(zip(frame["id"], frame["label"], strict=True))
    if codes is None:
        code_list = [c for c, ok in zip(frame["id"], frame["codable"], strict=True) if ok]
        code_list += sorted(set(code_col) - set(code_list))
    else:
        code_list = [codes] if isinstance(codes, str) else list(codes)
        for c in code_list:
            if c not in labels:
                raise NotFound(f"unknown code {c!r}", where="agreement(codes=...)", fix="see Project.codes() for the ids")
    assigned: dict[str, set[int]] = {c: set() for c in chosen}
    for a, d in data.assignments:
        if a in assigned:
            assigned[a].add(d)
    rules = []
    doc_arr = np.asarray(doc_col, dtype=np.int64)
    coder_arr = pd.Index(coder_col)
    for c in chosen:
        if not assigned[c]:
            assigned[c] = set(np.unique(doc_arr[coder_arr == c]).tolist())
            rules.append(c)
    all_ids = [d[0] for d in data.documents]
    ids_index = pd.Index(all_ids)
    present_all = np.zeros((len(all_ids), len(chosen)), dtype=bool)
    for j, c in enumerate(chosen):
        present_all[:, j] = ids_index.isin(list(assigned[c]))
    keep = present_all.sum(1) >= 2
    doc_ids = np.array(all_ids, dtype=np.int64)[keep]
    lengths = np.array([d[2] for d in data.documents], dtype=np.int64)[keep]
    present = present_all[keep]
    rule = ("documents as assigned in Project.assignments()" if not rules else
            f"documents as assigned; {', '.join(rules)} had no assignment recorded, so the documents they coded "
            "something in count as assigned")
    u = Universe(chosen, code_list, labels, doc_ids, [names[int(d)] for d in doc_ids], lengths, present, rule=rule)
    if len(doc_col):
        d = pd.Index(doc_ids).get_indexer(doc_arr)
        c = pd.Index(code_list).get_indexer(pd.Index(code_col))
        r = pd.Index(chosen).get_indexer(pd.Index(coder_col))
        keep_row = (d >= 0) & (c >= 0) & (r >= 0)
        d, c, r = d[keep_row], c[keep_row], r[keep_row]
        ok = present[d, r]
        d, c, r = d[ok], c[ok], r[ok]
        s_ = np.asarray(start_col, dtype=np.int64)[keep_row][ok]
        e_ = np.asarray(end_col, dtype=np.int64)[keep_row][ok]
        n_codes, n_coders = len(code_list), len(chosen)
        key = (d.astype(np.int64) * n_codes + c) * n_coders + r
        key, s_, e_ = union_spans(key, s_, e_)
        u.doc, rest = np.divmod(key, n_codes * n_coders)
        u.code, u.coder = np.divmod(rest, n_coders)
        u.start, u.end = s_, e_
    return u


# ---- tallies: per document, per code, how many units had k of the present coders coding them ----------
def character_tallies(u: Universe, coded_only: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tally[d, c, k], marginal[d, c, r] coded characters, touched[d] characters anyone coded)."""
    n_docs, n_codes, n_coders = u.shape
    size = n_coders + 1
    hist = np.zeros(n_docs * n_codes * size)
    if len(u.doc):
        g = u.doc * n_codes + u.code
        pos = np.concatenate([u.start, u.end])
        delta = np.concatenate([np.ones(len(g), np.int64), -np.ones(len(g), np.int64)])
        gg = np.concatenate([g, g])
        order = sort_order(gg, pos)
        pos, delta, gg = pos[order], delta[order], gg[order]
        level = np.cumsum(delta)
        same = gg[1:] == gg[:-1]
        width = (pos[1:] - pos[:-1])[same]
        hist = np.bincount(gg[:-1][same] * size + level[:-1][same], weights=width, minlength=len(hist))
    tally = hist.reshape(n_docs, n_codes, size)
    cells = (u.doc * n_codes + u.code) * n_coders + u.coder
    marginal = np.bincount(cells, weights=u.end - u.start, minlength=n_docs * n_codes * n_coders
                           ).reshape(n_docs, n_codes, n_coders)
    touched = np.zeros(n_docs)
    if len(u.doc):
        k, s, e = union_spans(u.doc, u.start, u.end)
        touched = np.bincount(k, weights=e - s, minlength=n_docs).astype(float)
    universe_len = touched if coded_only else u.lengths.astype(float)
    tally[:, :, 0] = universe_len[:, None] - tally[:, :, 1:].sum(-1)
    return tally, marginal, touched


def unit_tallies(project: Project, u: Universe, unit: str, coded_only: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, list[list[tuple[int, int]]], list[np.ndarray]]:
    """Tallies for sentence/paragraph/turn/document units, the units and a coded[c, r, unit] per document."""
    n_docs, n_codes, n_coders = u.shape
    tally = np.zeros((n_docs, n_codes, n_coders + 1))
    marginal = np.zeros((n_docs, n_codes, n_coders))
    texts = {d.name: d for d in project.texts(u.doc_names)} if unit != "document" else {}
    all_units: list[list[tuple[int, int]]] = []
    coded_all: list[np.ndarray] = []
    for d in range(n_docs):
        if unit == "document":
            spans = [(0, int(u.lengths[d]))]
        else:
            doc = texts[u.doc_names[d]]
            spans = [(x.start, x.end) for x in split(doc.text, doc.turns, unit, doc.name)]
        all_units.append(spans)
        n_units = len(spans)
        coded = np.zeros((n_codes, n_coders, n_units), dtype=bool)
        sel = u.doc == d
        if n_units and sel.any():
            us = np.array([s for s, _ in spans])
            ue = np.array([e for _, e in spans])
            lo = np.searchsorted(ue, u.start[sel], side="right")
            hi = np.searchsorted(us, u.end[sel], side="left")
            diff = np.zeros((n_codes, n_coders, n_units + 1))
            np.add.at(diff, (u.code[sel], u.coder[sel], lo), 1)
            np.add.at(diff, (u.code[sel], u.coder[sel], np.maximum(hi, lo)), -1)
            coded = np.cumsum(diff, -1)[:, :, :n_units] > 0
        coded_all.append(coded)
        present = u.present[d]
        k = coded[:, present, :].sum(1)  # (codes, units)
        keep = np.ones(n_units, dtype=bool)
        if coded_only:
            keep = coded[:, present, :].any((0, 1))
        for c in range(n_codes):
            tally[d, c] = np.bincount(k[c, keep], minlength=n_coders + 1)[: n_coders + 1]
        marginal[d] = coded[:, :, keep].sum(-1)
    return tally, marginal, all_units, coded_all


def segment_counts(u: Universe, overlap: float) -> np.ndarray:
    """[d, c, 2]: segments matched by every other present coder, and all segments (MAXQDA's rule)."""
    n_docs, n_codes, n_coders = u.shape
    out = np.zeros((n_docs, n_codes, 2))
    for (d, c), idx in _groups(u).items():
        present = np.flatnonzero(u.present[d])
        by = {r: (u.start[idx][u.coder[idx] == r], u.end[idx][u.coder[idx] == r]) for r in present}
        for r in present:
            s, e = by[r]
            ok = np.ones(len(s), dtype=bool)
            for other in present:
                if other != r:
                    ok &= _matched(s, e, *by[other], overlap)
            out[d, c, 0] += ok.sum()
            out[d, c, 1] += len(s)
    return out


def _groups(u: Universe) -> dict[tuple[int, int], np.ndarray]:
    out: dict[tuple[int, int], list[int]] = {}
    for i, (d, c) in enumerate(zip(u.doc.tolist(), u.code.tolist(), strict=True)):
        out.setdefault((d, c), []).append(i)
    return {k: np.array(v) for k, v in out.items()}


def _matched(s: np.ndarray, e: np.ndarray, s2: np.ndarray, e2: np.ndarray, overlap: float) -> np.ndarray:
    """For each segment [s, e): does one of [s2, e2) overlap it by >= `overlap` of their union?"""
    if not len(s2):
        return np.zeros(len(s), dtype=bool)
    inter = np.minimum(e[:, None], e2[None, :]) - np.maximum(s[:, None], s2[None, :])
    union = np.maximum(e[:, None], e2[None, :]) - np.minimum(s[:, None], s2[None, :])
    return ((inter > 0) & (inter >= overlap * union - 1e-9)).any(1)


# ---- coefficients and intervals ------------------------------------------------------------------------
def _by_m(tally: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per-document tallies [d, c, k] into [d, c, m, k] by the number m of coders present."""
    n_docs, n_codes, size = tally.shape
    out = np.zeros((n_docs, n_codes, size, size))
    m = present.sum(1)
    out[np.arange(n_docs), :, m, :] = tally
    return out


def _doc_statistics(tally4: np.ndarray, marginal: np.ndarray, n_coders: int) -> np.ndarray:
    """Per document and code the linear sums the coefficients need: [d, c, len(STATISTICS)]."""
    return binary_statistics(tally4, marginal if n_coders == 2 else None, coders=n_coders)


def _stats(per_doc: np.ndarray, n_coders: int, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Coefficients for per-code rows plus the pooled row, for each row of document weights [B, d]."""
    n_docs, n_codes, n_stats = per_doc.shape
    t = (weights @ per_doc.reshape(n_docs, n_codes * n_stats)).reshape(len(weights), n_codes, n_stats)
    t = np.concatenate([t, t.sum(1, keepdims=True)], 1)
    return coefficients_from_statistics(t, n_coders == 2)


def _interval(samples: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval per column over the finite samples (NaN where under half of them are finite)."""
    ok = np.isfinite(samples)
    count = ok.sum(0)
    ordered = np.sort(np.where(ok, samples, np.inf), axis=0)
    out = []
    for q in (0.5 * (1 - level), 0.5 * (1 + level)):
        pos = q * np.maximum(count - 1, 0)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        a = np.take_along_axis(ordered, lo[None], 0)[0]
        b = np.take_along_axis(ordered, hi[None], 0)[0]
        with np.errstate(invalid="ignore"):
            value = a + (b - a) * (pos - lo)
        out.append(np.where(count >= 0.5 * len(samples), np.where(hi == lo, a, value), np.nan))
    return out[0], out[1]


def _boot_weights(n_docs: int, n_boot: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n_docs, size=(n_boot, n_docs))
    w = np.zeros((n_boot, n_docs))
    np.add.at(w, (np.repeat(np.arange(n_boot), n_docs), picks.ravel()), 1)
    return w


def _unitizing(u: Universe) -> tuple[np.ndarray, str]:
    """Unitizing alpha per code and overall, on the documents all coders were assigned, end to end."""
    n_docs, n_codes, n_coders = u.shape
    full = u.present.all(1)
    out = np.full(n_codes + 1, np.nan)
    if n_coders < 2 or not full.any():
        return out, "no document was assigned to every compared coder"
    offsets = np.concatenate([[0], np.cumsum(u.lengths[full])])
    where = np.full(n_docs, -1)
    where[np.flatnonzero(full)] = np.arange(full.sum())
    sel = where[u.doc] >= 0
    shift = offsets[where[u.doc[sel]]]
    parts = unitizing_arrays(u.coder[sel], u.code[sel], u.start[sel] + shift, u.end[sel] + shift,
                             n_coders, int(offsets[-1]))
    d_o = np.zeros(n_codes)
    d_e = np.zeros(n_codes)
    for c, (o, e) in parts.items():
        d_o[c], d_e[c] = o, e
        if e > 0:
            out[c] = 1.0 - o / e
    used = [c for c in parts]
    if used and d_e[used].mean() > 0:
        out[-1] = 1.0 - d_o[used].mean() / d_e[used].mean()
    return out, ""


def _reason(row: dict[str, Any], unit: str, n_coders: int, any_documents: bool) -> str:
    """Why a coefficient of this row is undefined ("" when all that apply are defined)."""
    if n_coders < 2:
        return "one coder only: agreement needs two or more coders"
    if not any_documents:
        return "no document was assigned to two or more of these coders"
    if row["coded_units"] == 0:
        return "no coder used this code in these documents"
    if row["units"] == 0:
        return "no units in the universe (nothing coded, with coded_only=True)"
    if unit == "segment":
        return ("segments have no 'coded by nobody' cell, so chance agreement (kappa, alpha) is undefined; "
                "use percent_agreement, or unit='character'")
    if row["coded_units"] >= row["pairable_values"]:
        return "every coder coded every unit: " + NO_VARIATION
    reasons = []
    if n_coders == 2 and not np.isfinite(row["cohen_kappa"]) or not np.isfinite(row["krippendorff_alpha"]):
        reasons.append(NO_VARIATION)
    if not np.isfinite(row["fleiss_kappa"]) and not reasons:
        reasons.append(f"fleiss_kappa: no unit was rated by all {n_coders} coders")
    return "; ".join(reasons)


def method_text(unit: str, coders: list[str], coded_only: bool, overlap: float, n_boot: int, level: float,
                rule: str) -> str:
    """One paragraph that says how the table was computed (printed above the HTML table and in the run)."""
    what = {
        "character": "each character of each document's text is a unit (coded or not, per code and coder)",
        "sentence": "each sentence (inside speaker turns) is a unit; coded when a coding overlaps it",
        "paragraph": "each paragraph (inside speaker turns) is a unit; coded when a coding overlaps it",
        "turn": "each speaker turn's speech is a unit; coded when a coding overlaps it",
        "document": "each document is a unit; coded when the code occurs in it",
        "segment": f"each coder's segment is a unit, matched when another coder's segment of the code overlaps "
                   f"it by at least {overlap:.0%} of their union (MAXQDA's rule)",
    }[unit]
    universe_text = ("only units some coder touched with a selected code (coded_only)" if coded_only
                     else "all units of the documents, coded or not")
    if unit == "segment":
        universe_text = "every coder's segments of the code"
    ci = (f"{level:.0%} percentile bootstrap intervals over documents ({n_boot} resamples, fixed seed)" if n_boot
          else "no bootstrap intervals")
    return (f"Agreement of {', '.join(coders) or 'no coders'} at the {unit} level: {what}; universe: {universe_text}, "
            f"in documents two or more of the coders were assigned ({rule}); other documents are missing data. "
            "Cohen's kappa for two coders, Fleiss' kappa over units every coder rated, Krippendorff's alpha "
            "(nominal) over all pairable values; '(all codes)' pools the unit-by-code decisions of all codes. "
            f"{ci}.")


def agreement(project: Project, coders: Iterable[str] | None = None, codes: Iterable[str] | None = None,
              documents: Iterable[str] | None = None, unit: str = "character", coded_only: bool = False, *,
              overlap: float = 0.9, n_boot: int = 1000, ci: float = 0.95, seed: int = 0,
              save: bool = True) -> pd.DataFrame:
    """Agreement per code (and "(all codes)") between `coders` (default: all who coded, not `consensus`).

    Columns: code, label, unit, coders, units, coded_units, percent_agreement, cohen_kappa, fleiss_kappa,
    krippendorff_alpha (each with _low/_high bootstrap bounds), for unit="character" also unitizing_alpha
    and share_uncoded; `reason` says why a coefficient is undefined. Saved as an "agreement" run unless
    `save=False`; `attrs` carries the method text and the run id.
    """
    if unit not in UNITS:
        raise ValidationError(f"unknown unit {unit!r}", where="agreement(unit=...)", fix=f"use one of {', '.join(UNITS)}")
    if not 0 < overlap <= 1:
        raise ValidationError(f"overlap must be in (0, 1], got {overlap}", where="agreement(overlap=...)")
    if not 0 < ci < 1 or n_boot < 0:
        raise ValidationError("ci must be in (0, 1) and n_boot >= 0", where="agreement(ci=..., n_boot=...)")
    u = universe(project, coders, codes, documents)
    n_docs, n_codes, n_coders = u.shape
    table = _table(project, u, unit, coded_only, overlap, n_boot, ci, seed)
    method = method_text(unit, u.coders, coded_only, overlap, n_boot, ci, u.rule)
    params = {"coders": u.coders, "codes": None if codes is None else u.codes, "documents": u.doc_names,
              "unit": unit, "coded_only": coded_only, "overlap": overlap, "n_boot": n_boot, "ci": ci, "seed": seed}
    table.attrs.update(method=method, params=params, run=None)
    if save:
        run = project.save_run("agreement", params, {"table": table}, packages=["scipy"],
                               summary={"method": method, "unit": unit, "coders": u.coders,
                                        "documents": len(u.doc_names)})
        table.attrs["run"] = run.id
    return table


def _table(project: Project, u: Universe, unit: str, coded_only: bool, overlap: float, n_boot: int,
           ci: float, seed: int) -> pd.DataFrame:
    n_docs, n_codes, n_coders = u.shape
    codes = [*u.codes, ALL_CODES]
    base = pd.DataFrame({"code": codes, "label": [u.labels.get(c, c) for c in u.codes] + ["all codes pooled"]})
    base["unit"] = unit
    base["coders"] = ", ".join(u.coders)
    base["documents"] = n_docs
    weights = np.ones((1, n_docs))
    boots = _boot_weights(n_docs, n_boot, seed) if n_boot and n_docs else np.zeros((0, n_docs))
    if unit == "segment":
        counts = segment_counts(u, overlap)
        tot = counts.sum(0)
        tot = np.vstack([tot, tot.sum(0, keepdims=True)])
        base["units"] = tot[:, 1].astype(int)
        base["coded_units"] = tot[:, 1].astype(int)
        base["pairable_values"] = tot[:, 1].astype(int)
        with np.errstate(all="ignore"):
            base["percent_agreement"] = tot[:, 0] / tot[:, 1]
            if len(boots):
                b = np.einsum("bd,dck->bck", boots, counts)
                b = np.concatenate([b, b.sum(1, keepdims=True)], 1)
                lo, hi = _interval(b[..., 0] / b[..., 1], ci)
            else:
                lo = hi = np.full(len(codes), np.nan)
        base["percent_agreement_low"], base["percent_agreement_high"] = lo, hi
        for c in COEFFICIENTS[1:]:
            base[c] = np.nan
            base[f"{c}_low"] = np.nan
            base[f"{c}_high"] = np.nan
    else:
        if unit == "character":
            tally, marginal, touched = character_tallies(u, coded_only)
        else:
            tally, marginal, _, _ = unit_tallies(project, u, unit, coded_only)
        tally4 = _by_m(tally, u.present)
        per_doc = _doc_statistics(tally4, marginal, n_coders)
        point = _stats(per_doc, n_coders, weights)
        sample = _stats(per_doc, n_coders, boots) if len(boots) else None
        m = np.arange(n_coders + 1)
        pair = tally4[:, :, m >= 2, :]
        units_per_code = pair.sum((0, 2, 3))
        base["units"] = np.append(units_per_code, units_per_code.sum()).astype(int)
        base["coded_units"] = point["coded"][0].round().astype(int)  # coder-unit values of 1
        values = (tally4.sum(-1) * m[None, None, :])[:, :, m >= 2].sum((0, 2))
        base["pairable_values"] = np.append(values, values.sum()).astype(int)
        for c in COEFFICIENTS:
            base[c] = point[c][0]
            if sample is not None:
                lo, hi = _interval(sample[c], ci)
            else:
                lo = hi = np.full(len(codes), np.nan)
            base[f"{c}_low"], base[f"{c}_high"] = lo, hi
        if n_coders != 2:
            base["cohen_kappa"] = np.nan
        if unit == "character":
            base["unitizing_alpha"] = _unitizing(u)[0]
            total = float(u.lengths.sum())
            base["share_uncoded"] = (total - touched.sum()) / total if total else np.nan
    base["units"] = base["units"].astype(int)
    base["reason"] = [_reason(row, unit, n_coders, bool(n_docs)) for row in base.to_dict("records")]
    order = ["code", "label", "unit", "coders", "documents", "units", "coded_units", "pairable_values"]
    for c in COEFFICIENTS:
        order += [c, f"{c}_low", f"{c}_high"]
    if unit == "character":
        order += ["unitizing_alpha", "share_uncoded"]
    return base[order + ["reason"]]


# ---- output -------------------------------------------------------------------------------------------------
def agreement_html(table: pd.DataFrame, method: str | None = None, digits: int = 3) -> str:
    """The table as HTML under a paragraph that states the method (from `table.attrs` unless given)."""
    method = method or table.attrs.get("method", "")
    shown = table.drop(columns=["coders", "unit"], errors="ignore")
    body = shown.to_html(index=False, na_rep="–", float_format=lambda x: f"{x:.{digits}f}", classes="wb-agreement",
                         border=0, escape=True)
    run = table.attrs.get("run")
    saved = f" Saved as run {run}." if run else ""
    return (f'<section class="wb-agreement-report"><p class="wb-agreement-method">{escape(method)}{saved}</p>'
            f"{body}</section>")


def disagreements(project: Project, coders: Iterable[str] | None = None, code: str | None = None,
                  unit: str = "character", documents: Iterable[str] | None = None, *,
                  overlap: float = 0.9, context: int = 0) -> pd.DataFrame:
    """Where coders differ: document, code, label, start, end, coded_by, not_coded_by, text.

    Character level: the maximal stretches where some but not all present coders applied the code.
    Sentence/paragraph/turn/document: the units coded by some but not all. Segment: the segments no
    other coder matched. `context` adds that many characters either side to `text`.
    """
    if unit not in UNITS:
        raise ValidationError(f"unknown unit {unit!r}", where="disagreements(unit=...)", fix=f"use one of {', '.join(UNITS)}")
    u = universe(project, coders, None if code is None else [code], documents)
    texts = {d.name: d.text for d in project.texts(u.doc_names)} if u.doc_names else {}
    rows: list[dict[str, Any]] = []
    if unit in ("sentence", "paragraph", "turn", "document"):
        _, _, spans, coded = unit_tallies(project, u, unit)
        for d, name in enumerate(u.doc_names):
            present = np.flatnonzero(u.present[d])
            for c in range(len(u.codes)):
                for j, (s, e) in enumerate(spans[d]):
                    yes = [u.coders[r] for r in present if coded[d][c, r, j]]
                    if yes and len(yes) < len(present):
                        rows.append(_row(u, name, c, s, e, yes, present, texts[name], context))
    elif unit == "segment":
        for (d, c), idx in _groups(u).items():
            present = np.flatnonzero(u.present[d])
            name = u.doc_names[d]
            for i in idx:
                others = [r for r in present if r != u.coder[i]]
                missed = [u.coders[r] for r in others if not _matched(u.start[[i]], u.end[[i]],
                          u.start[idx][u.coder[idx] == r], u.end[idx][u.coder[idx] == r], overlap)[0]]
                if missed:
                    rows.append(_row(u, name, c, int(u.start[i]), int(u.end[i]), [u.coders[u.coder[i]]],
                                     present, texts[name], context, not_by=missed))
    else:
        for (d, c), idx in _groups(u).items():
            present = np.flatnonzero(u.present[d])
            name = u.doc_names[d]
            cuts = np.unique(np.concatenate([u.start[idx], u.end[idx]]))
            current: list[Any] | None = None
            for a, b in zip(cuts[:-1], cuts[1:], strict=True):
                yes = [u.coders[r] for r in present
                       if ((u.coder[idx] == r) & (u.start[idx] <= a) & (u.end[idx] >= b)).any()]
                differs = bool(yes) and len(yes) < len(present)
                if current is not None and differs and current[2] == yes and current[1] == a:
                    current[1] = int(b)
                    continue
                if current is not None:
                    rows.append(_row(u, name, c, current[0], current[1], current[2], present, texts[name], context))
                    current = None
                if differs:
                    current = [int(a), int(b), yes]
            if current is not None:
                rows.append(_row(u, name, c, current[0], current[1], current[2], present, texts[name], context))
    cols = ["document", "code", "label", "unit", "start", "end", "coded_by", "not_coded_by", "text"]
    out = pd.DataFrame(rows, columns=cols)
    out["unit"] = unit
    return out.sort_values(["document", "start", "end", "code"], ignore_index=True) if len(out) else out


def _row(u: Universe, name: str, c: int, s: int, e: int, yes: list[str], present: np.ndarray, text: str,
         context: int, not_by: list[str] | None = None) -> dict[str, Any]:
    not_by = not_by if not_by is not None else [u.coders[r] for r in present if u.coders[r] not in yes]
    return {"document": name, "code": u.codes[c], "label": u.labels.get(u.codes[c], u.codes[c]), "unit": "",
            "start": int(s), "end": int(e), "coded_by": ", ".join(yes), "not_coded_by": ", ".join(not_by),
            "text": text[max(0, s - context):e + context]}
