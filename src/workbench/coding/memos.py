"""Memos: free-text notes on the project, a document, a case, a code or a coding - logged and undoable."""

from __future__ import annotations

from ..errors import NotFound, ValidationError
from ..store.events import now
from ..store.project import Project
from ..store.schema import memos

TARGETS = ("project", "document", "case", "code", "coding")


def add_memo(project: Project, author: str, text: str, target_type: str = "project", target_id: str | None = None,
             title: str | None = None) -> int:
    if target_type not in TARGETS:
        raise ValidationError(f"unknown memo target {target_type!r}", fix=f"use one of {', '.join(TARGETS)}")
    if not text.strip():
        raise ValidationError("a memo needs text")
    if target_type != "project" and not target_id:
        raise ValidationError(f"a {target_type} memo needs target_id")
    if target_type == "document":
        project.document_row(str(target_id))
    elif target_type == "code":
        from ..codebook.tree import Codebook

        Codebook(project).get(str(target_id))
    with project.transaction(author, "memo.add") as tx:
        return tx.insert(memos, {"target_type": target_type, "target_id": target_id, "author": author,
                                 "title": title, "text": text, "created": now()})["id"]


def edit_memo(project: Project, author: str, memo_id: int, text: str | None = None, title: str | None = None) -> None:
    with project.transaction(author, "memo.edit") as tx:
        row = tx.get(memos, {"id": memo_id})
        if row is None:
            raise NotFound(f"no memo {memo_id}")
        values = {k: v for k, v in (("text", text), ("title", title)) if v is not None}
        tx.update(memos, {"id": memo_id}, **values)


def delete_memo(project: Project, author: str, memo_id: int) -> None:
    with project.transaction(author, "memo.delete") as tx:
        if tx.get(memos, {"id": memo_id}) is None:
            raise NotFound(f"no memo {memo_id}")
        tx.delete(memos, {"id": memo_id})
