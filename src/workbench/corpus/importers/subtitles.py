"""WebVTT and SRT subtitle files as transcripts.

Cues become turns written as `[hh:mm:ss] Speaker: text`; consecutive cues of the same speaker merge into
one turn (researchers read turns, not two-second subtitle cues). Speakers come from VTT voice tags
(`<v Name>`) or a `Name:` prefix in the cue text.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import SourceError
from ..document import ImportedDocument, Turn
from ..text import read_text_file
from ..transcript import format_time, to_ms

_TS = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})"
CUE_TIME = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}")
VOICE = re.compile(r"^<v(?:\.[\w.]+)?\s+([^>]+)>")
TAG = re.compile(r"</?[^>]+>")
PREFIX = re.compile(r"^([^\W\d][\w .'\-]{0,39}?):\s+")


def _cues(text: str, path: Path, vtt: bool) -> list[tuple[int, int, str | None, str]]:
    lines = text.split("\n")
    if vtt and not lines[0].startswith("WEBVTT"):
        raise SourceError("missing the WEBVTT header on line 1", where=f"{path}:1",
                          fix="a .vtt file must start with the line WEBVTT")
    cues = []
    i = 0
    while i < len(lines):
        m = CUE_TIME.match(lines[i])
        if not m:
            if vtt and lines[i].startswith(("NOTE", "STYLE", "REGION")):
                while i < len(lines) and lines[i].strip():
                    i += 1
            i += 1
            continue
        g = m.groups()
        start, end = to_ms(*g[0:4]), to_ms(*g[4:8])
        if end < start:
            raise SourceError("cue ends before it starts", where=f"{path}:{i + 1}")
        i += 1
        body = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i].strip())
            i += 1
        raw = " ".join(body)
        speaker = None
        v = VOICE.match(raw)
        if v:
            speaker = v.group(1).strip()
        cue_text = TAG.sub("", raw).strip()
        if speaker is None:
            p = PREFIX.match(cue_text)
            if p:
                speaker, cue_text = p.group(1).strip(), cue_text[p.end():]
        if cue_text:
            cues.append((start, end, speaker, cue_text))
    if not cues:
        raise SourceError("no subtitle cues found (no `00:00:01.000 --> 00:00:02.000` lines)", where=str(path),
                          fix="check that this is a WebVTT/SRT file")
    return cues


def _build(cues, path: Path, fmt: str, encoding: str) -> ImportedDocument:
    merged: list[list] = []
    for start, end, speaker, text in cues:
        if merged and speaker is not None and merged[-1][2] == speaker:
            merged[-1][1] = end
            merged[-1][3] += " " + text
        else:
            merged.append([start, end, speaker, text])
    parts, turns, pos = [], [], 0
    for start, end, speaker, text in merged:
        prefix = f"[{format_time(start)}] " + (f"{speaker}: " if speaker else "")
        line = prefix + text
        turns.append(Turn(pos, pos + len(line), pos + len(prefix), speaker, start, end))
        parts.append(line)
        pos += len(line) + 2
    body = "\n\n".join(parts) + "\n"
    return ImportedDocument(name=path.stem, kind="interview", text=body, source_format=fmt, turns=turns,
                            case=path.stem, encoding=encoding)


def read_vtt(path: Path, encoding: str | None = None) -> list[ImportedDocument]:
    text, used = read_text_file(path, encoding)
    return [_build(_cues(text, path, vtt=True), path, "vtt", used)]


def read_srt(path: Path, encoding: str | None = None) -> list[ImportedDocument]:
    text, used = read_text_file(path, encoding)
    return [_build(_cues(text, path, vtt=False), path, "srt", used)]
