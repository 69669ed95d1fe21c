"""The one place that knows a document's units: turns, sentences, paragraphs, speech spans, the document.

Auto-coding, retrieval context, the coding view, agreement, co-occurrence, topics and publishing all cut
text the same way, through `split` (pure: text and turns in, units out) or `units` (for a project).
In a transcript every unit lies inside one turn's *speech* span, so no unit includes the
`[00:01:02] Name:` prefix and none crosses a turn. Typed rows inside the library; `units_frame` gives a
DataFrame for notebooks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..errors import ValidationError
from ..models import TurnSpan, Unit

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..store.project import Project

Span = tuple[int, int]
UNITS = ("sentence", "paragraph", "turn", "document")
DEFAULT_INTERVIEWER_LABELS = ("Interviewer", "I", "Int")
# A sentence ends at . ! ? … (a run of them, then closing quotes) followed by space/newline, or at a blank
# line; abbreviations are rare in speech. The regex finds only the ends, and a run of punctuation only at
# its first character (the lookbehind) and without backtracking (possessive): linear time, where
# `[^\s].*?(?:[.!?…]+...)` took 11 s on a run of 20,000 dots.
_SENTENCE = re.compile(r"(?<![.!?…])([.!?…]++)[\"'”’)]*+(?=\s)|\n[^\S\n]*\n")
_NON_SPACE = re.compile(r"\S")
_PARAGRAPH = re.compile(r"[^\n](?:.|\n(?!\s*\n))*", re.M)


def trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans in text[start:end], trimmed. A sentence starts at a non-space character and runs to
    the first sentence end after that character (a lone `.` that starts it does not end it)."""
    end = len(text) if end is None else end
    part = text[start:end] if start or end != len(text) else text  # the lookbehind must not see outside
    out = []
    first = _NON_SPACE.search(part)
    for m in _SENTENCE.finditer(part):
        if first is None:
            break
        s0 = first.start()
        if m.end() <= s0:
            continue  # a blank line before the sentence starts
        punct = m.group(1)
        if punct is not None and m.start() == s0 and len(punct) == 1:
            continue  # the sentence's own first character
        s, e = trim(part, s0, m.end())
        if e > s:
            out.append((s + start, e + start))
        first = _NON_SPACE.search(part, m.end())
    if first is not None:
        s, e = trim(part, first.start(), len(part))
        if e > s:
            out.append((s + start, e + start))
    return out


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    end = len(text) if end is None else end
    return [trim(text, m.start(), m.end()) for m in _PARAGRAPH.finditer(text, start, end)]


def split(text: str, turns: Sequence[TurnSpan], unit: str, document: str = "") -> list[Unit]:
    """The units of one text. `turns` empty: the text is cut as a whole (literature, notes)."""
    if unit not in UNITS:
        raise ValidationError(f"unknown unit {unit!r}", fix=f"use one of {', '.join(UNITS)}")
    if unit == "document":
        end = len(text.rstrip())
        return [Unit(document, unit, 0, end)] if end > 0 else []
    if not turns:
        if unit == "turn":  # a text without turns is one block of speech per paragraph
            return [Unit(document, unit, s, e) for s, e in paragraphs(text) if e > s]
        cut = sentences if unit == "sentence" else paragraphs
        return [Unit(document, unit, s, e) for s, e in cut(text) if e > s]
    out: list[Unit] = []
    for t in turns:
        if t.end <= t.speech_start:
            continue
        if unit == "turn":
            out.append(Unit(document, unit, t.speech_start, t.end, t.speaker, t.seq, t.time_ms))
            continue
        cut = sentences if unit == "sentence" else paragraphs
        out.extend(Unit(document, unit, s, e, t.speaker, t.seq, t.time_ms)
                   for s, e in cut(text, t.speech_start, t.end) if e > s)
    return out


def speaker_at(turns: Sequence[TurnSpan], offset: int) -> TurnSpan | None:
    """The turn whose paragraph holds `offset` (turns sorted by start), or None."""
    lo, hi = 0, len(turns)
    while lo < hi:
        mid = (lo + hi) // 2
        if turns[mid].start <= offset:
            lo = mid + 1
        else:
            hi = mid
    if lo and turns[lo - 1].start <= offset < turns[lo - 1].end:
        return turns[lo - 1]
    return None


def interviewer_labels(project: Project) -> list[str]:
    """Speaker labels that are the interviewer (project setting `interviewer_labels`)."""
    return list(project.setting("interviewer_labels", list(DEFAULT_INTERVIEWER_LABELS)))


def keep_speaker(speaker: str | None, include: set[str] | None, exclude: set[str]) -> bool:
    """Speaker filter: compared case-insensitively; None (no turn) is kept unless `include` is given."""
    low = speaker.casefold() if speaker else None
    if include is not None and low not in include:
        return False
    return low is None or low not in exclude


def units(project: Project, unit: str = "sentence", documents: Iterable[str] | None = None, *,
          kinds: Iterable[str] | None = None, speakers: Iterable[str] | None = None,
          exclude_speakers: Iterable[str] | None = ()) -> list[Unit]:
    """The units of a project's documents, in document order.

    `speakers`: keep only these speakers' turns; `exclude_speakers`: leave these out (pass
    `exclude_speakers=None` to leave out the project's interviewer labels). `kinds`: e.g. ["interview"].
    """
    include = {s.casefold() for s in speakers} if speakers is not None else None
    if exclude_speakers is None:
        exclude_speakers = interviewer_labels(project)
    exclude = {s.casefold() for s in exclude_speakers}
    out: list[Unit] = []
    for doc in project.texts(documents, kinds=kinds):
        for u in split(doc.text, doc.turns, unit, doc.name):
            if keep_speaker(u.speaker, include, exclude):
                out.append(u)
    return out


def units_frame(project: Project, unit: str = "sentence", documents: Iterable[str] | None = None, *,
                with_text: bool = True, **filters) -> pd.DataFrame:
    """`units` as a DataFrame (document, unit, start, end, speaker, turn, time_ms[, text])."""
    import pandas as pd

    rows = units(project, unit, documents, **filters)
    frame = pd.DataFrame(rows, columns=list(Unit._fields))
    if with_text and len(frame):
        texts = {d.name: d.text for d in project.texts(sorted(set(frame["document"])))}
        frame["text"] = [texts[r.document][r.start:r.end] for r in rows]
    elif with_text:
        frame["text"] = pd.Series(dtype=str)
    return frame
