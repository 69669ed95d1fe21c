"""Shared pieces of the coding widget's browser tests: Voila and JupyterLab servers, Chromium, page helpers.

tests/test_widget_browser.py binds the fixtures below as module attributes (no tests/conftest.py is
needed or touched, and module-level fixtures win over any conftest fixture of the same name). Follows /work/shared/recipes/browser-testing.md: Debian's /usr/bin/chromium driven by
pytest-playwright (never `playwright install`), servers started from this venv's Python, readiness by TCP
connect, every jupyter/ipython/chromium state directory in a temporary folder.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .widget_project import build_project

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "coding_app.ipynb"
CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
CODER = "coder-a"

# keep jupyter, ipython and chromium state out of $HOME (before any server or browser starts)
_STATE = Path(tempfile.mkdtemp(prefix="wb-widget-ui-state-"))
atexit.register(shutil.rmtree, _STATE, ignore_errors=True)
for _var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
             "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ.setdefault(_var, str(_STATE / _var.lower()))


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (install Debian's chromium or set WORKBENCH_CHROMIUM)"
    for module in ("playwright.sync_api", "pytest_playwright", "voila", "jupyterlab"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[test]')"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(cmd: list[str], port: int, cwd: Path, env: dict[str, str], log_path: Path,
           what: str) -> Iterator[str]:
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:  # TCP connect only: a GET would start a kernel (Voila) or log noise
            if proc.poll() is not None:
                pytest.fail(f"{what} exited rc={proc.returncode}:\n{log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{what} not listening after 60 s:\n{log_path.read_text()}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)  # both shut their kernels down themselves
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_env(project_root: Path) -> dict[str, str]:
    return {**os.environ, "WORKBENCH_PROJECT": str(project_root), "WORKBENCH_CODER": CODER,
            "PYTHONUNBUFFERED": "1"}


# ---- fixtures -----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright hook: Debian's Chromium, never a downloaded one."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def widget_project(tmp_path_factory: pytest.TempPathFactory):
    project = build_project(tmp_path_factory.mktemp("widget-project"), demo_codes=True)  # a long code tree
    yield project
    project.close()


@pytest.fixture(scope="session")
def widget_voila_url(widget_project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    work = tmp_path_factory.mktemp("voila")
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True",
           "--MappingKernelManager.cull_idle_timeout=30", "--MappingKernelManager.cull_interval=10"]
    with serve(cmd, port, work, server_env(widget_project.root), work / "voila.log", "voila") as url:
        yield f"{url}/"


@pytest.fixture(scope="session")
def widget_lab_url(widget_project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    work = tmp_path_factory.mktemp("lab")
    notebooks = work / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK, notebooks / NOTEBOOK.name)  # Lab may autosave: never into the repository
    settings = work / "settings"
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
           "--ServerApp.password=", f"--ServerApp.root_dir={notebooks}", f"--LabApp.workspaces_dir={work / 'ws'}",
           f"--LabApp.user_settings_dir={settings}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--ServerApp.jpserver_extensions=jupyter_lsp=False"]
    with serve(cmd, port, work, server_env(widget_project.root), work / "lab.log", "jupyter lab") as url:
        yield url


def guard_page(page) -> list[str]:
    """Keep the page off the network (Voila links a CDN font) and collect uncaught page errors."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


# ---- page helpers -------------------------------------------------------------------------------------
# Independent of coding_view.js on purpose: find the text node and UTF-16 index of a code-point offset by
# walking the rendered segments (data-start/data-len are code points).
_LOCATE_JS = """
function locate(cp, isEnd) {
  for (const seg of document.querySelectorAll('.wb-cv-seg')) {
    const a = Number(seg.dataset.start), n = Number(seg.dataset.len);
    if (cp > a + n || cp < a || (cp === a + n && !isEnd)) continue;
    const node = seg.firstChild, s = node.data;
    let i = 0;
    for (const ch of Array.from(s).slice(0, cp - a)) i += ch.length;
    return [node, i];
  }
  throw new Error('offset ' + cp + ' is not rendered');
}
"""


def select_range(page, start: int, end: int) -> None:
    """A real DOM selection of code points [start, end), then the mouseup the widget listens to."""
    page.evaluate("([start, end]) => {" + _LOCATE_JS + """
      const [n1, o1] = locate(start, false), [n2, o2] = locate(end, true);
      const range = document.createRange(); range.setStart(n1, o1); range.setEnd(n2, o2);
      const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
      n2.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }""", [start, end])


def mouse_select(page, start: int, end: int) -> None:
    """Drag the mouse from the first to the last character of code points [start, end)."""
    box = page.evaluate("([start, end]) => {" + _LOCATE_JS + """
      const [n1, o1] = locate(start, false), [n2, o2] = locate(end, true);
      n1.parentElement.scrollIntoView({block: 'center'});
      const r = document.createRange();
      r.setStart(n1, o1); r.setEnd(n1, o1 + 1); const a = r.getBoundingClientRect();
      const last = Array.from(n2.data.slice(0, o2)).pop();
      r.setStart(n2, o2 - last.length); r.setEnd(n2, o2); const b = r.getBoundingClientRect();
      return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
    }""", [start, end])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def wait_until(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Poll `check` (e.g. a database query) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def codings_of(project, coder: str, document: str) -> list[dict[str, Any]]:
    df = project.codings(coder=coder, document=document)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in df.to_dict("records")]
