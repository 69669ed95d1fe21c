"""A small editor for a framework matrix: one text box per case x theme, the quotes behind it below.

Each edit is sent as `{"action": "save", "case", "code", "summary"}`; `dispatch` writes it through
`FrameworkMatrix.set` (one undoable action of `actor`) and re-reads the cell, so the page shows what is
stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..analysis.framework import FrameworkMatrix
from ..errors import WorkbenchError

QUOTES_PER_CELL = 5


def cell_key(case: str, code: str) -> str:
    return f"{case}\t{code}"


def framework_state(matrix: FrameworkMatrix) -> dict[str, dict[str, Any]]:
    """Every cell: its summary, how many segments lie behind it, and the first few quotes."""
    seg = matrix.segments()
    stored = {(r.case, r.code): r.summary for r in matrix.cells().itertuples()}
    out: dict[str, dict[str, Any]] = {}
    groups = {key: g for key, g in seg.groupby(["case", "code"], observed=True)}
    for case in matrix.cases:
        for code in matrix.codes:
            g = groups.get((case, code))
            quotes = [] if g is None else [{"document": r.document, "quote": r.quote}
                                          for r in g.head(QUOTES_PER_CELL).itertuples()]
            out[cell_key(case, code)] = {"summary": stored.get((case, code), ""),
                                         "n": 0 if g is None else int(g["id"].nunique()), "quotes": quotes}
    return out


class FrameworkView(anywidget.AnyWidget):
    """Edit `matrix` (from `wb.framework_matrix`) in the notebook; edits are stored as `actor`."""

    _esm = Path(__file__).with_name("framework_view.js")
    _css = Path(__file__).with_name("framework_view.css")

    cases = traitlets.List(traitlets.Unicode()).tag(sync=True)
    codes = traitlets.List(traitlets.Dict()).tag(sync=True)  # [{id, label}]
    cells = traitlets.Dict().tag(sync=True)  # "case<TAB>code" -> {summary, n, quotes}
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, matrix: FrameworkMatrix, actor: str = "researcher"):
        self.matrix = matrix
        self.actor = actor
        super().__init__(cases=list(matrix.cases),
                         codes=[{"id": c, "label": matrix.labels.get(c, c)} for c in matrix.codes],
                         cells=framework_state(matrix))
        self.on_msg(lambda _w, content, _b: self.dispatch(content))

    def dispatch(self, msg: dict[str, Any]) -> None:
        if msg.get("action") != "save":
            return
        case, code, summary = str(msg.get("case", "")), str(msg.get("code", "")), str(msg.get("summary", ""))
        try:
            self.matrix.set(case, code, summary, actor=self.actor)
        except WorkbenchError as exc:
            self.error = str(exc)
            return
        with self.hold_sync():
            self.cells = framework_state(self.matrix)
            self.error = ""
            self.status = f"saved {case} / {code}" if summary.strip() else f"cleared {case} / {code}"
