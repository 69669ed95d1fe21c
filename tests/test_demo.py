"""The demo project reproduces the study: its sources, its attributes and its activity table."""

from __future__ import annotations

import re

from workbench.demo import activity_table

from .conftest import REPO

STUDY_TABLE = {"act-company-visit": 7, "act-guest-lesson-parents": 4, "act-talent-conversation": 4,
               "act-project-week": 2, "act-social-internship": 1, "act-portfolio": 1}


def test_all_26_interviews_and_the_literature(demo_project):
    docs = demo_project.documents()
    interviews = docs[docs["kind"] == "interview"]
    assert sorted(interviews["name"]) == [f"E{i:02d}" for i in range(1, 17)] + [f"S{i:02d}" for i in range(1, 11)]
    assert (docs["kind"] == "literature").sum() == 32
    assert all(m.get("fictional") is True for m in interviews["meta"])


def test_transcripts_are_pseudonymised_fictional_and_long_enough(demo_project):
    for name in demo_project.documents().query("kind == 'interview'")["name"]:
        words = len(demo_project.text(name).split())
        assert 800 <= words <= 2000, (name, words)
        speakers = set(demo_project.turns(name)["speaker"])
        assert speakers == {"Interviewer", name}
    raw = (REPO / "corpus" / "interviews" / "S01.txt").read_text(encoding="utf-8")
    assert "fictional: true" in raw and "Fictief" in raw


def test_attributes_follow_the_study(demo_project):
    attrs = demo_project.case_attributes()
    assert (attrs["respondent_type"] == "expert").sum() == 16
    assert (attrs["respondent_type"] == "school").sum() == 10
    assert {"organisation_type", "function", "region", "school_type", "grades"} <= set(attrs.columns)
    schools = attrs[attrs["respondent_type"] == "school"]
    assert (schools["external_organisation"] == True).sum() == 5  # noqa: E712 - nullable boolean


def test_literature_has_bibliographic_attributes_and_inclusion(demo_project):
    lit = demo_project.document_attributes()
    assert lit.loc["gottfredson2002", "year"] == 2002
    assert "Gottfredson" in lit.loc["gottfredson2002", "authors"]
    assert set(lit["inclusion"].dropna()) == {"included", "excluded", "background"}
    # titles are only given where checked: the unverified ones stay empty and say so
    assert lit["title"].isna().sum() >= 1
    assert lit.loc[lit["title"].isna(), "notes"].str.contains("not verified").all()


def test_activity_table_reproduces_the_study(demo_project):
    table = activity_table(demo_project).set_index("code")["schools"].to_dict()
    assert table == STUDY_TABLE


def test_two_coders_and_every_document_coded(demo_project):
    codings = demo_project.codings()
    a = codings[codings["coder"] == "coder-a"]
    b = codings[codings["coder"] == "coder-b"]
    interviews = set(demo_project.documents().query("kind == 'interview'")["name"])
    assert interviews <= set(a["document"])
    assert (a["document"].isin(set(demo_project.documents().query("kind == 'literature'")["name"]))).sum() > 0
    b_docs = set(b["document"])
    assert len(b_docs & interviews) >= 6
    # realistic disagreement: coder-b neither copies coder-a nor codes something unrelated
    shared = a[a["document"].isin(b_docs)]
    keys_a = set(zip(shared["document"], shared["start"], shared["end"], shared["code"], strict=True))
    keys_b = set(zip(b["document"], b["start"], b["end"], b["code"], strict=True))
    exact = len(keys_a & keys_b) / len(keys_a | keys_b)
    assert 0.2 < exact < 0.9


def test_no_real_organisation_names_in_the_corpus():
    banned = re.compile(r"TechYourFuture|TechniekTalent|VHTO|NEMO|Jet-?Net|Techniekpact", re.I)
    for f in (REPO / "corpus" / "interviews").glob("*.txt"):
        assert not banned.search(f.read_text(encoding="utf-8")), f.name
