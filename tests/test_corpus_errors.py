"""Bad input: a clear error that names the file (and line or position where known), and nothing written.

Every test imports one good document first, so "nothing written" is checked against a project that is not
empty: the counts of documents, cases, turns, attributes, values and events must not move.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from workbench.corpus import importers
from workbench.corpus.batch import import_paths
from workbench.store.project import Project

from .fixtures.corpus.build import counts, fake_huge, make_docx, make_odt, make_pdf, zip_of

GOOD = "Interviewer: Wat doet de school?\n\nR: Veel.\n\nInterviewer: Bijvoorbeeld?\n\nR: Een projectweek.\n"


@pytest.fixture
def project(tmp_path):
    p = Project.init(tmp_path / "proj")
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "eerste.txt").write_text(GOOD, encoding="utf-8")
    assert list(import_paths(p, [seed], progress=False)["status"]) == ["imported"]
    yield p
    p.close()


def fails(project: Project, path: Path, *fragments: str, where: str | None = None) -> str:
    """Import `path` alone: it must fail, its message must start with `where` (default: the path) and
    contain every fragment, and the project must be exactly as before."""
    before = counts(project)
    report = import_paths(project, [path], progress=False)
    assert set(report["status"]) == {"failed"}, report.to_string()
    message = report["message"].iloc[0]
    assert message.startswith(f"{where or path}: "), message
    for fragment in fragments:
        assert fragment in message, message
    assert counts(project) == before
    return message


# ---- Office, PDF, zip bombs --------------------------------------------------------------------------------
def test_docx_that_is_not_a_zip(project, tmp_path):
    src = tmp_path / "kapot.docx"
    src.write_bytes(b"Dit is platte tekst met een verkeerde extensie.")
    fails(project, src, "corrupt or not a .docx file", "save it again")


def test_docx_zip_without_word_parts(project, tmp_path):
    src = tmp_path / "leeg.docx"
    src.write_bytes(zip_of({"hello.txt": "x"}))
    fails(project, src, "corrupt .docx", "[Content_Types].xml")


def test_docx_with_broken_xml(project, tmp_path):
    good = make_docx(tmp_path / "good.docx", ["Hallo"])
    src = tmp_path / "xml.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(src, "w") as zout:
        for item in zin.infolist():
            data = b"<w:document><broken" if item.filename == "word/document.xml" else zin.read(item)
            zout.writestr(item, data)
    fails(project, src, "corrupt .docx", "XMLSyntaxError")


def test_docx_with_damaged_compressed_data(project, tmp_path):
    data = bytearray(make_docx(tmp_path / "good.docx", ["Hallo wereld " * 50]).read_bytes())
    at = data.find(b"word/document.xml") + len("word/document.xml") + 8  # inside its deflated bytes
    for i in range(at, at + 16):
        data[i] ^= 0x5A
    src = tmp_path / "crc.docx"
    src.write_bytes(bytes(data))
    fails(project, src, "corrupt .docx")


def test_truncated_docx(project, tmp_path):
    data = make_docx(tmp_path / "good.docx", ["Hallo"]).read_bytes()
    src = tmp_path / "half.docx"
    src.write_bytes(data[: len(data) // 2])
    fails(project, src, "corrupt or not a .docx file")


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_zip_bomb_guard(project, tmp_path, suffix):
    if suffix == ".docx":
        data = make_docx(tmp_path / "good.docx", ["Hallo"]).read_bytes()
    else:
        data = make_odt(tmp_path / "good.odt", "Kop", ["Hallo"]).read_bytes()
    src = tmp_path / f"bomb{suffix}"
    src.write_bytes(fake_huge(data))
    with zipfile.ZipFile(src) as zf:  # it is still a readable zip; only the declared sizes lie
        assert sum(i.file_size for i in zf.infolist()) > 1 << 30
    fails(project, src, "MiB, more than any text document needs", "zip bomb")


def test_odt_without_content_and_with_broken_content(project, tmp_path):
    src = tmp_path / "geen.odt"
    src.write_bytes(zip_of({"mimetype": "application/vnd.oasis.opendocument.text"}))
    fails(project, src, "no content.xml inside")
    src = tmp_path / "stuk.odt"
    src.write_bytes(zip_of({"content.xml": "<office:document-content><broken"}))
    fails(project, src, "corrupt content.xml")


@pytest.mark.parametrize(("content", "fragment"), [
    (b"%PDF-1.4\n" + bytes(range(256)) * 4, "corrupt PDF"),
    (b"", "corrupt PDF"),
    (b"<html>not a pdf</html>", "corrupt PDF"),
])
def test_corrupt_pdf(project, tmp_path, content, fragment):
    src = tmp_path / "stuk.pdf"
    src.write_bytes(content)
    fails(project, src, fragment, "re-export the PDF")


def test_truncated_pdf(project, tmp_path):
    data = make_pdf([["Eerste pagina met tekst."], ["Tweede pagina."]])
    src = tmp_path / "half.pdf"
    src.write_bytes(data[: len(data) // 3])
    fails(project, src, "PDF")


def test_pdf_without_text(project, tmp_path):
    src = tmp_path / "scan.pdf"
    src.write_bytes(make_pdf([[]]))
    fails(project, src, "no extractable text", "OCR")


# ---- duplicates and names -----------------------------------------------------------------------------------
def test_same_content_is_a_duplicate_and_skipped(project, tmp_path):
    src = tmp_path / "kopie.txt"
    src.write_text(GOOD.replace("\n", "\r\n"), encoding="utf-8")  # same canonical text, other bytes
    before = counts(project)
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["duplicate"]
    assert report["message"].iloc[0] == "same text as document 'eerste'; skipped"
    assert counts(project) == before


def test_same_name_with_other_text_fails(project, tmp_path):
    other = tmp_path / "elders"
    other.mkdir()
    src = other / "eerste.txt"
    src.write_text("Een heel ander verhaal.\n", encoding="utf-8")
    fails(project, src, "a different document named 'eerste' is already in the project", "another name")


def test_a_bibliography_is_one_transaction(project, tmp_path):
    # the second reference clashes with the document already there: the first is not written either
    src = tmp_path / "refs.ris"
    src.write_text("TY  - JOUR\nID  - nieuw2020\nTI  - Nieuw\nAB  - Iets nieuws.\nER  - \n\n"
                   "TY  - JOUR\nID  - eerste\nTI  - Botst\nAB  - Andere tekst.\nER  - \n", encoding="utf-8")
    before = counts(project)
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["failed", "failed"]
    assert list(report["document"]) == ["nieuw2020", "eerste"]
    assert "'eerste' from the same file failed, so nothing of it was written" in report["message"].iloc[0]
    assert "a different document named 'eerste'" in report["message"].iloc[1]
    assert counts(project) == before
    assert "nieuw2020" not in set(project.documents()["name"])


def test_citation_keys_must_be_unique_within_a_file(project, tmp_path):
    src = tmp_path / "dubbel.json"
    src.write_text('[{"id": "a", "title": "Een"}, {"id": "a", "title": "Twee"}]', encoding="utf-8")
    fails(project, src, "citation key 'a' occurs twice")


# ---- bibliographies ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("content", "line", "fragment"), [
    ("TY  - JOUR\nTI  - Zonder einde\nAB  - Tekst.\n", 1, "has no ER (the file ends inside it)"),
    ("TY  - JOUR\nTI  - Een\nTY  - JOUR\nTI  - Twee\nER  - \n", 3, "the one from line 1 has no ER"),
    ("TY  - JOUR\nTI  - Een\nER  - \n\nTI  - Los\nER  - \n", 5, "TI line outside a record"),
    ("Dit is geen RIS.\nHelemaal niet.\n", 1, "not RIS"),
])
def test_invalid_ris_names_the_line(project, tmp_path, content, line, fragment):
    src = tmp_path / "refs.ris"
    src.write_text(content, encoding="utf-8")
    fails(project, src, fragment, where=f"{src}:{line}")


@pytest.mark.parametrize(("content", "line", "fragment"), [
    ("@article{a,\n title={Goed},\n year=2020\n}\n\n@article{b,\n title = {Open accolade\n year = 2020,\n}\n",
     6, "cannot parse BibTeX entry"),
    ("@article{a,\n title={Een}\n}\n\n@article{a,\n title={Twee}\n}\n", 5, "citation key 'a' occurs twice"),
])
def test_invalid_bibtex_names_the_line(project, tmp_path, content, line, fragment):
    src = tmp_path / "refs.bib"
    src.write_text(content, encoding="utf-8")
    fails(project, src, fragment, where=f"{src}:{line}")


def test_bibtex_without_entries(project, tmp_path):
    src = tmp_path / "leeg.bib"
    src.write_text("Alleen wat tekst, geen @entries.\n", encoding="utf-8")
    fails(project, src, "no BibTeX entries found")


def test_csl_json_syntax_error_names_line_and_column(project, tmp_path):
    src = tmp_path / "refs.json"
    src.write_text('[\n  {"id": "a",\n   "title": "x",,}\n]', encoding="utf-8")
    fails(project, src, "invalid JSON", where=f"{src}:3:17")


@pytest.mark.parametrize(("content", "where_suffix", "fragment"), [
    ('[{"id": "a", "title": "T", "author": "Smith, J."}]', " (reference 1, id 'a')", "malformed author"),
    ('[{"id": "a", "title": "T"}, {"id": "b", "title": "U", "issued": {"date-parts": 2016}}]',
     " (reference 2, id 'b')", "malformed author or issued field"),
    ('{"name": "geen referentie"}', " (reference 1)", "not a CSL-JSON reference"),
    ('[1, 2, 3]', "", "must be a list of reference objects"),
    ('[{"id": "a"}]', " (a)", "has no abstract, title or linked PDF"),
])
def test_invalid_csl_json(project, tmp_path, content, where_suffix, fragment):
    src = tmp_path / "refs.json"
    src.write_text(content, encoding="utf-8")
    fails(project, src, fragment, where=f"{src}{where_suffix}")


# ---- subtitles ----------------------------------------------------------------------------------------------
def test_vtt_without_header(project, tmp_path):
    src = tmp_path / "geen-kop.vtt"
    src.write_text("00:00:01.000 --> 00:00:02.000\n<v Anna>Hallo\n", encoding="utf-8")
    fails(project, src, "missing the WEBVTT header on line 1", where=f"{src}:1")


def test_srt_without_cues(project, tmp_path):
    src = tmp_path / "leeg.srt"
    src.write_text("1\nGeen tijden hier\n", encoding="utf-8")
    fails(project, src, "no subtitle cues found")


def test_cue_that_ends_before_it_starts(project, tmp_path):
    src = tmp_path / "terug.vtt"
    src.write_text("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHallo\n", encoding="utf-8")
    fails(project, src, "cue ends before it starts", where=f"{src}:3")


# ---- front matter ---------------------------------------------------------------------------------------------
def test_invalid_front_matter_names_the_line(project, tmp_path):
    src = tmp_path / "fm.md"
    src.write_text("---\nid: x\ntitle: [unclosed\n---\nTekst.\n", encoding="utf-8")
    fails(project, src, "invalid front matter", where=f"{src}:3")  # the line of the unclosed [


def test_front_matter_only(project, tmp_path):
    src = tmp_path / "alleen-kop.md"
    src.write_text("---\nid: leeg\n---", encoding="utf-8")  # no newline after the closing ---
    fails(project, src, "no text after the front matter")


def test_unknown_kind(project, tmp_path):
    src = tmp_path / "soort.md"
    src.write_text("---\nkind: roman\n---\nTekst.\n", encoding="utf-8")
    fails(project, src, "unknown kind 'roman'", where=f"{src}:2")


# ---- the batch survives a reader's surprise -----------------------------------------------------------------
def test_an_unexpected_reader_error_fails_that_file_only(project, tmp_path, monkeypatch):
    def explode(path, encoding=None):
        raise RuntimeError("boom")

    monkeypatch.setitem(importers.READERS, ".srt", explode)
    (tmp_path / "b").mkdir()
    bad = tmp_path / "b" / "a.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nHallo\n", encoding="utf-8")
    good = tmp_path / "b" / "b.txt"
    good.write_text("Nog een notitie.\n", encoding="utf-8")
    report = import_paths(project, [tmp_path / "b"], progress=False)
    assert list(report["status"]) == ["failed", "imported"]
    assert report["message"].iloc[0].startswith(f"{bad}: cannot read it (RuntimeError: boom)")
