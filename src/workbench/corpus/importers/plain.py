"""Plain text and Markdown, with optional YAML front matter and speaker-turn detection."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ...errors import SourceError
from .. import safeyaml
from ..document import KINDS, ImportedDocument
from ..text import read_text_file
from ..transcript import looks_like_transcript, parse_turns

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


def _jsonable(value: Any) -> Any:
    """YAML gives dates, datetimes and odd keys; the stored meta is JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def split_front_matter(text: str, where: Path) -> tuple[dict[str, Any], str]:
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        data = safeyaml.load(m.group(1) or "") or {}
    except safeyaml.YamlLimitError as exc:
        raise SourceError(f"refused front matter: {exc}", where=f"{where}:2",
                          fix="write the front matter without YAML aliases (&name / *name)") from None
    except yaml.YAMLError as exc:
        # where the broken construct starts (an unclosed [ or {), else where the parser gave up
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = getattr(mark, "line", None)
        at = f"{where}:{line + 2}" if line is not None else str(where)
        raise SourceError(f"invalid front matter: {getattr(exc, 'problem', exc)}", where=at,
                          fix="fix the YAML between the --- lines") from exc
    if not isinstance(data, dict):
        raise SourceError("front matter must be a mapping of key: value", where=f"{where}:2")
    return data, text[m.end():]


def from_text(text: str, path: Path, fmt: str, encoding: str | None,
              default_kind: str | None = None) -> ImportedDocument:
    meta, body = split_front_matter(text, path)
    given = bool(meta.get("kind"))
    if not body or body.isspace():
        raise SourceError("no text after the front matter" if meta else "the file has no text", where=str(path))
    body = body.strip("\n") + "\n"
    turns = parse_turns(body)
    transcript = looks_like_transcript(body, turns)
    kind = str(meta.get("kind") or default_kind or ("interview" if transcript else "other"))
    if kind not in KINDS:
        raise SourceError(f"unknown kind {kind!r} in front matter", where=f"{path}:2",
                          fix=f"use one of {', '.join(KINDS)}")
    name = str(meta.get("id") or meta.get("name") or path.stem)
    notes = []
    labelled = sum(1 for t in turns if t.speaker)
    if kind == "other" and not given and default_kind is None and labelled:
        notes.append(f"{labelled} speaker turn{'s' if labelled != 1 else ''} found, too few or too mixed for "
                     "a transcript: imported as other (import with --kind interview to keep the turns)")
    case = meta.get("case")
    if case is None and kind == "interview":
        case = name
    return ImportedDocument(
        name=name, kind=kind, text=body, source_format=fmt, turns=turns if transcript else [],
        meta=_jsonable({k: v for k, v in meta.items() if k not in ("id", "name", "kind", "case")}),
        case=str(case) if case is not None else None, encoding=encoding, kind_given=given, notes=notes)


def read(path: Path, encoding: str | None = None) -> list[ImportedDocument]:
    text, used = read_text_file(path, encoding)
    fmt = "md" if path.suffix.lower() in (".md", ".markdown") else "txt"
    return [from_text(text, path, fmt, used)]
