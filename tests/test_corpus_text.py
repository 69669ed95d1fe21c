"""Canonical text and encoding detection: what every offset points into, and reading any text file."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from workbench.corpus.batch import import_paths
from workbench.corpus.text import canonicalize, content_hash, decode, line_col, read_text_file
from workbench.errors import SourceError
from workbench.store.project import Project

from .fixtures.corpus.build import counts

DUTCH = "Één café in Zürich: we betaalden €5 voor ‘crème brûlée’ — naïef, maar geïnteresseerd.\n"
LATIN1 = "Één café, crème brûlée, naïef en geïnteresseerd; Straße; Ærø.\n"  # no €, no curly quotes


@pytest.fixture
def project(tmp_path):
    p = Project.init(tmp_path / "proj")
    yield p
    p.close()


def test_canonical_text_is_nfc_with_lf_and_no_bom():
    raw = "\ufeffCafe\u0301 een\r\ntwee\rdrie\n"
    text = canonicalize(raw)
    assert text == "Café een\ntwee\ndrie\n"
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text and not text.startswith("\ufeff")
    # the hash identifies the canonical text, so the decomposed and the composed spelling are one document
    assert content_hash(text) == content_hash(canonicalize("Caf\u00e9 een\ntwee\ndrie\n"))


def test_a_crlf_decomposed_file_is_imported_canonical(project, tmp_path):
    src = tmp_path / "crlf.txt"
    src.write_bytes("Interviewer: Hoe gaat het met de e\u0301le\u0300ves?\r\n\r\nR: Goed.\r\nEcht.\r\n\r\n"
                    "Interviewer: Fijn.\r\n".encode())
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["imported"]
    text = project.text("crlf")
    assert "\r" not in text and "élèves" in text and unicodedata.is_normalized("NFC", text)
    turns = project.turns("crlf")
    assert list(turns["speaker"]) == ["Interviewer", "R", "Interviewer"]
    r = turns.iloc[1]
    assert text[r["start"]:r["end"]] == "R: Goed.\nEcht."
    assert text[r["speech_start"]:r["end"]] == "Goed.\nEcht."


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings_are_detected_not_refused(project, tmp_path, encoding):
    text = DUTCH if encoding == "cp1252" else LATIN1
    src = tmp_path / f"legacy-{encoding}.txt"
    src.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    with pytest.raises(UnicodeDecodeError):
        src.read_bytes().decode("utf-8")  # really not UTF-8
    decoded, used = read_text_file(src)
    assert decoded == text
    # Latin-1 text is cp1252 text (they differ only in C1 control codes), so either name is right
    assert used in ({"cp1252"} if encoding == "cp1252" else {"cp1252", "latin_1", "iso8859_15"})
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["imported"], report["message"].tolist()
    row = project.documents().set_index("name").loc[src.stem]
    assert row["encoding"] == used
    assert project.text(src.stem) == text


@pytest.mark.parametrize("sample", [
    "Zo'n ideeën, naïef en geïnteresseerd.", "Der Bäcker backt Brötchen für die Straße.",
    "R: Goed, dank u. Één ding: de coördinator is ziek.", "€ 5,-", "Prijs: 5 €", "zo’n auto’s",
    "“Quoted” text – with dashes… and ‘single’ ones",
])
def test_short_cp1252_texts_are_not_mistaken_for_mac_roman_or_dos(sample):
    assert decode(sample.encode("cp1252"), "x.txt") == (sample, "cp1252")


@pytest.mark.parametrize(("codec", "bom"), [
    ("utf-16", True), ("utf-16-le", False), ("utf-16-be", False), ("utf-8-sig", True),
])
def test_utf16_with_and_without_bom_and_utf8_bom(project, tmp_path, codec, bom):
    data = DUTCH.encode(codec)
    assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)) == bom
    src = tmp_path / f"{codec}.txt"
    src.write_bytes(data)
    text, used = read_text_file(src)
    assert text == DUTCH and not text.startswith("\ufeff")
    assert used.replace("_", "-").startswith("utf")
    assert list(import_paths(project, [src], progress=False)["status"]) == ["imported"]
    assert project.text(src.stem) == DUTCH


def test_an_explicit_encoding_wins_and_a_wrong_one_is_named(tmp_path):
    src = tmp_path / "x.txt"
    src.write_bytes("café".encode("cp1252"))
    assert read_text_file(src, "cp1252") == ("café", "cp1252")
    with pytest.raises(SourceError, match=r"x\.txt: cannot decode as utf-8"):
        read_text_file(src, "utf-8")


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "the file is empty"),
    (b"  \r\n\n\t ", "the file is empty"),
    (bytes(range(256)) * 8, "looks like a binary file"),
    (bytes(4096), "looks like a binary file"),  # all NUL: valid UTF-8, still not text
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(200), "looks like a binary file"),
    (bytes(b for b in bytes(range(256)) * 8 if b), "no known encoding fits"),  # binary without NUL bytes
    ("Привет, как дела? Это интервью.".encode("cp1251"), "no known encoding fits"),  # not a Western script
])
def test_empty_and_binary_files_fail_naming_the_file_and_write_nothing(project, tmp_path, content, reason):
    good = tmp_path / "good.txt"
    good.write_text("Een eerdere notitie.\n", encoding="utf-8")
    import_paths(project, [good], progress=False)
    before = counts(project)
    src = tmp_path / "bad.txt"
    src.write_bytes(content)
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["failed"]
    message = report["message"].iloc[0]
    assert message.startswith(f"{src}: ") and reason in message
    assert counts(project) == before


def test_undecodable_bytes_name_the_offset_and_line():
    with pytest.raises(SourceError) as err:
        decode(b"ok\nok\n" + "Привет, как дела?".encode("koi8-r"), "odd.txt")
    assert "offset 6, line 3" in str(err.value) and str(err.value).startswith("odd.txt: ")


def test_line_col():
    text = "ab\ncd\nef"
    assert line_col(text, 0) == (1, 1)
    assert line_col(text, 4) == (2, 2)
    assert line_col(text, 6) == (3, 1)
