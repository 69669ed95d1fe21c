"""Batch import: each file all or nothing, duplicates skipped, a summary at the end.

Idempotent: a document whose canonical text is already in the project is reported as a duplicate and
skipped, and a sheet that sets the values already there writes nothing, so running the same import twice
changes nothing (no new rows, no new events). Reading happens in readers.py, storing in writer.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from ..errors import SourceError, WorkbenchError
from ..store.project import Project
from .attributes import import_sheet
from .importers import ATTRIBUTE_SHEETS, READERS
from .readers import SourceReader, reader_count
from .writer import DocumentWriter, add_document

__all__ = ["REPORT_COLUMNS", "add_document", "expand", "import_paths"]

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


class _Progress(tqdm):
    """tqdm without its monitor thread, which would outlive the batch and keep the next one from forking."""

    monitor_interval = 0


def import_paths(project: Project, paths: Iterable[str | Path], *, actor: str = "importer",
                 encoding: str | None = None, progress: bool = True, create_cases: bool = False,
                 copy: bool = False, workers: int | None = None) -> pd.DataFrame:
    """Import files and folders; returns one report row per document or sheet (status, message).

    Documents come first, attribute sheets after them, so sheets can refer to the cases just created.
    Each file is written whole or not at all: a failing file is reported, nothing of it is written, and
    the batch goes on. Statuses: imported, duplicate (same text already there; skipped), unchanged (a sheet
    that changes nothing), failed, ignored (not a supported type).

    `workers`: processes that read and parse files while this one stores them; by default one per spare
    CPU for batches of 64 files or more (see `readers.reader_count`), 0 to read in this process. The report's
    `attrs["readers"]` says how many there were.
    """
    files = expand(paths)
    sources: list[Path] = []
    sheets: list[Path] = []
    report: list[dict] = []
    for f in files:
        suffix = f.suffix.lower()
        if suffix in READERS:
            sources.append(f)
        elif suffix in ATTRIBUTE_SHEETS:
            sheets.append(f)
        else:
            report.append({"file": str(f), "status": "ignored", "document": None,
                           "message": f"unsupported type {f.suffix or '(none)'}"})
    corpus = project.root / "corpus"
    reader = SourceReader(sources, encoding, reader_count(len(sources), workers))  # before any transaction
    readers = reader.readers
    try:
        with DocumentWriter(project, actor) as writer:
            show = progress and len(sources) >= 2
            for f, docs, error in (_Progress(reader, desc="import", unit="file") if show else reader):
                if docs is None:
                    report.append({"file": str(f), "status": "failed", "document": None, "message": error})
                    continue
                results = writer.add_file(docs, f)
                for doc, (status, msg) in zip(docs, results, strict=True):
                    report.append({"file": str(f), "status": status, "document": doc.name, "message": msg})
                if copy and corpus not in f.resolve().parents and all(s != "failed" for s, _ in results):
                    shutil.copy2(f, corpus / f.name)
    finally:
        reader.close()
    for f in sheets:
        try:
            n = import_sheet(project, f, actor, create_cases=create_cases, encoding=encoding)
            report.append({"file": str(f), "status": "imported" if n else "unchanged", "document": None,
                           "message": f"{n} attribute values written"})
        except WorkbenchError as exc:
            report.append({"file": str(f), "status": "failed", "document": None, "message": str(exc)})
    frame = pd.DataFrame(report, columns=REPORT_COLUMNS)
    frame.attrs["readers"] = readers
    return frame
