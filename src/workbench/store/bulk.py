"""Bulk writing for the import writer: two backends with one interface, and the import's event group.

`SqliteStore` goes through SQLite's own driver with the statements SQLAlchemy compiles (the same SQL and
value conversions, without the per-statement machinery) and groups whole files into one commit;
`CoreStore` serves any other database, each file its own transaction. Both log a file's rows in a
`groups` row of their own, created inside the file's transaction (so concurrent writers never share one).
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError

from .events import entity_key, primary_key, row_json
from .schema import attributes, cases, document_values, documents, events, groups, turns

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

_INSERT = {t.name: insert(t) for t in (cases, documents, turns, attributes, document_values, events, groups)}
_EVENT_KEYS = ("group_id", "entity", "entity_id", "before", "after")
_GROUP_KEYS = ("actor", "action", "at", "revision", "undoable", "documents", "summary")
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
_PG_LOCK = 727_001


class Clash(Exception):
    """Another process wrote a row that clashes with this file's (a unique name or hash)."""


def _guarded(method):
    """Database failures as the import writer can handle them: Clash, or a StorageError (disk full ...)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        from .project import storage_error

        try:
            return method(self, *args, **kwargs)
        except (IntegrityError, sqlite3.IntegrityError) as exc:
            raise Clash(str(getattr(exc, "orig", exc))) from exc
        except (OperationalError, sqlite3.OperationalError, DBAPIError) as exc:
            err = storage_error(exc, str(self.where))
            if err is None:
                raise
            raise err from exc

    return run


class Unstorable(Exception):
    """A value the database cannot take (e.g. front matter that is not JSON)."""


class CoreStore:
    """Any database SQLAlchemy speaks: each file is its own transaction."""

    def __init__(self, project: Project):
        self.where = project.db_path or project.name
        self.conn: Connection = project.engine.connect()
        self._tx = None

    @_guarded
    def begin_file(self) -> None:
        self.conn.execution_options(wb_write=True)
        self._tx = self.conn.begin()
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})

    @_guarded
    def end_file(self, ok: bool, size: int = 0) -> None:
        tx, self._tx = self._tx, None
        if ok:
            tx.commit()
        else:
            tx.rollback()

    @_guarded
    def insert(self, table: Table, row: dict[str, Any]) -> int | None:
        try:
            result = self.conn.execute(_INSERT[table.name], row)
        except StatementError as exc:
            if isinstance(exc, DBAPIError):
                raise
            raise Unstorable(f"{exc.orig.__class__.__name__}: {exc.orig}") from exc
        return result.inserted_primary_key[0] if len(table.primary_key.columns) == 1 else None

    @_guarded
    def insert_many(self, table: Table, keys: tuple[str, ...], rows: list[tuple]) -> None:
        self.conn.execute(_INSERT[table.name], [dict(zip(keys, r, strict=True)) for r in rows])

    @_guarded
    def set_attribute_type(self, attribute_id: int, typ: str) -> None:
        self.conn.execute(attributes.update().where(attributes.c.id == attribute_id).values(type=typ))

    @_guarded
    def select(self, query) -> list:
        if self._tx is not None:
            return self.conn.execute(query).all()
        with self.conn.begin():
            return self.conn.execute(query).all()

    def close(self) -> None:
        self.conn.close()


class SqliteStore:
    """SQLite through its own driver: the statements SQLAlchemy compiles and the value conversions its
    types define, without its per-statement machinery, and whole files grouped into one commit.

    The connection comes from the project's pool (foreign keys on, WAL) and goes back as it came: with the
    driver's transaction handling and the checkpoint interval restored.
    """

    def __init__(self, project: Project):
        self.where = project.db_path or project.name
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
            raise Unstorable(f"{exc.__class__.__name__}: {exc}") from exc
        return values

    @_guarded
    def begin_file(self) -> None:
        if not self.in_tx:
            self.cur.execute("BEGIN IMMEDIATE")  # the write lock now, waiting for other writers
            self.in_tx = True
            self._chunk_started = time.perf_counter()
            self._chunk_files = self._chunk_chars = 0
        self.cur.execute("SAVEPOINT wb_import_file")

    @_guarded
    def end_file(self, ok: bool, size: int = 0) -> None:
        if not self.db.in_transaction:  # SQLite rolled the whole transaction back itself (e.g. disk full)
            self.in_tx = False
            return
        if not ok:
            self.cur.execute("ROLLBACK TO wb_import_file")
        self.cur.execute("RELEASE wb_import_file")
        self._chunk_files += 1
        self._chunk_chars += size
        if (self._chunk_files >= _COMMIT_FILES or self._chunk_chars >= _COMMIT_CHARS
                or time.perf_counter() - self._chunk_started >= _COMMIT_SECONDS):
            self.commit()

    @_guarded
    def commit(self) -> None:
        if self.in_tx and self.db.in_transaction:
            self.cur.execute("COMMIT")
        self.in_tx = False

    @_guarded
    def insert(self, table: Table, row: dict[str, Any]) -> int | None:
        sql, order, convert = self._statement(table, tuple(row))
        self.cur.execute(sql, self._params(order, convert, tuple(row.values())))
        return self.cur.lastrowid if len(table.primary_key.columns) == 1 else None

    @_guarded
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

    @_guarded
    def set_attribute_type(self, attribute_id: int, typ: str) -> None:
        compiled = attributes.update().where(attributes.c.id == attribute_id).values(type=typ).compile(
            dialect=self.dialect)
        self.cur.execute(str(compiled), tuple(compiled.params[k] for k in compiled.positiontup))

    @_guarded
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
                self.cur.close()
                self.db.isolation_level = self._isolation
            except sqlite3.Error:
                self.raw.invalidate()  # not fit to go back to the pool (it is closed now)
            finally:
                self.raw.close()


def open_store(project: Project) -> SqliteStore | CoreStore:
    if project.engine.dialect.name == "sqlite" and project.engine.dialect.driver == "pysqlite":
        return SqliteStore(project)
    return CoreStore(project)


def log_file(store: SqliteStore | CoreStore, *, actor: str, action: str, stamp: Any, revision: str | None,
             log: list[tuple[Table, dict | None, dict]], document_ids: list[int]) -> int:
    """One file's event group: the group row, then one event per logged row; returns the group id."""
    gid = store.insert(groups, {"actor": actor, "action": action, "at": stamp, "revision": revision,
                                "undoable": False, "documents": sorted(document_ids) or None,
                                "summary": f"import of {len(document_ids)} document(s)"})
    store.insert_many(events, _EVENT_KEYS, [
        (gid, table.name, entity_key(primary_key(table, after)), row_json(table, before), row_json(table, after))
        for table, before, after in log])
    return gid


def existing(store: SqliteStore | CoreStore) -> tuple[list[tuple[str, str]], dict[str, int], list[tuple]]:
    """What an import batch checks against: (name, hash) of documents, cases by name, document attributes."""
    docs = store.select(select(documents.c.name, documents.c.content_hash))
    case_ids = dict(store.select(select(cases.c.name, cases.c.id)))
    attrs = store.select(select(attributes.c.id, attributes.c.name, attributes.c.scope, attributes.c.type)
                         .where(attributes.c.scope == "document"))
    return docs, case_ids, attrs
