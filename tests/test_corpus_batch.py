"""Batch import: a transaction per file, failures reported and skipped, a summary, idempotent re-runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.corpus.batch import REPORT_COLUMNS, add_document, expand, import_paths
from workbench.corpus.importers import read_source
from workbench.errors import SourceError
from workbench.store.project import Project

from .fixtures.corpus.build import counts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"
TEXT_FIXTURES = ["interview_bare.txt", "interview_brackets.txt", "interview_colon.txt", "interview_ir.txt",
                 "note.md", "prose.txt", "refs.bib", "refs.json", "refs.ris", "subtitles.srt", "voices.vtt"]


@pytest.fixture
def project(tmp_path):
    p = Project.init(tmp_path / "proj")
    yield p
    p.close()


@pytest.fixture
def folder(tmp_path) -> Path:
    """Every text fixture, a broken file in the middle (alphabetically) and a file of an unknown type."""
    src = tmp_path / "bron"
    src.mkdir()
    for name in TEXT_FIXTURES:
        shutil.copy(FIXTURES / name, src / name)
    (src / "kapot.docx").write_bytes(b"no zip")
    (src / "plaatje.png").write_bytes(b"\x89PNG")
    (src / ".verborgen.txt").write_text("hidden files are skipped", encoding="utf-8")
    return src


def test_a_failing_file_in_the_middle_does_not_stop_the_batch(project, folder, capsys):
    report = import_paths(project, [folder], progress=True)
    assert list(report.columns) == REPORT_COLUMNS
    status = dict(zip(report["file"].map(lambda f: Path(f).name) + "/" + report["document"].fillna(""),
                      report["status"], strict=True))
    assert status.pop("kapot.docx/") == "failed"
    assert status.pop("plaatje.png/") == "ignored"
    assert status.pop(".verborgen.txt/") == "skipped"  # with a note, not silently
    assert set(status.values()) == {"imported"}
    # one row per document: bibliographies give several
    assert sorted(k for k in status if k.startswith("refs.")) == [
        "refs.bib/gottfredson1981", "refs.bib/watts2001", "refs.json/hughes2016", "refs.ris/archer2013",
        "refs.ris/chambers2018"]
    failed = report[report["status"] == "failed"].iloc[0]
    assert failed["message"].startswith(f"{folder / 'kapot.docx'}: corrupt or not a .docx file")
    assert report["status"].value_counts().to_dict() == {"imported": 13, "failed": 1, "ignored": 1, "skipped": 1}
    # files after the broken one are in
    assert {"subtitles", "voices", "prose", "memo-01"} <= set(project.documents()["name"])
    assert ".verborgen" not in set(project.documents()["name"])
    assert "import" in capsys.readouterr().err  # the tqdm progress bar


def test_reimporting_a_folder_is_idempotent(project, folder):
    (folder / "kapot.docx").unlink()
    first = import_paths(project, [folder], progress=False)
    assert set(first["status"]) == {"imported", "ignored", "skipped"}
    before = counts(project)
    docs_before = project.documents()
    events_before = project.events()
    again = import_paths(project, [folder], progress=False)
    documents = again[~again["status"].isin(["ignored", "skipped"])]
    assert set(documents["status"]) == {"duplicate"} and len(documents) == 13
    assert all(m.startswith("same text as document ") for m in documents["message"])
    assert counts(project) == before
    assert docs_before.equals(project.documents())
    assert len(project.events()) == len(events_before)


def test_every_file_is_one_event_group(project, folder):
    (folder / "kapot.docx").unlink()
    import_paths(project, [folder], progress=False)
    ev = project.events()
    assert set(ev["action"]) == {"document.import"} and not ev["undoable"].any()
    groups = ev.groupby("group_id")
    assert groups.ngroups == 11  # one per file, not per document
    ris = ev[ev["entity"].eq("documents") & ev["after"].map(lambda a: a.get("name") in ("archer2013", "chambers2018"))]
    assert ris["group_id"].nunique() == 1
    doc_event = ev[ev["entity"].eq("documents")].iloc[0]["after"]
    assert "text" not in doc_event and len(doc_event["content_hash"]) == 64  # the text is not copied into the log
    # case, document and attribute rows are logged; turns are structure of the (immutable) document
    assert set(ev["entity"]) == {"cases", "documents", "attributes", "document_values"}


def test_turn_offsets_slice_the_stored_text(project, folder):
    (folder / "kapot.docx").unlink()
    import_paths(project, [folder], progress=False)
    turns = project.turns()
    assert len(turns) == 20 and turns["document"].nunique() == 6
    for name, group in turns.groupby("document"):
        text_ = project.text(name)
        previous_end = 0
        for t in group.itertuples():
            assert previous_end <= t.start <= t.speech_start < t.end <= len(text_)
            assert text_[t.start:t.end] == text_[t.start:t.end].strip()
            if isinstance(t.speaker, str):
                assert t.speaker in text_[t.start:t.speech_start]
                assert text_[t.start:t.speech_start].rstrip().endswith(":")
            previous_end = t.end


def test_duplicates_within_one_batch(project, tmp_path):
    (tmp_path / "a.txt").write_text("Zelfde tekst.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Zelfde tekst.\n", encoding="utf-8")
    report = import_paths(project, [tmp_path / "a.txt", tmp_path / "b.txt"], progress=False)
    assert list(report["status"]) == ["imported", "duplicate"]
    assert report["message"].iloc[1] == "same text as document 'a'; skipped"
    assert len(project.documents()) == 1


def test_copy_puts_imported_files_in_the_corpus_folder(project, folder):
    import_paths(project, [folder], progress=False, copy=True)
    copied = sorted(p.name for p in (project.root / "corpus").iterdir())
    assert copied == sorted(TEXT_FIXTURES)  # not the broken .docx, not the ignored .png


def test_attribute_sheets_come_after_the_documents(project, tmp_path):
    src = tmp_path / "bron"
    src.mkdir()
    # 'a-cases.csv' sorts before the transcripts, but may still refer to their cases
    shutil.copy(FIXTURES / "cases.csv", src / "a-cases.csv")
    for name in ("interview_colon.txt", "interview_ir.txt"):
        shutil.copy(FIXTURES / name, src / name)
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["imported"] * 3
    assert report["file"].iloc[-1].endswith("a-cases.csv")
    assert project.case_attributes().loc["interview_ir", "age"] == 51


def test_add_document_single(project, tmp_path):
    src = tmp_path / "los.txt"
    src.write_text("Een losse notitie.\n", encoding="utf-8")
    [doc] = read_source(src)
    assert add_document(project, doc, src) == ("imported", "other, 19 characters")
    assert add_document(project, doc, src) == ("duplicate", "same text as document 'los'; skipped")
    doc.text = "Andere tekst.\n"
    with pytest.raises(SourceError, match="a different document named 'los'"):
        add_document(project, doc, src)


def test_expand(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/b.txt", "d/a.txt", "d/sub/c.txt", "d/.hidden.txt", "e.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "d" / ".git").mkdir()
    (tmp_path / "d" / ".git" / "config.txt").write_text("x", encoding="utf-8")
    got = expand([tmp_path / "e.txt", tmp_path / "d"])
    assert [p.relative_to(tmp_path).as_posix() for p in got] == ["e.txt", "d/a.txt", "d/b.txt", "d/sub/c.txt"]
    with pytest.raises(SourceError, match="no such file or folder"):
        expand([tmp_path / "nope"])


def test_a_long_transcript_keeps_every_turn_in_order(project, tmp_path):
    # more turns than one multi-row INSERT takes (100): the chunks must join up
    lines = [f"[{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}] {'Interviewer' if i % 2 == 0 else 'R'}: Zin {i}."
             for i in range(257)]
    src = tmp_path / "lang.txt"
    src.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    assert list(import_paths(project, [src], progress=False)["status"]) == ["imported"]
    turns = project.turns("lang")
    text_ = project.text("lang")
    assert list(turns["seq"]) == list(range(257))
    assert [text_[s:e] for s, e in zip(turns["start"], turns["end"], strict=True)] == lines
    assert list(turns["time_ms"]) == [i * 1000 for i in range(257)]
