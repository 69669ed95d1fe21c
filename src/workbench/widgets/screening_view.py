"""The screening view: one literature record at a time, decided with include / exclude / maybe keys.

Python is the single source of truth (as in the coding view): the browser renders the `card` and `progress`
traits and sends each key or button press as a custom message `{"action": ..., "req": n, ...}`; `dispatch`
decides through `Screening` (one logged, undoable event group per decision) and answers
`{"event": "done", "req": n, "ok": ...}` after the traits changed. The card is built by `record_card`, a
pure function the tests call without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import pandas as pd
import traitlets

from ..errors import ValidationError
from ..literature.rules import Rule, parse_rules
from ..literature.screening import Screening, record_fields
from ..store.project import Project
from .actions import Actions

SHOWN_FIELDS = ("title", "authors", "year", "journal", "publisher", "doi", "type", "education_level", "country")


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def record_card(name: str, fields: Mapping[str, Any], abstract: str, matched: Iterable[Rule],
                decision: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the view shows of one record (pure): its fields, abstract, matched rules and the current call."""
    shown = {k: _plain(fields.get(k)) for k in SHOWN_FIELDS}
    year = shown.get("year")
    return {
        "name": name,
        "title": shown.get("title") or "(no title: not verified)",
        "authors": shown.get("authors") or "",
        "year": "" if year is None else str(year),
        "venue": shown.get("journal") or shown.get("publisher") or "",
        "doi": shown.get("doi") or "",
        "details": {k: v for k, v in shown.items() if k in ("education_level", "country", "type") and v},
        "abstract": abstract.strip(),
        "matched": [{"name": r.name, "decision": r.decision, "reason": r.label} for r in matched],
        "decision": (decision or {}).get("decision"),
        "reason": (decision or {}).get("reason") or "",
    }


class ScreeningView(Actions, anywidget.AnyWidget):
    """Screen literature records one at a time: include (i), exclude (e), maybe (m), with a reason.

    >>> ScreeningView(Project.open("my-study"), "anna", rules=wb.load_rules("criteria.yaml"))  # doctest: +SKIP
    """

    _esm = Path(__file__).with_name("screening_view.js")
    _css = Path(__file__).with_name("screening_view.css")

    screener = traitlets.Unicode("").tag(sync=True)
    card = traitlets.Dict().tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)  # {total, decided, include, exclude, maybe}
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, project: Project, screener: str, *, rules: Iterable[Rule | Mapping[str, Any]] = (),
                 records: Iterable[str] | None = None, **kwargs: Any):
        self.project = project
        self.screening = Screening(project, screener)
        self.rules = parse_rules(rules)
        fields = record_fields(project)
        self.names = list(fields.index) if records is None else [str(r) for r in records]
        missing = [n for n in self.names if n not in fields.index]
        if missing:
            raise ValidationError(f"no literature record {missing[0]!r}", fix="see wb.record_fields(project).index")
        super().__init__(screener=screener, **kwargs)
        self._actions: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] = {
            "decide": self._act_decide, "goto": self._act_goto, "undo": self._act_undo,
        }
        pending = set(self.screening.pending())
        first = next((i for i, n in enumerate(self.names) if n in pending), 0)
        self._sync(first)
        self.on_msg(self._on_custom_msg)

    # ---- Python API: the same operations the keys use -----------------------------------------------
    def decide(self, decision: str, reason: str | None = None) -> dict[str, Any]:
        """Decide the record shown (then move to the next one this screener has not decided)."""
        return self.dispatch({"action": "decide", "decision": decision, "reason": reason}, raise_errors=True)

    def goto(self, index: int) -> None:
        self.dispatch({"action": "goto", "index": index}, raise_errors=True)

    # ---- actions ---------------------------------------------------------------------------------
    def _act_decide(self, content: dict[str, Any]) -> dict[str, Any]:
        if not self.names:
            raise ValidationError("there are no literature records to screen")
        name = self.names[self.index]
        reason = content.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise ValidationError(f"a reason is text, got {reason!r}")
        result = self.screening.decide(name, str(content.get("decision")), reason)
        self.status = f"{name}: {result['decision']}" + (f" ({result['reason']})" if result["reason"] else "")
        pending = set(self.screening.pending())
        after = [i for i in range(self.index + 1, len(self.names)) if self.names[i] in pending]
        before = [i for i in range(self.index) if self.names[i] in pending]
        self._sync((after or before or [self.index])[0])
        return {"record": name, "decision": result["decision"]}

    def _act_goto(self, content: dict[str, Any]) -> None:
        index = content.get("index")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < max(1, len(self.names)):
            raise ValidationError(f"no record number {index!r}", fix=f"use 0 to {len(self.names) - 1}")
        self._sync(index)

    def _act_undo(self, _content: dict[str, Any]) -> dict[str, Any]:
        step = self.screening.undo()
        self.status = step["message"]
        self._sync(self.index)
        return {"message": step["message"]}

    def _sync(self, index: int) -> None:
        decisions = self.screening.decisions()
        mine = decisions[decisions["stage"] == "screen"].set_index("document")
        counts = mine["decision"].value_counts().to_dict() if len(mine) else {}
        self.progress = {"total": len(self.names), "decided": int(sum(n in mine.index for n in self.names)),
                         **{d: int(counts.get(d, 0)) for d in ("include", "exclude", "maybe")}}
        self.index = index
        if not self.names:
            self.card = {}
            return
        name = self.names[index]
        fields = record_fields(self.project)
        row = {k: _plain(v) for k, v in fields.loc[name].items()}
        matched = [r for r in self.rules if r.matches(row)]
        decision = mine.loc[name].to_dict() if name in mine.index else None
        self.card = {**record_card(name, row, self.project.text(name), matched, decision), "position": index}
