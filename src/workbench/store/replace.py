"""The store side of replacing a document (see corpus/replace.py): one undoable transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..errors import ConflictError
from .schema import assignments, codings, document_values, documents, turns

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project


def swap_document(project: Project, old: dict[str, Any], row: dict[str, Any], new_turns: list[dict[str, Any]],
                  moves: list[tuple[int, int, int]], dropped: list[int], *, actor: str) -> int:
    """Insert the new version, move codings (id, start, end) onto it, drop the lost ones, remove the old
    version; returns the new document id."""
    with project.transaction(actor, "document.replace", summary=f"replacement of document {old['name']}") as tx:
        clash = tx.conn.execute(select(documents.c.name).where(documents.c.content_hash == row["content_hash"])).first()
        if clash is not None:
            raise ConflictError(f"the new text is already in the project as document {clash[0]!r}",
                                where=f"document {old['name']!r}")
        tx.update(documents, {"id": old["id"]}, name=f"{old['name']}~replaced-{old['id']}")
        new = tx.insert(documents, row, with_text=True)
        tx.insert_many(turns, [{**t, "document_id": new["id"]} for t in new_turns])
        for v in tx.conn.execute(select(document_values).where(document_values.c.document_id == old["id"])).mappings():
            tx.insert(document_values, {**dict(v), "document_id": new["id"]})
        for a in tx.conn.execute(select(assignments).where(assignments.c.document_id == old["id"])).mappings():
            tx.insert(assignments, {**dict(a), "document_id": new["id"]})
        text = row["text"]
        for cid, start, end in moves:
            tx.update(codings, {"id": cid}, document_id=new["id"], start=start, end=end, quote=text[start:end])
        for cid in dropped:
            tx.delete(codings, {"id": cid})
        tx.delete_where(assignments, assignments.c.document_id == old["id"])
        tx.delete_where(document_values, document_values.c.document_id == old["id"])
        tx.delete_where(turns, turns.c.document_id == old["id"])
        tx.delete(documents, {"id": old["id"]}, with_text=True)
    project._texts.pop(old["id"], None)
    return new["id"]
