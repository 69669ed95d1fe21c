"""Framework matrix: case x theme summaries stored with the codings they summarise, undoable."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.errors import ValidationError

from .themes_fixtures import code_small


@pytest.fixture
def coded(project, tmp_path):
    return code_small(project, tmp_path)


def test_cells_link_the_segments_they_summarise(coded):
    fm = wb.framework_matrix(coded, ["challenges", "offer"], coder="anna")
    assert fm.codes == ["offer", "challenges"] and fm.cases == ["T01", "T02", "T03"]  # tree order
    assert fm.counts().loc["T01"].to_dict() == {"offer": 3, "challenges": 2}
    behind = fm.segments("T02", "challenges")
    assert list(behind["quote"]) == ["Leerkrachten vinden het soms eng", "Tijd en geld"]
    row = fm.set("T02", "challenges", "  Teachers fear technology; time and money.  ")
    assert row["summary"] == "Teachers fear technology; time and money." and row["codings"] == list(behind["id"])
    assert fm.frame().loc["T02", "challenges"] == row["summary"] and fm.frame().loc["T01", "offer"] == ""
    fm.set("T02", "challenges", "Only money.", codings=[int(behind["id"].iloc[1])])
    cell = fm.cells().iloc[0]
    assert cell["summary"] == "Only money." and cell["codings"] == [int(behind["id"].iloc[1])]
    page = fm.to_html()
    assert "Only money." in page and "<b>T02</b> Tijd en geld" in page and "Leerkrachten" not in page
    assert "(3 segments, no summary yet)" in page  # T01 / offer


def test_edits_are_undoable_and_clearing_removes_the_cell(coded):
    fm = wb.framework_matrix(coded, ["offer"], cases=["T01"])
    fm.set("T01", "offer", "Visits and guest lessons.", actor="mia")
    fm.set("T01", "offer", "Visits, guest lessons.", actor="mia")
    assert coded.undo_step("mia")["action"] == "framework.cell"
    assert fm.frame().loc["T01", "offer"] == "Visits and guest lessons."
    fm.set("T01", "offer", "", actor="mia")
    assert fm.cells().empty
    coded.undo("mia")
    assert fm.frame().loc["T01", "offer"] == "Visits and guest lessons."
    # a fresh matrix object reads the same stored cells
    assert wb.framework_matrix(coded, ["offer"]).frame().loc["T01", "offer"] == "Visits and guest lessons."


def test_bad_cells_are_refused_and_leave_nothing(coded):
    fm = wb.framework_matrix(coded, ["offer", "challenges"], coder="anna")
    other = int(fm.segments("T01", "offer")["id"].iloc[0])
    with pytest.raises(ValidationError, match="not segments of challenges in T01"):
        fm.set("T01", "challenges", "x", codings=[other])
    with pytest.raises(wb.NotFound, match="'T09'"):
        fm.set("T09", "offer", "x")
    with pytest.raises(wb.NotFound, match="'guest'"):
        fm.set("T01", "guest", "x")
    with pytest.raises(wb.NotFound, match="'T09'"):
        wb.framework_matrix(coded, ["offer"], cases=["T09"])
    with pytest.raises(ValidationError, match="at least one code"):
        wb.framework_matrix(coded, [])
    assert fm.cells().empty and coded.groups(actor="researcher").empty
