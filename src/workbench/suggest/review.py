"""Suggested codings: made by promoting a topic, decided by a researcher, never codings by themselves.

Every change is an action of its own event group whose `meta` holds the run id ({"run": id}): the
promotion (the new code and its suggestions), each accept (the suggestion's status and the coding, written
through `coding.bulk.add_codings`) and each reject. Undo works as for any action. A suggestion is decided
once; deciding it again is a ConflictError (undo the decision first).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..codebook.tree import Codebook
from ..coding.bulk import add_codings
from ..errors import ConflictError, NotFound, ValidationError
from ..store import suggest as store
from ..store.events import now
from ..store.queries import document_ids

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.topics import TopicRun
    from ..store.project import Project


def suggestions(project: Project, *, run: int | None = None, document: str | None = None,
                status: str | Iterable[str] | None = None, code: str | None = None) -> pd.DataFrame:
    """id, run, document, start, end, code, score, status, decided_by, decided_at, quote."""
    for s in [status] if isinstance(status, str) else list(status or []):
        if s not in store.STATUSES:
            raise ValidationError(f"unknown status {s!r}", where="status", fix=f"use {', '.join(store.STATUSES)}")
    with project.read() as conn:
        return store.suggestions_frame(conn, run=run, document=document, status=status, code=code)


def promote_topic(run: TopicRun, topic: int, code_id: str, label: str, *, parent: str | None = None,
                  actor: str = "researcher", min_probability: float = 0.0, **code_fields: Any) -> pd.DataFrame:
    """Create `code_id` and suggest it for every passage of `topic`, as one undoable action of `actor`."""
    project = run.project
    a = run.assignments
    if topic == -1:
        raise ValidationError("topic -1 holds the outliers, not a topic", where=f"topic run {run.id}",
                              fix="promote one of the numbered topics")
    if topic not in set(a["topic"]):
        raise NotFound(f"topic run {run.id} has no topic {topic}",
                       fix=f"its topics: {', '.join(str(t) for t in sorted(set(a['topic']) - {-1}))}")
    part = a[(a["topic"] == topic) & (a["probability"] >= min_probability)]
    if not len(part):
        raise ValidationError(f"no passage of topic {topic} reaches probability {min_probability}",
                              where=f"topic run {run.id}", fix="lower min_probability")
    with project.read() as conn:
        ids = document_ids(conn, set(part["document"]))
    gone = sorted(set(part["document"]) - set(ids))
    if gone:
        raise NotFound(f"documents of the run are no longer in the project: {', '.join(gone)}",
                       where=f"topic run {run.id}", fix="run the topic model again")
    meta = {"run": run.id, "topic": int(topic)}
    with project.transaction(actor, "topics.promote", meta=meta,
                             summary=f"promote topic {topic} of run {run.id} to code {code_id}") as tx:
        Codebook(project, actor).create(code_id, label, parent=parent, **code_fields)
        store.add_suggestions(tx, [{"run_id": run.id, "document_id": ids[d], "start": int(s), "end": int(e),
                                    "code_id": code_id, "score": float(p)}
                                   for d, s, e, p in zip(part["document"], part["start"], part["end"],
                                                         part["probability"], strict=True)])
    return suggestions(project, run=run.id, code=code_id)


def _pending(project: Project, ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = [int(i) for i in ([ids] if isinstance(ids, int) else ids)]
    if not ids:
        raise ValidationError("no suggestions given", fix="pass suggestion ids (see suggestions(project))")
    with project.read() as conn:
        rows = store.suggestion_rows(conn, ids)
    missing = sorted(set(ids) - {r["id"] for r in rows})
    if missing:
        raise NotFound(f"no suggestion {', '.join(map(str, missing))}", fix="see suggestions(project) for the ids")
    decided = [r for r in rows if r["status"] != "suggested"]
    if decided:
        r = decided[0]
        raise ConflictError(f"suggestion {r['id']} was {r['status']} already by {r['decided_by']}",
                            where=f"{r['document']} [{r['start']}, {r['end']}) {r['code_id']}",
                            fix=f"undo that decision first ({r['decided_by']}'s undo)")
    return rows


def _by_run(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["run_id"], []).append(r)
    return out


def accept(project: Project, ids: int | Iterable[int], *, actor: str = "researcher",
           coder: str | None = None) -> int:
    """Accept suggestions: each becomes a coding of `coder` (default: `actor`). One group per run."""
    rows = _pending(project, ids)
    added = 0
    for run_id, part in _by_run(rows).items():
        meta = {"run": run_id, "decision": "accept"}
        with project.transaction(actor, "suggestion.accept", meta=meta,
                                 summary=f"accept {len(part)} suggestions of run {run_id}") as tx:
            store.mark(tx, [r["id"] for r in part], "accepted", actor, now())
            added += add_codings(project, [{"document": r["document"], "start": r["start"], "end": r["end"],
                                            "code": r["code_id"]} for r in part],
                                 coder=coder or actor, actor=actor, action="suggestion.accept", meta=meta)
    return added


def reject(project: Project, ids: int | Iterable[int], *, actor: str = "researcher") -> int:
    """Reject suggestions (they stay, marked rejected, so the decision is visible). One group per run."""
    rows = _pending(project, ids)
    for run_id, part in _by_run(rows).items():
        with project.transaction(actor, "suggestion.reject", meta={"run": run_id, "decision": "reject"},
                                 summary=f"reject {len(part)} suggestions of run {run_id}") as tx:
            store.mark(tx, [r["id"] for r in part], "rejected", actor, now())
    return len(rows)


def decide(project: Project, suggestion: int, decision: str, *, actor: str = "researcher",
           coder: str | None = None) -> dict[str, Any]:
    """One decision ("accept" or "reject"), as the review widget sends it; returns the updated row."""
    if decision == "accept":
        accept(project, [suggestion], actor=actor, coder=coder)
    elif decision == "reject":
        reject(project, [suggestion], actor=actor)
    else:
        raise ValidationError(f"unknown decision {decision!r}", where=f"suggestion {suggestion}",
                              fix="use 'accept' or 'reject'")
    with project.read() as conn:
        return store.suggestion_rows(conn, [suggestion])[0]
