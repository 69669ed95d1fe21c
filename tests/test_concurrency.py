"""Several processes write one project at once: nothing is lost or shared, and each undo is one's own.

Reproduces what a team saw: two coders in two processes (event groups shared between actors, one coder's
undo deleting the other's work, a foreign-key crash), a coder's undo deleting an import, a long batch
locking everyone out. Each worker is its own Python process; they start together on a signal file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from workbench.coding.session import CodingSession
from workbench.store.project import Project

from .conftest import INTERVIEW
from .postgres import postgres_url  # noqa: F401 - fixture

SRC = Path(__file__).resolve().parent.parent / "src"

WORKER = textwrap.dedent("""
    import json, os, sys, time
    sys.path.insert(0, {src!r})
    from workbench.store.project import Project
    from workbench.coding.session import CodingSession
    go, out = {go!r}, {out!r}
    p = Project.open({proj!r})
    s = CodingSession(p, {coder!r}, snap=False)
    text = p.text("T01")
    while not os.path.exists(go):
        time.sleep(0.005)
    time.sleep({delay})
    ids, errors, waits = [], [], []
    for i in range({n}):
        start = (i * 7) % (len(text) - 12)
        t0 = time.perf_counter()
        try:
            ids.append(s.code("T01", start, start + 5 + i % 7, {codes!r}[i % len({codes!r})]))
        except Exception as exc:
            errors.append(f"{{type(exc).__name__}}: {{exc}}")
        waits.append(time.perf_counter() - t0)
        time.sleep({pause})
    undone, undo_errors = 0, []
    for _ in range({undo}):
        try:
            s.undo()
            undone += 1
        except Exception as exc:
            undo_errors.append(f"{{type(exc).__name__}}: {{exc}}")
            break
    json.dump({{"ids": ids, "errors": errors, "undone": undone, "undo_errors": undo_errors,
               "max_wait": max(waits)}}, open(out, "w"))
""")


def _workers(tmp_path: Path, proj: Path, specs: list[dict]) -> list[dict]:
    go = tmp_path / "go"
    procs = []
    for i, spec in enumerate(specs):
        out = tmp_path / f"out{i}.json"
        script = WORKER.format(src=str(SRC), go=str(go), out=str(out), proj=str(proj), **{"delay": 0, "pause": 0, **spec})
        procs.append((subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True), out))
    time.sleep(1.5)  # let every worker open the project and wait at the line
    go.write_text("go")
    results = []
    for proc, out in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out.read_text()))
    return results


def _small_project(root: Path, url: str | None = None) -> Project:
    from workbench.codebook.io import parse
    from workbench.codebook.tree import Codebook
    from workbench.corpus.batch import import_paths

    src = root.parent / "src-texts"
    src.mkdir(exist_ok=True)
    (src / "T01.txt").write_text(INTERVIEW * 3, encoding="utf-8")
    p = Project.init(root, url=url)
    import_paths(p, [src], progress=False)
    Codebook(p, "setup").apply_spec(parse(
        "codes:\n- id: a\n  label: A\n  colour: '#112233'\n- id: b\n  label: B\n  colour: '#445566'\n"))
    return p


def _check_groups_have_one_actor(p: Project) -> None:
    ev = p.events()
    coded = ev[ev["entity"] == "codings"]
    for row in coded.itertuples():
        image = row.after or row.before
        if image and "coder_id" in image and row.action.startswith("coding"):
            assert image["coder_id"] == row.actor, f"group {row.group_id} of {row.actor} holds {image['coder_id']}'s row"


@pytest.mark.slow
def test_two_coders_in_two_processes_keep_their_own_groups_and_undo(tmp_path):
    p = _small_project(tmp_path / "p")
    results = _workers(tmp_path, p.root, [
        {"coder": "anna", "n": 300, "codes": ["a", "b"], "undo": 0},
        {"coder": "bob", "n": 300, "codes": ["b", "a"], "undo": 0}])
    assert [r["errors"] for r in results] == [[], []]
    _check_groups_have_one_actor(p)
    groups = p.groups()
    assert groups["id"].is_unique
    anna = CodingSession(p, "anna")
    for _ in range(300):
        anna.undo()
    left = p.codings()
    assert (left["coder"] == "anna").sum() == 0
    assert (left["coder"] == "bob").sum() == len(set(results[1]["ids"]))


def _four_writers(tmp_path: Path, p: Project) -> None:
    specs = [{"coder": f"w{i}", "n": 500, "codes": ["a", "b"], "undo": 0} for i in range(4)]
    results = _workers(tmp_path, p.root, specs)
    assert all(r["errors"] == [] for r in results), [r["errors"][:3] for r in results]
    codings = p.codings()
    for i, r in enumerate(results):  # nothing lost, nothing duplicated
        assert (codings["coder"] == f"w{i}").sum() == len(set(r["ids"]))
    _check_groups_have_one_actor(p)
    # two of them undo everything at once; the other two keep every coding
    procs = []
    for i in (0, 1):
        script = (f"import sys; sys.path.insert(0, {str(SRC)!r})\n"
                  "from workbench.store.project import Project\n"
                  f"p = Project.open({str(p.root)!r})\n"
                  f"n = 0\n"
                  f"while True:\n"
                  f"    try: p.undo('w{i}'); n += 1\n"
                  f"    except Exception as e:\n"
                  f"        assert 'nothing to undo' in str(e), e\n"
                  f"        break\n"
                  f"print(n)\n")
        procs.append(subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    for i, proc in enumerate(procs):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert int(out) == len(set(results[i]["ids"]))  # one undo step per new coding
    after = p.codings()
    assert (after["coder"].isin(["w0", "w1"])).sum() == 0
    for i in (2, 3):
        assert (after["coder"] == f"w{i}").sum() == len(set(results[i]["ids"]))


@pytest.mark.slow
def test_four_writers_lose_nothing_and_each_full_undo_leaves_the_others_sqlite(tmp_path):
    p = _small_project(tmp_path / "p")
    _four_writers(tmp_path, p)


@pytest.mark.slow
def test_four_writers_lose_nothing_and_each_full_undo_leaves_the_others_postgres(tmp_path, postgres_url):  # noqa: F811
    from sqlalchemy import text

    p = _small_project(tmp_path / "p", url=postgres_url)
    try:
        _four_writers(tmp_path, p)
    finally:
        with p.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        p.close()


IMPORTER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {src!r})
    from workbench.store.project import Project
    from workbench.corpus.batch import import_paths
    import workbench.store.bulk as bulk
    bulk._COMMIT_SECONDS = 0
    p = Project.open({proj!r})
    while not os.path.exists({go!r}):
        time.sleep(0.005)
    r = import_paths(p, [{folder!r}], progress=False, workers=0)
    assert set(r["status"]) == {{"imported"}}, r
""")


@pytest.mark.slow
def test_an_import_beside_a_coder_is_never_undone_by_the_coder(tmp_path):
    p = _small_project(tmp_path / "p")
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(60):
        (folder / f"D{i:03d}.txt").write_text(f"Interviewer: Vraag {i}?\n\nR{i}: Antwoord {i}.\n\n"
                                                 f"Interviewer: Nog een?\n\nR{i}: Ja.\n", encoding="utf-8")
    go = tmp_path / "go"
    imp = subprocess.Popen([sys.executable, "-c", IMPORTER.format(src=str(SRC), proj=str(p.root), go=str(go),
                                                                  folder=str(folder))],
                           stderr=subprocess.PIPE, text=True)
    results = _workers(tmp_path, p.root, [{"coder": "anna", "n": 150, "codes": ["a"], "undo": 150}])
    _, err = imp.communicate(timeout=300)
    assert imp.returncode == 0, err
    assert results[0]["errors"] == [] and results[0]["undo_errors"] == []
    assert len(p.documents()) == 61 and len(p.turns()) == 18 + 60 * 4  # every imported document, with its turns
    assert p.codings().empty


LONG_BATCH = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {src!r})
    from workbench.store.project import Project
    from workbench.coding.session import CodingSession
    p = Project.open({proj!r})
    text = p.text("T01")
    spans = [(s, s + k) for k in range(1, 200) for s in range(len(text) - k)][:{n}]
    rows = [{{"document": "T01", "start": a, "end": b, "code": "a"}} for a, b in spans]
    open({ready!r}, "w").write("ready")
    while not os.path.exists({go!r}):
        time.sleep(0.005)
    print(CodingSession(p, "batcher").code_many(rows))
""")


@pytest.mark.slow
def test_a_long_batch_commits_in_chunks_so_another_coder_gets_in_between(tmp_path):
    p = _small_project(tmp_path / "p")
    go, ready = tmp_path / "go", tmp_path / "ready"
    n = 32_000
    batch = subprocess.Popen([sys.executable, "-c", LONG_BATCH.format(src=str(SRC), proj=str(p.root), n=n,
                                                                      go=str(go), ready=str(ready))],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not ready.exists():
        time.sleep(0.05)
    script = WORKER.format(src=str(SRC), go=str(go), out=str(tmp_path / "coder.json"), proj=str(p.root),
                           coder="other", n=400, codes=["b"], undo=0, delay=0, pause=0.005)
    coder = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    go.write_text("go")
    out, err = batch.communicate(timeout=300)
    assert batch.returncode == 0, err
    _, cerr = coder.communicate(timeout=300)
    assert coder.returncode == 0, cerr
    result = json.loads((tmp_path / "coder.json").read_text())
    assert result["errors"] == []  # no 'database is locked'
    assert int(out) == len(p.codings(coder="batcher"))
    ev = p.events()
    batch_events = ev[ev["actor"] == "batcher"]
    other = ev[(ev["actor"] == "other") & (ev["entity"] == "codings")]
    assert batch_events["group_id"].nunique() == 1  # one logical group, undone as one
    # the other coder's rows landed between the batch's chunks: the batch did not hold the lock throughout
    inside = other["id"].between(batch_events["id"].min(), batch_events["id"].max())
    assert inside.any(), "the batch held the write lock from start to end"
    CodingSession(p, "batcher").undo()
    assert p.codings(coder="batcher").empty and len(p.codings(coder="other")) == len(set(result["ids"]))


COINCIDENT = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {src!r})
    from workbench.store.project import Project
    from workbench.coding.session import CodingSession
    p = Project.open({proj!r})
    while not os.path.exists({go!r}):
        pass
    CodingSession(p, "newcomer", snap=False).code("T01", {start}, {start} + 4, "a")
""")


def test_two_processes_creating_the_same_new_coder_both_succeed(tmp_path):
    p = _small_project(tmp_path / "p")
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", COINCIDENT.format(src=str(SRC), proj=str(p.root), go=str(go),
                                                                       start=s)],
                              stderr=subprocess.PIPE, text=True) for s in (10, 40)]
    time.sleep(1.5)
    go.write_text("go")
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert len(p.codings(coder="newcomer")) == 2
    assert list(p.coders()["id"]).count("newcomer") == 1
