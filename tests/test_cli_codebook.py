"""The codebook and undo commands: thin wrappers, meaningful exit codes, clear errors on stderr."""

from __future__ import annotations

from workbench.cli import main
from workbench.codebook.tree import Codebook

from .conftest import REPO


def test_validate_good_and_bad_files(tmp_path, capsys):
    assert main(["codebook", "validate", str(REPO / "coding" / "framework.yaml")]) == 0
    assert "92 codes" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes:\n- id: a\n  label: A\n  parent: a\n", encoding="utf-8")
    assert main(["codebook", "validate", str(bad)]) == 4
    err = capsys.readouterr().err
    assert "bad.yaml:2" in err and "cycle" in err


def test_operations_and_undo_from_the_command_line(project, capsys):
    p = str(project.root)
    assert main(["codebook", "-p", p, "--user", "anna", "rename", "visit", "Excursie"]) == 0
    assert Codebook(project).get("visit").label == "Excursie"
    assert main(["codebook", "-p", p, "--user", "anna", "move", "teacher", "--parent", "offer"]) == 0
    assert main(["codebook", "-p", p, "--user", "anna", "create", "new", "Nieuw", "--parent", "offer"]) == 0
    assert main(["codebook", "-p", p, "--user", "anna", "delete", "offer"]) == 6  # has sub-codes
    assert "sub-codes" in capsys.readouterr().err
    assert main(["undo", "-p", p, "--user", "anna"]) == 0
    assert main(["undo", "-p", p, "--user", "anna"]) == 0
    assert Codebook(project).get("teacher").parent == "challenges"
    assert main(["undo", "-p", p, "--user", "anna", "--redo"]) == 0
    assert Codebook(project).get("teacher").parent == "offer"
    assert main(["codebook", "-p", p, "report"]) == 0
    assert (project.root / "coding" / "codebook.html").exists()
    assert main(["codebook", "-p", p, "list"]) == 0
    assert "Aanbod / Excursie" in capsys.readouterr().out


def test_missing_project_is_exit_5(tmp_path, capsys):
    assert main(["info", "-p", str(tmp_path)]) == 5
    assert "workbench init" in capsys.readouterr().err
