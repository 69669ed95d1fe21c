"""`workbench publish --html OUT_DIR`: the report as one self-contained HTML file.

Everything is inlined - the content model as JSON, report.js and report.css beside this module, and
plotly.js from the installed plotly package - so the file opens from e-mail or an intranet share with no
server, kernel or network. A Content-Security-Policy forbids every fetch, so a stray URL cannot leak a
reader's visit either.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import StorageError
from .snapshot import Snapshot, take

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:; worker-src blob:")


def plotly_js() -> str:
    """plotly.min.js from the installed plotly package (no CDN)."""
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def asset(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def _script_safe(code: str) -> str:
    """JavaScript that cannot close the <script> element it is inlined in."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def _json_safe(data: str) -> str:
    """JSON for a <script type=application/json>: '<' only occurs inside strings, where \\u003c is the same."""
    return data.replace("<", "\\u003c")


def render_html(snapshot: Snapshot) -> str:
    title = html.escape(snapshot.model["meta"]["title"])
    return "\n".join([
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{title}</title>",
        f"<style>body{{margin:0;background:#f6f7f9}}\n{asset('report.css')}</style>",
        "</head><body>",
        '<main id="wb-report"><noscript>This report needs JavaScript.</noscript></main>',
        f'<script type="application/json" id="wb-report-data">{_json_safe(snapshot.to_json())}</script>',
        f"<script>{_script_safe(plotly_js())}</script>",
        f"<script>{_script_safe(asset('report.js'))}</script>",
        "<script>WorkbenchReport.render(document.getElementById('wb-report'), "
        "JSON.parse(document.getElementById('wb-report-data').textContent));</script>",
        "</body></html>",
    ])


@dataclass
class Export:
    path: Path
    bytes: int
    snapshot: Snapshot

    @property
    def warnings(self) -> pd.DataFrame:
        return self.snapshot.warnings


def write(snapshot: Snapshot, out_dir: str | Path) -> Path:
    """Write OUT_DIR/index.html atomically (a reader never opens half a file)."""
    out = Path(out_dir)
    target = out / "index.html"
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / ".index.html.tmp"
        tmp.write_text(render_html(snapshot), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise StorageError(f"cannot write the report: {exc.strerror}", where=str(target),
                           fix="choose a folder you can write") from exc
    return target


def export_html(project: Project, out_dir: str | Path, findings: str | Path | None = None) -> Export:
    """Take a snapshot of `project` and write it as OUT_DIR/index.html."""
    snap = take(project, findings)
    path = write(snap, out_dir)
    return Export(path, path.stat().st_size, snap)
