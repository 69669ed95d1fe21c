"""The plain-text mirror: deterministic export, byte-identical round trip, mismatch and error reporting."""

from __future__ import annotations

import shutil

import pytest

from workbench.cli import main
from workbench.coding.mirror import export_coding, import_coding
from workbench.corpus.batch import import_paths
from workbench.errors import ValidationError
from workbench.store.project import Project

from .conftest import REPO


def fresh_demo_copy(tmp_path, name="copy"):
    """A new project with the demo documents but no codebook or codings."""
    p = Project.init(tmp_path / name)
    import_paths(p, [REPO / "corpus"], progress=False)
    return p


def test_round_trip_database_files_database_files_is_byte_identical(demo_project, tmp_path):
    first = export_coding(demo_project, tmp_path / "one")
    second_project = fresh_demo_copy(tmp_path)
    report = import_coding(second_project, tmp_path / "one")
    assert report.mismatches.empty and report.added == len(demo_project.codings())
    second = export_coding(second_project, tmp_path / "two")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    # and the codebook written from the database is the framework file itself
    assert first[0].read_bytes() == (REPO / "coding" / "framework.yaml").read_bytes()


def test_offsets_and_quotes_survive_export_and_reload(demo_project, tmp_path):
    export_coding(demo_project, tmp_path / "x")
    again = fresh_demo_copy(tmp_path)
    import_coding(again, tmp_path / "x")
    cols = ["document", "start", "end", "code", "coder", "quote"]
    before = demo_project.codings()[cols].reset_index(drop=True)
    after = again.codings()[cols].reset_index(drop=True)
    assert before.equals(after)
    for r in after.sample(50, random_state=1).itertuples():
        assert again.text(r.document)[r.start:r.end] == r.quote


def test_reimport_is_idempotent(demo_project, tmp_path):
    export_coding(demo_project, tmp_path / "x")
    report = import_coding(demo_project, tmp_path / "x")
    assert report.added == 0 and report.unchanged == len(demo_project.codings())


def test_shifted_quotes_are_reported_not_imported(project, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    text = project.text("T01")
    i = text.index("bedrijfsbezoek")
    (folder / "codings.csv").write_text(
        "document,start,end,code,coder,memo,quote\n"
        f"T01,{i},{i + 14},visit,coder-a,,bedrijfsbezoek\n"
        f"T01,{i + 1},{i + 15},visit,coder-a,,bedrijfsbezoek\n", encoding="utf-8")
    report = import_coding(project, folder)
    assert report.added == 1
    assert len(report.mismatches) == 1
    bad = report.mismatches.iloc[0]
    assert bad["line"] == 3 and bad["found"] == "edrijfsbezoek."


@pytest.mark.parametrize("row, message", [
    ("T99,0,5,visit,coder-a,,x", "unknown document 'T99'"),
    ("T01,0,5,nope,coder-a,,[00:0", "unknown code 'nope'"),
    ("T01,5,2,visit,coder-a,,x", "invalid offsets"),
    ("T01,a,2,visit,coder-a,,x", "must be integers"),
])
def test_bad_coding_rows_stop_the_import_with_the_line_and_write_nothing(project, tmp_path, row, message):
    folder = tmp_path / "m"
    folder.mkdir()
    good = "T01,0,5,visit,coder-a,,[00:0"
    (folder / "codings.csv").write_text(f"document,start,end,code,coder,memo,quote\n{good}\n{row}\n", encoding="utf-8")
    events_before = len(project.events())
    with pytest.raises(ValidationError) as err:
        import_coding(project, folder)
    assert message in str(err.value) and "codings.csv:3" in str(err.value)
    assert project.codings().empty and len(project.events()) == events_before


def test_cli_export_and_import_coding(demo_project, tmp_path, capsys):
    root = tmp_path / "proj"
    demo_project.engine.dispose()  # closing checkpoints the WAL into the database file before the copy
    shutil.copytree(demo_project.root, root)
    assert main(["export-coding", "-p", str(root)]) == 0
    assert (root / "coding" / "codings.csv").exists()
    other = fresh_demo_copy(tmp_path, "other")
    assert main(["import-coding", "-p", str(other.root), "--folder", str(root / "coding")]) == 0
    assert "mismatched: 0" in capsys.readouterr().out
    assert len(other.codings()) == len(demo_project.codings())


def test_missing_memos_stay_empty_and_memos_round_trip(project, tmp_path):
    from workbench.coding.retrieval import segments, to_html
    from workbench.coding.session import CodingSession

    s = CodingSession(project, "coder-a")
    s.code("T01", 0, 11, "visit")
    s.code("T02", 0, 11, "guest", memo='met "aanhalingstekens", komma\nen een nieuwe regel')
    _, csv_path = export_coding(project, tmp_path / "m")
    text = csv_path.read_text(encoding="utf-8")
    assert "nan" not in text
    rows = text.splitlines()
    assert rows[1].split(",")[5] == ""  # T01's coding: no memo
    memos = dict(zip(project.codings()["document"], project.codings()["memo"], strict=True))
    assert memos["T02"] == 'met "aanhalingstekens", komma\nen een nieuwe regel'
    page = to_html(project, segments(project))
    assert "memo: nan" not in page and "aanhalingstekens" in page
