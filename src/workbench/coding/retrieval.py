"""Retrieval: the segments of a code (with or without sub-codes), filtered, with context around them."""

from __future__ import annotations

import bisect
import html
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..codebook.tree import Codebook
from ..corpus.transcript import format_time
from ..corpus.units import split
from ..errors import ValidationError
from ..store.project import Project
from ..store.values import parse_value
from .session import as_offset
from .spans import snap_to_words

CONTEXTS = ("none", "sentence", "paragraph", "turn")
SEGMENT_COLUMNS = ["document", "case", "code", "code_label", "coder", "start", "end", "speaker", "time",
                   "time_ms", "quote", "memo", "context_before", "context_after", "coding_id"]


def coerce_values(name: str, value: object, typ: str) -> list[Any]:
    """A filter value (or list of values) read as the attribute's type: "15" matches the integer 15.

    A value that cannot be of that type is an error that says so, rather than a filter that silently
    matches nothing."""
    values = list(value) if isinstance(value, list | tuple | set) else [value]
    out = []
    for v in values:
        if typ == "text":
            out.append(str(v))
            continue
        try:
            out.append(parse_value(str(v).lower() if isinstance(v, bool) else str(v), typ))
        except ValueError as exc:
            raise ValidationError(f"attribute {name!r} holds {typ} values, and {v!r} is not one ({exc})",
                                  fix=f"give a {typ} value") from None
    return out


def matching_documents(project: Project, filters: dict[str, object],
                       scopes: tuple[str, ...] = ("case", "document")) -> set[str]:
    """Names of the documents whose case attributes (or own document attributes) match every filter."""
    types = {(r.scope, r.name): r.type for r in project.attributes().itertuples(index=False)}
    docs = project.documents()
    keep = pd.Series(True, index=docs["name"].to_numpy())
    tables: dict[str, pd.DataFrame] = {}
    for name, value in filters.items():
        scope = next((sc for sc in scopes if (sc, name) in types), None)
        if scope is None:
            known = sorted({n for sc, n in types if sc in scopes})
            raise ValidationError(f"unknown attribute {name!r}", fix=f"known: {', '.join(known) or '(none yet)'}")
        wanted = coerce_values(name, value, types[(scope, name)])
        if scope not in tables:
            tables[scope] = project.case_attributes() if scope == "case" else project.document_attributes()
        table = tables[scope]
        hits = set(table.index[table[name].astype(object).isin(wanted)]) if name in table.columns else set()
        if scope == "case":
            keep &= docs["case"].isin(hits).to_numpy()
        else:
            keep &= docs["name"].isin(hits).to_numpy()
    return set(keep.index[keep.to_numpy()])


def segments(project: Project, code: str | Iterable[str] | None = None, *, include_subcodes: bool = True,
             documents: Iterable[str] | None = None, cases: Iterable[str] | None = None,
             attributes: dict[str, object] | None = None, coders: Iterable[str] | None = None,
             context: str | int = "sentence") -> pd.DataFrame:
    """Coded segments as a DataFrame, each with its speaker and time (transcripts) and the text before and
    after it inside `context`.

    `context` is 'none', 'sentence', 'paragraph', 'turn' or a number of characters (snapped to words).
    `attributes` filters on case (or document) attributes, e.g. {"respondent_type": "school"}; values
    are read as the attribute's type. Units are computed once per document, so retrieval over 100,000
    codings takes seconds (bench/bench_retrieval.py).
    """
    if isinstance(context, str):
        if context not in CONTEXTS:
            raise ValidationError(f"unknown context {context!r}", fix=f"use one of {', '.join(CONTEXTS)} or a number")
    else:
        context = as_offset(context, "context", "segments()")
        if context < 0:
            raise ValidationError(f"context must be 0 or more characters, got {context}")
    df = project.codings()
    cb = Codebook(project)
    labels = cb.frame().set_index("id")["label"].to_dict()
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
        df = df[df["document"].isin(matching_documents(project, attributes))]
    texts = {d.name: d for d in project.texts(sorted(set(df["document"])))} if len(df) else {}
    cols: dict[str, list] = {c: [] for c in SEGMENT_COLUMNS}
    cache: dict[str, tuple] = {}
    for r in df.itertuples(index=False):
        doc = texts[r.document]
        if r.document not in cache:
            units = split(doc.text, doc.turns, context) if isinstance(context, str) and context != "none" else []
            cache[r.document] = ([u.start for u in units], [u.end for u in units], units,
                                 [t.start for t in doc.turns])
        starts, ends, units, turn_starts = cache[r.document]
        start, end = int(r.start), int(r.end)
        cs, ce = _context(doc.text, start, end, context, starts, ends)
        k = bisect.bisect_right(turn_starts, start) - 1
        turn = doc.turns[k] if k >= 0 and start < doc.turns[k].end else None
        time_ms = turn.time_ms if turn is not None else None
        for col, value in (("document", r.document), ("case", r.case), ("code", r.code),
                           ("code_label", labels.get(r.code, r.code)), ("coder", r.coder), ("start", start),
                           ("end", end), ("speaker", turn.speaker if turn is not None else None),
                           ("time", format_time(time_ms) if time_ms is not None else None), ("time_ms", time_ms),
                           ("quote", r.quote), ("memo", r.memo if isinstance(r.memo, str) else None),
                           ("context_before", doc.text[cs:start]), ("context_after", doc.text[end:ce]),
                           ("coding_id", r.id)):
            cols[col].append(value)
    out = pd.DataFrame(cols, columns=SEGMENT_COLUMNS)
    out["time_ms"] = out["time_ms"].astype("Int64")
    return out


def _context(text: str, start: int, end: int, context: str | int, starts: list[int],
             ends: list[int]) -> tuple[int, int]:
    """The context span around [start, end): whole units that overlap it, or `context` characters."""
    if context == "none" or context == 0:
        return start, end
    if isinstance(context, int):
        s, _ = snap_to_words(text, max(0, start - context), max(0, start - context) + 1)
        _, e = snap_to_words(text, min(len(text), end + context) - 1, min(len(text), end + context))
        return min(s, start), max(e, end)
    first = bisect.bisect_right(ends, start)  # the first unit ending after start
    last = bisect.bisect_left(starts, end) - 1  # the last unit starting before end
    if first > last:
        return start, end
    return min(starts[first], start), max(ends[last], end)


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
