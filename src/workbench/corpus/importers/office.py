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
# The main XML part (word/document.xml, content.xml): a 1,000-page report has a few MiB of it. A bigger
# one, or one with very many table cells (python-docx reads cells in quadratic time), is refused before
# it is parsed; and the text a document yields is limited too.
MAX_MAIN_PART = 48 * 1024 * 1024
MAX_TABLE_CELLS = 100_000
MAX_TEXT_CHARS = 20_000_000
_MAIN_PART = {".docx": "word/document.xml", ".odt": "content.xml"}
_CELL_TAGS = {".docx": b"<w:tc", ".odt": b"<table:table-cell"}
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
        zf.close()
        raise SourceError(f"unpacks to {total // 2**20} MiB, more than any text document needs",
                          where=str(path), fix="check the file; it may be a zip bomb")
    try:
        _check_main_part(zf, path)
    except BaseException:
        zf.close()
        raise
    return zf


def _check_main_part(zf: zipfile.ZipFile, path: Path) -> None:
    """Refuse a main part too large to parse or with too many table cells, reading it in chunks."""
    suffix = path.suffix.lower()
    name = _MAIN_PART.get(suffix)
    try:
        info = zf.getinfo(name) if name else None
    except KeyError:
        return  # the reader says what is missing
    if info is None:
        return
    if info.file_size > MAX_MAIN_PART:
        raise SourceError(f"its text part unpacks to {info.file_size // 2**20} MiB (at most "
                          f"{MAX_MAIN_PART // 2**20} MiB are read)", where=str(path),
                          fix="check the file; it may be a zip bomb, or split the document")
    tag, cells, read, tail = _CELL_TAGS[suffix], 0, 0, b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(1 << 20):
                read += len(chunk)
                if read > MAX_MAIN_PART:  # the size in the directory was a lie
                    raise SourceError(f"its text part unpacks to more than {MAX_MAIN_PART // 2**20} MiB",
                                      where=str(path), fix="check the file; it may be a zip bomb")
                data = tail + chunk
                cells += data.count(tag) - tail.count(tag)
                tail = data[-len(tag):]
                if cells > MAX_TABLE_CELLS:
                    raise SourceError(f"more than {MAX_TABLE_CELLS:,} table cells", where=str(path),
                                      fix="check the file; it may be built to slow readers down, or split it")
    except _DAMAGE as exc:
        raise SourceError(f"corrupt {suffix} ({exc.__class__.__name__}: {exc})", where=str(path),
                          fix="open it in Word/LibreOffice and save it again") from exc


def _limited(text: str, path: Path) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(f"yields {len(text):,} characters of text, more than {MAX_TEXT_CHARS:,}",
                          where=str(path), fix="split the document into parts")
    return text


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
    text = _limited(canonicalize("\n\n".join(p for p in paragraphs if p.strip())), path)
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
    text = _limited(canonicalize("\n\n".join(p for p in paragraphs if p.strip())), path)
    if not text.strip():
        raise SourceError("the document has no text", where=str(path))
    return [from_text(text, path, "odt", None)]
