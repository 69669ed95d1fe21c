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

from ..errors import SourceError, ValidationError, WorkbenchError
from ..store.project import Project
from .attributes import import_sheet
from .document import KINDS
from .importers import ATTRIBUTE_SHEETS, READERS, unsupported_message
from .readers import SourceReader, reader_count
from .safeyaml import printable
from .writer import DocumentWriter, add_document

__all__ = ["REPORT_COLUMNS", "add_document", "expand", "expand_with_skipped", "import_paths", "skip_reason"]

REPORT_COLUMNS = ["file", "status", "document", "kind", "message"]


# Files that are never documents: office lock files, OS thumbnails and folder settings, editor backups.
_JUNK_NAMES = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", "icon\r"}
_JUNK_SUFFIXES = (".tmp", ".temp", ".swp", ".swo", ".crdownload", ".part", ".partial", ".lock")


def skip_reason(path: Path) -> str | None:
    """Why a file is skipped without being read (hidden or temporary), or None."""
    name = path.name
    if name.startswith("~$") or name.startswith(".~lock."):
        return "an office lock file (the document is open somewhere); skipped"
    if name.lower() in _JUNK_NAMES:
        return "a file the operating system writes; skipped"
    if name.startswith("."):
        return "a hidden file; skipped"
    if name.endswith("~") or name.lower().endswith(_JUNK_SUFFIXES):
        return "a temporary or backup file; skipped"
    return None


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files in the order given; folders recursively, sorted; hidden folders, hidden and temporary files
    skipped (`expand_with_skipped` also says which files were skipped)."""
    return expand_with_skipped(paths)[0]


def expand_with_skipped(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files to read, [(file, why skipped)]). Hidden folders (.git, .searches) are passed over silently."""
    out: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(f for f in p.rglob("*") if f.is_file() and not any(
                    part.startswith(".") for part in f.relative_to(p).parent.parts)):
                why = skip_reason(f)
                if why is None:
                    out.append(f)
                else:
                    skipped.append((f, why))
        elif p.exists():
            why = skip_reason(p)
            if why is None:
                out.append(p)
            else:
                skipped.append((p, why))
        else:
            raise SourceError("no such file or folder", where=printable(str(p)))
    return out, skipped


def _copy_into(f: Path, corpus: Path) -> str:
    """Copy a source into corpus/ without overwriting another file of the same name; says where to."""
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / f.name
    n = 2
    while target.exists():
        if target.read_bytes() == f.read_bytes():
            return f"already in corpus/ as {target.name}"
        target = corpus / f"{f.stem}-{n}{f.suffix}"
        n += 1
    shutil.copy2(f, target)
    return f"copied to corpus/{target.name}" if target.name != f.name else "copied to corpus/"


class _Progress(tqdm):
    """tqdm without its monitor thread, which would outlive the batch and keep the next one from forking."""

    monitor_interval = 0


def import_paths(project: Project, paths: Iterable[str | Path], *, actor: str = "importer",
                 encoding: str | None = None, progress: bool = True, create_cases: bool = False,
                 copy: bool = False, workers: int | None = None, kind: str | None = None,
                 pdf_folder: str | Path | None = None) -> pd.DataFrame:
    """Import files and folders; returns one report row per document or sheet (status, kind, message).

    Documents come first, attribute sheets after them, so sheets can refer to the cases just created.
    Each file is written whole or not at all: a failing file is reported, nothing of it is written, and
    the batch goes on. Statuses: imported, duplicate (same text already there; skipped), unchanged (a sheet
    that changes nothing), failed, ignored (not a supported type), skipped (hidden or temporary files
    such as Word's `~$name.docx` lock files, `.DS_Store`, `Thumbs.db`).

    `kind`: the kind of every document read (interview, literature, other) unless the file names its own
    (front matter); by default it is detected. `pdf_folder`: a folder besides each bibliography's own
    from which its linked PDFs may be read. `copy`: copy each imported file into the project's corpus/,
    never over a different file of the same name.

    `workers`: processes that read and parse files while this one stores them; by default one per spare
    CPU for batches of 64 files or more (see `readers.reader_count`), 0 to read in this process. The report's
    `attrs["readers"]` says how many there were.
    """
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"unknown kind {kind!r}", fix=f"use one of {', '.join(KINDS)}")
    files, skipped = expand_with_skipped(paths)
    sources: list[Path] = []
    sheets: list[Path] = []
    report: list[dict] = [{"file": printable(str(f)), "status": "skipped", "document": None, "kind": None,
                           "message": why} for f, why in skipped]
    for f in files:
        suffix = f.suffix.lower()
        if suffix in READERS:
            sources.append(f)
        elif suffix in ATTRIBUTE_SHEETS:
            sheets.append(f)
        else:
            report.append({"file": printable(str(f)), "status": "ignored", "document": None, "kind": None,
                           "message": unsupported_message(f)})
    corpus = project.root / "corpus"
    options = {"kind": kind, "pdf_folder": Path(pdf_folder) if pdf_folder else None}
    reader = SourceReader(sources, encoding, reader_count(len(sources), workers), options)  # before any transaction
    readers = reader.readers
    try:
        with DocumentWriter(project, actor) as writer:
            show = progress and len(sources) >= 2
            for f, docs, error in (_Progress(reader, desc="import", unit="file") if show else reader):
                name = printable(str(f))
                if docs is None:
                    report.append({"file": name, "status": "failed", "document": None, "kind": None,
                                   "message": error})
                    continue
                results = writer.add_file(docs, f)
                copied = None
                if copy and corpus not in f.resolve().parents and all(s != "failed" for s, _ in results):
                    copied = _copy_into(f, corpus)
                for doc, (status, msg) in zip(docs, results, strict=True):
                    notes = [*doc.notes, copied] if status == "imported" and copied else list(doc.notes)
                    report.append({"file": name, "status": status, "document": doc.name,
                                   "kind": doc.kind if status != "failed" else None,
                                   "message": "; ".join([msg, *(n for n in notes if n)])})
    finally:
        reader.close()
    for f in sheets:
        try:
            n = import_sheet(project, f, actor, create_cases=create_cases, encoding=encoding)
            report.append({"file": printable(str(f)), "status": "imported" if n else "unchanged", "document": None,
                           "kind": None, "message": f"{n} attribute values written"})
        except WorkbenchError as exc:
            report.append({"file": printable(str(f)), "status": "failed", "document": None, "kind": None,
                           "message": str(exc)})
    frame = pd.DataFrame(report, columns=REPORT_COLUMNS)
    frame.attrs["readers"] = readers
    return frame
