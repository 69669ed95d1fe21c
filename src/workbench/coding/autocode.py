"""Auto-coding: always a preview DataFrame first, then `apply()` writes it as one undoable batch.

Sources of spans: keyword/regex matches (the codebook's own keywords and patterns, or ad hoc), speaker
turns, sentence/paragraph/turn units around matches, and whole documents chosen by attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select

from ..codebook.tree import Codebook
from ..errors import ValidationError
from ..store.project import Project
from ..store.schema import documents
from .spans import Span, containing, unit_spans

PREVIEW_COLUMNS = ["document", "start", "end", "code", "quote", "matched"]
UNITS = ("match", "sentence", "paragraph", "turn")


def _docs(project: Project, names: Iterable[str] | None) -> list[dict]:
    with project.read() as conn:
        q = select(documents.c.id, documents.c.name, documents.c.text).order_by(documents.c.name)
        if names is not None:
            q = q.where(documents.c.name.in_(list(names)))
        return [dict(r) for r in conn.execute(q).mappings()]


def _turn_spans(project: Project, name: str, speech: bool = True) -> list[tuple[Span, str | None]]:
    t = project.turns(name)
    col = "speech_start" if speech else "start"
    return [((int(r[col]), int(r["end"])), r["speaker"]) for _, r in t.iterrows()]


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


def by_pattern(project: Project, code: str, pattern: str | None = None, *, keywords: Iterable[str] | None = None,
               unit: str = "sentence", documents: Iterable[str] | None = None, speakers: Iterable[str] | None = None,
               ignore_case: bool = True) -> pd.DataFrame:
    """Preview codings of `code` wherever a regex (or keywords, or else the code's own keywords and
    patterns from the codebook) matches, widened to `unit` and limited to turns of `speakers`."""
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
    speakers = set(speakers) if speakers is not None else None
    rows = []
    for doc in _docs(project, documents):
        text = doc["text"]
        turns = _turn_spans(project, doc["name"])
        allowed = [s for s, who in turns if speakers is None or who in speakers]
        units = unit_spans(text, unit, [s for s, _ in turns]) if unit != "match" else []
        hits = []
        for m in rx.finditer(text):
            if m.end() == m.start():
                continue
            if speakers is not None and not containing(allowed, m.start(), m.end()):
                continue
            if unit == "match":
                hits.append(((m.start(), m.end()), m.group(0)))
            else:
                for u in containing(units, m.start(), m.end())[:1]:
                    hits.append((u, m.group(0)))
        merged: dict[Span, list[str]] = {}
        for span, word in hits:
            merged.setdefault(span, []).append(word)
        for (s, e), words in merged.items():
            rows.append({"document": doc["name"], "start": s, "end": e, "code": code, "quote": text[s:e],
                         "matched": ", ".join(sorted(set(w.lower() for w in words)))})
    return _frame(rows)


def by_speaker(project: Project, code: str, speakers: Iterable[str], *,
               documents: Iterable[str] | None = None) -> pd.DataFrame:
    """Preview: every turn (its speech, without the `[t] Name:` prefix) of the given speakers."""
    speakers = set(speakers)
    rows = []
    for doc in _docs(project, documents):
        for (s, e), who in _turn_spans(project, doc["name"]):
            if who in speakers and e > s:
                rows.append({"document": doc["name"], "start": s, "end": e, "code": code,
                             "quote": doc["text"][s:e], "matched": who})
    return _frame(rows)


def by_unit(project: Project, code: str, unit: str, *, documents: Iterable[str] | None = None,
            contains: str | None = None) -> pd.DataFrame:
    """Preview: every sentence/paragraph/turn of the documents (optionally only those matching a regex)."""
    if unit == "match" or unit not in UNITS:
        raise ValidationError(f"unit must be one of sentence, paragraph, turn; got {unit!r}")
    if contains is not None:
        return by_pattern(project, code, contains, unit=unit, documents=documents)
    rows = []
    for doc in _docs(project, documents):
        text = doc["text"]
        for s, e in unit_spans(text, unit, [s for s, _ in _turn_spans(project, doc["name"])]):
            rows.append({"document": doc["name"], "start": s, "end": e, "code": code, "quote": text[s:e],
                         "matched": unit})
    return _frame(rows)


def by_attribute(project: Project, code: str, attribute: str, value: object, *,
                 speaker_turns_only: str | None = None) -> pd.DataFrame:
    """Preview: whole documents whose case (or document) attribute equals `value`.

    With `speaker_turns_only`, only that speaker's turns are coded (e.g. the respondent, not the interviewer).
    """
    cases = project.case_attributes()
    docs_attr = project.document_attributes()
    names: set[str] = set()
    if attribute in cases.columns:
        wanted = set(cases.index[cases[attribute].astype(object) == value])
        d = project.documents()
        names |= set(d.loc[d["case"].isin(wanted), "name"])
    if attribute in docs_attr.columns:
        names |= set(docs_attr.index[docs_attr[attribute].astype(object) == value])
    if attribute not in cases.columns and attribute not in docs_attr.columns:
        raise ValidationError(f"unknown attribute {attribute!r}",
                              fix=f"known: {', '.join(sorted(set(cases.columns) | set(docs_attr.columns)))}")
    if speaker_turns_only:
        return by_speaker(project, code, [speaker_turns_only], documents=sorted(names))
    rows = []
    for doc in _docs(project, sorted(names)):
        text = doc["text"]
        s, e = 0, len(text.rstrip())
        rows.append({"document": doc["name"], "start": s, "end": e, "code": code, "quote": text[s:e],
                     "matched": f"{attribute}={value}"})
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
