"""A tiny project for the coding-widget tests: two documents, a five-code codebook, coder-b's codings.

The interview has an emoji (an astral character, two UTF-16 units) before the passages the tests code, so
a front end that counted UTF-16 units instead of code points would store shifted offsets.
"""

from __future__ import annotations

from pathlib import Path

from workbench.codebook.io import CodebookSpec, CodeSpec, load
from workbench.codebook.tree import Codebook
from workbench.coding.mirror import import_coding
from workbench.corpus.batch import import_paths
from workbench.store.project import Project

INTERVIEW = "interview-01"
NOTES = "notes"
INTERVIEW_TEXT = """\
[00:00:05] Interviewer: Welcome \U0001F44B and thank you for joining. How did the project start?

[00:00:12] Respondent: Honestly \U0001F605 it started with a small grant. We felt uncertain about the funding but hopeful about the team.

[00:01:03] Interviewer: What changed over time?

[00:01:30] Respondent: The funding stabilised \U0001F389 and trust grew between the partners, slowly but surely.

[00:02:10] Interviewer: Anything you would do differently?

[00:02:25] Respondent: We would write shorter reports \U0001F4DD and meet the partners more often in person.
"""
NOTES_TEXT = """\
Field notes after the first visit \u2013 the office was quiet.

The team leader mentioned the grant twice and seemed relieved about the new contract.
"""

CODES = [
    CodeSpec(id="feelings", label="Feelings", colour="#9c9c9c", codable=False),
    CodeSpec(id="uncertainty", label="Uncertainty", parent="feelings", colour="#e15759"),
    CodeSpec(id="hope", label="Hope", parent="feelings", colour="#59a14f"),
    CodeSpec(id="funding", label="Funding", colour="#4e79a7"),
    CodeSpec(id="trust", label="Trust", colour="#f28e2b"),
    CodeSpec(id="collaboration", label="Collaboration", colour="#b07aa1"),
]

# coder-b's codings: a nested pair (funding inside uncertainty) and an overlapping pair (trust / collaboration)
CODER_B = [
    ("uncertain about the funding but hopeful about the team", "uncertainty", "felt it in the whole team"),
    ("the funding", "funding", ""),
    ("trust grew between the partners", "trust", ""),
    ("the partners, slowly but surely", "collaboration", ""),
]


def span(text: str, passage: str) -> tuple[int, int]:
    """Code-point offsets of the first occurrence of `passage`."""
    start = text.index(passage)
    return start, start + len(passage)


FRAMEWORK = Path(__file__).resolve().parents[2] / "coding" / "framework.yaml"


def build_project(root: Path, demo_codes: bool = False) -> Project:
    """Create the project under `root` (a fresh folder) and return it open.

    `demo_codes`: add the demo study's 92 codes (7 themes, up to 4 levels, Dutch labels up to 48
    characters) after the test codes, as a long real codebook for the code tree.
    """
    src = root / "sources"
    src.mkdir(parents=True)
    (src / f"{INTERVIEW}.txt").write_text(INTERVIEW_TEXT, encoding="utf-8")
    (src / f"{NOTES}.txt").write_text(NOTES_TEXT, encoding="utf-8")
    project = Project.init(root / "project")
    report = import_paths(project, [src], progress=False)
    assert set(report["status"]) == {"imported"}, report
    extra = load(FRAMEWORK) if demo_codes else CodebookSpec("", [], [])
    Codebook(project, "researcher").apply_spec(CodebookSpec("Widget test codebook", extra.research_questions,
                                                            CODES + extra.codes))
    text = project.text(INTERVIEW)
    mirror = root / "mirror"
    mirror.mkdir()
    lines = ["document,start,end,code,coder,memo,quote"]
    for passage, code, memo in CODER_B:
        start, end = span(text, passage)
        lines.append(f'{INTERVIEW},{start},{end},{code},coder-b,{memo},"{passage}"')
    (mirror / "codings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_coding(project, mirror)
    assert result.added == len(CODER_B) and result.mismatches.empty, result
    return project
