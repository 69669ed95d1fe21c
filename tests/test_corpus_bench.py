"""The import benchmark's generator and report (not a timing test: bench/bench_import.py measures)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.corpus.batch import import_paths
from workbench.store.project import Project

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _module(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _module("gen_transcripts")


def test_transcripts_are_deterministic_and_sized():
    a = gen.transcript(3, 800)
    assert a == gen.transcript(3, 800)
    assert a != gen.transcript(4, 800) and a != gen.transcript(3, 800, seed=7)
    assert 800 <= len(a.split()) < 1100  # labels and timestamps add a little
    assert a.startswith("[00:00:0") and "] Interviewer: " in a and "] R: " in a


def test_generated_transcripts_import_as_timed_turns(tmp_path):
    n, size = gen.generate(tmp_path / "t", 3, 600)
    assert n == 3 and size == sum(p.stat().st_size for p in (tmp_path / "t").iterdir())
    with Project.init(tmp_path / "p") as project:
        report = import_paths(project, [tmp_path / "t"], progress=False)
        assert set(report["status"]) == {"imported"}
        turns = project.turns("interview-00001")
        assert set(turns["speaker"]) == {"Interviewer", "R"}
        assert list(turns["speaker"][:4]) == ["Interviewer", "R", "Interviewer", "R"]
        times = turns["time_ms"].tolist()
        assert times == sorted(times) and times[0] > 0
        assert (turns["end_time_ms"].iloc[:-1].to_numpy() == turns["time_ms"].iloc[1:].to_numpy()).all()
        text = project.text("interview-00001")
        assert all(text[s:e].startswith("[") for s, e in zip(turns["start"], turns["end"], strict=True))


def test_results_section_is_replaced_in_place(tmp_path):
    bench = _module("bench_import")
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\n## Import\n\nold\n\n## Coding\n\nkeep me\n", encoding="utf-8")
    bench.write_results("## Import\n\nnew\n", results)
    assert results.read_text(encoding="utf-8") == "# Benchmarks\n\n## Import\n\nnew\n\n## Coding\n\nkeep me\n"
    fresh = tmp_path / "NEW.md"
    bench.write_results("## Import\n\nfirst\n", fresh)
    assert fresh.read_text(encoding="utf-8") == "# Benchmarks\n\n## Import\n\nfirst\n"


@pytest.mark.slow
def test_a_tiny_benchmark_run(tmp_path):
    data = tmp_path / "data"
    done = subprocess.run([sys.executable, str(BENCH / "bench_import.py"), "--n", "4", "--words", "300",
                           "--repeat", "1", "--no-results", "--data", str(data)],
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| (a) floor" in done.stdout and "| (b) `import_paths`" in done.stdout
    assert "Re-import: 4 duplicate; documents, turns and events unchanged: yes." in done.stdout
