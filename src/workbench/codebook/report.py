"""The codebook as a document for co-coders: hierarchy, definitions, examples, RQ links and counts."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from ..store.project import Project
from .tree import Codebook


def code_counts(project: Project) -> pd.DataFrame:
    """Per code: codings, documents and cases, for the code alone and with its sub-codes."""
    cb = Codebook(project)
    frame = cb.frame()
    codings = project.codings()
    rows = []
    for cid in frame["id"]:
        own = codings[codings["code"] == cid]
        tree = codings[codings["code"].isin([cid, *cb.descendants(cid)])]
        rows.append({"id": cid, "codings": len(own), "documents": own["document"].nunique(),
                     "cases": own["case"].nunique(), "codings_with_subcodes": len(tree),
                     "documents_with_subcodes": tree["document"].nunique(),
                     "cases_with_subcodes": tree["case"].nunique()})
    columns = ["id", "codings", "documents", "cases", "codings_with_subcodes", "documents_with_subcodes",
               "cases_with_subcodes"]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def to_markdown(project: Project) -> str:
    cb = Codebook(project)
    book = cb.spec()
    frame = cb.frame().set_index("id")
    counts = code_counts(project)
    out = [f"# Codebook: {book.name}", ""]
    if book.research_questions:
        out += ["## Research questions", ""]
        out += [f"- **{r['id']}** {r['label']}" + (f" _({r['gloss']})_" if r["gloss"] else "")
                for r in book.research_questions]
        out.append("")
    out += ["## Codes", ""]
    for c in book.codes:
        depth = int(frame.at[c.id, "depth"])
        n = counts.loc[c.id]
        out.append(f"{'#' * min(6, depth + 3)} {c.label} `{c.id}`")
        out.append("")
        if c.gloss:
            out.append(f"_{c.gloss}_")
            out.append("")
        meta = [f"colour `{c.colour}`"]
        if c.rq:
            meta.append("answers " + ", ".join(c.rq))
        meta.append(f"{n.codings} codings in {n.documents} documents, {n.cases} cases"
                    + (f" ({n.codings_with_subcodes} with sub-codes)" if n.codings_with_subcodes != n.codings else ""))
        out.append(" · ".join(meta))
        out.append("")
        for key, title in (("definition", "Definition"), ("use_when", "Use when"), ("not_when", "Not when"),
                           ("example", "Example")):
            value = getattr(c, key)
            if value:
                out.append(f"- **{title}:** {value}")
        if c.keywords:
            out.append(f"- **Keywords:** {', '.join(c.keywords)}")
        out.append("")
    return "\n".join(out)


def to_html(project: Project) -> str:
    cb = Codebook(project)
    book = cb.spec()
    frame = cb.frame().set_index("id")
    counts = code_counts(project)
    e = html.escape
    parts = ['<!doctype html><html lang="en"><head><meta charset="utf-8">',
             f"<title>Codebook: {e(book.name)}</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;line-height:1.45}"
             ".code{margin:0.6em 0;padding:0.4em 0.8em;border-left:6px solid var(--c)}"
             ".meta{color:#555;font-size:90%}.id{font-family:monospace;color:#777}dt{font-weight:600}"
             "dd{margin:0 0 0.3em 1em}</style></head><body>",
             f"<h1>Codebook: {e(book.name)}</h1>"]
    if book.research_questions:
        parts.append("<h2>Research questions</h2><ul>")
        parts += [f'<li id="{e(r["id"])}"><b>{e(r["id"])}</b> {e(r["label"])} <i>{e(r["gloss"])}</i></li>'
                  for r in book.research_questions]
        parts.append("</ul>")
    parts.append('<h2>Codes</h2><div class="tree">')
    for c in book.codes:
        depth = int(frame.at[c.id, "depth"])
        n = counts.loc[c.id]
        rq = ", ".join(f'<a href="#{e(r)}">{e(r)}</a>' for r in c.rq)
        fields = "".join(f"<dt>{t}</dt><dd>{e(getattr(c, k))}</dd>" for k, t in (
            ("definition", "Definition"), ("use_when", "Use when"), ("not_when", "Not when"), ("example", "Example"))
            if getattr(c, k))
        if c.keywords:
            fields += f"<dt>Keywords</dt><dd>{e(', '.join(c.keywords))}</dd>"
        parts.append(
            f'<div class="code" id="code-{e(c.id)}" style="--c:{e(c.colour)};margin-left:{depth * 1.5}em">'
            f'<b>{e(c.label)}</b> <span class="id">{e(c.id)}</span>'
            + (f" <i>{e(c.gloss)}</i>" if c.gloss else "")
            + f'<div class="meta">{"answers " + rq + " · " if rq else ""}<span class="counts">{n.codings} codings, '
            f"{n.documents} documents, {n.cases} cases</span></div><dl>{fields}</dl></div>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


def write_report(project: Project, folder: str | Path | None = None) -> tuple[Path, Path]:
    folder = Path(folder) if folder else project.root / "coding"
    folder.mkdir(parents=True, exist_ok=True)
    md, ht = folder / "codebook.md", folder / "codebook.html"
    md.write_text(to_markdown(project), encoding="utf-8")
    ht.write_text(to_html(project), encoding="utf-8")
    return md, ht
