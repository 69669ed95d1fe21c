"""A PRISMA-style flow of the literature phase: records per database, duplicates removed, screened,
excluded with reasons, included - as a DataFrame, an SVG (no browser or kaleido needed) and a plotly figure.

Identification counts every search-export record (`records_sources`) per database; works that no export
holds (sent by experts, found by citation) count as "other sources". Duplicates removed = records - works
found in at least one export. Each work is screened once; its status comes from `screening_status`.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from ..store.literature import sources_frame
from ..store.project import Project
from .screening import record_fields, screening_status

__all__ = ["prisma", "prisma_figure", "prisma_svg"]

COLUMNS = ["stage", "label", "n"]
NO_REASON = "no reason given"


def prisma(project: Project, *, save: bool = False) -> pd.DataFrame:
    """The flow, one row per box: stage (identification, duplicates, screening, excluded, awaiting,
    included), label, n. The last row is the included sources. `save=True` keeps it as a run."""
    with project.read() as conn:
        sources = sources_frame(conn)
    works = list(record_fields(project).index)
    status = screening_status(project).set_index("record")
    rows: list[dict[str, Any]] = []
    for database, n in sources.groupby("database").size().items():
        rows.append({"stage": "identification", "label": f"records from {database}", "n": int(n)})
    found = set(sources["document"])
    others = [w for w in works if w not in found]
    if others or not rows:
        rows.append({"stage": "identification", "label": "records from other sources", "n": len(others)})
    rows.append({"stage": "duplicates", "label": "duplicates removed", "n": int(len(sources) - len(found))})
    rows.append({"stage": "screening", "label": "records screened", "n": len(works)})
    excluded = status[status["status"] == "exclude"]
    reasons = excluded["reason"].where(excluded["reason"].notna(), NO_REASON)
    for reason, n in reasons.value_counts().sort_index().items():
        rows.append({"stage": "excluded", "label": f"excluded: {reason}", "n": int(n)})
    for state, label in (("maybe", "undecided (maybe)"), ("conflict", "screeners disagree"),
                         ("unscreened", "not screened yet")):
        n = int((status["status"] == state).sum())
        if n:
            rows.append({"stage": "awaiting", "label": label, "n": n})
    rows.append({"stage": "included", "label": "sources included", "n": int((status["status"] == "include").sum())})
    flow = pd.DataFrame(rows, columns=COLUMNS)
    if save:
        project.save_run("prisma", {}, {"flow": flow}, summary={"included": int(flow["n"].iloc[-1])},
                         packages=["pandas"])
    return flow


def _boxes(flow: pd.DataFrame) -> list[dict[str, Any]]:
    """The diagram's boxes: a main column (found, after duplicates, screened, included) and side boxes."""
    ident = flow[flow["stage"] == "identification"]
    n = {s: int(flow.loc[flow["stage"] == s, "n"].sum()) for s in ("duplicates", "screening", "included")}
    side_excl = flow[flow["stage"] == "excluded"]
    side_wait = flow[flow["stage"] == "awaiting"]
    main = [
        {"title": f"Records identified (n = {int(ident['n'].sum())})",
         "lines": [f"{lab.removeprefix('records from ')}: {k}" for lab, k in zip(ident["label"], ident["n"],
                                                                                 strict=True)]},
        {"title": f"Records after duplicates removed (n = {n['screening']})",
         "lines": [f"duplicates removed: {n['duplicates']}"]},
        {"title": f"Records screened (n = {n['screening']})", "lines": []},
        {"title": f"Sources included (n = {n['included']})", "lines": []},
    ]
    side = {2: {"title": f"Records excluded (n = {int(side_excl['n'].sum())})",
                "lines": [f"{lab.removeprefix('excluded: ')}: {k}"
                          for lab, k in zip(side_excl["label"], side_excl["n"], strict=True)]}}
    if len(side_wait):
        side[3] = {"title": f"Awaiting a decision (n = {int(side_wait['n'].sum())})",
                   "lines": [f"{lab}: {k}" for lab, k in zip(side_wait["label"], side_wait["n"], strict=True)]}
    return [{**b, "column": 0, "row": i} for i, b in enumerate(main)] + [
        {**b, "column": 1, "row": r} for r, b in side.items()]


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return lines + ([line] if line else [])


def prisma_svg(flow: pd.DataFrame | Project, *, width: int = 760) -> str:
    """The flow diagram as a standalone SVG string (for the notebook, the published app or a file)."""
    if isinstance(flow, Project):
        flow = prisma(flow)
    boxes = _boxes(flow)
    gap_x, gap_y, line_h, pad = 40, 36, 17, 10
    col_w = (width - 40 - gap_x) // 2
    chars = max(20, int((col_w - 2 * pad) / 7.6))  # about 7.5 px per character at 13 px sans-serif
    for b in boxes:
        b["text"] = [(t, True) for t in _wrap(b["title"], chars)] + [
            (t, False) for line in b["lines"] for t in _wrap(line, chars)]
        b["h"] = pad * 2 + line_h * len(b["text"])
    rows = max(b["row"] for b in boxes) + 1
    heights = [max(b["h"] for b in boxes if b["row"] == r) for r in range(rows)]
    tops = [20 + sum(heights[:r]) + gap_y * r for r in range(rows)]
    height = tops[-1] + heights[-1] + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="wb-prisma" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
           '<defs><marker id="wb-prisma-arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
           '<path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>']
    for b in boxes:
        x = 20 + b["column"] * (col_w + gap_x)
        y, h = tops[b["row"]], heights[b["row"]] if b["column"] == 0 else b["h"]
        b["x"], b["y"], b["h"] = x, y, h
        fill = "#e8f1fb" if b["column"] == 0 else "#fbeee8"
        out.append(f'<g class="wb-prisma-box" data-row="{b["row"]}" data-column="{b["column"]}">'
                   f'<rect x="{x}" y="{y}" width="{col_w}" height="{h}" rx="4" fill="{fill}" stroke="#555"/>')
        for i, (t, bold) in enumerate(b["text"]):
            weight = ' font-weight="bold"' if bold else ""
            out.append(f'<text x="{x + pad}" y="{y + pad + line_h * (i + 1) - 4}"{weight}>{escape(t)}</text>')
        out.append("</g>")
    main = sorted((b for b in boxes if b["column"] == 0), key=lambda b: b["row"])
    for a, b in zip(main, main[1:], strict=False):
        cx = a["x"] + col_w // 2
        out.append(f'<line x1="{cx}" y1="{a["y"] + a["h"]}" x2="{cx}" y2="{b["y"] - 2}" stroke="#555" '
                   'marker-end="url(#wb-prisma-arrow)"/>')
    for b in boxes:
        if b["column"] == 1:
            src = main[b["row"]]
            y = src["y"] + src["h"] // 2
            out.append(f'<line x1="{src["x"] + col_w}" y1="{y}" x2="{b["x"] - 2}" y2="{y}" stroke="#555" '
                       'marker-end="url(#wb-prisma-arrow)"/>')
    out.append("</svg>")
    return "\n".join(out)


def prisma_figure(flow: pd.DataFrame | Project):
    """The flow diagram as a plotly figure (boxes as shapes, counts as annotations)."""
    import plotly.graph_objects as go

    if isinstance(flow, Project):
        flow = prisma(flow)
    boxes = _boxes(flow)
    fig = go.Figure()
    rows = max(b["row"] for b in boxes) + 1
    for b in boxes:
        x0, y1 = b["column"] * 1.15, -b["row"] * 1.3
        x1, y0 = x0 + 1.0, y1 - 1.0
        fill = "#e8f1fb" if b["column"] == 0 else "#fbeee8"
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "#555"}, fillcolor=fill)
        body = "<br>".join(["<b>" + escape(b["title"]) + "</b>"] + [escape(t) for t in b["lines"]])
        fig.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=body, showarrow=False, font={"size": 11})
        if b["column"] == 0 and b["row"] > 0:
            fig.add_annotation(x=0.5, y=y1, ax=0.5, ay=y1 + 0.3, xref="x", yref="y", axref="x", ayref="y",
                               showarrow=True, arrowhead=2, text="")
        if b["column"] == 1:
            fig.add_annotation(x=x0, y=(y0 + y1) / 2, ax=1.0, ay=(y0 + y1) / 2, xref="x", yref="y", axref="x",
                               ayref="y", showarrow=True, arrowhead=2, text="")
    fig.update_xaxes(visible=False, range=[-0.05, 2.2])
    fig.update_yaxes(visible=False, range=[-rows * 1.3 + 0.2, 0.1])
    fig.update_layout(title="Literature flow (PRISMA-style)", height=140 * rows + 80, width=820,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white", showlegend=False)
    return fig
