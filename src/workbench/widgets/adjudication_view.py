"""The adjudication view: two coders' disagreements side by side, decided one by one - in JupyterLab and Voila.

Python is the single source of truth (as in the coding view): the browser renders the traits and sends each
button press as a custom message `{"action": ..., "req": n, ...}`; `dispatch` decides through
`Adjudication.decide` (the consensus coder's codings, one logged event group per decision) and answers
`{"event": "done", "req": n, "ok": ...}` after the traits changed. Offsets are code points; the browser
only shows text pieces cut in Python and sends back the numbers typed into the edit fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..analysis.adjudication import Adjudication, Item
from ..analysis.reliability import CONSENSUS
from ..errors import ValidationError
from ..store.project import Project
from .actions import Actions

MARGIN = 160  # characters of context either side of a disagreement


def context_pieces(text: str, item: Item, coders: list[str], margin: int = MARGIN) -> dict[str, Any]:
    """The text around `item` cut where any coder's span (or the consensus) starts or ends: pure, tested.

    Returns {"start", "end", "pieces": [{"start", "end", "text", "coders": [...], "consensus": bool}]}.
    """
    lo = max(0, item.start - margin)
    hi = min(len(text), item.end + margin)
    while lo > 0 and not text[lo - 1].isspace() and lo > item.start - margin - 20:
        lo -= 1  # start at a word boundary
    while hi < len(text) and not text[hi].isspace() and hi < item.end + margin + 20:
        hi += 1
    cuts = {lo, hi}
    for spans in [*item.spans.values(), item.consensus]:
        for s, e in spans:
            cuts.update(x for x in (s, e) if lo < x < hi)
    points = sorted(cuts)
    pieces = []
    for s, e in zip(points[:-1], points[1:], strict=True):
        who = [c for c in coders if any(a <= s and e <= b for a, b in item.spans.get(c, []))]
        agreed = any(a <= s and e <= b for a, b in item.consensus)
        pieces.append({"start": s, "end": e, "text": text[s:e], "coders": who, "consensus": agreed})
    return {"start": lo, "end": hi, "pieces": pieces}


class AdjudicationView(Actions, anywidget.AnyWidget):
    """Walk through the disagreements of two coders and decide each: accept A, accept B, both, neither, edit.

    >>> AdjudicationView(Project.open("my-project"), ["coder-a", "coder-b"], actor="anna")   # doctest: +SKIP
    """

    _esm = Path(__file__).with_name("adjudication_view.js")
    _css = Path(__file__).with_name("adjudication_view.css")

    coders = traitlets.List(traitlets.Unicode()).tag(sync=True)
    consensus = traitlets.Unicode(CONSENSUS).tag(sync=True)
    # [{id, document, code, label, colour, start, end, spans: {coder: [[s, e]]}, decision, consensus}]
    items = traitlets.List().tag(sync=True, to_json=lambda v, _w: json.dumps(v, ensure_ascii=False))
    index = traitlets.Int(0).tag(sync=True)
    context = traitlets.Dict().tag(sync=True)  # context_pieces of the current item
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, project: Project, coders: Iterable[str], *, actor: str | None = None,
                 consensus: str = CONSENSUS, code: str | None = None, documents: Iterable[str] | None = None,
                 **kwargs: Any):
        self.project = project
        self.adjudication = Adjudication(project, coders, consensus=consensus, actor=actor, code=code,
                                         documents=documents)
        self._colours = dict(zip(project.codes()["id"], project.codes()["colour"], strict=True))
        super().__init__(coders=self.adjudication.coders, consensus=consensus, **kwargs)
        self._actions: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] = {
            "decide": self._act_decide, "goto": self._act_goto, "refresh": self._act_refresh,
        }
        self._sync(first_open=True)
        self.on_msg(self._on_custom_msg)

    # ---- Python API: the same operations the buttons use ------------------------------------------
    def decide(self, decision: str, start: int | None = None, end: int | None = None) -> dict[str, Any]:
        """Decide the current item (then move to the next undecided one)."""
        return self.dispatch({"action": "decide", "decision": decision, "start": start, "end": end}, raise_errors=True)

    def goto(self, index: int) -> None:
        self.dispatch({"action": "goto", "index": index}, raise_errors=True)

    # ---- actions ---------------------------------------------------------------------------------
    def _act_decide(self, content: dict[str, Any]) -> dict[str, Any]:
        items = self.adjudication.items
        if not items:
            raise ValidationError("there is nothing to decide: the coders agree everywhere")
        item = items[self.index]
        start, end = content.get("start"), content.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or float(value) != int(value)):
                raise ValidationError(f"{name} must be a whole code-point offset, got {value!r}")
        result = self.adjudication.decide(item, str(content.get("decision")),
                                          None if start is None else int(start), None if end is None else int(end))
        self.status = f"{item.label} in {item.document}: {_said(result['decision'], self.coders)} ({len(result['consensus'])} consensus coding(s))"
        after = [i for i in range(self.index + 1, len(items)) if items[i].decision is None]
        self._sync(index=after[0] if after else self.index)
        return {"group": result["group"], "consensus": [list(s) for s in result["consensus"]]}

    def _act_goto(self, content: dict[str, Any]) -> None:
        index = content.get("index")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < max(1, len(self.adjudication.items)):
            raise ValidationError(f"no disagreement number {index!r}")
        self._sync(index=index)

    def _act_refresh(self, _content: dict[str, Any]) -> None:
        self.adjudication.refresh()
        self._sync(index=min(self.index, max(0, len(self.adjudication.items) - 1)))

    def _sync(self, index: int | None = None, first_open: bool = False) -> None:
        items = self.adjudication.items
        if first_open:
            open_ = [i for i, it in enumerate(items) if it.decision is None]
            index = open_[0] if open_ else 0
        self.items = [{**it.as_dict(), "colour": self._colours.get(it.code, "#888888")} for it in items]
        self.index = index if index is not None else self.index
        if items:
            item = items[self.index]
            self.context = {"item": item.id, **context_pieces(self.project.text(item.document), item, self.coders)}
        else:
            self.context = {}


def _said(decision: str, coders: list[str]) -> str:
    return {"a": f"accepted {coders[0]}", "b": f"accepted {coders[1]}", "both": "kept both", "neither": "kept neither",
            "edit": "edited span"}.get(decision, decision)
