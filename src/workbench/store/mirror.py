"""Reads for the plain-text mirror of a project's coding (coding/codings.csv)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from .schema import codings, documents


def coding_rows(conn: Connection) -> Iterator[tuple[str, int, int, str, str, str | None, str]]:
    """(document, start, end, code, coder, memo, quote) of every coding, in the mirror's order."""
    c = codings.c
    query = (select(documents.c.name, c.start, c.end, c.code_id, c.coder_id, c.memo, c.quote)
             .select_from(codings.join(documents))
             .order_by(documents.c.name, c.start, c.end, c.code_id, c.coder_id))
    yield from conn.execute(query)
