"""Shared fixtures: small projects built in temporary folders, and the demo project built once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from workbench.codebook.io import parse
from workbench.codebook.tree import Codebook
from workbench.corpus.batch import import_paths
from workbench.store.project import Project

REPO = Path(__file__).resolve().parent.parent

# keep Jupyter/IPython/Chromium state out of $HOME for every test (notebooks, browser tests)
_STATE = Path(tempfile.mkdtemp(prefix="wb-test-state-"))
for _var in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
             "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ.setdefault(_var, str(_STATE / _var.lower()))

INTERVIEW = """---
id: T01
kind: interview
fictional: true
---
[00:00:01] Interviewer: Wat betekent beroepsoriëntatie voor jullie school?

[00:00:09] T01: Wij gaan elk jaar op bedrijfsbezoek. De kinderen maken vooraf een opdracht.
Daarna bespreken we het in de klas.

[00:01:10] Interviewer: En de ouders?

[00:01:15] T01: Ouders geven gastlessen over hun beroep. Een moeder is lasser, dat vinden de meiden prachtig. 🚀 Echt waar.
"""

SECOND = """Interviewer: Hoe kijkt u naar techniek?

R: Techniek is overal. Leerkrachten vinden het soms eng, ze weten er weinig van.

Interviewer: Wat is lastig?

R: Tijd en geld. Een bus naar een bedrijf kost veel.
"""

CODEBOOK = """name: Testboek
research_questions:
- id: RQ1
  label: Welke vormen?
codes:
- id: offer
  label: Aanbod
  colour: '#2ca02c'
  rq: [RQ1]
- id: visit
  label: Bedrijfsbezoek
  parent: offer
  colour: '#1f77b4'
  keywords: [bedrijfsbezoek, bedrijf]
- id: guest
  label: Gastles
  parent: offer
  colour: '#ff7f0e'
  keywords: [gastles, gastlessen]
- id: challenges
  label: Uitdagingen
  colour: '#d62728'
- id: resources
  label: Tijd en geld
  parent: challenges
  colour: '#9467bd'
  patterns: ['tijd (en|of) geld']
- id: teacher
  label: Kennis leerkracht
  parent: challenges
  colour: '#8c564b'
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project with two interviews, two cases with attributes and a small codebook."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "T01.txt").write_text(INTERVIEW, encoding="utf-8")
    (src / "T02.txt").write_text(SECOND, encoding="utf-8")
    (src / "cases.csv").write_text("case,respondent_type,age:integer\nT01,school,45\nT02,expert,61\n", encoding="utf-8")
    p = Project.init(tmp_path / "proj", name="test")
    report = import_paths(p, [src], progress=False)
    assert set(report["status"]) == {"imported"}, report
    Codebook(p, "setup").apply_spec(parse(CODEBOOK))
    yield p
    p.close()


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Project:
    from workbench.demo import build_demo

    p = build_demo(tmp_path_factory.mktemp("demo") / "demo", REPO, progress=False)
    yield p
    p.close()

