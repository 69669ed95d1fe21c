"""Code x case / document / attribute tables (`wb.matrix`) and their HTML with the quotes behind each cell.

Columns are cases, documents, the document kind, an attribute's values, or any mapping document -> group
(see `source_groups` for literature / experts / schools). Values: segments, documents, cases, `share`
(the share of the column's cases that have the code) or `text` (the coded passages). Documents whose
column value is missing are left out.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..errors import ValidationError
from ..store.project import Project
from .selection import BUILT_IN, Selection, select

VALUES = ("segments", "documents", "cases", "share", "text")


def _columns_key(columns: str | Mapping[str, str]) -> tuple[list[str], Mapping[str, str] | None]:
    if isinstance(columns, str):
        return ([] if columns in BUILT_IN else [columns]), None
    if isinstance(columns, Mapping):
        return [], columns
    raise ValidationError(f"columns={columns!r} is neither a name nor a mapping",
                          fix="use 'case', 'document', 'kind', an attribute name or {document: group}")


def column_of(sel: Selection, columns: str | Mapping[str, str]) -> pd.Series:
    """document -> its column label (documents without one dropped), in column order."""
    docs = sel.documents
    if isinstance(columns, Mapping):
        col = pd.Series({d: columns.get(d) for d in docs.index}, dtype=object)
    elif columns == "case":
        col = docs["casekey"]
    elif columns == "document":
        col = pd.Series(docs.index, index=docs.index)
    else:
        col = docs[columns]
    col = col[col.notna()]
    return col.astype(str) if not isinstance(columns, str) or columns in BUILT_IN else col


def _order(values: Iterable[Any]) -> list[Any]:
    uniq = list(dict.fromkeys(values))
    try:
        return sorted(uniq)
    except TypeError:
        return sorted(uniq, key=str)


def cells(project: Project, columns: str | Mapping[str, str] = "case", *, coder: str | None = None,
          codes: Iterable[str] | None = None, where: Mapping[str, Any] | None = None, subcodes: bool = True,
          with_quote: bool = False) -> tuple[Selection, pd.Series, pd.DataFrame]:
    """The long form behind a matrix: one row per coding and (code, column) it counts for."""
    extra, _ = _columns_key(columns)
    sel = select(project, coder=coder, codes=codes, where=where, subcodes=subcodes, columns=extra,
                 with_quote=with_quote)
    col = column_of(sel, columns)
    spans = sel.spans.assign(column=sel.spans["document"].astype(object).map(col))
    return sel, col, spans[spans["column"].notna()]


def matrix(project: Project, rows: str = "code", columns: str | Mapping[str, str] = "case",
           value: str = "segments", coder: str | None = None, codes: Iterable[str] | None = None,
           where: Mapping[str, Any] | None = None, *, subcodes: bool = True, save: bool = False) -> pd.DataFrame:
    """A code x column table (index: code in tree order; every chosen code, zeros included).

    `save=True` also stores it as a run of kind "matrix" (its id in `table.attrs["run"]`).
    """
    if rows != "code":
        raise ValidationError(f"rows={rows!r} is not supported", fix="use rows='code' (transpose for cases)")
    if value not in VALUES:
        raise ValidationError(f"unknown value {value!r}", where="wb.matrix", fix=f"use one of {', '.join(VALUES)}")
    sel, col, spans = cells(project, columns, coder=coder, codes=codes, where=where, subcodes=subcodes,
                            with_quote=value == "text")
    order = _order(col.tolist())
    index = pd.Index(sel.codes, name="code")
    if value == "text":
        spans = spans.sort_values(["document", "start", "end"])
        joined = (spans.assign(item="[" + spans["document"].astype(str) + "] " + spans["quote"])
                  .groupby(["code", "column"], observed=True)["item"].agg("\n\n".join))
        table = joined.unstack("column").reindex(index=index, columns=order).fillna("")
    else:
        field = {"segments": "id", "documents": "document", "cases": "casekey", "share": "casekey"}[value]
        counted = spans.groupby(["code", "column"], observed=True)[field].nunique()
        table = counted.unstack("column").reindex(index=index, columns=order).fillna(0).astype("int64")
        if value == "share":
            cases_per_column = sel.documents.loc[col.index, "casekey"].groupby(col).nunique()
            table = table.div(cases_per_column.reindex(order), axis=1).astype("float64")
    table.columns.name = columns if isinstance(columns, str) else "group"
    if save:
        params = {"rows": rows, "columns": columns if isinstance(columns, str) else dict(columns),
                  "value": value, "coder": coder, "codes": list(sel.codes) if codes is not None else None,
                  "where": dict(where) if where else None, "subcodes": subcodes}
        run = project.save_run("matrix", params, {"table": table}, summary={"rows": len(table),
                                                                          "columns": len(table.columns)})
        table.attrs["run"] = run.id
    return table


def _heat(value: float, top: float) -> str:
    if top <= 0 or value <= 0:
        return ""
    alpha = 0.12 + 0.6 * value / top
    return f' style="background: rgba(31, 119, 180, {alpha:.2f})"'


def matrix_html(project: Project, columns: str | Mapping[str, str] = "case", value: str = "segments", *,
                coder: str | None = None, codes: Iterable[str] | None = None,
                where: Mapping[str, Any] | None = None, subcodes: bool = True, max_quotes: int = 20) -> str:
    """The matrix as an HTML table: code labels, shaded counts, and per cell a <details> with its quotes."""
    if value == "text":
        value = "segments"
    table = matrix(project, "code", columns, value, coder, codes, where, subcodes=subcodes)
    sel, _, spans = cells(project, columns, coder=coder, codes=codes, where=where, subcodes=subcodes,
                          with_quote=True)
    spans = spans.sort_values(["document", "start", "end"]).drop_duplicates(["id", "code", "column"])
    quotes = {key: grp for key, grp in spans.groupby(["code", "column"], observed=True)}
    top = float(table.to_numpy().max()) if table.size else 0.0
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    out = ['<table class="wb-matrix">', f"<thead><tr><th>code</th>{head}</tr></thead>", "<tbody>"]
    for code, row in table.iterrows():
        info = sel.tree.loc[code]
        label = html.escape(str(info["label"]))
        pad = int(info["depth"]) * 1.2
        out.append(f'<tr><th style="text-align:left; padding-left:{pad:.1f}em" title="{html.escape(code)}">'
                   f"{label}</th>")
        for column, v in row.items():
            shown = f"{v:.0%}" if value == "share" else str(int(v))
            grp = quotes.get((code, column))
            if grp is None or not v:
                out.append(f"<td{_heat(0, top)}>{shown}</td>")
                continue
            items = "".join(
                f"<blockquote><b>{html.escape(r.document)}</b> {html.escape(r.quote)}</blockquote>"
                for r in grp.head(max_quotes).itertuples())
            more = f"<p>… {len(grp) - max_quotes} more</p>" if len(grp) > max_quotes else ""
            out.append(f"<td{_heat(float(v), top)}><details><summary>{shown}</summary>{items}{more}"
                       "</details></td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    style = ("<style>.wb-matrix{border-collapse:collapse;font-size:13px}.wb-matrix td,.wb-matrix th{border:1px "
             "solid #ddd;padding:3px 6px;vertical-align:top}.wb-matrix td{text-align:center}.wb-matrix "
             "blockquote{text-align:left;margin:4px 0;max-width:36em;font-size:12px}</style>")
    return style + "\n".join(out)
