"""Merging search exports: DOI case, title punctuation and case, first-author variants, and the import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.corpus.batch import import_paths
from workbench.errors import SourceError, ValidationError
from workbench.literature.dedupe import (
    ExportRecord,
    family_name,
    import_search_exports,
    merge_records,
    normalise_doi,
    normalise_title,
    title_key,
)
from workbench.store.literature import sources_frame
from workbench.store.project import Project


def rec(position: int, database: str = "A", **fields) -> ExportRecord:
    return ExportRecord(database, f"{database}.ris", position, fields)


# ---- pure normalisation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["10.1016/J.JESP.2004.02.003", "https://doi.org/10.1016/j.jesp.2004.02.003",
                                 "doi:10.1016/j.Jesp.2004.02.003", " http://dx.doi.org/10.1016/j.jesp.2004.02.003. "])
def test_doi_is_compared_case_insensitively_without_prefixes(raw):
    assert normalise_doi(raw) == "10.1016/j.jesp.2004.02.003"


def test_not_a_doi_is_no_doi():
    assert normalise_doi("") is None and normalise_doi(None) is None and normalise_doi("see the PDF") is None


def test_titles_differing_in_case_punctuation_and_accents_are_one_title():
    a = normalise_title("‘Not girly, not sexy, not glamorous’: primary school girls’ and parents’ constructions")
    b = normalise_title('"Not Girly, Not Sexy, Not Glamorous": Primary School Girls\' and Parents\' Constructions.')
    assert a == b == "not girly not sexy not glamorous primary school girls and parents constructions"
    assert normalise_title("Bèta  techniek — Onderwijs") == normalise_title("beta techniek: onderwijs")
    assert normalise_title("Planning early for careers") != normalise_title("Planning late for careers")


@pytest.mark.parametrize("variant", ["Van Tuijl, C.", "van Tuijl, Chantal", "Tuijl, C. van", "C. van Tuijl",
                                     "Chantal van Tuijl", "VAN TUIJL C", "van Tuijl"])
def test_first_author_variants_give_one_family_name(variant):
    assert family_name(variant) == "tuijl"


def test_family_names_keep_what_tells_authors_apart():
    assert family_name("Walma van der Molen, J. H.") == family_name("J. H. Walma van der Molen") == "molen"
    assert family_name("Gottfredson, L. S.") != family_name("Hartung, P. J.")
    assert family_name("OECD") == "oecd"


def test_title_key_needs_a_title_and_uses_year_and_first_author():
    assert title_key({"title": "", "year": 2010, "authors": "OECD"}) is None
    key = title_key({"title": "Child vocational development.", "year": "2005", "authors": "Hartung, P. J.; X, Y"})
    assert key == ("child vocational development", "2005", "hartung")
    assert title_key({"title": "T", "year": 2005.0, "authors": ["Hartung, Paul"]}) == ("t", "2005", "hartung")


# ---- merging -----------------------------------------------------------------------------------------------
def test_records_merge_by_doi_case_and_remember_every_source():
    works = merge_records([rec(1, "ERIC", title="A title", doi="10.1/ABC", year="2013", authors="Archer, L."),
                           rec(1, "EBSCO", title="Quite another spelling", doi="https://doi.org/10.1/abc"),
                           rec(2, "EBSCO", title="Something else", doi="10.1/xyz", year="2013", authors="Archer, L.")])
    assert len(works) == 2
    assert [r.database for r in works[0].records] == ["ERIC", "EBSCO"]
    assert works[0].matched_by == ["new", "doi"]
    assert works[0].sources == ["EBSCO", "ERIC"]


def test_records_without_doi_merge_by_title_year_and_first_author():
    works = merge_records([
        rec(1, title="Young children's aspirations in science", year="2013", authors="DeWitt, J.; Osborne, J."),
        rec(2, "B", title="Young Children’s Aspirations in Science.", year="2013", authors="DeWitt, Jennifer"),
        rec(3, "B", title="Young children's aspirations in science", year="2014", authors="DeWitt, J."),  # year
        rec(4, "B", title="Young children's aspirations in science", year="2013", authors="Osborne, J."),  # author
    ])
    assert [len(w.records) for w in works] == [2, 1, 1]
    assert works[0].matched_by == ["new", "title"]


def test_different_dois_are_different_works_even_with_one_title():
    works = merge_records([rec(1, title="Editorial", year="2015", authors="Smith, A.", doi="10.1/one"),
                           rec(2, title="Editorial", year="2015", authors="Smith, A.", doi="10.1/two"),
                           rec(3, title="Editorial", year="2015", authors="Smith, A.")])
    assert [len(w.records) for w in works] == [2, 1]  # the one without a DOI joins the first by title


def test_a_record_without_doi_or_title_is_never_merged():
    works = merge_records([rec(1, title="", year="2010", authors="OECD"), rec(2, title="", year="2010", authors="OECD")])
    assert len(works) == 2


def test_a_later_record_fills_what_the_first_lacked():
    works = merge_records([rec(1, title="T", year="2005", authors="Hartung, P."),
                           rec(2, "B", title="T.", year="2005", authors="Hartung, Paul", doi="10.1/J.X")])
    assert works[0].fields["doi"] == "10.1/J.X"
    # and a third record matching only that DOI now joins the same work
    again = merge_records([rec(1, title="T", year="2005", authors="Hartung, P."),
                           rec(2, "B", title="T.", year="2005", authors="Hartung, Paul", doi="10.1/J.X"),
                           rec(3, "C", title="Other title", doi="10.1/j.x")])
    assert len(again) == 1 and again[0].matched_by == ["new", "title", "doi"]


def test_records_match_works_already_known():
    known = [{"name": "hartung2005", "title": "Child vocational development", "year": 2005,
              "authors": "Hartung, P. J.; Porfeli, E. J.", "doi": "10.1016/j.jvb.2004.05.006"}]
    works = merge_records([rec(1, title="x", doi="10.1016/J.JVB.2004.05.006"),
                           rec(2, title="Child Vocational Development!", year="2005", authors="Hartung, Paul")], known)
    assert len(works) == 1 and works[0].document == "hartung2005" and works[0].matched_by == ["doi", "title"]


# ---- importing exports into a project ----------------------------------------------------------------------
LIBRARY = """TY  - JOUR
ID  - archer2013
AU  - Archer, L.
AU  - DeWitt, J.
PY  - 2013
TI  - ‘Not girly, not sexy, not glamorous’: primary school girls’ aspirations
DO  - 10.1080/14681366.2012.748676
AB  - An abstract written for this test.
ER  -
"""
ERIC = """TY  - JOUR
AU  - Archer, Louise
PY  - 2013
TI  - "Not Girly, Not Sexy, Not Glamorous": Primary School Girls' Aspirations
ER  -

TY  - JOUR
AU  - Turner, S.
PY  - 2010
TI  - Fifteen pupils' positive approach to primary school science
DO  - 10.1080/03055690903148662
ER  -
"""
SCHOLAR = [
    {"id": "s1", "type": "article-journal", "title": "Fifteen Pupils’ Positive Approach to Primary School Science",
     "author": [{"family": "Turner", "given": "Steve"}], "issued": {"date-parts": [[2010]]}},
    {"id": "s2", "type": "article-journal", "title": "Not girly, not sexy, not glamorous: primary school girls' aspirations",
     "author": [{"literal": "L. Archer"}], "issued": {"date-parts": [[2013]]}, "DOI": "10.1080/14681366.2012.748676"},
    {"id": "s3", "type": "book", "title": "A new book", "author": [{"family": "New", "given": "N."}],
     "issued": {"date-parts": [[2020]]}},
]


@pytest.fixture
def lit_project(tmp_path: Path) -> Project:
    src = tmp_path / "lib"
    src.mkdir()
    (src / "library.ris").write_text(LIBRARY, encoding="utf-8")
    p = Project.init(tmp_path / "proj")
    assert set(import_paths(p, [src], progress=False)["status"]) == {"imported"}
    (tmp_path / "eric.ris").write_text(ERIC, encoding="utf-8")
    (tmp_path / "scholar.json").write_text(json.dumps(SCHOLAR), encoding="utf-8")
    yield p
    p.close()


def test_import_merges_into_known_and_new_works_and_counts_duplicates(lit_project, tmp_path):
    report = import_search_exports(lit_project, {"ERIC": tmp_path / "eric.ris", "Google Scholar": tmp_path / "scholar.json"})
    summary = report.attrs["summary"]
    assert summary == {"records": 5, "per_database": {"ERIC": 2, "Google Scholar": 3}, "new_works": 2,
                       "duplicates": 3, "already_imported": 0}
    by = {(r.database, r.position): r for r in report.itertuples()}
    assert (by["ERIC", 1].document, by["ERIC", 1].matched_by) == ("archer2013", "title")
    assert (by["Google Scholar", 2].document, by["Google Scholar", 2].matched_by) == ("archer2013", "doi")
    assert by["ERIC", 2].status == "new" and by["Google Scholar", 1].document == by["ERIC", 2].document
    assert by["Google Scholar", 1].matched_by == "title"
    lit = lit_project.documents().query("kind == 'literature'")
    assert len(lit) == 3  # archer2013, the Turner work, the new book
    with lit_project.read() as conn:
        sources = sources_frame(conn)
    assert sorted(sources.loc[sources["document"] == "archer2013", "database"]) == ["ERIC", "Google Scholar"]
    assert len(sources) == 5


def test_importing_the_same_export_twice_adds_nothing(lit_project, tmp_path):
    import_search_exports(lit_project, {"ERIC": tmp_path / "eric.ris"})
    docs, events = len(lit_project.documents()), lit_project.last_event()
    again = import_search_exports(lit_project, {"ERIC": tmp_path / "eric.ris"})
    assert set(again["status"]) == {"already imported"}
    assert again.attrs["summary"]["already_imported"] == 2 and again.attrs["summary"]["records"] == 0
    assert (len(lit_project.documents()), lit_project.last_event()) == (docs, events)


def test_files_are_named_after_their_database_when_no_mapping_is_given(lit_project, tmp_path):
    report = import_search_exports(lit_project, [tmp_path / "eric.ris"])
    assert set(report["database"]) == {"eric"}


def test_a_broken_export_changes_nothing(lit_project, tmp_path):
    (tmp_path / "broken.ris").write_text("TY  - JOUR\nTI  - no end\n", encoding="utf-8")
    before = (len(lit_project.documents()), lit_project.last_event())
    with pytest.raises(SourceError) as err:
        import_search_exports(lit_project, {"ERIC": tmp_path / "eric.ris", "X": tmp_path / "broken.ris"})
    assert "broken.ris" in str(err.value) and "ER" in str(err.value)
    assert (len(lit_project.documents()), lit_project.last_event()) == before


def test_bad_export_arguments_say_what_to_do(lit_project, tmp_path):
    with pytest.raises(SourceError, match="no such search export"):
        import_search_exports(lit_project, {"ERIC": tmp_path / "missing.ris"})
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match="RIS, BibTeX or CSL-JSON"):
        import_search_exports(lit_project, {"ERIC": tmp_path / "notes.txt"})
    with pytest.raises(ValidationError, match="no search exports"):
        import_search_exports(lit_project, {})


def test_titles_in_other_scripts_keep_their_letters():
    assert normalise_title("Профессиональная ориентация") == "профессиональная ориентация"
    assert normalise_title("Профессиональная ориентация") != normalise_title("Выбор профессии")
    assert normalise_title("職業教育") != normalise_title("初等教育")
    assert normalise_title("Éducation à l’orientation") == normalise_title("education a l'orientation")
