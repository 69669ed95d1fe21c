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

from ..codebook import io as cbio
from ..codebook.tree import Codebook
from ..errors import NotFound, ValidationError
from ..store.events import Tx, now
from ..store.mirror import coding_rows
from ..store.project import Project
from ..store.queries import document_ids, existing_spans
from ..store.schema import codings

CODEBOOK_FILE = "codebook.yaml"
CODINGS_FILE = "codings.csv"
COLUMNS = ["document", "start", "end", "code", "coder", "memo", "quote"]


def codings_csv(project: Project) -> str:
    """All codings as CSV text, read straight from the store (no pandas: missing memos stay empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    with project.read() as conn:
        for name, start, end, code, coder, memo, quote in coding_rows(conn):
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
    """The rows of a codings file, each with its line; a quote may be as long as any document."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 (byte {exc.start})", where=str(path), fix="save as UTF-8") from exc
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))  # the default (131,072) is shorter than long codings
    try:
        return _rows(text, path)
    finally:
        csv.field_size_limit(limit)


def _rows(text: str, path: Path) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ValidationError(f"not valid CSV ({exc})", where=f"{path}:1") from None
    if fieldnames is None or set(COLUMNS) - set(fieldnames):
        raise ValidationError(f"header must be {','.join(COLUMNS)}", where=f"{path}:1")
    rows = []
    line = 2
    try:
        for row in reader:
            try:
                start, end = int(row["start"]), int(row["end"])
            except (TypeError, ValueError):
                raise ValidationError(f"start/end must be integers, got {row['start']!r}, {row['end']!r}",
                                      where=f"{path}:{line}") from None
            if None in row or any(row[k] is None for k in COLUMNS):
                raise ValidationError(f"the row does not have the header's {len(fieldnames)} values",
                                      where=f"{path}:{line}", fix="quote values that contain commas or line breaks")
            rows.append({**row, "start": start, "end": end, "line": line})
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationError(f"not valid CSV ({exc})", where=f"{path}:{line}",
                              fix="check the quotes in that line") from None
    return rows


def check_codings(project: Project, rows: list[dict], codes_: dict[str, bool], where: str
                  ) -> tuple[list[dict], list[dict]]:
    """(rows to store, quote mismatches). Unknown documents, unknown or folder codes, invalid offsets
    and coder names raise ValidationError naming the line; `codes_` is code id -> codable."""
    mismatches, good = [], []
    texts: dict[str, str] = {}
    for row in rows:
        at = f"{where}:{row['line']}"
        name = row["document"]
        if name not in texts:
            try:
                texts[name] = project.document_row(name)["text"]
            except NotFound as exc:
                raise ValidationError(f"unknown document {name!r}", where=at,
                                      fix="import the document first") from exc
        code = row["code"]
        if code not in codes_:
            raise ValidationError(f"unknown code {code!r}", where=at,
                                  fix="add it to the codebook file, or correct the id")
        if not codes_[code]:
            raise ValidationError(f"code {code!r} is a folder (codable: false) and cannot be applied", where=at)
        text = texts[name]
        if not 0 <= row["start"] < row["end"] <= len(text):
            raise ValidationError(f"invalid offsets [{row['start']}, {row['end']}) for {name!r} "
                                  f"({len(text)} characters)", where=at)
        if not row.get("coder"):
            raise ValidationError("a coding needs a coder", where=at)
        try:
            Project._check_actor(row["coder"])
        except ValidationError as exc:
            raise ValidationError(exc.message, where=at, fix=exc.fix) from None
        found = text[row["start"]:row["end"]]
        if found != row["quote"]:
            mismatches.append({**{k: row[k] for k in COLUMNS}, "line": row["line"], "found": found})
            continue
        good.append(row)
    return good, mismatches


def import_coding(project: Project, folder: str | Path | None = None, codebook_file: str = CODEBOOK_FILE,
                  codings_file: str = CODINGS_FILE, actor: str = "importer") -> MirrorReport:
    """Load the codebook, then the codings; quotes that do not match the text are reported, not imported.

    All or nothing: both files are read and every coding is checked (against the documents and against
    the codes of the project *and* of the codebook file) before anything is stored, so an unknown
    document or code, or invalid offsets, stop the import with an error naming the line and leave the
    project as it was, codebook included. Then the codebook and the codings are stored in one transaction
    and one event group (one undo), so a failure while writing leaves nothing either.
    """
    folder = Path(folder) if folder else project.root / "coding"
    cb_path, cd_path = folder / codebook_file, folder / codings_file
    book = cbio.load(cb_path) if cb_path.exists() else None
    rows = read_codings(cd_path) if cd_path.exists() else []
    codes_ = {c.id: c.codable for c in Codebook(project).spec().codes}
    if book is not None:
        codes_.update({c.id: c.codable for c in book.codes})
    good, mismatches = check_codings(project, rows, codes_, str(cd_path))
    with project.transaction(actor, "coding.import",
                             summary=f"import of {cd_path.name if cd_path.exists() else cb_path.name}") as tx:
        n_codes = Codebook(project, actor).apply_spec(book) if book is not None else 0  # joins this group
        added, unchanged = _store(project, tx, good)
    return MirrorReport(n_codes, added, unchanged, pd.DataFrame(mismatches, columns=[*COLUMNS, "line", "found"]))


def _store(project: Project, tx: Tx, good: list[dict]) -> tuple[int, int]:
    """Insert the checked codings inside the import's transaction (the codebook may be new in it, so
    nothing here reads through another connection); returns (added, already there)."""
    if not good:
        return 0, 0
    with project.read() as conn:
        ids = document_ids(conn, {r["document"] for r in good})
    coders_ = {r["coder"] for r in good}
    for who in coders_:
        project._register_actor(tx.conn, who)
    have = existing_spans(tx.conn, set(ids.values()), coders_)
    stamp = now()
    new = []
    for r in good:
        key = (ids[r["document"]], r["start"], r["end"], r["code"], r["coder"])
        if key in have:
            continue
        have.add(key)
        new.append({"document_id": key[0], "start": r["start"], "end": r["end"], "code_id": r["code"],
                    "coder_id": r["coder"], "memo": r.get("memo") or None, "quote": r["quote"], "created": stamp})
    tx.insert_many(codings, new)
    return len(new), len(good) - len(new)
