"""Theme networks: codes as nodes, co-occurrence as weighted edges, plus the typed links researchers draw.

`theme_network` returns a networkx Graph (undirected: co-occurrence has no direction; a typed link keeps
its direction in the edge's `links` text, "source -kind-> target"). Node attributes: label, parent, theme
(top-level code), theme_label, frequency (occurrences under `by`), colour, definition, community (Louvain,
seeded). Edge attributes: weight (the measure), count, kind ("cooccurrence", "link" or "both"), links.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import ConflictError, NotFound, ValidationError
from ..store import analysis as store
from ..store.project import Project
from .cooccurrence import cooccurrence
from .selection import code_tree

LINK_KINDS = ("leads to", "contradicts", "is part of", "supports", "is associated with")


# ---- typed links ---------------------------------------------------------------------------------
def add_link(project: Project, source: str, target: str, kind: str, memo: str | None = None, *,
             actor: str = "researcher") -> dict[str, Any]:
    """Store a typed link between two codes (one undoable action of `actor`); returns the row."""
    kind = (kind or "").strip()
    if not kind or len(kind) > 50:
        raise ValidationError(f"invalid link kind {kind!r}", where=f"link {source} -> {target}",
                              fix=f"give a short phrase (at most 50 characters), e.g. {', '.join(LINK_KINDS)}")
    if source == target:
        raise ValidationError("a link needs two different codes", where=f"link {source} -> {target}",
                              fix="pick another target code")
    with project.transaction(actor, "link.add", summary=f"link {source} {kind} {target}") as tx:
        known = store.code_ids(tx.conn)
        missing = [c for c in (source, target) if c not in known]
        if missing:
            raise NotFound(f"no code {', '.join(map(repr, missing))}", where=f"link {source} -> {target}",
                           fix="see wb.Codebook(project).frame() for the ids")
        if store.find_link(tx.conn, source, target, kind) is not None:
            raise ConflictError(f"{source} already {kind} {target}", where=f"link {source} -> {target}",
                                fix="remove the link first or use another kind")
        return store.insert_link(tx, source, target, kind, memo)


def remove_link(project: Project, source: str, target: str, kind: str, *, actor: str = "researcher") -> None:
    """Delete a typed link (undoable)."""
    with project.transaction(actor, "link.remove", summary=f"unlink {source} {kind} {target}") as tx:
        row = store.find_link(tx.conn, source, target, kind)
        if row is None:
            raise NotFound(f"no link {source} {kind} {target}", where="remove_link",
                           fix="see wb.links(project)")
        store.delete_link(tx, row["id"])


def links(project: Project) -> pd.DataFrame:
    """The typed links: id, source, target, kind, memo, actor, created."""
    with project.read() as conn:
        return store.links_frame(conn)


# ---- the network ----------------------------------------------------------------------------------
def theme_network(project: Project, by: str = "overlap", measure: str = "count", threshold: float | None = None,
                  coder: str | None = None, links: bool = True, *, codes: Iterable[str] | None = None,
                  where: Mapping[str, Any] | None = None, distance: int | None = None, subcodes: bool = False,
                  seed: int = 42) -> nx.Graph:
    """Codes that occur (or are linked) as nodes; edges where co-occurrence reaches `threshold`.

    `threshold` defaults to 1 for counts and to anything above 0 for Jaccard / association.
    """
    table = cooccurrence(project, by, distance, measure, coder, codes, where=where, subcodes=subcodes)
    counts = table if measure == "count" else cooccurrence(project, by, distance, "count", coder, codes,
                                                           where=where, subcodes=subcodes)
    occurrences = table.attrs["occurrences"]
    tree = code_tree(project)
    graph = nx.Graph(by=by, measure=measure, threshold=-1 if threshold is None else threshold,
                     coder=coder or "", where=str(dict(where)) if where else "")

    def add_node(code: str) -> None:
        if code in graph:
            return
        info = tree.loc[code]
        theme = str(info["theme"])
        graph.add_node(code, label=str(info["label"]), parent=str(info["parent"] or ""), theme=theme,
                       theme_label=str(tree.loc[theme, "label"]), frequency=int(occurrences.get(code, 0)),
                       colour=str(info["colour"]), definition=str(info["definition"] or ""))

    for code in table.index:
        if occurrences.get(code, 0) > 0:
            add_node(code)
    names = list(table.index)
    values, raw = table.to_numpy(), counts.to_numpy()
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            weight, count = float(values[i, j]), int(raw[i, j])
            if count <= 0:
                continue
            if threshold is None and measure == "count" and weight < 1:
                continue
            if threshold is not None and weight < threshold:
                continue
            graph.add_edge(a, names[j], weight=weight, count=count, kind="cooccurrence", links="")
    if links:
        _add_links(project, graph, tree, set(names), add_node)
    set_communities(graph, seed)
    return graph


def _add_links(project: Project, graph: nx.Graph, tree: pd.DataFrame, chosen: set[str], add_node) -> None:
    for row in globals()["links"](project).itertuples():
        if row.source not in tree.index or row.target not in tree.index:
            continue  # a code merged or deleted since
        if row.source not in chosen or row.target not in chosen:
            continue
        add_node(row.source)
        add_node(row.target)
        text = f"{row.source} -{row.kind}-> {row.target}"
        if graph.has_edge(row.source, row.target):
            edge = graph.edges[row.source, row.target]
            edge["links"] = f"{edge['links']}; {text}" if edge["links"] else text
            if edge["kind"] == "cooccurrence":
                edge["kind"] = "both"
        else:
            graph.add_edge(row.source, row.target, weight=0.0, count=0, kind="link", links=text)


def communities(graph: nx.Graph, seed: int = 42) -> list[set[str]]:
    """Louvain communities on the co-occurrence weights (largest first); isolated codes alone."""
    if graph.number_of_nodes() == 0:
        return []
    if graph.size(weight="weight") <= 0:
        found = [{n} for n in graph.nodes]
    else:
        found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    return sorted(found, key=lambda c: (-len(c), sorted(c)[0]))


def set_communities(graph: nx.Graph, seed: int = 42) -> list[set[str]]:
    found = communities(graph, seed)
    for k, members in enumerate(found):
        for node in members:
            graph.nodes[node]["community"] = k
    return found


def centralities(graph: nx.Graph) -> pd.DataFrame:
    """Per code: degree, strength (weighted degree), betweenness (distance 1/weight), eigenvector."""
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=["label", "degree", "strength", "betweenness", "eigenvector"])
    dist = nx.Graph()
    dist.add_nodes_from(graph.nodes)
    dist.add_edges_from((a, b, {"d": 1.0 / d["weight"]}) for a, b, d in graph.edges(data=True) if d["weight"] > 0)
    between = nx.betweenness_centrality(dist, weight="d")
    try:
        eigen = nx.eigenvector_centrality_numpy(graph, weight="weight") if graph.size(weight="weight") > 0 else {}
    except (nx.NetworkXException, ArithmeticError, ValueError):
        eigen = {}
    frame = pd.DataFrame({
        "label": nx.get_node_attributes(graph, "label"),
        "degree": dict(graph.degree()),
        "strength": dict(graph.degree(weight="weight")),
        "betweenness": between,
        "eigenvector": {n: abs(eigen.get(n, 0.0)) for n in graph.nodes},
    })
    frame.index.name = "code"
    return frame.sort_values(["strength", "degree"], ascending=False)


def ego_network(graph: nx.Graph, code: str, radius: int = 1) -> nx.Graph:
    """The code, its neighbours within `radius` steps, and the edges among them."""
    if code not in graph:
        raise NotFound(f"code {code!r} is not in the network", where="ego_network",
                       fix="it has no codings under these settings; see list(graph.nodes)")
    return nx.ego_graph(graph, code, radius=radius)


@dataclass
class Comparison:
    """Two or more groups' networks side by side: the graphs, and edge weights per group."""

    graphs: dict[str, nx.Graph]
    edges: pd.DataFrame  # source, target, one weight column per group, difference (first - second)
    nodes: pd.DataFrame  # code, label, one frequency column per group


def compare_networks(project: Project, groups: Mapping[str, Mapping[str, Any]], **options: Any) -> Comparison:
    """Build one network per group (`{"experts": {"respondent_type": "expert"}, ...}`) and line them up."""
    if len(groups) < 2:
        raise ValidationError("compare_networks needs at least two groups",
                              fix='pass e.g. {"experts": {"respondent_type": "expert"}, '
                                  '"schools": {"respondent_type": "school"}}')
    graphs = {name: theme_network(project, where=where, **options) for name, where in groups.items()}
    names = list(graphs)
    edge_rows: dict[tuple[str, str], dict[str, Any]] = {}
    for name, g in graphs.items():
        for a, b, d in g.edges(data=True):
            key = tuple(sorted((a, b)))
            edge_rows.setdefault(key, {"source": key[0], "target": key[1]})[name] = d["weight"]
    edges = pd.DataFrame(list(edge_rows.values()), columns=["source", "target", *names])
    edges[names] = edges[names].fillna(0.0)
    edges["difference"] = edges[names[0]] - edges[names[1]]
    edges = edges.sort_values("difference", key=abs, ascending=False, ignore_index=True)
    node_rows: dict[str, dict[str, Any]] = {}
    for name, g in graphs.items():
        for n, d in g.nodes(data=True):
            node_rows.setdefault(n, {"code": n, "label": d["label"]})[name] = d["frequency"]
    nodes = pd.DataFrame(list(node_rows.values()), columns=["code", "label", *names])
    nodes[names] = nodes[names].fillna(0).astype("int64")
    return Comparison(graphs, edges, nodes)


# ---- layout and a static picture ------------------------------------------------------------------
def _spread(xy: np.ndarray, gap: float, rounds: int = 80) -> np.ndarray:
    """Push apart nodes closer than `gap` (unit square), so circles do not hide each other."""
    for _ in range(rounds):
        diff = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((diff ** 2).sum(-1)) + np.eye(len(xy))
        push = np.clip(gap - dist, 0, None)
        np.fill_diagonal(push, 0)
        if not push.any():
            break
        xy = xy + 0.5 * (diff / dist[..., None] * push[..., None]).sum(1)
        xy = (xy - xy.min(0)) / np.where(np.ptp(xy, 0) > 0, np.ptp(xy, 0), 1)
    return xy


def layout(graph: nx.Graph, seed: int = 42) -> dict[str, tuple[float, float]]:
    """Node positions in [0, 1] x [0, 1]: a seeded spring layout on the weights (the same picture each
    time), then spread so that no two nodes sit closer than about a node's diameter."""
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    if graph.number_of_edges():
        pos = nx.spring_layout(graph, weight="weight", seed=seed, k=1.6 / math.sqrt(n), iterations=150)
    else:
        pos = nx.circular_layout(graph)
    names = list(pos)
    xy = np.array([pos[k] for k in names], dtype=float)
    xy = (xy - xy.min(0)) / np.where(np.ptp(xy, 0) > 0, np.ptp(xy, 0), 1)
    if n > 1:
        xy = _spread(xy, gap=min(0.12, 0.9 / math.sqrt(n)))
    return {k: (float(x), float(y)) for k, (x, y) in zip(names, xy, strict=True)}


def network_svg(graph: nx.Graph, *, width: int = 900, height: int = 650, seed: int = 42,
                labels: bool = True) -> str:
    """An SVG drawing of the network for reports: node size ~ frequency, edge width ~ weight."""
    pos = layout(graph, seed)
    pad = 60
    top_w = max((d["weight"] for _, _, d in graph.edges(data=True)), default=1.0) or 1.0
    top_f = max((d.get("frequency", 0) for _, d in graph.nodes(data=True)), default=1) or 1

    def xy(n: str) -> tuple[float, float]:
        x, y = pos[n]
        return pad + x * (width - 2 * pad), pad + y * (height - 2 * pad)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             '<rect width="100%" height="100%" fill="white"/>']
    for a, b, d in graph.edges(data=True):
        (x1, y1), (x2, y2) = xy(a), xy(b)
        w = 0.5 + 5 * d["weight"] / top_w
        dash = ' stroke-dasharray="5,3"' if d["kind"] == "link" else ""
        colour = "#b04" if d["kind"] != "cooccurrence" else "#999"
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                     f'stroke-opacity="0.6" stroke-width="{w:.2f}"{dash}/>')
    for n, d in graph.nodes(data=True):
        x, y = xy(n)
        r = 4 + 14 * math.sqrt(d.get("frequency", 0) / top_f)
        title = html.escape(f"{d.get('label', n)} ({d.get('frequency', 0)})")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{html.escape(d.get("colour", "#888"))}" '
                     f'stroke="#333" stroke-width="0.6"><title>{title}</title></circle>')
        if labels:
            parts.append(f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}">{html.escape(str(d.get("label", n)))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
