"""`workbench themes`: frequencies, matrix (and its HTML) and network export from the command line."""

from __future__ import annotations

import networkx as nx

from workbench.cli import main

from .themes_fixtures import code_small


def test_themes_commands(project, tmp_path, capsys):
    code_small(project, tmp_path)
    root = str(project.root)
    assert main(["themes", "-p", root, "frequencies", "--coder", "anna", "--codes", "offer,visit"]) == 0
    out = capsys.readouterr().out
    assert "Bedrijfsbezoek" in out and "own_segments" in out
    assert main(["themes", "-p", root, "matrix", "--coder", "anna", "--columns", "respondent_type", "--value",
                 "cases", "--where", "respondent_type=school"]) == 0
    out = capsys.readouterr().out
    assert "school" in out and "expert" not in out and "saved as run" in out
    page = tmp_path / "m.html"
    assert main(["themes", "-p", root, "matrix", "--columns", "respondent_type", "--html", str(page)]) == 0
    assert "<details>" in page.read_text(encoding="utf-8")
    gexf = tmp_path / "n.gexf"
    assert main(["themes", "-p", root, "network", str(gexf), "--by", "turn", "--coder", "anna"]) == 0
    assert nx.read_gexf(gexf).number_of_nodes() == 5
    assert main(["themes", "-p", root, "matrix", "--where", "nonsense"]) == 4
    assert "ATTRIBUTE=VALUE" in capsys.readouterr().err
