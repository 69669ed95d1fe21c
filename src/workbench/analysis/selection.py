"""What every analysis starts from: the chosen codes (with sub-code roll-up), documents and codings.

Shared by frequencies, matrices, co-occurrence and networks so they filter and roll up the same way:
- `where={"respondent_type": "school"}` keeps documents whose case (or the document itself) has that
  attribute value; the value is coerced to the attribute's type, a list means any of; `kind`, `case` and
  `document` are built in.
- A document without a case (literature) counts as a case of its own, named after the document.
- With `subcodes=True` a coding of a sub-code also counts for every chosen ancestor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..codebook.tree import Codebook
from ..errors import NotFound, ValidationError
from ..store.analysis import coding_spans, document_index
from ..store.project import Project
from ..store.values import parse_value

BUILT_IN = ("kind", "case", "document")


@dataclass
class Selection:
    """Codes in tree order, the documents kept, and their codings (one row per coding and chosen code)."""

    tree: pd.DataFrame  # the whole codebook, indexed by code id, in tree order
    codes: list[str]  # the chosen codes, tree order
    documents: pd.DataFrame  # index: document name; columns id, kind, case, casekey
    spans: pd.DataFrame  # id, document, case, casekey, start, end, code (rolled up), raw_code, coder


def code_tree(project: Project) -> pd.DataFrame:
    frame = Codebook(project).frame()
    if frame.empty:
        return pd.DataFrame(columns=["label", "parent", "depth", "path", "colour", "definition", "theme"],
                            index=pd.Index([], name="id"))
    frame = frame.set_index("id")
    parents = {c: (p if isinstance(p, str) and p else None) for c, p in frame["parent"].items()}
    frame["parent"] = pd.Series(parents, dtype=object).reindex(frame.index)

    def top(code: str) -> str:
        while parents.get(code):
            code = parents[code]
        return code

    frame["theme"] = [top(c) for c in frame.index]
    return frame


def check_codes(tree: pd.DataFrame, codes: Iterable[str] | None) -> list[str]:
    """The chosen codes in tree order; an unknown id is a NotFound that names it."""
    if codes is None:
        return list(tree.index)
    wanted = [codes] if isinstance(codes, str) else list(codes)
    missing = [c for c in wanted if c not in tree.index]
    if missing:
        raise NotFound(f"no code {', '.join(map(repr, missing))}", where="codes=",
                       fix="see wb.Codebook(project).frame() for the ids")
    chosen = set(wanted)
    return [c for c in tree.index if c in chosen]


def rollup_map(tree: pd.DataFrame, codes: list[str], subcodes: bool) -> pd.DataFrame:
    """(raw code, counted as) pairs: each code maps to itself and, with sub-codes, to chosen ancestors."""
    chosen = set(codes)
    parents = tree["parent"].to_dict()
    pairs = []
    for code in tree.index:
        node: str | None = code
        while node is not None:
            if node in chosen:
                pairs.append((code, node))
            if not subcodes:
                break
            node = parents.get(node) or None
    return pd.DataFrame(pairs, columns=["raw", "code"])


def _attribute_types(project: Project) -> dict[tuple[str, str], str]:
    attrs = project.attributes()
    return {(r.scope, r.name): r.type for r in attrs.itertuples()}


def _coerce(name: str, value: Any, typ: str) -> Any:
    if not isinstance(value, str) or typ == "text":
        return value
    try:
        return parse_value(value, typ)
    except ValueError as exc:
        raise ValidationError(f"{exc}", where=f"where={{{name!r}: {value!r}}}",
                              fix=f"give a {typ} value for {name!r}") from None


def documents_frame(project: Project, where: Mapping[str, Any] | None = None,
                    columns: Iterable[str] = ()) -> pd.DataFrame:
    """Documents (index: name) with kind, case, casekey and the attribute columns asked for, filtered."""
    with project.read() as conn:
        docs = document_index(conn).set_index("name")
    docs["case"] = docs["case"].astype(object).where(docs["case"].notna(), None)
    docs["casekey"] = [c if c is not None else d for d, c in zip(docs.index, docs["case"], strict=True)]
    wanted = [n for n in [*(where or {}), *columns] if n not in BUILT_IN]
    if wanted:
        types = _attribute_types(project)
        case_attrs = project.case_attributes() if any(("case", n) in types for n in wanted) else None
        doc_attrs = project.document_attributes() if any(("document", n) in types for n in wanted) else None
        for name in dict.fromkeys(wanted):
            if ("case", name) in types:
                docs[name] = docs["case"].map(case_attrs[name].to_dict()) if case_attrs is not None else None
                docs.attrs[name] = types[("case", name)]
            elif ("document", name) in types:
                docs[name] = doc_attrs[name].reindex(docs.index)
                docs.attrs[name] = types[("document", name)]
            else:
                known = sorted({n for _, n in types} | set(BUILT_IN))
                raise ValidationError(f"no attribute {name!r}", where="where= / columns=",
                                      fix=f"use one of: {', '.join(known)}")
    for name, value in (where or {}).items():
        typ = docs.attrs.get(name, "text")
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        values = [_coerce(name, v, typ) for v in values]
        column = docs[name] if name != "document" else pd.Series(docs.index, index=docs.index)
        keep = column.isin(values).fillna(False).astype(bool)
        docs = docs[keep.to_numpy()]
    return docs


def select(project: Project, *, coder: str | None = None, codes: Iterable[str] | None = None,
           where: Mapping[str, Any] | None = None, subcodes: bool = True, columns: Iterable[str] = (),
           with_quote: bool = False) -> Selection:
    """The chosen codes, documents and codings for one analysis."""
    tree = code_tree(project)
    chosen = check_codes(tree, codes)
    docs = documents_frame(project, where, columns)
    with project.read() as conn:
        raw = coding_spans(conn, coder, with_quote=with_quote)
    spans = expand(raw, tree, chosen, subcodes, docs)
    return Selection(tree, chosen, docs, spans)


def expand(raw: pd.DataFrame, tree: pd.DataFrame, chosen: list[str], subcodes: bool,
           docs: pd.DataFrame) -> pd.DataFrame:
    """Keep codings of the kept documents and chosen codes; one row per (coding, code it counts for).

    Done on integer positions (no string merges): document, casekey, code and raw_code come back as
    categoricals, so the grouping that follows is cheap.
    """
    pos = pd.Index(docs["id"]).get_indexer(raw["document_id"])
    code_pos = pd.Index(tree.index).get_indexer(raw["code"])
    mapping = rollup_map(tree, chosen, subcodes)
    raw_idx = pd.Index(tree.index).get_indexer(mapping["raw"]) if len(mapping) else np.array([], dtype=np.int64)
    target_idx = pd.Index(tree.index).get_indexer(mapping["code"]) if len(mapping) else raw_idx
    order = np.argsort(raw_idx, kind="stable")
    raw_idx, target_idx = raw_idx[order], target_idx[order]
    per_code = np.bincount(raw_idx, minlength=len(tree)) if len(raw_idx) else np.zeros(len(tree), np.int64)
    first = np.cumsum(per_code) - per_code
    ok = (pos >= 0) & (code_pos >= 0)
    rows = np.flatnonzero(ok)
    k = per_code[code_pos[rows]]
    rep = np.repeat(rows, k)
    within = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
    target = target_idx[first[code_pos[rep]] + within] if len(rep) else np.array([], dtype=np.int64)
    keys = pd.Index(docs["casekey"].unique())
    case_of = keys.get_indexer(docs["casekey"])
    doc_at = pos[rep]
    spans = pd.DataFrame({
        "id": raw["id"].to_numpy()[rep],
        "document": pd.Categorical.from_codes(doc_at, categories=docs.index),
        "case": docs["case"].to_numpy()[doc_at],
        "casekey": pd.Categorical.from_codes(case_of[doc_at], categories=keys),
        "start": raw["start"].to_numpy()[rep],
        "end": raw["end"].to_numpy()[rep],
        "code": pd.Categorical.from_codes(target, categories=tree.index),
        "raw_code": pd.Categorical.from_codes(code_pos[rep], categories=tree.index),
        "coder": raw["coder"].to_numpy()[rep],
    })
    if "quote" in raw:
        spans["quote"] = raw["quote"].to_numpy()[rep]
    return spans


def source_groups(project: Project, attribute: str = "respondent_type") -> dict[str, str]:
    """document -> its case's `attribute` value, or its kind where it has none (e.g. 'literature').

    Pass as `columns=` to wb.matrix for the literature / experts / schools comparison.
    """
    docs = documents_frame(project, columns=[attribute])
    return {d: (str(v) if v is not None and not pd.isna(v) else kind)
            for d, v, kind in zip(docs.index, docs[attribute], docs["kind"], strict=True)}
