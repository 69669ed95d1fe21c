"""wb.matrix against hand-computed tables, its HTML drill-down, saved runs, and the demo's tables."""

from __future__ import annotations

import pandas as pd
import pytest

import workbench as wb
from workbench.errors import ValidationError

from .themes_fixtures import code_small


@pytest.fixture
def coded(project, tmp_path):
    return code_small(project, tmp_path)


def test_cases_per_attribute_value(coded):
    t = wb.matrix(coded, columns="respondent_type", value="cases", coder="anna", subcodes=False)
    assert list(t.columns) == ["expert", "school"]
    assert t.loc["visit"].to_dict() == {"expert": 1, "school": 2}
    assert t.loc["offer"].to_dict() == {"expert": 0, "school": 1}
    assert t.loc["challenges"].to_dict() == {"expert": 0, "school": 0}


def test_share_is_the_share_of_the_columns_cases(coded):
    t = wb.matrix(coded, columns="respondent_type", value="share", coder="anna", subcodes=False)
    assert t.loc["visit", "school"] == 1.0 and t.loc["offer", "school"] == 0.5
    assert t.loc["guest", "school"] == 0.5 and t.loc["guest", "expert"] == 0.0
    rolled = wb.matrix(coded, columns="respondent_type", value="share", coder="anna")
    assert rolled.loc["offer", "school"] == 1.0 and rolled.loc["challenges", "expert"] == 1.0


def test_segments_documents_and_case_columns(coded):
    seg = wb.matrix(coded, columns="case", value="segments", subcodes=False)
    assert seg.loc["visit"].to_dict() == {"T01": 2, "T02": 1, "T03": 1}  # anna and bob in T01
    docs = wb.matrix(coded, columns="case", value="documents", subcodes=False)
    assert docs.loc["visit"].to_dict() == {"T01": 1, "T02": 1, "T03": 1}
    rolled = wb.matrix(coded, columns="document", coder="anna")
    assert rolled.loc["offer"].to_dict() == {"T01": 3, "T02": 1, "T03": 1}


def test_mapping_columns_and_where(coded):
    t = wb.matrix(coded, columns={"T01": "pair", "T02": "pair"}, value="cases", coder="anna", subcodes=False)
    assert list(t.columns) == ["pair"] and t.loc["visit", "pair"] == 2  # T03 has no group: left out
    t = wb.matrix(coded, columns="case", value="segments", coder="anna", where={"respondent_type": "school"})
    assert list(t.columns) == ["T01", "T03"]


def test_text_cells_hold_the_coded_passages(coded):
    t = wb.matrix(coded, columns="respondent_type", value="text", coder="anna", subcodes=False)
    assert t.loc["visit", "school"] == "[T01] bedrijfsbezoek\n\n[T03] bedrijfsbezoek"
    assert t.loc["resources", "expert"] == "[T02] Tijd en geld"
    assert t.loc["challenges", "school"] == ""


def test_html_embeds_the_quotes_behind_each_cell(coded):
    page = wb.matrix_html(coded, columns="respondent_type", value="cases", coder="anna", subcodes=False)
    # non-empty cells: visit x2, offer, guest, resources x2, teacher x2
    assert page.count("<details>") == 8
    assert "<blockquote><b>T02</b> Tijd en geld</blockquote>" in page
    assert "Tijd en geld" in page and "Bedrijfsbezoek" in page  # code labels, not ids


def test_saved_as_a_run(coded):
    t = wb.matrix(coded, columns="respondent_type", value="share", coder="anna", save=True)
    run = coded.run(t.attrs["run"])
    assert run.kind == "matrix" and run.params["value"] == "share" and not run.stale
    pd.testing.assert_frame_equal(run.table("table"), t, check_names=False, check_dtype=False)


def test_bad_arguments(coded):
    with pytest.raises(ValidationError, match="rows='code'"):
        wb.matrix(coded, rows="case")
    with pytest.raises(ValidationError, match="share"):
        wb.matrix(coded, value="percent")
    with pytest.raises(ValidationError, match="respondent_type"):
        wb.matrix(coded, columns="colour_of_door")
    with pytest.raises(wb.NotFound, match="'x'"):
        wb.matrix(coded, codes=["x"])


def test_demo_literature_experts_schools_and_activity_table(demo_project):
    groups = wb.source_groups(demo_project)
    assert set(groups.values()) == {"literature", "expert", "school"}
    themes = ["concept", "role", "offer", "occupations", "success", "challenges"]
    t = wb.matrix(demo_project, columns=groups, value="documents", codes=themes, coder="coder-a")
    assert list(t.columns) == ["expert", "literature", "school"]
    assert (t["school"] <= 10).all() and (t["expert"] <= 16).all() and t["literature"].sum() > 0
    # the study's activity table is the school-cases matrix
    act = wb.activity_table(demo_project)
    by_school = wb.matrix(demo_project, columns="respondent_type", value="cases", coder="coder-a",
                          codes=list(act["code"]))
    assert act.set_index("code")["schools"].to_dict() == by_school["school"].to_dict()
    assert act.loc[0, "which"].count("S") == act.loc[0, "schools"] == 7
    # a boolean attribute, given as text, is coerced
    ext = wb.matrix(demo_project, columns="respondent_type", value="cases", coder="coder-a",
                    where={"external_organisation": "yes"}, codes=["offer"])
    assert list(ext.columns) == ["school"] and ext.loc["offer", "school"] <= 5
