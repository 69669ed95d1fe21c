"""The one path for many codings at once: auto-coding, the mirror, REFI-QDA import, accepted suggestions.

Everything is validated before anything is written (documents, codes, offsets, coders); then the rows go
in with batched statements, logged as one event group, committed in chunks that each hold the write lock
for under a second, with a short pause between chunks so that other writers get their turn.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..errors import NotFound, ValidationError
from ..store.events import now
from ..store.project import Project
from ..store.queries import code_flags, document_ids, existing_spans
from ..store.schema import codings
from .session import as_offset

_CHUNK_SECONDS = 0.8
_FIRST_CHUNK = 2000
# Between chunks the batch lets go of the write lock for this long. SQLite's lock is not fair: a waiting
# writer sleeps in steps of up to 100 ms, and without a pause the batch would take the lock straight back.
_HANDOFF_SECONDS = 0.11


def _rows(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> list[Mapping[str, Any]]:
    if isinstance(rows, pd.DataFrame):  # column by column: much faster than to_dict("records")
        names = [str(c) for c in rows.columns]
        columns = [rows[c].tolist() for c in rows.columns]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    return list(rows)


def prepare(project: Project, rows: Iterable[Mapping[str, Any]] | pd.DataFrame, *, coder: str | None,
            memo: str | None = None, where: str | None = None) -> list[dict[str, Any]]:
    """Check every row and build the coding rows (quote included); raises on the first bad row.

    Each row: document, start, end, code, optionally coder (else `coder`) and memo. `where` prefixes
    error locations (e.g. a file name); rows may carry their own `line`.
    """
    items = _rows(rows)
    if not items:
        return []
    missing = {"document", "start", "end", "code"} - set(items[0])
    if missing:
        raise ValidationError(f"rows lack {', '.join(sorted(missing))}", where=where,
                              fix="each row needs document, start, end and code")
    with project.read() as conn:
        flags = code_flags(conn)
        ids = document_ids(conn, {str(r["document"]) for r in items})
    texts: dict[int, str] = {}
    out: list[dict[str, Any]] = []
    stamp = now()
    for n, r in enumerate(items):
        loc = f"{where}:{r['line']}" if where and "line" in r else (where or f"row {n}")
        name = str(r["document"])
        doc_id = ids.get(name)
        if doc_id is None:
            raise NotFound(f"unknown document {name!r}", where=loc, fix="import the document first")
        code = r["code"]
        if code not in flags:
            raise NotFound(f"unknown code {code!r}", where=loc, fix="create it in the codebook first")
        if not flags[code]:
            raise ValidationError(f"code {code!r} is a folder and cannot be applied", where=loc)
        text = texts.get(doc_id)
        if text is None:
            text = texts[doc_id] = project.document_row(doc_id)["text"]
        start, end = as_offset(r["start"], "start", loc), as_offset(r["end"], "end", loc)
        if not 0 <= start < end <= len(text):
            raise ValidationError(f"invalid offsets [{start}, {end}) for {name!r} ({len(text)} characters)",
                                  where=loc, fix="offsets are code points, 0 <= start < end <= length")
        who = r.get("coder") or coder
        if not isinstance(who, str) or not who:
            raise ValidationError("a coding needs a coder", where=loc)
        note = r.get("memo")
        note = note if isinstance(note, str) and note else memo
        out.append({"document_id": doc_id, "start": start, "end": end, "code_id": code, "coder_id": who,
                    "memo": note or None, "quote": text[start:end], "created": stamp})
    for who in {r["coder_id"] for r in out}:
        Project._check_actor(who)
    return out


def store(project: Project, prepared: list[dict[str, Any]], *, actor: str, action: str,
          summary: str | None = None, meta: dict | None = None) -> int:
    """Write prepared rows as one event group (chunked commits); returns how many were new."""
    if not prepared:
        return 0
    ordered = sorted(prepared, key=lambda r: r["document_id"])  # stable: a document's rows stay in order
    batch = project.batch(actor, action, summary=summary, meta=meta)
    added = 0
    target = _FIRST_CHUNK
    at = 0
    while at < len(ordered):
        chunk = ordered[at:at + target]
        at += len(chunk)
        began = time.perf_counter()
        with batch.chunk() as tx:
            coders_ = {r["coder_id"] for r in chunk}
            for who in coders_:
                project._register_actor(tx.conn, who)
            have = existing_spans(tx.conn, {r["document_id"] for r in chunk}, coders_)
            new: list[dict[str, Any]] = []
            for r in chunk:
                key = (r["document_id"], r["start"], r["end"], r["code_id"], r["coder_id"])
                if key not in have:
                    have.add(key)
                    new.append(r)
            tx.insert_many(codings, new)
            added += len(new)
        spent = time.perf_counter() - began
        if spent > 0:  # aim each chunk at about _CHUNK_SECONDS of holding the lock
            target = max(200, min(50_000, int(len(chunk) * _CHUNK_SECONDS / spent)))
        if at < len(ordered):
            time.sleep(_HANDOFF_SECONDS)  # let a waiting writer in before the next chunk
    return added


def add_codings(project: Project, rows: Iterable[Mapping[str, Any]] | pd.DataFrame, *, coder: str | None,
                actor: str, action: str = "coding.add", memo: str | None = None, summary: str | None = None,
                meta: dict | None = None, where: str | None = None) -> int:
    """Validate and store many codings as one undoable group of `actor`; returns how many were new."""
    prepared = prepare(project, rows, coder=coder, memo=memo, where=where)
    return store(project, prepared, actor=actor, action=action,
                 summary=summary or f"{action} of {len(prepared)} codings", meta=meta)
