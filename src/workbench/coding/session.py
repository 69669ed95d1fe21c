"""A coder's session: code and uncode spans, memos, in-vivo codes, undo and redo.

Every call is one transaction and one event group in the coder's name, so undo is per coder.
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..codebook.io import COLOUR_RE
from ..codebook.tree import Codebook
from ..errors import ConflictError, NotFound, ValidationError
from ..store import queries
from ..store.events import Tx, now
from ..store.project import Project
from ..store.schema import codes, codings
from .spans import snap_to_words


def ensure_coder(tx: Tx, coder: str) -> None:
    """Register a coder other than the acting one (e.g. `consensus`) - the same registry the transaction
    uses for its own actor."""
    Project._check_actor(coder)
    queries.register_coder(tx.conn, coder)


def as_offset(value: Any, name: str, where: str) -> int:
    """Any integral number (int, numpy.int64, 12.0) as an int; anything else is refused."""
    if isinstance(value, bool):
        raise ValidationError(f"{name} must be an integer, got {value!r}", where=where)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    raise ValidationError(f"offsets must be integers, got {name}={value!r}", where=where)


def check_span(text: str, start: Any, end: Any, where: str) -> tuple[int, int]:
    start, end = as_offset(start, "start", where), as_offset(end, "end", where)
    if not 0 <= start < end <= len(text):
        raise ValidationError(f"invalid offsets [{start}, {end}) for a text of {len(text)} characters",
                              where=where, fix="offsets are code points, 0 <= start < end <= length")
    return start, end


def insert_coding(tx: Tx, doc: dict[str, Any], start: int, end: int, code: str, coder: str,
                  memo: str | None = None) -> int:
    """Validated insert of one coding; returns the coding id (the existing one if already coded)."""
    where = f"document {doc['name']!r}"
    start, end = check_span(doc["text"], start, end, where)
    code_row = tx.get(codes, {"id": code})
    if code_row is None:
        raise NotFound(f"unknown code {code!r}", where=where, fix="create it in the codebook first")
    if not code_row["codable"]:
        raise ValidationError(f"code {code!r} is a folder and cannot be applied", where=where)
    if coder != tx.actor:
        ensure_coder(tx, coder)
    existing = queries.coding_at(tx.conn, doc["id"], start, end, code, coder)
    if existing is not None:
        return existing
    return tx.insert(codings, {"document_id": doc["id"], "start": start, "end": end, "code_id": code,
                               "coder_id": coder, "memo": memo or None, "quote": doc["text"][start:end],
                               "created": now()})["id"]


class CodingSession:
    """Coding on behalf of one coder. `snap=True` widens selections to whole words."""

    def __init__(self, project: Project, coder: str, snap: bool = True):
        self.project = project
        self.coder = coder
        self.snap = snap

    def _doc(self, tx: Tx, document: str | int) -> dict[str, Any]:
        return self.project.document_row(document, tx.conn)

    def code(self, document: str | int, start: int, end: int, code: str, memo: str | None = None) -> int:
        """Apply `code` to [start, end); returns the coding id (the existing one if already coded)."""
        with self.project.transaction(self.coder, "coding.add") as tx:
            doc = self._doc(tx, document)
            start, end = check_span(doc["text"], start, end, f"document {doc['name']!r}")
            if self.snap:
                start, end = snap_to_words(doc["text"], start, end)
            return insert_coding(tx, doc, start, end, code, self.coder, memo)

    def code_many(self, rows: Iterable[Mapping[str, Any]] | pd.DataFrame, *, action: str = "coding.add",
                  memo: str | None = None, summary: str | None = None) -> int:
        """Apply many codings as one undoable group; returns how many were new.

        `rows`: dicts or a DataFrame with document, start, end, code (and optionally memo). Offsets are
        taken as given (no snapping). Everything is checked before anything is written; the batch is
        then committed in short chunks that share one event group, so other writers are never kept
        waiting for long.
        """
        from .bulk import add_codings

        return add_codings(self.project, rows, coder=self.coder, actor=self.coder, action=action,
                           memo=memo, summary=summary)

    def _own(self, tx: Tx, coding_id: int) -> dict[str, Any]:
        row = tx.get(codings, {"id": coding_id})
        if row is None:
            raise NotFound(f"no coding {coding_id}")
        if row["coder_id"] != self.coder:
            raise ConflictError(f"coding {coding_id} belongs to {row['coder_id']}, not {self.coder}",
                                fix="each coder changes only their own codings")
        return row

    def uncode(self, coding_id: int) -> dict[str, Any]:
        """Remove one of this coder's codings; returns the removed row."""
        with self.project.transaction(self.coder, "coding.remove") as tx:
            self._own(tx, coding_id)
            return tx.delete(codings, {"id": coding_id})

    def uncode_span(self, document: str | int, start: int, end: int, code: str) -> int:
        """Remove this coder's codings of `code` that overlap [start, end); returns how many."""
        with self.project.transaction(self.coder, "coding.remove") as tx:
            doc = self._doc(tx, document)
            ids = queries.overlapping(tx.conn, doc["id"], code, self.coder, start, end)
            for cid in ids:
                tx.delete(codings, {"id": cid})
            return len(ids)

    def set_memo(self, coding_id: int, memo: str | None) -> None:
        with self.project.transaction(self.coder, "coding.memo") as tx:
            self._own(tx, coding_id)
            tx.update(codings, {"id": coding_id}, memo=memo or None)

    def in_vivo(self, document: str | int, start: int, end: int, parent: str | None = None,
                colour: str = "#7f7f7f") -> tuple[str, int]:
        """Create a code named by the selected words and apply it, in one undoable step."""
        if not COLOUR_RE.match(colour):
            raise ValidationError(f"invalid colour {colour!r}")
        with self.project.transaction(self.coder, "coding.in-vivo") as tx:
            doc = self._doc(tx, document)
            start, end = check_span(doc["text"], start, end, f"document {doc['name']!r}")
            if self.snap:
                start, end = snap_to_words(doc["text"], start, end)
            label = " ".join(doc["text"][start:end].split())[:120]
            slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", label.lower())
                          .encode("ascii", "ignore").decode()).strip("-")[:60] or "code"
            code_id, n = f"iv-{slug}", 1
            cb = Codebook(self.project, self.coder)
            while tx.get(codes, {"id": code_id}) is not None:
                n += 1
                code_id = f"iv-{slug}-{n}"
            cb.create(code_id, label, parent, colour=colour, definition="In-vivo code")  # joins this group
            return code_id, insert_coding(tx, doc, start, end, code_id, self.coder)

    def codings(self, document: str | None = None) -> pd.DataFrame:
        return self.project.codings(coder=self.coder, document=document)

    def undo(self) -> int:
        return self.project.undo(self.coder)

    def redo(self) -> int:
        return self.project.redo(self.coder)

    def undo_step(self, which: str = "undo") -> dict[str, Any]:
        """Undo (or redo) and say what it was: {"group", "message", ...}."""
        return self.project.undo_step(self.coder, which)

