"""Typed rows shared by every layer (no dependencies): what the store hands up and units are cut from."""

from __future__ import annotations

from typing import NamedTuple


class TurnSpan(NamedTuple):
    """A stored speaker turn as units need it (code-point offsets into the canonical text)."""

    seq: int
    speaker: str | None
    start: int
    end: int
    speech_start: int
    time_ms: int | None = None


class Unit(NamedTuple):
    """One unit of text: [start, end) in `document`, with the turn it lies in (if any)."""

    document: str
    unit: str
    start: int
    end: int
    speaker: str | None = None
    turn: int | None = None  # the turn's seq
    time_ms: int | None = None
