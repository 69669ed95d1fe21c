"""The append-only event log: every mutation is written as a row-level event inside its transaction.

Each user action is one *group*: a row in `groups` (actor, action, time, schema revision, documents
touched) created inside the write transaction that makes the change, so concurrent writers never share a
group. Every event points at its group and carries the row's logged columns before and after. Undo applies
the inverse of a group's events in reverse order, inside a new `undo` group that points at the group it
undoes; redo re-applies. Undo stacks are per actor and replayed from `groups`.

Undo compares only the columns an event logged (a column added by a later migration is not a conflict),
and refuses with a ConflictError naming who changed the row later, or what still refers to a row it would
remove - never with a raw database error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.schema import Table
from sqlalchemy.types import Date, DateTime

from ..errors import ConflictError, NotFound
from .schema import TABLES, events, groups

# Large, immutable payloads are not copied into the log while the row lives; the content hash identifies
# them. A removed document's text *is* logged (in its delete event), so that the removal can be undone.
_NOT_LOGGED = {"documents": {"text"}}
# Registry rows that outlive the action that first needed them: undoing a coder's first coding keeps the coder.
_NOT_UNDONE = {"coders"}
PURGED = {"purged": True}  # what a purged row's images become
_CHUNK = 500  # rows per IN (...) list: well under every backend's parameter limit


# Statements built once: constructing SQLAlchemy statements costs more than running them on SQLite.
_INSERT = {name: insert(t) for name, t in TABLES.items()}
_GET = {name: select(t).where(and_(*(c == bindparam(f"pk_{c.name}") for c in t.primary_key.columns)))
        for name, t in TABLES.items()}
_MAX_ID = {name: select(func.max(t.c.id)) for name, t in TABLES.items() if "id" in t.c}
_SQLITE_SQL: dict[tuple[str, str], tuple[str, list]] = {}
_HAS_DOCUMENT = {name: name == "documents" or "document_id" in t.c for name, t in TABLES.items()}


def _sqlite_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany through SQLite's driver with the SQL and value conversions SQLAlchemy compiles: the
    same rows as `conn.execute(insert(table), rows)`, several times faster for large batches.

    Values are taken column by column (C-speed itemgetter), and each conversion runs once per distinct
    value where values can be hashed (a batch's rows share one `created` time)."""
    keys = [c.name for c in table.columns]
    found = _SQLITE_SQL.get((conn.dialect.name, table.name))
    if found is None:
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
        procs = [(i, fn) for i, k in enumerate(compiled.positiontup)
                 if (fn := table.c[k].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))]
        found = _SQLITE_SQL[(conn.dialect.name, table.name)] = (str(compiled), list(compiled.positiontup), procs)
    sql, order, procs = found
    full = [r if len(r) == len(order) else {k: r.get(k) for k in order} for r in rows]
    params = list(map(itemgetter(*order), full)) if len(order) > 1 else [(r[order[0]],) for r in full]
    if procs:
        cols = list(zip(*params, strict=True))
        for i, fn in procs:
            memo: dict[Any, Any] = {}
            out = []
            for v in cols[i]:
                try:
                    got = memo.get(v, _MISSING)
                    if got is _MISSING:
                        got = memo[v] = fn(v)
                except TypeError:  # unhashable (a JSON value)
                    got = fn(v)
                out.append(got)
            cols[i] = out
        params = list(zip(*cols, strict=True))
    conn.connection.driver_connection.cursor().executemany(sql, params)


_MISSING = object()
_SIMPLE = (int, str, float, bool, type(None))


def _dumps(image: dict[str, Any] | None) -> str | None:
    return None if image is None else json.dumps(image, ensure_ascii=False)


def now() -> datetime:
    """Naive UTC with millisecond precision: compares equal after a round trip through any backend."""
    t = datetime.now(UTC).replace(tzinfo=None)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def _plain(value: Any) -> Any:
    if type(value) in _SIMPLE:
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:  # PostgreSQL returns aware values
        value = value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_json(table: Table, row: dict[str, Any] | None, *, with_text: bool = False,
             stamps: dict[Any, str] | None = None) -> dict[str, Any] | None:
    """A row as the log stores it: JSON-ready values, large immutable payloads left out. `stamps` memoises
    converted times across the rows of one batch (they mostly share one)."""
    if row is None:
        return None
    skip = () if with_text else _NOT_LOGGED.get(table.name, ())
    out = {}
    for k, v in row.items():
        if k in skip:
            continue
        if type(v) not in _SIMPLE:
            if stamps is not None and isinstance(v, datetime):
                got = stamps.get(v)
                v = got if got is not None else stamps.setdefault(v, _plain(v))
            else:
                v = _plain(v)
        out[k] = v
    return out


def _from_json(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in table.c}
    for col in table.columns:
        value = out.get(col.name)
        if isinstance(value, str) and isinstance(col.type, DateTime):
            out[col.name] = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(col.type, Date):
            out[col.name] = date.fromisoformat(value)
    return out


def primary_key(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {c.name: row[c.name] for c in table.primary_key.columns}


def _where(table: Table, pk: dict[str, Any]):
    return and_(*(table.c[k] == v for k, v in pk.items()))


def entity_key(pk: dict[str, Any]) -> str:
    return "|".join(str(v) for v in pk.values())


def _documents_of(table: Table, row: dict[str, Any] | None) -> int | None:
    if row is None:
        return None
    if table.name == "documents":
        return row.get("id")
    value = row.get("document_id")
    return value if isinstance(value, int) else None


@dataclass
class Tx:
    """A write transaction that logs every row it touches as one event group.

    Obtain one from `Project.transaction()`. The group row is created with the first logged change, so a
    transaction that changes nothing leaves nothing on anyone's undo stack.
    """

    conn: Connection
    actor: str
    action: str
    undoable: bool = True
    revision: str | None = None
    undoes: int | None = None
    summary: str | None = None
    meta: dict[str, Any] | None = None
    group_id: int | None = None
    touched: list[tuple[str, str]] = field(default_factory=list)
    documents: set[int] = field(default_factory=set)
    registered: set[str] = field(default_factory=set)  # actors registered in this transaction
    _docs_logged: frozenset[int] = frozenset()

    # ---- the group ------------------------------------------------------------------------------
    def group(self) -> int:
        """This transaction's group id (created now if nothing was logged yet)."""
        if self.group_id is None:
            self._docs_logged = frozenset(self.documents)
            self.group_id = self.conn.execute(_INSERT["groups"], {
                "actor": self.actor, "action": self.action, "at": now(), "revision": self.revision,
                "undoable": self.undoable, "undoes": self.undoes,
                "documents": sorted(self.documents) or None, "summary": self.summary,
                "meta": self.meta}).inserted_primary_key[0]
        return self.group_id

    def describe(self, summary: str) -> None:
        """A human-readable line for this action ("merge of chal-x into chal-y"), shown by undo."""
        self.summary = summary
        if self.group_id is not None:
            self.conn.execute(groups.update().where(groups.c.id == self.group_id).values(summary=summary))

    def finish(self) -> None:
        """Record which documents the group touched (called before commit)."""
        if self.group_id is not None and self.documents and self.documents != self._docs_logged:
            self.conn.execute(groups.update().where(groups.c.id == self.group_id)
                              .values(documents=sorted(self.documents)))

    # ---- logging -------------------------------------------------------------------------------
    def log(self, table: Table, entity_id: str, before: dict | None, after: dict | None,
            *, with_text: bool = False) -> None:
        self._note(table, entity_id, before, after)
        self.conn.execute(_INSERT["events"], {
            "group_id": self.group(), "entity": table.name, "entity_id": entity_id,
            "before": row_json(table, before, with_text=with_text),
            "after": row_json(table, after, with_text=with_text)})

    def log_many(self, table: Table, changes: Sequence[tuple[dict | None, dict | None]],
                 *, with_text: bool = False) -> None:
        """Log many (before, after) row images in one statement."""
        if not changes:
            return
        pk = [c.name for c in table.primary_key.columns]
        stamps: dict[Any, str] = {}  # a batch's rows mostly share one time: convert it once
        name = table.name

        rows = []
        for before, after in changes:
            ref = after if after is not None else before
            key = str(ref[pk[0]]) if len(pk) == 1 else "|".join(str(ref[k]) for k in pk)
            rows.append((name, key, row_json(table, before, with_text=with_text, stamps=stamps),
                         row_json(table, after, with_text=with_text, stamps=stamps)))
            self._note(table, key, before, after)
        gid = self.group()
        if self.conn.dialect.name == "sqlite":
            self.conn.connection.driver_connection.cursor().executemany(
                "INSERT INTO events (group_id, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?)",
                [(gid, n, k, _dumps(b), _dumps(a)) for n, k, b, a in rows])
        else:
            self.conn.execute(_INSERT["events"], [{"group_id": gid, "entity": n, "entity_id": k, "before": b,
                                                   "after": a} for n, k, b, a in rows])

    def _note(self, table: Table, key: str, before: dict | None, after: dict | None) -> None:
        self.touched.append((table.name, key))
        if _HAS_DOCUMENT[table.name]:
            for row in (before, after):
                doc = _documents_of(table, row)
                if doc is not None:
                    self.documents.add(doc)

    # ---- row operations ------------------------------------------------------------------------
    def insert(self, table: Table, row: dict[str, Any], *, with_text: bool = False) -> dict[str, Any]:
        """Insert and log a row; `with_text` logs large payloads too (a replaced document, so redo works)."""
        result = self.conn.execute(_INSERT[table.name], row)
        full = dict(row)
        for col, value in zip(table.primary_key.columns, result.inserted_primary_key, strict=True):
            full[col.name] = value
        full = {c.name: full.get(c.name) for c in table.columns}
        self.log(table, entity_key(primary_key(table, full)), None, full, with_text=with_text)
        return full

    def insert_many(self, table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert rows with batched statements and log them in one go; returns the full rows."""
        if not rows:
            return []
        cols = [c.name for c in table.columns]
        pk = table.primary_key.columns
        auto = len(pk) == 1 and pk[0].autoincrement and pk[0].name not in rows[0]
        if auto and self.conn.dialect.name == "sqlite":
            # the write lock is ours (BEGIN IMMEDIATE): the next ids cannot be taken by anyone else
            first = (self.conn.execute(_MAX_ID[table.name]).scalar() or 0) + 1
            key = pk[0].name
            complete = len(rows[0]) + 1 == len(cols)  # every column given but the id (the bulk path's rows)
            full = []
            for i, row in enumerate(rows):
                row = dict(row) if complete else {c: row.get(c) for c in cols}
                row[key] = first + i
                full.append(row)
            _sqlite_insert(self.conn, table, full)
        elif auto:
            result = self.conn.execute(insert(table).returning(pk[0], sort_by_parameter_order=True), rows)
            ids = [r[0] for r in result]
            full = [{**{c: row.get(c) for c in cols}, pk[0].name: i} for row, i in zip(rows, ids, strict=True)]
        else:
            self.conn.execute(insert(table), rows)
            full = [{c: row.get(c) for c in cols} for row in rows]
        self.log_many(table, [(None, f) for f in full])
        return full

    def get(self, table: Table, pk: dict[str, Any]) -> dict[str, Any] | None:
        row = self.conn.execute(_GET[table.name], {f"pk_{k}": v for k, v in pk.items()}).mappings().first()
        return dict(row) if row else None

    def update(self, table: Table, pk: dict[str, Any], **values: Any) -> dict[str, Any]:
        before = self.get(table, pk)
        if before is None:
            raise NotFound(f"no {table.name} row {entity_key(pk)}")
        after = {**before, **values}
        if after == before:
            return before
        self.conn.execute(table.update().where(_where(table, pk)).values(**values))
        self.log(table, entity_key(pk), before, after)
        return after

    def delete(self, table: Table, pk: dict[str, Any], *, with_text: bool = False) -> dict[str, Any]:
        before = self.get(table, pk)
        if before is None:
            raise NotFound(f"no {table.name} row {entity_key(pk)}")
        self.conn.execute(table.delete().where(_where(table, pk)))
        self.log(table, entity_key(pk), before, None, with_text=with_text)
        return before

    def delete_where(self, table: Table, *criteria, with_text: bool = False) -> list[dict[str, Any]]:
        """Delete every row matching `criteria`, logged; returns the removed rows."""
        rows = [dict(r) for r in self.conn.execute(select(table).where(*criteria)).mappings()]
        if rows:
            self.conn.execute(table.delete().where(*criteria))
            self.log_many(table, [(r, None) for r in rows], with_text=with_text)
        return rows


# ---- undo stacks ------------------------------------------------------------------------------------
def stacks(conn: Connection, actor: str) -> tuple[list[int], list[int]]:
    """Replay `actor`'s groups into (undo stack, redo stack) of group ids."""
    rows = conn.execute(select(groups.c.id, groups.c.action, groups.c.undoes, groups.c.undoable)
                        .where(groups.c.actor == actor).order_by(groups.c.id)).all()
    undo: list[int] = []
    redo: list[int] = []
    for group_id, action, target, undoable in rows:
        if action == "undo" and target is not None:
            if target in undo:
                undo.remove(target)
            redo.append(target)
        elif action == "redo" and target is not None:
            if target in redo:
                redo.remove(target)
            undo.append(target)
        elif undoable:
            undo.append(group_id)
            redo.clear()
    return undo, redo


def group_info(conn: Connection, group_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(groups).where(groups.c.id == group_id)).mappings().first()
    return dict(row) if row else None


def describe_group(info: dict[str, Any], rows: int | None = None) -> str:
    """`merge of chal-x into chal-y by anna, 3 rows` - what undo and redo print."""
    what = info.get("summary") or info["action"]
    extra = f", {rows} row{'s' if rows != 1 else ''}" if rows is not None else ""
    return f"{what} by {info['actor']} (#{info['id']}){extra}"


def _group_rows(conn: Connection, group_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(events).where(events.c.group_id == group_id).order_by(events.c.id)).mappings()
    return [dict(r) for r in rows]


def _later_change(conn: Connection, table: Table, key: str, after_group: int) -> str:
    """Who changed this row after `after_group` ("bob (coding.memo, #42)"), for the refusal message."""
    row = conn.execute(
        select(groups.c.actor, groups.c.action, groups.c.id).select_from(events.join(groups))
        .where(events.c.entity == table.name, events.c.entity_id == key, events.c.group_id > after_group)
        .order_by(events.c.id.desc()).limit(1)).first()
    return f"{row[0]} ({row[1]}, #{row[2]})" if row else "a change outside the event log"


def _same(current: dict[str, Any] | None, image: dict[str, Any] | None, table: Table) -> bool:
    """Does the live row match a logged image, on the columns the image logged?"""
    if image is None or current is None:
        return image is None and current is None
    live = row_json(table, current, with_text=True)
    return all(live.get(k) == v for k, v in image.items() if k in live)


def _current(conn: Connection, table: Table, keys: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The live rows for these primary keys, by entity key, fetched in chunks."""
    pk = list(table.primary_key.columns)
    out: dict[str, dict[str, Any]] = {}
    for at in range(0, len(keys), _CHUNK):
        chunk = keys[at:at + _CHUNK]
        if len(pk) == 1:
            cond = pk[0].in_([k[pk[0].name] for k in chunk])
        else:
            cond = tuple_(*pk).in_([tuple(k[c.name] for c in pk) for k in chunk])
        for r in conn.execute(select(table).where(cond)).mappings():
            row = dict(r)
            out[entity_key(primary_key(table, row))] = row
    return out


def _blocker(conn: Connection, table: Table, row: dict[str, Any], removing: bool) -> str:
    """What keeps a row from being removed (rows that refer to it) or restored (a row it refers to)."""
    if removing:
        for other in TABLES.values():
            for fk in other.foreign_keys:
                if fk.column.table is table:
                    value = row.get(fk.column.name)
                    found = conn.execute(select(other).where(fk.parent == value).limit(1)).mappings().first()
                    if found is not None:
                        who = f" of {found['coder_id']}" if "coder_id" in found else ""
                        return (f"{table.name} {entity_key(primary_key(table, row))} is still used by "
                                f"{other.name}{who} ({entity_key(primary_key(other, dict(found)))})")
        return f"{table.name} {entity_key(primary_key(table, row))} is still referred to"
    for fk in table.foreign_keys:
        value = row.get(fk.parent.name)
        if value is None:
            continue
        target = fk.column.table
        if conn.execute(select(fk.column).where(fk.column == value).limit(1)).first() is None:
            return f"{table.name} {entity_key(primary_key(table, row))} needs {target.name} {value!r}, which is gone"
    return f"{table.name} {entity_key(primary_key(table, row))} clashes with a row that exists now"


def replay(tx: Tx, group_id: int, inverse: bool) -> int:
    """Undo (inverse=True) or redo a group inside `tx`; returns the number of rows changed.

    Runs of consecutive events on one table are checked and applied together (one query per chunk), so
    undoing an auto-coding batch of 100,000 codings costs a few statements per thousand rows.
    """
    info = group_info(tx.conn, group_id)
    if info is None:
        raise NotFound(f"no event group {group_id}")
    rows = [r for r in _group_rows(tx.conn, group_id) if r["entity"] not in _NOT_UNDONE]
    if any(r["after"] == PURGED for r in rows):
        raise ConflictError(f"cannot {'undo' if inverse else 'redo'} {describe_group(info)}: "
                            "it touched a document that was purged")
    seq = list(reversed(rows)) if inverse else rows
    what = describe_group(info)
    def kind(ev: dict[str, Any]) -> str:
        expect, target = (ev["after"], ev["before"]) if inverse else (ev["before"], ev["after"])
        return "insert" if expect is None else "delete" if target is None else "update"

    # consecutive events of one table and one kind of change go together; the order between runs is kept
    runs: list[tuple[tuple[str, str], list[dict[str, Any]]]] = []
    for ev in seq:
        key = (ev["entity"], kind(ev))
        if runs and runs[-1][0] == key:
            runs[-1][1].append(ev)
        else:
            runs.append((key, [ev]))
    changed = 0
    for (entity, _), evs in runs:
        table = TABLES[entity]
        moves = [((ev["after"], ev["before"]) if inverse else (ev["before"], ev["after"])) for ev in evs]
        keys = [primary_key(table, _from_json(table, e if e is not None else t)) for e, t in moves]
        live = _current(tx.conn, table, keys)
        for (expect, _), pk in zip(moves, keys, strict=True):
            key = entity_key(pk)
            current = live.get(key)
            if not _same(current, expect, table):
                raise ConflictError(
                    f"cannot {'undo' if inverse else 'redo'} {what}: {table.name} {key} was changed later "
                    f"by {_later_change(tx.conn, table, key, group_id)}",
                    fix="undo the later change first, or make the correction by hand")
        changed += _apply_run(tx, table, moves, keys, inverse, what, live)
    return changed


def _apply_run(tx: Tx, table: Table, moves: list, keys: list[dict[str, Any]], inverse: bool, what: str,
               live: dict[str, dict[str, Any]]) -> int:
    deletes = [(pk, e) for (e, t), pk in zip(moves, keys, strict=True) if t is None]
    inserts = [t for e, t in moves if e is None and t is not None]
    updates = [(pk, e, t) for (e, t), pk in zip(moves, keys, strict=True) if e is not None and t is not None]
    try:
        with tx.conn.begin_nested():
            if deletes:
                befores = live  # the rows as checked a moment ago, under the same write lock
                _delete_keys(tx.conn, table, [pk for pk, _ in deletes])
                tx.log_many(table, [(befores[entity_key(pk)], None) for pk, _ in deletes], with_text=True)
            if inserts:
                values = [_from_json(table, t) for t in inserts]
                if table.name == "documents":
                    missing = [v for v in values if v.get("text") is None]
                    if missing:
                        raise ConflictError(f"cannot {'undo' if inverse else 'redo'} {what}: the text of "
                                            f"document {missing[0].get('name')!r} was purged")
                tx.conn.execute(insert(table), values)
                full = _current(tx.conn, table, [primary_key(table, v) for v in values])
                tx.log_many(table, [(None, full[entity_key(primary_key(table, v))]) for v in values])
            for pk, _expect, target in updates:
                values = {k: v for k, v in _from_json(table, target).items() if k not in pk}
                before = tx.get(table, pk)
                tx.conn.execute(table.update().where(_where(table, pk)).values(**values))
                tx.log(table, entity_key(pk), before, {**before, **values})
    except IntegrityError:
        for pk, _ in deletes:
            row = tx.get(table, pk)
            if row is not None and _refers(tx.conn, table, row):
                raise ConflictError(f"cannot {'undo' if inverse else 'redo'} {what}: "
                                    f"{_blocker(tx.conn, table, row, True)}",
                                    fix="remove or move what uses it first") from None
        for t in inserts:
            row = _from_json(table, t)
            raise ConflictError(f"cannot {'undo' if inverse else 'redo'} {what}: "
                                f"{_blocker(tx.conn, table, row, False)}",
                                fix="restore what it needs first, or make the correction by hand") from None
        raise ConflictError(f"cannot {'undo' if inverse else 'redo'} {what}: it would break a reference") from None
    return len(deletes) + len(inserts) + len(updates)


def _refers(conn: Connection, table: Table, row: dict[str, Any]) -> bool:
    for other in TABLES.values():
        for fk in other.foreign_keys:
            if fk.column.table is table and conn.execute(
                    select(fk.parent).where(fk.parent == row.get(fk.column.name)).limit(1)).first():
                return True
    return False


def _delete_keys(conn: Connection, table: Table, keys: list[dict[str, Any]]) -> None:
    pk = list(table.primary_key.columns)
    for at in range(0, len(keys), _CHUNK):
        chunk = keys[at:at + _CHUNK]
        if len(pk) == 1:
            conn.execute(table.delete().where(pk[0].in_([k[pk[0].name] for k in chunk])))
        else:
            conn.execute(table.delete().where(or_(*(_where(table, k) for k in chunk))))


def scrub(conn: Connection, table: Table, keys: Iterable[str]) -> int:
    """Blank the logged images of these rows (purge for withdrawn consent); returns events changed."""
    keys = list(keys)
    n = 0
    for at in range(0, len(keys), _CHUNK):
        chunk = keys[at:at + _CHUNK]
        result = conn.execute(events.update().where(events.c.entity == table.name, events.c.entity_id.in_(chunk))
                              .values(before=None, after=PURGED))
        n += result.rowcount or 0
    return n
