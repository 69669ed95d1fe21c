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

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from ..errors import SourceError, WorkbenchError
from ..store.events import entity_key, now, primary_key, row_json
from ..store.project import Project
from ..store.schema import attributes, cases, document_values, documents, events, turns
from ..store.values import infer_type, parse_value
from .document import ImportedDocument
from .text import content_hash

_MAX_GROUP = select(func.max(events.c.group_id))
_INSERT = {t.name: insert(t) for t in (cases, documents, turns, attributes, document_values, events)}
_TURN_KEYS = ("document_id", "seq", "speaker", "start", "end", "speech_start", "time_ms", "end_time_ms")
_EVENT_KEYS = ("group_id", "at", "actor", "action", "entity", "entity_id", "before", "after", "undoable")
# Group commit on SQLite: a transaction holds whole files and is committed after this long, this many
# files or this much text, whichever comes first, so other writers wait at most about this long.
_COMMIT_SECONDS = 0.5
_COMMIT_FILES = 500
_COMMIT_CHARS = 32 * 2**20
# While a batch runs, SQLite checkpoints its write-ahead log every this many pages (64 MiB at 4 KiB pages)
# rather than every 1,000: fewer pauses with an fsync each; both settings are restored afterwards.
_BATCH_WAL_PAGES = 16384
# ... and keeps up to 64 MiB of pages in memory (-N is KiB), so a group commit's pages are not spilled early.
_BATCH_CACHE = -65536
_ROWS_PER_INSERT = 100  # 800 parameters for a turn row's 8: under SQLite's oldest limit of 999


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


class _Unstorable(Exception):
    """A value the database cannot take (e.g. front matter that is not JSON)."""


# ---- two ways to the database: SQLite's own driver (fast path) and SQLAlchemy Core (any database) ---------
class _CoreStore:
    """Any database SQLAlchemy speaks: each file is its own transaction."""

    def __init__(self, project: Project):
        self.conn: Connection = project.engine.connect()
        self._tx = None

    def begin_file(self) -> None:
        self._tx = self.conn.begin()

    def end_file(self, ok: bool, size: int = 0) -> None:
        tx, self._tx = self._tx, None
        if ok:
            tx.commit()
        else:
            tx.rollback()

    def insert(self, table: Table, row: dict[str, Any]) -> int | None:
        try:
            result = self.conn.execute(_INSERT[table.name], row)
        except StatementError as exc:
            if isinstance(exc, DBAPIError):
                raise
            raise _Unstorable(f"{exc.orig.__class__.__name__}: {exc.orig}") from exc
        return result.inserted_primary_key[0] if len(table.primary_key.columns) == 1 else None

    def insert_many(self, table: Table, keys: tuple[str, ...], rows: list[tuple]) -> None:
        self.conn.execute(_INSERT[table.name], [dict(zip(keys, r, strict=True)) for r in rows])

    def max_group(self) -> int:
        return self.conn.execute(_MAX_GROUP).scalar() or 0

    def set_attribute_type(self, attribute_id: int, typ: str) -> None:
        self.conn.execute(attributes.update().where(attributes.c.id == attribute_id).values(type=typ))

    def select(self, query) -> list:
        if self._tx is not None:
            return self.conn.execute(query).all()
        with self.conn.begin():
            return self.conn.execute(query).all()

    def close(self) -> None:
        self.conn.close()


class _SqliteStore:
    """SQLite through its own driver: the statements SQLAlchemy compiles and the value conversions its
    types define, without its per-statement machinery, and whole files grouped into one commit.

    The connection comes from the project's pool (foreign keys on, WAL) and goes back as it came: with the
    driver's transaction handling and the checkpoint interval restored.
    """

    def __init__(self, project: Project):
        self.dialect = project.engine.dialect
        self.raw = project.engine.raw_connection()
        self.db: sqlite3.Connection = self.raw.driver_connection
        self._isolation = self.db.isolation_level
        self.db.isolation_level = None  # autocommit: BEGIN, SAVEPOINT and COMMIT are ours to say
        self.cur = self.db.cursor()
        self._wal_pages = self.cur.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        self._cache = self.cur.execute("PRAGMA cache_size").fetchone()[0]
        self.cur.execute(f"PRAGMA wal_autocheckpoint={_BATCH_WAL_PAGES}")
        self.cur.execute(f"PRAGMA cache_size={_BATCH_CACHE}")
        self._statements: dict[tuple[str, tuple[str, ...]], tuple[str, tuple | None, tuple]] = {}
        self._multi: dict[tuple, str] = {}
        self._max_group = str(_MAX_GROUP.compile(dialect=self.dialect))
        self.in_tx = False
        self._chunk_started = 0.0
        self._chunk_files = 0
        self._chunk_chars = 0

    def _statement(self, table: Table, keys: tuple[str, ...]) -> tuple[str, tuple | None, tuple]:
        """INSERT for these columns as SQLAlchemy compiles it: the SQL, the order of the values (None: as
        given) and the value conversions its types define for SQLite, as (position, function) pairs."""
        found = self._statements.get((table.name, keys))
        if found is None:
            compiled = insert(table).compile(dialect=self.dialect, column_keys=list(keys))
            order = tuple(keys.index(k) for k in compiled.positiontup)
            convert = tuple((at, fn) for at, k in enumerate(compiled.positiontup)
                            if (fn := table.c[k].type.dialect_impl(self.dialect).bind_processor(self.dialect)))
            found = self._statements[(table.name, keys)] = (
                str(compiled), None if order == tuple(range(len(keys))) else order, convert)
        return found

    @staticmethod
    def _params(order: tuple | None, convert: tuple, row: tuple) -> list:
        values = list(row) if order is None else [row[i] for i in order]
        try:
            for at, fn in convert:
                values[at] = fn(values[at])
        except (TypeError, ValueError) as exc:  # e.g. a value json cannot serialise
            raise _Unstorable(f"{exc.__class__.__name__}: {exc}") from exc
        return values

    def begin_file(self) -> None:
        if not self.in_tx:
            self.cur.execute("BEGIN")
            self.in_tx = True
            self._chunk_started = time.perf_counter()
            self._chunk_files = self._chunk_chars = 0
        self.cur.execute("SAVEPOINT wb_import_file")

    def end_file(self, ok: bool, size: int = 0) -> None:
        if not ok:
            self.cur.execute("ROLLBACK TO wb_import_file")
        self.cur.execute("RELEASE wb_import_file")
        self._chunk_files += 1
        self._chunk_chars += size
        if (self._chunk_files >= _COMMIT_FILES or self._chunk_chars >= _COMMIT_CHARS
                or time.perf_counter() - self._chunk_started >= _COMMIT_SECONDS):
            self.commit()

    def commit(self) -> None:
        if self.in_tx:
            self.cur.execute("COMMIT")
            self.in_tx = False

    def insert(self, table: Table, row: dict[str, Any]) -> int | None:
        sql, order, convert = self._statement(table, tuple(row))
        self.cur.execute(sql, self._params(order, convert, tuple(row.values())))
        return self.cur.lastrowid if len(table.primary_key.columns) == 1 else None

    def insert_many(self, table: Table, keys: tuple[str, ...], rows: list[tuple]) -> None:
        sql, order, convert = self._statement(table, keys)
        if order is not None or convert:
            self.cur.executemany(sql, [self._params(order, convert, r) for r in rows])
            return
        # plain values in column order (turns): multi-row INSERTs of up to _ROWS_PER_INSERT rows, which
        # SQLite runs a good deal faster than the same rows one by one
        head, _, one = sql.partition(" VALUES ")
        for at in range(0, len(rows), _ROWS_PER_INSERT):
            chunk = rows[at:at + _ROWS_PER_INSERT]
            key = (table.name, keys, len(chunk))
            many = self._multi.get(key)
            if many is None:
                many = self._multi[key] = f"{head} VALUES {', '.join([one] * len(chunk))}"
            self.cur.execute(many, [v for r in chunk for v in r])

    def max_group(self) -> int:
        return self.cur.execute(self._max_group).fetchone()[0] or 0

    def set_attribute_type(self, attribute_id: int, typ: str) -> None:
        compiled = attributes.update().where(attributes.c.id == attribute_id).values(type=typ).compile(
            dialect=self.dialect)
        self.cur.execute(str(compiled), tuple(compiled.params[k] for k in compiled.positiontup))

    def select(self, query) -> list:
        compiled = query.compile(dialect=self.dialect)
        return self.cur.execute(str(compiled), tuple(compiled.params[k] for k in compiled.positiontup)).fetchall()

    def close(self) -> None:
        """Commit the files written so far, and give the connection back as it was."""
        try:
            self.commit()
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.cur.execute("ROLLBACK")
            self.in_tx = False
            raise
        finally:
            try:
                self.cur.execute(f"PRAGMA wal_autocheckpoint={int(self._wal_pages)}")
                self.cur.execute(f"PRAGMA cache_size={int(self._cache)}")
                self.cur.execute("PRAGMA wal_checkpoint(PASSIVE)")  # hand the log to the database file
            except sqlite3.Error:
                self.raw.invalidate()  # not fit to go back to the pool
            finally:
                self.cur.close()
                self.db.isolation_level = self._isolation
                self.raw.close()


def _store(project: Project):
    if project.engine.dialect.name == "sqlite" and project.engine.dialect.driver == "pysqlite":
        return _SqliteStore(project)
    return _CoreStore(project)


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
        self.store = _store(project)
        self.last_error: WorkbenchError | None = None  # why the last failed file failed
        self._load()

    def _load(self) -> None:
        rows = self.store.select(select(documents.c.name, documents.c.content_hash))
        self.hashes = {digest: name for name, digest in rows}
        self.names = {name for name, _ in rows}
        self.cases = dict(self.store.select(select(cases.c.name, cases.c.id)))
        self.attrs = {r[1]: {"id": r[0], "name": r[1], "scope": r[2], "type": r[3]} for r in self.store.select(
            select(attributes.c.id, attributes.c.name, attributes.c.scope, attributes.c.type)
            .where(attributes.c.scope == "document"))}

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
        except _Unstorable as exc:
            self.last_error = SourceError(f"cannot store it ({exc})", where=where)
            results = [("failed", str(self.last_error))] * len(docs)
        except (IntegrityError, sqlite3.IntegrityError) as exc:  # another process wrote a clashing row
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
                   "case_id": case_id, "source_path": str(source) if source else None,
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
            group = store.max_group() + 1
            store.insert_many(events, _EVENT_KEYS, [
                (group, stamp, self.actor, self.action, table.name, entity_key(primary_key(table, after)),
                 row_json(table, before), row_json(table, after), False)
                for table, before, after in log])
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
