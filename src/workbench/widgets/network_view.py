"""The theme network view: pan, zoom, hover for a code's definition and counts, click for its quotes.

Python is the source of truth, as in the coding view: `network_state` (pure, tested) lays the graph out
and turns it into the `nodes` / `edges` traits; the browser (network_view.js) draws them as SVG and sends
`{"action": "select", "node": id}` on a click, which `dispatch` answers by filling `quotes`. Works in
JupyterLab and Voila (anywidget).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import networkx as nx
import traitlets

from ..analysis.networks import layout, theme_network
from ..analysis.selection import select as select_codings
from ..errors import NotFound, WorkbenchError
from ..store.project import Project

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]


def network_state(graph: nx.Graph, seed: int = 42) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(nodes, edges) for the browser: positions in [0, 1], radius ~ sqrt(frequency), width ~ weight."""
    pos = layout(graph, seed)
    top_f = max((d.get("frequency", 0) for _, d in graph.nodes(data=True)), default=1) or 1
    top_w = max((d.get("weight", 0) for _, _, d in graph.edges(data=True)), default=1) or 1
    nodes = []
    for n, d in graph.nodes(data=True):
        x, y = pos.get(n, (0.5, 0.5))
        nodes.append({"id": n, "label": d.get("label", n), "x": round(x, 4), "y": round(y, 4),
                      "r": round(4 + 10 * math.sqrt(d.get("frequency", 0) / top_f), 2),
                      "colour": d.get("colour", "#888888"), "frequency": int(d.get("frequency", 0)),
                      "definition": d.get("definition", ""), "theme": d.get("theme_label", ""),
                      "community": int(d.get("community", 0)),
                      "community_colour": PALETTE[int(d.get("community", 0)) % len(PALETTE)],
                      "degree": int(graph.degree(n))})
    edges = [{"source": a, "target": b, "weight": float(d.get("weight", 0)), "count": int(d.get("count", 0)),
              "kind": d.get("kind", "cooccurrence"), "links": d.get("links", ""),
              "width": round(0.6 + 5 * float(d.get("weight", 0)) / top_w, 2)}
             for a, b, d in graph.edges(data=True)]
    return nodes, edges


class NetworkView(anywidget.AnyWidget):
    """An interactive theme network; `NetworkView(project)` builds `wb.theme_network(project, ...)` itself."""

    _esm = Path(__file__).with_name("network_view.js")
    _css = Path(__file__).with_name("network_view.css")

    nodes = traitlets.List(traitlets.Dict()).tag(sync=True)
    edges = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    quotes = traitlets.List(traitlets.Dict()).tag(sync=True)  # [{document, case, quote, coder}]
    colour_by = traitlets.Unicode("code").tag(sync=True)  # "code" colours or "community"
    title = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, project: Project, graph: nx.Graph | None = None, *, coder: str | None = None,
                 where: Mapping[str, Any] | None = None, max_quotes: int = 25, seed: int = 42,
                 colour_by: str = "code", **network_options: Any):
        self.project = project
        self.graph = graph if graph is not None else theme_network(project, coder=coder, where=where,
                                                                   seed=seed, **network_options)
        self._coder = coder if graph is None else (self.graph.graph.get("coder") or None)
        self._where = dict(where) if where else None
        self._max_quotes = max_quotes
        nodes, edges = network_state(self.graph, seed)
        title = (f"{self.graph.number_of_nodes()} codes, {self.graph.number_of_edges()} edges"
                 f" ({self.graph.graph.get('by', '')}, {self.graph.graph.get('measure', '')})")
        super().__init__(nodes=nodes, edges=edges, title=title, colour_by=colour_by)
        self.on_msg(self._on_msg)

    def select(self, code: str) -> list[dict[str, Any]]:
        """Show the quotes of `code` (the segments behind the node), as a click does."""
        if code not in self.graph:
            raise NotFound(f"code {code!r} is not in this network", where="NetworkView.select",
                           fix="click a node that is drawn")
        sel = select_codings(self.project, coder=self._coder, codes=[code], where=self._where, subcodes=False,
                             with_quote=True)
        spans = sel.spans.sort_values(["document", "start"]).head(self._max_quotes)
        quotes = [{"document": r.document, "case": r.case if isinstance(r.case, str) else "",
                   "quote": r.quote, "coder": r.coder} for r in spans.itertuples()]
        with self.hold_sync():
            self.selected = code
            self.quotes = quotes
            self.error = ""
        return quotes

    def dispatch(self, msg: dict[str, Any]) -> None:
        """Handle one message from the browser."""
        if msg.get("action") == "select":
            try:
                self.select(str(msg.get("node", "")))
            except WorkbenchError as exc:
                self.error = str(exc)

    def _on_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        self.dispatch(content)
