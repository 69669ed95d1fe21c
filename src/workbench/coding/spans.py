"""Pure span arithmetic on canonical text: snapping to words and the units researchers code by.

All spans are half-open [start, end) code-point offsets.
"""

from __future__ import annotations

import re

from ..corpus.units import paragraphs, sentences, trim  # noqa: F401 - re-exported

Span = tuple[int, int]

_WORD = re.compile(r"\w", re.UNICODE)


def _is_word(ch: str) -> bool:
    return bool(_WORD.match(ch)) or ch in "'’-"


def snap_to_words(text: str, start: int, end: int) -> Span:
    """Widen a selection to whole words and trim surrounding whitespace (what a mouse selection means)."""
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while start > 0 and _is_word(text[start - 1]) and start < len(text) and _is_word(text[start]):
        start -= 1
    while end < len(text) and end > 0 and _is_word(text[end]) and _is_word(text[end - 1]):
        end += 1
    return start, end


def unit_spans(text: str, unit: str, speech: list[Span] | None = None) -> list[Span]:
    """Sentences, paragraphs or turns of a text. In a transcript (`speech` = each turn's speech span)
    units never include the `[00:01:02] Name:` prefix and never cross a turn."""
    if unit == "turn":
        return list(speech or [])
    split = sentences if unit == "sentence" else paragraphs
    if not speech:
        return split(text)
    return [u for s, e in speech for u in split(text, s, e)]


def containing(units: list[Span], start: int, end: int) -> list[Span]:
    """The units that overlap [start, end)."""
    return [u for u in units if u[0] < end and start < u[1]]


def union(spans: list[Span]) -> list[Span]:
    """Merge overlapping or touching spans."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]
