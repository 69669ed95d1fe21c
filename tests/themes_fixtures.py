"""A small coded project for the themes tests: three interviews, two coders, spans chosen by hand.

T01 (school)  turn 1: [visit: bedrijfsbezoek] inside [offer: sentence 1 + sentence 2], [teacher: sentence 3]
              turn 3: [guest: gastlessen] inside [resources: sentence 1]
T02 (expert)  turn 1: [teacher: Leerkrachten vinden het soms eng]
              turn 3: [resources: Tijd en geld]. [visit: Een bus naar een bedrijf] kost veel.
T03 (school)  [visit: bedrijfsbezoek]
coder bob codes T01's "bedrijfsbezoek" as visit too (the same span as anna).
"""

from __future__ import annotations

from pathlib import Path

from workbench.coding.bulk import add_codings
from workbench.corpus.batch import import_paths
from workbench.store.project import Project

T03 = "---\nid: T03\nkind: interview\nfictional: true\n---\n[00:00:01] Interviewer: En bij u?\n\n[00:00:05] T03: We doen elk jaar een bedrijfsbezoek met groep 8.\n"


def span(project: Project, document: str, phrase: str, after: str | None = None) -> tuple[int, int]:
    text = project.text(document)
    begin = text.index(after) if after else 0
    start = text.index(phrase, begin)
    return start, start + len(phrase)


def anna_rows(project: Project) -> list[dict]:
    s1 = "Wij gaan elk jaar op bedrijfsbezoek. De kinderen maken vooraf een opdracht."
    picks = [
        ("T01", "bedrijfsbezoek", "visit"),
        ("T01", s1, "offer"),
        ("T01", "Daarna bespreken we het in de klas.", "teacher"),
        ("T01", "gastlessen", "guest"),
        ("T01", "Ouders geven gastlessen over hun beroep.", "resources"),
        ("T02", "Leerkrachten vinden het soms eng", "teacher"),
        ("T02", "Tijd en geld", "resources"),
        ("T02", "Een bus naar een bedrijf", "visit"),
        ("T03", "bedrijfsbezoek", "visit"),
    ]
    rows = []
    for doc, phrase, code in picks:
        start, end = span(project, doc, phrase)
        rows.append({"document": doc, "start": start, "end": end, "code": code})
    return rows


def code_small(project: Project, tmp: Path) -> Project:
    """Add T03 (a second school) and the hand-picked codings to the conftest `project`."""
    src = tmp / "more"
    src.mkdir()
    (src / "T03.txt").write_text(T03, encoding="utf-8")
    first = import_paths(project, [src / "T03.txt"], progress=False)
    (src / "cases.csv").write_text("case,respondent_type,age:integer\nT03,school,50\n", encoding="utf-8")
    for report in (first, import_paths(project, [src / "cases.csv"], progress=False)):
        assert "failed" not in set(report["status"]), report.to_dict("records")
    add_codings(project, anna_rows(project), coder="anna", actor="anna", action="test.code")
    start, end = span(project, "T01", "bedrijfsbezoek")
    add_codings(project, [{"document": "T01", "start": start, "end": end, "code": "visit"}], coder="bob",
                actor="bob", action="test.code")
    return project
