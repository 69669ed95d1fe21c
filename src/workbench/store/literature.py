"""Reads for the literature phase: the works (literature documents), the search-export records behind
them, and screening decisions. Writes go through `Project.transaction` (Tx) in workbench.literature."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from .schema import attributes, document_values, documents, records_sources, screening

SOURCE_COLUMNS = ["document", "database", "file", "position", "record", "matched_by", "imported"]
SCREENING_COLUMNS = ["document", "screener", "stage", "decision", "reason", "rule", "decided"]


def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(query).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=columns)


def literature_works(conn: Connection) -> list[dict[str, Any]]:
    """Every literature document as {id, name, content_hash, <attribute>: value as text}, in name order."""
    docs = conn.execute(select(documents.c.id, documents.c.name, documents.c.content_hash)
                        .where(documents.c.kind == "literature").order_by(documents.c.name)).mappings().all()
    works = {d["id"]: dict(d) for d in docs}
    q = (select(document_values.c.document_id, attributes.c.name, document_values.c.value)
         .select_from(document_values.join(attributes))
         .join(documents, documents.c.id == document_values.c.document_id)
         .where(documents.c.kind == "literature"))
    for doc_id, name, value in conn.execute(q):
        if name not in ("id", "name", "content_hash"):
            works[doc_id][name] = value
    return list(works.values())


def content_hashes(conn: Connection) -> dict[str, str]:
    """content hash -> document name, for every document (a new work may repeat a known text)."""
    return dict(conn.execute(select(documents.c.content_hash, documents.c.name)).all())


def known_records(conn: Connection) -> set[tuple[str, str, int]]:
    """(database, file, position) of every export record already linked: importing twice adds nothing."""
    s = records_sources.c
    return {tuple(r) for r in conn.execute(select(s.database, s.file, s.position))}


def sources_frame(conn: Connection) -> pd.DataFrame:
    s = records_sources.c
    q = (select(documents.c.name.label("document"), s.database, s.file, s.position, s.record, s.matched_by,
                s.imported)
         .select_from(records_sources.join(documents)).order_by(s.database, s.file, s.position))
    return _frame(conn, q, SOURCE_COLUMNS)


def screening_frame(conn: Connection, screener: str | None = None) -> pd.DataFrame:
    s = screening.c
    q = (select(documents.c.name.label("document"), s.screener, s.stage, s.decision, s.reason, s.rule, s.decided)
         .select_from(screening.join(documents)).order_by(documents.c.name, s.stage, s.screener))
    if screener is not None:
        q = q.where(s.screener == screener)
    return _frame(conn, q, SCREENING_COLUMNS)


def literature_document(conn: Connection, name: str) -> dict[str, Any] | None:
    """id, name and kind of a document, or None."""
    row = conn.execute(select(documents.c.id, documents.c.name, documents.c.kind)
                       .where(documents.c.name == name)).mappings().first()
    return dict(row) if row else None


def literature_values(conn: Connection) -> tuple[list[str], list[tuple[str, str, str, str | None]]]:
    """Names of the literature documents (name order) and their (document, attribute, type, value) rows."""
    names = [r[0] for r in conn.execute(select(documents.c.name).where(documents.c.kind == "literature")
                                        .order_by(documents.c.name))]
    q = (select(documents.c.name, attributes.c.name, attributes.c.type, document_values.c.value)
         .select_from(document_values.join(attributes))
         .join(documents, documents.c.id == document_values.c.document_id)
         .where(documents.c.kind == "literature"))
    return names, [tuple(r) for r in conn.execute(q)]


def screening_rows(conn: Connection, screener: str, stage: str) -> dict[int, dict[str, Any]]:
    """document id -> this screener's row at `stage`."""
    s = screening.c
    rows = conn.execute(select(screening).where(s.screener == screener, s.stage == stage)).mappings()
    return {r["document_id"]: dict(r) for r in rows}
