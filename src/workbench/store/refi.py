"""Reads the REFI-QDA exchange needs that Project's DataFrames do not give cheaply (issue 13)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.engine import Connection

from .schema import TABLES, attributes, case_values, cases, codings, document_values, documents, turns


def attribute_values(conn: Connection) -> list[tuple[str, str, str, str, str]]:
    """(scope, owner name, attribute, type, stored text) of every non-empty attribute value."""
    out: list[tuple[str, str, str, str, str]] = []
    for scope, owner, values, key in (("case", cases, case_values, case_values.c.case_id),
                                      ("document", documents, document_values, document_values.c.document_id)):
        q = (select(owner.c.name, attributes.c.name, attributes.c.type, values.c.value)
             .select_from(values.join(owner, key == owner.c.id).join(attributes))
             .where(values.c.value.is_not(None)).order_by(owner.c.name, attributes.c.name))
        out.extend((scope, *row) for row in conn.execute(q))
    return out


def export_codings(conn: Connection) -> list[tuple[str, int, int, str, str, str | None, object]]:
    """(document, start, end, code, coder, memo, created) of every coding, in (document, start, end, code,
    coder) order. `created` comes as the driver gives it (SQLite: the stored ISO text, not parsed row by
    row; PostgreSQL: a datetime), since the exporter only writes it out again."""
    c = codings.c
    q = (select(documents.c.name, c.start, c.end, c.code_id, c.coder_id, c.memo, type_coerce(c.created, String))
         .select_from(codings.join(documents))
         .order_by(documents.c.name, c.start, c.end, c.code_id, c.coder_id))
    return conn.execute(q).all()


def export_texts(conn: Connection) -> dict[str, tuple[str, int]]:
    """document name -> (text, number of turns): what an export needs, without loading the turns."""
    n_turns = dict(conn.execute(select(turns.c.document_id, func.count()).group_by(turns.c.document_id)).all())
    return {name: (text, n_turns.get(doc_id, 0))
            for doc_id, name, text in conn.execute(select(documents.c.id, documents.c.name, documents.c.text))}


def row_counts(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """Rows in each named table that exists in this schema (tables other features add are optional)."""
    return {n: conn.execute(select(func.count()).select_from(TABLES[n])).scalar() or 0
            for n in names if n in TABLES}
