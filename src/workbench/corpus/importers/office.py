"""Word (.docx) and OpenDocument (.odt) text: paragraphs joined by blank lines, styles dropped."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from defusedxml import ElementTree

from ...errors import SourceError
from ..document import ImportedDocument
from ..text import canonicalize
from .plain import from_text

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip bomb guard: no real text document is this large
# What a damaged package raises on the way in: bad zip structure or CRC, broken deflate data, broken XML
# (python-docx parses with lxml, whose XMLSyntaxError is not ElementTree's ParseError), missing parts.
_DAMAGE: tuple[type[BaseException], ...] = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError,
                                            ElementTree.ParseError)
try:
    from lxml.etree import XMLSyntaxError

    _DAMAGE += (XMLSyntaxError,)
except ImportError:  # pragma: no cover - python-docx depends on lxml
    pass


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"corrupt or not a {path.suffix} file ({exc})", where=str(path),
                          fix="open it in Word/LibreOffice and save it again") from exc
    total = sum(i.file_size for i in zf.infolist())
    if total > MAX_UNCOMPRESSED:
        raise SourceError(f"unpacks to {total // 2**20} MiB, more than any text document needs",
                          where=str(path), fix="check the file; it may be a zip bomb")
    return zf


def read_docx(path: Path, encoding: str | None = None) -> list[ImportedDocument]:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    _open_zip(path).close()
    try:
        document = docx.Document(str(path))
        paragraphs = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                paragraphs.append(" | ".join(cell.text for cell in row.cells))
    except (PackageNotFoundError, *_DAMAGE) as exc:
        raise SourceError(f"corrupt .docx ({exc.__class__.__name__}: {exc})", where=str(path),
                          fix="open it in Word/LibreOffice and save it again") from exc
    text = canonicalize("\n\n".join(p for p in paragraphs if p.strip()))
    if not text.strip():
        raise SourceError("the document has no text", where=str(path))
    return [from_text(text, path, "docx", None)]


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def read_odt(path: Path, encoding: str | None = None) -> list[ImportedDocument]:
    with _open_zip(path) as zf:
        try:
            xml = zf.read("content.xml")
        except KeyError as exc:
            raise SourceError("no content.xml inside: not an OpenDocument text", where=str(path)) from exc
        except _DAMAGE as exc:
            raise SourceError(f"corrupt .odt ({exc.__class__.__name__}: {exc})", where=str(path),
                              fix="open it in LibreOffice and save it again") from exc
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise SourceError(f"corrupt content.xml ({exc})", where=str(path)) from exc
    paragraphs = []
    for el in root.iter():
        if el.tag in (f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"):
            paragraphs.append("".join(el.itertext()))
    text = canonicalize("\n\n".join(p for p in paragraphs if p.strip()))
    if not text.strip():
        raise SourceError("the document has no text", where=str(path))
    return [from_text(text, path, "odt", None)]
