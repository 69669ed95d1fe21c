"""Export a network for Gephi (GEXF, GraphML) or the web (JSON node-link), chosen by the file's extension.

GEXF and GraphML only hold scalar attributes, so lists and dicts are written as JSON text and missing
values as empty strings; the files re-open with networkx's own readers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import StorageError, ValidationError

FORMATS = {".gexf": "gexf", ".graphml": "graphml", ".json": "json"}


def _scalar(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return json.dumps(value, default=str, ensure_ascii=False)


def flat_copy(graph: nx.Graph) -> nx.Graph:
    """A copy whose graph, node and edge attributes are all scalars."""
    out = graph.__class__()
    out.graph.update({k: _scalar(v) for k, v in graph.graph.items()})
    out.add_nodes_from((n, {k: _scalar(v) for k, v in d.items()}) for n, d in graph.nodes(data=True))
    out.add_edges_from((a, b, {k: _scalar(v) for k, v in d.items()}) for a, b, d in graph.edges(data=True))
    return out


def export_network(graph: nx.Graph, path: str | Path) -> Path:
    """Write `graph` as .gexf, .graphml or .json (node-link); returns the path."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValidationError(f"unknown network format {path.suffix or '(none)'!r}", where=str(path),
                              fix=f"end the file name in {', '.join(FORMATS)}")
    flat = flat_copy(graph)
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "gexf":
            nx.write_gexf(flat, tmp)
        elif fmt == "graphml":
            nx.write_graphml(flat, tmp)
        else:
            data = nx.node_link_data(flat, edges="links")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot write the network: {exc.strerror or exc}", where=str(path),
                           fix="choose a folder you can write to") from exc
    return path
