"""The coding view: read a document, select a passage, apply a code - in JupyterLab and in Voila.

Python is the single source of truth. The browser side (coding_view.js) only renders the traits below and
turns user actions into custom messages (`{"action": ..., "req": n, ...}`); `dispatch` handles each one
through a `CodingSession`, re-reads what changed and answers `{"event": "done", "req": n, "ok": ...}` after
the traits are updated, so the page always shows what is in the database.

Offsets are Unicode code points into the stored text (Python `str` indices). Every rendered chunk carries
its code-point start; the JavaScript counts code points inside a chunk, never UTF-16 units.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets
from sqlalchemy import select

from ..codebook.tree import Codebook
from ..coding.session import CodingSession
from ..coding.spans import paragraphs
from ..corpus.transcript import format_time
from ..errors import NotFound, ValidationError, WorkbenchError
from ..store.events import events
from ..store.project import Project
from ..store.schema import codings as codings_table

RECENT = 9  # digits 1-9 apply the nine most recently used codes


def _as_json(value: Any, _widget: Any) -> str:
    """Serialise a large list trait as one JSON string for the browser.

    ipywidgets walks every nested dict and list of a trait's value looking for binary buffers; for a
    thousand codings that walk costs more than the rest of a coding action. One string is not walked,
    and the browser parses it with JSON.parse.
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _offset(content: dict[str, Any], key: str) -> int:
    value = content.get(key)
    if value is None:
        raise ValidationError("select a passage in the text first, then pick a code",
                              fix="drag over the words to code, then click a code or press its number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{key} must be an integer code-point offset, got {value!r}")
    return value


def _coding_id(content: dict[str, Any]) -> int:
    value = content.get("id")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"coding id must be an integer, got {value!r}")
    return value


class CodingView(anywidget.AnyWidget):
    """Code one document at a time on behalf of `coder`.

    >>> view = CodingView(Project.open("my-project"), "coder-a")   # doctest: +SKIP
    >>> view                                                        # doctest: +SKIP

    Shows speaker turns with their timestamps, every coder's codings as coloured highlights with stacked
    underlines and margin stripes (so overlapping and nested codings stay visible), a searchable code tree,
    the nine most recent codes on keys 1-9, a popup per highlight (codes, coder, memo; remove or edit your
    own), filters by code and coder, navigation between documents, and undo/redo of this coder's actions.
    """

    _esm = Path(__file__).with_name("coding_view.js")
    _css = Path(__file__).with_name("coding_view.css")

    coder = traitlets.Unicode("").tag(sync=True)
    documents = traitlets.List(traitlets.Unicode()).tag(sync=True)
    document = traitlets.Unicode("").tag(sync=True)
    kind = traitlets.Unicode("").tag(sync=True)
    # [{i, seq, speaker, time, start, end, text}]: start/end are code points; text == stored[start:end]
    # The two large traits travel as one JSON string each (see _as_json): plain Lists, no per-item checks.
    chunks = traitlets.List().tag(sync=True, to_json=_as_json)
    # [{id, start, end, code, label, colour, coder, memo}] for the current document, all coders; the
    # browser takes quotes from the chunks (smaller messages: a coding action re-sends this list)
    codings = traitlets.List().tag(sync=True, to_json=_as_json)
    # [{id, label, parent, colour, depth, path, codable}] in tree order
    codes = traitlets.List(traitlets.Dict()).tag(sync=True)
    coders = traitlets.List(traitlets.Unicode()).tag(sync=True)
    # highlights shown: codes (with their sub-codes) and coders; an empty list means all
    filters = traitlets.Dict({"codes": [], "coders": []}).tag(sync=True)
    recent = traitlets.List(traitlets.Unicode()).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    snap = traitlets.Bool(True).tag(sync=True)

    def __init__(self, project: Project, coder: str, document: str | None = None, *, snap: bool = True,
                 **kwargs: Any):
        self.project = project
        self.session = CodingSession(project, coder, snap=snap)
        self._code_index: dict[str, dict[str, Any]] = {}
        self._shown_name: str | None = None
        self._doc_id: int | None = None
        self._text = ""
        super().__init__(coder=coder, snap=snap, **kwargs)
        self._actions: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] = {
            "code": self._act_code, "uncode": self._act_uncode, "memo": self._act_memo,
            "undo": self._act_undo, "redo": self._act_redo, "document": self._act_document,
            "filter": self._act_filter, "refresh": self._act_refresh, "clear_error": self._act_clear_error,
        }
        with self.hold_sync():
            self._load_codebook()
            self._load_documents()
            self._load_recent()
            names = list(self.documents)
            if document is not None and document not in names:
                raise NotFound(f"no document {document!r}", fix="see Project.documents() for the names")
            self._show(document if document is not None else (names[0] if names else ""))
        self.on_msg(self._on_custom_msg)

    # ---- public Python API (the same operations the browser uses) --------------------------------
    def show(self, document: str) -> None:
        """Switch to another document."""
        self.dispatch({"action": "document", "name": document}, raise_errors=True)

    def apply(self, start: int, end: int, code: str, memo: str | None = None) -> int:
        """Code [start, end) of the current document (snapped to words if `snap`); returns the coding id."""
        reply = self.dispatch({"action": "code", "start": start, "end": end, "code": code, "memo": memo},
                              raise_errors=True)
        return reply["coding"]

    def refresh(self) -> None:
        """Re-read documents, codebook and codings (after changes made elsewhere, e.g. another cell)."""
        self.dispatch({"action": "refresh"}, raise_errors=True)

    def dispatch(self, content: dict[str, Any], raise_errors: bool = False) -> dict[str, Any]:
        """Handle one message from the browser; returns the reply (also sent to the browser by the comm)."""
        began = time.perf_counter()
        action = content.get("action") if isinstance(content, dict) else None
        reply: dict[str, Any] = {"event": "done", "req": content.get("req") if isinstance(content, dict) else None,
                                 "action": action, "ok": True}
        handler = self._actions.get(action) if isinstance(action, str) else None
        try:
            if handler is None:
                raise ValidationError(f"unknown action {action!r}")
            with self.hold_sync():
                result = handler(content)
                if action != "clear_error":
                    self.error = ""
            reply.update(result or {})
        except WorkbenchError as exc:
            self.error = str(exc)
            reply.update(ok=False, error=self.error)
            if raise_errors:
                raise
        except Exception as exc:  # an unexpected failure must show in the view, not vanish in a log
            self.error = f"{type(exc).__name__}: {exc}"
            reply.update(ok=False, error=self.error)
            if raise_errors:
                raise
        reply["python_ms"] = round((time.perf_counter() - began) * 1000, 2)
        return reply

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("kind") == "anywidget-command":
            return  # anywidget's own command protocol
        self.send(self.dispatch(content))

    # ---- actions ---------------------------------------------------------------------------------
    def _act_code(self, content: dict[str, Any]) -> dict[str, Any]:
        if not self.document:
            raise ValidationError("no document to code", fix="import documents into the project first")
        code = content.get("code")
        if code is None and content.get("recent") is not None:
            n = content["recent"]
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= RECENT:
                raise ValidationError(f"recent code number must be 1-{RECENT}, got {n!r}")
            if n > len(self.recent):
                raise ValidationError(f"no recently used code number {n} yet",
                                      fix="apply a code from the code tree first; it then gets a number")
            code = self.recent[n - 1]
        if not isinstance(code, str) or not code:
            raise ValidationError("pick a code to apply", fix="click a code in the code tree")
        start, end = _offset(content, "start"), _offset(content, "end")
        if start > end:
            start, end = end, start
        if start == end:
            raise ValidationError("the selection is empty", fix="drag over at least one word")
        memo = content.get("memo")
        before = {c["id"] for c in self.codings}
        coding_id = self.session.code(self.document, start, end, code, memo if isinstance(memo, str) else None)
        self._touch_recent(code)
        self._reload_coding(coding_id)
        row = next((c for c in self.codings if c["id"] == coding_id), None)
        label = self._code_index.get(code, {}).get("label", code)
        if row is None:  # not in this document's codings: cannot happen, but never fail after a commit
            return {"coding": coding_id}
        quote = self._text[row["start"]:row["end"]]
        quote = quote if len(quote) <= 60 else quote[:57] + "..."
        again = "already coded" if coding_id in before else "coded"
        self.status = f"{again} \u201c{quote}\u201d as {label}"
        return {"coding": coding_id, "start": row["start"], "end": row["end"]}

    def _act_uncode(self, content: dict[str, Any]) -> dict[str, Any]:
        coding_id = _coding_id(content)
        removed = self.session.uncode(coding_id)
        self._reload_coding(coding_id)
        label = self._code_index.get(removed["code_id"], {}).get("label", removed["code_id"])
        self.status = f"removed {label} from \u201c{removed['quote'][:40]}\u201d"
        return {"coding": coding_id}

    def _act_memo(self, content: dict[str, Any]) -> dict[str, Any]:
        coding_id = _coding_id(content)
        memo = content.get("memo")
        if memo is not None and not isinstance(memo, str):
            raise ValidationError(f"memo must be text, got {memo!r}")
        self.session.set_memo(coding_id, (memo or "").strip() or None)
        self._reload_coding(coding_id)
        self.status = "memo saved" if (memo or "").strip() else "memo cleared"
        return {"coding": coding_id}

    def _undo_redo(self, which: str) -> dict[str, Any]:
        group = self.session.undo() if which == "undo" else self.session.redo()
        with self.project.read() as conn:
            action = conn.execute(select(events.c.action).where(
                events.c.group_id == group).order_by(events.c.id).limit(1)).scalar()
        # an undone codebook change or a coding in another document: re-read everything that may show
        self._load_codebook()
        self._load_codings()
        self.status = f"{'undone' if which == 'undo' else 'redone'}: {action or 'action'}"
        return {"group": group}

    def _act_undo(self, _content: dict[str, Any]) -> dict[str, Any]:
        return self._undo_redo("undo")

    def _act_redo(self, _content: dict[str, Any]) -> dict[str, Any]:
        return self._undo_redo("redo")

    def _act_document(self, content: dict[str, Any]) -> dict[str, Any]:
        names = list(self.documents)
        name = content.get("name")
        step = content.get("step")
        if name is None and isinstance(step, int) and not isinstance(step, bool) and names:
            here = names.index(self.document) if self.document in names else 0
            name = names[max(0, min(len(names) - 1, here + step))]
        if name not in names:
            raise NotFound(f"no document {name!r}", fix="pick one from the document list")
        self._show(name)
        self.status = ""
        return {"document": name}

    def _act_filter(self, content: dict[str, Any]) -> dict[str, Any]:
        codes = content.get("codes") or []
        coders = content.get("coders") or []
        if not (isinstance(codes, list) and isinstance(coders, list)):
            raise ValidationError("filters must be lists of code ids and coder names")
        unknown = [c for c in codes if c not in self._code_index]
        if unknown:
            raise NotFound(f"unknown code(s) {', '.join(map(str, unknown))} in the filter")
        self.filters = {"codes": [str(c) for c in codes], "coders": [str(c) for c in coders]}
        return {"filters": self.filters}

    def _act_refresh(self, _content: dict[str, Any]) -> None:
        self._load_codebook()
        self._load_documents()
        names = list(self.documents)
        self._show(self.document if self.document in names else (names[0] if names else ""))
        self.status = "reloaded from the project"

    def _act_clear_error(self, _content: dict[str, Any]) -> None:
        self.error = ""

    # ---- loading state from the project ----------------------------------------------------------
    def _load_documents(self) -> None:
        self.documents = [str(n) for n in self.project.documents()["name"]]

    def _load_codebook(self) -> None:
        frame = Codebook(self.project).frame()
        rows = [{"id": r.id, "label": r.label, "parent": r.parent if isinstance(r.parent, str) else None,
                 "colour": r.colour, "depth": int(r.depth), "path": r.path, "codable": bool(r.codable)}
                for r in frame.itertuples(index=False)]
        self._code_index = {r["id"]: r for r in rows}
        self.codes = rows
        self.recent = [c for c in self.recent if self._code_index.get(c, {}).get("codable")]
        self.filters = {"codes": [c for c in self.filters.get("codes", []) if c in self._code_index],
                        "coders": list(self.filters.get("coders", []))}

    def _load_recent(self) -> None:
        mine = self.project.codings(coder=self.coder)
        if mine.empty:
            return
        ordered = mine.sort_values(["created", "id"], ascending=False)["code"]
        out: list[str] = []
        for code in ordered:
            if code not in out and self._code_index.get(code, {}).get("codable"):
                out.append(code)
            if len(out) == RECENT:
                break
        self.recent = out

    def _touch_recent(self, code: str) -> None:
        self.recent = [code, *(c for c in self.recent if c != code)][:RECENT]

    def _show(self, name: str) -> None:
        """Load a document's chunks and codings (one comm message with hold_sync)."""
        with self.hold_sync():
            self._shown_name = name
            if not name:
                self._doc_id, self._text = None, ""
                self.document, self.kind, self.chunks = "", "", []
                self._load_codings()
                return
            row = self.project.document_row(name)
            self._doc_id, self._text = row["id"], row["text"]
            self.document = name
            self.kind = row["kind"]
            self.chunks = self._chunks(name, row["text"])
            self._load_codings()

    def _chunks(self, name: str, text: str) -> list[dict[str, Any]]:
        turns = self.project.turns(name)
        out: list[dict[str, Any]] = []
        if not turns.empty:
            for t in turns.itertuples(index=False):
                start, end = int(t.speech_start), int(t.end)
                out.append({"i": len(out), "seq": int(t.seq), "speaker": t.speaker if isinstance(t.speaker, str) else None,
                            "time": format_time(int(t.time_ms)) if t.time_ms is not None and t.time_ms == t.time_ms
                            else "", "start": start, "end": end, "text": text[start:end]})
        else:
            for start, end in paragraphs(text):
                if end > start:
                    out.append({"i": len(out), "seq": len(out), "speaker": None, "time": "", "start": start,
                                "end": end, "text": text[start:end]})
        return out

    _COLUMNS = (codings_table.c.id, codings_table.c.start, codings_table.c.end, codings_table.c.code_id,
                codings_table.c.coder_id, codings_table.c.memo)

    def _coding_row(self, cid: int, start: int, end: int, code: str, coder: str, memo: str | None) -> dict[str, Any]:
        info = self._code_index.get(code) or {"label": code, "colour": "#888888"}
        return {"id": cid, "start": start, "end": end, "code": code, "label": info["label"],
                "colour": info["colour"], "coder": coder, "memo": memo or ""}

    def _load_codings(self) -> None:
        """Re-read the current document's codings (all coders) and the coder list."""
        if self._doc_id is None:
            self.codings, self.coders = [], [self.coder]
            return
        c = codings_table.c
        with self.project.read() as conn:
            found = conn.execute(select(*self._COLUMNS).where(c.document_id == self._doc_id)
                                 .order_by(c.start, c.end, c.code_id, c.coder_id)).all()
        self.codings = [self._coding_row(*r) for r in found]
        names = {r["coder"] for r in self.codings} | {self.coder} | {str(x) for x in self.project.coders()["id"]}
        self.coders = sorted(names)

    def _reload_coding(self, coding_id: int) -> None:
        """After one coding changed: re-read just that row from the database and re-send the list.

        Cheaper than re-reading the document's codings, and it keeps the kernel's garbage collector
        calm: the other rows are reused, so each action leaves almost no new long-lived objects.
        """
        c = codings_table.c
        with self.project.read() as conn:
            found = conn.execute(select(*self._COLUMNS).where(c.id == coding_id, c.document_id == self._doc_id)).first()
        rows = [r for r in self.codings if r["id"] != coding_id]
        if found is not None:
            rows.append(self._coding_row(*found))
            rows.sort(key=lambda r: (r["start"], r["end"], r["code"], r["coder"]))
        self.codings = rows

    @traitlets.validate("document")
    def _check_document(self, proposal: Any) -> str:
        name = proposal["value"]
        if name and self.documents and name not in self.documents:
            raise traitlets.TraitError(f"no document {name!r}; see CodingView.documents")
        return name

    @traitlets.observe("snap")
    def _snap_set(self, change: Any) -> None:
        self.session.snap = bool(change["new"])

    @traitlets.observe("document")
    def _document_set(self, change: Any) -> None:
        # `view.document = "x"` from Python loads that document; `_show` itself sets it already loaded
        if change["new"] != self._shown_name:
            self._show(change["new"])
