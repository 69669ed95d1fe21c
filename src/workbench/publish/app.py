"""The Voila app: a notebook with one hidden code cell that shows the report widget over a snapshot.

The widget runs the same report.js as the static file (so both show the same sections and numbers) and
syncs the reader's filters back to Python (`ReportWidget.filters`), where `view()` gives the same counts.
`serve` takes a snapshot, writes the notebook beside it and runs Voila on 127.0.0.1.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConflictError, StorageError
from . import content
from .snapshot import Snapshot, default_path, take
from .static import asset, plotly_js

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

NOTEBOOK = "report.ipynb"

_ESM_TAIL = """
function render({ model, el }) {
  if (!globalThis.Plotly) {
    // Voila's page has RequireJS: hide its `define` so plotly's UMD bundle sets window.Plotly
    const amd = globalThis.define;
    globalThis.define = undefined;
    try {
      const s = document.createElement('script');
      s.textContent = model.get('_plotly');
      document.head.appendChild(s);
    } finally {
      globalThis.define = amd;
    }
  }
  const report = JSON.parse(model.get('report'));
  const root = document.createElement('div');
  el.appendChild(root);
  globalThis.WorkbenchReport.render(root, report, {
    filters: model.get('filters'),
    onFilters: (f) => { model.set('filters', f); model.save_changes(); },
  });
}
export default { render };
"""


def report_widget(snapshot: Snapshot | str | Path):
    """The report as an anywidget (imported lazily: `import workbench` stays light)."""
    import anywidget
    import traitlets

    class ReportWidget(anywidget.AnyWidget):
        _esm = asset("report.js") + _ESM_TAIL
        _css = asset("report.css")
        report = traitlets.Unicode("{}").tag(sync=True)
        filters = traitlets.Dict({}).tag(sync=True)
        _plotly = traitlets.Unicode("").tag(sync=True)

        def view(self) -> dict[str, Any]:
            """What the reader sees now (the filters they chose), computed in Python."""
            return content.view(json.loads(self.report), self.filters)

    snap = snapshot if isinstance(snapshot, Snapshot) else Snapshot.load(snapshot)
    widget = ReportWidget(report=snap.to_json(), _plotly=plotly_js())
    widget.add_class("wb-report-widget")
    return widget


def show(snapshot_path: str | Path = "snapshot.json"):
    """What the app's notebook cell calls."""
    from IPython.display import display

    widget = report_widget(snapshot_path)
    display(widget)
    return widget


def notebook_json(snapshot_file: str) -> str:
    """The app's notebook: one code cell (Voila shows only its output)."""
    cell = {"cell_type": "code", "execution_count": None, "id": "report", "metadata": {}, "outputs": [],
            "source": ["from workbench.publish.app import show\n", f"_report = show({snapshot_file!r})"]}
    nb = {"cells": [cell], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                       "name": "python3"},
                                        "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1)


def prepare(project: Project, findings: str | Path | None = None) -> tuple[Path, Snapshot]:
    """Take a snapshot and write it with the app's notebook into .workbench/publish/; returns the notebook."""
    snap = take(project, findings)
    path = snap.save(default_path(project))
    nb = path.parent / NOTEBOOK
    try:
        nb.write_text(notebook_json(path.name), encoding="utf-8")
    except OSError as exc:
        raise StorageError(f"cannot write the app notebook: {exc.strerror}", where=str(nb)) from exc
    return nb, snap


def voila_command(notebook: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0", "--MappingKernelManager.cull_idle_timeout=600",
            "--MappingKernelManager.cull_interval=60"]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def serve(project: Project, port: int = 8866, *, open_browser: bool = True,
          findings: str | Path | None = None, out=print) -> int:
    """Serve the report with Voila on 127.0.0.1 until interrupted; prints the URL."""
    if not _port_free(port):
        raise ConflictError(f"port {port} on 127.0.0.1 is in use", where="workbench publish",
                            fix="pass another --port")
    nb, snap = prepare(project, findings)
    for w in snap.warnings.head(20).itertuples(index=False):
        out(f"warning: {w.word!r} ({w.count}x) looks like a name the pseudonym key does not cover: ...{w.example}...")
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen(voila_command(nb, port), cwd=nb.parent)

    def stop(_signum, _frame):  # SIGTERM (a service manager, `kill`): stop Voila too, as Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop) if threading.current_thread() is threading.main_thread() else None
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        out(f"serving the report (snapshot at event #{snap.as_of_event}) at {url}  (Ctrl-C stops)")
        if open_browser:
            webbrowser.open(url)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
