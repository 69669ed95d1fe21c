"""Theme networks: nodes and weighted edges from co-occurrence, typed links (stored, undoable), Louvain
communities, centralities, ego networks, group comparison, and GEXF/GraphML/JSON that networkx re-opens."""

from __future__ import annotations

import json

import networkx as nx
import pytest

import workbench as wb
from workbench.analysis.networks import set_communities
from workbench.errors import ConflictError, ValidationError

from .themes_fixtures import code_small


@pytest.fixture
def coded(project, tmp_path):
    return code_small(project, tmp_path)


def test_nodes_and_edges_carry_what_the_view_shows(coded):
    g = wb.theme_network(coded, by="turn", coder="anna")
    assert set(g.nodes) == {"offer", "visit", "guest", "resources", "teacher"}  # challenges never coded itself
    visit = g.nodes["visit"]
    assert visit["label"] == "Bedrijfsbezoek" and visit["parent"] == "offer" and visit["theme"] == "offer"
    assert visit["theme_label"] == "Aanbod" and visit["frequency"] == 3 and visit["colour"] == "#1f77b4"
    assert isinstance(visit["community"], int)
    assert g.number_of_edges() == 5 and g.edges["visit", "teacher"]["weight"] == 1
    assert g.edges["visit", "teacher"]["kind"] == "cooccurrence"


def test_threshold_and_normalised_weights(coded):
    g = wb.theme_network(coded, by="document", coder="anna", threshold=2)
    assert {tuple(sorted(e)) for e in g.edges} == {("teacher", "visit"), ("resources", "visit"),
                                                  ("resources", "teacher")}
    a = wb.theme_network(coded, by="sentence", measure="association", coder="anna")
    assert a.edges["offer", "visit"]["weight"] == pytest.approx(1 / 6) and a.edges["offer", "visit"]["count"] == 1


def test_typed_links_are_stored_drawn_and_undoable(coded):
    row = wb.add_link(coded, "resources", "teacher", "leads to", memo="no time to learn")
    assert row["kind"] == "leads to" and row["actor"] == "researcher"
    wb.add_link(coded, "visit", "guest", "contradicts")
    g = wb.theme_network(coded, by="overlap", coder="anna")
    assert g.edges["resources", "teacher"]["kind"] == "link"
    assert g.edges["resources", "teacher"]["links"] == "resources -leads to-> teacher"
    g = wb.theme_network(coded, by="turn", coder="anna")
    assert g.edges["visit", "guest"]["kind"] == "link" and g.edges["visit", "teacher"]["kind"] == "cooccurrence"
    g = wb.theme_network(coded, by="document", coder="anna")
    assert g.edges["resources", "teacher"]["kind"] == "both"
    assert "leads to" not in str(wb.theme_network(coded, by="overlap", coder="anna", links=False).edges(data=True))
    assert len(wb.links(coded)) == 2
    assert coded.undo_step("researcher")["action"] == "link.add"
    assert list(wb.links(coded)["kind"]) == ["leads to"]
    coded.redo("researcher")
    assert len(wb.links(coded)) == 2
    wb.remove_link(coded, "visit", "guest", "contradicts")
    assert len(wb.links(coded)) == 1


def test_bad_links_are_refused_and_leave_nothing(coded):
    wb.add_link(coded, "resources", "teacher", "leads to")
    with pytest.raises(ConflictError, match="already"):
        wb.add_link(coded, "resources", "teacher", "leads to")
    with pytest.raises(wb.NotFound, match="'nope'"):
        wb.add_link(coded, "resources", "nope", "leads to")
    with pytest.raises(ValidationError, match="two different codes"):
        wb.add_link(coded, "visit", "visit", "is part of")
    with pytest.raises(ValidationError, match="kind"):
        wb.add_link(coded, "visit", "guest", " ")
    with pytest.raises(wb.NotFound):
        wb.remove_link(coded, "visit", "guest", "leads to")
    assert len(wb.links(coded)) == 1
    assert len(coded.groups(actor="researcher")) == 1


def test_louvain_finds_two_cliques_joined_by_a_weak_edge():
    g = nx.Graph()
    for block in (["a", "b", "c", "d"], ["w", "x", "y", "z"]):
        g.add_edges_from(((u, v) for i, u in enumerate(block) for v in block[i + 1:]), weight=5.0)
    g.add_edge("d", "w", weight=0.5)
    found = set_communities(g, seed=1)
    assert sorted(map(sorted, found)) == [["a", "b", "c", "d"], ["w", "x", "y", "z"]]
    assert g.nodes["a"]["community"] == g.nodes["d"]["community"] != g.nodes["w"]["community"]
    cent = wb.centralities(g)
    assert cent.loc["d", "degree"] == 4 and cent.loc["d", "strength"] == pytest.approx(15.5)
    assert cent["betweenness"].idxmax() in {"d", "w"}
    ego = wb.ego_network(g, "d")
    assert set(ego.nodes) == {"a", "b", "c", "d", "w"}
    with pytest.raises(wb.NotFound, match="'q'"):
        wb.ego_network(g, "q")


def test_compare_groups(coded):
    cmp = wb.compare_networks(coded, {"schools": {"respondent_type": "school"},
                                      "experts": {"respondent_type": "expert"}}, by="document", coder="anna")
    edges = cmp.edges.set_index(["source", "target"])
    assert edges.loc[("offer", "visit"), "schools"] == 1 and edges.loc[("offer", "visit"), "experts"] == 0
    assert edges.loc[("resources", "teacher")].to_dict() == {"schools": 1.0, "experts": 1.0, "difference": 0.0}
    nodes = cmp.nodes.set_index("code")
    assert nodes.loc["visit", "schools"] == 2 and nodes.loc["visit", "experts"] == 1
    with pytest.raises(ValidationError, match="two groups"):
        wb.compare_networks(coded, {"x": {}})


def test_export_gexf_graphml_json_reopen(coded, tmp_path):
    wb.add_link(coded, "resources", "teacher", "leads to")
    g = wb.theme_network(coded, by="turn", coder="anna")
    for reader, name in ((nx.read_gexf, "net.gexf"), (nx.read_graphml, "net.graphml")):
        back = reader(wb.export_network(g, tmp_path / name))
        assert set(back.nodes) == set(g.nodes) and back.number_of_edges() == g.number_of_edges()
        assert back.nodes["visit"]["label"] == "Bedrijfsbezoek" and int(back.nodes["visit"]["frequency"]) == 3
        assert float(back.edges["visit", "teacher"]["weight"]) == 1.0
    data = json.loads(wb.export_network(g, tmp_path / "web" / "net.json").read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == set(g.nodes) and len(data["links"]) == g.number_of_edges()
    with pytest.raises(ValidationError, match=".gexf"):
        wb.export_network(g, tmp_path / "net.png")
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "net.png").exists()


def test_static_svg_draws_every_node_and_edge(coded):
    g = wb.theme_network(coded, by="turn", coder="anna")
    svg = wb.network_svg(g)
    assert svg.startswith("<svg") and svg.count("<circle") == g.number_of_nodes()
    assert svg.count("<line") == g.number_of_edges() and "Bedrijfsbezoek" in svg


def test_demo_network_has_communities(demo_project):
    g = wb.theme_network(demo_project, by="turn", coder="coder-a", threshold=2)
    assert g.number_of_nodes() > 20 and g.number_of_edges() > 10
    found = wb.communities(g)
    assert sum(len(c) for c in found) == g.number_of_nodes() and len(found) >= 2
