"""One module per source format behind one protocol: `read(path, encoding) -> list[ImportedDocument]`.

A reader returns canonical text and structure, or raises SourceError naming the file and the place. It
never touches the store; batch.py decides what to write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...errors import SourceError
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
