"""Framework matrices (NVivo) / summary grids (MAXQDA): case x theme cells holding a researcher's summary.

Each cell's summary is stored in the project (`framework_cells`), together with the ids of the codings it
summarises, and every edit is one undoable action of its author. The segments behind a cell are the
case's codings of the theme (sub-codes included by default); a summary links to all of them unless the
researcher names a subset.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..errors import NotFound, ValidationError
from ..store import analysis as store
from ..store.project import Project
from .selection import check_codes, code_tree, select


@dataclass
class FrameworkMatrix:
    """A case x theme grid over `project`; `frame()` shows the summaries, `set()` writes one."""

    project: Project
    codes: list[str]
    cases: list[str]
    coder: str | None = None
    subcodes: bool = True
    labels: dict[str, str] = field(default_factory=dict)

    # ---- reading -----------------------------------------------------------------------------------
    def segments(self, case: str | None = None, code: str | None = None) -> pd.DataFrame:
        """The codings behind the grid (or one cell): id, case, code, document, start, end, quote."""
        sel = select(self.project, coder=self.coder, codes=self.codes, where={"case": self.cases},
                     subcodes=self.subcodes, with_quote=True)
        spans = sel.spans.rename(columns={"casekey": "cell_case"})
        if case is not None:
            spans = spans[spans["cell_case"] == self._case(case)]
        if code is not None:
            spans = spans[spans["code"] == self._code(code)]
        spans = spans.sort_values(["cell_case", "document", "start", "end"])
        return spans[["id", "cell_case", "code", "raw_code", "document", "start", "end", "quote"]].rename(
            columns={"cell_case": "case"}).reset_index(drop=True)

    def cells(self) -> pd.DataFrame:
        """Stored cells of this grid: case, code, summary, codings (ids), actor, updated."""
        with self.project.read() as conn:
            stored = store.cells_frame(conn)
        keep = stored["case"].isin(self.cases) & stored["code"].isin(self.codes)
        return stored[keep].reset_index(drop=True)

    def frame(self) -> pd.DataFrame:
        """Cases x codes of summaries ('' where none is written yet)."""
        grid = pd.DataFrame("", index=pd.Index(self.cases, name="case"), columns=pd.Index(self.codes, name="code"))
        for row in self.cells().itertuples():
            grid.loc[row.case, row.code] = row.summary
        return grid

    def counts(self) -> pd.DataFrame:
        """Cases x codes: how many segments lie behind each cell."""
        seg = self.segments()
        table = seg.groupby(["case", "code"], observed=True)["id"].nunique().unstack("code")
        return table.reindex(index=self.cases, columns=self.codes).fillna(0).astype("int64")

    # ---- writing -----------------------------------------------------------------------------------
    def set(self, case: str, code: str, summary: str, codings: Sequence[int] | None = None, *,
            actor: str = "researcher") -> dict:
        """Write (or, with an empty summary, clear) one cell; links all its segments unless `codings` given."""
        case, code = self._case(case), self._code(code)
        behind = set(self.segments(case, code)["id"].tolist())
        if codings is None:
            linked = sorted(behind)
        else:
            linked = sorted({int(c) for c in codings})
            stray = [c for c in linked if c not in behind]
            if stray:
                raise ValidationError(f"codings {stray} are not segments of {code} in {case}",
                                      where=f"framework cell ({case}, {code})",
                                      fix="link only ids from matrix.segments(case, code)")
        summary = (summary or "").strip()
        with self.project.transaction(actor, "framework.cell", summary=f"summary of {code} for {case}") as tx:
            return store.put_cell(tx, case, code, summary, linked if summary else [])

    # ---- display -----------------------------------------------------------------------------------
    def to_html(self, max_quotes: int = 10) -> str:
        """The grid with each summary above a <details> holding the quotes it is linked to."""
        seg = self.segments().set_index("id")
        cells = {(r.case, r.code): r for r in self.cells().itertuples()}
        head = "".join(f"<th>{html.escape(self.labels.get(c, c))}</th>" for c in self.codes)
        out = ['<table class="wb-framework">', f"<thead><tr><th>case</th>{head}</tr></thead><tbody>"]
        for case in self.cases:
            out.append(f"<tr><th>{html.escape(case)}</th>")
            for code in self.codes:
                cell = cells.get((case, code))
                if cell is None:
                    n = int(((seg["case"] == case) & (seg["code"] == code)).sum())
                    out.append(f'<td class="empty">{"" if not n else f"({n} segments, no summary yet)"}</td>')
                    continue
                linked = [i for i in cell.codings if i in seg.index]
                gone = len(cell.codings) - len(linked)
                quotes = "".join(f"<blockquote><b>{html.escape(seg.loc[i, 'document'])}</b> "
                                 f"{html.escape(seg.loc[i, 'quote'])}</blockquote>" for i in linked[:max_quotes])
                note = f"<p>{gone} linked segments no longer exist</p>" if gone else ""
                out.append(f"<td><p>{html.escape(cell.summary)}</p><details><summary>{len(linked)} segments"
                           f"</summary>{quotes}{note}</details></td>")
            out.append("</tr>")
        out.append("</tbody></table>")
        style = ("<style>.wb-framework{border-collapse:collapse;font-size:13px}.wb-framework td,.wb-framework th"
                 "{border:1px solid #ddd;padding:4px 6px;vertical-align:top;max-width:24em}.wb-framework td.empty"
                 "{color:#999}.wb-framework blockquote{margin:4px 0;font-size:12px}</style>")
        return style + "\n".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _case(self, case: str) -> str:
        if case not in self.cases:
            raise NotFound(f"case {case!r} is not in this framework matrix", where="framework matrix",
                           fix=f"use one of {', '.join(self.cases[:10])}{' ...' if len(self.cases) > 10 else ''}")
        return case

    def _code(self, code: str) -> str:
        if code not in self.codes:
            raise NotFound(f"code {code!r} is not in this framework matrix", where="framework matrix",
                           fix=f"use one of {', '.join(self.codes)}")
        return code


def framework_matrix(project: Project, codes: Iterable[str], cases: Iterable[str] | None = None, *,
                     coder: str | None = None, subcodes: bool = True) -> FrameworkMatrix:
    """The case x theme grid for `codes` (in tree order) and `cases` (default: every case)."""
    tree = code_tree(project)
    chosen = check_codes(tree, list(codes))
    if not chosen:
        raise ValidationError("a framework matrix needs at least one code", fix="pass codes=[...]")
    known = list(project.cases()["name"])
    if cases is None:
        chosen_cases = known
    else:
        chosen_cases = list(dict.fromkeys(cases))
        missing = [c for c in chosen_cases if c not in set(known)]
        if missing:
            raise NotFound(f"no case {', '.join(map(repr, missing))}", where="framework_matrix(cases=)",
                           fix="see project.cases() for the names")
    labels = {c: str(tree.loc[c, "label"]) for c in chosen}
    return FrameworkMatrix(project, chosen, chosen_cases, coder, subcodes, labels)
