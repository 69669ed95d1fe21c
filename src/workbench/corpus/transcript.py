"""Speaker turns in plain-text transcripts: `Name: text`, `[00:12:34] Name: text`, `00:12:34 Name: text`.

The text itself is kept as written (offsets point into what the researcher sees); turns are structure on
top of it, so later code can code by speaker or turn and show timestamps.
"""

from __future__ import annotations

import re

from .document import Turn

_TIME = r"(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?"
# optional timestamp ([..], (..) or bare), then a speaker label of at most 40 characters, then a colon
TURN_RE = re.compile(
    rf"^(?:[\[(]{_TIME}[\])]\s*|{_TIME}\s+)?"
    r"(?P<speaker>[^\W\d][\w .'\-]{0,39}?)\s*:[ \t]+(?=\S)",
    re.M,
)
TIME_ONLY_RE = re.compile(rf"^[\[(]{_TIME}[\])]\s*(?=\S)", re.M)


def to_ms(h: str | None, m: str, s: str, frac: str | None) -> int:
    ms = int((frac or "0").ljust(3, "0")[:3])
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + ms


def format_time(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _time_of(match: re.Match) -> int | None:
    g = match.groups()
    if g[1] is not None:
        return to_ms(g[0], g[1], g[2], g[3])
    if g[5] is not None:
        return to_ms(g[4], g[5], g[6], g[7])
    return None


def parse_turns(text: str) -> list[Turn]:
    """Split text into turns at lines that start with a speaker label; continuation lines join the turn.

    Lines before the first labelled line form a turn without speaker (a preamble).
    """
    turns: list[Turn] = []
    starts = [(m.start(), m) for m in TURN_RE.finditer(text)]
    if not starts:
        return []
    if text[: starts[0][0]].strip():
        first = len(text) - len(text.lstrip())
        end = starts[0][0]
        while end > first and text[end - 1] == "\n":
            end -= 1
        turns.append(Turn(first, end, first))
    for i, (pos, m) in enumerate(starts):
        nxt = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        end = nxt
        while end > pos and text[end - 1] in "\n \t":
            end -= 1
        turns.append(Turn(pos, end, m.end(), m.group("speaker").strip(), _time_of(m)))
    # a turn ends in time where the next timed turn starts
    out = []
    for i, t in enumerate(turns):
        nxt_time = next((u.time_ms for u in turns[i + 1:] if u.time_ms is not None), None)
        out.append(Turn(t.start, t.end, t.speech_start, t.speaker, t.time_ms,
                        nxt_time if t.time_ms is not None else None))
    return out


def looks_like_transcript(text: str, turns: list[Turn]) -> bool:
    """At least three labelled turns and most paragraphs labelled, and at most 12 distinct speakers."""
    labelled = [t for t in turns if t.speaker]
    if len(labelled) < 3:
        return False
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    speakers = {t.speaker for t in labelled}
    return len(labelled) >= 0.6 * len(paragraphs) and len(speakers) <= 12
