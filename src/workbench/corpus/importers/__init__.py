"""One module per source format behind one protocol: `read(path, encoding) -> list[ImportedDocument]`.

A reader returns canonical text and structure, or raises SourceError naming the file and the place. It
never touches the store; batch.py decides what to write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...errors import SourceError, WorkbenchError
from ..document import ImportedDocument
from . import literature, office, pdf, plain, subtitles

Reader = Callable[[Path, str | None], list[ImportedDocument]]

READERS: dict[str, Reader] = {
    ".txt": plain.read,
    ".md": plain.read,
    ".markdown": plain.read,
    ".docx": office.read_docx,
    ".odt": office.read_odt,
    ".pdf": pdf.read,
    ".vtt": subtitles.read_vtt,
    ".srt": subtitles.read_srt,
    ".ris": literature.read_ris,
    ".bib": literature.read_bibtex,
    ".json": literature.read_csl_json,
}
ATTRIBUTE_SHEETS = (".csv", ".xlsx")


def read_source(path: Path, encoding: str | None = None) -> list[ImportedDocument]:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS) + list(ATTRIBUTE_SHEETS))
        raise SourceError(f"unsupported file type {path.suffix or '(none)'}", where=str(path),
                          fix=f"convert it to one of {known}")
    return reader(path, encoding)


def read_or_report(path: Path, encoding: str | None = None) -> tuple[list[ImportedDocument] | None, str | None]:
    """(documents, None), or (None, why the file cannot be read): never raises for a bad file.

    A batch reads with this, in its own process or in reader processes; a reader's bug or a library's
    surprise (pypdf, python-docx) fails that file only, and the batch goes on.
    """
    try:
        return read_source(path, encoding), None
    except WorkbenchError as exc:
        return None, str(exc)
    except (KeyboardInterrupt, MemoryError, SystemExit):
        raise
    except Exception as exc:
        return None, str(SourceError(f"cannot read it ({exc.__class__.__name__}: {exc})", where=str(path),
                                     fix="check the file; if it opens fine elsewhere, report this as a bug"))
