"""Memos: free-text notes on the project, a document, a case or a code - logged and undoable.

One memo concept per target: a coding's memo is the coding's own `memo` (CodingSession.set_memo), so it
moves, merges and disappears with the coding. Targets are checked when a memo is written; merging a code
moves its memos to the target, deleting a code or removing a document takes its memos along.
"""

from __future__ import annotations

from ..errors import NotFound, ValidationError
from ..store.events import now
from ..store.project import Project
from ..store.schema import memos

TARGETS = ("project", "document", "case", "code")


def add_memo(project: Project, author: str, text: str, target_type: str = "project", target_id: str | None = None,
             title: str | None = None) -> int:
    if target_type == "coding":
        raise ValidationError("a coding's memo is part of the coding",
                              fix="use CodingSession(project, coder).set_memo(coding_id, text)")
    if target_type not in TARGETS:
        raise ValidationError(f"unknown memo target {target_type!r}", fix=f"use one of {', '.join(TARGETS)}")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("a memo needs text")
    if target_type != "project" and not target_id:
        raise ValidationError(f"a {target_type} memo needs target_id")
    if target_type == "project" and target_id:
        raise ValidationError("a project memo has no target_id")
    target_id = None if target_id is None else str(target_id)
    if target_type == "document":
        project.document_row(target_id)
    elif target_type == "case":
        if target_id not in set(project.cases()["name"]):
            raise NotFound(f"no case {target_id!r}", fix="see Project.cases() for the names")
    elif target_type == "code":
        from ..codebook.tree import Codebook

        Codebook(project).get(target_id)
    with project.transaction(author, "memo.add", summary=f"memo on {target_type} {target_id or ''}".strip()) as tx:
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
