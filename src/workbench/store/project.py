"""A project: a folder with corpus/, coding/ and a database, opened through SQLAlchemy Core.

SQLite is the default (WAL, foreign keys on); `workbench.yaml` may name another database URL (e.g.
PostgreSQL) for teams. Everything is readable as a pandas DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine

from ..errors import NotFound, ValidationError
from . import events as ev
from . import migrate
from .schema import (
    attributes,
    case_values,
    cases,
    coders,
    codes,
    codings,
    document_values,
    documents,
    memos,
    research_questions,
    settings,
    turns,
)
from .values import parse_value

CONFIG = "workbench.yaml"
STATE = ".workbench"
DEFAULT_DB = "project.sqlite"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Project:
    """An open project. Create with `Project.init(path)` or `Project.open(path)`."""

    def __init__(self, root: Path, engine: Engine, name: str, backup: Path | None = None):
        self.root = root
        self.engine = engine
        self.name = name
        self.last_backup = backup

    # ---- lifecycle -------------------------------------------------------------------------------
    @classmethod
    def init(cls, path: str | Path, name: str | None = None, url: str | None = None) -> Project:
        """Create the folder layout and an empty, migrated database (idempotent)."""
        root = Path(path).resolve()
        for sub in ("corpus", "coding", STATE):
            (root / sub).mkdir(parents=True, exist_ok=True)
        config = root / CONFIG
        if not config.exists():
            data = {"name": name or root.name}
            if url:
                data["database"] = url
            config.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        (root / STATE / ".gitignore").write_text("*\n", encoding="utf-8")
        return cls.open(root)

    @classmethod
    def open(cls, path: str | Path) -> Project:
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
            db_path.parent.mkdir(exist_ok=True)
            url = f"sqlite:///{db_path}"
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        backup = migrate.upgrade(engine, db_path, root / STATE / "backups")
        return cls(root, engine, str(data.get("name", root.name)), backup)

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
    def transaction(self, actor: str, action: str, undoable: bool = True) -> Iterator[ev.Tx]:
        """One user action: all or nothing, logged as one event group."""
        with self.engine.begin() as conn:
            yield ev.Tx(conn, actor, action, undoable)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def undo(self, actor: str) -> int:
        """Undo `actor`'s most recent action that is not undone yet; returns its group id."""
        return self._step(actor, "undo")

    def redo(self, actor: str) -> int:
        """Redo `actor`'s most recently undone action (until they do something new); returns its group id."""
        return self._step(actor, "redo")

    def _step(self, actor: str, which: str) -> int:
        with self.transaction(actor, which, undoable=False) as tx:
            undo_stack, redo_stack = ev.stacks(tx.conn, actor)
            stack = undo_stack if which == "undo" else redo_stack
            if not stack:
                raise NotFound(f"nothing to {which} for {actor}")
            ev.replay(tx, stack[-1], inverse=which == "undo")
            return stack[-1]

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
        col = documents.c.id if isinstance(name_or_id, int) else documents.c.name
        with self._conn(conn) as c:
            row = c.execute(select(documents).where(col == name_or_id)).mappings().first()
        if row is None:
            raise NotFound(f"no document {name_or_id!r}", fix="see Project.documents() for the names")
        return dict(row)

    def text(self, document: str | int) -> str:
        return self.document_row(document)["text"]

    @contextmanager
    def _conn(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as c:
                yield c

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
        return self._frame(select(ev.events).order_by(ev.events.c.id))


def _wide(long: pd.DataFrame, key: str, index: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.Index(index, name=key))
    for (name, typ), grp in long.groupby(["attribute", "type"], sort=True):
        col = pd.Series({row[key]: parse_value(row["value"], typ) for _, row in grp.iterrows()})
        dtype = {"integer": "Int64", "float": "Float64", "boolean": "boolean", "text": "string"}.get(typ, "object")
        out[name] = col.reindex(out.index).astype(dtype)
    return out
