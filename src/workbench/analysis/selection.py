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

import pandas as pd

from ..codebook.tree import Codebook
from ..errors import NotFound, ValidationError
from ..store.analysis import coding_spans
from ..store.project import Project
from ..store.values import parse_value

BUILT_IN = ("kind", "case", "document")


@dataclass
class Selection:
    """Codes in tree order, the documents kept, and their codings (one row per coding and chosen code)."""

    tree: pd.DataFrame  # the whole codebook, indexed by code id, in tree order
    codes: list[str]  # the chosen codes, tree order
    documents: pd.DataFrame  # index: document name; columns kind, case, casekey
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
    docs = project.documents()[["name", "kind", "case"]].set_index("name")
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
        spans = coding_spans(conn, coder, with_quote=with_quote)
    spans = spans[spans["document"].isin(docs.index)]
    mapping = rollup_map(tree, chosen, subcodes)
    spans = spans.merge(mapping, left_on="code", right_on="raw", suffixes=("_raw", ""))
    spans = spans.drop(columns=["raw"]).rename(columns={"code_raw": "raw_code"})
    spans["casekey"] = spans["document"].map(docs["casekey"])
    return Selection(tree, chosen, docs, spans)


def source_groups(project: Project, attribute: str = "respondent_type") -> dict[str, str]:
    """document -> its case's `attribute` value, or its kind where it has none (e.g. 'literature').

    Pass as `columns=` to wb.matrix for the literature / experts / schools comparison.
    """
    docs = documents_frame(project, columns=[attribute])
    return {d: (str(v) if v is not None and not pd.isna(v) else kind)
            for d, v, kind in zip(docs.index, docs[attribute], docs["kind"], strict=True)}
