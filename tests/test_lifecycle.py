"""Taking documents out again: remove (undoable), rename, replace with a corrected file, purge."""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.coding.memos import add_memo
from workbench.coding.session import CodingSession
from workbench.errors import ConflictError, NotFound
from workbench.store.project import Project

PLANTED = "Mijn buurvrouw Hendrika van Oosterwijk werkt bij de bakkerij op de hoek"


def test_remove_takes_codings_turns_and_memos_along_and_undo_brings_them_back(project):
    s = CodingSession(project, "anna")
    s.code("T01", 0, 11, "visit", memo="eerste")
    add_memo(project, "anna", "over dit interview", "document", "T01")
    project.assign("anna", ["T01"])
    turns_before = project.turns("T01")
    counts = project.remove_document("T01", actor="lead")
    assert counts["codings"] == 1 and counts["turns"] == len(turns_before) and counts["memos"] == 1
    assert "T01" not in set(project.documents()["name"])
    assert project.codings().empty and project.assignments().empty
    step = project.undo_step("lead")
    assert "removal of document T01 by lead" in step["message"]
    assert "T01" in set(project.documents()["name"])
    assert project.turns("T01").equals(turns_before)
    assert project.codings()["memo"].tolist() == ["eerste"]
    assert project.text("T01").startswith("[00:00:01] Interviewer")


def test_rename_keeps_codings_and_memos(project):
    CodingSession(project, "anna").code("T01", 0, 11, "visit")
    add_memo(project, "anna", "notitie", "document", "T01")
    project.rename_document("T01", "S-school-1", actor="lead")
    assert list(project.codings()["document"]) == ["S-school-1"]
    assert project.memos()["target_id"].tolist() == ["S-school-1"]
    with pytest.raises(ConflictError, match="exists already"):
        project.rename_document("S-school-1", "T02")
    project.undo("lead")
    assert list(project.codings()["document"]) == ["T01"]


def test_replace_carries_codings_whose_quote_is_found_and_reports_the_rest(project, tmp_path):
    text = project.text("T02")
    s = CodingSession(project, "anna", snap=False)
    i = text.index("Tijd en geld")
    s.code("T02", i, i + len("Tijd en geld"), "resources")
    j = text.index("Techniek is overal")
    s.code("T02", j, j + len("Techniek is overal"), "teacher")
    k = text.index("Een bus")
    s.code("T02", k, k + len("Een bus"), "visit")
    corrected = tmp_path / "T02.txt"
    corrected.write_text("Interviewer: Hoe kijkt u naar techniek?\n\nR: Eerlijk gezegd: techniek is overal. "
                         "Leerkrachten vinden het soms eng.\n\nInterviewer: Wat is lastig?\n\n"
                         "R: Tijd en geld. Een busrit naar een bedrijf kost veel.\n", encoding="utf-8")
    report = project.replace_document("T02", corrected, actor="lead")
    assert report.moved == 2 and report.carried == 0  # 'Tijd en geld' and 'Een bus' moved with their text
    assert report.lost["quote"].tolist() == ["Techniek is overal"]  # not silently shifted
    new_text = project.text("T02")
    for c in project.codings(document="T02").itertuples():
        assert new_text[c.start:c.end] == c.quote
    assert len(project.documents()) == 2
    project.undo("lead")
    assert project.text("T02") == text and len(project.codings(document="T02")) == 3
    project.redo("lead")
    assert project.text("T02") != text


def test_purge_leaves_no_trace_in_the_database_files(project, tmp_path):
    src = tmp_path / "withdrawn"
    src.mkdir()
    (src / "W01.txt").write_text(f"Interviewer: Vertel eens.\n\nW01: {PLANTED}. Dat vind ik mooi.\n\n"
                                 "Interviewer: Dank.\n\nW01: Graag gedaan.\n", encoding="utf-8")
    from workbench.corpus.batch import import_paths

    import_paths(project, [src], progress=False)
    text = project.text("W01")
    at = text.index(PLANTED)
    s = CodingSession(project, "anna", snap=False)
    s.code("W01", at, at + len(PLANTED), "visit", memo=f"citaat: {PLANTED[:30]}")
    add_memo(project, "anna", f"memo met {PLANTED[15:45]}", "document", "W01")
    project.remove_document("W01", actor="lead")  # an ordinary removal first: its log holds the text
    project.undo("lead")
    project.save_run("test", {"about": "W01"}, {})
    counts = project.remove_document("W01", purge=True, actor="lead")
    assert counts["events_scrubbed"] > 0
    project.close()
    needle = PLANTED.encode("utf-8")
    fragment = PLANTED[15:45].encode("utf-8")
    state = project.root / ".workbench"
    for f in state.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert needle not in data and fragment not in data, f"found in {f}"
    again = Project.open(project.root)
    assert "W01" not in set(again.documents()["name"])
    assert len(again.documents()) == 2  # the others are untouched
    with pytest.raises((NotFound, ConflictError)):
        again.undo("lead")  # a purge is not undoable, and the earlier removal is gone with the text


def test_cli_remove_rename_and_undo(project, capsys):
    root = str(project.root)
    assert main(["rename", "-p", root, "T02", "E99", "--actor", "lead"]) == 0
    assert main(["remove", "-p", root, "E99", "--actor", "lead"]) == 0
    out = capsys.readouterr().out
    assert "removed E99" in out and "workbench undo" in out
    assert main(["undo", "-p", root, "--actor", "lead"]) == 0
    assert "undid: removal of document E99 by lead" in capsys.readouterr().out
    assert main(["remove", "-p", root, "nope"]) == 5
    assert "no document 'nope'" in capsys.readouterr().err
