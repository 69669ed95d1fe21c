"""Speaker turns in plain-text transcripts: `Name: text`, `[00:12:34] Name: text`, `00:12:34 Name: text`.

The text itself is kept as written (offsets point into what the researcher sees); turns are structure on
top of it, so later code can code by speaker or turn and show timestamps.
"""

from __future__ import annotations

import re

from .document import Turn

# optional timestamp ([..], (..) or bare), then a speaker label of at most 40 characters, then a colon.
# One set of time groups: `open` remembers a bracket, and then a closing one must follow.
_LABEL = (r"(?:(?P<open>[\[(])?(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,](?P<f>\d{1,3}))?"
          r"(?(open)[\])]\s*|\s+))?"
          r"(?P<speaker>[^\W\d][\w .'\-]{0,39}?)\s*:[ \t]+(?=\S)")
TURN_RE = re.compile(rf"^{_LABEL}", re.M)
# the same label right after a newline: finditer then jumps from newline to newline in C
_AFTER_NEWLINE = re.compile(rf"\n(?P<turn>{_LABEL})")


def to_ms(h: str | None, m: str, s: str, frac: str | None) -> int:
    ms = int(frac.ljust(3, "0")[:3]) if frac else 0
    return ((int(h) * 60 if h else 0) + int(m)) * 60_000 + int(s) * 1000 + ms


def format_time(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _label_matches(text: str) -> list[tuple[int, re.Match]]:
    """(start, match) of every speaker label at the start of a line, in order, none overlapping."""
    first = TURN_RE.match(text)
    found = [(0, first)] if first else []
    for m in _AFTER_NEWLINE.finditer(text, first.end() if first else 0):
        found.append((m.start("turn"), m))
    return found


def parse_turns(text: str) -> list[Turn]:
    """Split text into turns at lines that start with a speaker label; continuation lines join the turn.

    Lines before the first labelled line form a turn without speaker (a preamble). A timed turn ends in
    time where the next timed turn starts (the last one has no end time).
    """
    matches = _label_matches(text)
    if not matches:
        return []
    # (start, end, speech_start, speaker, time_ms), in text order
    raw: list[tuple[int, int, int, str | None, int | None]] = []
    first_label = matches[0][0]
    if text[:first_label].strip():
        first = len(text) - len(text.lstrip())
        end = first_label
        while end > first and text[end - 1] == "\n":
            end -= 1
        raw.append((first, end, first, None, None))
    ends = [start for start, _ in matches[1:]]
    ends.append(len(text))
    for (pos, m), end in zip(matches, ends, strict=True):
        speaker, h, mi, s, frac = m.group("speaker", "h", "m", "s", "f")
        while end > pos and text[end - 1] in "\n \t":
            end -= 1
        if mi is None:
            raw.append((pos, end, m.end(), speaker.strip(), None))
        else:  # to_ms, inlined: a long transcript has hundreds of these
            ms = ((int(h) * 60 if h else 0) + int(mi)) * 60_000 + int(s) * 1000
            raw.append((pos, end, m.end(), speaker.strip(), ms + int(frac.ljust(3, "0")[:3]) if frac else ms))
    out: list[Turn] = []
    next_time: int | None = None
    for start, end, speech_start, speaker, time_ms in reversed(raw):
        out.append(Turn(start, end, speech_start, speaker, time_ms, next_time if time_ms is not None else None))
        if time_ms is not None:
            next_time = time_ms
    out.reverse()
    return out


def looks_like_transcript(text: str, turns: list[Turn]) -> bool:
    """At least three labelled turns and most paragraphs labelled, and at most 12 distinct speakers."""
    labelled = [t for t in turns if t.speaker]
    if len(labelled) < 3:
        return False
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    speakers = {t.speaker for t in labelled}
    return len(labelled) >= 0.6 * len(paragraphs) and len(speakers) <= 12
