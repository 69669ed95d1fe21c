"""Retrieval: the segments of a code (with or without sub-codes), filtered, with context around them."""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from ..codebook.tree import Codebook
from ..errors import ValidationError
from ..store.project import Project
from .spans import containing, snap_to_words, unit_spans

CONTEXTS = ("none", "sentence", "paragraph", "turn")


def _context_span(text: str, start: int, end: int, context: str | int, turns: list[tuple[int, int]]) -> tuple[int, int]:
    if context == "none" or context == 0:
        return start, end
    if isinstance(context, int):
        s, _ = snap_to_words(text, max(0, start - context), max(0, start - context) + 1)
        _, e = snap_to_words(text, min(len(text), end + context) - 1, min(len(text), end + context))
        return min(s, start), max(e, end)
    units = unit_spans(text, context, turns)
    hit = containing(units, start, end)
    if not hit:
        return start, end
    return min(hit[0][0], start), max(hit[-1][1], end)


def segments(project: Project, code: str | Iterable[str] | None = None, *, include_subcodes: bool = True,
             documents: Iterable[str] | None = None, cases: Iterable[str] | None = None,
             attributes: dict[str, object] | None = None, coders: Iterable[str] | None = None,
             context: str | int = "sentence") -> pd.DataFrame:
    """Coded segments as a DataFrame, each with the text before and after it inside `context`.

    `context` is 'none', 'sentence', 'paragraph', 'turn' or a number of characters (snapped to words).
    `attributes` filters on case attributes, e.g. {"respondent_type": "school"}.
    """
    if not isinstance(context, int) and context not in CONTEXTS:
        raise ValidationError(f"unknown context {context!r}", fix=f"use one of {', '.join(CONTEXTS)} or a number")
    df = project.codings()
    cb = Codebook(project)
    frame = cb.frame().set_index("id")
    if code is not None:
        wanted = {code} if isinstance(code, str) else set(code)
        for c in list(wanted):
            cb.get(c)
            if include_subcodes:
                wanted |= set(cb.descendants(c))
        df = df[df["code"].isin(wanted)]
    if documents is not None:
        df = df[df["document"].isin(set(documents))]
    if cases is not None:
        df = df[df["case"].isin(set(cases))]
    if coders is not None:
        df = df[df["coder"].isin(set(coders))]
    if attributes:
        table = project.case_attributes()
        keep = pd.Series(True, index=table.index)
        for name, value in attributes.items():
            if name not in table.columns:
                raise ValidationError(f"unknown case attribute {name!r}", fix=f"known: {', '.join(table.columns)}")
            values = value if isinstance(value, list | tuple | set) else [value]
            keep &= table[name].astype(object).isin(values)
        df = df[df["case"].isin(set(table.index[keep]))]
    rows = []
    texts: dict[str, str] = {}
    turn_cache: dict[str, list[tuple[int, int]]] = {}
    for r in df.itertuples(index=False):
        text = texts.get(r.document) or texts.setdefault(r.document, project.text(r.document))
        turns = []
        if not isinstance(context, int) and context != "none":
            if r.document not in turn_cache:
                t = project.turns(r.document)
                turn_cache[r.document] = list(zip(t["speech_start"], t["end"], strict=True))
            turns = turn_cache[r.document]
        cs, ce = _context_span(text, r.start, r.end, context, turns)
        rows.append({"document": r.document, "case": r.case, "code": r.code,
                     "code_label": frame.at[r.code, "label"], "coder": r.coder, "start": r.start, "end": r.end,
                     "quote": r.quote, "memo": r.memo if isinstance(r.memo, str) else None, "context_before": text[cs:r.start],
                     "context_after": text[r.end:ce], "coding_id": r.id})
    return pd.DataFrame(rows, columns=["document", "case", "code", "code_label", "coder", "start", "end", "quote",
                                       "memo", "context_before", "context_after", "coding_id"])


def to_html(project: Project, segs: pd.DataFrame, title: str | None = None) -> str:
    """Readable HTML: one block per segment, the coded words highlighted in the code's colour."""
    colours = Codebook(project).frame().set_index("id")["colour"].to_dict()
    parts = ['<div class="wb-retrieval">']
    if title:
        parts.append(f"<h3>{html.escape(title)}</h3>")
    parts.append(f"<p>{len(segs)} segments from {segs['document'].nunique() if len(segs) else 0} documents</p>")
    for r in segs.itertuples(index=False):
        colour = colours.get(r.code, "#888888")
        memo = f'<div class="wb-memo">memo: {html.escape(r.memo)}</div>' if isinstance(r.memo, str) else ""
        parts.append(
            f'<div class="wb-segment" data-coding="{r.coding_id}" style="border-left:4px solid {colour};'
            f'padding:4px 8px;margin:6px 0">'
            f'<div class="wb-source" style="font-size:85%;color:#555">{html.escape(r.document)}'
            f' [{r.start}-{r.end}] · {html.escape(r.code_label)} · {html.escape(r.coder)}</div>'
            f'<div>{html.escape(r.context_before)}<mark style="background:{colour}33">{html.escape(r.quote)}</mark>'
            f'{html.escape(r.context_after)}</div>{memo}</div>')
    parts.append("</div>")
    return "\n".join(parts)
