"""A file is written whole or not at all: on failure, on Ctrl-C, on a crash; with reader processes too.

On SQLite a batch groups files into one commit (a SAVEPOINT per file); other databases get a transaction
per file through SQLAlchemy Core. Both paths are checked here, on SQLite.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

import workbench.corpus.readers as readers
import workbench.corpus.writer as writer_mod
import workbench.store.bulk as bulk_mod
from workbench.corpus.batch import import_paths
from workbench.corpus.document import ImportedDocument
from workbench.corpus.writer import DocumentWriter
from workbench.store.project import Project

from .fixtures.corpus.build import counts

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"
SRC = Path(__file__).resolve().parent.parent / "src"


def transcript(i: int) -> str:
    return "".join(f"[00:{m:02d}:0{i % 10}] {'Interviewer' if m % 2 == 0 else 'R'}: Zin {m} van gesprek {i}.\n\n"
                   for m in range(6))


@pytest.fixture
def folder(tmp_path) -> Path:
    src = tmp_path / "bron"
    src.mkdir()
    for i in range(8):
        (src / f"g{i:02d}.txt").write_text(transcript(i), encoding="utf-8")
    shutil.copy(FIXTURES / "refs.ris", src / "refs.ris")
    (src / "g03-kapot.docx").write_bytes(b"geen zip")
    return src


def snapshot(project: Project) -> dict:
    """What an import wrote, without ids and timestamps: comparable across runs and write paths."""
    docs = project.documents(with_text=True).drop(columns=["id", "imported"])
    docs["source_path"] = docs["source_path"].map(lambda p: Path(p).name)
    ev = project.events()
    events = sorted((r.entity, json.dumps({k: v for k, v in (r.after or {}).items()
                                           if k not in ("id", "created", "imported", "source_path", "case_id",
                                                        "document_id", "attribute_id")}, sort_keys=True))
                    for r in ev.itertuples())
    turns = project.turns().astype(object)
    return {"documents": docs.to_dict("records"), "turns": turns.where(turns.notna(), None).to_dict("records"),
            "attributes": project.document_attributes().to_dict(), "cases": list(project.cases()["name"]),
            "events": events, "groups": ev["group_id"].nunique()}


def test_the_core_path_writes_the_same_as_the_sqlite_path(tmp_path, folder, monkeypatch):
    fast = Project.init(tmp_path / "fast")
    report_fast = import_paths(fast, [folder], progress=False)
    monkeypatch.setattr(writer_mod, "open_store", bulk_mod.CoreStore)
    core = Project.init(tmp_path / "core")
    report_core = import_paths(core, [folder], progress=False)
    assert report_fast.equals(report_core)
    assert snapshot(fast) == snapshot(core)
    assert snapshot(fast)["groups"] == 9  # one event group per imported file


@pytest.mark.parametrize("path", ["sqlite", "core"])
def test_a_value_the_database_cannot_take_fails_that_file_only(tmp_path, monkeypatch, path):
    if path == "core":
        monkeypatch.setattr(writer_mod, "open_store", bulk_mod.CoreStore)
    project = Project.init(tmp_path / "p")
    good = ImportedDocument(name="goed", kind="interview", text="Een.\n", source_format="txt", case="c1")
    bad = ImportedDocument(name="fout", kind="interview", text="Twee.\n", source_format="txt", case="c2",
                           meta={"not json": object()})
    with DocumentWriter(project) as writer:
        assert writer.add_file([good], Path("goed.txt"))[0][0] == "imported"
        before = counts(project) if path == "core" else None
        status, message = writer.add_file([bad], Path("fout.txt"))[0]
        assert status == "failed" and message.startswith("fout.txt: cannot store it (TypeError")
        if before is not None:
            assert counts(project) == before
    after = counts(project)
    assert (after["documents"], after["cases"], after["events"]) == (1, 1, 2)  # the good file, whole


def test_ctrl_c_keeps_finished_files_and_nothing_of_the_interrupted_one(tmp_path, folder, monkeypatch):
    project = Project.init(tmp_path / "p")
    original = bulk_mod.SqliteStore.insert_many
    seen = []

    def interrupt_on_the_fourth_turns(self, table, keys, rows):
        if table.name == "turns":
            seen.append(rows[0][0])
            if len(seen) == 4:
                raise KeyboardInterrupt
        return original(self, table, keys, rows)

    monkeypatch.setattr(bulk_mod.SqliteStore, "insert_many", interrupt_on_the_fourth_turns)
    with pytest.raises(KeyboardInterrupt):
        import_paths(project, [folder], progress=False)
    docs = project.documents()
    assert sorted(docs["name"]) == ["g00", "g01", "g02"]  # committed on the way out
    assert len(project.turns()) == 3 * 6 and len(project.cases()) == 3
    assert project.events()["group_id"].nunique() == 3
    # and the next run picks up where it stopped
    monkeypatch.setattr(bulk_mod.SqliteStore, "insert_many", original)
    again = import_paths(project, [folder], progress=False)
    assert again["status"].value_counts().to_dict() == {"imported": 7, "duplicate": 3, "failed": 1}


CRASH = """
import os, sys
sys.path.insert(0, {src!r})
import workbench.corpus.batch as batch
import workbench.store.bulk as bulk_mod
from workbench.store.project import Project
original = bulk_mod.SqliteStore.insert_many
calls = []
def die_midway(self, table, keys, rows):
    if table.name == "turns":
        calls.append(1)
        if len(calls) == {n}:
            os._exit(9)  # a crash after this file's document row went in, before its turns
    return original(self, table, keys, rows)
bulk_mod.SqliteStore.insert_many = die_midway
bulk_mod._COMMIT_SECONDS = 0  # commit after every file: the files before the crash are in
batch.import_paths(Project.open({proj!r}), [{folder!r}], progress=False)
"""


@pytest.mark.parametrize("commit_each_file", [True, False])
def test_a_crash_never_leaves_half_a_file(tmp_path, folder, commit_each_file):
    proj = tmp_path / "p"
    Project.init(proj).close()
    script = CRASH.format(src=str(SRC), n=5, proj=str(proj), folder=str(folder))
    if not commit_each_file:
        script = script.replace("bulk_mod._COMMIT_SECONDS = 0", "bulk_mod._COMMIT_SECONDS = 60")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 9, done.stderr
    db = sqlite3.connect(proj / ".workbench" / "project.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    names = [r[0] for r in db.execute("SELECT name FROM documents ORDER BY name")]
    # files are taken in order: g00, g01, g02, g03-kapot.docx (fails), g03, g04 <- the crash
    assert names == (["g00", "g01", "g02", "g03"] if commit_each_file else [])
    for (doc_id,) in db.execute("SELECT id FROM documents"):
        assert db.execute("SELECT count(*) FROM turns WHERE document_id = ?", (doc_id,)).fetchone() == (6,)
    assert db.execute("SELECT count(DISTINCT group_id) FROM events").fetchone() == (len(names),)
    assert db.execute("SELECT count(*) FROM cases").fetchone() == (len(names),)
    db.close()
    with Project.open(proj) as project:  # and the project opens and finishes the import
        report = import_paths(project, [folder], progress=False)
        assert set(project.documents()["name"]) >= {f"g{i:02d}" for i in range(8)}
        assert "failed" in set(report["status"])


PARALLEL = """
import json, sys, threading
sys.path.insert(0, {src!r})
from workbench.store.project import Project
from workbench.corpus.batch import import_paths
out = {{}}
for workers in (0, 2):
    p = Project.init({proj!r} + str(workers))
    r = import_paths(p, [{folder!r}], progress=workers > 0, workers=workers)
    out[workers] = {{"readers": r.attrs["readers"], "report": r.astype(str).values.tolist(),
                     "turns": len(p.turns()), "threads": threading.active_count()}}
print(json.dumps(out))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reader processes need fork")
def test_reader_processes_give_the_same_result(tmp_path, folder):
    # in a fresh process: readers are only forked from a single-threaded one
    script = PARALLEL.format(src=str(SRC), proj=str(tmp_path / "p"), folder=str(folder))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    serial, parallel = out["0"], out["2"]
    assert (serial["readers"], parallel["readers"]) == (0, 2)
    assert serial["report"] == parallel["report"] and serial["turns"] == parallel["turns"] == 8 * 6
    assert parallel["threads"] == 1  # the progress bar left no monitor thread behind
    assert "import" in done.stderr  # and it was shown


DYING = """
import json, os, sys
sys.path.insert(0, {src!r})
from pathlib import Path
import workbench.corpus.readers as readers
parent = os.getpid()
original = readers.read_or_report
def read_or_die(path, encoding=None):
    if path.name == "g02.txt" and os.getpid() != parent:
        os._exit(1)  # the reader process is killed on this file
    return original(path, encoding)
readers.read_or_report = read_or_die
sources = sorted(Path({folder!r}).iterdir())
reader = readers.SourceReader(sources, None, readers=1)
assert reader.readers == 1
got = [(f.name, docs is not None) for f, docs, _ in reader]
reader.close()
print(json.dumps(got))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reader processes need fork")
def test_a_reader_that_dies_leaves_its_files_to_the_writer(tmp_path, folder):
    done = subprocess.run([sys.executable, "-c", DYING.format(src=str(SRC), folder=str(folder))],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert [name for name, _ in got] == sorted(p.name for p in folder.iterdir())  # all, in order
    assert dict(got)["g02.txt"] is True and dict(got)["g03-kapot.docx"] is False


def test_no_readers_where_forking_is_unsafe_or_pointless(monkeypatch):
    monkeypatch.setattr(readers.threading, "active_count", lambda: 1)
    monkeypatch.setattr(readers.sys, "platform", "linux")
    monkeypatch.setattr(readers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(readers.os, "getloadavg", lambda: (1.1, 1.0, 1.0))
    assert readers.reader_count(1000, None) == 1  # one CPU half busy elsewhere: a reader still pays
    monkeypatch.setattr(readers.os, "getloadavg", lambda: (2.5, 1.0, 1.0))
    assert readers.reader_count(1000, None) == 0
    monkeypatch.setattr(readers.os, "cpu_count", lambda: 8)
    monkeypatch.setattr(readers.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert readers.reader_count(1000, None) == 4
    assert readers.reader_count(10, None) == 0  # too few files to pay for it
    assert readers.reader_count(1000, 0) == 0
    assert readers.reader_count(3, 8) == 3
    monkeypatch.setattr(readers.os, "getloadavg", lambda: (5.2, 6.0, 6.0))
    assert readers.reader_count(1000, None) == 2
    monkeypatch.setattr(readers.os, "getloadavg", lambda: (7.6, 6.0, 6.0))
    assert readers.reader_count(1000, None) == 0  # no CPU to spare
    assert readers.reader_count(1000, 2) == 2  # asked for: yes
    monkeypatch.setattr(readers.threading, "active_count", lambda: 3)  # e.g. a Jupyter kernel
    assert readers.reader_count(1000, 2) == 0
    monkeypatch.setattr(readers.threading, "active_count", lambda: 1)
    monkeypatch.setattr(readers.sys, "platform", "darwin")
    assert readers.reader_count(1000, 2) == 0


def test_batch_settings_are_restored(tmp_path, folder):
    project = Project.init(tmp_path / "p")
    with project.engine.connect() as conn:
        before = [conn.execute(text(f"PRAGMA {p}")).scalar() for p in ("wal_autocheckpoint", "cache_size")]
    import_paths(project, [folder], progress=False)
    with project.engine.connect() as conn:
        after = [conn.execute(text(f"PRAGMA {p}")).scalar() for p in ("wal_autocheckpoint", "cache_size")]
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        conn.execute(text("INSERT INTO cases (name, created) VALUES ('x', '2020-01-01 00:00:00')"))
        conn.rollback()  # the driver's own transaction handling is back: this did not autocommit
    assert after == before
    assert "x" not in set(project.cases()["name"])
