"""The codebook's plain-text form (YAML) for git review: strict validation with line numbers, and a
canonical writer so that the same codebook always gives the same bytes.

Format: `name`, `research_questions` (id, label, gloss) and a flat `codes` list in tree order, each code
naming its `parent` (a flat list keeps a move a one-line diff).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ValidationError

CODE_KEYS = ("id", "label", "gloss", "parent", "colour", "rq", "definition", "use_when", "not_when", "example",
             "keywords", "patterns", "codable")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,99}$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#888888"


@dataclass
class CodeSpec:
    id: str
    label: str
    parent: str | None = None
    gloss: str = ""
    colour: str = DEFAULT_COLOUR
    rq: list[str] = field(default_factory=list)
    definition: str = ""
    use_when: str = ""
    not_when: str = ""
    example: str = ""
    keywords: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    codable: bool = True
    line: int | None = None


@dataclass
class CodebookSpec:
    name: str
    research_questions: list[dict[str, str]]
    codes: list[CodeSpec]


class _LineLoader(yaml.SafeLoader):
    """Records the line of every mapping so errors can point into the file."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def parse(text: str, where: str = "codebook.yaml") -> CodebookSpec:
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationError(f"invalid YAML: {problem}", where=at,
                              fix="check indentation and quoting on that line") from exc
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise ValidationError("the file must be a mapping with a `codes:` list", where=f"{where}:1")
    rqs = []
    for rq in data.get("research_questions") or []:
        if not isinstance(rq, dict) or not rq.get("id") or not rq.get("label"):
            line = rq.get("__line__", 1) if isinstance(rq, dict) else 1
            raise ValidationError("a research question needs an id and a label", where=f"{where}:{line}")
        rqs.append({"id": str(rq["id"]), "label": str(rq["label"]), "gloss": str(rq.get("gloss") or "")})
    codes = []
    for raw in data["codes"]:
        if not isinstance(raw, dict):
            raise ValidationError("each entry under codes must be a mapping", where=where)
        line = raw.pop("__line__", None)
        unknown = set(raw) - set(CODE_KEYS)
        if unknown:
            raise ValidationError(f"unknown key(s) {', '.join(sorted(unknown))}", where=f"{where}:{line}",
                                  fix=f"allowed keys: {', '.join(CODE_KEYS)}")
        for key in ("id", "label"):
            if not raw.get(key):
                raise ValidationError(f"code without {key}", where=f"{where}:{line}")
        spec = CodeSpec(
            id=str(raw["id"]), label=str(raw["label"]), parent=None if raw.get("parent") is None else str(raw["parent"]),
            gloss=str(raw.get("gloss") or ""), colour=str(raw.get("colour") or DEFAULT_COLOUR),
            rq=[str(r) for r in raw.get("rq") or []], definition=str(raw.get("definition") or ""),
            use_when=str(raw.get("use_when") or ""), not_when=str(raw.get("not_when") or ""),
            example=str(raw.get("example") or ""), keywords=[str(k) for k in raw.get("keywords") or []],
            patterns=[str(p) for p in raw.get("patterns") or []], codable=bool(raw.get("codable", True)), line=line)
        codes.append(spec)
    book = CodebookSpec(str(data.get("name") or ""), rqs, codes)
    validate(book, where)
    return book


def validate(book: CodebookSpec, where: str = "codebook") -> None:
    """Unique ids, known parents, no cycles, labels unique among siblings, valid colours, RQs and patterns."""
    def at(c: CodeSpec) -> str:
        return f"{where}:{c.line}" if c.line else f"{where} (code {c.id})"

    rq_ids = {r["id"] for r in book.research_questions}
    by_id: dict[str, CodeSpec] = {}
    for c in book.codes:
        if not ID_RE.match(c.id):
            raise ValidationError(f"invalid code id {c.id!r}", where=at(c),
                                  fix="ids start with a letter and use letters, digits, '-', '_' or '.'")
        if c.id in by_id:
            raise ValidationError(f"duplicate code id {c.id!r} (first at line {by_id[c.id].line})", where=at(c),
                                  fix="give each code its own id")
        by_id[c.id] = c
        if not COLOUR_RE.match(c.colour):
            raise ValidationError(f"invalid colour {c.colour!r} for code {c.id!r}", where=at(c),
                                  fix="write colours as #rrggbb, e.g. '#1f77b4' (quoted)")
        for r in c.rq:
            if r not in rq_ids:
                raise ValidationError(f"code {c.id!r} links to unknown research question {r!r}", where=at(c),
                                      fix=f"use one of {', '.join(sorted(rq_ids)) or '(none defined)'}")
        for p in c.patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValidationError(f"invalid pattern {p!r} for code {c.id!r}: {exc}", where=at(c)) from None
    for c in book.codes:
        if c.parent is not None and c.parent not in by_id:
            raise ValidationError(f"code {c.id!r} has unknown parent {c.parent!r}", where=at(c),
                                  fix="add the parent code or correct the id")
    for c in book.codes:
        seen, node = [c.id], c
        while node.parent is not None:
            if node.parent in seen:
                chain = " -> ".join([*seen, node.parent])
                raise ValidationError(f"cycle in the hierarchy: {chain}", where=at(c),
                                      fix="a code cannot be its own ancestor; change one parent")
            seen.append(node.parent)
            node = by_id[node.parent]
    labels: dict[tuple[str | None, str], CodeSpec] = {}
    for c in book.codes:
        key = (c.parent, c.label.casefold())
        if key in labels:
            raise ValidationError(f"label {c.label!r} is used twice under {c.parent or 'the top level'} "
                                  f"(codes {labels[key].id!r} and {c.id!r})", where=at(c),
                                  fix="labels must be unique among siblings; rename one")
        labels[key] = c


def load(path: str | Path) -> CodebookSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not UTF-8 (byte {exc.start})", where=str(path), fix="save the file as UTF-8") from exc
    return parse(text, str(path))


def code_to_dict(c: CodeSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "label": c.label, "gloss": c.gloss, "parent": c.parent, "colour": c.colour,
                           "rq": list(c.rq), "definition": c.definition, "use_when": c.use_when,
                           "not_when": c.not_when, "example": c.example}
    if c.keywords:
        out["keywords"] = list(c.keywords)
    if c.patterns:
        out["patterns"] = list(c.patterns)
    if not c.codable:
        out["codable"] = False
    return out


def dumps(book: CodebookSpec) -> str:
    """Canonical YAML: fixed key order, tree order, 100-column folding, UTF-8 (no escapes)."""
    data = {"name": book.name, "research_questions": [dict(r) for r in book.research_questions],
            "codes": [code_to_dict(c) for c in book.codes]}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
