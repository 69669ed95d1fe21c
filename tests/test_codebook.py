"""Codebook: YAML validation with line numbers, every operation with its undo and its refusals."""

from __future__ import annotations

import pytest

from workbench.codebook import io
from workbench.codebook.report import to_html, to_markdown, write_report
from workbench.codebook.tree import Codebook
from workbench.coding.session import CodingSession
from workbench.errors import ConflictError, ValidationError

from .conftest import CODEBOOK, REPO


def labels(p):
    return dict(zip(p.codes()["id"], p.codes()["label"], strict=True))


def parents(p):
    return {c.id: c.parent for c in Codebook(p).spec().codes}


# ---- malformed files -------------------------------------------------------------------------------
@pytest.mark.parametrize("text, message, line", [
    ("codes:\n- id: a\n  label: A\n   colour: x\n", "invalid YAML", 4),
    ("codes:\n- id: a\n  label: A\n  parent: b\n- id: b\n  label: B\n  parent: a\n", "cycle", None),
    ("codes:\n- id: a\n  label: A\n- id: a\n  label: B\n", "duplicate code id 'a'", 4),
    ("codes:\n- id: a\n  label: A\n  parent: nope\n", "unknown parent 'nope'", 4),
    ("codes:\n- id: a\n  label: A\n  colour: red\n", "invalid colour 'red'", 4),
    ("codes:\n- id: a\n  label: A\n- id: b\n  label: a\n", "label 'a' is used twice", 5),
    ("codes:\n- id: a\n  label: A\n  rq: [RQ9]\n", "unknown research question 'RQ9'", 4),
    ("codes:\n- id: a\n  label: A\n  patterns: ['(']\n", "invalid pattern", 4),
    ("codes:\n- id: a\n  label: A\n  colur: '#ffffff'\n", "unknown key(s) colur", 4),
    ("name: x\n", "must be a mapping with a `codes:` list", 1),
])
def test_malformed_codebooks_get_clear_errors(text, message, line):
    with pytest.raises(ValidationError) as err:
        io.parse(text, "cb.yaml")
    assert message in str(err.value)
    if line is not None:
        assert f"cb.yaml:{line}" in str(err.value)


def test_same_label_under_different_parents_is_allowed():
    book = io.parse("codes:\n- id: a\n  label: A\n- id: b\n  label: B\n- id: a1\n  label: Other\n  parent: a\n"
                    "- id: b1\n  label: Other\n  parent: b\n")
    assert [c.id for c in book.codes] == ["a", "b", "a1", "b1"]


def test_demo_framework_loads_and_has_the_six_themes():
    book = io.load(REPO / "coding" / "framework.yaml")
    top = [c.id for c in book.codes if c.parent is None]
    assert top[:6] == ["concept", "role", "offer", "occupations", "success", "challenges"]
    assert {r["id"] for r in book.research_questions} == {"RQ1", "RQ2", "RQ3", "RQ4", "RQ5"}
    assert all(c.definition and c.use_when and c.not_when and c.example for c in book.codes)


def test_framework_file_is_in_canonical_form():
    path = REPO / "coding" / "framework.yaml"
    assert io.dumps(io.load(path)) == path.read_text(encoding="utf-8")


# ---- operations with undo ----------------------------------------------------------------------------
def test_create_rename_recolour_and_undo(project):
    cb = Codebook(project, "lead")
    cb.create("parents", "Ouders", parent="challenges", definition="Invloed van ouders")
    assert labels(project)["parents"] == "Ouders"
    cb.rename("parents", "Ouders en familie")
    cb.recolour("parents", "#123456")
    assert cb.get("parents").colour == "#123456"
    cb.undo()
    assert cb.get("parents").colour != "#123456"
    cb.undo()
    assert labels(project)["parents"] == "Ouders"
    cb.undo()
    assert "parents" not in labels(project)
    cb.redo()
    assert labels(project)["parents"] == "Ouders"


def test_refusals(project):
    cb = Codebook(project, "lead")
    with pytest.raises(ValidationError, match="exists already"):
        cb.create("visit", "Nog een bezoek")
    with pytest.raises(ValidationError, match="used twice"):
        cb.create("visit2", "Gastles", parent="offer")
    with pytest.raises(ValidationError, match="invalid colour"):
        cb.recolour("visit", "blue")
    with pytest.raises(ValidationError, match="own descendant"):
        cb.move("offer", "visit")
    assert parents(project)["offer"] is None  # refused operations leave nothing behind


def test_move_and_reorder_with_undo(project):
    cb = Codebook(project, "lead")
    cb.move("teacher", "offer")
    assert parents(project)["teacher"] == "offer"
    order = cb.reorder("teacher", 0)
    assert order[0] == "teacher"
    assert [c.id for c in cb.spec().codes if c.parent == "offer"][0] == "teacher"
    cb.undo()
    cb.undo()
    assert parents(project)["teacher"] == "challenges"


def test_merge_moves_codings_keeps_memos_and_undoes(project):
    s = CodingSession(project, "coder-a")
    s.code("T01", 0, 11, "visit", memo="eerste")
    s.code("T01", 0, 11, "guest", memo="tweede")  # same span: merging must not duplicate it
    s.code("T02", 0, 11, "guest")
    cb = Codebook(project, "lead")
    moved = cb.merge("guest", "visit")
    assert moved == 2
    df = project.codings()
    assert set(df["code"]) == {"visit"} and len(df) == 2
    merged = df[(df["document"] == "T01")].iloc[0]
    assert "eerste" in merged["memo"] and "tweede" in merged["memo"]
    assert "guest" not in labels(project)
    cb.undo()
    df = project.codings()
    assert sorted(df["code"]) == ["guest", "guest", "visit"]
    assert "guest" in labels(project)


def test_merge_reparents_subcodes(project):
    cb = Codebook(project, "lead")
    cb.merge("challenges", "offer")
    assert parents(project)["resources"] == "offer"
    with pytest.raises(ValidationError, match="into itself"):
        cb.merge("offer", "offer")


def test_split_moves_chosen_codings(project):
    s = CodingSession(project, "coder-a")
    keep = s.code("T01", 0, 11, "visit")
    move = s.code("T02", 0, 11, "visit")
    cb = Codebook(project, "lead")
    counts = cb.split("visit", [("visit-real", "Echt bezoek"), ("visit-virtual", "Virtueel bezoek")],
                      {move: "visit-virtual"})
    assert counts == {"visit-real": 0, "visit-virtual": 1}
    df = project.codings().set_index("id")
    assert df.at[keep, "code"] == "visit" and df.at[move, "code"] == "visit-virtual"
    with pytest.raises(ValidationError, match="not codings of"):
        cb.split("guest", [("g2", "G2")], {keep: "g2"})
    cb.undo()
    assert project.codings().set_index("id").at[move, "code"] == "visit"
    assert "visit-virtual" not in labels(project)


def test_delete_refuses_while_codings_or_children_exist(project):
    s = CodingSession(project, "coder-a")
    s.code("T01", 0, 11, "visit")
    cb = Codebook(project, "lead")
    with pytest.raises(ConflictError, match="still has 1 codings"):
        cb.delete("visit")
    with pytest.raises(ConflictError, match="sub-codes"):
        cb.delete("offer")
    cb.delete("teacher")  # no codings: fine
    assert "teacher" not in labels(project)
    cb.delete("visit", codings_to="guest")
    assert set(project.codings()["code"]) == {"guest"}
    cb.undo()
    cb.undo()
    assert {"visit", "teacher"} <= set(labels(project))
    assert set(project.codings()["code"]) == {"visit"}
    cb.delete("visit", delete_codings=True)
    assert project.codings().empty


def test_update_fields_and_refuse_ids(project):
    cb = Codebook(project, "lead")
    cb.update("visit", definition="Een bezoek aan een bedrijf", keywords=["excursie"])
    assert cb.get("visit").keywords == ["excursie"]
    with pytest.raises(ValidationError, match="ids never change"):
        cb.update("visit", id="x")


def test_report_has_hierarchy_definitions_rq_and_counts(project, tmp_path):
    CodingSession(project, "coder-a").code("T01", 0, 11, "visit")
    Codebook(project, "lead").update("visit", definition="Bezoek aan een bedrijf", example="We gingen naar de bakker.")
    md = to_markdown(project)
    assert "# Codebook: Testboek" in md and "**RQ1**" in md
    assert "#### Bedrijfsbezoek `visit`" in md  # depth 1 -> h4
    assert "1 codings in 1 documents, 1 cases" in md
    assert "We gingen naar de bakker." in md
    page = to_html(project)
    assert 'id="code-visit"' in page and 'href="#RQ1"' in page
    md_path, html_path = write_report(project, tmp_path / "out")
    assert md_path.read_text(encoding="utf-8") == md and html_path.exists()


def test_loaded_codebook_round_trips_to_the_same_yaml(project):
    assert io.dumps(Codebook(project).spec()) == io.dumps(io.parse(CODEBOOK))
