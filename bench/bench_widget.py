"""Benchmark of the coding widget in a real browser: a 20,000-word transcript with 1,000 codings, in Voila.

Builds a project in a temporary folder, serves tests/ui/coding_app.ipynb with Voila, loads it in headless
Chromium (Debian's /usr/bin/chromium through Playwright) and reads the widget's own performance.now()
figures from data attributes on its root element:

- render: from the first line of the document render (codings already in the page) to the first frame
  produced after it: HTML built, DOM parsed, style, layout and paint of what is on screen
  (data-render-paint-ms; data-render-ms stops before that frame). Turns off screen are skipped by the
  browser (content-visibility: auto) until scrolled to. Measured on page load and again after navigating
  to another document and back.
- action: from the click on a code (or the key 1) to the first frame produced after the new highlight is
  in the DOM: message to the kernel, CodingSession.code (an SQLite transaction), the codings trait back,
  the changed turn re-rendered (data-action-paint-ms; data-action-ms stops at the DOM update). The
  widget also reports the part until the new codings arrived and the part spent in Python.

Each run is a fresh page (a fresh kernel); figures are medians over runs (actions: over all actions).
Targets, on the paint figures: render < 300 ms, action < 100 ms. Writes bench/out/widget.json and its
own "## Coding widget" section of bench/RESULTS.md (`--no-results` leaves that file alone).

`--baseline REV` also serves the browser side (coding_view.js/.css) of git revision REV with today's
Python, and alternates its pages with the current ones in the same run, so that a change in rendering
is measured against the version before it under the same load.

    .venv/bin/python bench/bench_widget.py [--runs 3] [--actions 10] [--words 20000] [--codings 1000]
        [--baseline 930a89d]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ui.browser import (  # noqa: E402 - shared with the browser tests
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTEBOOK,
    free_port,
    guard_page,
    select_range,
    serve,
    server_env,
)
from workbench.codebook.io import CodebookSpec, CodeSpec  # noqa: E402
from workbench.codebook.tree import Codebook  # noqa: E402
from workbench.coding.mirror import import_coding  # noqa: E402
from workbench.corpus.batch import import_paths  # noqa: E402
from workbench.store.project import Project  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import write_section  # noqa: E402

BIG = "long-interview"
SMALL = "short-note"
CODER = "coder-bench"
TARGET_RENDER_MS = 300
TARGET_ACTION_MS = 100

WORDS = [
    "the", "we", "they", "it", "was", "about", "work", "team", "project", "school", "children", "parents",
    "funding", "money", "grant", "time", "year", "really", "think", "know", "people", "felt", "some", "very",
    "more", "because", "when", "then", "would", "could", "started", "never", "always", "together", "trust",
    "partners", "meeting", "report", "plan", "change", "problem", "idea", "future", "talk", "week", "month",
    "teacher", "career", "choice", "interest", "talent", "guidance", "decision", "family", "friends", "city",
    "village", "office", "policy",
]
EMOJI = ["\U0001F605", "\U0001F44D", "\U0001F389", "\U0001F914"]
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]


def transcript(words: int, rng: random.Random) -> str:
    """`words` words of speech in alternating speaker turns with timestamps; a few emoji."""
    turns, left, seconds, speaker = [], words, 0, 0
    while left > 0:
        n = min(left, rng.randint(20, 110))
        body = []
        for i in range(n):
            w = rng.choice(WORDS)
            if i == 0:
                w = w.capitalize()
            body.append(w)
            if i < n - 1 and rng.random() < 0.08:
                body[-1] += rng.choice([",", ".", "?"])
        if rng.random() < 0.1:
            body.insert(rng.randint(1, len(body)), rng.choice(EMOJI))
        left -= n
        name = ("Interviewer", "Respondent")[speaker]
        turns.append(f"[{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}] {name}: "
                     + " ".join(body) + ".")
        seconds += n // 2 + rng.randint(1, 9)
        speaker = 1 - speaker
    return "\n\n".join(turns) + "\n"


def codebook() -> CodebookSpec:
    codes = []
    for g in range(6):
        parent = f"theme-{g}"
        codes.append(CodeSpec(id=parent, label=f"Theme {g}", colour=PALETTE[g % len(PALETTE)], codable=False))
        for k in range(4):
            codes.append(CodeSpec(id=f"code-{g}-{k}", label=f"Code {g}.{k}", parent=parent,
                                  colour=PALETTE[(g * 4 + k) % len(PALETTE)]))
    return CodebookSpec("Benchmark codebook", [], codes)


def build(folder: Path, words: int, n_codings: int, seed: int = 7) -> Project:
    rng = random.Random(seed)
    src = folder / "sources"
    src.mkdir(parents=True)
    (src / f"{BIG}.txt").write_text(transcript(words, rng), encoding="utf-8")
    (src / f"{SMALL}.txt").write_text("A short note to navigate to and back.\n", encoding="utf-8")
    project = Project.init(folder / "project")
    report = import_paths(project, [src], progress=False)
    assert set(report["status"]) == {"imported"}, report
    Codebook(project, "researcher").apply_spec(codebook())
    codable = [c.id for c in codebook().codes if c.codable]
    text = project.text(BIG)
    turns = project.turns(BIG)
    # word spans inside speech (not the "[t] Name:" labels), 2-40 words, mostly within one turn
    spans = []
    for t in turns.itertuples(index=False):
        pos, speech = t.speech_start, text[t.speech_start:t.end]
        for w in speech.split(" "):
            spans.append((pos, pos + len(w)))
            pos += len(w) + 1
    rows, seen = ["document,start,end,code,coder,memo,quote"], set()
    while len(rows) - 1 < n_codings:
        i = rng.randrange(len(spans) - 41)
        start, end = spans[i][0], spans[i + rng.randint(1, 40)][1]
        key = (start, end, rng.choice(codable), rng.choice(["coder-a", "coder-a", "coder-b"]))
        if key in seen:
            continue
        seen.add(key)
        quote = text[start:end].replace('"', '""')
        rows.append(f'{BIG},{start},{end},{key[2]},{key[3]},,"{quote}"')
    mirror = folder / "mirror"
    mirror.mkdir()
    (mirror / "codings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = import_coding(project, mirror)
    assert result.added == n_codings and result.mismatches.empty, result
    return project


def dataset(page) -> dict[str, str]:
    return page.evaluate("() => Object.assign({}, document.querySelector('.wb-cv-root').dataset)")


# Waiting in the page with a MutationObserver, not by polling: a poll on every animation frame would run
# on the page's main thread during the very interval being measured.
_WAIT_JS = """([name, value, also]) => new Promise((resolve) => {
  const root = document.querySelector('.wb-cv-root');
  const done = () => root.dataset[name] === value && (!also || root.dataset[also] !== undefined);
  if (done()) return resolve(true);
  new MutationObserver((_, obs) => { if (done()) { obs.disconnect(); resolve(true); } })
    .observe(root, {attributes: true});
})"""


def wait_attr(page, name: str, value: str, also: str | None = None) -> None:
    """Until the widget's root has data-<name>=value (and data-<also> set)."""
    page.evaluate(_WAIT_JS, [name, value, also])


def one_run(browser, url: str, project: Project, actions: int, rng: random.Random) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = guard_page(page)
    t0 = time.perf_counter()
    page.goto(url, timeout=120_000)
    page.locator(".wb-cv-root[data-render-seq] .wb-cv-turn").first.wait_for(timeout=120_000)
    load_s = time.perf_counter() - t0
    first = dataset(page)
    assert first["document"] == BIG, first
    wait_attr(page, "renderSeq", "1", "renderPaintMs")
    first = dataset(page)
    highlights = page.locator(".wb-cv-highlight").count()
    stripes = page.locator(".wb-cv-stripe").count()
    # re-render: away and back (the DOM of the long document is rebuilt from scratch)
    page.locator(".wb-cv-next").click()
    wait_attr(page, "document", SMALL)
    page.locator(".wb-cv-prev").click()
    page.evaluate("() => { delete document.querySelector('.wb-cv-root').dataset.renderPaintMs; }")
    wait_attr(page, "renderSeq", "3", "renderPaintMs")
    again = dataset(page)
    assert again["document"] == BIG, again
    # coding actions on passages spread over the document: click a code, or press key 1
    text = project.text(BIG)
    turns = project.turns(BIG)
    picks = sorted(rng.sample(range(len(turns)), actions))
    action_ms, paint_ms, update_ms, sync_ms, python_ms = [], [], [], [], []
    for k, ti in enumerate(picks):
        t = turns.iloc[ti]
        speech = text[int(t.speech_start):int(t.end)]
        words = speech.split(" ")
        a = rng.randrange(max(1, len(words) - 6))
        start = int(t.speech_start) + len(" ".join(words[:a])) + (1 if a else 0)
        end = start + len(" ".join(words[a:a + 4]))
        select_range(page, start, end)
        seq = str(k + 1)
        if k % 2 == 0:
            page.locator(f'.wb-cv-code-item[data-code="code-{k % 6}-{k % 4}"]').click()
        else:
            page.locator(".wb-cv-root").press("1")
        wait_attr(page, "actionSeq", seq, "actionPaintMs")
        d = dataset(page)
        assert d["actionVisible"] == "true", d
        action_ms.append(float(d["actionMs"]))
        paint_ms.append(float(d["actionPaintMs"]))
        update_ms.append(float(d["updateMs"]))
        sync_ms.append(float(d["actionSyncMs"]))
        python_ms.append(float(d["actionPythonMs"]))
        page.evaluate("() => { delete document.querySelector('.wb-cv-root').dataset.actionPaintMs; }")
    page.close()
    assert not errors, errors
    return {"page_load_s": round(load_s, 2), "turns": int(first["turns"]), "highlight_segments": highlights,
            "stripes": stripes, "render_ms": float(first["renderMs"]), "render_paint_ms": float(first["renderPaintMs"]),
            "render_parts_ms": {k: float(first[f"render{k.title()}Ms"]) for k in ("build", "dom", "layout")},
            "rerender_ms": float(again["renderMs"]), "rerender_paint_ms": float(again["renderPaintMs"]),
            "action_ms": action_ms, "action_paint_ms": paint_ms, "update_ms": update_ms,
            "action_until_codings_arrive_ms": sync_ms, "action_python_ms": python_ms,
            "action_ms_median": statistics.median(action_ms)}


def baseline_notebook(rev: str, folder: Path) -> Path:
    """A copy of the app notebook whose view uses the JS and CSS of git revision `rev`."""
    for name in ("coding_view.js", "coding_view.css"):
        body = subprocess.run(["git", "show", f"{rev}:src/workbench/widgets/{name}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        (folder / name).write_text(body, encoding="utf-8")
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "CodingView" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace(
        "from workbench.widgets import CodingView\n",
        "from pathlib import Path\nfrom workbench.widgets import CodingView as _Current\n\n\n"
        "class CodingView(_Current):  # the browser side of an earlier revision\n"
        f"    _esm = Path({str(folder / 'coding_view.js')!r})\n    _css = Path({str(folder / 'coding_view.css')!r})\n")
    out = folder / NOTEBOOK.name
    out.write_text(json.dumps(nb), encoding="utf-8")
    return out


def summarise(runs: list[dict]) -> dict:
    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 1)

    def pooled(key: str) -> float:
        return round(statistics.median(x for r in runs for x in r[key]), 1)

    all_actions = sorted(x for r in runs for x in r["action_ms"])
    summary = {
        "render_ms": med("render_ms"), "render_paint_ms": med("render_paint_ms"),
        "rerender_ms": med("rerender_ms"), "rerender_paint_ms": med("rerender_paint_ms"),
        "action_ms": pooled("action_ms"), "action_paint_ms": pooled("action_paint_ms"),
        "action_ms_p90": round(all_actions[int(0.9 * (len(all_actions) - 1))], 1),
        "update_ms": pooled("update_ms"), "action_until_codings_arrive_ms": pooled("action_until_codings_arrive_ms"),
        "action_python_ms": pooled("action_python_ms"), "page_load_s": med("page_load_s"),
    }
    summary["render_ok"] = summary["render_paint_ms"] < TARGET_RENDER_MS
    summary["action_ok"] = summary["action_paint_ms"] < TARGET_ACTION_MS
    return summary


def results_section(out: dict) -> str:
    """The "## Coding widget" section of bench/RESULTS.md, from one benchmark's output."""
    runs, m, env = out["per_run"], out["median"], out["environment"]

    def row(label: str, key: str, target: str = "", bold: bool = False, pool: bool = False) -> str:
        values = [statistics.median(r[key]) if pool else r[key] for r in runs]
        cell = f"**{m[key]:.0f}**" if bold else f"{m[key]:.0f}"
        return f"| {label} | " + " | ".join(f"{v:.0f}" for v in values) + f" | {cell} | {target} |"

    def verdict(ok: bool, value: float, target: int) -> str:
        return f"met ({value:.0f} ms < {target})" if ok else f"MISSED ({value:.0f} ms, target < {target})"

    heads = " | ".join(f"run {i + 1}" for i in range(len(runs)))
    lines = [
        "## Coding widget", "",
        f"`bench/bench_widget.py`: a {out['words']:,}-word transcript ({runs[0]['turns']} turns) with "
        f"{out['codings']:,} codings by two coders in a temporary project, shown by `CodingView` in Voila and",
        f"driven by headless Chromium {env['chromium']} (Debian's, through Playwright). Times are taken in the "
        "page with `performance.now()`:",
        "*render* from receiving the document until its text, highlights, stripes are in the DOM, *to frame* until "
        "the next animation frame",
        "(painted, margin labels of the turns in view included); *action* from the coding request until its "
        "highlight is in the DOM (a round",
        "trip through the kernel: Python codes the span in the database and re-sends the codings). Each run is a "
        f"fresh page with {out['actions_per_run']} coding",
        f"actions; {len(runs)} runs.", "",
        f"| | {heads} | median | target |", "|---|" + "---:|" * (len(runs) + 2),
        row("render, to frame (ms)", "render_paint_ms", f"< {TARGET_RENDER_MS}", bold=True),
        row("render, text in the DOM (ms)", "render_ms"),
        row("switch document and re-render, to frame (ms)", "rerender_paint_ms"),
        row("coding action, to frame (ms)", "action_paint_ms", f"< {TARGET_ACTION_MS}", bold=True, pool=True),
        row("coding action, highlight in the DOM (ms)", "action_ms", pool=True),
        "",
        f"Goals: render {verdict(m['render_ok'], m['render_paint_ms'], TARGET_RENDER_MS)}, action "
        f"{verdict(m['action_ok'], m['action_paint_ms'], TARGET_ACTION_MS)} (90th percentile of actions in the DOM: "
        f"{m['action_ms_p90']:.0f} ms).",
        f"Of an action, {m['action_until_codings_arrive_ms']:.0f} ms is the round trip until the new codings "
        f"arrive ({m['action_python_ms']:.0f} ms of it in Python) and {m['update_ms']:.1f} ms",
        "updating the page (only the turns whose codings changed are re-rendered). The floor for comparison is "
        f"the page itself: loading the Voila page (kernel start and notebook run) took {m['page_load_s']:.1f} s "
        "(median), once per page.",
    ]
    base = out.get("baseline")
    if base:
        b = base["median"]
        lines += [
            "",
            f"Against the previous browser side (revision `{base['revision']}`, served with the same Python and "
            "pages alternating with the current ones in this run):",
            f"render to frame {b['render_paint_ms']:.0f} ms then, {m['render_paint_ms']:.0f} ms now "
            f"({m['render_paint_ms'] / b['render_paint_ms']:.2f}x); "
            f"in the DOM {b['render_ms']:.0f} -> {m['render_ms']:.0f} ms; "
            f"action to frame {b['action_paint_ms']:.0f} -> {m['action_paint_ms']:.0f} ms.",
            "The current view also lays out a margin label per stripe, assigns stripe lanes from on-screen extents "
            "and frames suggested codings.",
        ]
    lines += ["", f"Machine: {env['cpus']} CPUs (`os.cpu_count()`), {env.get('cpu', '')}, {env.get('memory', '')}, "
              f"Python {env['python']}, {env['voila']}; {out['when']}; load average {out['load_after']:.1f} "
              "(1 min) at the end of the runs.", ""]
    return "\n".join(lines)


def write_results(section: str, path: Path = ROOT / "bench" / "RESULTS.md") -> None:
    """Replace this benchmark's own section of RESULTS.md (bench/results.py), keeping the others."""
    write_section(section, "## Coding widget", path)


def machine() -> dict[str, str]:
    cpu = mem = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        mem = f"{kb / 1024 ** 2:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return {"cpu": cpu, "memory": mem}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--actions", type=int, default=10)
    ap.add_argument("--words", type=int, default=20_000)
    ap.add_argument("--codings", type=int, default=1_000)
    ap.add_argument("--baseline", metavar="REV", help="also measure the JS/CSS of this git revision, alternating")
    ap.add_argument("--no-results", action="store_true", help="do not rewrite the section of bench/RESULTS.md")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "widget.json")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} not found", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="wb-bench-widget-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        project = build(folder, args.words, args.codings)
        build_s = time.perf_counter() - t
        env = {**server_env(project.root), "WORKBENCH_CODER": CODER, "WORKBENCH_DOCUMENT": BIG}
        notebooks = {"current": NOTEBOOK}
        if args.baseline:
            (folder / "baseline").mkdir()
            notebooks["baseline"] = baseline_notebook(args.baseline, folder / "baseline")
        runs: dict[str, list[dict]] = {k: [] for k in notebooks}
        with ExitStack() as stack:
            urls = {}
            for key, nb in notebooks.items():
                port = free_port()
                cmd = [sys.executable, "-m", "voila", str(nb), "--no-browser", f"--port={port}",
                       "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True"]
                urls[key] = stack.enter_context(serve(cmd, port, folder, env, folder / f"voila-{key}.log", "voila"))
            pw = stack.enter_context(sync_playwright())
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            version = browser.version
            for i in range(args.runs):
                for key in notebooks:  # alternating: both see the same load
                    run = one_run(browser, f"{urls[key]}/", project, args.actions, rng)
                    runs[key].append(run)
                    print(f"{key} run {i + 1}: render {run['render_paint_ms']:.0f} ms (DOM {run['render_ms']:.0f}), "
                          f"re-render {run['rerender_paint_ms']:.0f} ms, action median "
                          f"{statistics.median(run['action_paint_ms']):.0f} ms (DOM {run['action_ms_median']:.0f}, "
                          f"min {min(run['action_ms']):.0f}, max {max(run['action_ms']):.0f}), "
                          f"page load {run['page_load_s']:.1f} s", flush=True)
            browser.close()
        project.close()

    summary = summarise(runs["current"])
    out = {
        "benchmark": "coding widget in Voila, headless Chromium",
        "words": args.words, "codings": args.codings, "runs": args.runs, "actions_per_run": args.actions,
        "targets_ms": {"render": TARGET_RENDER_MS, "action": TARGET_ACTION_MS},
        "median": summary, "per_run": runs["current"], "project_build_s": round(build_s, 2),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_after": os.getloadavg()[0],
        "environment": {"chromium": version, "python": platform.python_version(), "cpus": os.cpu_count(),
                        "machine": platform.machine(), **machine(),
                        "voila": "voila " + subprocess.run([sys.executable, "-m", "voila", "--version"],
                                                           capture_output=True, text=True).stdout.strip()},
    }
    if args.baseline:
        out["baseline"] = {"revision": args.baseline, "median": summarise(runs["baseline"]),
                           "per_run": runs["baseline"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"median over {args.runs} runs: render {summary['render_paint_ms']} ms to the first frame "
          f"(target < {TARGET_RENDER_MS}; DOM ready at {summary['render_ms']}), re-render {summary['rerender_paint_ms']} ms; "
          f"action {summary['action_paint_ms']} ms to the frame (target < {TARGET_ACTION_MS}; DOM at "
          f"{summary['action_ms']}, p90 {summary['action_ms_p90']}), of which until the codings arrived "
          f"{summary['action_until_codings_arrive_ms']}, in Python {summary['action_python_ms']}, "
          f"DOM update {summary['update_ms']}")
    print(f"wrote {args.out}")
    if "baseline" in out:
        b = out["baseline"]["median"]
        print(f"baseline {args.baseline}: render {b['render_paint_ms']} ms to the frame, action {b['action_paint_ms']} ms")
    if not args.no_results:
        write_results(results_section(out))
        print("wrote the '## Coding widget' section of bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
