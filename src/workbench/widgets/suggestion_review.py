"""The suggestion review: a run's suggested codings, accepted or rejected one by one (JupyterLab and Voila).

Python is the single source of truth, as in the other views: the browser renders `rows` and sends each
button press as a custom message `{"action": "decide" | "undo" | "show" | "refresh", "req": n, ...}`;
`dispatch` decides through `workbench.suggest.review` (one logged event group per decision, its meta
naming the run) and answers `{"event": "done", "req": n, "ok": ...}` after the traits changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..errors import ValidationError
from ..store.project import Project
from ..suggest import review
from .actions import Actions

SHOW = ("suggested", "all")
QUOTE_CHARS = 400


class SuggestionReview(Actions, anywidget.AnyWidget):
    """List a run's (or every run's) suggestions with accept / reject buttons and undo.

    >>> SuggestionReview(project, run=3, actor="anna")   # doctest: +SKIP
    """

    _esm = Path(__file__).with_name("suggestion_review.js")
    _css = Path(__file__).with_name("suggestion_review.css")

    run = traitlets.Int(None, allow_none=True).tag(sync=True)
    actor = traitlets.Unicode("researcher").tag(sync=True)
    show = traitlets.Unicode("suggested").tag(sync=True)
    # [{id, run, document, start, end, code, label, colour, score, status, decided_by, quote}]
    rows = traitlets.List().tag(sync=True, to_json=lambda v, _w: json.dumps(v, ensure_ascii=False))
    counts = traitlets.Dict().tag(sync=True)  # status -> number, over the whole run
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, project: Project, run: int | None = None, *, actor: str = "researcher",
                 coder: str | None = None, show: str = "suggested", **kwargs: Any):
        if show not in SHOW:
            raise ValidationError(f"unknown show={show!r}", fix=f"use one of {', '.join(SHOW)}")
        Project._check_actor(actor)
        self.project = project
        self.coder = coder
        super().__init__(run=run, actor=actor, show=show, **kwargs)
        self._actions: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] = {
            "decide": self._act_decide, "undo": self._act_undo, "show": self._act_show,
            "refresh": lambda _c: self._sync(),
        }
        self._sync()
        self.on_msg(self._on_custom_msg)

    # ---- Python API: what the buttons do ---------------------------------------------------------
    def accept(self, suggestion: int) -> dict[str, Any]:
        return self.dispatch({"action": "decide", "id": suggestion, "decision": "accept"}, raise_errors=True)

    def reject(self, suggestion: int) -> dict[str, Any]:
        return self.dispatch({"action": "decide", "id": suggestion, "decision": "reject"}, raise_errors=True)

    def undo(self) -> dict[str, Any]:
        return self.dispatch({"action": "undo"}, raise_errors=True)

    # ---- actions ---------------------------------------------------------------------------------
    def _act_decide(self, content: dict[str, Any]) -> dict[str, Any]:
        sid = content.get("id")
        if isinstance(sid, bool) or not isinstance(sid, int):
            raise ValidationError(f"a suggestion id must be a whole number, got {sid!r}")
        row = review.decide(self.project, sid, str(content.get("decision")), actor=self.actor, coder=self.coder)
        self.status = f"{row['status']}: {row['code_id']} in {row['document']} [{row['start']}, {row['end']})"
        self._sync()
        return {"id": sid, "decision": row["status"]}

    def _act_undo(self, _content: dict[str, Any]) -> dict[str, Any]:
        step = self.project.undo_step(self.actor)
        self.status = step["message"]
        self._sync()
        return {"group": step["group"]}

    def _act_show(self, content: dict[str, Any]) -> None:
        show = content.get("show")
        if show not in SHOW:
            raise ValidationError(f"unknown show={show!r}", fix=f"use one of {', '.join(SHOW)}")
        self.show = show
        self._sync()

    def _sync(self) -> None:
        frame = review.suggestions(self.project, run=self.run)
        codes = self.project.codes().set_index("id")
        self.counts = {s: int((frame["status"] == s).sum()) for s in ("suggested", "accepted", "rejected")}
        if self.show == "suggested":
            frame = frame[frame["status"] == "suggested"]
        rows = []
        for r in frame.itertuples(index=False):
            quote = r.quote if len(r.quote) <= QUOTE_CHARS else r.quote[:QUOTE_CHARS] + "…"
            rows.append({"id": int(r.id), "run": int(r.run), "document": r.document, "start": int(r.start),
                         "end": int(r.end), "code": r.code, "label": str(codes["label"].get(r.code, r.code)),
                         "colour": str(codes["colour"].get(r.code, "#888888")),
                         "score": None if r.score is None or r.score != r.score else round(float(r.score), 3),
                         "status": r.status, "decided_by": r.decided_by if isinstance(r.decided_by, str) else None,
                         "quote": quote})
        self.rows = rows  # JSON for the browser: no NaN anywhere (json.dumps would write an invalid `NaN`)
