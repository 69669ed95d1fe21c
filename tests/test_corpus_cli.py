"""`workbench init`, `workbench import`, `workbench info` and their --help, as a researcher runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.store.project import Project

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"


@pytest.fixture
def sources(tmp_path) -> Path:
    src = tmp_path / "bronnen"
    src.mkdir()
    for name in ("interview_colon.txt", "interview_ir.txt", "refs.ris", "cases.csv"):
        shutil.copy(FIXTURES / name, src / name)
    return src


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init_import_info(tmp_path, sources, capsys):
    proj = tmp_path / "studie"
    code, out, _ = run(capsys, "init", str(proj), "--name", "Beroepsoriëntatie")
    assert code == 0 and "initialised 'Beroepsoriëntatie'" in out
    assert (proj / "workbench.yaml").exists() and (proj / "corpus").is_dir()

    code, out, err = run(capsys, "import", "-p", str(proj), str(sources), "-q")
    assert code == 0, err
    assert "summary: 5 imported" in out
    assert "failed" not in err

    code, out, _ = run(capsys, "info", "-p", str(proj))
    assert code == 0
    assert "Project: Beroepsoriëntatie" in out
    assert "interview      2 documents" in out and "literature     2 documents" in out
    assert "cases          2" in out

    # again: nothing new, still a success, and the duplicates are listed
    code, out, err = run(capsys, "import", "-p", str(proj), str(sources), "-q")
    assert code == 0
    assert "summary: 4 duplicate, 1 unchanged" in out
    assert f"duplicate {sources / 'interview_ir.txt'}: same text as document 'interview_ir'; skipped" in out
    with Project.open(proj) as p:
        assert len(p.documents()) == 4


def test_import_with_a_failing_file_exits_7_and_names_it_on_stderr(tmp_path, sources, capsys):
    proj = tmp_path / "studie"
    main(["init", str(proj)])
    (sources / "kapot.docx").write_bytes(b"geen zip")
    (sources / "leeg.txt").write_bytes(b"")
    code, out, err = run(capsys, "import", "-p", str(proj), str(sources), "-q")
    assert code == 7
    assert f"failed    {sources / 'kapot.docx'}: {sources / 'kapot.docx'}: corrupt or not a .docx file" in err
    assert f"{sources / 'leeg.txt'}: the file is empty" in err
    assert "summary: 5 imported, 2 failed" in out
    with Project.open(proj) as p:  # the good files are in
        assert len(p.documents()) == 4


def test_import_verbose_lists_every_file(tmp_path, sources, capsys):
    proj = tmp_path / "studie"
    main(["init", str(proj)])
    code, out, _ = run(capsys, "import", "-p", str(proj), str(sources / "interview_ir.txt"), "-v", "-q")
    assert code == 0
    assert f"imported  {sources / 'interview_ir.txt'}: interview, " in out and "(4 turns)" in out


def test_import_with_readers_off(tmp_path, capsys, monkeypatch):
    # enough files that readers would start, and a run with readers beside it: --workers 0 must differ
    from workbench.corpus import readers

    monkeypatch.setattr(readers.threading, "active_count", lambda: 1)  # as in a plain shell
    src = tmp_path / "veel"
    src.mkdir()
    for i in range(70):
        (src / f"n{i:02d}.txt").write_text(f"Notitie nummer {i}.\n", encoding="utf-8")
    for workers, expected in (("0", "read in this process"), ("2", "read by 2 reader processes")):
        proj = tmp_path / f"studie{workers}"
        main(["init", str(proj)])
        code, out, _ = run(capsys, "import", "-p", str(proj), str(src), "--workers", workers, "-q", "-v")
        assert code == 0 and "summary: 70 imported" in out and expected in out
        assert len(Project.open(proj).documents()) == 70


def test_import_into_a_folder_that_is_not_a_project(tmp_path, sources, capsys):
    code, _, err = run(capsys, "import", "-p", str(tmp_path / "nergens"), str(sources))
    assert code == 5 and "not a workbench project" in err and "workbench init" in err


def test_import_of_a_missing_path(tmp_path, capsys):
    proj = tmp_path / "studie"
    main(["init", str(proj)])
    code, _, err = run(capsys, "import", "-p", str(proj), str(tmp_path / "bestaat-niet.txt"))
    assert code == 3 and f"{tmp_path / 'bestaat-niet.txt'}: no such file or folder" in err


def test_import_with_a_forced_encoding(tmp_path, capsys):
    proj = tmp_path / "studie"
    main(["init", str(proj)])
    src = tmp_path / "oud.txt"
    src.write_bytes("Één café.\n".encode("cp1252"))
    code, _, _ = run(capsys, "import", "-p", str(proj), str(src), "--encoding", "cp1252", "-q")
    assert code == 0
    with Project.open(proj) as p:
        assert p.text("oud") == "Één café.\n"
        assert p.documents()["encoding"].tolist() == ["cp1252"]


def test_attribute_sheet_with_unknown_cases_and_create_cases(tmp_path, capsys):
    proj = tmp_path / "studie"
    main(["init", str(proj)])
    sheet = tmp_path / "cases.csv"
    sheet.write_text("case,age:integer\nnieuw,40\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "-p", str(proj), str(sheet), "-q")
    assert code == 7 and f"{sheet}:2: row 2: unknown case 'nieuw'" in err
    code, out, _ = run(capsys, "import", "-p", str(proj), str(sheet), "-q", "--create-cases")
    assert code == 0 and "summary: 1 imported" in out


@pytest.mark.parametrize("command", [[], ["init"], ["import"], ["info"]])
def test_help(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: workbench")
    expected = {(): "summarise a project",
                ("init",): "--database", ("import",): "--create-cases", ("info",): "--project"}[tuple(command)]
    assert expected in out


def test_the_installed_command(tmp_path):
    """The console script itself: init, import, info end to end in a fresh process."""
    exe = Path(sys.executable).with_name("workbench")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench"]
    proj = tmp_path / "p"
    src = tmp_path / "a.txt"
    src.write_text("Interviewer: Ja?\n\nR: Nee.\n\nInterviewer: Oh.\n", encoding="utf-8")
    bad = tmp_path / "b.vtt"
    bad.write_text("geen header\n", encoding="utf-8")
    assert subprocess.run([*cmd, "init", str(proj)], capture_output=True, check=False).returncode == 0
    done = subprocess.run([*cmd, "import", "-p", str(proj), str(src), str(bad)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 7
    assert f"{bad}:1: missing the WEBVTT header on line 1" in done.stderr
    info = subprocess.run([*cmd, "info", "-p", str(proj)], capture_output=True, text=True, check=False)
    assert info.returncode == 0 and "interview      1 documents" in info.stdout
