"""Reads and writes for the analysis layer: typed links between codes and framework-matrix cells.

Writes go through a `Tx` (so they are logged and undoable); reads return DataFrames. Codes are named by
id; cases by name (the tables keep case ids).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from ..errors import NotFound
from .events import Tx, now
from .schema import cases, codes, codings, documents, events, framework_cells, links

SPAN_COLUMNS = ["id", "document_id", "start", "end", "code", "coder"]
_INTS = {"id", "document_id", "start", "end"}


_SPAN_CACHE: weakref.WeakKeyDictionary[Engine, dict[tuple, tuple[int, pd.DataFrame]]] = weakref.WeakKeyDictionary()


def coding_spans(conn: Connection, coder: str | None = None, *, with_quote: bool = False) -> pd.DataFrame:
    """Codings by document id, without timestamps and memos (quotes only when asked): what counting needs.

    Every coding change is an event, so the frame (without quotes: it stays small) is kept per engine
    until the log moves on: a notebook that asks for frequencies, a matrix and co-occurrence reads the
    codings once. Callers must not modify the frame they get.
    """
    seen = conn.execute(select(func.max(events.c.id))).scalar() or 0
    key = (coder, with_quote)
    cache = _SPAN_CACHE.setdefault(conn.engine, {})
    hit = cache.get(key)
    if hit is not None and hit[0] == seen:
        return hit[1]
    c = codings.c
    cols = [c.id, c.document_id, c.start, c.end, c.code_id, c.coder_id]
    if with_quote:
        cols.append(c.quote)
    q = select(*cols)
    if coder is not None:
        q = q.where(c.coder_id == coder)
    names = SPAN_COLUMNS + (["quote"] if with_quote else [])
    result = conn.execute(q)
    # plain values, straight from the driver's cursor: no per-row Row objects for columns that need no
    # conversion (integers and text)
    rows = result.cursor.fetchall() if result.cursor is not None else [tuple(r) for r in result]
    columns = list(zip(*rows, strict=True)) or [()] * len(names)
    frame = pd.DataFrame({name: np.asarray(col, dtype=np.int64) if name in _INTS else list(col)
                          for name, col in zip(names, columns, strict=True)}, columns=names)
    if not with_quote:
        cache[key] = (seen, frame)
    return frame


def document_index(conn: Connection) -> pd.DataFrame:
    """name, id, kind and case name of every document, by name (no text: lengths scan every text)."""
    d = documents.c
    rows = conn.execute(select(d.name, d.id, d.kind, cases.c.name).select_from(documents.outerjoin(cases))
                        .order_by(d.name)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["name", "id", "kind", "case"])


def code_ids(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute(select(codes.c.id))}


def case_ids(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    names = list(names)
    return dict(conn.execute(select(cases.c.name, cases.c.id).where(cases.c.name.in_(names))).all())


# ---- links -------------------------------------------------------------------------------------------
def insert_link(tx: Tx, source: str, target: str, kind: str, memo: str | None) -> dict[str, Any]:
    return tx.insert(links, {"source_id": source, "target_id": target, "kind": kind, "memo": memo,
                             "actor": tx.actor, "created": now()})


def find_link(conn: Connection, source: str, target: str, kind: str) -> dict[str, Any] | None:
    row = conn.execute(select(links).where(links.c.source_id == source, links.c.target_id == target,
                                           links.c.kind == kind)).mappings().first()
    return dict(row) if row else None


def delete_link(tx: Tx, link_id: int) -> dict[str, Any]:
    return tx.delete(links, {"id": link_id})


def links_frame(conn: Connection) -> pd.DataFrame:
    c = links.c
    result = conn.execute(select(c.id, c.source_id.label("source"), c.target_id.label("target"), c.kind, c.memo,
                                 c.actor, c.created).order_by(c.id))
    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


# ---- framework cells ---------------------------------------------------------------------------------
def cells_frame(conn: Connection) -> pd.DataFrame:
    f = framework_cells.c
    result = conn.execute(select(f.id, cases.c.name.label("case"), f.code_id.label("code"), f.summary, f.codings,
                                 f.actor, f.updated).select_from(framework_cells.join(cases)).order_by(f.id))
    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


def put_cell(tx: Tx, case: str, code: str, summary: str, codings: list[int]) -> dict[str, Any]:
    """Insert or update the cell (case, code); an empty summary without codings removes it."""
    ids = case_ids(tx.conn, [case])
    if case not in ids:
        raise NotFound(f"no case {case!r}", where="framework matrix", fix="see project.cases() for the names")
    row = tx.conn.execute(select(framework_cells.c.id).where(framework_cells.c.case_id == ids[case],
                                                             framework_cells.c.code_id == code)).first()
    if not summary and not codings:
        return tx.delete(framework_cells, {"id": row[0]}) if row else {}
    values = {"summary": summary, "codings": list(codings), "actor": tx.actor, "updated": now()}
    if row is None:
        return tx.insert(framework_cells, {"case_id": ids[case], "code_id": code, **values})
    return tx.update(framework_cells, {"id": row[0]}, **values)
