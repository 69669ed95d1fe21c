"""Codebook operations on a project: each is one transaction, one event group, undoable by its actor.

`Codebook(project, actor)` is what notebooks and the CLI use: create, rename, move, merge, split,
delete, reorder, recolour, update - plus loading a YAML codebook and reading the tree back as specs.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConflictError, NotFound, ValidationError
from ..store import codebook as q
from ..store.events import Tx
from ..store.project import Project
from ..store.schema import codes, codings, memos, research_questions
from . import io
from .io import CodebookSpec, CodeSpec

FRAME_COLUMNS = ["id", "label", "gloss", "parent", "depth", "path", "colour", "rq", "definition", "keywords",
                 "codable"]


def _spec(row: Mapping[str, Any]) -> CodeSpec:
    return CodeSpec(id=row["id"], label=row["label"], parent=row["parent_id"], gloss=row["gloss"] or "",
                    colour=row["colour"], rq=list(row["rq"] or []), definition=row["definition"] or "",
                    use_when=row["use_when"] or "", not_when=row["not_when"] or "", example=row["example"] or "",
                    keywords=list(row["keywords"] or []), patterns=list(row["patterns"] or []),
                    codable=bool(row["codable"]))


def _row(c: CodeSpec, position: int) -> dict[str, Any]:
    return {"id": c.id, "label": c.label, "gloss": c.gloss or None, "parent_id": c.parent, "position": position,
            "colour": c.colour, "definition": c.definition or None, "use_when": c.use_when or None,
            "not_when": c.not_when or None, "example": c.example or None, "keywords": c.keywords,
            "patterns": c.patterns, "rq": c.rq, "codable": c.codable}


def tree_order(specs: list[tuple[int, CodeSpec]]) -> list[CodeSpec]:
    """Depth-first by sibling position: the order of the YAML file and the report."""
    children: dict[str | None, list[tuple[int, CodeSpec]]] = {}
    for pos, c in specs:
        children.setdefault(c.parent, []).append((pos, c))
    out: list[CodeSpec] = []

    def walk(parent: str | None) -> None:
        for _, c in sorted(children.get(parent, []), key=lambda pc: (pc[0], pc[1].id)):
            out.append(c)
            walk(c.id)

    walk(None)
    return out


class Codebook:
    """The project's codebook, changed on behalf of `actor` (whose undo stack the changes join)."""

    def __init__(self, project: Project, actor: str = "researcher"):
        self.project = project
        self.actor = actor

    # ---- reading ---------------------------------------------------------------------------------
    def spec(self, conn=None) -> CodebookSpec:
        with self.project._conn(conn) as c:
            rows = q.code_rows(c)
            rqs = [{"id": r["id"], "label": r["label"], "gloss": r["gloss"] or ""} for r in q.research_question_rows(c)]
            name = q.setting(c, "codebook.name")
        ordered = tree_order([(r["position"], _spec(r)) for r in rows])
        return CodebookSpec(name or self.project.name, rqs, ordered)

    def frame(self) -> pd.DataFrame:
        """Codes in tree order with depth and path, for display and analysis."""
        book = self.spec()
        by_id = {c.id: c for c in book.codes}
        rows = []
        for c in book.codes:
            path, node = [c.label], c
            while node.parent:
                node = by_id[node.parent]
                path.insert(0, node.label)
            rows.append({"id": c.id, "label": c.label, "gloss": c.gloss, "parent": c.parent,
                         "depth": len(path) - 1, "path": " / ".join(path), "colour": c.colour,
                         "rq": ", ".join(c.rq), "definition": c.definition, "keywords": c.keywords,
                         "codable": c.codable})
        return pd.DataFrame(rows, columns=FRAME_COLUMNS)

    def get(self, code_id: str, conn=None) -> CodeSpec:
        with self.project._conn(conn) as c:
            row = q.code_row(c, code_id)
        if row is None:
            raise NotFound(f"no code {code_id!r}", fix="see Codebook.frame() for the ids")
        return _spec(row)

    def descendants(self, code_id: str, conn=None) -> list[str]:
        with self.project._conn(conn) as c:
            pairs = q.parent_pairs(c)
        kids: dict[str, list[str]] = {}
        for cid, parent in pairs:
            kids.setdefault(parent, []).append(cid)
        out, todo = [], list(kids.get(code_id, []))
        while todo:
            cid = todo.pop()
            out.append(cid)
            todo.extend(kids.get(cid, []))
        return sorted(out)

    # ---- validation against the whole tree -------------------------------------------------------
    def _check(self, tx: Tx) -> None:
        io.validate(self.spec(tx.conn), "codebook")

    def _next_position(self, tx: Tx, parent: str | None) -> int:
        return q.next_position(tx.conn, parent)

    def _count(self, tx: Tx, code_id: str) -> int:
        return q.count_codings(tx.conn, code_id)

    # ---- operations ------------------------------------------------------------------------------
    def load_yaml(self, path: str | Path) -> int:
        """Load a YAML codebook: new codes are added, existing ones updated; returns the number of codes.

        Codes missing from the file are left alone (deleting is an explicit operation).
        """
        book = io.load(path)
        return self.apply_spec(book)

    def apply_spec(self, book: CodebookSpec) -> int:
        with self.project.transaction(self.actor, "codebook.load",
                                      summary=f"load of a codebook with {len(book.codes)} codes") as tx:
            if book.name:
                self.project.set_setting(tx, "codebook.name", book.name)
            for pos, rq in enumerate(book.research_questions):
                row = {"id": rq["id"], "label": rq["label"], "gloss": rq.get("gloss") or None, "position": pos}
                if tx.get(research_questions, {"id": rq["id"]}) is None:
                    tx.insert(research_questions, row)
                else:
                    tx.update(research_questions, {"id": rq["id"]}, **row)
            # insert parents before children: the file is in tree order, but be safe about forward refs
            pending = {c.id: (pos, c) for pos, c in enumerate(book.codes)}
            done: set[str] = q.code_ids(tx.conn)
            # two passes: first create/update without parent, then set parents (handles any order)
            for cid, (pos, c) in pending.items():
                row = _row(c, pos)
                if cid in done and not c.codable and self.get(cid, tx.conn).codable:
                    n = self._count(tx, cid)
                    if n:
                        warnings.warn(f"code {cid!r} becomes a folder (codable: false) but has {n} coding"
                                      f"{'s' if n != 1 else ''}; they stay, and no new ones can be added",
                                      io.CodebookWarning, stacklevel=3)
                if cid in done:
                    tx.update(codes, {"id": cid}, **{**row, "parent_id": self.get(cid, tx.conn).parent})
                else:
                    tx.insert(codes, {**row, "parent_id": None})
            for cid, (_, c) in pending.items():
                tx.update(codes, {"id": cid}, parent_id=c.parent)
            self._check(tx)
        return len(book.codes)

    def create(self, code_id: str, label: str, parent: str | None = None, **fields: Any) -> CodeSpec:
        with self.project.transaction(self.actor, "code.create", summary=f"creation of code {code_id}") as tx:
            if tx.get(codes, {"id": code_id}) is not None:
                raise ValidationError(f"code id {code_id!r} exists already", fix="choose another id")
            if parent is not None:
                self.get(parent, tx.conn)
            spec = CodeSpec(id=code_id, label=label, parent=parent, **fields)
            tx.insert(codes, _row(spec, self._next_position(tx, parent)))
            self._check(tx)
        return spec

    def update(self, code_id: str, **fields: Any) -> CodeSpec:
        """Change descriptive fields (definition, gloss, keywords, rq, ...)."""
        allowed = {"gloss", "definition", "use_when", "not_when", "example", "keywords", "patterns", "rq", "codable",
                   "label", "colour"}
        bad = set(fields) - allowed
        if bad:
            raise ValidationError(f"cannot set {', '.join(sorted(bad))} with update",
                                  fix="use move() for the parent; ids never change")
        with self.project.transaction(self.actor, "code.update", summary=f"update of code {code_id}") as tx:
            current = self.get(code_id, tx.conn)
            new = replace(current, **fields)
            pos = tx.get(codes, {"id": code_id})["position"]
            tx.update(codes, {"id": code_id}, **_row(new, pos))
            self._check(tx)
        return new

    def rename(self, code_id: str, label: str) -> CodeSpec:
        return self._single("code.rename", code_id, label=label)

    def recolour(self, code_id: str, colour: str) -> CodeSpec:
        return self._single("code.recolour", code_id, colour=colour)

    def _single(self, action: str, code_id: str, **values: Any) -> CodeSpec:
        with self.project.transaction(self.actor, action, summary=f"{action.split('.')[1]} of code {code_id}") as tx:
            self.get(code_id, tx.conn)
            tx.update(codes, {"id": code_id}, **values)
            self._check(tx)
            return self.get(code_id, tx.conn)

    def move(self, code_id: str, parent: str | None, position: int | None = None) -> CodeSpec:
        """Re-parent a code (with its sub-codes); refuses cycles."""
        with self.project.transaction(self.actor, "code.move", summary=f"move of code {code_id}") as tx:
            self.get(code_id, tx.conn)
            if parent is not None:
                self.get(parent, tx.conn)
                if parent == code_id or parent in self.descendants(code_id, tx.conn):
                    raise ValidationError(f"cannot move {code_id!r} under its own descendant {parent!r}",
                                          fix="move the descendant out first")
            pos = position if position is not None else self._next_position(tx, parent)
            tx.update(codes, {"id": code_id}, parent_id=parent, position=pos)
            self._check(tx)
            return self.get(code_id, tx.conn)

    def reorder(self, code_id: str, index: int) -> list[str]:
        """Put a code at `index` among its siblings; returns the siblings' new order."""
        with self.project.transaction(self.actor, "code.reorder", summary=f"reorder of code {code_id}") as tx:
            me = self.get(code_id, tx.conn)
            order = [r for r in q.siblings(tx.conn, me.parent) if r != code_id]
            index = max(0, min(index, len(order)))
            order.insert(index, code_id)
            for pos, cid in enumerate(order, start=1):
                tx.update(codes, {"id": cid}, position=pos)
            return order

    def merge(self, source: str, target: str) -> int:
        """Move all codings and sub-codes of `source` to `target`, then delete `source`.

        A coding that already exists on `target` (same span and coder) is not duplicated; its memo is kept
        by appending the source's memo, so nothing is lost. Returns the number of codings moved.
        """
        if source == target:
            raise ValidationError("cannot merge a code into itself")
        with self.project.transaction(self.actor, "code.merge", summary=f"merge of {source} into {target}") as tx:
            self.get(source, tx.conn)
            self.get(target, tx.conn)
            if target in self.descendants(source, tx.conn):
                raise ValidationError(f"{target!r} is a sub-code of {source!r}", fix="move it out first")
            moved = 0
            for row in q.codings_of(tx.conn, source):
                twin = q.twin(tx.conn, row, target)
                if twin is None:
                    tx.update(codings, {"id": row["id"]}, code_id=target)
                else:
                    if row["memo"]:
                        memo = "\n".join(m for m in (twin["memo"], row["memo"]) if m)
                        tx.update(codings, {"id": twin["id"]}, memo=memo)
                    tx.delete(codings, {"id": row["id"]})
                moved += 1
            for child in q.children(tx.conn, source):
                tx.update(codes, {"id": child}, parent_id=target, position=self._next_position(tx, target))
            for memo_id in q.code_memo_ids(tx.conn, source):  # a merged code's memos go with its codings
                tx.update(memos, {"id": memo_id}, target_id=target)
            tx.delete(codes, {"id": source})
            self._check(tx)
            return moved

    def split(self, code_id: str, into: list[tuple[str, str]],
              assign: Mapping[int, str] | Callable[[Mapping[str, Any]], str | None]) -> dict[str, int]:
        """Create new sibling codes `into` [(id, label), ...] and move codings to them.

        `assign` maps coding id -> new code id, or is a function of the coding row returning a new id (or
        None to keep the coding on the original code). Returns how many codings went to each code.
        """
        with self.project.transaction(self.actor, "code.split", summary=f"split of code {code_id}") as tx:
            original = self.get(code_id, tx.conn)
            new_ids = {cid for cid, _ in into}
            for cid, label in into:
                if tx.get(codes, {"id": cid}) is not None:
                    raise ValidationError(f"code id {cid!r} exists already", fix="choose another id")
                spec = CodeSpec(id=cid, label=label, parent=original.parent, colour=original.colour, rq=original.rq)
                tx.insert(codes, _row(spec, self._next_position(tx, original.parent)))
            counts = {cid: 0 for cid in new_ids}
            rows = q.codings_of(tx.conn, code_id)
            ids = {r["id"] for r in rows}
            if isinstance(assign, Mapping):
                stray = set(assign) - ids
                if stray:
                    raise ValidationError(f"codings {sorted(stray)} are not codings of {code_id!r}")
            for row in rows:
                dest = assign.get(row["id"]) if isinstance(assign, Mapping) else assign(row)
                if dest is None:
                    continue
                if dest not in new_ids:
                    raise ValidationError(f"split target {dest!r} is not one of {sorted(new_ids)}")
                tx.update(codings, {"id": row["id"]}, code_id=dest)
                counts[dest] += 1
            self._check(tx)
            return counts

    def delete(self, code_id: str, codings_to: str | None = None, delete_codings: bool = False) -> int:
        """Delete a code. Refuses while it has codings or sub-codes, unless told: move the codings to
        `codings_to` (a merge) or `delete_codings=True`. Returns the number of codings affected."""
        if codings_to is not None:
            return self.merge(code_id, codings_to)
        with self.project.transaction(self.actor, "code.delete", summary=f"deletion of code {code_id}") as tx:
            self.get(code_id, tx.conn)
            kids = q.children(tx.conn, code_id)
            if kids:
                raise ConflictError(f"code {code_id!r} has sub-codes {', '.join(kids)}",
                                    fix="move or delete the sub-codes first, or merge the code into another")
            n = self._count(tx, code_id)
            if n and not delete_codings:
                raise ConflictError(f"code {code_id!r} still has {n} codings",
                                    fix="pass codings_to=<code id> to move them, or delete_codings=True")
            for row in q.codings_of(tx.conn, code_id):
                tx.delete(codings, {"id": row["id"]})
            for memo_id in q.code_memo_ids(tx.conn, code_id):  # no memo is left pointing at nothing
                tx.delete(memos, {"id": memo_id})
            tx.delete(codes, {"id": code_id})
            return n

    def undo(self) -> int:
        return self.project.undo(self.actor)

    def redo(self) -> int:
        return self.project.redo(self.actor)
