"""Storing imported documents: each source file all or nothing, and one event group.

How a file is kept atomic: on SQLite each file is a SAVEPOINT inside a transaction that is committed every
few hundred milliseconds (group commit); a failing file rolls back to its savepoint, and a crash rolls
back the uncommitted transaction as a whole - whole files only, never half of one. On other databases
each file is its own transaction. Either way a file's documents, turns, attribute values and event-log
rows are written together or not at all.

Speed: on SQLite, storing goes through the driver with the statements SQLAlchemy compiles (the same SQL
and value conversions, without the per-statement machinery); bench/bench_import.py measures it against
the floor of merely inserting the same text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SourceError, WorkbenchError
from ..store.bulk import Clash, Unstorable, existing, log_file, open_store
from ..store.events import now
from ..store.project import Project
from ..store.schema import Table, attributes, cases, document_values, documents, turns
from ..store.values import infer_type, parse_value
from .document import ImportedDocument, relative_source
from .text import content_hash

_TURN_KEYS = ("document_id", "seq", "speaker", "start", "end", "speech_start", "time_ms", "end_time_ms")


def _full(table: Table, row: dict[str, Any], pk: int | None) -> dict[str, Any]:
    """The row as Tx.insert logs it: every column, in table order, with the new primary key."""
    full = {**row, table.primary_key.columns[0].name: pk} if pk is not None else row
    return {c.name: full.get(c.name) for c in table.columns}


def _bib_type(name: str, value: str) -> str:
    """A new document attribute's type: bibliographic fields are text, except a numeric year."""
    return "integer" if name == "year" and infer_type([value]) == "integer" else "text"


class _FileFailed(Exception):
    """One document of a file failed; the file is rolled back. Carries the statuses so far."""

    def __init__(self, error: WorkbenchError, done: list[tuple[str, str]]):
        super().__init__(str(error))
        self.error = error
        self.done = done


class DocumentWriter:
    """Stores imported documents; each source file all or nothing, and one event group.

    What the project already holds (content hashes, names, cases, document attributes) is read once per
    batch rather than once per file; a file's event-log rows go in with one statement. The unique
    constraints on names and content hashes stay the last word if another process writes meanwhile.
    """

    def __init__(self, project: Project, actor: str = "importer", action: str = "document.import"):
        self.project = project
        self.actor = actor
        self.action = action
        self.store = open_store(project)
        self.last_error: WorkbenchError | None = None  # why the last failed file failed
        self._load()

    def _load(self) -> None:
        rows, case_ids, attrs = existing(self.store)
        self.hashes = {digest: name for name, digest in rows}
        self.names = {name for name, _ in rows}
        self.cases = case_ids
        self.attrs = {r[1]: {"id": r[0], "name": r[1], "scope": r[2], "type": r[3]} for r in attrs}

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> DocumentWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_file(self, docs: list[ImportedDocument], source: Path | None = None) -> list[tuple[str, str]]:
        """Store one file's documents, all or nothing; one (status, message) per document."""
        where = str(source or (docs[0].name if docs else "?"))
        news: dict[str, Any] = {}
        ok = reload = False
        self.store.begin_file()
        try:
            results = self._write(docs, source, news)
            ok = True
        except _FileFailed as failed:
            self.last_error = failed.error
            # duplicates stay duplicates; whatever would have been written is not, and says why
            culprit = docs[len(failed.done)].name
            why = ("failed", f"not imported: {culprit!r} from the same file failed, so nothing of it was written")
            results = ([why if status == "imported" else (status, msg) for status, msg in failed.done]
                       + [("failed", str(failed.error))] + [why] * (len(docs) - len(failed.done) - 1))
        except Unstorable as exc:
            self.last_error = SourceError(f"cannot store it ({exc})", where=where)
            results = [("failed", str(self.last_error))] * len(docs)
        except Clash as exc:  # another process wrote a clashing row
            reload = True
            self.last_error = SourceError(f"clashes with what is already in the project ({exc})", where=where,
                                          fix="import it again")
            results = [("failed", str(self.last_error))] * len(docs)
        finally:
            self.store.end_file(ok, sum(len(d.text) for d in docs) if ok else 0)
        if ok:  # only now does the batch's picture of the project change
            self.hashes.update(news["hashes"])
            self.names.update(news["hashes"].values())
            self.cases.update(news["cases"])
            self.attrs.update(news["attrs"])
        if reload:
            self._load()
        return results

    def _write(self, docs: list[ImportedDocument], source: Path | None,
               news: dict[str, Any]) -> list[tuple[str, str]]:
        store = self.store
        results: list[tuple[str, str]] = []
        new_hashes: dict[str, str] = {}
        new_cases: dict[str, int] = {}
        new_attrs: dict[str, dict[str, Any]] = {}
        news.update(hashes=new_hashes, cases=new_cases, attrs=new_attrs)
        stamp = now()
        log: list[tuple[Table, dict | None, dict]] = []  # (table, before, after)
        for doc in docs:
            digest = content_hash(doc.text)
            dup = self.hashes.get(digest) or new_hashes.get(digest)
            if dup is not None:
                results.append(("duplicate", f"same text as document {dup!r}; skipped"))
                continue
            if doc.name in self.names or doc.name in new_hashes.values():
                raise _FileFailed(SourceError(
                    f"a different document named {doc.name!r} is already in the project",
                    where=str(source or doc.name),
                    fix="documents are immutable: give the new version another name (front matter id:)"),
                    results)
            case_id = None
            if doc.case:
                case_id = self.cases.get(doc.case, new_cases.get(doc.case))
                if case_id is None:
                    row = {"name": doc.case, "created": stamp}
                    case_id = new_cases[doc.case] = store.insert(cases, row)
                    log.append((cases, None, _full(cases, row, case_id)))
            row = {"name": doc.name, "kind": doc.kind, "text": doc.text, "content_hash": digest,
                   "case_id": case_id, "source_path": relative_source(source, self.project.root) if source else None,
                   "source_format": doc.source_format, "encoding": doc.encoding, "meta": doc.meta,
                   "imported": stamp}
            doc_id = store.insert(documents, row)
            new_hashes[digest] = doc.name
            log.append((documents, None, _full(documents, row, doc_id)))
            if doc.turns:
                store.insert_many(turns, _TURN_KEYS, [
                    (doc_id, i, t.speaker, t.start, t.end, t.speech_start, t.time_ms, t.end_time_ms)
                    for i, t in enumerate(doc.turns)])
            for name, value in doc.attributes.items():
                value = str(value)
                attr = self._attribute(name, value, new_attrs, log)
                vrow = {"document_id": doc_id, "attribute_id": attr["id"], "value": value}
                store.insert(document_values, vrow)
                log.append((document_values, None, vrow))
            extra = f" ({len(doc.turns)} turns)" if doc.turns else ""
            results.append(("imported", f"{doc.kind}, {len(doc.text)} characters{extra}"))
        if log:
            log_file(store, actor=self.actor, action=self.action, stamp=stamp, revision=self.project.revision,
                     log=log, document_ids=[after["id"] for table, _, after in log if table is documents])
        return results

    def _attribute(self, name: str, value: str, new_attrs: dict[str, dict[str, Any]],
                   log: list[tuple[Table, dict | None, dict]]) -> dict[str, Any]:
        """The document attribute `name`, created if new; widened to text if `value` does not fit its type."""
        attr = new_attrs.get(name) or self.attrs.get(name)
        if attr is None:
            row = {"name": name, "scope": "document", "type": _bib_type(name, value)}
            attr = _full(attributes, row, self.store.insert(attributes, row))
            log.append((attributes, None, attr))
        elif attr["type"] != "text":
            try:
                parse_value(value, attr["type"])
            except ValueError:
                # e.g. a year like '2013a' or 'in press': keep the value, make the attribute text
                before, attr = attr, {**attr, "type": "text"}
                self.store.set_attribute_type(attr["id"], "text")
                log.append((attributes, before, attr))
        new_attrs[name] = attr
        return attr


def add_document(project: Project, doc: ImportedDocument, source: Path | None = None,
                 actor: str = "importer") -> tuple[str, str]:
    """Store one document on its own. Returns (status, message); raises SourceError if it fails."""
    with DocumentWriter(project, actor) as writer:
        status, message = writer.add_file([doc], source)[0]
        if status == "failed" and writer.last_error is not None:
            raise writer.last_error
    return status, message
