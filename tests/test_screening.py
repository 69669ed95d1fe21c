"""Screening: decisions, named rules on fields and attributes, two screeners, undo, and bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from workbench.corpus.batch import import_paths
from workbench.errors import NotFound, SourceError, ValidationError
from workbench.literature.inventory import inventory, year_band
from workbench.literature.prisma import prisma
from workbench.literature.rules import Rule, load_rules, parse_rules
from workbench.literature.screening import (
    Screening,
    screening_agreement,
    screening_decisions,
    screening_status,
)
from workbench.store.project import Project

REFS = [  # (key, year, title, education level, country)
    ("alpha2015", 2015, "Career talks in primary school", "primary", "Netherlands"),
    ("beta2008", 2008, "Choosing a track at twelve", "primary and secondary", "Belgium"),
    ("gamma2016", 2016, "Upper secondary guidance", "secondary", "Netherlands"),
    ("delta1999", 1999, "Early ideas about work", "primary", "United Kingdom"),
    ("eps2019", 2019, "A policy note", "", "Netherlands"),
]
RULES = [
    {"name": "too old", "decision": "exclude", "when": {"year": {"max": 2001}}, "reason": "before 2002"},
    {"name": "secondary only", "decision": "exclude", "when": {"education_level": "secondary"},
     "reason": "secondary education only"},
    {"name": "primary", "decision": "include", "when": {"education_level": ["primary", "Primary and secondary"]}},
]


@pytest.fixture
def lit(tmp_path: Path) -> Project:
    src = tmp_path / "lib"
    src.mkdir()
    ris = "".join(f"TY  - JOUR\nID  - {k}\nAU  - Author, A.\nPY  - {y}\nTI  - {t}\nAB  - About {t.lower()}.\nER  - \n\n"
                  for k, y, t, _, _ in REFS)
    (src / "refs.ris").write_text(ris, encoding="utf-8")
    (src / "levels.csv").write_text("document,education_level,country\n" + "".join(
        f"{k},{lvl},{c}\n" for k, _, _, lvl, c in REFS), encoding="utf-8")
    (src / "T01.txt").write_text("Interviewer: Hallo?\n\nR: Dag.\n", encoding="utf-8")
    p = Project.init(tmp_path / "proj")
    report = import_paths(p, [src], progress=False)
    assert set(report["status"]) == {"imported"}, report
    yield p
    p.close()


def test_decide_is_logged_replaces_the_earlier_call_and_undoes(lit):
    s = Screening(lit, "anna")
    s.decide("alpha2015", "maybe")
    s.decide("alpha2015", "exclude", reason="  no pupils  ")
    d = s.decisions()
    assert d[["document", "decision", "reason", "stage"]].values.tolist() == [["alpha2015", "exclude", "no pupils", "screen"]]
    groups = lit.groups(actor="anna")
    assert list(groups["action"]) == ["screening.decide", "screening.decide"]
    assert "exclude alpha2015" in groups["summary"].iloc[-1]
    step = s.undo()
    assert "exclude alpha2015" in step["message"]
    assert s.decisions()["decision"].tolist() == ["maybe"]
    s.undo()
    assert s.decisions().empty
    lit.redo("anna")
    assert s.decisions()["decision"].tolist() == ["maybe"]


def test_rules_decide_in_order_and_leave_manual_calls_alone(lit):
    s = Screening(lit, "anna")
    s.decide("beta2008", "exclude", "read it: about adults")
    result = s.apply_rules(RULES).set_index("record")
    assert set(result.index) == {"alpha2015", "gamma2016", "delta1999"}  # beta2008 was decided by hand
    assert result.loc["delta1999", "rule"] == "too old"  # the first matching rule wins...
    assert result.loc["delta1999", "matched"] == ["too old", "primary"]  # ...though another matched too
    assert result.loc["gamma2016", "reason"] == "secondary education only"
    assert result.loc["alpha2015", "reason"] == "primary"  # no reason given: the rule's name says why
    d = s.decisions().set_index("document")
    assert d.loc["beta2008", "decision"] == "exclude" and pd.isna(d.loc["beta2008", "rule"])
    assert d.loc["gamma2016", "rule"] == "secondary only"
    assert "eps2019" not in d.index  # no rule covers a record without an education level
    assert s.pending() == ["eps2019"]
    # the whole rule run is one action: one undo takes all three decisions back
    assert lit.groups(actor="anna")["action"].tolist()[-1] == "screening.rules"
    s.undo()
    assert s.decisions()["document"].tolist() == ["beta2008"]


def test_overwrite_lets_rules_replace_manual_calls(lit):
    s = Screening(lit, "anna")
    s.decide("beta2008", "exclude", "by hand")
    s.apply_rules(RULES, records=["beta2008"], overwrite=True)
    assert s.decisions().set_index("document").loc["beta2008", "decision"] == "include"


def test_rule_conditions():
    rec = {"year": 2013, "education_level": "Primary", "title": "Career Talks", "language": None}
    assert Rule("a", "include", {"year": {"min": 2013, "max": 2013}}).matches(rec)
    assert not Rule("a", "include", {"year": {"min": 2014}}).matches(rec)
    assert Rule("a", "include", {"education_level": "primary"}).matches(rec)  # case-insensitive
    assert Rule("a", "include", {"title": {"contains": "talks"}, "year": 2013}).matches(rec)
    assert not Rule("a", "include", {"title": {"contains": "talks"}, "year": 2012}).matches(rec)  # all must hold
    assert Rule("a", "exclude", {"language": {"missing": True}}).matches(rec)
    assert Rule("a", "exclude", {"education_level": {"not_in": ["secondary"]}}).matches(rec)
    assert not Rule("a", "exclude", {"language": {"not_in": ["nl"]}}).matches(rec)  # empty is not "not in"
    assert not Rule("a", "exclude", {"year": {"min": 2000}}).matches({"year": "in press"})


def test_bad_rules_are_refused_with_where_and_fix(lit, tmp_path):
    with pytest.raises(ValidationError, match="unknown decision 'keep'") as err:
        parse_rules([{"name": "x", "decision": "keep", "when": {"year": 2000}}])
    assert "rule 'x'" in str(err.value) and "fix:" in str(err.value)
    with pytest.raises(ValidationError, match="unknown operator 'after'"):
        parse_rules([{"name": "x", "decision": "include", "when": {"year": {"after": 2000}}}])
    with pytest.raises(ValidationError, match="at least one condition"):
        parse_rules([{"name": "x", "decision": "include"}])
    with pytest.raises(ValidationError, match="two rules are named"):
        parse_rules([RULES[0], RULES[0]])
    with pytest.raises(ValidationError, match="unknown keys"):
        parse_rules([{**RULES[0], "decison": "include"}])
    with pytest.raises(ValidationError, match="no record has the field 'educaton_level'") as err:
        Screening(lit, "anna").apply_rules([{"name": "x", "decision": "include", "when": {"educaton_level": "primary"}}])
    assert "education_level" in str(err.value)  # the fix lists the fields there are
    assert Screening(lit, "anna").decisions().empty
    (tmp_path / "rules.yaml").write_text("rules: [a, b", encoding="utf-8")
    with pytest.raises(SourceError, match="invalid YAML"):
        load_rules(tmp_path / "rules.yaml")


def test_rules_load_from_yaml(lit, tmp_path):
    (tmp_path / "criteria.yaml").write_text(
        "rules:\n  - name: primary\n    decision: include\n    when: {education_level: [primary]}\n", encoding="utf-8")
    rules = load_rules(tmp_path / "criteria.yaml")
    assert [r.name for r in rules] == ["primary"]
    assert set(Screening(lit, "anna").apply_rules(rules)["record"]) == {"alpha2015", "delta1999"}


def test_bad_decisions_name_the_record_and_change_nothing(lit):
    s = Screening(lit, "anna")
    with pytest.raises(ValidationError, match="unknown decision 'yes'") as err:
        s.decide("alpha2015", "yes")
    assert "alpha2015" in str(err.value)
    with pytest.raises(NotFound, match="no literature record 'nope'"):
        s.decide("nope", "include")
    with pytest.raises(ValidationError, match="'T01' is not a literature record"):
        s.decide("T01", "include")
    with pytest.raises(ValidationError, match="invalid actor"):
        Screening(lit, "bad/name")
    assert screening_decisions(lit).empty


def test_two_screeners_conflicts_resolution_and_status(lit):
    anna, ben = Screening(lit, "anna"), Screening(lit, "ben")
    anna.apply_rules(RULES)
    ben.apply_rules(RULES)
    ben.decide("alpha2015", "exclude", "careers fair, not lessons")
    anna.decide("eps2019", "exclude", "policy")
    status = screening_status(lit).set_index("record")
    assert status.loc["alpha2015", "status"] == "conflict"
    assert (status.loc["alpha2015", "anna"], status.loc["alpha2015", "ben"]) == ("include", "exclude")
    assert status.loc["gamma2016", "status"] == "exclude" and status.loc["gamma2016", "decided_by"] == "anna, ben"
    assert status.loc["eps2019", "status"] == "exclude"  # one screener is enough when nobody disagrees
    flow = prisma(lit)
    assert flow.loc[flow["stage"] == "awaiting", "label"].tolist() == ["screeners disagree"]
    anna.resolve("alpha2015", "include", "lessons after all")
    status = screening_status(lit).set_index("record")
    assert status.loc["alpha2015", ["status", "reason", "decided_by"]].tolist() == ["include", "lessons after all", "anna"]
    # the resolution is undoable like any decision
    anna.undo()
    assert screening_status(lit).set_index("record").loc["alpha2015", "status"] == "conflict"


def test_agreement_on_include_matches_sklearn(lit):
    anna, ben = Screening(lit, "anna"), Screening(lit, "ben")
    calls = {"alpha2015": ("include", "include"), "beta2008": ("include", "exclude"),
             "gamma2016": ("exclude", "exclude"), "delta1999": ("exclude", "maybe"), "eps2019": ("include", "include")}
    for name, (a, b) in calls.items():
        anna.decide(name, a)
        ben.decide(name, b)
    result = screening_agreement(lit)
    a = [int(x == "include") for x, _ in calls.values()]
    b = [int(y == "include") for _, y in calls.values()]
    assert result["unit"] == "document" and result["records"] == 5
    assert result["agreed"] == 4 and result["percent_agreement"] == pytest.approx(80.0)
    assert result["cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert result["disagreements"] == ["beta2008"]  # maybe vs exclude is agreement on "not included"
    with pytest.raises(ValidationError, match="two screeners"):
        screening_agreement(lit, ["anna"])
    with pytest.raises(NotFound, match="'carl' has no decisions"):
        screening_agreement(lit, ["anna", "carl"])


def test_prisma_and_inventory_of_a_small_project(lit):
    Screening(lit, "anna").apply_rules(RULES)
    flow = prisma(lit)
    assert flow.iloc[-1].tolist() == ["included", "sources included", 2]
    assert flow.set_index("label").loc["records from other sources", "n"] == 5  # no search exports imported
    assert flow.set_index("label").loc["not screened yet", "n"] == 1
    excluded = flow[flow["stage"] == "excluded"].set_index("label")["n"].to_dict()
    assert excluded == {"excluded: before 2002": 1, "excluded: secondary education only": 1}
    bands = inventory(lit, by="year_band")
    assert bands["sources"].to_dict() == {"2002-2012": 1, "2013 or later": 1}
    assert bands.loc["2013 or later", "records"] == "alpha2015"
    everything = inventory(lit, by="country", status=None)
    assert everything.loc["Netherlands", "sources"] == 3 and everything.loc["Netherlands", "unscreened"] == 1
    assert inventory(lit, by="education_level")["sources"].to_dict() == {"primary": 1, "primary and secondary": 1}
    with pytest.raises(ValidationError, match="no record field 'continent'"):
        inventory(lit, by="continent")


def test_year_bands():
    assert [year_band(y) for y in (1993, 2002, 2012, 2013, "2019a", None, "in press")] == [
        "before 2002", "2002-2012", "2002-2012", "2013 or later", "2013 or later", "(not given)", "(not given)"]
