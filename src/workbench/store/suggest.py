"""Queries for topic models and suggested codings: the embedding cache and the `suggestions` table.

The cache is not history: its rows are written on a connection of their own, outside any event group
(as runs are). Suggestions *are* decisions, so their rows change only through `Tx` (logged, undoable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from .events import Tx
from .schema import documents, embeddings, suggestions

_CHUNK = 400  # keys per IN (...) list: well under every backend's parameter limit
STATUSES = ("suggested", "accepted", "rejected")


# ---- the embedding cache -------------------------------------------------------------------------------
def cached_vectors(conn: Connection, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    """hash -> vector for the hashes the cache holds for `model`."""
    out: dict[str, np.ndarray] = {}
    wanted = list(dict.fromkeys(hashes))
    c = embeddings.c
    for at in range(0, len(wanted), _CHUNK):
        q = select(c.hash, c.dim, c.vector).where(c.model == model, c.hash.in_(wanted[at:at + _CHUNK]))
        for h, dim, blob in conn.execute(q):
            vec = np.frombuffer(blob, dtype="<f4")
            if vec.shape[0] == dim:
                out[h] = vec
    return out


def store_vectors(conn: Connection, model: str, items: dict[str, np.ndarray]) -> int:
    """Add vectors for `model` (hashes already cached are left as they are); returns how many were new."""
    if not items:
        return 0
    have = set(cached_vectors(conn, model, list(items)))
    rows = [{"hash": h, "model": model, "dim": int(v.shape[0]), "vector": np.asarray(v, dtype="<f4").tobytes()}
            for h, v in items.items() if h not in have]
    for at in range(0, len(rows), _CHUNK):
        conn.execute(insert(embeddings), rows[at:at + _CHUNK])
    return len(rows)


def cache_summary(conn: Connection) -> pd.DataFrame:
    """model, vectors, dim: what the cache holds."""
    c = embeddings.c
    rows = conn.execute(select(c.model, func.count().label("vectors"), func.max(c.dim).label("dim"))
                        .group_by(c.model).order_by(c.model)).mappings().all()
    return pd.DataFrame(rows, columns=["model", "vectors", "dim"])


def clear_cache(conn: Connection, model: str | None = None) -> int:
    q = delete(embeddings)
    if model is not None:
        q = q.where(embeddings.c.model == model)
    return conn.execute(q).rowcount or 0


# ---- suggestions -----------------------------------------------------------------------------------------
def add_suggestions(tx: Tx, rows: Iterable[dict[str, Any]]) -> int:
    """Insert suggestion rows (run_id, document_id, start, end, code_id, score) not there yet, logged."""
    rows = list(rows)
    if not rows:
        return 0
    c = suggestions.c
    keys = {(r["document_id"], r["start"], r["end"], r["code_id"]) for r in rows}
    have: set[tuple] = set()
    for run_id in {r["run_id"] for r in rows}:
        q = select(c.document_id, c.start, c.end, c.code_id).where(c.run_id == run_id)
        have |= {(run_id, *tuple(k)) for k in tx.conn.execute(q) if tuple(k) in keys}
    new = [{**r, "status": "suggested", "decided_by": None, "decided_at": None} for r in rows
           if (r["run_id"], r["document_id"], r["start"], r["end"], r["code_id"]) not in have]
    tx.insert_many(suggestions, new)
    return len(new)


def suggestion_rows(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The suggestions with these ids (with the document's name), in id order."""
    out: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(int(i) for i in ids))
    for at in range(0, len(ids), _CHUNK):
        q = (select(suggestions, documents.c.name.label("document"))
             .select_from(suggestions.join(documents))
             .where(suggestions.c.id.in_(ids[at:at + _CHUNK])))
        out.extend(dict(r) for r in conn.execute(q).mappings())
    return sorted(out, key=lambda r: r["id"])


def suggestions_frame(conn: Connection, *, run: int | None = None, document: str | None = None,
                      status: str | Iterable[str] | None = None, code: str | None = None) -> pd.DataFrame:
    """id, run, document, start, end, code, score, status, decided_by, decided_at, quote - in reading order."""
    s = suggestions.c
    q = (select(s.id, s.run_id.label("run"), documents.c.name.label("document"), s.start, s.end,
                s.code_id.label("code"), s.score, s.status, s.decided_by, s.decided_at,
                func.substr(documents.c.text, s.start + 1, s.end - s.start).label("quote"))
         .select_from(suggestions.join(documents))
         .order_by(documents.c.name, s.start, s.end, s.code_id, s.id))
    if run is not None:
        q = q.where(s.run_id == run)
    if document is not None:
        q = q.where(documents.c.name == document)
    if code is not None:
        q = q.where(s.code_id == code)
    if status is not None:
        q = q.where(s.status.in_([status] if isinstance(status, str) else list(status)))
    result = conn.execute(q)
    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


def mark(tx: Tx, ids: Iterable[int], status: str, actor: str, at: Any) -> None:
    """Set the status of suggestions (logged in `tx`'s group, so undo restores the previous status)."""
    for i in ids:
        tx.update(suggestions, {"id": int(i)}, status=status, decided_by=actor, decided_at=at)
