"""Issue 8, codebook file: what the validator used to pass and later failed or silently changed."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli import main
from workbench.codebook import io
from workbench.codebook.tree import Codebook
from workbench.coding.autocode import by_pattern
from workbench.coding.session import CodingSession
from workbench.errors import ValidationError
from workbench.store.project import Project

HEAD = "name: t\nresearch_questions:\n- id: RQ1\n  label: Q\ncodes:\n- id: a\n  label: A\n"  # code a at line 6, gloss at 8, the extra key at 9


@pytest.mark.parametrize("extra, message, line", [
    ("  patterns: ['(?i)tijd']\n", "(?i:", 9),  # a global flag inside the (?:...) by_pattern builds
    ("  colour: #e74c3c\n", "quote", 9),  # YAML reads an unquoted # as a comment: the value is empty
    ("  codable: 'no'\n", "codable must be true or false", 9),
    ("  codable: 'false'\n", "codable must be true or false", 9),
    ("  rq: 5\n", "rq must be a list", 9),
    ("  keywords: bedrijfsbezoek\n", "keywords must be a list", 9),
    ("  patterns: 'x'\n", "patterns must be a list", 9),
    ("  keywords: [[a, b]]\n", "keywords must be a list of texts", 9),
    ("  label2: x\n", "unknown key(s) label2", 9),  # its own line, not the `- id:` line
    ("  gloss: \"\\ud800\"\n", "lone surrogate", 9),
])
def test_code_fields_are_checked_on_their_own_line(extra, message, line):
    text = HEAD + "  gloss: g\n" + extra
    with pytest.raises(ValidationError) as err:
        io.parse(text, "cb.yaml")
    assert message in str(err.value)
    assert f"cb.yaml:{line}" in str(err.value)


def test_a_typo_in_a_top_level_key_is_an_error():
    with pytest.raises(ValidationError) as err:
        io.parse("name: t\nresearch_question:\n- id: RQ1\n  label: Q\ncodes:\n- id: a\n  label: A\n", "cb.yaml")
    assert "unknown top-level key 'research_question'" in str(err.value) and "cb.yaml:2" in str(err.value)


def test_a_research_question_with_a_wrong_type_or_key():
    with pytest.raises(ValidationError, match=r"cb.yaml:3.*unknown key\(s\) lable"):
        io.parse("research_questions:\n- id: RQ1\n  lable: Q\ncodes: []\n", "cb.yaml")
    with pytest.raises(ValidationError, match="cb.yaml:2"):
        io.parse("research_questions:\n- id: [1]\n  label: Q\ncodes: []\n", "cb.yaml")


def test_a_label_in_a_list_is_a_type_error_not_a_string():
    with pytest.raises(ValidationError, match=r"cb.yaml:3.*label must be a text"):
        io.parse("codes:\n- id: a\n  label: [A]\n", "cb.yaml")


def test_valid_patterns_and_booleans_still_load():
    book = io.parse(HEAD + "  patterns: ['(?i:tijd) en geld']\n  codable: no\n  keywords: [x, 'y z']\n"
                    "  colour: '#E74C3C'\n  rq: [RQ1]\n")
    [a] = book.codes
    assert a.patterns == ["(?i:tijd) en geld"] and a.codable is False and a.keywords == ["x", "y z"]
    assert a.colour == "#E74C3C" and a.rq == ["RQ1"]


def test_a_pattern_the_validator_passes_works_in_by_pattern(project):
    book = io.parse(HEAD.replace("codes:\n- id: a\n  label: A\n", "codes:\n- id: tg\n  label: TG\n")
                    + "  patterns: ['(?i:TIJD) en geld']\n")
    Codebook(project, "anna").apply_spec(book)
    assert len(by_pattern(project, "tg")) == 1


def test_an_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    with pytest.raises(ValidationError, match="aliases"):
        io.parse(bomb + "codes:\n- id: a\n  label: *i\n", "cb.yaml")


def _code_visit(project):
    at = project.text("T01").index("bedrijfsbezoek")
    CodingSession(project, "anna").code("T01", at, at + 14, "visit")


def test_loading_a_codebook_that_makes_a_coded_code_a_folder_warns(project, tmp_path):
    _code_visit(project)
    spec = io.dumps(Codebook(project).spec()).replace("  label: Bedrijfsbezoek\n",
                                                     "  label: Bedrijfsbezoek\n  codable: false\n")
    path = tmp_path / "cb.yaml"
    path.write_text(spec, encoding="utf-8")
    with pytest.warns(io.CodebookWarning, match=r"'visit'.*1 coding"):
        Codebook(project, "anna").load_yaml(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # loading it again changes nothing: no warning
        Codebook(project, "anna").load_yaml(path)


def test_the_cli_prints_the_warning(project, tmp_path, capsys):
    _code_visit(project)
    spec = io.dumps(Codebook(project).spec()).replace("  label: Bedrijfsbezoek\n",
                                                     "  label: Bedrijfsbezoek\n  codable: false\n")
    path = tmp_path / "cb.yaml"
    path.write_text(spec, encoding="utf-8")
    assert main(["codebook", "-p", str(project.root), "load", str(path)]) == 0
    assert "warning:" in capsys.readouterr().err


def test_list_and_report_on_a_project_without_codes(tmp_path, capsys):
    root = tmp_path / "leeg"
    Project.init(root).close()
    assert main(["codebook", "-p", str(root), "list"]) == 0
    assert "no codes yet" in capsys.readouterr().out
    assert main(["codebook", "-p", str(root), "report"]) == 0
    assert (root / "coding" / "codebook.md").read_text(encoding="utf-8").startswith("# Codebook")


_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
                    st.lists(st.text(max_size=3), max_size=3))
_code = st.fixed_dictionaries({"id": st.sampled_from(["a", "b", "a b", 5]), "label": _scalar},
                              optional={k: _scalar for k in io.CODE_KEYS if k not in ("id", "label")})


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_code, max_size=4))
def test_structure_aware_fuzz_validate_only_raises_validation_errors(codes):
    import yaml

    text = yaml.safe_dump({"name": "f", "research_questions": [{"id": "RQ1", "label": "Q"}], "codes": codes})
    try:
        book = io.parse(text, "fuzz.yaml")
    except ValidationError as exc:
        assert "fuzz.yaml" in str(exc)
        return
    for c in book.codes:  # what passes is what the rest of the workbench expects
        assert isinstance(c.label, str) and isinstance(c.codable, bool)
        assert all(isinstance(k, str) for k in c.keywords) and all(isinstance(r, str) for r in c.rq)
    again = io.parse(io.dumps(book))
    assert [(c.id, c.label, c.codable, c.keywords, c.rq) for c in again.codes] == [
        (c.id, c.label, c.codable, c.keywords, c.rq) for c in book.codes]


def test_codebook_validate_reports_a_wrong_type_instead_of_crashing(tmp_path, capsys):
    path = tmp_path / "cb.yaml"
    path.write_text("codes:\n- id: a\n  label: A\n  rq: 5\n", encoding="utf-8")
    assert main(["codebook", "validate", str(path)]) == 4
    assert f"{path}:4: rq must be a list" in capsys.readouterr().err
