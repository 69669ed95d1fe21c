"""The codebook's queries (codebook/tree.py asks; only the store speaks SQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from .schema import codes, codings, memos, research_questions, settings


def code_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(codes)).mappings()]


def research_question_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(research_questions).order_by(research_questions.c.position))
            .mappings()]


def setting(conn: Connection, key: str) -> Any:
    return conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()


def code_row(conn: Connection, code_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(codes).where(codes.c.id == code_id)).mappings().first()
    return dict(row) if row else None


def parent_pairs(conn: Connection) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in conn.execute(select(codes.c.id, codes.c.parent_id))]


def code_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(codes.c.id)).scalars())


def next_position(conn: Connection, parent: str | None) -> int:
    q = select(func.max(codes.c.position)).where(
        codes.c.parent_id.is_(None) if parent is None else codes.c.parent_id == parent)
    return (conn.execute(q).scalar() or 0) + 1


def count_codings(conn: Connection, code_id: str) -> int:
    return conn.execute(select(func.count()).where(codings.c.code_id == code_id)).scalar() or 0


def siblings(conn: Connection, parent: str | None) -> list[str]:
    """Children of `parent` in their order."""
    q = select(codes.c.id).order_by(codes.c.position, codes.c.id).where(
        codes.c.parent_id.is_(None) if parent is None else codes.c.parent_id == parent)
    return list(conn.execute(q).scalars())


def children(conn: Connection, code_id: str) -> list[str]:
    return list(conn.execute(select(codes.c.id).where(codes.c.parent_id == code_id)).scalars())


def codings_of(conn: Connection, code_id: str) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(codings).where(codings.c.code_id == code_id)).mappings()]


def twin(conn: Connection, row: dict[str, Any], code_id: str) -> dict[str, Any] | None:
    """The same span by the same coder with another code, if it exists."""
    found = conn.execute(select(codings).where(
        codings.c.document_id == row["document_id"], codings.c.start == row["start"],
        codings.c.end == row["end"], codings.c.coder_id == row["coder_id"],
        codings.c.code_id == code_id)).mappings().first()
    return dict(found) if found else None


def code_memo_ids(conn: Connection, code_id: str) -> list[int]:
    return list(conn.execute(select(memos.c.id).where(memos.c.target_type == "code",
                                                      memos.c.target_id == code_id)).scalars())
