"""What an importer hands to the store: canonical text plus structure, before it has an id."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

KINDS = ("interview", "literature", "other")


class Turn(NamedTuple):
    """A speaker turn: [start, end) spans the whole paragraph, speech_start skips the `[t] Name: ` prefix.

    Immutable; a named tuple rather than a frozen dataclass because a long transcript has hundreds.
    """

    start: int
    end: int
    speech_start: int
    speaker: str | None = None
    time_ms: int | None = None
    end_time_ms: int | None = None


@dataclass
class ImportedDocument:
    name: str
    kind: str
    text: str
    source_format: str
    turns: list[Turn] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)  # document-scope attributes (bibliographic fields)
    meta: dict[str, Any] = field(default_factory=dict)  # front matter, notes, warnings
    case: str | None = None
    encoding: str | None = None
    kind_given: bool = False  # the file said which kind (front matter): a batch's --kind does not override it
    notes: list[str] = field(default_factory=list)  # what the batch report should say (not stored)


def relative_source(path: Path, root: Path) -> str:
    """A source file's path as stored: relative to the project folder (so the project can move), with
    forward slashes; undecodable bytes of a file name written as escapes."""
    try:
        rel = os.path.relpath(Path(path).resolve(), Path(root).resolve())
    except ValueError:  # another drive (Windows): no relative path exists
        rel = str(Path(path).resolve())
    return Path(rel).as_posix().encode("utf-8", "backslashreplace").decode("utf-8")
