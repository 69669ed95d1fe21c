"""The plain-text mirror of a project's coding, for git review: `codebook.yaml` plus `codings.csv`.

Deterministic and diff-friendly: codes in tree order, codings sorted by (document, start, end, code,
coder), `\\n` line ends, UTF-8. Reading it back checks every quote against the document text at its
offsets and reports mismatches instead of silently shifting them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from ..codebook import io as cbio
from ..codebook.tree import Codebook
from ..errors import NotFound, ValidationError
from ..store.project import Project
from ..store.schema import codings, documents
from .bulk import prepare, store

CODEBOOK_FILE = "codebook.yaml"
CODINGS_FILE = "codings.csv"
COLUMNS = ["document", "start", "end", "code", "coder", "memo", "quote"]


def codings_csv(project: Project) -> str:
    """All codings as CSV text, read straight from the store (no pandas: missing memos stay empty)."""
    c = codings.c
    query = (select(documents.c.name, c.start, c.end, c.code_id, c.coder_id, c.memo, c.quote)
             .select_from(codings.join(documents))
             .order_by(documents.c.name, c.start, c.end, c.code_id, c.coder_id))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    with project.read() as conn:
        for name, start, end, code, coder, memo, quote in conn.execute(query):
            writer.writerow([name, start, end, code, coder, memo or "", quote])
    return buf.getvalue()


def export_coding(project: Project, folder: str | Path | None = None, codebook_file: str = CODEBOOK_FILE,
                  codings_file: str = CODINGS_FILE) -> tuple[Path, Path]:
    """Write the codebook and all codings under `folder` (default: the project's coding/)."""
    folder = Path(folder) if folder else project.root / "coding"
    folder.mkdir(parents=True, exist_ok=True)
    cb_path, cd_path = folder / codebook_file, folder / codings_file
    for path, content in ((cb_path, cbio.dumps(Codebook(project).spec())), (cd_path, codings_csv(project))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(content, encoding="utf-8", newline="\n")
        tmp.replace(path)  # atomic: a crash never leaves half a file
    return cb_path, cd_path


@dataclass
class MirrorReport:
    codes: int
    added: int
    unchanged: int
    mismatches: pd.DataFrame  # codings whose quote no longer matches the document at those offsets


def read_codings(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 (byte {exc.start})", where=str(path), fix="save as UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or set(COLUMNS) - set(reader.fieldnames):
        raise ValidationError(f"header must be {','.join(COLUMNS)}", where=f"{path}:1")
    rows = []
    for row in reader:
        line = reader.line_num
        try:
            start, end = int(row["start"]), int(row["end"])
        except (TypeError, ValueError):
            raise ValidationError(f"start/end must be integers, got {row['start']!r}, {row['end']!r}",
                                  where=f"{path}:{line}") from None
        rows.append({**row, "start": start, "end": end, "line": line})
    return rows


def import_coding(project: Project, folder: str | Path | None = None, codebook_file: str = CODEBOOK_FILE,
                  codings_file: str = CODINGS_FILE, actor: str = "importer") -> MirrorReport:
    """Load the codebook, then the codings; quotes that do not match the text are reported, not imported.

    Unknown documents or codes, or invalid offsets, stop the import with an error naming the line, and
    nothing is written (one transaction).
    """
    folder = Path(folder) if folder else project.root / "coding"
    cb_path, cd_path = folder / codebook_file, folder / codings_file
    n_codes = Codebook(project, actor).load_yaml(cb_path) if cb_path.exists() else 0
    if not cd_path.exists():
        return MirrorReport(n_codes, 0, 0, pd.DataFrame(columns=[*COLUMNS, "line", "found"]))
    rows = read_codings(cd_path)
    mismatches, good = [], []
    texts: dict[str, str] = {}
    for row in rows:
        where = f"{cd_path}:{row['line']}"
        name = row["document"]
        if name not in texts:
            try:
                texts[name] = project.document_row(name)["text"]
            except NotFound as exc:
                raise ValidationError(f"unknown document {name!r}", where=where,
                                      fix="import the document first") from exc
        text = texts[name]
        if not 0 <= row["start"] < row["end"] <= len(text):
            raise ValidationError(f"invalid offsets [{row['start']}, {row['end']}) for {name!r} "
                                  f"({len(text)} characters)", where=where)
        found = text[row["start"]:row["end"]]
        if found != row["quote"]:
            mismatches.append({**{k: row[k] for k in COLUMNS}, "line": row["line"], "found": found})
            continue
        good.append(row)
    try:
        prepared = prepare(project, good, coder=None, where=str(cd_path))
    except NotFound as exc:  # a row of the file names something the project lacks: the file is invalid
        raise ValidationError(exc.message, where=exc.where, fix=exc.fix) from exc
    added = store(project, prepared, actor=actor, action="coding.import",
                  summary=f"import of {len(prepared)} codings from {cd_path.name}")
    unchanged = len(prepared) - added
    return MirrorReport(n_codes, added, unchanged, pd.DataFrame(mismatches, columns=[*COLUMNS, "line", "found"]))
