"""Adjudication: settle each disagreement between two coders into a consensus coding, one logged decision at a time.

A disagreement *item* is one stretch of one code in one document where the coders' (merged) spans overlap
or stand alone and are not identical. Each decision - accept A, accept B, both (their union), neither, or
an edited span - is written through the coding API as codings of the consensus coder (`consensus` by
default) in one transaction of the adjudicator, so it is one undoable event group whose `meta` records the
item, the decision and both coders' spans. The original coders' codings are never touched; deciding an item
again replaces the consensus codings of that code inside the item's extent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..coding.session import check_span, insert_coding
from ..errors import NotFound, ValidationError
from ..store.queries import document_codings
from ..store.schema import codings as codings_table
from .reliability import CONSENSUS, union_spans, universe

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

DECISIONS = ("a", "b", "both", "neither", "edit")
ACTION = "adjudication.decide"
Span = tuple[int, int]


@dataclass
class Item:
    """One disagreement: `spans[coder]` are that coder's merged spans of `code` inside [start, end)."""

    id: str
    document: str
    code: str
    label: str
    start: int
    end: int
    spans: dict[str, list[Span]]
    decision: str | None = None
    consensus: list[Span] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "document": self.document, "code": self.code, "label": self.label,
                "start": self.start, "end": self.end, "decision": self.decision,
                "spans": {c: [list(s) for s in v] for c, v in self.spans.items()},
                "consensus": [list(s) for s in self.consensus]}


def clusters(project: Project, coders: Iterable[str], code: str | None = None,
             documents: Iterable[str] | None = None) -> tuple[list[Item], list[Item]]:
    """(disagreements, agreements): every stretch where the coders' spans of a code overlap or stand alone."""
    coders = list(coders)
    u = universe(project, coders, None if code is None else [code], documents)
    disagree: list[Item] = []
    agree: list[Item] = []
    if not len(u.doc):
        return disagree, agree
    n_codes = len(u.codes)
    key = u.doc * n_codes + u.code
    ck, cs, ce = union_spans(key, u.start, u.end)  # cluster extents per (document, code)
    where = np.searchsorted(ck * (int(ce.max()) + 1) + cs, key * (int(ce.max()) + 1) + u.start, side="right") - 1
    members: dict[int, list[int]] = {}
    for i, w in enumerate(where.tolist()):
        members.setdefault(w, []).append(i)
    for w, idx in members.items():
        d, c = divmod(int(ck[w]), n_codes)
        present = [u.coders[r] for r in np.flatnonzero(u.present[d])]
        spans = {name: [] for name in present}
        for i in idx:
            spans[u.coders[u.coder[i]]].append((int(u.start[i]), int(u.end[i])))
        for v in spans.values():
            v.sort()
        name, code_id = u.doc_names[d], u.codes[c]
        item = Item(f"{name}:{code_id}:{int(cs[w])}-{int(ce[w])}", name, code_id, u.labels.get(code_id, code_id),
                    int(cs[w]), int(ce[w]), spans)
        same = all(v == spans[present[0]] for v in spans.values())
        (agree if same else disagree).append(item)
    order = lambda it: (it.document, it.start, it.end, it.code)  # noqa: E731
    return sorted(disagree, key=order), sorted(agree, key=order)


class Adjudication:
    """Walk through two coders' disagreements and decide each into the consensus coder's codings.

    >>> adj = Adjudication(project, ["coder-a", "coder-b"], actor="anna")   # doctest: +SKIP
    >>> adj.decide(adj.items[0], "a")                                      # doctest: +SKIP
    """

    def __init__(self, project: Project, coders: Iterable[str], *, consensus: str = CONSENSUS,
                 actor: str | None = None, code: str | None = None, documents: Iterable[str] | None = None):
        self.project = project
        self.coders = list(coders)
        if len(self.coders) != 2 or len(set(self.coders)) != 2:
            raise ValidationError(f"adjudication compares two coders, got {self.coders}", where="Adjudication(coders=...)",
                                  fix="name two different coders, e.g. ['coder-a', 'coder-b']")
        if consensus in self.coders:
            raise ValidationError(f"the consensus coder {consensus!r} is one of the compared coders",
                                  where="Adjudication(consensus=...)", fix="choose another name, e.g. 'consensus'")
        self.consensus = consensus
        self.actor = actor or consensus
        project._check_actor(self.actor)
        project._check_actor(consensus)
        self.code = code
        self.documents = None if documents is None else list(documents)
        self.items: list[Item] = []
        self.agreed: list[Item] = []
        self.refresh()

    def refresh(self) -> None:
        """Recompute the items from the coders' codings and mark the decisions already taken."""
        self.items, self.agreed = clusters(self.project, self.coders, self.code, self.documents)
        latest: dict[str, dict[str, Any]] = {}
        for row in self.decisions().itertuples():
            if not row.undone:
                latest[row.item] = {"decision": row.decision, "consensus": row.consensus}
        for item in self.items:
            if item.id in latest:
                item.decision = latest[item.id]["decision"]
                item.consensus = [tuple(s) for s in latest[item.id]["consensus"]]

    def item(self, key: Item | str | int) -> Item:
        if isinstance(key, Item):
            return key
        if isinstance(key, int) and not isinstance(key, bool):
            if not 0 <= key < len(self.items):
                raise NotFound(f"no disagreement number {key} (there are {len(self.items)})")
            return self.items[key]
        for it in self.items:
            if it.id == key:
                return it
        raise NotFound(f"no disagreement {key!r}", fix="see Adjudication.items for the ids")

    def proposal(self, item: Item, decision: str, start: int | None = None, end: int | None = None) -> list[Span]:
        """The consensus spans a decision would write (pure: nothing is stored)."""
        a, b = (item.spans.get(c, []) for c in self.coders)
        if decision in ("a", self.coders[0]):
            return list(a)
        if decision in ("b", self.coders[1]):
            return list(b)
        if decision == "both":
            merged = sorted(a + b)
            out: list[list[int]] = []
            for s, e in merged:
                if out and s <= out[-1][1]:
                    out[-1][1] = max(out[-1][1], e)
                else:
                    out.append([s, e])
            return [(s, e) for s, e in out]
        if decision == "neither":
            return []
        if decision == "edit":
            if start is None or end is None:
                raise ValidationError("an edited span needs start and end", where=f"item {item.id}",
                                      fix="give the consensus span's code-point offsets")
            return [(start, end)]
        raise ValidationError(f"unknown decision {decision!r}", where=f"item {item.id}",
                              fix=f"use one of {', '.join(DECISIONS)} (or a coder's name)")

    def decide(self, key: Item | str | int, decision: str, start: int | None = None, end: int | None = None,
               note: str | None = None) -> dict[str, Any]:
        """Write one decision as the consensus coder's codings; returns {item, decision, consensus, group}."""
        item = self.item(key)
        spans = self.proposal(item, decision, start, end)
        name = {self.coders[0]: "a", self.coders[1]: "b"}.get(decision, decision)
        summary = f"adjudication of {item.code} in {item.document} [{item.start}, {item.end}): {name}"
        meta = {"item": item.id, "document": item.document, "code": item.code, "decision": name,
                "coders": self.coders, "consensus_coder": self.consensus,
                "spans": {c: [list(s) for s in v] for c, v in item.spans.items()},
                "consensus": [list(s) for s in spans], "note": note}
        with self.project.transaction(self.actor, ACTION, summary=summary, meta=meta) as tx:
            group = tx.group()  # logged even when nothing is written ("neither")
            doc = self.project.document_row(item.document, tx.conn)
            for s, e in spans:
                check_span(doc["text"], s, e, f"item {item.id}")
            lo = min([item.start, *[s for s, _ in spans]])
            hi = max([item.end, *[e for _, e in spans]])
            removed = 0
            for cid, s, e, code, coder, _memo in document_codings(tx.conn, doc["id"]):
                if coder == self.consensus and code == item.code and s < hi and e > lo:
                    tx.delete(codings_table, {"id": cid})
                    removed += 1
            written = [insert_coding(tx, doc, s, e, item.code, self.consensus) for s, e in spans]
        item.decision, item.consensus = name, spans
        return {"item": item.id, "decision": name, "consensus": spans, "written": written, "removed": removed,
                "group": group}

    def copy_agreements(self) -> int:
        """Copy every stretch where the coders agree exactly into the consensus coder, as one logged action."""
        rows = [{"document": it.document, "start": s, "end": e, "code": it.code}
                for it in self.agreed for s, e in next(iter(it.spans.values()))]
        if not rows:
            return 0
        from ..coding.bulk import add_codings

        return add_codings(self.project, rows, coder=self.consensus, actor=self.actor, action="adjudication.agreed",
                           summary=f"copy {len(rows)} agreed codings of {' and '.join(self.coders)} to {self.consensus}")

    def decisions(self) -> pd.DataFrame:
        """The decision log: group, at, actor, item, document, code, decision, consensus, note, undone."""
        groups = self.project.groups(self.actor)
        cols = ["group", "at", "actor", "item", "document", "code", "decision", "consensus", "note", "undone"]
        undone: dict[int, bool] = {}
        rows = []
        for g in groups.itertuples():
            if g.action in ("undo", "redo") and g.undoes is not None and not pd.isna(g.undoes):
                undone[int(g.undoes)] = g.action == "undo"
            elif g.action == ACTION and isinstance(g.meta, dict) and g.meta.get("coders") == self.coders:
                m = g.meta
                rows.append({"group": int(g.id), "at": g.at, "actor": g.actor, "item": m.get("item"),
                             "document": m.get("document"), "code": m.get("code"), "decision": m.get("decision"),
                             "consensus": m.get("consensus", []), "note": m.get("note")})
        for r in rows:
            r["undone"] = undone.get(r["group"], False)
        return pd.DataFrame(rows, columns=cols)
