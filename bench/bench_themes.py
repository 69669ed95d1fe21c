"""Themes benchmark: frequencies + code x document + overlap co-occurrence against a plain SQLite/numpy floor,
and the co-occurrence core over a million codings.

    python bench/bench_themes.py                       # 1,000 documents / 100,000 codings; 1,000,000 codings
    python bench/bench_themes.py --docs 100 --codings 10000 --big 100000 --no-results   # a quick check

(a) floor: one `SELECT document_id, start, end, code_id FROM codings` with the sqlite3 module, then numpy
    only: segments, documents and coded characters (union per code and document) per code, the code x
    document counts (bincount) and overlap pairs by the same sort-and-search sweep.
(b) ours: `wb.frequencies(project)` (with sub-code roll-up and own counts), `wb.matrix(project,
    columns="document")` and `wb.cooccurrence(project, by="overlap")`, each reading the project itself.
(c) the co-occurrence core on 1,000,000 codings in 100,000 documents, synthesised in memory (storing a million
    rows only to read them back would measure SQLite): from a DataFrame with string document names and code
    ids to the code x code counts (`pair_counts`: interval sweeps per document), plus the same codings per
    sentence-like unit (`units_touched` + `unit_counts`), in a fresh subprocess so peak memory is its own.

Approach: interval sweeps per document - segments sorted once by (document, start); each segment's overlapping
partners are one contiguous run found by `searchsorted`; pairs are counted with `bincount`. No per-character
arrays. Writes the "## Themes" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import write_section  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
_VOCABULARY = ("school leerlingen kinderen leerkracht ouders groep klas bedrijf beroep techniek onderwijs les project "
         "gastles bezoek talent loopbaan keuze toekomst werk ervaring team gemeente netwerk tijd jaar gesprek "
         "portfolio stage de het een en van in is dat die op te met voor niet zijn er ook maar als dan")
WORDS = _VOCABULARY.split()


def build_project(root: Path, n_docs: int, n_codings: int, seed: int = 7):
    """A project with `n_docs` synthetic interviews, 10 themes x 6 sub-codes, and `n_codings` codings."""
    from workbench.codebook.io import parse
    from workbench.codebook.tree import Codebook
    from workbench.coding.bulk import add_codings
    from workbench.corpus.batch import import_paths
    from workbench.store.project import Project

    rnd = random.Random(seed)
    src = root / "src"
    src.mkdir(parents=True)
    for i in range(n_docs):
        turns = []
        for t in range(24):
            speaker = "Interviewer" if t % 2 == 0 else f"R{i:04d}"
            words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(15, 90)))
            turns.append(f"[00:{t // 60:02d}:{t % 60:02d}] {speaker}: {words.capitalize()}.")
        (src / f"D{i:04d}.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    project = Project.init(root / "proj", name="bench")
    import_paths(project, [src], progress=False)
    lines = ["name: bench", "codes:"]
    leaves = []
    for t in range(10):
        lines += [f"- id: t{t}", f"  label: Theme {t}", "  colour: '#1f77b4'"]
        for s in range(6):
            lines += [f"- id: t{t}s{s}", f"  label: Theme {t} sub {s}", f"  parent: t{t}", "  colour: '#ff7f0e'"]
            leaves.append(f"t{t}s{s}")
    Codebook(project, "setup").apply_spec(parse("\n".join(lines) + "\n"))
    lengths = dict(zip(project.documents()["name"], project.documents()["length"], strict=True))
    rows, seen = [], set()
    per_doc = n_codings // n_docs
    for name in sorted(lengths):
        made = 0
        while made < per_doc:
            start = rnd.randrange(0, lengths[name] - 320)
            key = (name, start, start + rnd.randint(20, 300), rnd.choice(leaves))
            if key not in seen:
                seen.add(key)
                rows.append({"document": key[0], "start": key[1], "end": key[2], "code": key[3]})
                made += 1
    add_codings(project, rows, coder="bench", actor="bench", action="bench.code")
    return project


def floor(db: Path) -> dict[str, object]:
    """The least work for the same three results: one query, then numpy."""
    from workbench.analysis.cooccurrence import pair_counts

    con = sqlite3.connect(db)
    rows = con.execute('SELECT document_id, start, "end", code_id FROM codings').fetchall()
    con.close()
    doc = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    start = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    end = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
    names, code = np.unique(np.array([r[3] for r in rows], dtype=object), return_inverse=True)
    docs, d_idx = np.unique(doc, return_inverse=True)
    n, m = len(names), len(docs)
    cell = code * m + d_idx
    segments = np.bincount(code, minlength=n)
    by_doc = np.bincount(cell, minlength=n * m).reshape(n, m)
    documents = (by_doc > 0).sum(1)
    # coded characters: union per (code, document) by a running maximum of ends, reset per group
    order = np.lexsort((start, cell))
    g, s, e = cell[order], start[order], end[order]
    first = np.r_[True, g[1:] != g[:-1]]
    group = np.cumsum(first) - 1
    band = int(e.max()) + 2
    run = np.maximum.accumulate(group * band + e) - group * band
    prev = np.r_[-1, run[:-1]]
    prev[first] = -1
    characters = np.bincount(code[order], weights=np.maximum(0, e - np.maximum(s, prev)), minlength=n)
    pairs = pair_counts(d_idx, start, end, code, n)
    return {"segments": segments, "documents": documents, "characters": characters.astype(np.int64),
            "by_doc": by_doc, "pairs": pairs, "codes": list(names)}


def ours(project) -> dict[str, object]:
    import workbench as wb
    from workbench.store import analysis as store

    store._SPAN_CACHE.clear()  # each run reads the codings once (the three calls share that read)

    return {"frequencies": wb.frequencies(project), "matrix": wb.matrix(project, columns="document"),
            "cooccurrence": wb.cooccurrence(project, by="overlap")}


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times, out


def big_core(n_codings: int, n_docs: int, seed: int = 3) -> dict[str, float]:
    """Runs in its own process: the co-occurrence core on synthetic codings (see (c) above)."""
    import pandas as pd

    from workbench.analysis.cooccurrence import pair_counts, unit_counts, units_touched

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rng = np.random.default_rng(seed)
    per = n_codings // n_docs
    doc_num = np.repeat(np.arange(n_docs), per)
    start = rng.integers(0, 20_000, len(doc_num))
    frame = pd.DataFrame({"document": pd.Series(doc_num).map(lambda i: f"D{i:06d}"), "start": start,
                          "end": start + rng.integers(20, 400, len(doc_num)),
                          "code": pd.Series(rng.integers(0, 60, len(doc_num))).map(lambda c: f"code-{c:02d}")})
    ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    doc, _ = pd.factorize(frame["document"])
    code, names = pd.factorize(frame["code"], sort=True)
    counts = pair_counts(doc, frame["start"].to_numpy(), frame["end"].to_numpy(), code, len(names))
    overlap_s = time.perf_counter() - t
    peak_overlap = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # sentence-like units: 50 per document, 400 characters each
    unit_doc = np.repeat(np.arange(n_docs), 50)
    unit_start = np.tile(np.arange(50) * 400, n_docs)
    t = time.perf_counter()
    rows, unit = units_touched(doc.astype(np.int64), frame["start"].to_numpy(), frame["end"].to_numpy(), unit_doc,
                               unit_start, unit_start + 399)
    units = unit_counts(unit, code[rows], len(unit_doc), len(names))
    unit_s = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"codings": len(frame), "documents": n_docs, "overlap_s": overlap_s, "unit_s": unit_s,
            "pairs": int(counts.sum() // 2), "unit_pairs": int((units.sum() - np.trace(units)) // 2),
            "rss_start_mb": base, "rss_data_mb": ready, "rss_overlap_mb": peak_overlap, "rss_peak_mb": peak}


def machine() -> str:
    load = os.getloadavg()[0]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs, {cpu}, {mem:.1f} GiB RAM, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.platform()}; "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load:.1f} (1 min) at the end")


def write_results(section: str, path: Path = RESULTS, heading: str = "## Themes") -> None:
    """Replace this benchmark's own section of RESULTS.md (bench/results.py), keeping the others."""
    write_section(section, heading, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=1_000_000, help="codings for the core run (c)")
    ap.add_argument("--big-docs", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    ap.add_argument("--core-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.core_only:
        print(json.dumps(big_core(args.big, args.big_docs)))
        return 0

    sys.path.insert(0, str(HERE.parent / "src"))
    with tempfile.TemporaryDirectory(prefix="bench-themes-") as tmp:
        t = time.perf_counter()
        project = build_project(Path(tmp), args.docs, args.codings)
        setup_s = time.perf_counter() - t
        n_codings = len(project.codings())
        project.engine.dispose()
        floor_times, ref = timed(lambda: floor(project.db_path), args.repeat)
        our_times, got = timed(lambda: ours(project), args.repeat)
        # the same answers
        freq, co = got["frequencies"], got["cooccurrence"]
        leaves = [c for c in ref["codes"]]
        position = {c: i for i, c in enumerate(ref["codes"])}
        assert all(freq.loc[c, "own_segments"] == ref["segments"][position[c]] for c in leaves)
        assert all(freq.loc[c, "own_characters"] == ref["characters"][position[c]] for c in leaves)
        assert all(freq.loc[c, "own_documents"] == ref["documents"][position[c]] for c in leaves)
        sub = co.loc[leaves, leaves].to_numpy().copy()
        np.fill_diagonal(sub, 0)
        assert (sub == ref["pairs"]).all()
        assert int(got["matrix"].loc[leaves].to_numpy().sum()) == int(ref["by_doc"].sum())
        project.close()
    proc = subprocess.run([sys.executable, __file__, "--core-only", "--big", str(args.big), "--big-docs",
                           str(args.big_docs)], capture_output=True, text=True, check=True)
    core = json.loads(proc.stdout.strip().splitlines()[-1])

    f_med, o_med = statistics.median(floor_times), statistics.median(our_times)
    ratio, best = o_med / f_med, min(our_times) / min(floor_times)
    ok1 = ratio <= 3
    ok2 = core["overlap_s"] < 5 and core["rss_peak_mb"] < 2048
    section = "\n".join([
        "## Themes",
        "",
        f"`bench/bench_themes.py`: {args.docs:,} synthetic interviews (24 turns each) with {n_codings:,} codings of 60 "
        f"sub-codes under 10 themes in a temporary project (setup {setup_s:.0f} s, outside the clock). Median of "
        f"{args.repeat} runs in one warm process.",
        "Approach: interval sweeps per document (sort by document and start; each segment's overlapping partners "
        "are one `searchsorted` run; pairs counted with `bincount`), no per-character arrays.",
        "",
        "| | seconds (median) | seconds (min) | ratio to floor (median / min) |",
        "|---|---:|---:|---:|",
        f"| (a) floor: one SELECT (sqlite3) + numpy: per-code counts and coded characters, code x document, "
        f"overlap pairs | {f_med:.2f} | {min(floor_times):.2f} | 1.0 |",
        f"| (b) `wb.frequencies` + `wb.matrix(columns=\"document\")` + `wb.cooccurrence(by=\"overlap\")` "
        f"| {o_med:.2f} | {min(our_times):.2f} | {ratio:.1f} / {best:.1f} |",
        "",
        "(b) does more than (a): roll-up to the 10 themes, own and rolled-up counts, cases and labels, documents "
        "and codebook read three times. The codings are read once per run: they are kept per project until the "
        "event log moves on (the cache is emptied before each run). Both give the same counts (checked in the run).",
        "",
        f"(c) co-occurrence core, {core['codings']:,} codings in {core['documents']:,} documents, synthesised in "
        f"memory as a DataFrame (string names and code ids; storing a million rows only to read them back would "
        f"time SQLite): overlap counts {core['overlap_s']:.2f} s ({core['pairs']:,} overlapping pairs); per "
        f"sentence-like unit (50 per document) {core['unit_s']:.2f} s. Peak memory of that process "
        f"(ru_maxrss) {core['rss_peak_mb']:.0f} MB, of which {core['rss_data_mb']:.0f} MB after building the "
        f"DataFrame (interpreter and libraries {core['rss_start_mb']:.0f} MB).",
        "",
        f"Goals: within 3x of the floor ({'met' if ok1 else 'MISSED'}: {ratio:.1f}x on the median, {best:.1f}x best "
        f"against best); co-occurrence over 1,000,000 codings under 5 s and 2 GB "
        f"({'met' if ok2 else 'MISSED'}: {core['overlap_s']:.2f} s, {core['rss_peak_mb']:.0f} MB peak).",
        "For comparison (from the issue, not measured here): the floor took 1.4 s on the issue author's machine; "
        "qc 1.7.8 takes 37 s for code x document and 34 s for co-occurrence.",
        "",
        f"Machine: {machine()}.",
        "",
    ])
    print(section)
    if not args.no_results:
        write_results(section)
    return 0 if ok1 and ok2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
