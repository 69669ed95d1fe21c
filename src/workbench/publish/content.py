"""The report's content model: what a stakeholder may see, built from one consistent read of the project.

`build` turns the read (store.publish.read_consistent) into a JSON-ready dict: research questions, themes
with their codes and definitions, sources (pseudonymised, public attributes only), coded quotes
(pseudonymised through the key's offset map; nothing uncoded), the activity table and the
recommendations with their evidence. `view` applies filters to it; report.js does the same in the
browser, so the Voila app and the static file show the same numbers (tests compare the two).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..errors import ValidationError
from .findings import Findings
from .pseudonymise import Key

FILTERS = ("source_type", "region", "school_type", "theme")
LABELS = {"source_type": "Respondent type", "region": "Region", "school_type": "School type", "theme": "Theme"}
_HIDDEN_ATTRIBUTES = {"notes", "keywords", "inclusion", "url", "doi", "pages", "issue", "volume", "publisher"}


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def _theme_of(codes: pd.DataFrame, themes: list[str]) -> dict[str, str]:
    parent = dict(zip(codes["id"], codes["parent_id"], strict=True))
    out: dict[str, str] = {}
    for code in codes["id"]:
        at, seen = code, set()
        while at is not None and not (isinstance(at, float) and pd.isna(at)) and at not in seen:
            if at in themes:
                out[code] = at
                break
            seen.add(at)
            at = parent.get(at)
    return out


def main_coder(codings: pd.DataFrame, findings: Findings) -> str | None:
    if findings.coder:
        if findings.coder not in set(codings["coder"]):
            raise ValidationError(f"coder {findings.coder!r} has no codings", where=str(findings.path),
                                  fix=f"coders with codings: {', '.join(sorted(set(codings['coder'])))}")
        return findings.coder
    if not len(codings):
        return None
    counts = codings["coder"].value_counts()
    return str(sorted(counts.index, key=lambda c: (-counts[c], c))[0])


def _sources(raw: dict[str, Any], findings: Findings, key: Key, private: set[str]) -> dict[str, dict[str, Any]]:
    """document name -> published source (id, name, type, case, label, attributes)."""
    cases: dict[str, dict[str, str]] = defaultdict(dict)
    for row in raw["case_values"].itertuples(index=False):
        if row.attribute not in private and _plain(row.value) not in (None, ""):
            cases[row.case][row.attribute] = key.replace(str(row.value))
    doc_attrs: dict[str, dict[str, str]] = defaultdict(dict)
    for row in raw["document_values"].itertuples(index=False):
        if row.attribute not in private and _plain(row.value) not in (None, ""):
            doc_attrs[row.document][row.attribute] = key.replace(str(row.value))
    out = {}
    for i, doc in enumerate(raw["documents"].itertuples(index=False)):
        case = _plain(doc.case)
        attrs = dict(cases.get(case, {})) if case else {}
        attrs.update({k: v for k, v in doc_attrs.get(doc.name, {}).items() if k not in _HIDDEN_ATTRIBUTES})
        if doc.kind == "literature":
            stype = "literature"
            authors, year = attrs.get("authors"), attrs.get("year")
            first = (authors or "").split(";")[0].split(",")[0].strip()
            label = f"{first}{' et al.' if authors and ';' in authors else ''} ({year})" if first and year \
                else key.replace(doc.name)
        else:
            stype = attrs.get(findings.source_attribute) or doc.kind
            who = key.replace(case or doc.name)
            role = attrs.get("function") or attrs.get("organisation_type")
            label = f"{who} ({stype}{', ' + role if role else ''})"
        out[doc.name] = {"id": f"s{i}", "name": key.replace(doc.name), "type": stype,
                         "case": key.replace(case) if case else None, "label": label,
                         "attributes": {k: v for k, v in attrs.items() if k != "authors" or stype == "literature"}}
    return out


def _speaker(turns: list[tuple[int, int, str | None]], pos: int) -> str | None:
    for start, end, speaker in turns:
        if start <= pos < end:
            return speaker
    return None


def _quotes(raw: dict[str, Any], coder: str | None, theme_of: dict[str, str], sources: dict[str, dict],
            key: Key) -> tuple[list[dict[str, Any]], dict[tuple[str, int, int, str], str]]:
    codings = raw["codings"]
    codings = codings[(codings["coder"] == coder) & codings["code"].isin(list(theme_of))]
    texts = dict(zip(raw["documents"]["name"], raw["documents"]["text"], strict=True)) \
        if "text" in raw["documents"] else {}
    turns: dict[str, list[tuple[int, int, str | None]]] = defaultdict(list)
    for t in raw["turns"].itertuples(index=False):
        turns[t.document].append((t.start, t.end, _plain(t.speaker)))
    mapped: dict[str, tuple[str, Any]] = {}
    out, index = [], {}
    for i, c in enumerate(codings.itertuples(index=False)):
        if len(key):
            if c.document not in mapped:
                mapped[c.document] = key.apply(texts[c.document])
            published, omap = mapped[c.document]
            a, b = omap.span(c.start, c.end)
            text = published[a:b]
        else:
            text = c.quote
        speaker = _speaker(turns.get(c.document, []), c.start)
        qid = f"q{i}"
        out.append({"id": qid, "source": sources[c.document]["id"], "code": c.code, "theme": theme_of[c.code],
                    "text": text, "speaker": key.replace(speaker) if speaker else None})
        index[(c.document, c.start, c.end, c.code)] = qid
    return out, index


def _transcripts(raw: dict[str, Any], findings: Findings, sources: dict[str, dict], key: Key) -> list[dict]:
    """Whole interviews, only where the findings file opts in (publish_transcripts), pseudonymised."""
    if not findings.transcripts:
        return []
    docs = raw["documents"]
    interviews = [d for d, k in zip(docs["name"], docs["kind"], strict=True) if k == "interview"]
    wanted = interviews if findings.transcripts is True else list(findings.transcripts)
    unknown = [d for d in wanted if d not in interviews]
    if unknown:
        raise ValidationError(f"no interview {', '.join(map(repr, unknown))}",
                              where=f"{findings.path}: publish_transcripts", fix="name interview documents")
    texts = dict(zip(docs["name"], docs["text"], strict=True))
    turns = raw["turns"]
    out = []
    for name in wanted:
        published, omap = key.apply(texts[name])
        mine = turns[turns["document"] == name]
        parts = [{"speaker": key.replace(_plain(t.speaker)), "text": published[slice(*omap.span(t.speech_start, t.end))]}
                 for t in mine.itertuples(index=False)]
        if not parts:
            parts = [{"speaker": None, "text": published}]
        out.append({"source": sources[name]["id"], "turns": parts})
    return out


def _recommendations(findings: Findings, codings: pd.DataFrame, coder: str | None, index: dict,
                     code_ids: set[str]) -> list[dict[str, Any]]:
    mine = codings[codings["coder"] == coder]
    out = []
    for rec in findings.recommendations:
        unknown = [c for c in rec.codes if c not in code_ids]
        if unknown:
            raise ValidationError(f"unknown code {', '.join(unknown)}", where=rec.where,
                                  fix="use code ids of the codebook (workbench codebook list)")
        chosen = []
        for ref in rec.quotes:
            starts = " ".join(ref.starts.split())
            hits = mine[(mine["document"] == ref.document) & (mine["code"] == ref.code)]
            hits = hits[hits["quote"].map(lambda q, s=starts: " ".join(q.split()).startswith(s))]
            if not len(hits):
                raise ValidationError(f"no quote of {ref.document} coded {ref.code} by {coder} starts with "
                                      f"{ref.starts!r}", where=ref.where,
                                      fix="copy the first words of a coded quote (workbench segments)")
            h = hits.iloc[0]
            qid = index.get((h["document"], h["start"], h["end"], h["code"]))
            if qid is None:
                raise ValidationError(f"the quote's code {ref.code} is outside the report's themes",
                                      where=ref.where, fix="add its theme to themes:, or pick another quote")
            chosen.append(qid)
        out.append({"id": rec.id, "title": rec.title, "text": rec.text, "codes": rec.codes, "quotes": chosen})
    return out


def _rank(quotes: list[dict[str, Any]], chosen: set[str]) -> None:
    """A fixed order for representative quotes: chosen as evidence first, then about two lines long."""
    order = sorted(quotes, key=lambda q: (q["id"] not in chosen, abs(len(q["text"]) - 170), int(q["id"][1:])))
    for r, q in enumerate(order):
        q["rank"] = r


def build(raw: dict[str, Any], findings: Findings) -> dict[str, Any]:
    """The content model (JSON-ready) from a consistent read of the project."""
    key = Key(raw["key"])
    private = set(raw.get("private_attributes") or [])
    codes, rqs = raw["codes"], raw["research_questions"]
    code_ids = set(codes["id"])
    themes = findings.themes or [c for c, p in zip(codes["id"], codes["parent_id"], strict=True) if _plain(p) is None]
    missing = [t for t in themes if t not in code_ids]
    if missing:
        raise ValidationError(f"unknown theme {', '.join(missing)}", where=f"{findings.path}: themes",
                              fix="themes are code ids, usually the top-level codes")
    theme_of = _theme_of(codes, themes)
    coder = main_coder(raw["codings"], findings)
    sources = _sources(raw, findings, key, private)
    quotes, index = _quotes(raw, coder, theme_of, sources, key)
    recs = _recommendations(findings, raw["codings"], coder, index, code_ids)
    for r in recs:
        r["title"], r["text"] = key.replace(r["title"]), key.replace(r["text"])
    _rank(quotes, {q for r in recs for q in r["quotes"]})
    transcripts = _transcripts(raw, findings, sources, key)
    used = {q["source"] for q in quotes} | {t["source"] for t in transcripts}
    published_sources = [s for s in sources.values() if s["id"] in used]

    def code_entry(row) -> dict[str, Any]:  # codebooks and findings are written by people too: keyed as well
        return {"id": row["id"], "label": key.replace(row["label"]), "gloss": key.replace(_plain(row["gloss"])),
                "definition": key.replace(_plain(row["definition"])), "colour": row["colour"],
                "theme": theme_of[row["id"]], "rq": list(row["rq"] or [])}

    code_rows = {r["id"]: r for r in codes.to_dict("records")}
    theme_list = []
    for t in themes:
        row = code_rows[t]
        members = [code_entry(r) for r in codes.to_dict("records") if theme_of.get(r["id"]) == t]
        theme_list.append({**code_entry(row), "codes": members})
    rq_list = [{"id": r["id"], "label": key.replace(r["label"]), "gloss": key.replace(_plain(r["gloss"])),
                "themes": [t["id"] for t in theme_list if r["id"] in t["rq"]]} for r in rqs.to_dict("records")]
    filter_values: dict[str, list[str]] = {}
    types = {s["type"] for s in published_sources}
    filter_values["source_type"] = [t for t in findings.source_order if t in types] + sorted(
        types - set(findings.source_order))
    for name in findings.filters:
        if name in private:
            continue
        filter_values[name] = sorted({s["attributes"][name] for s in published_sources if s["attributes"].get(name)})
    filter_values["theme"] = [t["id"] for t in theme_list]
    coders = raw["codings"].groupby("coder").agg(codings=("code", "size"), documents=("document", "nunique"))
    model: dict[str, Any] = {
        "meta": {"title": key.replace(findings.title or raw.get("project_name") or "Findings"),
                 "summary": key.replace(findings.summary), "method": key.replace(findings.method), "demo": findings.demo, "main_coder": coder,
                 "coders": [{"coder": c, "codings": int(r.codings), "documents": int(r.documents)}
                            for c, r in coders.iterrows()],
                 "documents": len(raw["documents"]), "coded_documents": int(raw["coded_documents"]),
                 "representative": findings.representative},
        "research_questions": rq_list,
        "themes": theme_list,
        "filters": [{"name": n, "label": LABELS.get(n, n.replace("_", " ").capitalize()), "values": v}
                    for n, v in filter_values.items()],
        "sources": published_sources,
        "quotes": quotes,
        "recommendations": recs,
        "activity": None,
        "transcripts": transcripts,
    }
    return model


def activity_entry(activity: pd.DataFrame | None) -> dict[str, Any] | None:
    """The activity table's codes and the reference counts it was built with (filters recount them)."""
    if activity is None or not len(activity):
        return None
    return {"codes": [str(c) for c in activity["code"]], "labels": [str(x) for x in activity["activity"]],
            "among": "school", "reference": [int(n) for n in activity["schools"]]}


# ---- filtering (the Python twin of report.js's view()) -------------------------------------------------
def _matcher(model: dict[str, Any], filters: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    by_id = {s["id"]: s for s in model["sources"]}
    wanted = {k: v for k, v in filters.items() if v and k != "theme"}

    def ok(quote: dict[str, Any]) -> bool:
        s = by_id[quote["source"]]
        for name, value in wanted.items():
            have = s["type"] if name == "source_type" else s["attributes"].get(name)
            if have != value:
                return False
        return True

    return ok


def representative(quotes: list[dict[str, Any]], types: list[str], n: int) -> list[str]:
    """n quotes by rank, taking the source types in turn so every voice is heard."""
    queues = {t: [q for q in sorted(quotes, key=lambda q: q["rank"]) if q["type"] == t] for t in types}
    out: list[str] = []
    while len(out) < n and any(queues.values()):
        for t in types:
            if queues[t] and len(out) < n:
                out.append(queues[t].pop(0)["id"])
    return out


def view(model: dict[str, Any], filters: dict[str, str] | None = None) -> dict[str, Any]:
    """What every section shows under `filters`: counts of sources per code and type, quotes, activity."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    ok = _matcher(model, filters)
    types = next(f["values"] for f in model["filters"] if f["name"] == "source_type")
    by_id = {s["id"]: s for s in model["sources"]}
    quotes = [{**q, "type": by_id[q["source"]]["type"]} for q in model["quotes"] if ok(q)]
    theme = filters.get("theme")
    out_themes = []
    for t in model["themes"]:
        if theme and t["id"] != theme:
            continue
        mine = [q for q in quotes if q["theme"] == t["id"]]
        counts = {c["id"]: {ty: len({q["source"] for q in mine if q["code"] == c["id"] and q["type"] == ty})
                            for ty in types} for c in t["codes"]}
        out_themes.append({"id": t["id"], "counts": counts, "sources": len({q["source"] for q in mine}),
                           "quotes": len(mine),
                           "representative": representative(mine, types, model["meta"]["representative"]),
                           "drill": [q["id"] for q in sorted(mine, key=lambda q: q["rank"])]})
    activity = None
    if model.get("activity"):
        a = model["activity"]
        rows = []
        for code, label in zip(a["codes"], a["labels"], strict=True):
            which = sorted({by_id[q["source"]]["case"] or by_id[q["source"]]["name"] for q in quotes
                            if q["code"] == code and q["type"] == a["among"]})
            rows.append({"code": code, "activity": label, "schools": len(which), "which": which})
        activity = rows
    theme_codes = {c["id"] for t in model["themes"] if not theme or t["id"] == theme for c in t["codes"]}
    recs = []
    for r in model["recommendations"]:
        if theme and not set(r["codes"]) & theme_codes:
            continue
        kept = {q["id"] for q in quotes}
        evidence = [q["id"] for q in sorted(quotes, key=lambda q: q["rank"]) if q["code"] in r["codes"]]
        recs.append({"id": r["id"], "chosen": [q for q in r["quotes"] if q in kept], "evidence": evidence})
    return {"themes": out_themes, "activity": activity, "recommendations": recs, "quotes": len(quotes)}
