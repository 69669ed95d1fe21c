"""The findings file (coding/findings.yaml): the study's framing, its themes and its recommendations.

It lives in the project beside the codebook and is written by the researcher. Each recommendation links
to codes and to chosen quotes (document, code and the words the quote starts with), so that a reader can
follow it to its evidence. The file itself is never published: only what it resolves to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import SourceError, ValidationError

DEFAULT = Path("coding") / "findings.yaml"


@dataclass
class QuoteRef:
    document: str
    code: str
    starts: str
    where: str


@dataclass
class Recommendation:
    id: str
    title: str
    text: str
    codes: list[str]
    quotes: list[QuoteRef]
    where: str


@dataclass
class Findings:
    path: Path | None
    demo: bool = False
    title: str | None = None
    summary: str | None = None
    method: str | None = None
    themes: list[str] | None = None
    source_attribute: str = "respondent_type"
    source_order: list[str] = field(default_factory=lambda: ["literature", "expert", "school"])
    filters: list[str] = field(default_factory=lambda: ["region", "school_type"])
    representative: int = 3
    coder: str | None = None
    activity_codes: list[str] | None = None
    recommendations: list[Recommendation] = field(default_factory=list)
    transcripts: bool | list[str] = False  # opt-in: publish whole (pseudonymised) transcripts


def _line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return 0


def _strings(value: Any, where: str, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{what} must be a list of strings", where=where, fix=f"write {what}: [a, b]")
    return list(value)


def load(root: Path, path: str | Path | None = None) -> Findings:
    """Read the findings file (the default one may be missing: then the report has no recommendations)."""
    file = Path(path) if path else root / DEFAULT
    if not file.exists():
        if path:
            raise SourceError("findings file not found", where=str(file),
                              fix="pass an existing file, or leave --findings out")
        return Findings(None)
    text = file.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", where=str(file)) from exc
    if not isinstance(data, dict):
        raise ValidationError("the findings file must be a mapping", where=str(file),
                              fix="start with keys such as study:, themes:, recommendations:")
    study = data.get("study") or {}
    source = data.get("source_type") or {}
    out = Findings(file, demo=bool(data.get("demo", False)), title=study.get("title"), summary=study.get("summary"),
                   method=study.get("method"), themes=_strings(data.get("themes"), str(file), "themes") or None,
                   coder=data.get("coder"))
    out.source_attribute = source.get("attribute", out.source_attribute)
    out.source_order = _strings(source.get("order"), str(file), "source_type.order") or out.source_order
    if "filters" in data:
        out.filters = _strings(data["filters"], str(file), "filters")
    out.representative = int(data.get("representative_quotes", out.representative))
    out.activity_codes = _strings(data.get("activities"), str(file), "activities") or None
    whole = data.get("publish_transcripts", False)
    if not isinstance(whole, bool):
        whole = _strings(whole, f"{file}: publish_transcripts", "publish_transcripts")
    out.transcripts = whole
    seen: set[str] = set()
    for i, rec in enumerate(data.get("recommendations") or [], 1):
        rid = rec.get("id") if isinstance(rec, dict) else None
        where = f"{file}:{_line_of(text, f'id: {rid}') if rid else 0}: recommendation {rid or i}"
        if not rid or not rec.get("title"):
            raise ValidationError("a recommendation needs an id and a title", where=where,
                                  fix="write - id: rec-x / title: ...")
        if rid in seen:
            raise ValidationError(f"recommendation id {rid!r} is used twice", where=where, fix="make ids unique")
        seen.add(rid)
        refs = []
        for j, q in enumerate(rec.get("quotes") or [], 1):
            qwhere = f"{where}, quote {j}"
            if not isinstance(q, dict) or not all(isinstance(q.get(k), str) and q.get(k) for k in
                                                  ("document", "code", "starts")):
                raise ValidationError("a quote needs document, code and starts", where=qwhere,
                                      fix="write {document: E01, code: succ-chain, starts: 'first words'}")
            refs.append(QuoteRef(q["document"], q["code"], q["starts"], qwhere))
        out.recommendations.append(Recommendation(rid, str(rec["title"]), str(rec.get("text") or ""),
                                                  _strings(rec.get("codes"), where, "codes"), refs, where))
    return out
