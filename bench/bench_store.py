"""Store benchmark: bulk codings, interactive coding, concurrent writers - each beside its floor.

    python bench/bench_store.py                       # 1,000 transcripts, 100,000 codings, 40 codes
    python bench/bench_store.py --n 100 --codings 10000 --no-results   # a quick check

(a) floor: the same 100,000 coding rows (document id, offsets, code, coder, memo, quote, created) inserted
    with the sqlite3 module's executemany into a table of the same shape, one transaction, the project's
    journal mode (WAL, synchronous=NORMAL).
(b) `autocode.apply` of a 100,000-row preview into the project: validation, duplicate check, batched
    inserts, one event group logged row by row, committed in chunks of under a second.
(c) undo of that batch (one group, 100,000 rows).
(d) 2,000 interactive `CodingSession.code()` calls, one transaction each (median, 90th percentile); floor:
    a plain sqlite3 INSERT + COMMIT per coding into the same table shape.
(e) coding throughput with 1 and 4 concurrent writer processes (500 `code()` calls each).
Results: the "## Store" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from bench_import import machine, write_results  # noqa: E402
from gen_transcripts import generate  # noqa: E402

RESULTS = HERE / "RESULTS.md"


def build(work: Path, n: int, words: int, n_codes: int):
    from workbench.codebook.io import parse
    from workbench.codebook.tree import Codebook
    from workbench.corpus.batch import import_paths
    from workbench.store.project import Project

    generate(work / "data", n, words, 42)
    p = Project.init(work / "p")
    import_paths(p, [work / "data"], progress=False)
    yaml_text = "codes:\n" + "".join(f"- id: c{i:02d}\n  label: Code {i}\n  colour: '#{i * 5 % 256:02x}4080'\n"
                                     for i in range(n_codes))
    Codebook(p, "setup").apply_spec(parse(yaml_text))
    return p


def coding_rows(p, total: int, n_codes: int) -> list[dict]:
    """`total` line-sized spans spread evenly over the documents (sentences inside speaker turns)."""
    from workbench.corpus.units import split

    docs = p.texts()
    per = max(1, total // len(docs))
    rng = random.Random(7)
    rows = []
    for d in docs:
        units = split(d.text, d.turns, "sentence", d.name)
        for u in units[:per]:
            rows.append({"document": d.name, "start": u.start, "end": u.end, "code": f"c{rng.randrange(n_codes):02d}",
                         "quote": d.text[u.start:u.end], "matched": "bench"})
    return rows[:total]


def floor_bulk(work: Path, p, rows: list[dict]) -> float:
    ids = p.documents().set_index("name")["id"].to_dict()
    con = sqlite3.connect(work / "floor.sqlite")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute('CREATE TABLE codings (id INTEGER PRIMARY KEY, document_id INTEGER, start INTEGER, "end" INTEGER, '
                "code_id TEXT, coder_id TEXT, memo TEXT, quote TEXT, created TEXT)")
    con.commit()
    data = [(ids[r["document"]], r["start"], r["end"], r["code"], "bench", None, r["quote"], "2026-12-01 00:00:00")
            for r in rows]
    t0 = time.perf_counter()
    with con:
        con.executemany('INSERT INTO codings (document_id, start, "end", code_id, coder_id, memo, quote, created) '
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", data)
    seconds = time.perf_counter() - t0
    # the same rows into a table with the project's constraints (the unique span and two indexes)
    con.execute('CREATE TABLE codings2 (id INTEGER PRIMARY KEY, document_id INTEGER, start INTEGER, "end" INTEGER, '
                'code_id TEXT, coder_id TEXT, memo TEXT, quote TEXT, created TEXT, '
                'UNIQUE (document_id, start, "end", code_id, coder_id))')
    con.execute("CREATE INDEX ix2_code ON codings2 (code_id)")
    con.execute("CREATE INDEX ix2_doc ON codings2 (document_id, start)")
    con.commit()
    t0 = time.perf_counter()
    with con:
        con.executemany('INSERT INTO codings2 (document_id, start, "end", code_id, coder_id, memo, quote, created) '
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", data)
    indexed = time.perf_counter() - t0
    con.close()
    return seconds, indexed


def floor_single(work: Path, n: int) -> list[float]:
    con = sqlite3.connect(work / "floor1.sqlite", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute('CREATE TABLE codings (id INTEGER PRIMARY KEY, document_id INTEGER, start INTEGER, "end" INTEGER, '
                "code_id TEXT, coder_id TEXT, memo TEXT, quote TEXT, created TEXT)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute('INSERT INTO codings (document_id, start, "end", code_id, coder_id, memo, quote, created) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (1, i, i + 5, "c01", "x", None, "quote", "2026-12-01"))
        con.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    con.close()
    return times


WRITER = textwrap.dedent("""
    import json, os, sys, time
    sys.path.insert(0, {src!r})
    from workbench.store.project import Project
    from workbench.coding.session import CodingSession
    p = Project.open({proj!r})
    s = CodingSession(p, {coder!r}, snap=False)
    docs = list(p.documents()["name"])
    p.text(docs[0])
    while not os.path.exists({go!r}):
        time.sleep(0.002)
    t0 = time.perf_counter()
    for i in range({n}):
        d = docs[(i * 13 + {k}) % len(docs)]
        s.code(d, 10 + i % 500, 20 + i % 500 + {k}, "c{k:02d}")
    print(json.dumps({{"seconds": time.perf_counter() - t0}}))
""")


def writers(work: Path, proj: Path, k: int, n: int) -> dict:
    go = work / f"go{k}"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.format(src=str(ROOT / "src"), proj=str(proj),
                                                                    coder=f"writer{k}-{i}", go=str(go), n=n, k=i)],
                              stdout=subprocess.PIPE, text=True) for i in range(k)]
    time.sleep(2.0)
    t0 = time.perf_counter()
    go.write_text("go")
    out = [json.loads(pr.communicate()[0]) for pr in procs]
    wall = time.perf_counter() - t0
    return {"writers": k, "codings": k * n, "wall_s": wall, "codings_per_s": k * n / wall,
            "per_writer_ms": statistics.median(o["seconds"] for o in out) / n * 1000}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--codes", type=int, default=40)
    ap.add_argument("--single", type=int, default=2000)
    ap.add_argument("--no-results", action="store_true")
    args = ap.parse_args(argv)
    from workbench.coding import autocode
    from workbench.coding.session import CodingSession

    work = Path(tempfile.mkdtemp(prefix="wb-bench-store-"))
    p = build(work, args.n, args.words, args.codes)
    rows = coding_rows(p, args.codings, args.codes)
    import pandas as pd

    preview = pd.DataFrame(rows)
    floor, floor_indexed = floor_bulk(work, p, rows)
    t0 = time.perf_counter()
    added = autocode.apply(p, preview, coder="bench")
    apply_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    p.undo("bench")
    undo_s = time.perf_counter() - t0
    # interactive coding
    s = CodingSession(p, "single", snap=False)
    docs = list(p.documents()["name"])
    rng = random.Random(3)
    for d in docs[:50]:
        p.text(d)  # warm the text cache, as an open coding view has
    times = []
    for i in range(args.single):
        d = docs[rng.randrange(50)]
        a = rng.randrange(0, 20_000)
        t1 = time.perf_counter()
        s.code(d, a, a + 12, f"c{i % args.codes:02d}")
        times.append(time.perf_counter() - t1)
    fl1 = floor_single(work, args.single)
    p.close()
    conc = [writers(work, p.root, k, 500) for k in (1, 4)]
    q = statistics.quantiles
    res = {
        "machine": machine(), "documents": args.n, "codings": len(rows), "added": added,
        "floor_bulk_s": floor, "floor_indexed_s": floor_indexed, "apply_s": apply_s, "ratio": apply_s / floor,
        "ratio_indexed": apply_s / floor_indexed, "undo_s": undo_s,
        "code_median_ms": statistics.median(times) * 1000, "code_p90_ms": q(times, n=10)[-1] * 1000,
        "floor_single_median_ms": statistics.median(fl1) * 1000, "concurrent": conc,
    }
    print(json.dumps(res, indent=2))
    if not args.no_results:
        m = res["machine"]
        goal_bulk = "met" if res["ratio"] <= 5 else "MISSED"
        goal_code = "met" if res["code_median_ms"] < 2 else "MISSED"
        lines = [
            "## Store", "",
            f"`bench/bench_store.py`: {args.n} synthetic transcripts of ~{args.words} words, {len(rows):,} line "
            f"codings (sentences inside speaker turns) over {args.codes} codes, in a fresh project. One run.", "",
            "| | seconds | ratio to floor | goal |", "|---|---:|---:|---|",
            f"| (a) floor: sqlite3 executemany of the same rows, one transaction (WAL) | {floor:.2f} | 1.0 | |",
            f"| (a') the same into a table with the project's constraints (unique span, two indexes) | "
            f"{floor_indexed:.2f} | {floor_indexed / floor:.1f}x | |",
            f"| (b) `autocode.apply` of the {len(rows):,}-row preview (validated, logged as one group, "
            f"committed in chunks of under a second with a 0.11 s handoff) | {apply_s:.2f} | {res['ratio']:.1f}x ({res['ratio_indexed']:.1f}x of a') | "
            f"within 5x: {goal_bulk} |",
            f"| (c) undo of that batch (one group) | {undo_s:.2f} | | |", "",
            "| interactive coding | median ms | 90th percentile ms | goal |", "|---|---:|---:|---|",
            f"| (d) `CodingSession.code()`, one transaction each ({args.single:,} calls, random spans in 50 "
            f"documents) | {res['code_median_ms']:.2f} | {res['code_p90_ms']:.2f} | under 2 ms: {goal_code} |",
            f"| floor: sqlite3 BEGIN IMMEDIATE + INSERT + COMMIT | {res['floor_single_median_ms']:.2f} | | |", "",
            "| (e) concurrent writer processes, 500 `code()` calls each | wall s | codings/s (all) | ms per coding "
            "(median writer) |", "|---|---:|---:|---:|",
            *[f"| {c['writers']} writer{'s' if c['writers'] > 1 else ''} | {c['wall_s']:.2f} | {c['codings_per_s']:.0f} | "
              f"{c['per_writer_ms']:.2f} |" for c in conc], "",
            "Writers queue on the write lock (BEGIN IMMEDIATE with a 60 s busy timeout): with 4 processes on 2 "
            "CPUs the total throughput is what one lock allows, and no writer saw 'database is locked'. "
            "Before the event-group rework (from the issue, same machine kind): 232 s for (b) against a 1.9 s "
            "floor (122x), 4.6-7.6 ms per `code()`.", "",
            f"Machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']}, SQLite "
            f"{m['sqlite']}; {m['date']}; load average {m['load_average'][0]} (1 min) at the end.", "",
        ]
        write_results("\n".join(lines), RESULTS, "## Store")
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
