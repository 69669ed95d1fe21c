"""Batch import: each file in its own transaction, duplicates skipped, a summary at the end.

Idempotent: a file whose canonical text is already in the project is reported as a duplicate and skipped,
so running the same import twice changes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select
from tqdm.auto import tqdm

from ..errors import SourceError, WorkbenchError
from ..store.events import Tx, now
from ..store.project import Project
from ..store.schema import attributes, cases, document_values, documents, turns
from ..store.values import infer_type
from .attributes import import_sheet
from .document import ImportedDocument
from .importers import ATTRIBUTE_SHEETS, READERS, read_source
from .text import content_hash

REPORT_COLUMNS = ["file", "status", "document", "message"]


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files in the order given; folders recursively, sorted, hidden files skipped."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not any(
                part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.exists():
            out.append(p)
        else:
            raise SourceError("no such file or folder", where=str(p))
    return out


def _case_id(tx: Tx, name: str) -> int:
    found = tx.conn.execute(select(cases.c.id).where(cases.c.name == name)).scalar()
    return found if found is not None else tx.insert(cases, {"name": name, "created": now()})["id"]


def _attribute_id(tx: Tx, name: str, value: str) -> int:
    found = tx.conn.execute(select(attributes.c.id).where(
        attributes.c.scope == "document", attributes.c.name == name)).scalar()
    if found is not None:
        return found
    return tx.insert(attributes, {"name": name, "scope": "document", "type": infer_type([value])})["id"]


def add_document(project: Project, doc: ImportedDocument, source: Path | None = None,
                 actor: str = "importer") -> tuple[str, str]:
    """Store one document in its own transaction. Returns (status, message)."""
    digest = content_hash(doc.text)
    with project.transaction(actor, "document.import", undoable=False) as tx:
        dup = tx.conn.execute(select(documents.c.name).where(documents.c.content_hash == digest)).scalar()
        if dup is not None:
            return "duplicate", f"same text as document {dup!r}; skipped"
        if tx.conn.execute(select(documents.c.id).where(documents.c.name == doc.name)).scalar() is not None:
            raise SourceError(f"a different document named {doc.name!r} is already in the project",
                              where=str(source or doc.name),
                              fix="documents are immutable: give the new version another name (front matter id:)")
        row = tx.insert(documents, {
            "name": doc.name, "kind": doc.kind, "text": doc.text, "content_hash": digest,
            "case_id": _case_id(tx, doc.case) if doc.case else None,
            "source_path": str(source) if source else None, "source_format": doc.source_format,
            "encoding": doc.encoding, "meta": doc.meta, "imported": now()})
        if doc.turns:
            tx.conn.execute(insert(turns), [
                {"document_id": row["id"], "seq": i, "speaker": t.speaker, "start": t.start, "end": t.end,
                 "speech_start": t.speech_start, "time_ms": t.time_ms, "end_time_ms": t.end_time_ms}
                for i, t in enumerate(doc.turns)])
        for name, value in doc.attributes.items():
            tx.insert(document_values, {"document_id": row["id"], "attribute_id": _attribute_id(tx, name, str(value)),
                                        "value": str(value)})
    extra = f" ({len(doc.turns)} turns)" if doc.turns else ""
    return "imported", f"{doc.kind}, {len(doc.text)} characters{extra}"


def import_paths(project: Project, paths: Iterable[str | Path], *, actor: str = "importer",
                 encoding: str | None = None, progress: bool = True, create_cases: bool = False,
                 copy: bool = False) -> pd.DataFrame:
    """Import files and folders; returns one report row per document or sheet (status, message).

    Documents come first, attribute sheets after them, so sheets can refer to the cases just created.
    A failing file is reported and the batch goes on; nothing of the failing file is written.
    """
    files = expand(paths)
    sources = [f for f in files if f.suffix.lower() in READERS]
    sheets = [f for f in files if f.suffix.lower() in ATTRIBUTE_SHEETS]
    report: list[dict] = []
    for f in files:
        if f not in sources and f not in sheets:
            report.append({"file": str(f), "status": "ignored", "document": None,
                           "message": f"unsupported type {f.suffix or '(none)'}"})
    corpus = project.root / "corpus"
    for f in tqdm(sources, desc="import", unit="file", disable=not progress or len(sources) < 2):
        try:
            docs = read_source(f, encoding)
        except WorkbenchError as exc:
            report.append({"file": str(f), "status": "failed", "document": None, "message": str(exc)})
            continue
        for doc in docs:
            try:
                status, msg = add_document(project, doc, f, actor)
            except WorkbenchError as exc:
                status, msg = "failed", str(exc)
            report.append({"file": str(f), "status": status, "document": doc.name, "message": msg})
        if copy and corpus not in f.resolve().parents:
            shutil.copy2(f, corpus / f.name)
    for f in sheets:
        try:
            n = import_sheet(project, f, actor, create_cases=create_cases, encoding=encoding)
            report.append({"file": str(f), "status": "imported", "document": None, "message": f"{n} attribute values"})
        except WorkbenchError as exc:
            report.append({"file": str(f), "status": "failed", "document": None, "message": str(exc)})
    return pd.DataFrame(report, columns=REPORT_COLUMNS)
