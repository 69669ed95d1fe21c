"""The codebook's plain-text form (YAML) for git review: strict validation with line numbers, and a
canonical writer so that the same codebook always gives the same bytes.

Format: `name`, `research_questions` (id, label, gloss) and a flat `codes` list in tree order, each code
naming its `parent` (a flat list keeps a move a one-line diff).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..corpus import safeyaml
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
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class CodebookSpec:
    name: str
    research_questions: list[dict[str, str]]
    codes: list[CodeSpec]


TOP_KEYS = ("name", "research_questions", "codes")
RQ_KEYS = ("id", "label", "gloss")
_TEXT_FIELDS = ("gloss", "definition", "use_when", "not_when", "example")
_LIST_FIELDS = ("rq", "keywords", "patterns")


class CodebookWarning(UserWarning):
    """A codebook change that is allowed but probably not meant (e.g. a coded code became a folder)."""


class _LineLoader(safeyaml.LimitedLoader):
    """Records the line of every mapping and of each of its keys, so errors point at the right line."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        lines = {}
        for key_node, _ in node.value:
            with contextlib.suppress(TypeError):  # an unhashable key; the mapping itself refused it
                lines[self.construct_object(key_node)] = key_node.start_mark.line + 1
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = lines
        return mapping


class _Fields:
    """Typed access to one mapping of the file; every error names the line of the key at fault."""

    def __init__(self, raw: dict, where: str, what: str):
        self.line = raw.pop("__line__", None)
        self.lines = raw.pop("__lines__", {})
        self.raw, self.where, self.what = raw, where, what

    def at(self, key: str | None = None) -> str:
        line = self.lines.get(key, self.line) if key is not None else self.line
        return f"{self.where}:{line}" if line else self.where

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        unknown = [k for k in self.raw if k not in allowed]
        if unknown:
            first = min(unknown, key=lambda k: self.lines.get(k, 0))
            raise ValidationError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))} in {self.what}",
                                  where=self.at(first), fix=f"allowed keys: {', '.join(allowed)}")
        for key, value in self.raw.items():
            bad = safeyaml.find_surrogate(value)
            if bad:
                raise ValidationError(f"{key} contains a lone surrogate ({bad}), which is not text",
                                      where=self.at(key), fix="remove the \\ud800-style escape")

    def text(self, key: str, required: bool = False) -> str:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                raise ValidationError(f"{self.what} without {key}", where=self.at(key if key in self.raw else None))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValidationError(f"{key} must be a text, got {type(value).__name__} {value!r}",
                                  where=self.at(key), fix="quote the value: key: 'text'")
        return str(value)

    def texts(self, key: str) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            example = value if isinstance(value, str) else "a, b"
            raise ValidationError(f"{key} must be a list, got {type(value).__name__} {value!r}",
                                  where=self.at(key), fix=f"write a list: {key}: [{example}]")
        for v in value:
            if isinstance(v, bool) or not isinstance(v, str | int | float):
                raise ValidationError(f"{key} must be a list of texts, got {v!r} inside it", where=self.at(key),
                                      fix="quote each item; nested lists are not allowed")
        return [str(v) for v in value]


def _load_yaml(text: str, where: str) -> Any:
    try:
        return safeyaml.load(text, _LineLoader)
    except safeyaml.YamlLimitError as exc:
        raise ValidationError(f"refused: {exc}", where=where, fix="write the codebook without YAML aliases") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationError(f"invalid YAML: {problem}", where=at,
                              fix="check indentation and quoting on that line") from exc


def _code(raw: dict, where: str) -> CodeSpec:
    f = _Fields(raw, where, "a code")
    f.check_keys(CODE_KEYS)
    cid = f.text("id", required=True)
    label = f.text("label", required=True)
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise ValidationError(f"parent must be a code id, got {parent!r}", where=f.at("parent"))
    if "colour" in raw and raw["colour"] is None:
        raise ValidationError("colour is empty: an unquoted # starts a YAML comment", where=f.at("colour"),
                              fix="quote the colour: colour: '#e74c3c'")
    codable = raw.get("codable", True)
    if not isinstance(codable, bool):
        raise ValidationError(f"codable must be true or false, got {codable!r}", where=f.at("codable"),
                              fix="write codable: false (without quotes)")
    fields = {k: f.text(k) for k in _TEXT_FIELDS}
    lists = {k: f.texts(k) for k in _LIST_FIELDS}
    return CodeSpec(id=cid, label=label, parent=parent, colour=f.text("colour") or DEFAULT_COLOUR,
                    codable=codable, line=f.line, field_lines=dict(f.lines), **fields, **lists)


def parse(text: str, where: str = "codebook.yaml") -> CodebookSpec:
    """Read and validate a codebook file; every error names the file and line and says how to fix it."""
    data = _load_yaml(text, where)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise ValidationError("the file must be a mapping with a `codes:` list", where=f"{where}:1")
    top = _Fields(data, where, "the file")
    for key in data:
        if key not in TOP_KEYS:
            raise ValidationError(f"unknown top-level key {key!r}", where=top.at(key),
                                  fix=f"the top level has {', '.join(TOP_KEYS)}")
    rqs = []
    raw_rqs = data.get("research_questions") or []
    if not isinstance(raw_rqs, list):
        raise ValidationError("research_questions must be a list", where=top.at("research_questions"))
    for rq in raw_rqs:
        if not isinstance(rq, dict):
            raise ValidationError("a research question needs an id and a label",
                                  where=top.at("research_questions"))
        f = _Fields(rq, where, "a research question")
        f.check_keys(RQ_KEYS)
        rqs.append({"id": f.text("id", required=True), "label": f.text("label", required=True),
                    "gloss": f.text("gloss")})
    codes = []
    for raw in data["codes"]:
        if not isinstance(raw, dict):
            raise ValidationError("each entry under codes must be a mapping", where=top.at("codes"))
        codes.append(_code(raw, where))
    name = top.text("name")
    if safeyaml.find_surrogate(name):
        raise ValidationError("name contains a lone surrogate", where=top.at("name"))
    book = CodebookSpec(name, rqs, codes)
    validate(book, where)
    return book


def compile_pattern(p: str) -> re.Pattern:
    """A codebook pattern as auto-coding uses it: inside `(?:...)`, so global flags cannot work."""
    return re.compile(f"(?:{p})", re.IGNORECASE)


def validate(book: CodebookSpec, where: str = "codebook") -> None:
    """Unique ids, known parents, no cycles, labels unique among siblings, valid colours, RQs and patterns."""
    def at(c: CodeSpec, key: str | None = None) -> str:
        line = c.field_lines.get(key, c.line) if key else c.line
        return f"{where}:{line}" if line else f"{where} (code {c.id})"

    rq_ids = {r["id"] for r in book.research_questions}
    by_id: dict[str, CodeSpec] = {}
    for c in book.codes:
        if not ID_RE.match(c.id):
            raise ValidationError(f"invalid code id {c.id!r}", where=at(c, "id"),
                                  fix="ids start with a letter and use letters, digits, '-', '_' or '.'")
        if c.id in by_id:
            raise ValidationError(f"duplicate code id {c.id!r} (first at line {by_id[c.id].line})", where=at(c),
                                  fix="give each code its own id")
        by_id[c.id] = c
        if not COLOUR_RE.match(c.colour):
            raise ValidationError(f"invalid colour {c.colour!r} for code {c.id!r}", where=at(c, "colour"),
                                  fix="write colours as #rrggbb, e.g. '#1f77b4' (quoted)")
        for r in c.rq:
            if r not in rq_ids:
                raise ValidationError(f"code {c.id!r} links to unknown research question {r!r}", where=at(c, "rq"),
                                      fix=f"use one of {', '.join(sorted(rq_ids)) or '(none defined)'}")
        for p in c.patterns:
            try:
                compile_pattern(p)
            except re.error as exc:
                fix = None
                if "global flags" in str(exc):
                    fix = ("write a scoped flag such as (?i:...) around the part it applies to; patterns "
                           "ignore case by default")
                raise ValidationError(f"invalid pattern {p!r} for code {c.id!r}: {exc}", where=at(c, "patterns"),
                                      fix=fix) from None
    for c in book.codes:
        if c.parent is not None and c.parent not in by_id:
            raise ValidationError(f"code {c.id!r} has unknown parent {c.parent!r}", where=at(c, "parent"),
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
                                  f"(codes {labels[key].id!r} and {c.id!r})", where=at(c, "label"),
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
