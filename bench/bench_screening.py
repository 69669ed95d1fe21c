"""Speed of the literature phase: merging search exports, importing them, screening by rules, the flow.

Measured against floors taken in the same run:
- merging: `merge_records` on N synthetic records (half of them duplicates spelt differently) against a
  floor that only lower-cases DOIs and titles and looks them up in a dict (no accent folding, no author
  names, no DOI prefixes);
- importing: `import_search_exports` of one RIS export into an empty project against `import_paths` of
  the same file into another (which stores the same documents without matching anything).
Goals (ours): merging 20,000 records in under 2 s; the export import within 3x of `import_paths`;
`apply_rules` plus `prisma` on 5,000 records in under 10 s. Writes the `## Screening` section of
bench/RESULTS.md (with the machine) unless --no-results.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from workbench.corpus.batch import import_paths  # noqa: E402
from workbench.literature.dedupe import ExportRecord, import_search_exports, merge_records  # noqa: E402
from workbench.literature.prisma import prisma  # noqa: E402
from workbench.literature.screening import Screening  # noqa: E402
from workbench.store.project import Project  # noqa: E402

RESULTS = HERE / "RESULTS.md"
HEADING = "## Screening"
WORDS = ("career", "primary", "school", "pupils", "science", "aspirations", "guidance", "children", "choice",
         "education", "technology", "gender", "teachers", "parents", "occupations", "stereotypes")


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{nproc} CPUs ({cpu}), Python {sys.version.split()[0]}, load average {load} at the start"


def works(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(8)) + f" {i}"
        out.append({"title": title.capitalize(), "year": str(rng.randint(1995, 2020)),
                    "authors": f"Van Author{i % 997}, A.; Other, B.", "doi": f"10.{1000 + i % 50}/abc.{i}" if i % 2 else None})
    return out


def variant(w: dict, rng: random.Random) -> dict:
    """The same work as another database spells it."""
    title = w["title"].title() + "." if rng.random() < 0.5 else w["title"].upper()
    doi = w["doi"].upper() if w["doi"] and rng.random() < 0.5 else (f"https://doi.org/{w['doi']}" if w["doi"] else None)
    family = w["authors"].split(",")[0].removeprefix("Van ")
    return {"title": title, "year": w["year"], "authors": f"{family}, A. van", "doi": doi}


def records(n: int, seed: int) -> list[ExportRecord]:
    rng = random.Random(seed)
    base = works(n // 2, seed)
    recs = [ExportRecord("A", "a.ris", i + 1, dict(w)) for i, w in enumerate(base)]
    recs += [ExportRecord("B", "b.ris", i + 1, variant(w, rng)) for i, w in enumerate(base)]
    rng.shuffle(recs)
    return recs


def floor_merge(recs: list[ExportRecord]) -> int:
    seen: dict[str, int] = {}
    count = 0
    for r in recs:
        doi = (r.fields.get("doi") or "").lower()
        key = doi or (r.fields.get("title") or "").lower() + "|" + str(r.fields.get("year"))
        if key not in seen:
            seen[key] = count
            count += 1
    return count


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), result


def ris(n: int, seed: int) -> str:
    parts = []
    for i, w in enumerate(works(n, seed)):
        lines = ["TY  - JOUR", f"ID  - rec{i}", *[f"AU  - {a.strip()}" for a in w["authors"].split(";")],
                 f"PY  - {w['year']}", f"TI  - {w['title']}", f"AB  - Abstract of record {i}: {w['title'].lower()}.",
                 f"KW  - level: {'primary' if i % 3 else 'secondary'}"]
        if w["doi"]:
            lines.append(f"DO  - {w['doi']}")
        parts.append("\n".join(lines) + "\nER  - \n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--merge", type=int, default=20_000, help="records to merge (default 20,000)")
    ap.add_argument("--export", type=int, default=5_000, help="records in the export to import (default 5,000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-results", action="store_true", help="print only; do not write RESULTS.md")
    args = ap.parse_args(argv)
    where = machine()

    recs = records(args.merge, args.seed)
    f_med, f_best, f_works = timed(lambda: floor_merge(recs), args.repeat)
    m_med, m_best, merged = timed(lambda: merge_records(recs), args.repeat)
    assert len(merged) == args.merge // 2, len(merged)  # every variant found its work

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "export.ris").write_text(ris(args.export, args.seed), encoding="utf-8")
        floor_t, ours_t = [], []
        for k in range(args.repeat):  # interleaved, so drift in load hits both alike
            a = Project.init(tmp / f"floor{k}")
            t = time.perf_counter()
            import_paths(a, [tmp / "export.ris"], progress=False)
            floor_t.append(time.perf_counter() - t)
            a.close()
            b = Project.init(tmp / f"ours{k}")
            t = time.perf_counter()
            report = import_search_exports(b, {"DB": tmp / "export.ris"})
            ours_t.append(time.perf_counter() - t)
            assert report.attrs["summary"]["new_works"] == args.export
            if k < args.repeat - 1:
                b.close()
        rules = [{"name": "secondary", "decision": "exclude", "when": {"keywords": {"contains": "secondary"}}},
                 {"name": "old", "decision": "exclude", "when": {"year": {"max": 2001}}},
                 {"name": "primary", "decision": "include", "when": {"keywords": {"contains": "primary"}}}]
        t = time.perf_counter()
        decided = Screening(b, "anna").apply_rules(rules)
        rules_t = time.perf_counter() - t
        t = time.perf_counter()
        flow = prisma(b)
        prisma_t = time.perf_counter() - t
        assert len(decided) == args.export and int(flow["n"].iloc[-1]) > 0
        b.close()
    i_med, fl_med = statistics.median(ours_t), statistics.median(floor_t)
    rows = [
        ("floor: lower-cased DOI or title + year looked up in a dict", f_med, f_best, 1.0),
        (f"`merge_records`, {args.merge:,} records (half duplicates in other spellings)", m_med, m_best, m_med / f_med),
    ]
    goals = [
        f"merging {args.merge:,} records under 2 s: {'met' if m_med < 2 else 'MISSED'} ({m_med:.2f} s)",
        f"export import within 3x of `import_paths`: {'met' if i_med <= 3 * fl_med else 'MISSED'} "
        f"({i_med / fl_med:.1f}x)",
        f"`apply_rules` + `prisma` on {args.export:,} records under 10 s: "
        f"{'met' if rules_t + prisma_t < 10 else 'MISSED'} ({rules_t + prisma_t:.1f} s)",
    ]
    section = "\n".join([
        HEADING, "",
        f"`bench/bench_screening.py`, median (and best) of {args.repeat} runs; machine: {where}.", "",
        "| | seconds (median) | seconds (best) | ratio to floor |", "|---|---:|---:|---:|",
        *[f"| {name} | {med:.3f} | {best:.3f} | {ratio:.1f} |" for name, med, best, ratio in rows], "",
        f"Importing one RIS export of {args.export:,} new works into an empty project:", "",
        "| | seconds (median) | seconds (best) | ratio to floor |", "|---|---:|---:|---:|",
        f"| floor: `import_paths` of the same file | {fl_med:.3f} | {min(floor_t):.3f} | 1.0 |",
        f"| `import_search_exports` (read, match, store, link every record) | {i_med:.3f} | {min(ours_t):.3f} | "
        f"{i_med / fl_med:.1f} |", "",
        f"Then `Screening.apply_rules` (3 rules, {args.export:,} decisions in one undoable action): {rules_t:.2f} s; "
        f"`prisma`: {prisma_t:.2f} s.", "",
        "Goals: " + "; ".join(goals) + ".", "",
    ])
    print(section)
    if not args.no_results:
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
        lines = old.splitlines(keepends=True)
        start = next((i for i, ln in enumerate(lines) if ln.rstrip() == HEADING), None)
        if start is None:
            new = old.rstrip("\n") + "\n\n" + section
        else:
            end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
            new = "".join(lines[:start]) + section + ("\n" if end < len(lines) else "") + "".join(lines[end:])
        RESULTS.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
