"""One module per source format behind one protocol: `read(path, encoding) -> list[ImportedDocument]`.

A reader returns canonical text and structure, or raises SourceError naming the file and the place. It
never touches the store; batch.py decides what to write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...errors import SourceError, WorkbenchError
from ..document import ImportedDocument
from ..safeyaml import find_surrogate, printable
from ..transcript import parse_turns
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


# formats we cannot read but whose program can save a format we can
SAVE_AS_HINTS = {".doc": ".docx", ".rtf": ".docx", ".pages": ".docx", ".wpd": ".docx", ".xls": ".xlsx",
                 ".numbers": ".xlsx", ".odp": ".pdf", ".ppt": ".pdf", ".pptx": ".pdf"}
LITERATURE_READERS = (".ris", ".bib", ".json")


def unsupported_message(path: Path) -> str:
    """Why a file type is not read, and what to save it as."""
    suffix = path.suffix.lower()
    if suffix in SAVE_AS_HINTS:
        return (f"unsupported type {path.suffix}: open it and save it as {SAVE_AS_HINTS[suffix]} "
                f"(File > Save As), then import that")
    return f"unsupported type {path.suffix or '(none)'}"


def with_kind(doc: ImportedDocument, kind: str | None) -> ImportedDocument:
    """Apply a batch's --kind: a kind named in the file itself (front matter) wins; bibliographies stay
    literature. Forcing `interview` keeps whatever speaker turns the text has, however few."""
    if kind is None or doc.kind_given or doc.kind == kind or doc.kind == "literature":
        return doc
    doc.kind = kind
    doc.notes = [n for n in doc.notes if "speaker turn" not in n]
    if kind == "interview":
        if not doc.turns:
            doc.turns = parse_turns(doc.text)
        doc.case = doc.case or doc.name
    return doc


def _check_storable(docs: list[ImportedDocument], path: Path) -> None:
    """Text the database cannot hold (lone surrogates: bad escapes, non-UTF-8 file names) fails the file."""
    for d in docs:
        for what, value in (("file name", d.name), ("text", d.text), ("case", d.case), ("fields", d.attributes),
                            ("metadata", d.meta)):
            bad = find_surrogate(value)
            if bad:
                fix = ("rename the file (its name is not valid UTF-8)" if what == "file name"
                       else "remove the invalid escape (a lone surrogate is not a character)")
                raise SourceError(f"the {what} of {printable(d.name)!r} contains a lone surrogate ({bad})",
                                  where=printable(str(path)), fix=fix)


def read_source(path: Path, encoding: str | None = None, kind: str | None = None,
                pdf_folder: Path | None = None) -> list[ImportedDocument]:
    """Read one file with its format's reader; `kind` and `pdf_folder` as `import_paths` explains."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted(READERS) + list(ATTRIBUTE_SHEETS))
        raise SourceError(unsupported_message(path), where=printable(str(path)), fix=f"convert it to one of {known}")
    if suffix in LITERATURE_READERS:
        docs = reader(path, encoding, pdf_folder=pdf_folder)  # type: ignore[call-arg]
    else:
        docs = reader(path, encoding)
    _check_storable(docs, path)
    return [with_kind(d, kind) for d in docs]


def read_or_report(path: Path, encoding: str | None = None, kind: str | None = None,
                   pdf_folder: Path | None = None) -> tuple[list[ImportedDocument] | None, str | None]:
    """(documents, None), or (None, why the file cannot be read): never raises for a bad file.

    A batch reads with this, in its own process or in reader processes; a reader's bug or a library's
    surprise (pypdf, python-docx) fails that file only, and the batch goes on.
    """
    try:
        return read_source(path, encoding, kind, pdf_folder), None
    except WorkbenchError as exc:
        return None, str(exc)
    except (KeyboardInterrupt, MemoryError, SystemExit):
        raise
    except RecursionError:
        return None, str(SourceError("nested too deeply to read", where=printable(str(path)),
                                     fix="check the file; it may be damaged or built to crash readers"))
    except Exception as exc:
        return None, str(SourceError(f"cannot read it ({exc.__class__.__name__}: {printable(str(exc))})",
                                     where=printable(str(path)),
                                     fix="check the file; if it opens fine elsewhere, report this as a bug"))
