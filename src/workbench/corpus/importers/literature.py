"""Bibliographies (RIS, BibTeX, CSL-JSON): one literature document per reference.

Bibliographic fields become document attributes; the abstract is the text, or the full text of a linked
PDF when the file is there (the abstract then stays an attribute).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from ...errors import SourceError
from ..document import ImportedDocument
from ..text import canonicalize, read_text_file
from .pdf import extract_pdf_text

FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "publisher", "doi", "url", "type",
          "keywords", "notes", "abstract")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def linked_pdf(bib: Path, pdf: str, pdf_folder: Path | None = None) -> tuple[Path | None, str | None]:
    """The linked PDF to read, or (None, why not). Only files under the bibliography's folder (or under
    `pdf_folder`, when the user names one) are read: a received bibliography must not pull in any
    readable PDF on the disk."""
    raw = pdf.removeprefix("file://")
    roots = [bib.parent.resolve()] + ([Path(pdf_folder).resolve()] if pdf_folder else [])
    candidates = [bib.parent / raw] + ([Path(pdf_folder) / raw] if pdf_folder else [])
    outside = None
    for candidate in candidates:
        try:
            target = candidate.resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if not any(target == r or r in target.parents for r in roots):
            outside = target
            continue
        if target.is_file():
            return target, None
    if outside is not None:
        return None, (f"linked PDF {raw!r} lies outside the bibliography's folder and was not read "
                      "(import with --pdf-folder naming its folder)")
    return None, None


def _document(fields: dict[str, Any], key: str | None, bib: Path, pdf: str | None, fmt: str,
              pdf_folder: Path | None = None) -> ImportedDocument:
    attrs = {k: fields[k] for k in FIELDS if fields.get(k) not in (None, "", [])}
    if not key:
        first = (attrs.get("authors") or ["anon"])[0] if isinstance(attrs.get("authors"), list) else "anon"
        key = _slug(first.split(",")[0]) + str(attrs.get("year", ""))
    for k in ("authors", "keywords", "notes"):
        if isinstance(attrs.get(k), list):
            attrs[k] = "; ".join(str(v) for v in attrs[k])
    abstract = canonicalize(str(attrs.get("abstract", ""))).strip()
    meta: dict[str, Any] = {}
    text = abstract
    notes = []
    if isinstance(pdf, str) and pdf:
        target, refused = linked_pdf(bib, pdf, pdf_folder)
        if target is not None:
            text, starts = extract_pdf_text(target)
            meta.update(linked_pdf=str(target), page_starts=starts)
        elif refused:
            meta["refused_pdf"] = pdf
            notes.append(f"{key}: {refused}")
        else:
            meta["missing_pdf"] = pdf
    if not text:
        text = canonicalize(str(attrs.get("title", ""))).strip()
    if not text:
        raise SourceError(f"reference {key!r} has no abstract, title or linked PDF", where=f"{bib} ({key})",
                          fix="add at least a title or an abstract")
    inclusion = [kw.split(":", 1)[1].strip() for kw in str(attrs.get("keywords", "")).split("; ")
                 if kw.lower().startswith("inclusion:")]
    if inclusion:
        attrs["inclusion"] = inclusion[0]
    attrs.pop("abstract", None) if text == abstract else None
    return ImportedDocument(name=key, kind="literature", text=text + "\n", source_format=fmt,
                            attributes=attrs, meta=meta, notes=notes)


_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")


def _check_ris(text: str, path: Path) -> None:
    """rispy silently drops a record without ER or with a second TY; name the line instead."""
    open_at = None
    records = 0
    for n, line in enumerate(text.split("\n"), 1):
        m = _RIS_TAG.match(line)
        if not m:
            continue  # a continuation line (inside a record) or a preamble such as `Provider: ...`
        tag = m.group(1)
        if tag == "TY":
            if open_at is not None:
                raise SourceError(f"a new record starts (TY) but the one from line {open_at} has no ER",
                                  where=f"{path}:{n}", fix="end every record with a line `ER  - `")
            open_at = n
            records += 1
        elif tag == "ER":
            if open_at is None:
                raise SourceError("ER without a record (no TY before it)", where=f"{path}:{n}",
                                  fix="start every record with a line `TY  - <type>`")
            open_at = None
        elif open_at is None:
            raise SourceError(f"{tag} line outside a record", where=f"{path}:{n}",
                              fix="start every record with a line `TY  - <type>` and end it with `ER  - `")
    if open_at is not None:
        raise SourceError(f"the record from line {open_at} has no ER (the file ends inside it)",
                          where=f"{path}:{open_at}", fix="end every record with a line `ER  - `")
    if not records:
        raise SourceError("not RIS: no record starts with `TY  - `", where=f"{path}:1",
                          fix="each line must be `TAG  - value`, records TY ... ER")


def _unique(docs: list[ImportedDocument], path: Path, keyed: list[bool] | None = None) -> list[ImportedDocument]:
    """Refuse a citation key given twice; names made up from author and year (no key in the file) that
    collide get a, b, c... as in a reference list (smith2020a, smith2020b)."""
    keyed = keyed or [True] * len(docs)
    made = {}
    for d, k in zip(docs, keyed, strict=True):
        if not k:
            made.setdefault(d.name, []).append(d)
    for name, group in made.items():
        if len(group) > 1 or any(d.name == name for d, k in zip(docs, keyed, strict=True) if k):
            for letter, d in zip("abcdefghijklmnopqrstuvwxyz", group, strict=False):
                d.name = f"{name}{letter}"
    seen: set[str] = set()
    for d in docs:
        if d.name in seen:
            raise SourceError(f"citation key {d.name!r} occurs twice", where=str(path), fix="make the keys unique")
        seen.add(d.name)
    return docs


def read_ris(path: Path, encoding: str | None = None, *, pdf_folder: Path | None = None
             ) -> list[ImportedDocument]:
    import rispy

    text, _ = read_text_file(path, encoding)
    _check_ris(text, path)
    # rispy wants each record to start with TY; report the first line that breaks that instead of a KeyError
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except Exception as exc:  # rispy raises IOError/ValueError/KeyError depending on the fault
        line = next((i for i, ln in enumerate(text.split("\n"), 1) if ln.strip() and not re.match(r"^[A-Z][A-Z0-9]  -", ln)), None)
        at = f"{path}:{line}" if line else str(path)
        raise SourceError(f"not valid RIS ({exc})", where=at, fix="each line must be `TAG  - value`, records TY ... ER") from exc
    if not entries:
        raise SourceError("no references found", where=str(path), fix="check that records start with `TY  -`")
    docs = []
    for e in entries:
        fields = {
            "title": e.get("title") or e.get("primary_title"),
            "authors": e.get("authors") or e.get("first_authors"),
            "year": str(e.get("year") or e.get("publication_year") or "").strip("/") or None,
            "journal": e.get("secondary_title") or e.get("journal_name") or e.get("alternate_title3"),
            "volume": e.get("volume"), "issue": e.get("number"),
            "pages": "-".join(p for p in (e.get("start_page"), e.get("end_page")) if p) or None,
            "publisher": e.get("publisher"), "doi": e.get("doi"), "url": (e.get("urls") or [None])[0],
            "type": e.get("type_of_reference"), "keywords": e.get("keywords"), "notes": e.get("notes"),
            "abstract": e.get("abstract"),
        }
        pdf = (e.get("file_attachments1") or [None])[0] if isinstance(e.get("file_attachments1"), list) else e.get("file_attachments1")
        docs.append(_document(fields, e.get("id"), path, pdf, "ris", pdf_folder))
    return _unique(docs, path, [bool(e.get("id")) for e in entries])


def read_bibtex(path: Path, encoding: str | None = None, *, pdf_folder: Path | None = None
                ) -> list[ImportedDocument]:
    import bibtexparser

    text, _ = read_text_file(path, encoding)
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # failures are reported below, with the file
    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = getattr(block, "start_line", None)
        at = f"{path}:{line + 1}" if line is not None else str(path)
        key = getattr(block, "key", None)
        if key is not None:
            raise SourceError(f"citation key {key!r} occurs twice", where=at, fix="make the keys unique")
        error = getattr(block, "error", None)
        reason = str(getattr(error, "abort_reason", None) or error or "").strip() or type(block).__name__
        raise SourceError(f"cannot parse BibTeX entry ({reason})", where=at,
                          fix="check braces and commas in that entry")
    if not library.entries:
        raise SourceError("no BibTeX entries found", where=str(path))
    docs = []
    for entry in library.entries:
        f = {k.lower(): v.value for k, v in entry.fields_dict.items()}
        authors = [a.strip() for a in re.split(r"\s+and\s+", f.get("author", "")) if a.strip()]
        fields = {
            "title": (f.get("title") or "").replace("{", "").replace("}", "") or None, "authors": authors,
            "year": f.get("year"), "journal": f.get("journal") or f.get("booktitle"), "volume": f.get("volume"),
            "issue": f.get("number"), "pages": (f.get("pages") or "").replace("--", "-") or None,
            "publisher": f.get("publisher"), "doi": f.get("doi"), "url": f.get("url"),
            "type": entry.entry_type, "keywords": f.get("keywords"), "notes": f.get("note"),
            "abstract": f.get("abstract"),
        }
        pdf = f.get("file")
        if pdf and ":" in pdf and not pdf.startswith("file://"):  # JabRef style  :path/x.pdf:PDF
            parts = pdf.split(":")
            pdf = parts[1] if len(parts) >= 3 else pdf
        docs.append(_document(fields, entry.key, path, pdf, "bibtex", pdf_folder))
    return _unique(docs, path)


def read_csl_json(path: Path, encoding: str | None = None, *, pdf_folder: Path | None = None
                  ) -> list[ImportedDocument]:
    text, _ = read_text_file(path, encoding)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}") from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise SourceError("CSL-JSON must be a list of reference objects", where=str(path))
    docs = []
    for number, item in enumerate(data, 1):
        key = item.get("id")
        where = f"{path} (reference {number}" + (f", id {key!r})" if key is not None else ")")
        if not any(k in item for k in ("id", "type", "title")):
            raise SourceError("not a CSL-JSON reference (no id, type or title)", where=where,
                              fix="export the bibliography as CSL-JSON (a list of references)")
        try:
            authors = [", ".join(p for p in (a.get("family"), a.get("given")) if p) or a.get("literal", "")
                       for a in item.get("author", [])]
            issued = (item.get("issued") or {}).get("date-parts") or [[None]]
            year = issued[0][0] if issued and issued[0] else None
        except (AttributeError, TypeError, KeyError, IndexError) as exc:
            raise SourceError(f"malformed author or issued field ({exc})", where=where,
                              fix="author is a list of {family, given}, issued is {date-parts: [[year]]}") from exc
        fields = {
            "title": item.get("title"), "authors": authors,
            "year": str(year) if year else None,
            "journal": item.get("container-title"), "volume": item.get("volume"), "issue": item.get("issue"),
            "pages": item.get("page"), "publisher": item.get("publisher"), "doi": item.get("DOI"),
            "url": item.get("URL"), "type": item.get("type"), "keywords": item.get("keyword"),
            "notes": item.get("note"), "abstract": item.get("abstract"),
        }
        docs.append(_document(fields, None if key is None else str(key), path, item.get("file"), "csl-json",
                              pdf_folder))
    return _unique(docs, path, [item.get("id") is not None for item in data])
