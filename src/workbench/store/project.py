"""A project: a folder with corpus/, coding/ and a database, opened through SQLAlchemy Core.

SQLite is the default (WAL, foreign keys on); `workbench.yaml` may name another database URL (e.g.
PostgreSQL) for teams. Everything is readable as a pandas DataFrame.

Concurrency: two kernels, a widget and a script may write one project at once. Every write is a
transaction that takes the database's write lock when it begins (SQLite: BEGIN IMMEDIATE, waiting up to
`BUSY_SECONDS` for another writer; PostgreSQL: a transaction-level advisory lock), so writers queue
instead of failing, and long batches commit in chunks of about half a second (`Project.batch`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..errors import ConflictError, NotFound, StorageError, ValidationError, WorkbenchError
from . import events as ev
from . import migrate, queries
from .schema import (
    assignments,
    attributes,
    case_values,
    cases,
    coders,
    codes,
    codings,
    document_values,
    documents,
    groups,
    memos,
    research_questions,
    settings,
    turns,
)
from .values import parse_value

if TYPE_CHECKING:  # pragma: no cover
    from .runs import Run

CONFIG = "workbench.yaml"
STATE = ".workbench"
DEFAULT_DB = "project.sqlite"
BUSY_SECONDS = 60.0
_PG_LOCK = 727_001  # the advisory lock every writer of a PostgreSQL project takes
_ACTOR_OK = __import__("re").compile(r"^[\w.\-@ ]{1,100}$")


def _sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # the engine says BEGIN itself (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    """Writes take the write lock up front: no deadlock between two readers turning writer, and DDL
    (migrations) inside the transaction instead of the driver's autocommit."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("wb_write") else "BEGIN")


def storage_error(exc: BaseException, where: str) -> WorkbenchError | None:
    """A database failure the user can act on, as a WorkbenchError (None: a bug, let it surface)."""
    msg = str(getattr(exc, "orig", exc) or exc).lower()
    if "disk is full" in msg or "no space left" in msg or "disk full" in msg:
        return StorageError("the disk is full; what was being written was rolled back", where=where,
                            fix="free some disk space and try again")
    if "readonly" in msg or "read-only" in msg or "unable to open database" in msg:
        return StorageError("the project's database cannot be written (read-only folder or file)", where=where,
                            fix="copy the project to a folder you can write, or ask for write permission")
    if "database is locked" in msg or "database is busy" in msg:
        return StorageError(f"another process kept the project busy for over {BUSY_SECONDS:.0f} s; "
                            "nothing of this action was written", where=where, fix="try again in a moment")
    if "could not serialize" in msg or "deadlock detected" in msg:
        return ConflictError("another writer changed the same rows at the same moment; nothing was written",
                             where=where, fix="try again")
    return None


class Batch:
    """A long write committed in chunks that share one event group (see `Project.batch`)."""

    def __init__(self, project: Project, actor: str, action: str, summary: str | None, meta: dict | None):
        self.project, self.actor, self.action = project, actor, action
        self.summary, self.meta = summary, meta
        self.group_id: int | None = None
        self.documents: set[int] = set()
        self.touched = 0

    @contextmanager
    def chunk(self) -> Iterator[ev.Tx]:
        """One transaction of the batch: committed when the block ends, logged in the batch's group."""
        with self.project.transaction(self.actor, self.action, summary=self.summary, meta=self.meta) as tx:
            if tx.group_id is None:
                tx.group_id = self.group_id
            tx.documents |= self.documents
            before = len(tx.touched)
            yield tx
            self.group_id = tx.group_id
            self.documents = tx.documents
            self.touched += len(tx.touched) - before


class Project:
    """An open project. Create with `Project.init(path)` or `Project.open(path)`."""

    def __init__(self, root: Path, engine: Engine, name: str, backup: Path | None = None):
        self.root = root
        self.engine = engine
        self.name = name
        self.last_backup = backup
        self.revision = migrate.current_revision(engine)
        self._local = threading.local()
        self._actors: set[str] = set()
        self._texts: dict[int, tuple[str, str]] = {}  # document id -> (content hash, text): immutable

    # ---- lifecycle -------------------------------------------------------------------------------
    @classmethod
    def init(cls, path: str | Path, name: str | None = None, url: str | None = None) -> Project:
        """Create the folder layout and an empty, migrated database (idempotent)."""
        root = Path(path).resolve()
        try:
            for sub in ("corpus", "coding", STATE):
                (root / sub).mkdir(parents=True, exist_ok=True)
            config = root / CONFIG
            if not config.exists():
                data = {"name": name or root.name}
                if url:
                    data["database"] = url
                config.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
            (root / STATE / ".gitignore").write_text("*\n", encoding="utf-8")
        except OSError as exc:
            raise StorageError(f"cannot create the project: {exc.strerror}", where=str(root),
                               fix="choose a folder you can write") from exc
        return cls.open(root, migrate_shared=True)

    @classmethod
    def open(cls, path: str | Path, *, migrate_shared: bool = False) -> Project:
        """Open a project; a SQLite database is upgraded in place (after a backup). A shared database
        (PostgreSQL) is never upgraded silently: `workbench migrate` does that, once, for the team."""
        root = Path(path).resolve()
        config = root / CONFIG
        if not config.exists():
            raise NotFound("not a workbench project (no workbench.yaml)", where=str(root),
                           fix=f"run `workbench init {path}` first")
        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValidationError(f"invalid YAML: {exc}", where=str(config)) from exc
        url = data.get("database")
        db_path = None
        if not url:
            db_path = root / STATE / DEFAULT_DB
            writable = os.access(root / STATE, os.W_OK) if (root / STATE).exists() else os.access(root, os.W_OK)
            if not writable or (db_path.exists() and not os.access(db_path, os.W_OK)):
                raise StorageError("the project folder is read-only", where=str(db_path),
                                   fix="copy the project to a folder you can write, or ask for write permission")
            db_path.parent.mkdir(exist_ok=True)
            url = f"sqlite:///{db_path}"
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        where = str(db_path or engine.url.render_as_string(hide_password=True))
        try:
            if db_path is None and not migrate_shared:
                state = migrate.status(engine)
                if state == "behind":
                    raise ConflictError(f"the shared database is at revision {migrate.current_revision(engine)}, "
                                        f"this workbench expects {migrate.head_revision()}", where=where,
                                        fix="run `workbench migrate` once (everyone else closes the project first)")
                if state == "newer":
                    raise ConflictError("the shared database was upgraded by a newer workbench", where=where,
                                        fix="upgrade the workbench package")
                backup = None
                if state == "empty":
                    backup = migrate.upgrade(engine)
            else:
                backup = migrate.upgrade(engine, db_path, root / STATE / "backups")
        except (OperationalError, DBAPIError) as exc:
            engine.dispose()
            raise storage_error(exc, where) or exc from exc
        return cls(root, engine, str(data.get("name", root.name)), backup)

    def migrate(self) -> Path | None:
        """Upgrade this project's database to the schema this workbench expects (what `workbench migrate` runs)."""
        db = self.db_path
        backup = migrate.upgrade(self.engine, db, self.root / STATE / "backups" if db else None)
        self.revision = migrate.current_revision(self.engine)
        return backup

    @property
    def db_path(self) -> Path | None:
        return Path(self.engine.url.database) if self.engine.dialect.name == "sqlite" else None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({self.name!r}, {str(self.root)!r})"

    # ---- transactions ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self, actor: str, action: str, undoable: bool = True, *, summary: str | None = None,
                    meta: dict | None = None, undoes: int | None = None) -> Iterator[ev.Tx]:
        """One user action: all or nothing, logged as one event group of `actor`.

        Transactions nest: inside another transaction (of this project, in this thread) the block runs in
        a SAVEPOINT and joins the outer action's group, so operations can call each other.
        """
        outer: ev.Tx | None = getattr(self._local, "tx", None)
        if outer is not None:
            mark = (len(outer.touched), outer.group_id, set(outer.documents))
            try:
                with outer.conn.begin_nested():
                    yield outer
            except BaseException:
                del outer.touched[mark[0]:]
                outer.group_id, outer.documents = mark[1], mark[2]
                raise
            return
        self._check_actor(actor)
        where = f"project {self.name!r}"
        try:
            with self.engine.connect() as conn:
                conn.execution_options(wb_write=True)
                with conn.begin():
                    if self.engine.dialect.name == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
                    tx = ev.Tx(conn, actor, action, undoable, revision=self.revision, summary=summary,
                               meta=meta, undoes=undoes)
                    self._local.tx = tx
                    try:
                        self._register_actor(conn, actor)
                        yield tx
                        tx.finish()
                    finally:
                        self._local.tx = None
            self._actors |= tx.registered
        except IntegrityError as exc:
            raise storage_error(exc, where) or ConflictError(
                f"the change clashes with what is in the project now ({exc.orig})", where=where,
                fix="reload and try again") from exc
        except (OperationalError, DBAPIError) as exc:
            err = storage_error(exc, where)
            if err is None:
                raise
            raise err from exc

    def batch(self, actor: str, action: str, *, summary: str | None = None, meta: dict | None = None) -> Batch:
        """A long write in chunks (each its own short transaction) that form one undoable group."""
        self._check_actor(actor)
        return Batch(self, actor, action, summary, meta)

    @staticmethod
    def _check_actor(actor: str) -> None:
        if not isinstance(actor, str) or not _ACTOR_OK.match(actor):
            raise ValidationError(f"invalid actor (coder) name {actor!r}",
                                  fix="use letters, digits, spaces, '-', '_', '.' or '@' (at most 100)")

    def _register_actor(self, conn: Connection, actor: str) -> None:
        """Every actor (coder, researcher, importer) is a row in `coders`; registry rows are not events."""
        if actor in self._actors:
            return
        queries.register_coder(conn, actor)
        tx = getattr(self._local, "tx", None)
        if tx is not None:  # remembered once the transaction commits (a rollback takes the row away)
            tx.registered.add(actor)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def undo(self, actor: str) -> int:
        """Undo `actor`'s most recent action that is not undone yet; returns its group id."""
        return self._step(actor, "undo")[0]

    def redo(self, actor: str) -> int:
        """Redo `actor`'s most recently undone action (until they do something new); returns its group id."""
        return self._step(actor, "redo")[0]

    def undo_step(self, actor: str, which: str = "undo") -> dict[str, Any]:
        """Undo or redo, and say what: {"group", "action", "actor", "summary", "rows", "message"}."""
        group, info, rows = self._step(actor, which)
        verb = "undid" if which == "undo" else "redid"
        return {"group": group, "action": info["action"], "actor": info["actor"], "summary": info.get("summary"),
                "rows": rows, "message": f"{verb}: {ev.describe_group(info, rows)}"}

    def _step(self, actor: str, which: str) -> tuple[int, dict[str, Any], int]:
        # the stacks are read under the write lock, so a concurrent undo by the same actor cannot race
        with self.transaction(actor, which, undoable=False) as tx:
            undo_stack, redo_stack = ev.stacks(tx.conn, actor)
            stack = undo_stack if which == "undo" else redo_stack
            if not stack:
                raise NotFound(f"nothing to {which} for {actor}")
            target = tx.undoes = stack[-1]
            info = ev.group_info(tx.conn, target)
            tx.summary = f"{which} of {ev.describe_group(info)}"
            tx.group()
            rows = ev.replay(tx, target, inverse=which == "undo")
        self._texts.clear()
        return target, info, rows

    # ---- settings --------------------------------------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(settings.c.value).where(settings.c.key == key)).first()
        return default if row is None else row[0]

    def set_setting(self, tx: ev.Tx, key: str, value: Any) -> None:
        if tx.get(settings, {"key": key}) is None:
            tx.insert(settings, {"key": key, "value": value})
        else:
            tx.update(settings, {"key": key}, value=value)

    # ---- lookups used by the layers above --------------------------------------------------------
    def document_row(self, name_or_id: str | int, conn: Connection | None = None) -> dict[str, Any]:
        """A document's row with its text; the text comes from a cache (documents are immutable)."""
        col = documents.c.id if isinstance(name_or_id, int) else documents.c.name
        cols = [c for c in documents.columns if c.name != "text"]
        with self._conn(conn) as c:
            row = c.execute(select(*cols).where(col == name_or_id)).mappings().first()
            if row is None:
                raise NotFound(f"no document {name_or_id!r}", fix="see Project.documents() for the names")
            row = dict(row)
            cached = self._texts.get(row["id"])
            if cached is None or cached[0] != row["content_hash"]:
                body = c.execute(select(documents.c.text).where(documents.c.id == row["id"])).scalar()
                cached = self._texts[row["id"]] = (row["content_hash"], body)
        row["text"] = cached[1]
        return row

    def text(self, document: str | int) -> str:
        return self.document_row(document)["text"]

    def texts(self, names: Iterable[str] | None = None, *, kinds: Iterable[str] | None = None
              ) -> list[queries.DocText]:
        """Documents with their text and turns, in name order (typed rows, for the layers above)."""
        with self.read() as conn:
            return queries.doc_texts(conn, names, kinds)

    @contextmanager
    def _conn(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as c:
                yield c

    # ---- assignments -----------------------------------------------------------------------------
    def assign(self, coder: str, documents_: Iterable[str], *, actor: str | None = None) -> int:
        """Assign documents to a coder (agreement treats unassigned documents as missing, not 'uncoded')."""
        names = [documents_] if isinstance(documents_, str) else list(documents_)
        self._check_actor(coder)
        added = 0
        with self.transaction(actor or coder, "assignment.add", summary=f"assign {len(names)} documents to {coder}") as tx:
            self._register_actor(tx.conn, coder)
            for name in names:
                doc = self.document_row(name, tx.conn)
                if tx.get(assignments, {"coder_id": coder, "document_id": doc["id"]}) is None:
                    tx.insert(assignments, {"coder_id": coder, "document_id": doc["id"], "assigned": ev.now(),
                                            "done": False})
                    added += 1
        return added

    def unassign(self, coder: str, documents_: Iterable[str], *, actor: str | None = None) -> int:
        names = [documents_] if isinstance(documents_, str) else list(documents_)
        removed = 0
        with self.transaction(actor or coder, "assignment.remove") as tx:
            for name in names:
                doc = self.document_row(name, tx.conn)
                if tx.get(assignments, {"coder_id": coder, "document_id": doc["id"]}) is not None:
                    tx.delete(assignments, {"coder_id": coder, "document_id": doc["id"]})
                    removed += 1
        return removed

    def mark_done(self, coder: str, document: str, done: bool = True) -> None:
        """A coder marks a document done (ends blind coding for it); assigns it if it was not."""
        with self.transaction(coder, "assignment.done") as tx:
            doc = self.document_row(document, tx.conn)
            key = {"coder_id": coder, "document_id": doc["id"]}
            if tx.get(assignments, key) is None:
                tx.insert(assignments, {**key, "assigned": ev.now(), "done": done})
            else:
                tx.update(assignments, key, done=done)

    def assignments(self) -> pd.DataFrame:
        """coder, document, assigned, done - one row per assignment."""
        return self._frame(select(assignments.c.coder_id.label("coder"), documents.c.name.label("document"),
                                  assignments.c.assigned, assignments.c.done)
                           .select_from(assignments.join(documents))
                           .order_by(assignments.c.coder_id, documents.c.name))

    # ---- runs (derived results) ------------------------------------------------------------------
    def save_run(self, kind: str, params: dict[str, Any], tables: dict[str, pd.DataFrame] | None = None, *,
                 actor: str | None = None, summary: dict[str, Any] | None = None,
                 packages: Iterable[str] = ()) -> Run:
        """Save a derived result (agreement table, matrix, topic run) with its parameters and versions."""
        from . import runs

        return runs.save(self, kind, params, tables or {}, actor=actor, summary=summary, packages=packages)

    def run(self, run_id: int) -> Run:
        from . import runs

        return runs.load(self, run_id)

    def runs(self, kind: str | None = None) -> pd.DataFrame:
        from . import runs

        return runs.frame(self, kind)

    def last_event(self) -> int:
        with self.read() as conn:
            return queries.last_event(conn)

    # ---- document lifecycle ----------------------------------------------------------------------
    def remove_document(self, name: str, *, purge: bool = False, actor: str = "researcher") -> dict[str, int]:
        """Remove a document with its codings, turns, attribute values, memos and assignments.

        Undoable by `actor` (the removed rows, text included, are in the log) unless `purge=True`: for
        withdrawn consent the text, its codings' quotes and memos disappear from the database file -
        the event log's images included - and the file is vacuumed. Returns counts of what went.
        """
        from . import lifecycle

        return lifecycle.remove(self, name, purge=purge, actor=actor)

    def rename_document(self, name: str, new_name: str, *, actor: str = "researcher") -> None:
        from . import lifecycle

        lifecycle.rename(self, name, new_name, actor=actor)

    def replace_document(self, name: str, path: str | Path, *, actor: str = "researcher", **options: Any):
        """Re-import a corrected file in place of `name`; codings whose quote is found again are carried over."""
        from ..corpus.replace import replace_document

        return replace_document(self, name, path, actor=actor, **options)

    @property
    def pseudonyms(self) -> pd.DataFrame:
        """The pseudonym key used when publishing (real, pseudonym, kind); never published itself."""
        from ..publish.pseudonymise import pseudonyms

        return pseudonyms(self)

    @property
    def interviewer_labels(self) -> list[str]:
        """Speaker labels of the interviewer: left out of auto-coding and topics by default."""
        return list(self.setting("interviewer_labels", ["Interviewer", "I", "Int"]))

    def set_interviewer_labels(self, labels: Iterable[str], actor: str = "researcher") -> None:
        with self.transaction(actor, "settings.interviewer") as tx:
            self.set_setting(tx, "interviewer_labels", [str(x) for x in labels])

    # ---- DataFrames ------------------------------------------------------------------------------
    def _frame(self, query, index: str | None = None) -> pd.DataFrame:
        with self.engine.connect() as conn:
            result = conn.execute(query)
            df = pd.DataFrame(result.mappings().all(), columns=list(result.keys()))
        return df.set_index(index) if index else df

    def documents(self, with_text: bool = False) -> pd.DataFrame:
        # length() counts characters (code points) in SQLite and PostgreSQL alike
        cols = [documents.c.id, documents.c.name, documents.c.kind, func.length(documents.c.text).label("length"),
                cases.c.name.label("case"), documents.c.source_format, documents.c.encoding,
                documents.c.source_path, documents.c.content_hash, documents.c.imported, documents.c.meta]
        if with_text:
            cols.append(documents.c.text)
        return self._frame(select(*cols).select_from(documents.outerjoin(cases)).order_by(documents.c.name))

    def turns(self, document: str | None = None) -> pd.DataFrame:
        q = (select(documents.c.name.label("document"), turns.c.seq, turns.c.speaker, turns.c.start,
                    turns.c.end, turns.c.speech_start, turns.c.time_ms, turns.c.end_time_ms)
             .join(documents).order_by(documents.c.name, turns.c.seq))
        if document is not None:
            q = q.where(documents.c.name == document)
        return self._frame(q)

    def cases(self) -> pd.DataFrame:
        return self._frame(select(cases.c.id, cases.c.name, cases.c.created).order_by(cases.c.name))

    def attributes(self) -> pd.DataFrame:
        return self._frame(select(attributes).order_by(attributes.c.scope, attributes.c.name))

    def _values(self, scope: str) -> pd.DataFrame:
        owner, values = (cases, case_values) if scope == "case" else (documents, document_values)
        key = values.c.case_id if scope == "case" else values.c.document_id
        q = (select(owner.c.name.label(scope), attributes.c.name.label("attribute"), attributes.c.type,
                    values.c.value)
             .select_from(values.join(owner, key == owner.c.id).join(attributes)))
        return self._frame(q)

    def case_attributes(self) -> pd.DataFrame:
        """One row per case, one typed column per attribute (the sheet researchers know)."""
        return _wide(self._values("case"), "case", [r for r in self.cases()["name"]])

    def document_attributes(self) -> pd.DataFrame:
        return _wide(self._values("document"), "document", list(self.documents()["name"]))

    def research_questions(self) -> pd.DataFrame:
        return self._frame(select(research_questions).order_by(research_questions.c.position))

    def codes(self) -> pd.DataFrame:
        return self._frame(select(codes).order_by(codes.c.position))

    def coders(self) -> pd.DataFrame:
        return self._frame(select(coders).order_by(coders.c.id))

    def codings(self, coder: str | None = None, document: str | None = None) -> pd.DataFrame:
        q = (select(codings.c.id, documents.c.name.label("document"), codings.c.start, codings.c.end,
                    codings.c.code_id.label("code"), codings.c.coder_id.label("coder"), codings.c.memo,
                    codings.c.quote, codings.c.created, cases.c.name.label("case"))
             .select_from(codings.join(documents).outerjoin(cases))
             .order_by(documents.c.name, codings.c.start, codings.c.end, codings.c.code_id, codings.c.coder_id))
        if coder is not None:
            q = q.where(codings.c.coder_id == coder)
        if document is not None:
            q = q.where(documents.c.name == document)
        return self._frame(q)

    def memos(self) -> pd.DataFrame:
        return self._frame(select(memos).order_by(memos.c.id))

    def events(self) -> pd.DataFrame:
        """Every event with its group's actor, action and time."""
        e = ev.events.c
        return self._frame(select(e.id, e.group_id, groups.c.at, groups.c.actor, groups.c.action, e.entity,
                                  e.entity_id, e.before, e.after, groups.c.undoable)
                           .select_from(ev.events.join(groups)).order_by(e.id))

    def groups(self, actor: str | None = None) -> pd.DataFrame:
        """The event groups (user actions): id, actor, action, at, revision, undoable, undoes, documents, summary."""
        q = select(groups).order_by(groups.c.id)
        if actor is not None:
            q = q.where(groups.c.actor == actor)
        return self._frame(q)


def _wide(long: pd.DataFrame, key: str, index: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.Index(index, name=key))
    for (name, typ), grp in long.groupby(["attribute", "type"], sort=True):
        col = pd.Series({row[key]: parse_value(row["value"], typ) for _, row in grp.iterrows()})
        dtype = {"integer": "Int64", "float": "Float64", "boolean": "boolean", "text": "string"}.get(typ, "object")
        out[name] = col.reindex(out.index).astype(dtype)
    return out
