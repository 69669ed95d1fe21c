"""`workbench literature`: import exports, screen by rules, print the flow and the inventory."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import build_parser, main
from workbench.literature.screening import screening_status

from .test_screening_view import build_screening_project

ERIC = "TY  - JOUR\nAU  - Author, A.\nPY  - 2015\nTI  - Career Talks in Primary School!\nER  -\n"
RULES = ("rules:\n  - name: primary\n    decision: include\n    when: {education_level: primary}\n"
         "  - name: secondary only\n    decision: exclude\n    when: {education_level: secondary}\n"
         "    reason: secondary education only\n")


def test_literature_commands(tmp_path: Path, capsys):
    project = build_screening_project(tmp_path)
    root = str(project.root)
    (tmp_path / "eric.ris").write_text(ERIC, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    assert main(["literature", "-p", root, "import", f"ERIC={tmp_path / 'eric.ris'}"]) == 0
    assert "'duplicates': 1" in capsys.readouterr().out  # the ERIC record is alpha2015 again
    assert main(["literature", "-p", root, "screen", str(tmp_path / "rules.yaml"), "--screener", "anna"]) == 0
    out = capsys.readouterr().out
    assert "alpha2015" in out and "secondary only" in out
    assert screening_status(project).set_index("record").loc["beta2008", "status"] == "exclude"
    assert main(["literature", "-p", root, "prisma", "--svg", str(tmp_path / "flow.svg")]) == 0
    out = capsys.readouterr().out
    assert "records from ERIC" in out and "excluded: secondary education only" in out
    assert (tmp_path / "flow.svg").read_text(encoding="utf-8").startswith("<svg")
    assert main(["literature", "-p", root, "inventory", "--by", "year_band"]) == 0
    assert "2013 or later" in capsys.readouterr().out
    assert main(["literature", "-p", root, "import", "=x.ris"]) == 4
    assert "DATABASE=FILE" in capsys.readouterr().err
    assert main(["literature", "-p", root, "inventory", "--by", "planet"]) == 4
    project.close()


def test_every_literature_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    lit = sub.choices["literature"]
    assert sub._choices_actions and any(c.dest == "literature" and c.help for c in sub._choices_actions)
    ops = next(a for a in lit._actions if a.dest == "op")
    assert set(ops.choices) == {"import", "screen", "prisma", "inventory"}
    assert all(c.help for c in ops._choices_actions)
