"""REFI-QDA benchmark: export and import at 1,000 documents / 100,000 codings, against a zip+XML floor.

The project is built outside the clock (synthetic transcripts from gen_transcripts.py, a 50-code
codebook, 100 codings per document by two coders). Then, alternating, in fresh child processes:
  floor  - one plain SELECT of the texts and codings (sqlite3), the texts deflated into a zip and the
           same .qde shape as the export (a selection with one coding per row, GUIDs, times) written with
           f-strings and random GUIDs: the least a REFI exporter can do (a "bare" floor with one small
           element per coding is measured too);
  export - wb.export_refi(project, out.qdpx);
and once: import - wb.import_refi(fresh project, out.qdpx). Goal: export within 2x of the floor
(median of the runs). Results: bench/out/refi.json and the "## REFI-QDA" section of bench/RESULTS.md.

    python bench/bench_refi.py [--docs 1000] [--codings 100000] [--words 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE / "out"
GOAL = 2.0
_OPEN: list = []  # the project an export child opened before the clock started


def build(root: Path, docs: int, codings: int, words: int) -> None:
    from bench_import import write_results  # noqa: F401 - same folder; checks it imports
    from gen_transcripts import transcript

    import workbench as wb
    from workbench.codebook.io import CodebookSpec, CodeSpec
    from workbench.codebook.tree import Codebook
    from workbench.corpus.document import ImportedDocument
    from workbench.corpus.text import canonicalize
    from workbench.corpus.transcript import parse_turns
    from workbench.corpus.writer import DocumentWriter

    if root.exists():
        shutil.rmtree(root)
    p = wb.Project.init(root, name="refi-bench")
    with DocumentWriter(p) as writer:
        for i in range(docs):
            text = canonicalize(transcript(i, words))
            writer.add_file([ImportedDocument(name=f"T{i:04d}", kind="interview", text=text, source_format="txt",
                                              turns=parse_turns(text), case=f"T{i:04d}")])
    codes = [CodeSpec(id=f"theme-{t}", label=f"Theme {t}", codable=False) for t in range(5)]
    codes += [CodeSpec(id=f"code-{t}-{k}", label=f"Code {t}.{k}", parent=f"theme-{t}", definition="A definition.")
              for t in range(5) for k in range(9)]
    Codebook(p, "setup").apply_spec(CodebookSpec("bench", [], codes))
    leaf = [c.id for c in codes if c.codable]
    rng = random.Random(7)
    rows = []
    per_doc = codings // docs
    for t in p.texts():
        spaces = [i for i, ch in enumerate(t.text) if ch == " "]
        for k in range(per_doc):
            a = rng.choice(spaces[:-40])
            b = spaces[spaces.index(a) + rng.randint(3, 30)]
            rows.append({"document": t.name, "start": a + 1, "end": b, "code": leaf[k % len(leaf)],
                         "coder": "coder-a" if k % 2 else "coder-b", "memo": "why" if k % 50 == 0 else None})
    wb.add_codings(p, rows, coder=None, actor="setup")
    p.close()


def child_floor(root: Path, out: Path) -> None:
    db = sqlite3.connect(root / ".workbench" / "project.sqlite")
    texts = db.execute("SELECT id, name, text FROM documents ORDER BY name").fetchall()
    rows = db.execute('SELECT document_id, start, "end", code_id, coder_id FROM codings '
                      'ORDER BY document_id, start, "end"').fetchall()
    parts = ['<?xml version="1.0" encoding="utf-8"?><P>']
    parts.extend(f'<S d="{d}" s="{s}" e="{e}" c="{c}" u="{u}"/>' for d, s, e, c, u in rows)
    parts.append("</P>")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("project.qde", "".join(parts).encode("utf-8"))
        for _, name, text in texts:
            zf.writestr(f"sources/{name}.txt", text.encode("utf-8"))


def child_floor_refi(root: Path, out: Path) -> None:
    """The same project.qde shape as the export, written the plainest way: random GUIDs, f-strings, no checks."""
    db = sqlite3.connect(root / ".workbench" / "project.sqlite")
    texts = db.execute("SELECT id, name, text FROM documents ORDER BY name").fetchall()
    rows = db.execute('SELECT document_id, start, "end", code_id, coder_id, created FROM codings '
                      'ORDER BY document_id, start, "end"').fetchall()
    users = {u: str(uuid.uuid4()) for u in {r[4] for r in rows}}
    codes = {c: str(uuid.uuid4()) for (c,) in db.execute("SELECT id FROM codes")}
    docs = {d: str(uuid.uuid4()) for d, _, _ in texts}
    by_doc: dict[int, list[str]] = {d: [] for d in docs}
    for d, a, b, code, coder, created in rows:
        stamp = created.replace(" ", "T")[:23] + "Z"
        by_doc[d].append(f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{a}" endPosition="{b}" '
                         f'creatingUser="{users[coder]}" creationDateTime="{stamp}"><Coding guid="{uuid.uuid4()}" '
                         f'creatingUser="{users[coder]}" creationDateTime="{stamp}"><CodeRef targetGUID='
                         f'"{codes[code]}"/></Coding></PlainTextSelection>')
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="floor"><Users>']
    parts.extend(f'<User guid="{g}" name="{u}"/>' for u, g in users.items())
    parts.append("</Users><CodeBook><Codes>")
    parts.extend(f'<Code guid="{g}" name="{c}" isCodable="true"/>' for c, g in codes.items())
    parts.append("</Codes></CodeBook><Sources>")
    for d, name, _ in texts:
        parts.append(f'<TextSource guid="{docs[d]}" name="{name}" plainTextPath="internal://{docs[d]}.txt">')
        parts.extend(by_doc[d])
        parts.append("</TextSource>")
    parts.append("</Sources></Project>")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("project.qde", "".join(parts).encode("utf-8"), compresslevel=1)
        for d, _, text in texts:
            zf.writestr(f"sources/{docs[d]}.txt", text.encode("utf-8"))


def child_export(root: Path, out: Path) -> None:
    import workbench as wb

    wb.export_refi(_OPEN[0], out)


def child_import(root: Path, qdpx: Path) -> None:
    import workbench as wb

    target = root.parent / "imported"
    if target.exists():
        shutil.rmtree(target)
    p = wb.Project.init(target, name="imported")
    report = wb.import_refi(p, qdpx)
    assert report.mismatched == 0, report


def run_child(mode: str, root: Path, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(root), str(path)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _all(runs: list[dict]) -> str:
    return ", ".join(f"{r['seconds']:.2f}" for r in runs)


def markdown(result: dict) -> str:
    """The "## REFI-QDA" section of RESULTS.md for one benchmark result."""
    m = result["machine"]
    floor, bare, export, imported = result["floor"], result["bare_floor"], result["export"], result["import"]
    f, f0, e = (statistics.median(r["seconds"] for r in runs) for runs in (floor, bare, export))
    ok = max(result["ratio"], result["cpu_ratio"]) <= GOAL
    return "\n".join([
        "## REFI-QDA",
        "",
        f"`python bench/bench_refi.py` on {m['nproc']} cores ({m['cpu']}, {m['ram_gib']} GiB), load average "
        f"{m['load_average']} (a machine shared with other agents), Python {m['python']}, SQLite {m['sqlite']}, "
        f"{m['date']}.",
        "",
        f"{result['docs']} transcripts of {result['words']} words, {result['codings']} codings by two coders on a 50-code "
        f"codebook; the .qdpx is {result['qdpx_mb']:.1f} MiB. Median of {result['runs']} alternating runs, each a "
        "fresh process:",
        "",
        "| step | seconds (median) | all runs | CPU s | peak MB |",
        "|---|---:|---|---:|---:|",
        f"| bare floor: SELECT + deflate texts + one small XML element per coding | {f0:.2f} | {_all(bare)} | "
        f"{statistics.median(r['cpu_seconds'] for r in bare):.2f} | {max(r['peak_mb'] for r in bare):.0f} |",
        f"| REFI floor: SELECT + the same .qde shape (selection, coding, GUIDs, times) by f-strings + zip "
        f"| {f:.2f} | {_all(floor)} | "
        f"{statistics.median(r['cpu_seconds'] for r in floor):.2f} | {max(r['peak_mb'] for r in floor):.0f} |",
        f"| export_refi (.qdpx, schema-valid) | {e:.2f} | {_all(export)} | "
        f"{statistics.median(r['cpu_seconds'] for r in export):.2f} | {max(r['peak_mb'] for r in export):.0f} |",
        f"| import_refi into a fresh project (all checks, fidelity) | {imported['seconds']:.2f} | - | "
        f"{imported['cpu_seconds']:.2f} | {imported['peak_mb']:.0f} |",
        "",
        f"Export / REFI floor: **{result['ratio']:.2f}x** in wall-clock medians and **{result['cpu_ratio']:.2f}x** "
        f"in CPU seconds (goal: within {GOAL:.0f}x): "
        + ("goal met by both." if ok else "**goal missed**" + (" in wall-clock time." if result["cpu_ratio"] <= GOAL
                                                               else "."))
        + f" Best run against best run: {min(r['seconds'] for r in export) / min(r['seconds'] for r in floor):.2f}x."
        + " On this shared machine the wall-clock runs scatter (see the run columns); the CPU ratio is steadier."
        + f" Against the bare floor, which writes a much smaller XML, export is {result['ratio_bare']:.1f}x. "
        "Both floors and the export deflate the .qde at level 1 and the texts at level 6. Import has no goal; "
        "it reads, checks and maps every selection, re-extracts each for the fidelity count, and writes "
        "through the public API (documents, codebook, attribute sheets, add_codings, memos).",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=1000, help="documents (default 1000)")
    ap.add_argument("--codings", type=int, default=100_000, help="codings (default 100000)")
    ap.add_argument("--words", type=int, default=2000, help="words per transcript (default 2000)")
    ap.add_argument("--runs", type=int, default=3, help="alternating floor/export runs (default 3)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--no-results", action="store_true", help="do not write bench/out/refi.json or RESULTS.md")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the RESULTS.md section from bench/out/refi.json without measuring")
    args = ap.parse_args(argv)
    if args.report_only:
        from bench_import import write_results

        write_results(markdown(json.loads((OUT / "refi.json").read_text(encoding="utf-8"))), heading="## REFI-QDA")
        return 0
    if args.child:
        mode, root, path = args.child
        import workbench as wb  # imports and opening the project are outside the clock, as for the floor
        from workbench.interop.refi import bridge  # noqa: F401
        if mode == "export":
            _OPEN.append(wb.Project.open(root))
        began, cpu = time.perf_counter(), time.process_time()
        {"floor": child_floor, "floor-refi": child_floor_refi, "export": child_export,
         "import": child_import}[mode](Path(root), Path(path))
        print(json.dumps({"seconds": time.perf_counter() - began, "cpu_seconds": time.process_time() - cpu,
                          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return 0
    from bench_import import machine, write_results

    OUT.mkdir(exist_ok=True)
    root = OUT / "refi" / "project"
    began = time.perf_counter()
    build(root, args.docs, args.codings, args.words)
    built = time.perf_counter() - began
    bare, floor, export = [], [], []
    for _ in range(args.runs):
        bare.append(run_child("floor", root, OUT / "refi" / "bare.zip"))
        floor.append(run_child("floor-refi", root, OUT / "refi" / "floor.qdpx"))
        export.append(run_child("export", root, OUT / "refi" / "export.qdpx"))
    imported = run_child("import", root, OUT / "refi" / "export.qdpx")
    f = statistics.median(r["seconds"] for r in floor)
    f0 = statistics.median(r["seconds"] for r in bare)
    e = statistics.median(r["seconds"] for r in export)
    result = {"machine": machine(), "docs": args.docs, "codings": args.codings, "words": args.words,
              "build_seconds": built, "bare_floor": bare, "floor": floor, "export": export, "import": imported,
              "ratio": e / f, "ratio_bare": e / f0,
              "cpu_ratio": statistics.median(r["cpu_seconds"] for r in export)
              / statistics.median(r["cpu_seconds"] for r in floor),
              "qdpx_mb": (OUT / "refi" / "export.qdpx").stat().st_size / 2**20}
    result["runs"] = args.runs
    section = markdown(result)
    if not args.no_results:
        (OUT / "refi.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        write_results(section, heading="## REFI-QDA")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
