"""Read queries the layers above need, as typed rows (the DataFrames for notebooks are on Project).

Everything that reads the database outside `Project`'s DataFrame methods lives here, so corpus,
codebook, coding, analysis and widgets never write SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ..models import TurnSpan
from .schema import cases, codes, codings, documents, events, turns

_CHUNK = 500


class DocText(NamedTuple):
    """A document with what units and retrieval need: its text and its turns."""

    id: int
    name: str
    kind: str
    text: str
    case: str | None
    turns: list[TurnSpan]


class CodingRow(NamedTuple):
    id: int
    document: str
    start: int
    end: int
    code: str
    coder: str
    memo: str | None
    quote: str


def doc_texts(conn: Connection, names: Iterable[str] | None = None,
              kinds: Iterable[str] | None = None) -> list[DocText]:
    q = (select(documents.c.id, documents.c.name, documents.c.kind, documents.c.text, cases.c.name)
         .select_from(documents.outerjoin(cases)).order_by(documents.c.name))
    if names is not None:
        names = list(names)
        q = q.where(documents.c.name.in_(names))
    if kinds is not None:
        q = q.where(documents.c.kind.in_(list(kinds)))
    rows = conn.execute(q).all()
    by_doc: dict[int, list[TurnSpan]] = {r[0]: [] for r in rows}
    ids = list(by_doc)
    for at in range(0, len(ids), _CHUNK):
        tq = (select(turns.c.document_id, turns.c.seq, turns.c.speaker, turns.c.start, turns.c.end,
                     turns.c.speech_start, turns.c.time_ms)
              .where(turns.c.document_id.in_(ids[at:at + _CHUNK])).order_by(turns.c.document_id, turns.c.seq))
        for d, *rest in conn.execute(tq):
            by_doc[d].append(TurnSpan(*rest))
    return [DocText(r[0], r[1], r[2], r[3], r[4], by_doc[r[0]]) for r in rows]


def document_ids(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    names = list(names)
    out: dict[str, int] = {}
    for at in range(0, len(names), _CHUNK):
        out.update(conn.execute(select(documents.c.name, documents.c.id)
                                .where(documents.c.name.in_(names[at:at + _CHUNK]))).all())
    return out


def document_codings(conn: Connection, document_id: int) -> list[tuple[int, int, int, str, str, str | None]]:
    """(id, start, end, code, coder, memo) of one document, in reading order."""
    c = codings.c
    return [tuple(r) for r in conn.execute(
        select(c.id, c.start, c.end, c.code_id, c.coder_id, c.memo).where(c.document_id == document_id)
        .order_by(c.start, c.end, c.code_id, c.coder_id))]


def coding(conn: Connection, coding_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(codings).where(codings.c.id == coding_id)).mappings().first()
    return dict(row) if row else None


def existing_spans(conn: Connection, document_ids_: Iterable[int], coders_: Iterable[str]
                   ) -> set[tuple[int, int, int, str, str]]:
    """(document_id, start, end, code, coder) already coded, for the documents and coders of a batch."""
    ids = list(document_ids_)
    coders_ = list(coders_)
    out: set[tuple[int, int, int, str, str]] = set()
    c = codings.c
    for at in range(0, len(ids), _CHUNK):
        q = select(c.document_id, c.start, c.end, c.code_id, c.coder_id).where(
            c.document_id.in_(ids[at:at + _CHUNK]), c.coder_id.in_(coders_))
        out.update(tuple(r) for r in conn.execute(q))
    return out


def code_flags(conn: Connection) -> dict[str, bool]:
    """code id -> codable."""
    return dict(conn.execute(select(codes.c.id, codes.c.codable)).all())


def last_event(conn: Connection) -> int:
    return conn.execute(select(func.max(events.c.id))).scalar() or 0


def events_since(conn: Connection, event_id: int) -> int:
    return conn.execute(select(func.count()).where(events.c.id > event_id)).scalar() or 0


def coders_with_codings(conn: Connection) -> list[str]:
    """Coders with at least one coding (the coding view's coder filter: actors who never coded are left out)."""
    return sorted(conn.execute(select(codings.c.coder_id).distinct()).scalars())


def assignment_done(conn: Connection, coder: str, document_id: int) -> bool:
    """Whether `coder` marked the document done (False when it is not even assigned): ends blind coding."""
    from .schema import assignments

    done = conn.execute(select(assignments.c.done).where(
        assignments.c.coder_id == coder, assignments.c.document_id == document_id)).scalar()
    return bool(done)


def coding_at(conn: Connection, document_id: int, start: int, end: int, code: str, coder: str) -> int | None:
    """The id of this exact coding, if it exists."""
    c = codings.c
    return conn.execute(select(c.id).where(c.document_id == document_id, c.start == start, c.end == end,
                                           c.code_id == code, c.coder_id == coder)).scalar()


def overlapping(conn: Connection, document_id: int, code: str, coder: str, start: int, end: int) -> list[int]:
    """Ids of a coder's codings of `code` that overlap [start, end)."""
    c = codings.c
    return list(conn.execute(select(c.id).where(c.document_id == document_id, c.code_id == code,
                                                c.coder_id == coder, c.start < end, c.end > start)).scalars())


def names_to_ids(conn: Connection, table) -> dict[str, int]:
    """name -> id of every row of a named table (cases, documents)."""
    return dict(conn.execute(select(table.c.name, table.c.id)).all())


def attributes_of(conn: Connection, scope: str) -> dict[str, Any]:
    """The attributes of a scope ('case' or 'document') by name (rows with .id, .name, .type)."""
    from .schema import attributes

    return {r.name: r for r in conn.execute(select(attributes).where(attributes.c.scope == scope))}


def register_coder(conn: Connection, coder: str) -> None:
    """Put an actor in the `coders` registry if it is not there (registry rows are not events)."""
    from .events import now
    from .schema import coders

    if conn.execute(select(coders.c.id).where(coders.c.id == coder)).first() is None:
        conn.execute(coders.insert().values(id=coder, name=coder, created=now()))
