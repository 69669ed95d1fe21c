"""Merging search exports from several databases into one record per work.

Two records are the same work when their DOIs match (case-insensitively, `https://doi.org/` and `doi:`
prefixes ignored); when either has no DOI, when their normalised title, year and first author's family
name all match. Records whose DOIs differ are different works, whatever their titles say. A record with
neither a DOI nor a title is never merged: author and year alone are too weak (OECD 2010 is many works).

A work is a literature document; every export record that was that work is a `records_sources` row
(database, file, position), so the PRISMA flow counts records per database and the duplicates removed,
and importing the same export twice adds nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..corpus.document import ImportedDocument
from ..corpus.importers import READERS, read_source
from ..corpus.text import content_hash
from ..corpus.writer import DocumentWriter
from ..errors import SourceError, ValidationError
from ..store.events import now
from ..store.literature import content_hashes, known_records, literature_works
from ..store.project import Project
from ..store.schema import records_sources

__all__ = ["ExportRecord", "Work", "family_name", "import_search_exports", "merge_records", "normalise_doi",
           "normalise_title", "title_key"]

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
# name particles that databases place before or after the family name, or drop (van Tuijl / Tuijl, C. van)
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ten", "ter", "te",
              "op", "het", "'t", "zu", "dos", "das", "y"}
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_INITIALS = re.compile(r"(?:[A-Z]\.-?)+|[A-Z]{1,2}")
REPORT_COLUMNS = ["database", "file", "position", "record", "title", "year", "status", "document", "matched_by"]


def normalise_doi(doi: Any) -> str | None:
    """`https://doi.org/10.1016/J.X` and `doi:10.1016/j.x` -> `10.1016/j.x`; None when there is none."""
    if doi is None or (isinstance(doi, float) and pd.isna(doi)):
        return None
    text = _DOI_PREFIX.sub("", str(doi).strip()).strip().rstrip(".").lower()
    return text if text.startswith("10.") else None


def _fold(text: str) -> str:
    """Lower case without accents: 'Bèta' and 'beta' compare equal."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return _COMBINING.sub("", decomposed).casefold()


def normalise_title(title: Any) -> str:
    """Case, accents, punctuation (curly quotes, dashes, colons) and spacing do not make another work."""
    if title is None or (isinstance(title, float) and pd.isna(title)):
        return ""
    return " ".join(re.sub(r"[^\w]+", " ", _fold(str(title))).replace("_", " ").split())


def family_name(author: Any) -> str:
    """The family name to compare, from 'Van Tuijl, C.', 'C. van Tuijl', 'Tuijl, C. van' or 'VAN TUIJL C':
    folded, particles dropped, and only its last word kept (so 'Walma van der Molen' and 'Molen' agree)."""
    if author is None or (isinstance(author, float) and pd.isna(author)):
        return ""
    text = str(author).strip()
    if "," in text:
        family = text.split(",", 1)[0]
    else:  # 'Chantal van Tuijl' or 'VAN TUIJL C': drop the initials, the family name ends the rest
        words = [w for w in text.split() if not _INITIALS.fullmatch(w)]
        family = " ".join(words) or text
    words = [w for w in re.sub(r"[^\w' ]+", " ", _fold(family)).split() if w not in _PARTICLES]
    return words[-1].replace("'", "") if words else ""


def _first_author(authors: Any) -> str:
    if authors is None or (isinstance(authors, float) and pd.isna(authors)):
        return ""
    first = authors[0] if isinstance(authors, list | tuple) and authors else str(authors).split(";")[0]
    return family_name(first)


def title_key(fields: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(normalised title, year, first author's family name), or None without a title."""
    title = normalise_title(fields.get("title"))
    if not title:
        return None
    year = fields.get("year")
    year = "" if year is None or (isinstance(year, float) and pd.isna(year)) else str(year).strip()
    year = year[:-2] if year.endswith(".0") else year
    return title, year, _first_author(fields.get("authors"))


@dataclass
class ExportRecord:
    """One record of one search export: where it came from and its bibliographic fields."""

    database: str
    file: str
    position: int  # 1-based
    fields: dict[str, Any]
    record: str | None = None  # its key in the export
    document: ImportedDocument | None = None  # what the importer made of it

    @property
    def doi(self) -> str | None:
        return normalise_doi(self.fields.get("doi"))

    @property
    def key(self) -> tuple[str, str, str] | None:
        return title_key(self.fields)


@dataclass
class Work:
    """Records that are one work, the first of them (or a work already in the project) leading."""

    records: list[ExportRecord] = field(default_factory=list)
    matched_by: list[str] = field(default_factory=list)  # per record: new, doi or title
    document: str | None = None  # the literature document, when it is already in the project
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        return sorted({r.database for r in self.records})


class _Index:
    """DOI and title keys -> work, for matching records against works seen so far."""

    def __init__(self) -> None:
        self.by_doi: dict[str, Work] = {}
        self.by_title: dict[tuple[str, str, str], list[Work]] = {}

    def add(self, work: Work, doi: str | None, key: tuple[str, str, str] | None) -> None:
        if doi:
            self.by_doi.setdefault(doi, work)
        if key:
            self.by_title.setdefault(key, []).append(work)

    def match(self, doi: str | None, key: tuple[str, str, str] | None) -> tuple[Work | None, str]:
        if doi and doi in self.by_doi:
            return self.by_doi[doi], "doi"
        for work in self.by_title.get(key, []) if key else []:
            other = normalise_doi(work.fields.get("doi"))
            if not (doi and other and doi != other):  # different DOIs: different works
                return work, "title"
        return None, "new"


def merge_records(records: Iterable[ExportRecord], works: Iterable[Mapping[str, Any]] = ()) -> list[Work]:
    """Group records into works (pure): first against `works` already known (dicts with `name` and the
    bibliographic fields), then against each other in the order given. Known works come first."""
    index = _Index()
    out: list[Work] = []
    for known in works:
        work = Work(document=str(known["name"]), fields=dict(known))
        index.add(work, normalise_doi(known.get("doi")), title_key(known))
        out.append(work)
    for rec in records:
        doi, key = normalise_doi(rec.fields.get("doi")), title_key(rec.fields)
        work, how = index.match(doi, key)
        if work is None:
            work = Work(fields=dict(rec.fields))
            out.append(work)
        else:  # a later record may carry what the first lacked (a DOI, a title)
            for k, v in rec.fields.items():
                if work.fields.get(k) in (None, "", []) and v not in (None, "", []):
                    work.fields[k] = v
        work.records.append(rec)
        work.matched_by.append(how)
        index.add(work, doi, key)
    return out


# ---- reading exports ---------------------------------------------------------------------------------
def _exports(exports: Mapping[str, Any] | Iterable[str | Path]) -> list[tuple[str, Path]]:
    """(database, file) pairs: a mapping database -> file(s), or files named after their database."""
    pairs: list[tuple[str, Path]] = []
    if isinstance(exports, Mapping):
        for database, paths in exports.items():
            for p in [paths] if isinstance(paths, str | Path) else list(paths):
                pairs.append((str(database), Path(p)))
    else:
        for p in [exports] if isinstance(exports, str | Path) else list(exports):
            path = Path(p)
            if path.is_dir():
                pairs.extend((f.stem, f) for f in sorted(path.iterdir())
                             if f.is_file() and f.suffix.lower() in (".ris", ".bib", ".json"))
            else:
                pairs.append((path.stem, path))
    if not pairs:
        raise ValidationError("no search exports given", fix="pass {'ERIC': 'eric.ris', ...} or a list of files")
    for database, path in pairs:
        if not database.strip():
            raise ValidationError("a search export needs a database name", where=str(path),
                                  fix="pass a mapping {'ERIC': path}")
        if not path.is_file():
            raise SourceError("no such search export", where=str(path), fix="check the path")
        if path.suffix.lower() not in (".ris", ".bib", ".json"):
            raise SourceError(f"not a bibliography export ({path.suffix or 'no suffix'})", where=str(path),
                              fix="export the search results as RIS, BibTeX or CSL-JSON")
    return pairs


def read_export(database: str, path: Path) -> list[ExportRecord]:
    """The records of one export, through the project's bibliography readers (SourceError if broken)."""
    assert path.suffix.lower() in READERS
    docs = read_source(path)
    out = []
    for i, doc in enumerate(docs, 1):
        fields = dict(doc.attributes)
        out.append(ExportRecord(database, path.name, i, fields, doc.name, doc))
    return out


def _new_document(work: Work, taken: set[str]) -> ImportedDocument:
    """The document for a work first seen in these exports: its fullest record, gaps filled by the rest."""
    lead = max((r for r in work.records), key=lambda r: len(r.document.text if r.document else ""))
    assert lead.document is not None
    doc = lead.document
    attrs = dict(doc.attributes)
    for k, v in work.fields.items():
        if attrs.get(k) in (None, "", []) and v not in (None, "", []):
            attrs[k] = v
    name, n = doc.name, 2
    while name in taken:
        name, n = f"{doc.name}-{n}", n + 1
    taken.add(name)
    return ImportedDocument(name=name, kind="literature", text=doc.text, source_format=doc.source_format,
                            attributes=attrs, meta=dict(doc.meta))


def import_search_exports(project: Project, exports: Mapping[str, Any] | Iterable[str | Path], *,
                          actor: str = "importer") -> pd.DataFrame:
    """Import search exports from several databases, one literature document per work.

    `exports`: {"ERIC": "eric.ris", "EBSCO": ["a.ris", "b.ris"]} or files (or a folder) whose names are the
    databases. Every file is read before anything is written, so a broken export changes nothing. Works
    already in the project (by DOI or title key, or the same text) get the new records linked; new works
    become documents. Returns one row per record (status: new, duplicate, already imported) with the
    counts in `attrs["summary"]`: records, per database, new works, duplicates.
    """
    pairs = _exports(exports)
    records = [rec for database, path in pairs for rec in read_export(database, path)]
    with project.read() as conn:
        works_now = literature_works(conn)
        hashes = content_hashes(conn)
        seen = known_records(conn)
    fresh = [r for r in records if (r.database, r.file, r.position) not in seen]
    works = merge_records(fresh, works_now)
    taken = {w["name"] for w in works_now} | set(hashes.values())
    new_docs: dict[int, ImportedDocument] = {}
    for work in works:
        if work.document is None and work.records:
            texts = [content_hash(r.document.text) for r in work.records if r.document]
            same_text = next((hashes[h] for h in texts if h in hashes), None)
            if same_text is not None:  # the same abstract under another title or DOI spelling
                work.document = same_text
                work.matched_by = ["text"] * len(work.records)
            else:
                doc = new_docs[id(work)] = _new_document(work, taken)
                hashes[content_hash(doc.text)] = doc.name
    if new_docs:
        with DocumentWriter(project, actor, action="literature.import") as writer:
            results = writer.add_file(list(new_docs.values()), Path(pairs[0][1]))
        failed = [msg for status, msg in results if status == "failed"]
        if failed:
            raise SourceError(f"the new works could not be stored: {failed[0]}", where=str(pairs[0][1]))
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    stamp = now()
    for work in works:
        name = work.document or (new_docs[id(work)].name if id(work) in new_docs else None)
        for i, (rec, how) in enumerate(zip(work.records, work.matched_by, strict=True)):
            status = "new" if work.document is None and i == 0 else "duplicate"
            rows.append({"database": rec.database, "file": rec.file, "position": rec.position, "record": rec.record,
                         "title": rec.fields.get("title"), "year": rec.fields.get("year"), "status": status,
                         "document": name, "matched_by": "new" if status == "new" else how})
            links.append({"document": name, "database": rec.database, "file": rec.file, "position": rec.position,
                          "record": (rec.record or "")[:300] or None, "matched_by": rows[-1]["matched_by"],
                          "imported": stamp})
    if links:
        with project.transaction(actor, "literature.sources", undoable=False,
                                 summary=f"{len(links)} search-export records linked") as tx:
            ids = {w["name"]: w["id"] for w in literature_works(tx.conn)}
            tx.insert_many(records_sources, [{**{k: v for k, v in link.items() if k != "document"},
                                              "document_id": ids[link["document"]]} for link in links])
    for rec in records:
        if (rec.database, rec.file, rec.position) in seen:
            rows.append({"database": rec.database, "file": rec.file, "position": rec.position, "record": rec.record,
                         "title": rec.fields.get("title"), "year": rec.fields.get("year"),
                         "status": "already imported", "document": None, "matched_by": None})
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS).sort_values(["database", "file", "position"],
                                                                      ignore_index=True)
    report.attrs["summary"] = _summary(report)
    return report


def _summary(report: pd.DataFrame) -> dict[str, Any]:
    fresh = report[report["status"] != "already imported"]
    return {"records": int(len(fresh)),
            "per_database": {str(k): int(v) for k, v in fresh.groupby("database").size().items()},
            "new_works": int((fresh["status"] == "new").sum()),
            "duplicates": int((fresh["status"] == "duplicate").sum()),
            "already_imported": int((report["status"] == "already imported").sum())}
