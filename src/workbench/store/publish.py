"""Reads and writes that publication needs: the pseudonym key and one consistent read of the project.

The key is a table (`pseudonyms`), written through logged transactions so that adding or removing an entry
is undoable like any other action. `read_consistent` reads everything a report is built from inside one
read transaction (a snapshot under SQLite's WAL, REPEATABLE READ on PostgreSQL), together with the last
event id it saw, so a published report never mixes two states of the project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from . import queries
from .schema import (
    attributes,
    case_values,
    cases,
    codes,
    codings,
    document_values,
    documents,
    pseudonyms,
    research_questions,
    settings,
    turns,
)

if TYPE_CHECKING:  # pragma: no cover
    from .events import Tx
    from .project import Project

PRIVATE_SETTING = "publish.private_attributes"


def key_rows(conn: Connection) -> list[dict[str, str]]:
    """The pseudonym key as rows {real, pseudonym, kind}, in order of the real name."""
    q = select(pseudonyms.c.real, pseudonyms.c.pseudonym, pseudonyms.c.kind).order_by(pseudonyms.c.real)
    return [dict(r) for r in conn.execute(q).mappings()]


def add_key(tx: Tx, real: str, pseudonym: str, kind: str) -> dict[str, Any]:
    return tx.insert(pseudonyms, {"real": real, "pseudonym": pseudonym, "kind": kind})


def update_key(tx: Tx, real: str, pseudonym: str, kind: str) -> dict[str, Any]:
    return tx.update(pseudonyms, {"real": real}, pseudonym=pseudonym, kind=kind)


def remove_key(tx: Tx, real: str) -> dict[str, Any]:
    return tx.delete(pseudonyms, {"real": real})


def _frame(conn: Connection, query) -> pd.DataFrame:
    result = conn.execute(query)
    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


def _read_all(conn: Connection, with_text: bool) -> dict[str, Any]:
    doc_cols = [documents.c.id, documents.c.name, documents.c.kind, cases.c.name.label("case"), documents.c.meta,
                documents.c.source_path]
    if with_text:
        doc_cols.append(documents.c.text)
    out: dict[str, Any] = {
        "as_of_event": queries.last_event(conn),
        "documents": _frame(conn, select(*doc_cols).select_from(documents.outerjoin(cases))
                            .order_by(documents.c.name)),
        "turns": _frame(conn, select(documents.c.name.label("document"), turns.c.seq, turns.c.speaker,
                                     turns.c.start, turns.c.end, turns.c.speech_start)
                        .join(documents).order_by(documents.c.name, turns.c.seq)),
        "codings": _frame(conn, select(documents.c.name.label("document"), codings.c.start, codings.c.end,
                                       codings.c.code_id.label("code"), codings.c.coder_id.label("coder"),
                                       codings.c.quote, cases.c.name.label("case"))
                          .select_from(codings.join(documents).outerjoin(cases))
                          .order_by(documents.c.name, codings.c.start, codings.c.end, codings.c.code_id,
                                    codings.c.coder_id)),
        "codes": _frame(conn, select(codes).order_by(codes.c.position)),
        "research_questions": _frame(conn, select(research_questions).order_by(research_questions.c.position)),
        "case_values": _frame(conn, select(cases.c.name.label("case"), attributes.c.name.label("attribute"),
                                           case_values.c.value)
                              .select_from(case_values.join(cases).join(attributes))),
        "document_values": _frame(conn, select(documents.c.name.label("document"),
                                               attributes.c.name.label("attribute"), document_values.c.value)
                                  .select_from(document_values.join(documents).join(attributes))),
        "key": key_rows(conn),
        "private_attributes": list(conn.execute(select(settings.c.value).where(settings.c.key == PRIVATE_SETTING))
                                   .scalar() or []),
        "coded_documents": conn.execute(select(func.count(func.distinct(codings.c.document_id)))).scalar() or 0,
    }
    return out


def read_consistent(project: Project, *, with_text: bool = True) -> dict[str, Any]:
    """Everything a report is built from, read in one transaction, with the event id it was read at."""
    with project.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return _read_all(conn, with_text)
