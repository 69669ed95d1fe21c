"""PDF text via pypdf (BSD licence). Pages are separated by a form feed line so page numbers survive."""

from __future__ import annotations

import logging
from pathlib import Path

from ...errors import SourceError
from ..document import ImportedDocument
from ..text import canonicalize
from .plain import from_text

PAGE_BREAK = "\n\n"


def extract_pdf_text(path: Path) -> tuple[str, list[int]]:
    """Text of all pages and the offset where each page starts."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            raise SourceError("the PDF is encrypted", where=str(path),
                              fix="save an unprotected copy (the workbench never stores passwords)")
        pages = [canonicalize(p.extract_text() or "").strip() for p in reader.pages]
    except SourceError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SourceError(f"corrupt PDF ({exc})", where=str(path),
                          fix="re-export the PDF, or import a .txt/.docx version") from exc
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # a damaged PDF makes pypdf raise almost anything (IndexError, AttributeError, ...)
        raise SourceError(f"corrupt PDF ({exc.__class__.__name__}: {exc})", where=str(path),
                          fix="re-export the PDF, or import a .txt/.docx version") from exc
    starts, parts, pos = [], [], 0
    for page in pages:
        starts.append(pos)
        parts.append(page)
        pos += len(page) + len(PAGE_BREAK)
    text = PAGE_BREAK.join(parts)
    if not text.strip():
        raise SourceError("the PDF has no extractable text (scanned images?)", where=str(path),
                          fix="run OCR first, or import a text version")
    return text, starts


def read(path: Path, encoding: str | None = None) -> list[ImportedDocument]:
    text, starts = extract_pdf_text(path)
    doc = from_text(text, path, "pdf", None)
    doc.meta["page_starts"] = starts
    return [doc]
