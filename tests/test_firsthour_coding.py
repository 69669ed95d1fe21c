"""Issue 8, auto-coding and retrieval: speakers, kinds, numpy offsets, typed attribute filters, the mirror."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.codebook import io
from workbench.codebook.tree import Codebook
from workbench.coding import autocode
from workbench.coding.mirror import export_coding, import_coding
from workbench.coding.retrieval import segments
from workbench.coding.session import CodingSession
from workbench.corpus.batch import import_paths
from workbench.errors import ValidationError


def test_keyword_autocoding_leaves_out_the_interviewer_by_default(demo_project):
    coded = [c.id for c in Codebook(demo_project).spec().codes if c.keywords and c.codable][:12]
    default = pd.concat([autocode.by_pattern(demo_project, c, kinds=["interview"]) for c in coded])
    everyone = pd.concat([autocode.by_pattern(demo_project, c, kinds=["interview"], exclude_speakers=())
                          for c in coded])
    labels = {s.casefold() for s in demo_project.interviewer_labels}
    assert everyone["speaker"].str.casefold().isin(labels).any()  # the interviewer does say these words
    assert not default["speaker"].str.casefold().isin(labels).any()
    assert len(default) < len(everyone) and default["speaker"].notna().all()


def test_kinds_limits_autocoding_to_interviews_or_literature(demo_project):
    docs = demo_project.documents().set_index("name")["kind"]
    for code in (c.id for c in Codebook(demo_project).spec().codes if c.keywords and c.codable):
        everything = autocode.by_pattern(demo_project, code)
        if set(docs[everything["document"]]) >= {"interview", "literature"}:
            break
    else:
        pytest.fail("no code's keywords occur in both interviews and literature")
    only = autocode.by_pattern(demo_project, code, kinds=["literature"])
    assert len(only) and set(docs[only["document"]]) == {"literature"}
    assert only["speaker"].isna().all()


def test_interviewer_labels_are_a_project_setting(project):
    assert list(autocode.by_pattern(project, "visit", r"ouders", unit="sentence")["speaker"]) == ["T01"]
    project.set_interviewer_labels(["R"])
    preview = autocode.by_pattern(project, "visit", r"ouders", unit="sentence")
    assert list(preview["speaker"]) == ["Interviewer", "T01"]
    assert list(autocode.by_pattern(project, "visit", r"ouders", speakers=["interviewer"])["speaker"]) == [
        "Interviewer"]  # an allow-list, compared without case


def test_matches_in_a_speaker_label_are_not_coded(project):
    assert autocode.by_pattern(project, "visit", r"Interviewer|T01", unit="match", exclude_speakers=()).empty


def test_segments_have_speaker_and_time(project):
    text = project.text("T01")
    i = text.index("gastlessen")
    CodingSession(project, "anna").code("T01", i, i + 10, "guest")
    j = project.text("T02").index("Tijd en geld")
    CodingSession(project, "anna").code("T02", j, j + 12, "resources")
    seg = segments(project).set_index("document")
    assert seg.loc["T01", "speaker"] == "T01" and seg.loc["T01", "time"] == "00:01:15"
    assert seg.loc["T01", "time_ms"] == 75_000
    assert seg.loc["T02", "speaker"] == "R" and pd.isna(seg.loc["T02", "time"])


def test_numpy_integers_are_offsets_and_context(project):
    row = pd.DataFrame({"start": [np.int64(0)], "end": [np.int64(3)]}).iloc[0]
    text = project.text("T01")
    i = np.int64(text.index("gastlessen"))
    s = CodingSession(project, "anna")
    s.code("T01", i, i + np.int64(10), "guest")
    s.code_many([{"document": "T01", "start": i, "end": i + 10, "code": "visit"}])
    assert isinstance(row["start"], np.integer)
    near = segments(project, "guest", context=np.int64(12)).iloc[0]
    assert near["quote"] == "gastlessen" and 0 < len(near["context_before"]) <= 20
    with pytest.raises(ValidationError, match="integer"):
        segments(project, context=1.5)


def test_attribute_filters_are_read_as_the_attributes_type(project):
    j = project.text("T02").index("Tijd en geld")
    CodingSession(project, "anna").code("T02", j, j + 12, "resources")
    assert segments(project, attributes={"age": "61"})["document"].tolist() == ["T02"]  # integer attribute
    assert segments(project, attributes={"age": 61.0})["document"].tolist() == ["T02"]
    assert segments(project, attributes={"age": ["45", 61]})["document"].tolist() == ["T02"]
    assert segments(project, attributes={"age": 45}).empty  # right type, no match
    with pytest.raises(ValidationError, match="'age' holds integer values, and 'oud' is not one"):
        segments(project, attributes={"age": "oud"})
    assert list(autocode.by_attribute(project, "offer", "age", "45")["document"]) == ["T01"]
    with pytest.raises(ValidationError, match="unknown attribute"):
        segments(project, attributes={"leeftijd": 1})


def test_retrieval_uses_turn_context_without_labels(project):
    j = project.text("T02").index("geld")
    CodingSession(project, "anna").code("T02", j, j + 4, "resources")
    seg = segments(project, context="turn").iloc[0]
    assert seg["context_before"] + seg["quote"] + seg["context_after"] == (
        "Tijd en geld. Een bus naar een bedrijf kost veel.")


def test_a_coding_longer_than_the_csv_field_limit_round_trips(tmp_path):
    from workbench.store.project import Project

    src = tmp_path / "lang.txt"
    src.write_text(("Een heel lange zin over beroepen " * 5000).strip() + ".\n", encoding="utf-8")
    p = Project.init(tmp_path / "p")
    import_paths(p, [src], progress=False)
    Codebook(p, "anna").apply_spec(io.parse("codes:\n- id: alles\n  label: Alles\n"))
    n = len(p.text("lang").rstrip())
    assert n > 131_072
    CodingSession(p, "anna", snap=False).code("lang", 0, n, "alles")
    folder = tmp_path / "mirror"
    export_coding(p, folder)
    q = Project.init(tmp_path / "q")
    import_paths(q, [src], progress=False)
    report = import_coding(q, folder)
    assert report.added == 1 and len(report.mismatches) == 0
    assert q.codings()["quote"].str.len().tolist() == [n]


def test_import_coding_checks_every_coding_before_it_stores_the_codebook(project, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    spec = io.parse(io.dumps(Codebook(project).spec()) + "- id: nieuw\n  label: Nieuw\n")
    (folder / "codebook.yaml").write_text(io.dumps(spec), encoding="utf-8")
    i = project.text("T01").index("bedrijfsbezoek")
    (folder / "codings.csv").write_text(
        "document,start,end,code,coder,memo,quote\n"
        f"T01,{i},{i + 14},nieuw,anna,,bedrijfsbezoek\n"  # uses the file's new code: fine
        f"T01,{i},{i + 14},bestaat-niet,anna,,bedrijfsbezoek\n", encoding="utf-8")
    events = len(project.events())
    with pytest.raises(ValidationError, match=r"codings.csv:3.*unknown code 'bestaat-niet'"):
        import_coding(project, folder)
    assert "nieuw" not in set(project.codes()["id"]) and len(project.events()) == events
    # fixed, the same files import whole: the new code first, then its coding
    (folder / "codings.csv").write_text(
        f"document,start,end,code,coder,memo,quote\nT01,{i},{i + 14},nieuw,anna,,bedrijfsbezoek\n",
        encoding="utf-8")
    assert import_coding(project, folder).added == 1
    assert project.codings()["code"].tolist() == ["nieuw"]


def test_a_broken_csv_row_names_its_line(project, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "codings.csv").write_text("document,start,end,code,coder,memo,quote\nT01,0,5,visit,anna\n",
                                        encoding="utf-8")
    with pytest.raises(ValidationError, match=r"codings.csv:2"):
        import_coding(project, folder)


def test_a_mirror_import_that_fails_while_writing_leaves_the_codebook_as_it_was(project, tmp_path, monkeypatch):
    from workbench.coding import mirror

    folder = tmp_path / "m"
    folder.mkdir()
    spec = io.parse(io.dumps(Codebook(project).spec()) + "- id: nieuw\n  label: Nieuw\n")
    (folder / "codebook.yaml").write_text(io.dumps(spec), encoding="utf-8")
    i = project.text("T01").index("bedrijfsbezoek")
    (folder / "codings.csv").write_text(
        f"document,start,end,code,coder,memo,quote\nT01,{i},{i + 14},nieuw,anna,,bedrijfsbezoek\n", encoding="utf-8")
    events = len(project.events())

    def fail(*args, **kwargs):  # the codebook is written by now; the codings fail
        raise RuntimeError("simulated failure while storing the codings")

    monkeypatch.setattr(mirror, "existing_spans", fail)
    with pytest.raises(RuntimeError):
        import_coding(project, folder)
    assert "nieuw" not in set(project.codes()["id"]) and len(project.events()) == events
    monkeypatch.undo()
    report = import_coding(project, folder)
    assert report.added == 1 and "nieuw" in set(project.codes()["id"])
    CodingSession(project, "importer").undo()  # one action: the codebook and its codings go together
    assert "nieuw" not in set(project.codes()["id"]) and project.codings().empty
