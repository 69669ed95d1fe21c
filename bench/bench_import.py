"""Import benchmark: our batch import against the floor of merely storing the same text in SQLite.

    python bench/bench_import.py                  # 1,000 transcripts of ~5,000 words (~38 MB), 3 runs each
    python bench/bench_import.py --n 50 --words 1000 --repeat 1 --no-results   # a quick check

(a) floor: read each file, decode UTF-8, NFC-normalise, insert (name, text) into SQLite with the sqlite3
    module and its defaults, all in one transaction. The ratio is taken against this one. (a') is the
    same in the project's journal mode (WAL, synchronous=NORMAL), for reference.
(b) import: `workbench.corpus.batch.import_paths` into a fresh project: encoding detection, canonical
    text, turn parsing, duplicate check, documents + cases + turns + event log; each file atomic (a
    SAVEPOINT per file, group commits) and the write-ahead log checkpointed into the database at the end.
(c) re-import: the same folder again into the project from (b); every file must come back 'duplicate'.

Each run is its own subprocess, so peak memory (ru_maxrss: the interpreter, the libraries and the work) is
that run's alone. Timings cover the work only: starting Python, importing modules and creating the empty
project (migrations) are outside the clock. Results: bench/out/import.json and the "## Import" section
of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
GOAL_RATIO = 5.0
GOAL_MEMORY_MB = 500
REFERENCE = {"floor measured on this machine kind": "0.43 s", "qc 1.7.8": "17 s", "Taguette": "~0.7 s per file"}
# measured once on this machine kind before the import was reworked (per-document transactions, a query
# and an event insert per row through SQLAlchemy, turn parsing quadratic in the turns): same data
BEFORE = "8.8 s for the same 1,000 files (about 20x the floor)"

sys.path.insert(0, str(HERE))
from gen_transcripts import generate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import write_section  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---- the measured work: run in a child process ------------------------------------------------------
def child_floor(data: Path, work: Path, wal: bool = False) -> dict:
    """The floor: sqlite3 with its defaults (rollback journal), or with the project's WAL settings."""
    files = sorted(data.glob("*.txt"))
    con = sqlite3.connect(work / "floor.sqlite")
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, text TEXT NOT NULL)")
    con.commit()
    t0, c0 = time.perf_counter(), time.process_time()
    with con:
        for f in files:
            text = unicodedata.normalize("NFC", f.read_bytes().decode("utf-8"))
            con.execute("INSERT INTO documents (name, text) VALUES (?, ?)", (f.stem, text))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    con.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "documents": n, "peak_mb": _peak_mb()}


def child_import(data: Path, work: Path, profile: Path | None = None, workers: int | None = None) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from workbench.corpus import batch, readers, writer
    from workbench.store.project import Project

    # where the time goes: reading + parsing (per file) and the final checkpoint, the rest is storing
    spent = {"read_parse": 0.0, "close": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapper

    readers.read_or_report = timed("read_parse", readers.read_or_report)
    writer.DocumentWriter.close = timed("close", writer.DocumentWriter.close)
    project = Project.init(work / "project")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0, c0 = time.perf_counter(), time.process_time()
    report = batch.import_paths(project, [data], progress=False, workers=workers)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    readers = report.attrs.get("readers", 0)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    peak = _peak_mb()
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    phases = dict(spent, readers=report.attrs.get("readers", 0))
    counts = report["status"].value_counts().to_dict()
    documents, turns, events = len(project.documents()), len(project.turns()), len(project.events())
    t0 = time.perf_counter()
    again = batch.import_paths(project, [data], progress=False)
    reimport = time.perf_counter() - t0
    after = (len(project.documents()), len(project.turns()), len(project.events()))
    project.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "status": counts, "phases": phases,
            "readers": readers, "children_cpu_seconds": children_cpu.ru_utime + children_cpu.ru_stime,
            "documents": documents, "turns": turns, "events": events, "reimport_seconds": reimport,
            "reimport_status": again["status"].value_counts().to_dict(),
            "reimport_changed_nothing": after == (documents, turns, events)}


# ---- the harness ---------------------------------------------------------------------------------------
def run_child(mode: str, data: Path, profile: Path | None = None, workers: int | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-{mode}-") as work:
        cmd = [sys.executable, __file__, "--child", mode, "--data", str(data), "--work", work]
        if profile:
            cmd += ["--profile", str(profile)]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    return {"nproc": nproc, "cpu": cpu, "ram_gib": ram, "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def summarise(runs: list[dict], size_mb: float, n: int) -> dict:
    secs = [r["seconds"] for r in runs]
    med = statistics.median(secs)
    cpu = [r["cpu_seconds"] for r in runs]
    return {"seconds_median": med, "seconds_min": min(secs), "seconds_all": secs, "docs_per_s": n / med,
            "mb_per_s": size_mb / med, "cpu_seconds_median": statistics.median(cpu), "cpu_seconds_all": cpu,
            "peak_mb": max(r["peak_mb"] for r in runs)}


def markdown(result: dict) -> str:
    m, a, b, w = result["machine"], result["floor"], result["import"], result["floor_wal"]
    ph = result["phases"]
    r0, r1 = result["import_in_process"], result["import_one_reader"]
    ratio = result["ratio_median"]
    ok_time = ratio <= GOAL_RATIO
    ok_mem = b["peak_mb"] < GOAL_MEMORY_MB
    lines = [
        "## Import",
        "",
        f"{result['files']} synthetic Dutch-like interview transcripts (`bench/gen_transcripts.py --n {result['files']} "
        f"--words {result['words']}`, seed {result['seed']}): {result['total_words']:,} words, "
        f"{result['size_mb']:.1f} MB, {result['turns']:,} speaker turns. Median of {result['repeat']} runs, "
        "each in its own process; the clock covers the work only (not interpreter start, module imports or "
        "creating the empty project).",
        "",
        "| | seconds (median) | seconds (min) | CPU seconds (median) | docs/s | MB/s | peak memory (ru_maxrss) "
        "| ratio to floor (median / min / CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| (a) floor: read, NFC, insert into SQLite, one transaction | {a['seconds_median']:.2f} | "
        f"{a['seconds_min']:.2f} | {a['cpu_seconds_median']:.2f} | {a['docs_per_s']:.0f} | {a['mb_per_s']:.1f} | "
        f"{a['peak_mb']:.0f} MB | 1.0 |",
        f"| (a') the same floor in the project's journal mode (WAL, synchronous=NORMAL) | {w['seconds_median']:.2f} | "
        f"{w['seconds_min']:.2f} | {w['cpu_seconds_median']:.2f} | {w['docs_per_s']:.0f} | {w['mb_per_s']:.1f} | "
        f"{w['peak_mb']:.0f} MB | {w['seconds_median'] / a['seconds_median']:.1f} |",
        f"| (b) `import_paths` into a fresh project, each file atomic | {b['seconds_median']:.2f} | "
        f"{b['seconds_min']:.2f} | {b['cpu_seconds_median']:.2f} | {b['docs_per_s']:.0f} | {b['mb_per_s']:.1f} | "
        f"{b['peak_mb']:.0f} MB | {ratio:.1f} / {result['ratio_min']:.1f} / {result['ratio_cpu']:.1f} |",
        f"| (b0) the same, read in-process (`workers=0`) | {r0['seconds_median']:.2f} | {r0['seconds_min']:.2f} | "
        f"{r0['cpu_seconds_median']:.2f} | {r0['docs_per_s']:.0f} | {r0['mb_per_s']:.1f} | {r0['peak_mb']:.0f} MB | "
        f"{r0['seconds_median'] / a['seconds_median']:.1f} / {r0['seconds_min'] / a['seconds_min']:.1f} / "
        f"{r0['cpu_seconds_median'] / a['cpu_seconds_median']:.1f} |",
        f"| (b1) the same with one reader process (`workers=1`; the reader's CPU: "
        f"{r1['children_cpu_seconds_median']:.2f} s) | {r1['seconds_median']:.2f} | {r1['seconds_min']:.2f} | "
        f"{r1['cpu_seconds_median']:.2f} | {r1['docs_per_s']:.0f} | {r1['mb_per_s']:.1f} | {r1['peak_mb']:.0f} MB | "
        f"{r1['seconds_median'] / a['seconds_median']:.1f} / {r1['seconds_min'] / a['seconds_min']:.1f} / - |",
        f"| (c) re-import of the same folder (all 'duplicate') | {result['reimport_seconds_median']:.2f} | | | | | | |",
        "",
        f"(b) forked {' or '.join(map(str, result['readers_by_default']))} reader process(es) by default "
        "(none when the load average is above CPUs - 0.5: a reader then only takes turns with the writer).",
        "",
        f"Where the time goes (median in-process run, b0): reading, decoding and parsing "
        f"{ph['read_parse']:.2f} s, storing {r0['seconds_median'] - ph['read_parse'] - ph['close']:.2f} s "
        f"(documents, {result['turns']:,} turn rows, cases, event log; group commits), checkpointing the "
        f"write-ahead log into the database file {ph['close']:.2f} s. With a reader process the reading "
        "overlaps the storing, where a CPU is free for it.",
        "",
        f"Goal: within {GOAL_RATIO:.0f}x of the floor ({'met' if ok_time else 'MISSED'}: {ratio:.1f}x on the "
        f"median, {result['ratio_min']:.1f}x best against best, {min(result['ratios_per_run']):.1f}x to "
        f"{max(result['ratios_per_run']):.1f}x run by run) and peak memory under {GOAL_MEMORY_MB} MB "
        f"({'met' if ok_mem else 'MISSED'}: {b['peak_mb']:.0f} MB). "
        f"Re-import: {', '.join(f'{v} {k}' for k, v in result['reimport_status'].items())}; "
        f"documents, turns and events unchanged: {'yes' if result['reimport_changed_nothing'] else 'NO'}.",
        "For comparison (from the issue, not measured here): " + "; ".join(f"{k} {v}" for k, v in REFERENCE.items())
        + f". Before the rework: {BEFORE}.",
        "",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"SQLite {m['sqlite']}, {m['platform']}; {m['date']}; load average {m['load_average'][0]:.1f} "
        "(1 min) at the end of the runs.",
        "",
    ]
    return "\n".join(lines)


def write_results(section: str, path: Path = RESULTS, heading: str = "## Import") -> None:
    """Replace this benchmark's own section of RESULTS.md (bench/results.py), keeping the others."""
    write_section(section, heading, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of transcripts (default 1000)")
    ap.add_argument("--words", type=int, default=5000, help="words per transcript (default 5000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    ap.add_argument("--data", type=Path, help="folder of transcripts (default bench/out/transcripts-N-WORDS)")
    ap.add_argument("--profile", type=Path, help="also write a cProfile of one import run to this file")
    ap.add_argument("--no-results", action="store_true", help="do not write bench/out/import.json or RESULTS.md")
    ap.add_argument("--child", choices=["floor", "floor-wal", "import"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        if args.child in ("floor", "floor-wal"):
            result = child_floor(args.data, args.work, wal=args.child == "floor-wal")
        else:
            result = child_import(args.data, args.work, args.profile, args.workers)
        print(json.dumps(result))
        return 0

    data = args.data or OUT / f"transcripts-{args.n}-{args.words}"
    if args.data is None and data.exists() and len(list(data.glob("*.txt"))) != args.n:
        shutil.rmtree(data)
    n, size = generate(data, args.n, args.words, args.seed)
    total_words = sum(len(p.read_text(encoding="utf-8").split()) for p in sorted(data.glob("*.txt")))
    size_mb = size / 1e6
    print(f"{n} files, {total_words:,} words, {size_mb:.1f} MB in {data}", flush=True)

    floors, wal_floors, imports, serial, forked = [], [], [], [], []
    for i in range(args.repeat):  # interleaved, so drift in machine load hits all alike
        floors.append(run_child("floor", data))
        wal_floors.append(run_child("floor-wal", data))
        imports.append(run_child("import", data))
        serial.append(run_child("import", data, workers=0))
        forked.append(run_child("import", data, workers=1))
        print(f"run {i + 1}: floor {floors[-1]['seconds']:.2f} s (WAL {wal_floors[-1]['seconds']:.2f} s), "
              f"import {imports[-1]['seconds']:.2f} s ({imports[-1]['readers']} readers, "
              f"{imports[-1]['peak_mb']:.0f} MB), in-process {serial[-1]['seconds']:.2f} s, "
              f"with 1 reader {forked[-1]['seconds']:.2f} s, re-import {imports[-1]['reimport_seconds']:.2f} s; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
    if args.profile:
        run_child("import", data, args.profile)
        print(f"profile written to {args.profile}")
    bad = [r for r in imports if r["status"] != {"imported": n} or r["reimport_status"] != {"duplicate": n}]
    if bad:
        print(f"ERROR: unexpected statuses {bad[0]['status']} / {bad[0]['reimport_status']}", file=sys.stderr)
    a, b = summarise(floors, size_mb, n), summarise(imports, size_mb, n)
    a_wal = summarise(wal_floors, size_mb, n)
    b0 = summarise(serial, size_mb, n)
    b1 = summarise(forked, size_mb, n)
    b1["children_cpu_seconds_median"] = statistics.median(r["children_cpu_seconds"] for r in forked)
    result = {
        "files": n, "words": args.words, "seed": args.seed, "repeat": args.repeat, "total_words": total_words,
        "size_mb": size_mb, "turns": imports[0]["turns"], "events": imports[0]["events"],
        "floor": a, "floor_wal": a_wal, "import": b, "import_in_process": b0, "import_one_reader": b1,
        "readers_by_default": sorted({r["readers"] for r in imports}),
        "ratio_median": b["seconds_median"] / a["seconds_median"], "ratio_min": b["seconds_min"] / a["seconds_min"],
        "ratio_cpu": b["cpu_seconds_median"] / a["cpu_seconds_median"],
        "ratios_per_run": [round(i["seconds"] / f["seconds"], 2) for i, f in zip(imports, floors, strict=True)],
        "reimport_seconds_median": statistics.median(r["reimport_seconds"] for r in imports),
        "phases": sorted(serial, key=lambda r: r["seconds"])[len(serial) // 2]["phases"],
        "reimport_status": imports[0]["reimport_status"],
        "reimport_changed_nothing": all(r["reimport_changed_nothing"] for r in imports),
        "goal": {"ratio": GOAL_RATIO, "peak_mb": GOAL_MEMORY_MB}, "reference": REFERENCE, "machine": machine(),
    }
    section = markdown(result)
    print(section)
    if not args.no_results:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "import.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        write_results(section)
        print(f"wrote {OUT / 'import.json'} and {RESULTS}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
