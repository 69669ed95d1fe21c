"""Retrieval benchmark: `segments()` with context over 100,000 codings, beside the floor of plain slicing.

Setup (outside the clock): 1,000 synthetic transcripts (`bench/gen_transcripts.py`), imported into a fresh
project, a ten-code codebook and 100,000 codings stored with `workbench.coding.bulk.add_codings` (spans of
3-40 words at seeded random places inside the respondents' speech). Then, each measured `--repeat` times:

  (a) floor: read every coding (document, start, end) and every text once, then slice the quote and 200
      characters on either side - what any retrieval must at least do;
  (b) `segments(project, context=...)` for sentence, paragraph, turn and none.

Goal (issue 7): sentence context over 100,000 codings in under 10 s. Results: the "## Retrieval" section of
bench/RESULTS.md. Usage: `python bench/bench_retrieval.py [--n 1000] [--codings 100000] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_import import machine, write_results  # noqa: E402
from gen_transcripts import generate  # noqa: E402

GOAL_SECONDS = 10.0
CODES = [f"code-{i}" for i in range(10)]


def build(work: Path, n: int, words: int, n_codings: int, seed: int):
    import workbench as wb
    from workbench.codebook.io import parse
    from workbench.coding.bulk import add_codings

    data = work / "transcripts"
    generate(data, n, words, seed)
    project = wb.Project.init(work / "project")
    wb.import_paths(project, [data], progress=False)
    wb.Codebook(project, "bench").apply_spec(parse("codes:\n" + "".join(
        f"- id: {c}\n  label: Code {i}\n" for i, c in enumerate(CODES))))
    rng = random.Random(seed)
    rows = []
    texts = project.texts()
    per_doc = n_codings // len(texts) + 1
    for doc in texts:
        speech = [t for t in doc.turns if t.speaker and t.speaker != "Interviewer" and t.end - t.speech_start > 40]
        for _ in range(per_doc):
            t = rng.choice(speech)
            start = rng.randrange(t.speech_start, t.end - 20)
            end = min(t.end, start + rng.randrange(15, 250))
            rows.append({"document": doc.name, "start": start, "end": end, "code": rng.choice(CODES)})
    rows = rows[:n_codings]
    added = add_codings(project, rows, coder="bench", actor="bench", action="bench")
    return project, added


def floor(project) -> int:
    """Plain slicing of the same spans, with the codings and texts read once."""
    codings = project.codings()
    texts = {d.name: d.text for d in project.texts()}
    out = []
    for doc, start, end in zip(codings["document"], codings["start"], codings["end"], strict=True):
        text = texts[doc]
        out.append((text[max(0, start - 200):start], text[start:end], text[end:end + 200]))
    return len(out)


def timed(fn, repeat: int) -> list[float]:
    secs = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        secs.append(time.perf_counter() - began)
    return secs


def markdown(r: dict) -> str:
    m = r["machine"]
    fl = statistics.median(r["floor"])
    sentence = statistics.median(r["segments"]["sentence"])
    lines = [
        "## Retrieval",
        "",
        f"`segments()` over {r['codings']:,} codings in {r['files']} synthetic transcripts "
        f"(`bench/gen_transcripts.py --n {r['files']} --words {r['words']}`, seed {r['seed']}; codings stored "
        "with `add_codings`, 3-40 words each inside respondents' turns). Median of "
        f"{r['repeat']} runs in one process; building the project is outside the clock.",
        "",
        "| | seconds (median) | seconds (min) | ratio to floor (median) |",
        "|---|---:|---:|---:|",
        f"| floor: read codings and texts once, slice quote and 200 characters each side | {fl:.2f} | "
        f"{min(r['floor']):.2f} | 1.0 |",
    ]
    for ctx, secs in r["segments"].items():
        lines.append(f"| `segments(context={ctx!r})` (speaker, time, context) | {statistics.median(secs):.2f} | "
                     f"{min(secs):.2f} | {statistics.median(secs) / fl:.1f} |")
    lines += [
        "",
        f"Goal: sentence context over {r['codings']:,} codings under {GOAL_SECONDS:.0f} s "
        f"({'met' if sentence < GOAL_SECONDS else 'MISSED'}: {sentence:.2f} s). Units are cut once per document "
        "(`corpus.units.split`) and each coding finds its context by bisection, instead of cutting the "
        "document again for every coding.",
        "",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"SQLite {m['sqlite']}, {m['platform']}; {m['date']}; load average {m['load_average'][0]:.1f} "
        "(1 min) at the end of the runs (the machine is shared, so times vary).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of transcripts (default 1000)")
    ap.add_argument("--words", type=int, default=2000, help="words per transcript (default 2000)")
    ap.add_argument("--codings", type=int, default=100_000, help="codings to store (default 100,000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (default 3)")
    ap.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = ap.parse_args(argv)
    from workbench.coding.retrieval import segments

    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as work:
        project, added = build(Path(work), args.n, args.words, args.codings, args.seed)
        result = {"files": args.n, "words": args.words, "seed": args.seed, "repeat": args.repeat, "codings": added,
                  "floor": timed(lambda: floor(project), args.repeat), "segments": {}}
        for ctx in ("sentence", "paragraph", "turn", "none"):
            result["segments"][ctx] = timed(lambda c=ctx: segments(project, context=c), args.repeat)
            print(ctx, [round(s, 2) for s in result["segments"][ctx]], flush=True)
        project.close()
    result["machine"] = machine()
    section = markdown(result)
    print(section)
    if not args.no_results:
        write_results(section, heading="## Retrieval")
    return 0 if statistics.median(result["segments"]["sentence"]) < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
