"""Screening literature records: include, exclude or maybe, by hand or by named rules, by one or two screeners.

Every decision is a row of `screening` (document, screener, stage, decision, reason, rule, decided) written
in a logged, undoable transaction of the screener. Stage `screen` holds each screener's own call; stage
`final` settles a record when two screeners disagree (`resolve`). A record's status (`screening_status`):
its final decision if there is one, else the decision all its screeners agree on, else `conflict`; with no
decision it is `unscreened`. Excluded records stay in the project with their reason; included ones are
ordinary documents for coding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..errors import NotFound, ValidationError
from ..store.events import now
from ..store.literature import literature_document, literature_values, screening_frame, screening_rows
from ..store.project import Project
from ..store.queries import document_ids
from ..store.schema import screening
from ..store.values import parse_value
from .rules import Rule, check_decision, parse_rules

__all__ = ["Screening", "record_fields", "screening_agreement", "screening_decisions", "screening_status"]

STATUS_COLUMNS = ["record", "status", "reason", "rule", "decided_by", "screeners"]


_DTYPES = {"integer": "Int64", "float": "Float64", "boolean": "boolean", "text": "string"}


def record_fields(project: Project) -> pd.DataFrame:
    """Every literature record with its fields and attributes, typed (one row per record, indexed by name)."""
    with project.read() as conn:
        names, values = literature_values(conn)
    columns: dict[str, dict[str, Any]] = {}
    types: dict[str, str] = {}
    for doc, attr, typ, value in values:
        columns.setdefault(attr, {})[doc] = parse_value(value, typ)
        types[attr] = typ
    frame = pd.DataFrame(index=pd.Index(names, name="document"))
    for attr in sorted(columns):
        frame[attr] = pd.Series(columns[attr], dtype="object").reindex(frame.index).astype(
            _DTYPES.get(types[attr], "object"))
    return frame


def _record_dicts(project: Project) -> dict[str, dict[str, Any]]:
    frame = record_fields(project)
    return {name: {k: (None if pd.isna(v) else v) for k, v in row.items()} for name, row in frame.iterrows()}


class Screening:
    """One screener's decisions on the literature records of a project."""

    def __init__(self, project: Project, screener: str):
        project._check_actor(screener)
        self.project = project
        self.screener = screener

    def __repr__(self) -> str:
        return f"Screening({self.project.name!r}, {self.screener!r})"

    # ---- decisions -----------------------------------------------------------------------------
    def decide(self, record: str, decision: str, reason: str | None = None, *, rule: str | None = None
               ) -> dict[str, Any]:
        """Include, exclude or maybe one record (replacing this screener's earlier call); one undoable action."""
        return self._write(record, decision, reason, rule, "screen")

    def resolve(self, record: str, decision: str, reason: str | None = None) -> dict[str, Any]:
        """Settle a record (e.g. after two screeners disagreed): the final decision, whatever they said."""
        return self._write(record, decision, reason, None, "final")

    def undecide(self, record: str) -> bool:
        """Withdraw this screener's call on a record; False if there was none."""
        doc = self._record(record)
        key = {"document_id": doc["id"], "screener": self.screener, "stage": "screen"}
        with self.project.transaction(self.screener, "screening.undecide", summary=f"withdraw decision on {record}") as tx:
            if tx.get(screening, key) is None:
                return False
            tx.delete(screening, key)
        return True

    def _write(self, record: str, decision: str, reason: str | None, rule: str | None, stage: str
               ) -> dict[str, Any]:
        check_decision(decision, where=f"record {record!r}")
        reason = reason.strip() or None if isinstance(reason, str) else reason
        doc = self._record(record)
        key = {"document_id": doc["id"], "screener": self.screener, "stage": stage}
        values = {"decision": decision, "reason": reason, "rule": rule, "decided": now()}
        verb = "resolve" if stage == "final" else decision
        with self.project.transaction(self.screener, f"screening.{'resolve' if stage == 'final' else 'decide'}",
                                      summary=f"{verb} {record}") as tx:
            if tx.get(screening, key) is None:
                tx.insert(screening, {**key, **values})
            else:
                tx.update(screening, key, **values)
        return {"record": record, "screener": self.screener, "stage": stage, **values}

    def _record(self, record: str) -> dict[str, Any]:
        with self.project.read() as conn:
            doc = literature_document(conn, record)
        if doc is None:
            raise NotFound(f"no literature record {record!r}", where=f"project {self.project.name!r}",
                           fix="see wb.record_fields(project).index for the names")
        if doc["kind"] != "literature":
            raise ValidationError(f"{record!r} is not a literature record (its kind is {doc['kind']})",
                                  fix="screen literature documents only")
        return doc

    # ---- rules ---------------------------------------------------------------------------------
    def apply_rules(self, rules: Iterable[Rule | Mapping[str, Any]], *, records: Iterable[str] | None = None,
                    overwrite: bool = False) -> pd.DataFrame:
        """Decide every record the first matching rule covers, in one undoable action.

        Records this screener already decided are left alone unless `overwrite`. A field no record has is
        an error (a misspelt criterion would otherwise silently match nothing). Returns record, decision,
        rule, reason, matched (every rule that matched) for the records decided now.
        """
        parsed = parse_rules(rules)
        fields = _record_dicts(self.project)
        known = set().union(*(f.keys() for f in fields.values())) if fields else set()
        for r in parsed:
            missing = [f for f in r.when if f not in known]
            if missing and fields:
                raise ValidationError(f"no record has the field {missing[0]!r}", where=f"rule {r.name!r}",
                                      fix="fields here: " + ", ".join(sorted(known)))
        names = list(fields) if records is None else list(records)
        unknown = [n for n in names if n not in fields]
        if unknown:
            raise NotFound(f"no literature record {unknown[0]!r}", fix="see wb.record_fields(project).index")
        with self.project.read() as conn:
            mine = screening_frame(conn, self.screener)
        done = set(mine.loc[mine["stage"] == "screen", "document"])
        rows = []
        for name in names:
            if name in done and not overwrite:
                continue
            matched = [r for r in parsed if r.matches(fields[name])]
            if matched:
                rows.append({"record": name, "decision": matched[0].decision, "rule": matched[0].name,
                             "reason": matched[0].label, "matched": [r.name for r in matched]})
        if rows:
            with self.project.transaction(self.screener, "screening.rules",
                                          summary=f"{len(rows)} records decided by rules") as tx:
                ids = document_ids(tx.conn, [r["record"] for r in rows])
                existing = screening_rows(tx.conn, self.screener, "screen")
                stamp = now()
                fresh = []
                for row in rows:
                    key = {"document_id": ids[row["record"]], "screener": self.screener, "stage": "screen"}
                    values = {"decision": row["decision"], "reason": row["reason"], "rule": row["rule"],
                              "decided": stamp}
                    if key["document_id"] in existing:
                        tx.update(screening, key, **values)
                    else:
                        fresh.append({**key, **values})
                tx.insert_many(screening, fresh)
        return pd.DataFrame(rows, columns=["record", "decision", "rule", "reason", "matched"])

    def matched_rules(self, record: str, rules: Iterable[Rule | Mapping[str, Any]]) -> list[Rule]:
        """The rules a record matches, in order (what the screening view shows beside it)."""
        fields = _record_dicts(self.project)
        if record not in fields:
            raise NotFound(f"no literature record {record!r}", fix="see wb.record_fields(project).index")
        return [r for r in parse_rules(rules) if r.matches(fields[record])]

    # ---- reading -------------------------------------------------------------------------------
    def decisions(self) -> pd.DataFrame:
        """This screener's decisions, one row per record."""
        with self.project.read() as conn:
            return screening_frame(conn, self.screener)

    def pending(self) -> list[str]:
        """Records this screener has not decided yet, in name order."""
        done = set(self.decisions().query("stage == 'screen'")["document"])
        return [n for n in record_fields(self.project).index if n not in done]

    def undo(self) -> dict[str, Any]:
        """Undo this screener's last screening action (a decision or a whole rule run)."""
        return self.project.undo_step(self.screener)


def screening_decisions(project: Project) -> pd.DataFrame:
    """Every decision of every screener: document, screener, stage, decision, reason, rule, decided."""
    with project.read() as conn:
        return screening_frame(conn)


def screening_status(project: Project) -> pd.DataFrame:
    """One row per literature record: status (include, exclude, maybe, conflict, unscreened), the reason and
    rule that carry it, who decided, and each screener's own call (a column per screener)."""
    with project.read() as conn:
        records, _ = literature_values(conn)
    decisions = screening_decisions(project)
    screeners = sorted(decisions.loc[decisions["stage"] == "screen", "screener"].unique())
    calls: dict[str, dict[str, dict[str, Any]]] = {}
    final: dict[str, dict[str, Any]] = {}
    for d in decisions.to_dict("records"):
        d = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in d.items()}
        if d["stage"] == "final":
            final[d["document"]] = d
        else:
            calls.setdefault(d["document"], {})[d["screener"]] = d
    rows = []
    for name in records:
        mine = calls.get(name, {})
        row: dict[str, Any] = {"record": name, "screeners": len(mine),
                               **{s: mine[s]["decision"] if s in mine else None for s in screeners}}
        ordered = [mine[s] for s in sorted(mine)]
        if name in final:
            f = final[name]
            row.update(status=f["decision"], reason=f["reason"], rule=None, decided_by=f["screener"])
        elif not ordered:
            row.update(status="unscreened", reason=None, rule=None, decided_by=None)
        elif len({d["decision"] for d in ordered}) == 1:
            reasons = [d["reason"] for d in ordered if d["reason"]]
            row.update(status=ordered[0]["decision"], reason=reasons[0] if reasons else None,
                       rule=ordered[0]["rule"], decided_by=", ".join(sorted(mine)))
        else:
            row.update(status="conflict", reason=None, rule=None, decided_by=None)
        rows.append(row)
    return pd.DataFrame(rows, columns=STATUS_COLUMNS + screeners)


def _kappa(a: Sequence[int], b: Sequence[int]) -> tuple[float | None, str, str | None]:
    """(kappa, method, reason when undefined): the agreement module's pure cohen_kappa when it is there."""
    try:
        from ..analysis.agreement import cohen_kappa  # another feature's module; may not exist yet
    except ImportError:
        cohen_kappa = None
    if cohen_kappa is not None:
        value = cohen_kappa(list(a), list(b))
        number = getattr(value, "value", value)
        try:
            return float(number), "workbench.analysis.agreement.cohen_kappa", None
        except (TypeError, ValueError):
            return None, "workbench.analysis.agreement.cohen_kappa", str(getattr(value, "reason", value))
    if len(set(a) | set(b)) < 2:
        return None, "sklearn.metrics.cohen_kappa_score", "no variation: both screeners made the same call throughout"
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b)), "sklearn.metrics.cohen_kappa_score", None


def screening_agreement(project: Project, screeners: Sequence[str] | None = None) -> dict[str, Any]:
    """Agreement of two screeners on *include* (yes/no per record both decided): the unit is the document.

    Returns records, agreed, percent_agreement, cohen_kappa (None with `reason` when undefined), method,
    and the records they disagree on.
    """
    decisions = screening_decisions(project)
    screen = decisions[decisions["stage"] == "screen"]
    chosen = list(screeners) if screeners is not None else sorted(screen["screener"].unique())
    if len(chosen) != 2:
        raise ValidationError(f"agreement needs two screeners, got {len(chosen)}: {chosen}",
                              fix="pass screeners=('a', 'b')")
    wide = screen.pivot_table(index="document", columns="screener", values="decision", aggfunc="first")
    missing = [s for s in chosen if s not in wide.columns]
    if missing:
        raise NotFound(f"screener {missing[0]!r} has no decisions", fix="check the screener names")
    both = wide[chosen].dropna()
    a = [int(v == "include") for v in both[chosen[0]]]
    b = [int(v == "include") for v in both[chosen[1]]]
    agreed = sum(x == y for x, y in zip(a, b, strict=True))
    kappa, method, reason = _kappa(a, b) if a else (None, "none", "no record decided by both")
    return {"screeners": chosen, "unit": "document", "records": len(a), "agreed": agreed,
            "percent_agreement": agreed / len(a) * 100 if a else None, "cohen_kappa": kappa,
            "method": method, "reason": reason,
            "disagreements": [n for n, x, y in zip(both.index, a, b, strict=True) if x != y]}
