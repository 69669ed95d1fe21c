"""The append-only event log: every mutation is written as a row-level event inside its transaction.

Each user action is one *group* (one transaction). Undo applies the inverse of a group's events in reverse
order and logs an `undo` group that points at it; redo re-applies it. Because events carry whole rows
(before and after), undo needs no per-operation code: a merge, a split or an auto-coding batch is undone
like a single coding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import Table
from sqlalchemy.types import Date, DateTime

from ..errors import ConflictError, NotFound
from .schema import TABLES, events

# Large, immutable payloads are not copied into the log; the content hash identifies them.
_NOT_LOGGED = {"documents": {"text"}}


def now() -> datetime:
    """Naive UTC with millisecond precision: compares equal after a round trip through any backend."""
    t = datetime.now(UTC).replace(tzinfo=None)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def row_json(table: Table, row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    skip = _NOT_LOGGED.get(table.name, set())
    out = {}
    for key, value in row.items():
        if key in skip:
            continue
        if isinstance(value, datetime) and value.tzinfo is not None:  # PostgreSQL returns aware values
            value = value.astimezone(UTC).replace(tzinfo=None)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        out[key] = value
    return out


def _from_json(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
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


@dataclass
class Tx:
    """A transaction that logs every row it touches. Obtain one from `Project.transaction()`."""

    conn: Connection
    actor: str
    action: str
    undoable: bool = True
    group_id: int = 0
    touched: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.group_id = (self.conn.execute(select(func.max(events.c.group_id))).scalar() or 0) + 1

    def _log(self, table: Table, entity_id: str, before, after) -> None:
        self.conn.execute(insert(events).values(
            group_id=self.group_id, at=now(), actor=self.actor, action=self.action, entity=table.name,
            entity_id=entity_id, before=row_json(table, before), after=row_json(table, after),
            undoable=self.undoable))
        self.touched.append((table.name, entity_id))

    def insert(self, table: Table, row: dict[str, Any]) -> dict[str, Any]:
        result = self.conn.execute(insert(table).values(**row))
        full = dict(row)
        for col, value in zip(table.primary_key.columns, result.inserted_primary_key, strict=True):
            full[col.name] = value
        full = {c.name: full.get(c.name) for c in table.columns}
        self._log(table, entity_key(primary_key(table, full)), None, full)
        return full

    def get(self, table: Table, pk: dict[str, Any]) -> dict[str, Any] | None:
        row = self.conn.execute(select(table).where(_where(table, pk))).mappings().first()
        return dict(row) if row else None

    def update(self, table: Table, pk: dict[str, Any], **values: Any) -> dict[str, Any]:
        before = self.get(table, pk)
        if before is None:
            raise NotFound(f"no {table.name} row {entity_key(pk)}")
        after = {**before, **values}
        if after == before:
            return before
        self.conn.execute(table.update().where(_where(table, pk)).values(**values))
        self._log(table, entity_key(pk), before, after)
        return after

    def delete(self, table: Table, pk: dict[str, Any]) -> dict[str, Any]:
        before = self.get(table, pk)
        if before is None:
            raise NotFound(f"no {table.name} row {entity_key(pk)}")
        self.conn.execute(table.delete().where(_where(table, pk)))
        self._log(table, entity_key(pk), before, None)
        return before


def _group_rows(conn: Connection, group_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(events).where(events.c.group_id == group_id).order_by(events.c.id)).mappings()
    return [dict(r) for r in rows]


def stacks(conn: Connection, actor: str) -> tuple[list[int], list[int]]:
    """Replay `actor`'s groups into (undo stack, redo stack) of group ids."""
    rows = conn.execute(
        select(events.c.group_id, events.c.action, events.c.after, events.c.undoable)
        .where(events.c.actor == actor).order_by(events.c.group_id, events.c.id)
    ).all()
    undo: list[int] = []
    redo: list[int] = []
    seen: set[int] = set()
    for group_id, action, after, undoable in rows:
        if group_id in seen:
            continue
        seen.add(group_id)
        if action == "undo":
            target = after["group"]
            if target in undo:
                undo.remove(target)
            redo.append(target)
        elif action == "redo":
            target = after["group"]
            if target in redo:
                redo.remove(target)
            undo.append(target)
        elif undoable:
            undo.append(group_id)
            redo.clear()
    return undo, redo


def _apply(tx: Tx, table: Table, expect: dict | None, target: dict | None) -> None:
    """Move one row from `expect` to `target`, refusing if someone changed it in between."""
    ref = expect if expect is not None else target
    pk = primary_key(table, ref)
    current = tx.get(table, pk)
    current_json = row_json(table, current)
    if current_json != (expect if expect is None else row_json(table, _from_json(table, expect))):
        raise ConflictError(
            f"{table.name} {entity_key(pk)} was changed after this action",
            fix="undo the later change first, or make the correction by hand")
    if target is None:
        tx.conn.execute(table.delete().where(_where(table, pk)))
    elif expect is None:
        tx.conn.execute(insert(table).values(**_from_json(table, target)))
    else:
        values = _from_json(table, target)
        tx.conn.execute(table.update().where(_where(table, pk)).values(**values))


def replay(tx: Tx, group_id: int, inverse: bool) -> None:
    """Undo (inverse=True) or redo a group inside `tx`, and log the marker event."""
    rows = _group_rows(tx.conn, group_id)
    if not rows:
        raise NotFound(f"no event group {group_id}")
    seq = reversed(rows) if inverse else rows
    for ev in seq:
        table = TABLES[ev["entity"]]
        before, after = ev["before"], ev["after"]
        if inverse:
            _apply(tx, table, after, before)
        else:
            _apply(tx, table, before, after)
    tx.conn.execute(insert(events).values(
        group_id=tx.group_id, at=now(), actor=tx.actor, action=tx.action, entity="group",
        entity_id=str(group_id), before=None, after={"group": group_id, "of": rows[0]["action"]},
        undoable=False))
