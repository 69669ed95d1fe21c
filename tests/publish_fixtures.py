"""A copy of the demo with a planted real-looking name (speaker label, text, file name, attribute), for the
publishing tests: the name has a pseudonym, one sentence next to it stays uncoded, one attribute is private."""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.coding.bulk import add_codings
from workbench.corpus.batch import import_paths
from workbench.publish.pseudonymise import add_pseudonym, set_private_attributes
from workbench.store.project import Project

REPO = Path(__file__).resolve().parent.parent
PLANTED_DOC = "interview_marieke_jansen"
REAL_WORDS = ("Marieke", "Jansen")
PSEUDONYM = "Lotte Zonneveld"
UNCODED = "Het geheime zinnetje over de zwarte kat staat hier."
PRIVATE_VALUE = "2019-03-07"
VISIT = ("Wij gaan met groep 7 op bedrijfsbezoek bij een drukkerij. Mijn collega's noemen mij de juf van de "
         "techniek, dat heet hier gewoon Marieke-uurtje.")
MONEY = "Tijd en geld, zoals overal. Jansen zegt dat altijd tegen meneer Pietersen."
TRANSCRIPT = f"""---
kind: interview
fictional: true
---
[00:00:02] Interviewer: Welkom. Wat doet uw school aan beroepsoriëntatie?

[00:00:10] Marieke Jansen: {VISIT} {UNCODED}

[00:00:40] Interviewer: En wat is lastig?

[00:00:45] Marieke Jansen: {MONEY}
"""


def planted_copy(demo_project: Project, into: Path) -> Project:
    """The demo with the findings file, the planted interview coded by coder-a, and its key entries."""
    demo_project.engine.dispose()
    root = into / "demo"
    shutil.copytree(demo_project.root, root)
    shutil.copy(REPO / "coding" / "findings.yaml", root / "coding" / "findings.yaml")
    src = into / "plant"
    src.mkdir()
    (src / f"{PLANTED_DOC}.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (src / "cases.csv").write_text(
        "case,respondent_type,organisation_type,region,school_type,interview_date\n"
        f"{PLANTED_DOC},school,basisschool van Jansen,Zeeland,openbaar basisonderwijs,{PRIVATE_VALUE}\n",
        encoding="utf-8")
    project = Project.open(root)
    report = import_paths(project, [src], progress=False, create_cases=True)
    assert set(report["status"]) == {"imported"}, report
    text = project.text(PLANTED_DOC)
    rows = []
    for passage, code in ((VISIT, "act-company-visit"), (MONEY, "chal-resources")):
        start = text.index(passage)
        rows.append({"document": PLANTED_DOC, "start": start, "end": start + len(passage), "code": code})
    add_codings(project, rows, coder="coder-a", actor="coder-a")
    add_pseudonym(project, "Marieke Jansen", PSEUDONYM)
    add_pseudonym(project, "Marieke", "Lotte")
    add_pseudonym(project, "Jansen", "Zonneveld")
    set_private_attributes(project, ["interview_date"])
    return project


def assert_private(html: str) -> None:
    """The planted name, the uncoded sentence and the private value are nowhere; the pseudonym is."""
    low = html.lower()
    for word in REAL_WORDS:
        assert word.lower() not in low, f"{word!r} was published"
    assert UNCODED not in html and "zwarte kat" not in html
    assert PRIVATE_VALUE not in html
    assert PSEUDONYM in html
