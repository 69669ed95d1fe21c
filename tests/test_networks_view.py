"""The network and framework widgets' Python side: the state they send and the messages they answer."""

from __future__ import annotations

import itertools
import math

import pytest

import workbench as wb
from workbench.widgets.framework_view import cell_key
from workbench.widgets.network_view import network_state

from .themes_fixtures import code_small


@pytest.fixture
def coded(project, tmp_path):
    return code_small(project, tmp_path)


def test_state_has_positions_sizes_and_counts(coded):
    g = wb.theme_network(coded, by="turn", coder="anna")
    nodes, edges = network_state(g)
    by_id = {n["id"]: n for n in nodes}
    assert set(by_id) == set(g.nodes) and len(edges) == g.number_of_edges()
    assert all(0 <= n["x"] <= 1 and 0 <= n["y"] <= 1 for n in nodes)
    assert by_id["visit"]["r"] > by_id["guest"]["r"]  # 3 occurrences against 1
    assert by_id["visit"]["definition"] == "" and by_id["visit"]["degree"] == g.degree("visit")
    assert {e["kind"] for e in edges} == {"cooccurrence"}


def test_layout_keeps_demo_nodes_apart(demo_project):
    nodes, _ = network_state(wb.theme_network(demo_project, by="turn", coder="coder-a", threshold=2))
    w, h = 800 - 80 - 140, 560 - 80  # the view's drawing area (network_view.js)
    close = [(a["id"], b["id"]) for a, b in itertools.combinations(nodes, 2)
             if math.hypot((a["x"] - b["x"]) * w, (a["y"] - b["y"]) * h) < 0.6 * (a["r"] + b["r"])]
    assert len(close) <= len(nodes) // 10, close


def test_click_fills_quotes_and_a_bad_node_sets_error(coded):
    view = wb.NetworkView(coded, by="turn", coder="anna")
    view.dispatch({"action": "select", "node": "visit"})
    assert view.selected == "visit"
    assert [(q["document"], q["quote"]) for q in view.quotes] == [
        ("T01", "bedrijfsbezoek"), ("T02", "Een bus naar een bedrijf"), ("T03", "bedrijfsbezoek")]
    view.dispatch({"action": "select", "node": "challenges"})  # not drawn: never coded itself
    assert "not in this network" in view.error and view.selected == "visit"
    everyone = wb.NetworkView(coded, wb.theme_network(coded, by="turn"))
    assert len(everyone.select("visit")) == 4  # anna's three and bob's one


def test_framework_view_saves_through_the_matrix(coded):
    grid = wb.framework_matrix(coded, ["offer", "challenges"], coder="anna")
    view = wb.FrameworkView(grid, actor="mia")
    assert view.cells[cell_key("T02", "challenges")]["n"] == 2
    view.dispatch({"action": "save", "case": "T02", "code": "challenges", "summary": "Fear and money."})
    assert view.status == "saved T02 / challenges"
    assert view.cells[cell_key("T02", "challenges")]["summary"] == "Fear and money."
    assert grid.frame().loc["T02", "challenges"] == "Fear and money."
    view.dispatch({"action": "save", "case": "T09", "code": "offer", "summary": "x"})
    assert "'T09'" in view.error
    coded.undo("mia")
    assert grid.frame().loc["T02", "challenges"] == ""
