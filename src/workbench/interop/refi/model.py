"""Neutral REFI-QDA objects: what the reader builds and the bridge turns into workbench rows (and back).

GUIDs are kept normalised (lower case, no braces). Positions are the file's own numbers; the source's
`unit` says how to read them (see offsets.py). Nothing here knows about XML or the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class User:
    guid: str
    name: str | None = None
    id: str | None = None


@dataclass(slots=True)
class Code:
    guid: str
    name: str
    codable: bool = True
    color: str | None = None
    description: str | None = None
    note_refs: list[str] = field(default_factory=list)
    children: list[Code] = field(default_factory=list)
    line: int | None = None

    def walk(self, parent: Code | None = None):
        """(code, parent) for this code and its descendants, depth first."""
        yield self, parent
        for child in self.children:
            yield from child.walk(self)


@dataclass(slots=True)
class Variable:
    guid: str
    name: str
    type: str  # Text, Boolean, Integer, Float, Date, DateTime
    description: str | None = None


@dataclass(slots=True)
class VariableValue:
    variable: str  # GUID
    value: str | bool | int | float | date | datetime | None


@dataclass(slots=True)
class Case:
    guid: str
    name: str
    description: str | None = None
    values: list[VariableValue] = field(default_factory=list)
    source_refs: list[str] = field(default_factory=list)
    selection_refs: list[str] = field(default_factory=list)
    code_refs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Coding:
    guid: str
    code: str  # GUID
    creating_user: str | None = None
    created: datetime | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Selection:
    guid: str
    start: int
    end: int
    name: str | None = None
    creating_user: str | None = None
    created: datetime | None = None
    description: str | None = None
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass(slots=True)
class Source:
    """A text source (or a PDF's text representation); other media are kept only to report them."""

    guid: str
    name: str
    kind: str = "text"  # text, pdf, picture, audio, video
    plain_text_path: str | None = None
    rich_text_path: str | None = None
    content: str | None = None  # PlainTextContent, when the text is inline
    text: str | None = None  # the raw text (BOM removed), loaded by the reader
    description: str | None = None
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)  # whole-source codings
    note_refs: list[str] = field(default_factory=list)
    values: list[VariableValue] = field(default_factory=list)
    creating_user: str | None = None
    created: datetime | None = None
    other_selections: int = 0  # area / time selections the workbench cannot hold
    line: int | None = None
    offsets: Any = None  # the OffsetMap of `text`, set by the reader


@dataclass(slots=True)
class Note:
    guid: str
    name: str | None = None
    text: str = ""
    creating_user: str | None = None
    created: datetime | None = None
    selections: int = 0


@dataclass(slots=True)
class Link:
    guid: str
    origin: str | None
    target: str | None
    name: str | None = None
    direction: str | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Set:
    guid: str
    name: str
    description: str | None = None
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RefiProject:
    """A whole .qdpx (or a .qdc, with `codebook_only`)."""

    name: str
    origin: str | None = None
    creating_user: str | None = None
    created: datetime | None = None
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)  # top level; children nested
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    graphs: int = 0
    description: str | None = None
    note_refs: list[str] = field(default_factory=list)
    codebook_only: bool = False
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def all_codes(self) -> list[tuple[Code, Code | None]]:
        return [pair for top in self.codes for pair in top.walk()]
