"""Faults get messages, not tracebacks: a full disk, a read-only project folder.

Both use a real small tmpfs mounted by the test (root only, as `make test` runs in CI); elsewhere they skip.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.coding.session import CodingSession
from workbench.corpus.batch import import_paths
from workbench.errors import StorageError
from workbench.store.project import Project

from .conftest import INTERVIEW


def _mount(path: Path, size: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def small_disk(tmp_path):
    where = tmp_path / "disk"
    _mount(where, "1200k")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_full_disk_during_import_says_so_and_keeps_the_project_usable(small_disk, tmp_path):
    p = Project.init(small_disk / "p")
    src = tmp_path / "big"
    src.mkdir()
    for i in range(40):  # far more text than fits
        (src / f"B{i:02d}.txt").write_text(("Interviewer: Vraag?\n\nR: " + "woord " * 6000 + "\n") * 3 + f"{i}\n",
                                           encoding="utf-8")
    with pytest.raises(StorageError, match="the disk is full") as err:
        import_paths(p, [src], progress=False, workers=0)
    assert "free some disk space" in str(err.value)
    p.close()
    # what was committed is whole, and the database is intact
    with sqlite3.connect(small_disk / "p" / ".workbench" / "project.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        docs = conn.execute("SELECT id, length(text) FROM documents").fetchall()
        turns = dict(conn.execute("SELECT document_id, count(*) FROM turns GROUP BY document_id").fetchall())
        assert all(turns.get(d) == 6 for d, _ in docs)  # no document without its turns


def test_a_full_disk_while_coding_is_a_storage_error_and_nothing_is_half_written(small_disk, tmp_path):
    p = Project.init(small_disk / "p")
    src = tmp_path / "src"
    src.mkdir()
    (src / "T01.txt").write_text(INTERVIEW, encoding="utf-8")
    import_paths(p, [src], progress=False)
    from workbench.codebook.io import parse
    from workbench.codebook.tree import Codebook

    Codebook(p, "setup").apply_spec(parse("codes:\n- id: a\n  label: A\n  colour: '#112233'\n"))
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to the last byte
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    s = CodingSession(p, "anna", snap=False)
    n_before = len(p.codings())
    text = p.text("T01")
    rows = [{"document": "T01", "start": a, "end": a + k, "code": "a", "memo": "x" * 200}
            for k in range(1, 40) for a in range(0, len(text) - k, 3)]
    with pytest.raises(StorageError, match="disk is full"):
        for _ in range(3):
            s.code_many(rows)
    filler.unlink()
    left = p.codings()
    assert len(left) >= n_before  # whole chunks or nothing, and the project still answers
    assert CodingSession(p, "anna").code("T01", 0, 5, "a") > 0


@pytest.fixture
def read_only_copy(project, tmp_path):
    where = tmp_path / "ro"
    _mount(where, "20m")
    project.close()
    shutil.copytree(project.root, where / "p")
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
    yield where / "p"
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_read_only_project_folder_is_a_clear_error(read_only_copy, capsys):
    with pytest.raises(StorageError, match="read-only") as err:
        Project.open(read_only_copy)
    assert "copy the project to a folder you can write" in str(err.value)
    assert main(["info", "-p", str(read_only_copy)]) == 8
    assert "read-only" in capsys.readouterr().err
