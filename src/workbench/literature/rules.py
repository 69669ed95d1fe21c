"""Inclusion criteria as named rules on a record's fields and attributes (year, education level, language).

A rule is a name, a decision, an optional reason, and `when`: field -> condition, all of which must hold.
A condition is a value (equal, case-insensitively), a list (one of them), or a mapping of operators:
`in`, `not_in`, `equals`, `min`, `max` (numbers, inclusive), `contains` (case-insensitive text), `missing`
(true: the field is empty). Rules are tried in order; the first that matches decides.

    {"name": "secondary only", "decision": "exclude", "when": {"education_level": "secondary"},
     "reason": "secondary education only"}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import SourceError, ValidationError

DECISIONS = ("include", "exclude", "maybe")
OPERATORS = ("in", "not_in", "equals", "min", "max", "contains", "missing")

__all__ = ["DECISIONS", "Rule", "check_decision", "load_rules", "parse_rules"]


def check_decision(decision: str, where: str | None = None) -> str:
    if decision not in DECISIONS:
        raise ValidationError(f"unknown decision {decision!r}", where=where,
                              fix="use " + ", ".join(repr(d) for d in DECISIONS))
    return decision


def _empty(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    return isinstance(value, str) and not value.strip()


def _same(a: Any, b: Any) -> bool:
    if _empty(a) or _empty(b):
        return False
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip().casefold() == str(b).strip().casefold()


def _number(value: Any) -> float | None:
    try:
        return None if _empty(value) else float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Rule:
    """A named inclusion or exclusion criterion (see the module's docstring for `when`)."""

    name: str
    decision: str
    when: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def __post_init__(self) -> None:
        where = f"rule {self.name!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationError("a rule needs a name", fix="give every rule a `name`")
        check_decision(self.decision, where)
        if not isinstance(self.when, Mapping) or not self.when:
            raise ValidationError("a rule needs at least one condition", where=where,
                                  fix="add `when: {field: value}`")
        for fld, cond in self.when.items():
            if isinstance(cond, Mapping):
                unknown = set(cond) - set(OPERATORS)
                if unknown:
                    raise ValidationError(f"unknown operator {sorted(unknown)[0]!r} for field {fld!r}", where=where,
                                          fix="use one of " + ", ".join(OPERATORS))

    @property
    def label(self) -> str:
        return self.reason or self.name

    def matches(self, record: Mapping[str, Any]) -> bool:
        return all(self._holds(record.get(fld), cond) for fld, cond in self.when.items())

    @staticmethod
    def _holds(value: Any, cond: Any) -> bool:
        if isinstance(cond, Mapping):
            return all(Rule._operator(value, op, arg) for op, arg in cond.items())
        if isinstance(cond, list | tuple | set):
            return any(_same(value, c) for c in cond)
        return _same(value, cond)

    @staticmethod
    def _operator(value: Any, op: str, arg: Any) -> bool:
        if op == "missing":
            return _empty(value) == bool(arg)
        if op == "equals":
            return _same(value, arg)
        if op == "in":
            return any(_same(value, a) for a in (arg if isinstance(arg, list | tuple | set) else [arg]))
        if op == "not_in":
            return not _empty(value) and not any(_same(value, a) for a in (
                arg if isinstance(arg, list | tuple | set) else [arg]))
        if op == "contains":
            return not _empty(value) and str(arg).casefold() in str(value).casefold()
        number = _number(value)
        if number is None:
            return False
        return number >= float(arg) if op == "min" else number <= float(arg)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "decision": self.decision, "when": dict(self.when), "reason": self.reason}


def parse_rules(rules: Iterable[Rule | Mapping[str, Any]], where: str | None = None) -> list[Rule]:
    """Rules from Rule objects or dicts; names must be unique."""
    out: list[Rule] = []
    for i, spec in enumerate(rules, 1):
        if isinstance(spec, Rule):
            out.append(spec)
            continue
        if not isinstance(spec, Mapping):
            raise ValidationError(f"rule {i} is not a mapping", where=where, fix="write each rule as name/decision/when")
        extra = set(spec) - {"name", "decision", "when", "reason"}
        if extra:
            raise ValidationError(f"rule {i} ({spec.get('name')!r}) has unknown keys {sorted(extra)}", where=where,
                                  fix="a rule has name, decision, when and reason")
        out.append(Rule(str(spec.get("name") or ""), str(spec.get("decision")), spec.get("when") or {},
                        spec.get("reason")))
    names = [r.name for r in out]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise ValidationError(f"two rules are named {dup!r}", where=where, fix="give every rule its own name")
    return out


def load_rules(path: str | Path) -> list[Rule]:
    """Rules from a YAML file: a list of rules, or a mapping with a `rules` list."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"cannot read the rules ({exc.strerror})", where=str(path)) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", where=str(path)) from exc
    if isinstance(data, Mapping):
        data = data.get("rules")
    if not isinstance(data, list):
        raise SourceError("no list of rules found", where=str(path), fix="write `rules:` followed by a list")
    return parse_rules(data, where=str(path))
