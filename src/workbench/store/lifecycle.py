"""Taking a document out again: remove (undoable), rename, and purge (withdrawn consent).

Documents are immutable, but a wrong file, a wrong encoding or a participant who withdraws consent must
not leave a project stuck. `remove` logs every row it deletes - the text included - so its actor can
undo it. `purge` removes the same rows and then blanks every logged image of them (the log's before/after
copies of the document, its codings with their quotes, its turns and memos), deletes saved runs (they may
quote it) and backups made before migrations (they hold it), and vacuums the database, so the text is
gone from the file and its write-ahead log.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from sqlalchemy import select, text

from ..errors import ConflictError, ValidationError
from . import events as ev
from . import runs
from .schema import codings, documents, memos

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project


def _dependents() -> list:
    """Every table whose rows belong to a document (a `document_id` column), codings first: what goes with it."""
    found = [t for t in ev.TABLES.values() if "document_id" in t.c and t.name != "codings"]
    return [codings, *sorted(found, key=lambda t: t.name)]


def _remove_rows(tx: ev.Tx, doc: dict, *, with_text: bool) -> dict[str, int]:
    doc_id = doc["id"]
    counts = {t.name: len(tx.delete_where(t, t.c.document_id == doc_id)) for t in _dependents()}
    counts["memos"] = len(tx.delete_where(memos, memos.c.target_type == "document", memos.c.target_id == doc["name"]))
    counts["attribute_values"] = counts.pop("document_values", 0)
    tx.delete(documents, {"id": doc_id}, with_text=with_text)
    counts["documents"] = 1
    return counts


def remove(project: Project, name: str, *, purge: bool = False, actor: str = "researcher") -> dict[str, int]:
    if not purge:
        with project.transaction(actor, "document.remove", summary=f"removal of document {name}") as tx:
            doc = project.document_row(name, tx.conn)
            counts = _remove_rows(tx, doc, with_text=True)
        project._texts.pop(doc["id"], None)
        return counts
    with project.transaction(actor, "document.purge", undoable=False,
                             summary=f"purge of document {name} (withdrawn consent)") as tx:
        doc = project.document_row(name, tx.conn)
        doc_id = doc["id"]
        # every row of this document that the log ever held, not only those alive now
        keys: dict[str, set[str]] = {"documents": {str(doc_id)}}
        for table in _dependents():
            rows = tx.conn.execute(select(ev.events.c.entity_id, ev.events.c.before, ev.events.c.after)
                                   .where(ev.events.c.entity == table.name)).all()
            for key, before, after in rows:
                if any(isinstance(img, dict) and img.get("document_id") == doc_id for img in (before, after)):
                    keys.setdefault(table.name, set()).add(key)
        memo_rows = tx.conn.execute(select(ev.events.c.entity_id, ev.events.c.before, ev.events.c.after)
                                    .where(ev.events.c.entity == "memos")).all()
        for key, before, after in memo_rows:
            if any(isinstance(img, dict) and img.get("target_type") == "document" and img.get("target_id") == name
                   for img in (before, after)):
                keys.setdefault("memos", set()).add(key)
        counts = _remove_rows(tx, doc, with_text=False)
        scrubbed = 0
        for table_name, ids in keys.items():
            scrubbed += ev.scrub(tx.conn, ev.TABLES[table_name], ids)
        counts["events_scrubbed"] = scrubbed
        counts["runs_deleted"] = runs.delete_all(project, tx.conn)
        # the purge's own log rows must not keep what it removed either
        tx.conn.execute(ev.events.update().where(ev.events.c.group_id == tx.group())
                        .values(before=None, after=ev.PURGED))
    project._texts.pop(doc_id, None)
    counts["backups_deleted"] = _drop_backups(project)
    _vacuum(project)
    return counts


def rename(project: Project, name: str, new_name: str, *, actor: str = "researcher") -> None:
    new_name = new_name.strip()
    if not new_name:
        raise ValidationError("a document needs a name")
    with project.transaction(actor, "document.rename", summary=f"rename of document {name} to {new_name}") as tx:
        doc = project.document_row(name, tx.conn)
        if tx.conn.execute(select(documents.c.id).where(documents.c.name == new_name)).first() is not None:
            raise ConflictError(f"a document named {new_name!r} exists already", fix="choose another name")
        tx.update(documents, {"id": doc["id"]}, name=new_name)
        for m in tx.conn.execute(select(memos.c.id).where(memos.c.target_type == "document",
                                                          memos.c.target_id == name)).scalars().all():
            tx.update(memos, {"id": m}, target_id=new_name)


def _drop_backups(project: Project) -> int:
    folder = project.root / ".workbench" / "backups"
    n = 0
    for f in sorted(folder.glob("*.sqlite")) if folder.exists() else []:
        with contextlib.suppress(OSError):
            f.unlink()
            n += 1
    return n


def _vacuum(project: Project) -> None:
    """Rewrite the database without the freed pages, and empty the write-ahead log."""
    if project.engine.dialect.name == "sqlite":
        project.engine.dispose()  # other pooled connections would keep old pages alive in the WAL
        with project.engine.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        project.engine.dispose()
    else:
        with project.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM FULL"))
