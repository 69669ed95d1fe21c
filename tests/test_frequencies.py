"""Frequencies against hand-computed counts: own codings, sub-code roll-up, union of coded characters."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.errors import ValidationError

from .themes_fixtures import code_small


@pytest.fixture
def coded(project, tmp_path):
    return code_small(project, tmp_path)


def test_own_counts_without_subcodes(coded):
    f = wb.frequencies(coded, coder="anna", subcodes=False)
    assert list(f.columns) == ["label", "parent", "depth", "segments", "documents", "cases", "characters"]
    visit = f.loc["visit", ["segments", "documents", "cases", "characters"]].to_dict()
    assert visit == {"segments": 3, "documents": 3, "cases": 3, "characters": 14 + 24 + 14}
    assert f.loc["offer", "segments"] == 1 and f.loc["offer", "characters"] == 75
    assert f.loc["challenges", "segments"] == 0 and f.loc["challenges", "characters"] == 0
    assert f.loc["visit", "parent"] == "offer" and f.loc["visit", "depth"] == 1


def test_subcodes_roll_up_and_own_columns_stay(coded):
    f = wb.frequencies(coded, coder="anna")
    offer = f.loc["offer"]
    assert (offer["segments"], offer["documents"], offer["cases"]) == (5, 3, 3)
    # T01: offer's sentence covers "bedrijfsbezoek"; plus "gastlessen"; T02 24; T03 14
    assert offer["characters"] == 75 + 10 + 24 + 14
    assert (offer["own_segments"], offer["own_characters"]) == (1, 75)
    ch = f.loc["challenges"]
    assert (ch["segments"], ch["documents"], ch["cases"], ch["characters"]) == (4, 2, 2, 35 + 40 + 32 + 12)
    assert ch["own_segments"] == 0
    assert f.loc["visit", "segments"] == f.loc["visit", "own_segments"] == 3  # a leaf rolls up nothing


def test_all_coders_count_segments_but_not_characters_twice(coded):
    f = wb.frequencies(coded, codes=["visit"], subcodes=False)
    assert list(f.index) == ["visit"]
    assert (f.loc["visit", "segments"], f.loc["visit", "characters"]) == (4, 52)


def test_where_filters_by_typed_attribute(coded):
    f = wb.frequencies(coded, coder="anna", subcodes=False, where={"age": "45"})  # coerced to the integer 45
    assert f.loc["visit", "documents"] == 1 and f.loc["teacher", "segments"] == 1
    f = wb.frequencies(coded, coder="anna", subcodes=False, where={"respondent_type": ["school", "expert"]})
    assert f.loc["visit", "cases"] == 3
    with pytest.raises(ValidationError, match="whole number") as err:
        wb.frequencies(coded, where={"age": "old"})
    assert "age" in str(err.value)
    with pytest.raises(ValidationError, match="respondent_type"):
        wb.frequencies(coded, where={"nope": 1})


def test_demo_themes_roll_up(demo_project):
    f = wb.frequencies(demo_project, coder="coder-a", codes=["offer", "act-company-visit"])
    assert f.loc["offer", "segments"] > f.loc["act-company-visit", "segments"] > 0
    assert f.loc["offer", "own_segments"] == 0
    raw = demo_project.codings(coder="coder-a")
    assert f.loc["act-company-visit", "segments"] == (raw["code"] == "act-company-visit").sum()


def test_counts_follow_every_change_and_undo(coded):
    before = wb.frequencies(coded, coder="anna", codes=["guest"], subcodes=False).loc["guest", "segments"]
    wb.CodingSession(coded, "anna").code("T02", 44, 52, "guest")
    assert wb.frequencies(coded, coder="anna", codes=["guest"], subcodes=False).loc["guest", "segments"] == before + 1
    coded.undo("anna")
    assert wb.frequencies(coded, coder="anna", codes=["guest"], subcodes=False).loc["guest", "segments"] == before
