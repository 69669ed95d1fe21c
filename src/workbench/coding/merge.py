"""Merge another coder's work - a project folder or a `coding/` export - into this project by stable ids.

Documents are matched by name and checked by content (hash for a project, the quote for an export),
codes by their stable id, codings by (document, start, end, code, coder). What matches is added or found
unchanged; everything else is reported as a conflict and never overwritten: an unknown document or code,
a text that differs, a memo that differs from the one here, a code whose label or parent differs (its
codings are still merged: the id is the identity). Merging only adds: a coding removed in the other copy
stays here. All additions are one undoable event group of `actor`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..codebook import io as cbio
from ..errors import NotFound, ValidationError
from ..store.project import CONFIG, Project
from .bulk import prepare, store
from .mirror import CODEBOOK_FILE, CODINGS_FILE, read_codings

CONFLICT_COLUMNS = ["kind", "document", "start", "end", "code", "coder", "detail"]


@dataclass
class MergeReport:
    added: int
    unchanged: int
    conflicts: pd.DataFrame  # kind, document, start, end, code, coder, detail

    def __str__(self) -> str:
        kinds = self.conflicts["kind"].value_counts().to_dict() if len(self.conflicts) else {}
        return (f"added {self.added}, unchanged {self.unchanged}, conflicts {len(self.conflicts)}"
                + (f" ({', '.join(f'{n} {k}' for k, n in kinds.items())})" if kinds else ""))


def _parent(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _read_source(source: Project | str | Path) -> tuple[list[dict], dict[str, str] | None, dict[str, tuple]]:
    """(codings, document name -> content hash or None for an export, code id -> (label, parent))."""
    if isinstance(source, Project) or (Path(source) / CONFIG).exists():
        other = source if isinstance(source, Project) else Project.open(source)
        try:
            frame = other.codings()
            rows = [{"document": r.document, "start": int(r.start), "end": int(r.end), "code": r.code,
                     "coder": r.coder, "memo": r.memo if isinstance(r.memo, str) else "", "quote": r.quote}
                    for r in frame.itertuples()]
            docs = other.documents()
            hashes = dict(zip(docs["name"], docs["content_hash"], strict=True))
            codes = {r.id: (r.label, _parent(r.parent_id)) for r in other.codes().itertuples()}
        finally:
            if not isinstance(source, Project):
                other.close()
        return rows, hashes, codes
    folder = Path(source)
    path = folder / CODINGS_FILE if folder.is_dir() else folder
    if not path.exists():
        raise NotFound("no project (workbench.yaml) and no codings.csv here", where=str(folder),
                       fix="point at another project's folder or at a coding/ export")
    rows = read_codings(path)
    book = path.parent / CODEBOOK_FILE
    codes = {c.id: (c.label, _parent(c.parent)) for c in cbio.load(book).codes} if book.exists() else {}
    return rows, None, codes


def merge_codings(project: Project, source: Project | str | Path, *, coders: Iterable[str] | None = None,
                  actor: str = "merger") -> MergeReport:
    """Add the codings of `source` that are new here; report every conflict instead of overwriting."""
    rows, hashes, their_codes = _read_source(source)
    wanted = None if coders is None else set(coders)
    docs = project.documents()
    our_hash = dict(zip(docs["name"], docs["content_hash"], strict=True))
    ours = {r.id: (r.label, _parent(r.parent_id)) for r in project.codes().itertuples()}
    here = {(r.document, int(r.start), int(r.end), r.code, r.coder): (r.memo if isinstance(r.memo, str) else "")
            for r in project.codings().itertuples()}
    conflicts: list[dict] = []
    for code, (label, parent) in sorted(their_codes.items()):
        if code in ours and ours[code] != (label, parent):
            conflicts.append({"kind": "code-differs", "document": None, "start": None, "end": None, "code": code,
                              "coder": None, "detail": f"here {ours[code][0]!r} under {ours[code][1]!r}, "
                              f"there {label!r} under {parent!r}; kept this project's"})
    texts: dict[str, str] = {}
    new: list[dict] = []
    unchanged = 0
    for r in rows:
        if wanted is not None and r["coder"] not in wanted:
            continue
        name, key = r["document"], (r["document"], r["start"], r["end"], r["code"], r["coder"])
        base = {"document": name, "start": r["start"], "end": r["end"], "code": r["code"], "coder": r["coder"]}
        if name not in our_hash:
            conflicts.append({**base, "kind": "unknown-document", "detail": "no such document here; import it first"})
            continue
        if hashes is not None and hashes.get(name) != our_hash[name]:
            conflicts.append({**base, "kind": "text-differs", "detail": "the document's text differs (content hash)"})
            continue
        if name not in texts:
            texts[name] = project.text(name)
        if texts[name][r["start"]:r["end"]] != r["quote"] or r["end"] > len(texts[name]):
            conflicts.append({**base, "kind": "text-differs",
                              "detail": f"quote {r['quote'][:40]!r} is not at these offsets here"})
            continue
        if r["code"] not in ours:
            conflicts.append({**base, "kind": "unknown-code", "detail": "no such code here; load their codebook first"})
            continue
        if key in here:
            if (r.get("memo") or "") != here[key] and r.get("memo"):
                conflicts.append({**base, "kind": "memo-differs",
                                  "detail": f"memo here {here[key]!r}, there {r['memo']!r}; kept this project's"})
            else:
                unchanged += 1
            continue
        here[key] = r.get("memo") or ""
        new.append({**base, "memo": r.get("memo") or None})
    if new and any(not isinstance(r["coder"], str) or not r["coder"] for r in new):
        raise ValidationError("a coding without a coder", where=str(source), fix="every coding needs its coder")
    prepared = prepare(project, new, coder=None, where=str(source))
    added = store(project, prepared, actor=actor, action="coding.merge",
                  summary=f"merge of {len(prepared)} codings from {source}")
    unchanged += len(prepared) - added
    return MergeReport(added, unchanged, pd.DataFrame(conflicts, columns=CONFLICT_COLUMNS))
