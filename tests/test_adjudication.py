"""Adjudication to a consensus coder (decisions, log, undo, originals untouched), the view's Python side,
and merging another copy's codings by stable ids with conflicts reported."""

from __future__ import annotations

import shutil

import pytest

import workbench as wb
from workbench.analysis.adjudication import Adjudication, clusters
from workbench.coding.bulk import add_codings
from workbench.coding.merge import merge_codings
from workbench.coding.mirror import export_coding
from workbench.errors import NotFound, ValidationError
from workbench.store.project import Project


def span(project: Project, document: str, passage: str) -> tuple[int, int]:
    start = project.text(document).index(passage)
    return start, start + len(passage)


@pytest.fixture
def two_coders(project):
    rows = []

    def add(coder, doc, passage, code, memo=None):
        s, e = span(project, doc, passage)
        rows.append({"document": doc, "start": s, "end": e, "code": code, "coder": coder, "memo": memo})

    add("ann", "T01", "Wij gaan elk jaar op bedrijfsbezoek.", "visit")
    add("bob", "T01", "Wij gaan elk jaar op bedrijfsbezoek. De kinderen maken vooraf een opdracht.", "visit")
    add("ann", "T01", "Ouders geven gastlessen over hun beroep.", "guest")
    add("bob", "T01", "Ouders geven gastlessen over hun beroep.", "guest")  # agreed
    add("ann", "T02", "Tijd en geld.", "resources")  # ann only
    add("bob", "T02", "Leerkrachten vinden het soms eng", "teacher")  # bob only
    add_codings(project, rows, coder=None, actor="setup")
    return project


def test_items_are_the_stretches_where_the_coders_differ(two_coders):
    items, agreed = clusters(two_coders, ["ann", "bob"])
    assert sorted((i.document, i.code) for i in items) == [("T01", "visit"), ("T02", "resources"), ("T02", "teacher")]
    assert [(a.document, a.code) for a in agreed] == [("T01", "guest")]
    visit = next(i for i in items if i.code == "visit")
    assert visit.spans["ann"][0][0] == visit.spans["bob"][0][0] and visit.spans["ann"][0][1] < visit.spans["bob"][0][1]
    assert (visit.start, visit.end) == visit.spans["bob"][0]


def test_decisions_write_the_consensus_coder_and_are_logged(two_coders):
    p = two_coders
    originals = p.codings().query("coder != 'consensus'").drop(columns=["created"]).reset_index(drop=True)
    adj = Adjudication(p, ["ann", "bob"], actor="chair")
    by_code = {i.code: i for i in adj.items}
    adj.decide(by_code["visit"], "b")
    got = p.codings(coder="consensus")
    assert list(zip(got["start"], got["end"], got["code"], strict=True)) == [(*by_code["visit"].spans["bob"][0], "visit")]
    # deciding again replaces, never stacks
    adj.decide(by_code["visit"], "a")
    got = p.codings(coder="consensus")
    assert list(zip(got["start"], got["end"], strict=True)) == [by_code["visit"].spans["ann"][0]]
    adj.decide(by_code["resources"], "neither")
    adj.decide(by_code["teacher"], "edit", by_code["teacher"].start + 13, by_code["teacher"].end)
    teacher = p.codings(coder="consensus", document="T02")
    assert teacher["quote"].tolist() == ["vinden het soms eng"]
    assert adj.copy_agreements() == 1
    assert wb.agreement(p, n_boot=0, save=False)["coders"].iloc[0] == "ann, bob"  # consensus is not a coder here
    log = adj.decisions()
    assert log["decision"].tolist() == ["b", "a", "neither", "edit"] and not log["undone"].any()
    assert log["item"].tolist()[2] == by_code["resources"].id
    # the originals are untouched; each decision is one undoable group of the adjudicator
    assert p.codings().query("coder != 'consensus'").drop(columns=["created"]).reset_index(drop=True).equals(originals)
    p.undo("chair")  # the copied agreements
    step = p.undo_step("chair")
    assert "teacher" in step["message"]
    again = Adjudication(p, ["ann", "bob"], actor="chair")
    states = {i.code: i.decision for i in again.items}
    assert states == {"visit": "a", "resources": "neither", "teacher": None}
    assert again.decisions()["undone"].tolist() == [False, False, False, True]


def test_adjudication_refuses_bad_input(two_coders):
    with pytest.raises(ValidationError, match="two coders"):
        Adjudication(two_coders, ["ann"])
    with pytest.raises(ValidationError, match="consensus coder"):
        Adjudication(two_coders, ["ann", "consensus"])
    adj = Adjudication(two_coders, ["ann", "bob"])
    with pytest.raises(ValidationError, match="unknown decision"):
        adj.decide(0, "maybe")
    with pytest.raises(ValidationError, match="start and end"):
        adj.decide(0, "edit")
    with pytest.raises(ValidationError, match="invalid offsets"):
        adj.decide(0, "edit", 10, 10_000)
    with pytest.raises(NotFound):
        adj.decide(99, "a")
    assert two_coders.codings(coder="consensus").empty and adj.decisions().empty  # nothing half-written


def test_view_python_side(two_coders):
    from workbench.widgets.adjudication_view import AdjudicationView, context_pieces

    view = AdjudicationView(two_coders, ["ann", "bob"], actor="chair")
    first = view.adjudication.items[0]
    ctx = view.context
    text = two_coders.text(first.document)
    assert "".join(p["text"] for p in ctx["pieces"]) == text[ctx["start"]:ctx["end"]]
    marked = [p for p in ctx["pieces"] if "bob" in p["coders"]]
    assert marked and min(p["start"] for p in marked) == first.spans["bob"][0][0]
    reply = view.decide("a")
    assert reply["ok"] and view.index == 1 and "accepted ann" in view.status
    bad = view.dispatch({"action": "decide", "decision": "edit", "start": 5, "end": "x"})
    assert not bad["ok"] and "whole code-point offset" in view.error
    assert view.dispatch({"action": "goto", "index": 0})["ok"] and view.index == 0
    assert not view.dispatch({"action": "explode"})["ok"]
    pieces = context_pieces(text, first, ["ann", "bob"], margin=0)
    assert pieces["pieces"][0]["start"] <= first.start and pieces["pieces"][-1]["end"] >= first.end


# ---- merge ---------------------------------------------------------------------------------------------------
def test_merge_a_copy_by_stable_ids_reports_conflicts(two_coders, tmp_path):
    p = two_coders
    p.engine.dispose()
    other_root = tmp_path / "copy"
    shutil.copytree(p.root, other_root)
    other = Project.open(other_root)
    s, e = span(other, "T02", "Een bus naar een bedrijf kost veel.")
    add_codings(other, [{"document": "T02", "start": s, "end": e, "code": "resources", "coder": "cas"}],
                coder=None, actor="cas")
    mine = other.codings(coder="ann", document="T02").iloc[0]
    other.close()
    # the same coding with another memo there; a code renamed there
    with Project.open(other_root) as o:
        with o.transaction("cas", "edit") as tx:
            from workbench.store.schema import codings
            tx.update(codings, {"id": int(mine["id"])}, memo="their memo")
        wb.Codebook(o, "cas").rename("visit", "Excursie")
    before = len(p.codings())
    report = merge_codings(p, other_root, actor="merger")
    assert report.added == 1 and report.unchanged == before - 1  # the memo conflict is the other one
    kinds = report.conflicts.set_index("kind")
    assert set(kinds.index) == {"memo-differs", "code-differs"}
    assert p.codings(coder="ann", document="T02")["memo"].isna().all()  # not overwritten
    assert p.codes().set_index("id").loc["visit", "label"] == "Bedrijfsbezoek"
    assert p.undo_step("merger")["rows"] == 1
    again = merge_codings(p, other_root, coders=["cas"])
    assert again.added == 1 and str(again).startswith("added 1")


def test_merge_an_export_checks_quotes(two_coders, tmp_path):
    p = two_coders
    folder = tmp_path / "export"
    export_coding(p, folder)
    lines = (folder / "codings.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    cols = first.split(",")
    shifted = ",".join([cols[0], str(int(cols[1]) + 1), str(int(cols[2]) + 1), cols[3], "dan", *cols[5:]])
    unknown = ",".join(["T99", "0", "5", "visit", "dan", "", "xxxxx"])
    nocode = ",".join([cols[0], cols[1], cols[2], "ghost", "dan", *cols[5:]])
    good = ",".join([cols[0], cols[1], cols[2], cols[3], "dan", *cols[5:]])
    (folder / "codings.csv").write_text("\n".join([header, *lines[1:], shifted, unknown, nocode, good]) + "\n",
                                        encoding="utf-8")
    report = merge_codings(p, folder)
    assert report.added == 1 and report.unchanged == len(lines) - 1
    assert sorted(report.conflicts["kind"]) == ["text-differs", "unknown-code", "unknown-document"]
    with pytest.raises(NotFound, match="no project"):
        merge_codings(p, tmp_path / "nowhere")
    (folder / "codings.csv").write_text("document,start\nT01,1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="header"):
        merge_codings(p, folder)
