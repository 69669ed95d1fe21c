"""One importer per format, read into a project: text, structure (turns) and attributes as stored."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.corpus.batch import import_paths
from workbench.corpus.importers import read_source
from workbench.store.project import Project

from .fixtures.corpus.build import make_docx, make_odt, make_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"


@pytest.fixture
def project(tmp_path):
    p = Project.init(tmp_path / "proj")
    yield p
    p.close()


def fixture(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def imported(project: Project, *paths: Path) -> None:
    report = import_paths(project, list(paths), progress=False)
    assert set(report["status"]) == {"imported"}, report[["file", "status", "message"]].to_string()


def doc_row(project: Project, name: str):
    return project.documents().set_index("name").loc[name]


# ---- plain text and Markdown ------------------------------------------------------------------------------
def test_plain_text_is_stored_as_is_without_turns(project, tmp_path):
    src = fixture(tmp_path, "prose.txt")
    imported(project, src)
    row = doc_row(project, "prose")
    assert (row["kind"], row["source_format"], row["encoding"], row["case"]) == ("other", "txt", "utf-8", None)
    assert project.text("prose") == src.read_text(encoding="utf-8")
    assert project.turns("prose").empty  # one `Let op:` line does not make a transcript
    assert row["source_path"] == os.path.relpath(src, project.root)  # relative to the project, not the shell


def test_markdown_front_matter_names_the_document_and_lands_in_meta(project, tmp_path):
    src = fixture(tmp_path, "note.md")
    imported(project, src)
    row = doc_row(project, "memo-01")  # id: from the front matter, not the file name
    assert (row["kind"], row["source_format"]) == ("other", "md")
    assert project.text("memo-01").startswith("# Veldnotitie\n\nDe school heeft")  # front matter removed
    assert "---" not in project.text("memo-01")
    assert row["meta"] == {"title": "Veldnotitie na schoolbezoek", "date": "2018-10-02",
                           "tags": ["veldwerk", "school"]}  # the YAML date became JSON text


def test_front_matter_kind_and_case(project, tmp_path):
    src = tmp_path / "gesprek.md"
    src.write_text("---\nkind: interview\ncase: school-7\n---\nEen kort gesprek zonder sprekers.\n", encoding="utf-8")
    imported(project, src)
    row = doc_row(project, "gesprek")
    assert (row["kind"], row["case"]) == ("interview", "school-7")
    assert list(project.cases()["name"]) == ["school-7"]


# ---- Office formats and PDF -------------------------------------------------------------------------------
def test_docx_paragraphs_and_tables(project, tmp_path):
    src = make_docx(tmp_path / "verslag.docx", ["Eerste alinea over de pabo.", "", "Tweede alinea: café."],
                    table=[["groep", "activiteit"], ["7", "bedrijfsbezoek"]])
    imported(project, src)
    assert project.text("verslag") == ("Eerste alinea over de pabo.\n\nTweede alinea: café.\n\n"
                                       "groep | activiteit\n\n7 | bedrijfsbezoek\n")
    assert doc_row(project, "verslag")["source_format"] == "docx"


def test_docx_transcript_gets_turns(project, tmp_path):
    src = make_docx(tmp_path / "int.docx", ["Interviewer: Hoe begon het?", "R: Met een gastles.",
                                            "Interviewer: En toen?", "R: Een projectweek."])
    imported(project, src)
    turns = project.turns("int")
    assert list(turns["speaker"]) == ["Interviewer", "R", "Interviewer", "R"]
    assert doc_row(project, "int")["kind"] == "interview"


def test_odt_headings_and_paragraphs(project, tmp_path):
    src = make_odt(tmp_path / "notitie.odt", "Kop", ["Eerste alinea.", "Tweede, met ë en €."])
    imported(project, src)
    assert project.text("notitie") == "Kop\n\nEerste alinea.\n\nTweede, met ë en €.\n"
    assert doc_row(project, "notitie")["source_format"] == "odt"


def test_pdf_text_with_page_starts(project, tmp_path):
    src = tmp_path / "rapport.pdf"
    src.write_bytes(make_pdf([["Beroepsoriëntatie op de basisschool.", "Tweede regel (met haakjes)."],
                              ["Pagina twee: café €5."]]))
    imported(project, src)
    text = project.text("rapport")
    # lines of one page are reflowed into a paragraph; a page always starts a new one
    assert text == "Beroepsoriëntatie op de basisschool. Tweede regel (met haakjes).\n\nPagina twee: café €5.\n"
    meta = doc_row(project, "rapport")["meta"]
    assert meta["page_starts"] == [0, text.index("Pagina twee")]


# ---- transcripts: turn styles -----------------------------------------------------------------------------
def _value(v):
    return None if pd.isna(v) else (int(v) if isinstance(v, float) else v)


def _turn_texts(project, name):
    """(speaker, whole turn, speech only, time_ms, end_time_ms) per turn, sliced from the stored text."""
    text = project.text(name)
    return [(_value(r.speaker), text[r.start:r.end], text[r.speech_start:r.end], _value(r.time_ms),
             _value(r.end_time_ms)) for r in project.turns(name).itertuples()]


def test_name_colon_turns_with_continuation_lines(project, tmp_path):
    imported(project, fixture(tmp_path, "interview_colon.txt"))
    assert _turn_texts(project, "interview_colon") == [
        ("Anna", "Anna: Ik werk al tien jaar op deze school.\nDat is best lang, eigenlijk.",
         "Ik werk al tien jaar op deze school.\nDat is best lang, eigenlijk.", None, None),
        ("Bert", "Bert: Inderdaad. Wat doen jullie aan beroepsoriëntatie?",
         "Inderdaad. Wat doen jullie aan beroepsoriëntatie?", None, None),
        ("Anna", "Anna: We gaan elk jaar op bedrijfsbezoek.\nDe kinderen maken vooraf een opdracht.\n"
                 "Daarna bespreken we het in de klas.",
         "We gaan elk jaar op bedrijfsbezoek.\nDe kinderen maken vooraf een opdracht.\n"
         "Daarna bespreken we het in de klas.", None, None),
    ]
    row = doc_row(project, "interview_colon")
    assert (row["kind"], row["case"]) == ("interview", "interview_colon")
    assert list(project.turns("interview_colon")["seq"]) == [0, 1, 2]


def test_interviewer_and_r_turns(project, tmp_path):
    imported(project, fixture(tmp_path, "interview_ir.txt"))
    turns = _turn_texts(project, "interview_ir")
    assert [t[0] for t in turns] == ["Interviewer", "R", "Interviewer", "R"]
    assert turns[3][1:3] == ("R: Tijd en geld.\nEen bus naar een bedrijf kost veel.",
                             "Tijd en geld.\nEen bus naar een bedrijf kost veel.")


def test_bracketed_timestamps_give_times_and_end_times(project, tmp_path):
    imported(project, fixture(tmp_path, "interview_brackets.txt"))
    turns = _turn_texts(project, "interview_brackets")
    assert [(t[0], t[3], t[4]) for t in turns] == [
        ("Interviewer", 754_000, 761_000), ("Sanne de Vries", 761_000, 785_000), ("Interviewer", 785_000, None)]
    assert turns[1][1] == "[00:12:41] Sanne de Vries: Kinderen laten zien wat er is.\nEn dat begint al in groep 1."
    assert turns[1][2] == "Kinderen laten zien wat er is.\nEn dat begint al in groep 1."


def test_bare_timestamps(project, tmp_path):
    imported(project, fixture(tmp_path, "interview_bare.txt"))
    turns = _turn_texts(project, "interview_bare")
    assert [(t[0], t[3]) for t in turns] == [("Interviewer", 5_000), ("R", 9_000), ("Interviewer", 3_723_000),
                                            ("R", 3_730_000)]
    assert turns[1][2] == "Dank u wel.\nIk ben er klaar voor."


def test_preamble_before_the_first_label_is_a_turn_without_speaker(project, tmp_path):
    src = tmp_path / "pre.txt"
    src.write_text("Gesprek op school, 2 oktober.\n\nA: Eén.\n\nB: Twee.\n\nA: Drie.\n", encoding="utf-8")
    imported(project, src)
    turns = _turn_texts(project, "pre")
    assert turns[0] == (None, "Gesprek op school, 2 oktober.", "Gesprek op school, 2 oktober.", None, None)
    assert [t[0] for t in turns[1:]] == ["A", "B", "A"]


# ---- subtitles ----------------------------------------------------------------------------------------------
def test_webvtt_voice_tags_merge_consecutive_cues(project, tmp_path):
    imported(project, fixture(tmp_path, "voices.vtt"))
    text = project.text("voices")
    assert text == ("[00:00:01] Interviewer: Hoe gaat het op school?\n\n"
                    "[00:00:04] Anna: Goed, dank je. Echt heel goed.\n\n"
                    "[00:01:00] Interviewer: Mooi zo.\n")
    turns = _turn_texts(project, "voices")
    assert [(t[0], t[2], t[3], t[4]) for t in turns] == [
        ("Interviewer", "Hoe gaat het op school?", 1_000, 4_000),
        ("Anna", "Goed, dank je. Echt heel goed.", 4_500, 10_250),
        ("Interviewer", "Mooi zo.", 60_000, 62_000)]
    row = doc_row(project, "voices")
    assert (row["kind"], row["source_format"], row["case"]) == ("interview", "vtt", "voices")


def test_srt_with_name_prefixes_and_crlf(project, tmp_path):
    imported(project, fixture(tmp_path, "subtitles.srt"))
    turns = _turn_texts(project, "subtitles")
    assert [(t[0], t[2], t[3], t[4]) for t in turns] == [
        ("Interviewer", "Welkom.", 1_000, 3_000), ("R", "Dank u. Fijn om hier te zijn.", 3_500, 6_000),
        ("Interviewer", "Zullen we beginnen?", 6_000, 7_000)]
    assert "\r" not in project.text("subtitles")


# ---- literature ---------------------------------------------------------------------------------------------
def test_ris_fields_become_attributes_and_the_abstract_the_text(project, tmp_path):
    imported(project, fixture(tmp_path, "refs.ris"))
    assert project.text("archer2013") == "Why many girls of about ten do not picture themselves in a science career.\n"
    attrs = project.document_attributes()
    a = attrs.loc["archer2013"]
    assert a["title"] == "Not girly, not sexy, not glamorous"
    assert a["authors"] == "Archer, L.; DeWitt, J."
    assert a["year"] == 2013 and str(attrs["year"].dtype) == "Int64"
    assert a["journal"] == "Pedagogy, Culture & Society"
    assert a["doi"] == "10.1080/14681366.2012.748676"
    assert (a["volume"], a["issue"], a["pages"]) == ("21", "1", "171-194")
    assert a["inclusion"] == "included"
    assert "abstract" not in attrs.columns  # it is the text
    assert attrs.loc["chambers2018", "publisher"] == "Education and Employers"
    row = doc_row(project, "chambers2018")
    assert (row["kind"], row["source_format"], row["case"]) == ("literature", "ris", None)


def test_bibtex_fields_and_a_reference_without_abstract(project, tmp_path):
    imported(project, fixture(tmp_path, "refs.bib"))
    attrs = project.document_attributes()
    g = attrs.loc["gottfredson1981"]
    assert g["authors"] == "Gottfredson, Linda S.; Lapan, Richard"
    assert (g["year"], g["journal"], g["doi"], g["pages"]) == (
        1981, "Journal of Counseling Psychology", "10.1037/0022-0167.28.6.545", "545-579")
    assert g["title"].startswith("Circumscription and compromise")
    assert project.text("gottfredson1981") == "A theory of how occupational aspirations develop from childhood onwards.\n"
    # no abstract: the title is the text, so the reference can still be read and coded
    assert project.text("watts2001") == "Career guidance and social exclusion\n"
    assert attrs.loc["watts2001", "type"] == "book"


def test_csl_json_fields(project, tmp_path):
    imported(project, fixture(tmp_path, "refs.json"))
    h = project.document_attributes().loc["hughes2016"]
    assert (h["authors"], h["year"], h["journal"], h["doi"]) == (
        "Hughes, Deirdre; Mann, Anthony", 2016, "Education Endowment Foundation", "10.1234/eef.2016")
    assert project.text("hughes2016") == "A review of careers education across countries and age groups.\n"
    assert doc_row(project, "hughes2016")["source_format"] == "csl-json"


@pytest.mark.parametrize(("name", "content"), [
    ("linked.ris", "TY  - JOUR\nID  - smith2020\nTI  - Full text\nAB  - Only the abstract.\nL1  - pdfs/smith.pdf\nER  - \n"),
    ("linked.bib", "@article{smith2020,\n title={Full text},\n abstract={Only the abstract.},\n"
                   " file={:pdfs/smith.pdf:PDF}\n}\n"),
    ("linked.json", '[{"id": "smith2020", "title": "Full text", "abstract": "Only the abstract.", '
                    '"file": "pdfs/smith.pdf"}]'),
])
def test_a_linked_pdf_becomes_the_full_text(project, tmp_path, name, content):
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "smith.pdf").write_bytes(make_pdf([["The full text of the paper."], ["Page two."]]))
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    imported(project, src)
    assert project.text("smith2020") == "The full text of the paper.\n\nPage two.\n"
    meta = doc_row(project, "smith2020")["meta"]
    assert meta["linked_pdf"] == str((tmp_path / "pdfs" / "smith.pdf").resolve())
    assert meta["page_starts"] == [0, len("The full text of the paper.\n\n")]
    # the abstract is not the text now, so it stays as an attribute
    assert project.document_attributes().loc["smith2020", "abstract"] == "Only the abstract."


def test_a_missing_linked_pdf_is_noted_and_the_abstract_used(tmp_path):
    src = tmp_path / "gone.ris"
    src.write_text("TY  - JOUR\nID  - gone\nTI  - T\nAB  - The abstract.\nL1  - nowhere.pdf\nER  - \n", encoding="utf-8")
    [doc] = read_source(src)
    assert doc.text == "The abstract.\n" and doc.meta == {"missing_pdf": "nowhere.pdf"}


def test_a_year_that_is_not_a_number_widens_the_attribute_to_text(project, tmp_path):
    src = tmp_path / "years.ris"
    src.write_text("TY  - JOUR\nID  - a\nTI  - A\nPY  - 2013\nER  - \n\n"
                   "TY  - JOUR\nID  - b\nTI  - B\nPY  - in press\nER  - \n", encoding="utf-8")
    imported(project, src)
    attrs = project.document_attributes()  # must not fail to parse 'in press' as an integer
    assert list(attrs.loc[["a", "b"], "year"]) == ["2013", "in press"]
    assert project.attributes().set_index("name").loc["year", "type"] == "text"


def test_references_without_keys_get_author_year_names(tmp_path):
    src = tmp_path / "zonder-id.ris"
    src.write_text("TY  - JOUR\nAU  - Smith, J.\nPY  - 2020\nTI  - Een\nER  - \n\n"
                   "TY  - JOUR\nAU  - Smith, K.\nPY  - 2020\nTI  - Twee\nER  - \n\n"
                   "TY  - JOUR\nAU  - Jones, A.\nPY  - 2019\nTI  - Drie\nER  - \n\n"
                   "TY  - JOUR\nID  - jones2019\nTI  - Vier\nER  - \n", encoding="utf-8")
    # made-up names that collide get a, b, ... like a reference list; a key given in the file is kept
    assert [d.name for d in read_source(src)] == ["smith2020a", "smith2020b", "jones2019a", "jones2019"]
