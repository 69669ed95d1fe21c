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
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..codebook.io import COLOUR_RE
from ..codebook.tree import Codebook
from ..coding.session import CodingSession
from ..corpus.transcript import format_time
from ..corpus.units import split
from ..errors import NotFound, ValidationError
from ..store import queries
from ..store.project import Project
from .actions import Actions

RECENT = 9  # digits 1-9 apply the nine most recently used codes
MIN_DELTA_E = 12.0  # CIE76: codes of one theme at least this far apart on screen (about 2.3 is just noticeable)
NEW_CODE_COLOUR = "#7f7f7f"
_WHITE = (0.95047, 1.0, 1.08883)  # D65


# ---- colours: distinguishable within one theme (pure, tested) ---------------------------------------
@lru_cache(maxsize=4096)
def _lab(hex_colour: str) -> tuple[float, float, float]:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           0.0193 * r + 0.1192 * g + 0.9505 * b)
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
                  for t in (v / w for v, w in zip(xyz, _WHITE, strict=True)))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _hex(lab: tuple[float, float, float]) -> str | None:
    """The sRGB hex of a Lab colour, or None when it lies outside the sRGB gamut."""
    lightness, a, b = lab
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200
    x, y, z = ((f ** 3 if f ** 3 > 0.008856 else (f - 16 / 116) / 7.787) * w
               for f, w in zip((fx, fy, fz), _WHITE, strict=True))
    out = []
    for lin in (3.2406 * x - 1.5372 * y - 0.4986 * z, -0.9689 * x + 1.8758 * y + 0.0415 * z,
                0.0557 * x - 0.2040 * y + 1.0570 * z):
        c = 12.92 * lin if lin <= 0.0031308 else 1.055 * max(lin, 0.0) ** (1 / 2.4) - 0.055
        if not -0.002 <= c <= 1.002:
            return None
        out.append(round(min(1.0, max(0.0, c)) * 255))
    return "#{:02x}{:02x}{:02x}".format(*out)


def delta_e(x: str, y: str) -> float:
    """CIE76 difference of two #rrggbb colours: above about 12, two stripes side by side read as different."""
    return math.dist(_lab(x.lower()), _lab(y.lower()))


@lru_cache(maxsize=1024)
def _variants(colour: str) -> tuple[str, ...]:
    """Colours near `colour` (hue turned, lighter, darker), nearest first: the theme's look is kept."""
    lightness, a, b = _lab(colour)
    chroma, hue = max(math.hypot(a, b), 35.0), math.atan2(b, a)
    out = set()
    for turn in (0, 25, -25, 50, -50, 75, -75, 100, -100):
        for shade in (0, -15, 15, -30, 30):
            h = hue + math.radians(turn)
            for c in (chroma, chroma * 0.7):
                cand = _hex((min(88.0, max(28.0, lightness + shade)), c * math.cos(h), c * math.sin(h)))
                if cand is not None:
                    out.add(cand)
    return tuple(sorted(out, key=lambda v: (delta_e(v, colour), v)))


def distinct_colours(codes: list[dict[str, Any]], min_delta: float = MIN_DELTA_E) -> dict[str, str]:
    """Display colour per code id: the codebook's own colour unless a code shown earlier in the same theme
    (top-level branch) is closer than `min_delta`; then the nearest variant that is far enough from all.

    Codebooks often give a whole theme one hue in barely different shades (the demo's 92 codes do), so
    stripes side by side could not be told apart. The stored colours are not changed.
    """
    by_id = {c["id"]: c for c in codes}
    themes: dict[str, list[str]] = {}
    out: dict[str, str] = {}
    for c in codes:
        root = c
        while root.get("parent") in by_id and root["parent"] != root["id"]:
            root = by_id[root["parent"]]
        taken = themes.setdefault(root["id"], [])
        own = c["colour"].lower() if COLOUR_RE.match(c.get("colour") or "") else "#888888"
        pick: str | None = own
        if any(delta_e(own, t) < min_delta for t in taken):
            candidates = _variants(own)
            pick = next((v for v in candidates if all(delta_e(v, t) >= min_delta for t in taken)), None)
            if pick is None:  # a crowded theme: the variant farthest from the others
                pick = max(candidates, key=lambda v: min(delta_e(v, t) for t in taken))
        taken.append(pick)
        out[c["id"]] = pick
    return out


def code_id_for(label: str, taken: Callable[[str], bool], prefix: str = "") -> str:
    """A stable id from a label ("Erg veel werk" -> "erg-veel-werk"), numbered when taken."""
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", label.lower())
                  .encode("ascii", "ignore").decode()).strip("-")[:60] or "code"
    code_id, n = f"{prefix}{slug}", 1
    while taken(code_id):
        n += 1
        code_id = f"{prefix}{slug}-{n}"
    return code_id


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


def _coding_id(content: dict[str, Any], what: str = "coding") -> int:
    value = content.get("id")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{what} id must be an integer, got {value!r}")
    return value


class CodingView(Actions, anywidget.AnyWidget):
    """Code one document at a time on behalf of `coder`.

    >>> view = CodingView(Project.open("my-project"), "coder-a")   # doctest: +SKIP
    >>> view                                                        # doctest: +SKIP

    Shows speaker turns with their timestamps, every coder's codings as coloured highlights with stacked
    underlines and margin stripes (so overlapping and nested codings stay visible) with the code's label
    beside each stripe, a searchable, collapsible code tree (create a code, or an in-vivo code from the
    selection), the nine most recent codes on keys 1-9, a popup per highlight (codes, coder, memo; remove
    or edit your own), filters by code and coder, navigation between documents, undo/redo of this coder's
    actions (the status line says what was undone and whose it was), and blind coding: with `blind` on,
    other coders' codings stay hidden in a document until this coder marks it done.
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
    # blind coding: other coders' codings are not even sent to the browser until this coder marks the
    # current document done (`done`); `hidden` says how many are held back
    blind = traitlets.Bool(False).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    hidden = traitlets.Int(0).tag(sync=True)
    labels = traitlets.Bool(True).tag(sync=True)  # code labels in the margin beside the stripes
    # [{id, start, end, code, label, colour, score}]: suggested codings (workbench.suggest, e.g. from a topic
    # model) not decided yet in this document; shown apart (dashed), accepted or rejected one by one
    suggestions = traitlets.List().tag(sync=True, to_json=_as_json)

    def __init__(self, project: Project, coder: str, document: str | None = None, *, snap: bool = True,
                 blind: bool = False, **kwargs: Any):
        self.project = project
        self.session = CodingSession(project, coder, snap=snap)
        self._code_index: dict[str, dict[str, Any]] = {}
        self._shown_name: str | None = None
        self._doc_id: int | None = None
        self._text = ""
        self._loading = True
        super().__init__(coder=coder, snap=snap, blind=blind, **kwargs)
        self._actions: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] = {
            "code": self._act_code, "uncode": self._act_uncode, "memo": self._act_memo,
            "undo": self._act_undo, "redo": self._act_redo, "document": self._act_document,
            "filter": self._act_filter, "refresh": self._act_refresh, "clear_error": self._act_clear_error,
            "create_code": self._act_create_code, "in_vivo": self._act_in_vivo, "blind": self._act_blind,
            "done": self._act_done, "suggestion": self._act_suggestion,
        }
        with self.hold_sync():
            self._load_codebook()
            self._load_documents()
            self._load_recent()
            names = list(self.documents)
            if document is not None and document not in names:
                raise NotFound(f"no document {document!r}", fix="see Project.documents() for the names")
            self._show(document if document is not None else (names[0] if names else ""))
        self._loading = False
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

    def mark_done(self, done: bool = True) -> None:
        """Mark the current document done for this coder (in blind mode, others' codings then show)."""
        self.dispatch({"action": "done", "done": done}, raise_errors=True)

    def create_code(self, label: str, parent: str | None = None, colour: str | None = None) -> str:
        """Add a code to the codebook (in this coder's undo history); returns its id."""
        reply = self.dispatch({"action": "create_code", "label": label, "parent": parent, "colour": colour},
                              raise_errors=True)
        return reply["code"]

    def in_vivo(self, start: int, end: int, parent: str | None = None) -> tuple[str, int]:
        """Create a code named by the words in [start, end) and apply it; returns (code id, coding id)."""
        reply = self.dispatch({"action": "in_vivo", "start": start, "end": end, "parent": parent},
                              raise_errors=True)
        return reply["code"], reply["coding"]

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
        step = self.project.undo_step(self.coder, which)
        # an undone codebook change, a "done" mark or a coding in another document: re-read what may show
        self._load_codebook()
        self._load_done()
        self._load_codings()
        self._load_suggestions()
        self.status = step["message"]  # e.g. "undid: coding.add by anna (#12), 1 row": whose, and what
        return {"group": step["group"], "undone": step["action"], "actor": step["actor"], "rows": step["rows"]}

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
        self._shown_name = None  # re-read the current document too (its suggestions, its done mark)
        self._show(self.document if self.document in names else (names[0] if names else ""))
        self.status = "reloaded from the project"

    def _act_clear_error(self, _content: dict[str, Any]) -> None:
        self.error = ""

    def _parent(self, content: dict[str, Any]) -> str | None:
        parent = content.get("parent") or None
        if parent is not None and (not isinstance(parent, str) or parent not in self._code_index):
            raise NotFound(f"no code {parent!r} to put the new code under",
                           fix="pick a parent from the code tree, or none for a top-level code")
        return parent

    def _act_create_code(self, content: dict[str, Any]) -> dict[str, Any]:
        label = content.get("label")
        if not isinstance(label, str) or not " ".join(label.split()):
            raise ValidationError("the new code needs a label", fix="type its name in the new-code box")
        label = " ".join(label.split())
        if len(label) > 200:
            raise ValidationError(f"a code label has at most 200 characters, this one {len(label)}")
        parent = self._parent(content)
        colour = content.get("colour") or None
        if colour is None:  # a child starts in its parent's colour; the view keeps siblings apart
            colour = self._code_index[parent]["codebook_colour"] if parent else NEW_CODE_COLOUR
        if not isinstance(colour, str) or not COLOUR_RE.match(colour):
            raise ValidationError(f"invalid colour {colour!r}", fix="use #rrggbb, e.g. #4e79a7")
        same = [c["id"] for c in self.codes if c["label"].casefold() == label.casefold() and c["parent"] == parent]
        if same:
            raise ValidationError(f"a code {label!r} exists already here ({same[0]})",
                                  fix="apply the existing code, or give the new one another name")
        code_id = code_id_for(label, lambda cid: cid in self._code_index)
        Codebook(self.project, self.coder).create(code_id, label, parent, colour=colour)
        self._load_codebook()
        self.status = f"created code {label}" + (f" under {self._code_index[parent]['label']}" if parent else "")
        return {"code": code_id}

    def _act_in_vivo(self, content: dict[str, Any]) -> dict[str, Any]:
        if not self.document:
            raise ValidationError("no document to code", fix="import documents into the project first")
        start, end = _offset(content, "start"), _offset(content, "end")
        if start > end:
            start, end = end, start
        if start == end:
            raise ValidationError("the selection is empty", fix="drag over the words that name the code")
        parent = self._parent(content)
        colour = self._code_index[parent]["codebook_colour"] if parent else NEW_CODE_COLOUR
        code_id, coding_id = self.session.in_vivo(self.document, start, end, parent, colour=colour)
        self._load_codebook()
        self._touch_recent(code_id)
        self._reload_coding(coding_id)
        label = self._code_index.get(code_id, {}).get("label", code_id)
        self.status = f"in-vivo code “{label}” created and applied"
        return {"code": code_id, "coding": coding_id}

    def _act_suggestion(self, content: dict[str, Any]) -> dict[str, Any]:
        from ..suggest.review import decide

        suggestion = _coding_id(content, "suggestion")
        decision = content.get("decision")
        shown = next((x for x in self.suggestions if x["id"] == suggestion), None)
        if shown is None:
            raise NotFound(f"no open suggestion {suggestion} in {self.document}",
                           fix="press the reload button: it may have been decided elsewhere")
        row = decide(self.project, suggestion, decision, actor=self.coder, coder=self.coder)
        self._load_suggestions()
        self._load_codings()
        quote = self._text[row["start"]:row["end"]]
        quote = quote if len(quote) <= 60 else quote[:57] + "..."
        self.status = f"{row['status']} suggestion {shown['label']} for \u201c{quote}\u201d"
        return {"suggestion": suggestion, "decision": row["status"]}

    def _act_blind(self, content: dict[str, Any]) -> dict[str, Any]:
        on = content.get("on")
        if not isinstance(on, bool):
            raise ValidationError(f"blind must be true or false, got {on!r}")
        self.blind = on  # the observer re-reads the codings
        return {"blind": on}

    def _act_done(self, content: dict[str, Any]) -> dict[str, Any]:
        if not self.document:
            raise ValidationError("no document to mark done", fix="import documents into the project first")
        done = content.get("done", True)
        if not isinstance(done, bool):
            raise ValidationError(f"done must be true or false, got {done!r}")
        self.project.mark_done(self.coder, self.document, done)
        self._load_done()
        self._load_codings()
        shown = " - other coders' codings are shown now" if done and self.blind else ""
        self.status = (f"marked {self.document} done{shown}" if done else f"{self.document} reopened")
        return {"done": self.done}

    # ---- loading state from the project ----------------------------------------------------------
    def _load_documents(self) -> None:
        self.documents = [str(n) for n in self.project.documents()["name"]]

    def _load_codebook(self) -> None:
        frame = Codebook(self.project).frame()
        rows = [{"id": r.id, "label": r.label, "parent": r.parent if isinstance(r.parent, str) else None,
                 "colour": r.colour, "codebook_colour": r.colour, "depth": int(r.depth), "path": r.path,
                 "gloss": r.gloss if isinstance(r.gloss, str) else "", "codable": bool(r.codable)}
                for r in frame.itertuples(index=False)]
        shown = distinct_colours(rows)
        for r in rows:
            r["colour"] = shown[r["id"]]
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
                self._load_suggestions()
                return
            [doc] = self.project.texts([name])
            self._doc_id, self._text = doc.id, doc.text
            self.document = name
            self.kind = doc.kind
            self.chunks = list(_chunks(doc))
            self._load_done()
            self._load_codings()
            self._load_suggestions()

    def _load_suggestions(self) -> None:
        """The current document's undecided suggestions (none where workbench.suggest is not installed)."""
        if not self.document:
            self.suggestions = []
            return
        try:
            from ..suggest.review import suggestions as suggested
        except ImportError:  # the topic-model extra is optional: the view works without it
            self.suggestions = []
            return
        frame = suggested(self.project, document=self.document, status="suggested")
        out = []
        for r in frame.itertuples(index=False):
            info = self._code_index.get(r.code) or {"label": r.code, "colour": "#888888"}
            score = None if r.score is None or r.score != r.score else round(float(r.score), 3)
            out.append({"id": int(r.id), "start": int(r.start), "end": int(r.end), "code": r.code,
                        "label": info["label"], "colour": info["colour"], "score": score})
        self.suggestions = out

    def _load_done(self) -> None:
        if self._doc_id is None:
            self.done = False
            return
        with self.project.read() as conn:
            self.done = queries.assignment_done(conn, self.coder, self._doc_id)

    def _coding_row(self, cid: int, start: int, end: int, code: str, coder: str, memo: str | None) -> dict[str, Any]:
        info = self._code_index.get(code) or {"label": code, "colour": "#888888"}
        return {"id": cid, "start": start, "end": end, "code": code, "label": info["label"],
                "colour": info["colour"], "coder": coder, "memo": memo or ""}

    def _hides(self, coder: str) -> bool:
        """Blind coding: another coder's coding stays out of the view until this coder is done."""
        return self.blind and not self.done and coder != self.coder

    def _load_codings(self) -> None:
        """Re-read the current document's codings (all coders, unless blind) and the coder list."""
        if self._doc_id is None:
            self.codings, self.coders, self.hidden = [], [self.coder], 0
            return
        with self.project.read() as conn:
            found = queries.document_codings(conn, self._doc_id)
            names = set(queries.coders_with_codings(conn)) | {self.coder}
        shown = [r for r in found if not self._hides(r[4])]
        self.hidden = len(found) - len(shown)
        self.codings = [self._coding_row(*r) for r in shown]
        self.coders = sorted(names)

    def _reload_coding(self, coding_id: int) -> None:
        """After one coding changed: re-read just that row from the database and re-send the list.

        Cheaper than re-reading the document's codings, and it keeps the kernel's garbage collector
        calm: the other rows are reused, so each action leaves almost no new long-lived objects.
        """
        with self.project.read() as conn:
            found = queries.coding(conn, coding_id)
        rows = [r for r in self.codings if r["id"] != coding_id]
        if found is not None and found["document_id"] == self._doc_id and not self._hides(found["coder_id"]):
            rows.append(self._coding_row(found["id"], found["start"], found["end"], found["code_id"],
                                         found["coder_id"], found["memo"]))
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

    @traitlets.observe("blind")
    def _blind_set(self, change: Any) -> None:
        if not self._loading and change["new"] != change["old"]:
            self._load_codings()
            self.status = ("blind coding: other coders' codings are hidden until you mark a document done"
                           if change["new"] else "showing every coder's codings")

    @traitlets.observe("document")
    def _document_set(self, change: Any) -> None:
        # `view.document = "x"` from Python loads that document; `_show` itself sets it already loaded
        if change["new"] != self._shown_name:
            self._show(change["new"])


def _chunks(doc: queries.DocText) -> Iterator[dict[str, Any]]:
    """What the view renders: one chunk per turn's speech (transcripts) or per paragraph (other texts).

    Cut by workbench.corpus.units, so the view's blocks are the paragraph and turn units that auto-coding,
    retrieval and agreement use; a turn's label and timestamp are shown apart, never inside a chunk.
    """
    turns = {t.seq: t for t in doc.turns}
    for i, unit in enumerate(split(doc.text, doc.turns, "turn" if doc.turns else "paragraph", doc.name)):
        time_ms = turns[unit.turn].time_ms if unit.turn in turns else None
        yield {"i": i, "seq": unit.turn if unit.turn is not None else i, "speaker": unit.speaker,
               "time": format_time(int(time_ms)) if time_ms is not None else "",
               "start": unit.start, "end": unit.end, "text": doc.text[unit.start:unit.end]}
