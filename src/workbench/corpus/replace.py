"""Replacing a document with a corrected file: the codings come along where their quote is found again.

A wrong file or a wrong encoding must not cost the coding already done. The new file is read like any
import; each coding of the old version is carried over where its quote occurs in the new text (at the
same offsets, or else at the occurrence nearest to where it was) and reported otherwise - never silently
shifted to text it did not quote. One undoable action: the old version, text included, is in the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ConflictError, SourceError, ValidationError
from ..store.events import now
from ..store.project import Project
from ..store.replace import swap_document
from .importers import read_source
from .text import content_hash


@dataclass
class ReplaceReport:
    document: str
    carried: int = 0  # at the same offsets
    moved: int = 0  # found again elsewhere
    lost: pd.DataFrame = field(default_factory=pd.DataFrame)  # not found in the new text

    def __repr__(self) -> str:
        return (f"ReplaceReport({self.document!r}: {self.carried} codings kept in place, {self.moved} moved to "
                f"where their quote is now, {len(self.lost)} not found)")


def _find(text: str, quote: str, near: int) -> int | None:
    """The start of the occurrence of `quote` nearest to `near` (None if it does not occur)."""
    best, at = None, text.find(quote)
    while at != -1:
        if best is None or abs(at - near) < abs(best - near):
            best = at
        at = text.find(quote, at + 1)
    return best


def replace_document(project: Project, name: str, path: str | Path, *, actor: str = "researcher",
                     encoding: str | None = None, kind: str | None = None) -> ReplaceReport:
    path = Path(path)
    docs = read_source(path, encoding)
    if len(docs) != 1:
        raise SourceError(f"holds {len(docs)} documents; a replacement must hold exactly one", where=str(path),
                          fix="split the file, or import it as new documents")
    new = docs[0]
    if kind is not None:
        new.kind = kind
    old = project.document_row(name)
    if content_hash(new.text) == old["content_hash"]:
        raise ValidationError("the new file has the same text as the document; nothing to replace",
                              where=str(path))
    codings = project.codings(document=name)
    plan, lost = [], []
    for c in codings.itertuples(index=False):
        if new.text[c.start:c.end] == c.quote:
            plan.append((int(c.id), int(c.start), int(c.end), "kept"))
            continue
        at = _find(new.text, c.quote, int(c.start))
        if at is None:
            lost.append({"coding": int(c.id), "code": c.code, "coder": c.coder, "start": int(c.start),
                         "end": int(c.end), "quote": c.quote})
        else:
            plan.append((int(c.id), at, at + len(c.quote), "moved"))
    row = {"name": name, "kind": new.kind, "text": new.text, "content_hash": content_hash(new.text),
           "case_id": old["case_id"], "source_path": str(path), "source_format": new.source_format,
           "encoding": new.encoding, "meta": {**new.meta, "replaces": old["content_hash"]}, "imported": now()}
    turns = [{"seq": i, "speaker": t.speaker, "start": t.start, "end": t.end, "speech_start": t.speech_start,
              "time_ms": t.time_ms, "end_time_ms": t.end_time_ms} for i, t in enumerate(new.turns)]
    try:
        swap_document(project, old, row, turns, [(cid, s, e) for cid, s, e, _ in plan],
                      [x["coding"] for x in lost], actor=actor)
    except ConflictError:
        raise
    report = ReplaceReport(name, sum(1 for p in plan if p[3] == "kept"), sum(1 for p in plan if p[3] == "moved"),
                           pd.DataFrame(lost, columns=["coding", "code", "coder", "start", "end", "quote"]))
    return report
