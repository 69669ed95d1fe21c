"""PDF text via pypdf (BSD licence): lines reflowed into paragraphs, pages kept apart (`page_starts`).

pypdf gives one line of text per printed line. Left as is, every line would be its own block in the
coding view, sentence units would be half-sentences and quotes would carry stray newlines, so lines are
joined into paragraphs: a line continues the previous one unless that one ends a sentence well short of
the page's full line width, is much shorter than a full line (a heading), or the line starts a list item.
A word hyphenated across lines (`beroeps-` / `oriëntatie`) is joined. Pages are never joined: each page
starts a paragraph and its offset is kept in `meta["page_starts"]`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ...errors import SourceError
from ..document import ImportedDocument
from ..text import canonicalize
from .plain import from_text

PAGE_BREAK = "\n\n"
_SENTENCE_END = (".", "!", "?", ":", "…", '."', ".\u201d", "?\u201d", ".)")
_LIST_ITEM = re.compile(r"^(?:[-\u2022\u2013*\u25aa\u25cf]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")


def reflow(page: str) -> str:
    """One page's lines as paragraphs separated by blank lines (see the module docstring)."""
    lines = [ln.strip() for ln in page.split("\n")]
    widths = sorted(len(ln) for ln in lines if ln)
    if not widths:
        return ""
    full = widths[min(len(widths) - 1, int(len(widths) * 0.8))]  # a typical full line
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = []
            continue
        if current:
            last = current[-1]
            if (_LIST_ITEM.match(line) is not None or len(last) < 0.5 * full
                    or (last.endswith(_SENTENCE_END) and len(last) < 0.85 * full)):
                paragraphs.append(current)
                current = []
        current.append(line)
    if current:
        paragraphs.append(current)
    return "\n\n".join(_join(p) for p in paragraphs)


def _join(lines: list[str]) -> str:
    """A paragraph's lines joined by spaces; a word hyphenated at a line end joined back together."""
    out = lines[0]
    for line in lines[1:]:
        if len(out) > 1 and out.endswith("-") and out[-2].islower() and line[0].islower():
            out = out[:-1] + line
        else:
            out += " " + line
    return out


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
        pages = [reflow(canonicalize(p.extract_text() or "").strip()) for p in reader.pages]
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
