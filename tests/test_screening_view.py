"""ScreeningView without a browser: the card it shows, decisions through dispatch, undo, and bad messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.corpus.batch import import_paths
from workbench.errors import ValidationError
from workbench.literature.rules import Rule
from workbench.store.project import Project
from workbench.widgets.screening_view import ScreeningView, record_card

RIS = """TY  - JOUR
ID  - alpha2015
AU  - Author, A.
AU  - Second, B.
PY  - 2015
TI  - Career talks in primary school
JO  - Journal of Tests
AB  - What pupils of ten learn from career talks.
ER  -

TY  - JOUR
ID  - beta2008
AU  - Other, O.
PY  - 2008
TI  - Upper secondary guidance
AB  - Guidance in the last years of secondary school.
ER  -

TY  - GEN
ID  - gamma2016
AU  - Nobody
PY  - 2016
TI  -
AB  - A policy note whose title is not known.
ER  -
"""
RULES = [{"name": "primary", "decision": "include", "when": {"education_level": "primary"},
          "reason": "primary education"},
         {"name": "secondary only", "decision": "exclude", "when": {"education_level": "secondary"}}]


def build_screening_project(root: Path) -> Project:
    """Three references with education levels (also used by the browser test)."""
    src = root / "src"
    src.mkdir(parents=True)
    (src / "refs.ris").write_text(RIS, encoding="utf-8")
    (src / "levels.csv").write_text("document,education_level\nalpha2015,primary\nbeta2008,secondary\n"
                                    "gamma2016,\n", encoding="utf-8")
    project = Project.init(root / "proj")
    report = import_paths(project, [src], progress=False)
    assert set(report["status"]) == {"imported"}, report
    return project


@pytest.fixture
def lit(tmp_path: Path) -> Project:
    p = build_screening_project(tmp_path)
    yield p
    p.close()


def test_record_card_is_pure_and_says_what_is_missing():
    card = record_card("x", {"title": None, "authors": "A, B", "year": 2015, "journal": None, "publisher": "P",
                             "education_level": "primary"}, " Abstract. \n",
                       [Rule("primary", "include", {"education_level": "primary"})], None)
    assert card["title"] == "(no title: not verified)" and card["venue"] == "P" and card["year"] == "2015"
    assert card["abstract"] == "Abstract." and card["decision"] is None and card["reason"] == ""
    assert card["matched"] == [{"name": "primary", "decision": "include", "reason": "primary"}]
    assert card["details"] == {"education_level": "primary"}


def test_view_shows_one_record_with_matched_rules_and_decides_through_screening(lit):
    view = ScreeningView(lit, "anna", rules=RULES)
    assert view.index == 0 and view.card["name"] == "alpha2015"
    assert view.card["title"] == "Career talks in primary school" and view.card["venue"] == "Journal of Tests"
    assert "Author, A." in view.card["authors"] and "career talks" in view.card["abstract"]
    assert [r["name"] for r in view.card["matched"]] == ["primary"]
    reply = view.dispatch({"action": "decide", "decision": "include", "reason": "pupils of ten", "req": 7})
    reply.pop("python_ms")  # every view reports how long Python took
    assert reply == {"event": "done", "req": 7, "action": "decide", "ok": True, "record": "alpha2015",
                     "decision": "include"}
    assert view.card["name"] == "beta2008"  # moved on to the next undecided record
    assert view.progress == {"total": 3, "decided": 1, "include": 1, "exclude": 0, "maybe": 0}
    d = view.screening.decisions().set_index("document")
    assert d.loc["alpha2015", ["decision", "reason"]].tolist() == ["include", "pupils of ten"]
    view.decide("exclude")
    view.goto(0)
    assert view.card["decision"] == "include" and view.card["reason"] == "pupils of ten"
    undone = view.dispatch({"action": "undo"})
    assert undone["ok"] and "exclude beta2008" in undone["message"]
    assert view.progress["decided"] == 1


def test_view_starts_at_the_first_undecided_record(lit):
    ScreeningView(lit, "anna").decide("maybe")
    assert ScreeningView(lit, "anna").card["name"] == "beta2008"
    assert ScreeningView(lit, "ben").card["name"] == "alpha2015"  # each screener has their own queue


def test_bad_messages_are_shown_not_raised(lit):
    view = ScreeningView(lit, "anna")
    reply = view.dispatch({"action": "decide", "decision": "yes"})
    assert not reply["ok"] and "unknown decision 'yes'" in view.error
    assert view.screening.decisions().empty
    assert not view.dispatch({"action": "goto", "index": 99})["ok"] and "no record number 99" in view.error
    assert not view.dispatch({"action": "fly"})["ok"]
    assert view.dispatch({"action": "goto", "index": 2})["ok"] and view.error == ""
    with pytest.raises(ValidationError, match="no literature record 'nope'"):
        ScreeningView(lit, "anna", records=["nope"])
