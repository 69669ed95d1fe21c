"""Issue 8, importing: junk files, hints, fuzz crashes, limits, PDF reflow, --kind, paths, rollback mid-write."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.corpus import units
from workbench.corpus.batch import import_paths
from workbench.corpus.importers import office, read_source
from workbench.corpus.text import decode
from workbench.errors import SourceError
from workbench.store.project import Project

from .fixtures.corpus.build import make_docx, make_odt, make_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"
TRANSCRIPT = "Interviewer: Hoe gaat het?\n\nR: Goed, dank u.\n\nInterviewer: En op school?\n\nR: Ook goed.\n"


@pytest.fixture
def project(tmp_path):
    p = Project.init(tmp_path / "proj")
    yield p
    p.close()


def counts(p: Project) -> dict[str, int]:
    return {"documents": len(p.documents()), "cases": len(p.cases()), "events": len(p.events()),
            "turns": len(p.turns()), "codes": len(p.codes())}


# ---- junk files and unsupported formats ---------------------------------------------------------------
def test_lock_files_and_os_files_are_skipped_with_a_note(project, tmp_path):
    src = tmp_path / "studie"
    src.mkdir()
    (src / "a.txt").write_text("Een notitie.\n", encoding="utf-8")
    for junk in ("~$a.docx", ".DS_Store", "Thumbs.db", "desktop.ini", "a.txt~", "kladje.tmp"):
        (src / junk).write_bytes(b"\x00\x01 lock")
    report = import_paths(project, [src, src / "~$a.docx"], progress=False)
    skipped = report[report["status"] == "skipped"]
    assert len(skipped) == 7 and (report["status"] != "failed").all()
    assert skipped["message"].str.contains("lock file").sum() == 2
    assert list(project.documents()["name"]) == ["a"]


@pytest.mark.parametrize("suffix", [".doc", ".rtf", ".pages"])
def test_old_word_formats_get_a_save_as_docx_hint(project, tmp_path, suffix):
    f = tmp_path / f"oud{suffix}"
    f.write_bytes(b"{\\rtf1 x}")
    row = import_paths(project, [f], progress=False).iloc[0]
    assert row["status"] == "ignored" and "save it as .docx" in row["message"]


# ---- crashes found by fuzzing -------------------------------------------------------------------------
def test_a_lone_surrogate_in_csl_json_fails_that_file_only(project, tmp_path):
    (tmp_path / "refs.json").write_text('[{"id": "x", "title": "Bad \\ud800 title"}]', encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Gewone tekst.\n", encoding="utf-8")
    report = import_paths(project, [tmp_path / "refs.json", tmp_path / "ok.txt"], progress=False)
    assert list(report["status"]) == ["failed", "imported"]
    assert "lone surrogate (\\ud800)" in report["message"].iloc[0]


def test_a_file_name_that_is_not_utf8_fails_cleanly_and_prints(project, tmp_path, capsys):
    from workbench.cli import main

    folder = tmp_path / "namen"
    folder.mkdir()
    bad = os.fsdecode(os.fsencode(folder) + b"/caf\xe9.txt")
    Path(bad).write_text("Tekst.\n", encoding="utf-8")
    code = main(["import", "-p", str(project.root), str(folder), "-q"])
    err = capsys.readouterr().err
    assert code == 7 and "rename the file" in err and "\\udce9" in err
    assert project.documents().empty


def test_a_repeated_sheet_column_is_named(project, tmp_path):
    sheet = tmp_path / "cases.csv"
    sheet.write_text("case,age,age\nA,1,2\n", encoding="utf-8")
    row = import_paths(project, [sheet], progress=False, create_cases=True).iloc[0]
    assert row["status"] == "failed" and "column 'age' appears twice (columns 2 and 3)" in row["message"]
    assert project.cases().empty


def test_front_matter_alias_bombs_are_refused(project, tmp_path):
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "---\nTekst.\n"
    (tmp_path / "bom.md").write_text(bomb, encoding="utf-8")
    row = import_paths(project, [tmp_path / "bom.md"], progress=False).iloc[0]
    assert row["status"] == "failed" and "refused front matter" in row["message"]
    assert "bom.md:2" in row["message"]


def test_a_docx_whose_text_part_is_too_large_is_refused_before_parsing(tmp_path, monkeypatch):
    path = make_docx(tmp_path / "groot.docx", ["woord " * 4000])
    monkeypatch.setattr(office, "MAX_MAIN_PART", 10_000)
    with pytest.raises(SourceError, match="text part unpacks to"):
        read_source(path)


def test_a_docx_with_too_many_table_cells_is_refused(tmp_path, monkeypatch):
    path = make_docx(tmp_path / "tabel.docx", ["x"], table=[["a", "b", "c"]] * 10)
    monkeypatch.setattr(office, "MAX_TABLE_CELLS", 20)
    with pytest.raises(SourceError, match="more than 20 table cells"):
        read_source(path)


def test_the_extracted_text_of_an_odt_is_limited(tmp_path, monkeypatch):
    path = make_odt(tmp_path / "lang.odt", "Kop", ["tekst " * 100])
    monkeypatch.setattr(office, "MAX_TEXT_CHARS", 200)
    with pytest.raises(SourceError, match="more than 200"):
        read_source(path)
    monkeypatch.setattr(office, "MAX_TEXT_CHARS", 20_000_000)
    assert read_source(path)[0].text.startswith("Kop")


def test_the_default_limits_leave_room_for_real_documents():
    assert office.MAX_MAIN_PART >= 32 * 2**20 and office.MAX_TEXT_CHARS >= 10_000_000
    assert office.MAX_MAIN_PART < office.MAX_UNCOMPRESSED


def test_a_zip_bomb_text_part_is_refused_on_the_real_limit(tmp_path):
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (office.MAX_MAIN_PART + 10) + b"</w:document>")
    assert path.stat().st_size < 1_000_000  # small on disk, under the 200 MiB guard unpacked
    with pytest.raises(SourceError, match="zip bomb"):
        read_source(path)


def test_sentence_splitting_is_linear_on_runs_of_dots():
    text = "Zo. " + "." * 200_000 + " en verder."  # the old regex needed hours for this
    spans = units.sentences(text)
    assert spans[0] == (0, 3) and text[slice(*spans[-1])] == "en verder."


_OLD_SENTENCE = re.compile(r"[^\s].*?(?:[.!?…]+[\"'”’)]*(?=\s)|\n\s*\n|$)", re.S)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet=". !?\n\tab”)…'\"", max_size=40), st.integers(0, 6), st.integers(0, 6))
def test_sentences_cut_where_the_old_regex_did(text, a, b):
    end = max(a, len(text) - b)
    old = [units.trim(text, m.start(), m.end()) for m in _OLD_SENTENCE.finditer(text, a, end)]
    assert units.sentences(text, a, end) == [(s, e) for s, e in old if e > s]


def test_bomless_utf16_that_also_reads_as_utf8_is_refused():
    data = "\u2028\u2028".encode("utf-16-le")  # valid UTF-8 too: "( ( "
    with pytest.raises(SourceError, match="cannot tell the encoding.*--encoding utf-16-le"):
        decode(data, "x.txt")
    assert decode(data, "x.txt", "utf-16-le")[0] == "\u2028\u2028"
    with pytest.raises(SourceError, match="utf-16"):
        decode("Привет, мир".encode("utf-16-le"), "x.txt")
    assert decode("Привет, мир".encode("utf-16-le"), "x.txt", "utf-16-le")[0] == "Привет, мир"
    # ordinary files are not affected
    assert decode(b'[{"id": "a", "title": "T"}]', "x.json")[1] == "utf-8"
    assert decode("Prijs: 5 €".encode("cp1252"), "x.txt") == ("Prijs: 5 €", "cp1252")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.binary(max_size=64))
def test_structure_free_fuzz_decode_only_raises_source_errors(data):
    try:
        text, _ = decode(data, "fuzz.txt")
    except SourceError as exc:
        assert "fuzz.txt" in str(exc)
    else:
        text.encode("utf-8")  # storable


_FIELD = st.one_of(st.text(max_size=10), st.integers(), st.none(), st.lists(st.text(max_size=3), max_size=2),
                   st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.dictionaries(st.sampled_from(["id", "title", "author", "issued", "abstract", "file"]), _FIELD,
                                max_size=5), max_size=3))
def test_structure_aware_fuzz_csl_json_fails_per_file_never_crashes(tmp_path_factory, items):
    path = tmp_path_factory.mktemp("fuzz") / "refs.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    from workbench.corpus.importers import read_or_report

    docs, error = read_or_report(path)
    assert (docs is None) != (error is None)
    if error is not None:
        assert "cannot read it" not in error, error  # a bug would be reported as such
    for d in docs or []:
        d.text.encode("utf-8") and json.dumps(d.meta)


# ---- PDF reflow, --kind ----------------------------------------------------------------------------------
def test_pdf_lines_are_reflowed_into_paragraphs_and_pages_kept(project, tmp_path):
    page1 = ["Beroepsoriëntatie begint vroeg in de basisschool, waar kinderen voor het",
             "eerst horen welke beroepen er zijn en wat volwassenen de hele dag doen op",
             "hun werk. Dat gebeurt vaak bij een bedrijfsbezoek.",
             "Inleiding",
             "Leerkrachten noemen tijd en geld als grootste beperking van hun beroeps-",
             "oriëntatie, gevolgd door kennis van de regionale arbeidsmarkt die vaak",
             "ontbreekt."]
    (tmp_path / "r.pdf").write_bytes(make_pdf([page1, ["Pagina twee begint een nieuwe alinea."]]))
    import_paths(project, [tmp_path / "r.pdf"], progress=False)
    text = project.text("r")
    paragraphs = text.rstrip("\n").split("\n\n")
    assert paragraphs[0].endswith("vaak bij een bedrijfsbezoek.") and "\n" not in paragraphs[0]
    assert paragraphs[1] == "Inleiding"
    assert "beroepsoriëntatie, gevolgd" in paragraphs[2]
    assert paragraphs[3] == "Pagina twee begint een nieuwe alinea."
    starts = json.loads(json.dumps(project.document_row("r")["meta"]["page_starts"]))
    assert starts == [0, text.index("Pagina twee")]
    assert len(units.sentences(text)) == 5  # whole sentences, not lines


def test_kind_interview_keeps_the_turns_of_a_short_transcript(project, tmp_path):
    short = tmp_path / "kort.txt"
    short.write_text("Interviewer: Hoe gaat het?\n\nR: Goed.\n", encoding="utf-8")
    report = import_paths(project, [short], progress=False)
    assert report["kind"].tolist() == ["other"] and "--kind interview" in report["message"].iloc[0]
    other = Project.init(tmp_path / "p2")
    report = import_paths(other, [short], progress=False, kind="interview")
    assert report["kind"].tolist() == ["interview"] and "--kind" not in report["message"].iloc[0]
    assert other.turns("kort")["speaker"].tolist() == ["Interviewer", "R"]
    assert other.documents()["case"].tolist() == ["kort"]


def test_front_matter_kind_wins_over_the_batch_kind(project, tmp_path):
    note = tmp_path / "n.md"
    note.write_text("---\nkind: other\n---\n" + TRANSCRIPT, encoding="utf-8")
    lit = FIXTURES / "refs.ris"
    report = import_paths(project, [note, lit], progress=False, kind="interview")
    assert dict(zip(report["document"], report["kind"], strict=True)) == {
        "n": "other", "archer2013": "literature", "chambers2018": "literature"}


def test_cli_import_kind_and_summary_by_kind(project, tmp_path, capsys):
    from workbench.cli import main

    (tmp_path / "t.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "n.txt").write_text("Een notitie.\n", encoding="utf-8")
    assert main(["import", "-p", str(project.root), str(tmp_path / "t.txt"), str(tmp_path / "n.txt"), "-q"]) == 0
    assert "summary: 2 imported (1 interview, 1 other)" in capsys.readouterr().out
    (tmp_path / "k.txt").write_text("Interviewer: Hoe?\n\nR: Zo.\n", encoding="utf-8")
    assert main(["import", "-p", str(project.root), str(tmp_path / "k.txt"), "--kind", "interview", "-q"]) == 0
    assert "(1 interview)" in capsys.readouterr().out


# ---- bibliographies' linked PDFs, --copy, source_path ----------------------------------------------------
def test_a_linked_pdf_outside_the_bibliography_folder_is_not_read(project, tmp_path):
    secret = tmp_path / "elders" / "geheim.pdf"
    secret.parent.mkdir()
    secret.write_bytes(make_pdf([["Vertrouwelijk."]]))
    bib = tmp_path / "ontvangen" / "refs.ris"
    bib.parent.mkdir()
    bib.write_text(f"TY  - JOUR\nID  - x\nTI  - T\nAB  - Het abstract.\nL1  - {secret}\nER  - \n", encoding="utf-8")
    [doc] = read_source(bib)
    assert doc.text == "Het abstract.\n" and doc.meta["refused_pdf"] == str(secret)
    bib.write_text("TY  - JOUR\nID  - x\nTI  - T\nAB  - Het abstract.\nL1  - ../elders/geheim.pdf\nER  - \n",
                   encoding="utf-8")
    report = import_paths(project, [bib], progress=False)
    assert "outside the bibliography's folder" in report["message"].iloc[0]
    assert project.text("x") == "Het abstract.\n"
    [allowed] = read_source(bib, pdf_folder=secret.parent)
    assert allowed.text == "Vertrouwelijk.\n"


def test_copy_never_overwrites_a_different_file_of_the_same_name(project, tmp_path):
    # same file name, different documents (front matter names them): both copies are kept
    for folder in ("school-a", "school-b", "school-c"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notulen.md").write_text(f"---\nid: {folder}\n---\nNotulen van {folder[-1]}.\n",
                                                      encoding="utf-8")
    import_paths(project, [tmp_path / "school-a" / "notulen.md"], progress=False, copy=True)
    report = import_paths(project, [tmp_path / "school-b", tmp_path / "school-c"], progress=False, copy=True)
    corpus = project.root / "corpus"
    assert [(corpus / n).read_text(encoding="utf-8").split("\n")[1] for n in
            ("notulen.md", "notulen-2.md", "notulen-3.md")] == ["id: school-a", "id: school-b", "id: school-c"]
    assert "copied to corpus/notulen-2.md" in report["message"].iloc[0]
    again = import_paths(project, [tmp_path / "school-b" / "notulen.md"], progress=False, copy=True)
    assert again["status"].tolist() == ["duplicate"] and not (corpus / "notulen-4.md").exists()


def test_source_path_is_relative_to_the_project_not_the_shell(project, tmp_path, monkeypatch):
    (tmp_path / "bron").mkdir()
    (tmp_path / "bron" / "a.txt").write_text("Tekst.\n", encoding="utf-8")
    (tmp_path / "elders" / "diep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "elders" / "diep")
    import_paths(project, [Path("../../bron/a.txt")], progress=False)
    assert project.document_row("a")["source_path"] == "../bron/a.txt"  # from proj/, wherever the shell was


# ---- reader processes die with the batch ------------------------------------------------------------------
def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reader processes are Linux-only")
def test_a_reader_process_exits_when_its_batch_is_killed(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from workbench.corpus import readers
        readers.read_or_report = lambda *a, **k: time.sleep(600)  # a reader that is busy for long
        sources = [Path({str(tmp_path)!r}) / f"{{i}}.txt" for i in range(3)]
        r = readers.SourceReader(sources, None, 1)
        print(r._procs[0].pid, flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(proc.stdout.readline())
        assert _alive(child)
        proc.kill()  # kill -9: no clean-up runs in the batch's process
        proc.wait()
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the reader outlived its batch"
    finally:
        proc.kill()


# ---- failures in the middle of a write roll back --------------------------------------------------------
def test_a_file_that_fails_after_its_rows_are_written_leaves_nothing(project, tmp_path, monkeypatch):
    from workbench.corpus import writer
    from workbench.store.bulk import Unstorable

    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(TRANSCRIPT.replace("goed", name), encoding="utf-8")
    real = writer.log_file
    calls = []

    def fail_first(*args, **kwargs):  # the document, its case and turns are in; logging them fails
        calls.append(1)
        if len(calls) == 1:
            raise Unstorable("simulated failure after the rows were written")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "log_file", fail_first)
    before = counts(project)
    report = import_paths(project, [tmp_path / "a.txt", tmp_path / "b.txt"], progress=False)
    assert list(report["status"]) == ["failed", "imported"]
    assert list(project.documents()["name"]) == ["b"] and list(project.cases()["name"]) == ["b"]
    after = counts(project)
    assert after["turns"] == len(project.turns("b")) and after["documents"] == before["documents"] + 1


def test_a_codebook_load_that_fails_at_the_end_leaves_the_codebook_as_it_was(tmp_path, monkeypatch):
    from workbench.codebook import io
    from workbench.codebook.tree import Codebook

    p = Project.init(tmp_path / "p")
    cb = Codebook(p, "anna")
    cb.apply_spec(io.parse("codes:\n- id: a\n  label: A\n"))
    before = counts(p)

    def boom(self, tx):
        raise RuntimeError("simulated failure after every code was written")

    monkeypatch.setattr(Codebook, "_check", boom)
    with pytest.raises(RuntimeError):
        cb.apply_spec(io.parse("codes:\n- id: a\n  label: Anders\n- id: b\n  label: B\n  parent: a\n"))
    assert counts(p) == before and p.codes()["label"].tolist() == ["A"]


def test_a_sheet_that_fails_while_writing_leaves_no_cases(project, tmp_path, monkeypatch):
    from workbench.corpus import attributes

    sheet = tmp_path / "cases.csv"
    sheet.write_text("case,age\nA,1\nB,2\n", encoding="utf-8")
    real, calls = attributes.now, []

    def fail_second(*a):
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("simulated disk failure on the second case")
        return real(*a)

    monkeypatch.setattr(attributes, "now", fail_second)
    with pytest.raises(sqlite3.OperationalError):
        attributes.import_sheet(project, sheet, create_cases=True)
    assert project.cases().empty and project.attributes().empty and project.events().empty


def test_cli_pdf_folder_lets_a_bibliography_link_there(project, tmp_path, capsys):
    from workbench.cli import main

    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "x.pdf").write_bytes(make_pdf([["De volledige tekst."]]))
    (tmp_path / "bib").mkdir()
    bib = tmp_path / "bib" / "refs.ris"
    bib.write_text("TY  - JOUR\nID  - x\nTI  - T\nAB  - Abstract.\nL1  - ../pdfs/x.pdf\nER  - \n", encoding="utf-8")
    assert main(["import", "-p", str(project.root), str(bib), "--pdf-folder", str(tmp_path / "pdfs"), "-q"]) == 0
    assert project.text("x") == "De volledige tekst.\n"
