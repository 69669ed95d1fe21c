"""Auto-coding: always a preview DataFrame first, then `apply()` writes it as one undoable batch.

Sources of spans: keyword/regex matches (the codebook's own keywords and patterns, or ad hoc), speaker
turns, sentence/paragraph/turn units around matches, and whole documents chosen by attribute.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

import pandas as pd

from ..codebook.tree import Codebook
from ..corpus.units import keep_speaker, split
from ..errors import ValidationError
from ..models import Unit
from ..store.project import Project
from ..store.queries import DocText
from .retrieval import matching_documents

PREVIEW_COLUMNS = ["document", "start", "end", "code", "speaker", "quote", "matched"]
UNITS = ("match", "sentence", "paragraph", "turn")


def _speaker_filter(project: Project, speakers: Iterable[str] | None,
                    exclude_speakers: Iterable[str] | None) -> tuple[set[str] | None, set[str]]:
    """(allow-list, deny-list), case-folded. By default the project's interviewer labels are left out,
    unless `speakers` names whom to keep; `exclude_speakers=()` keeps everyone."""
    include = {s.casefold() for s in speakers} if speakers is not None else None
    if exclude_speakers is None:
        exclude_speakers = list(project.interviewer_labels) if include is None else ()
    return include, {s.casefold() for s in exclude_speakers}


def keyword_regex(keywords: Iterable[str]) -> str:
    """Whole-word, case-insensitive alternation of literal keywords (longest first)."""
    words = sorted({k.strip() for k in keywords if k.strip()}, key=len, reverse=True)
    if not words:
        raise ValidationError("no keywords to search for")
    return r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)"


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=PREVIEW_COLUMNS)
    return df.drop_duplicates(["document", "start", "end", "code"]).sort_values(
        ["document", "start", "end"]).reset_index(drop=True)


def _row(doc: DocText, start: int, end: int, code: str, speaker: str | None, matched: str) -> dict:
    return {"document": doc.name, "start": start, "end": end, "code": code, "speaker": speaker,
            "quote": doc.text[start:end], "matched": matched}


def _texts(project: Project, documents: Iterable[str] | None, kinds: Iterable[str] | None) -> list[DocText]:
    return project.texts(sorted(set(documents)) if documents is not None else None,
                         kinds=list(kinds) if kinds is not None else None)


def by_pattern(project: Project, code: str, pattern: str | None = None, *, keywords: Iterable[str] | None = None,
               unit: str = "sentence", documents: Iterable[str] | None = None, speakers: Iterable[str] | None = None,
               exclude_speakers: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
               ignore_case: bool = True) -> pd.DataFrame:
    """Preview codings of `code` wherever a regex (or keywords, or else the code's own keywords and
    patterns from the codebook) matches, widened to `unit`.

    Only the speech of transcripts is searched (never a `[t] Name:` label). Speakers: `speakers` keeps
    only those; otherwise the project's interviewer labels are left out (`exclude_speakers=()` keeps
    everyone). `kinds`, e.g. ["interview"], leaves out literature. The preview has a `speaker` column.
    """
    if unit not in UNITS:
        raise ValidationError(f"unknown unit {unit!r}", fix=f"use one of {', '.join(UNITS)}")
    spec = Codebook(project).get(code)
    if pattern is None:
        parts = []
        kws = list(keywords) if keywords is not None else spec.keywords
        if kws:
            parts.append(keyword_regex(kws))
        if keywords is None:
            parts.extend(f"(?:{p})" for p in spec.patterns)
        if not parts:
            raise ValidationError(f"code {code!r} has no keywords or patterns", fix="pass pattern= or keywords=")
        pattern = "|".join(parts)
    try:
        rx = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise ValidationError(f"invalid regular expression {pattern!r}: {exc}") from None
    include, exclude = _speaker_filter(project, speakers, exclude_speakers)
    rows = []
    for doc in _texts(project, documents, kinds):
        # the units a match may fall in: each turn's speech (or the whole text), then `unit` inside it
        spans = split(doc.text, doc.turns, "turn" if doc.turns else "document", doc.name)
        units = spans if unit == "match" else split(doc.text, doc.turns, unit, doc.name)
        starts = [u.start for u in units]
        speech_starts = [u.start for u in spans]
        merged: dict[tuple[int, int], tuple[str | None, list[str]]] = {}
        for m in rx.finditer(doc.text):
            if m.end() == m.start():
                continue
            k = bisect.bisect_right(speech_starts, m.start()) - 1
            if k < 0 or m.start() >= spans[k].end:
                continue  # in a speaker label or between turns
            who = spans[k].speaker
            if not keep_speaker(who, include, exclude):
                continue
            if unit == "match":
                span = (m.start(), min(m.end(), spans[k].end))
            else:
                hit = _unit_at(units, starts, m.start(), m.end())
                if hit is None:
                    continue
                span = (hit.start, hit.end)
            merged.setdefault(span, (who, []))[1].append(m.group(0))
        for (s, e), (who, words) in merged.items():
            rows.append(_row(doc, s, e, code, who, ", ".join(sorted({w.lower() for w in words}))))
    return _frame(rows)


def _unit_at(units: list[Unit], starts: list[int], start: int, end: int) -> Unit | None:
    """The first unit that overlaps [start, end) (units sorted by start, not overlapping)."""
    k = max(0, bisect.bisect_right(starts, start) - 1)
    while k < len(units) and units[k].start < end:
        if units[k].end > start:
            return units[k]
        k += 1
    return None


def by_speaker(project: Project, code: str, speakers: Iterable[str], *,
               documents: Iterable[str] | None = None, kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Preview: every turn (its speech, without the `[t] Name:` prefix) of the given speakers."""
    include = {s.casefold() for s in speakers}
    rows = []
    for doc in _texts(project, documents, kinds):
        for u in split(doc.text, doc.turns, "turn", doc.name) if doc.turns else []:
            if u.speaker is not None and u.speaker.casefold() in include:
                rows.append(_row(doc, u.start, u.end, code, u.speaker, u.speaker))
    return _frame(rows)


def by_unit(project: Project, code: str, unit: str, *, documents: Iterable[str] | None = None,
            contains: str | None = None, speakers: Iterable[str] | None = None,
            exclude_speakers: Iterable[str] | None = None, kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Preview: every sentence/paragraph/turn of the documents (optionally only those matching a regex);
    speakers as in `by_pattern` (the interviewer left out by default)."""
    if unit == "match" or unit not in UNITS:
        raise ValidationError(f"unit must be one of sentence, paragraph, turn; got {unit!r}")
    if contains is not None:
        return by_pattern(project, code, contains, unit=unit, documents=documents, speakers=speakers,
                          exclude_speakers=exclude_speakers, kinds=kinds)
    include, exclude = _speaker_filter(project, speakers, exclude_speakers)
    rows = []
    for doc in _texts(project, documents, kinds):
        for u in split(doc.text, doc.turns, unit, doc.name):
            if keep_speaker(u.speaker, include, exclude):
                rows.append(_row(doc, u.start, u.end, code, u.speaker, unit))
    return _frame(rows)


def by_attribute(project: Project, code: str, attribute: str, value: object, *,
                 speaker_turns_only: str | None = None, kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Preview: whole documents whose case (or document) attribute equals `value`.

    `value` is read as the attribute's type ("15" matches the integer 15); a value that cannot be one
    is an error, not an empty preview. With `speaker_turns_only`, only that speaker's turns are coded
    (e.g. the respondent, not the interviewer).
    """
    names = matching_documents(project, {attribute: value}, scopes=("case", "document"))
    if speaker_turns_only:
        return by_speaker(project, code, [speaker_turns_only], documents=sorted(names), kinds=kinds)
    rows = []
    for doc in _texts(project, sorted(names), kinds):
        end = len(doc.text.rstrip())
        rows.append(_row(doc, 0, end, code, None, f"{attribute}={value}"))
    return _frame(rows)


def apply(project: Project, preview: pd.DataFrame, coder: str, memo: str | None = None) -> int:
    """Write a (possibly edited) preview as one event group for `coder`; returns codings added.

    Rows already coded identically are skipped, so applying the same preview twice adds nothing.
    """
    if preview.empty:
        return 0
    missing = {"document", "start", "end", "code"} - set(preview.columns)
    if missing:
        raise ValidationError(f"preview lacks columns {sorted(missing)}")
    from .bulk import add_codings

    return add_codings(project, preview, coder=coder, actor=coder, action="coding.auto", memo=memo,
                       summary=f"auto-coding of {len(preview)} passages")
