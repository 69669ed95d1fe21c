"""ScreeningView in a real headless Chromium (Voila): keys, buttons and the reason box reach the database.

Skipped (with the reason) where Chromium, Playwright or Voila is missing. The notebook is written to a
temporary folder; the servers, Chromium and page guards are the coding widget's (tests/ui/browser.py).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

if str(Path(__file__).parent) not in sys.path:  # tests/ui/ helpers, whatever pytest's import mode
    sys.path.insert(0, str(Path(__file__).parent))
from ui.browser import missing_browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]
if (_why := missing_browser()) is not None:
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from ui import browser as ui_browser  # noqa: E402
from ui.browser import free_port, guard_page, serve, server_env, wait_until  # noqa: E402

from .test_screening_view import RULES, build_screening_project  # noqa: E402

browser_type_launch_args = ui_browser.browser_type_launch_args
SHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or Path(__file__).resolve().parent.parent / "build" / "screenshots")
SCREENER = "anna"
expect.set_options(timeout=15_000)

APP = {
    "cells": [
        {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# Screening"]},
        {"cell_type": "code", "id": "a2", "metadata": {}, "execution_count": None, "outputs": [], "source": [
            "import json, os\n",
            "from workbench.store.project import Project\n",
            "from workbench.widgets.screening_view import ScreeningView\n",
            "project = Project.open(os.environ['WORKBENCH_PROJECT'])\n",
            "ScreeningView(project, os.environ['WORKBENCH_SCREENER'], rules=json.loads(os.environ['WORKBENCH_RULES']))\n"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def screening_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("screening-app")
    project = build_screening_project(root)
    notebook = root / "screening_app.ipynb"
    notebook.write_text(json.dumps(APP), encoding="utf-8")
    env = {**server_env(project.root), "WORKBENCH_SCREENER": SCREENER, "WORKBENCH_RULES": json.dumps(RULES)}
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--Voila.port_retries=0", "--show_tracebacks=True"]
    with serve(cmd, port, root, env, root / "voila.log", "voila") as url:
        yield project, f"{url}/"
    project.close()


def decision(project, record: str) -> tuple[str, str | None] | None:
    return project_decisions(project).get(record)


def project_decisions(project) -> dict[str, tuple[str, str | None]]:
    from workbench.literature.screening import Screening

    frame = Screening(project, SCREENER).decisions()
    return {r.document: (r.decision, r.reason if isinstance(r.reason, str) else None) for r in frame.itertuples()}


def test_voila_screen_with_buttons_keys_reason_and_undo(page: Page, screening_app):
    project, url = screening_app
    errors = guard_page(page)
    page.goto(url, timeout=60_000)
    root = page.locator(".wb-sv-root[data-render-seq]")
    root.wait_for(timeout=60_000)
    card = page.locator(".wb-sv-card")
    expect(card).to_have_attribute("data-record", "alpha2015")
    expect(page.locator(".wb-sv-title")).to_have_text("Career talks in primary school")
    expect(page.locator(".wb-sv-authors")).to_contain_text("Author, A.")
    expect(page.locator(".wb-sv-year")).to_have_text("2015")
    expect(page.locator(".wb-sv-abstract")).to_contain_text("career talks")
    expect(page.locator(".wb-sv-rule")).to_have_text("include primary: primary education")
    expect(page.locator(".wb-sv-position")).to_have_text("record 1 of 3")

    # a reason typed in the box, then the Include button
    page.locator(".wb-sv-reason").fill("pupils aged ten")
    page.locator("button[data-decision='include']").click()
    wait_until(lambda: decision(project, "alpha2015") == ("include", "pupils aged ten"), what="include saved")
    expect(card).to_have_attribute("data-record", "beta2008")  # on to the next record
    expect(page.locator(".wb-sv-rule")).to_contain_text("secondary only")
    expect(page.locator(".wb-sv-progress")).to_contain_text("1 decided: 1 include")

    # typing "e" in the reason box is text, not a decision
    page.locator(".wb-sv-reason").fill("")
    page.locator(".wb-sv-reason").press_sequentially("see")
    page.wait_for_timeout(300)
    assert "beta2008" not in project_decisions(project)
    # Escape leaves the box; the key e excludes, with the reason typed
    page.keyboard.press("Escape")
    page.keyboard.press("e")
    wait_until(lambda: decision(project, "beta2008") == ("exclude", "see"), what="exclude by key")
    expect(card).to_have_attribute("data-record", "gamma2016")
    expect(page.locator(".wb-sv-title")).to_have_text("(no title: not verified)")
    expect(page.locator(".wb-sv-norule")).to_be_visible()
    page.keyboard.press("m")
    wait_until(lambda: decision(project, "gamma2016") == ("maybe", None), what="maybe by key")
    expect(page.locator(".wb-sv-progress")).to_contain_text("3 decided: 1 include, 1 exclude, 1 maybe")

    # u undoes the last call; k goes back; the chosen decision is marked on the card
    page.keyboard.press("u")
    wait_until(lambda: "gamma2016" not in project_decisions(project), what="undo")
    expect(page.locator(".wb-sv-status")).to_contain_text("undid")
    page.keyboard.press("k")
    expect(card).to_have_attribute("data-record", "beta2008")
    expect(page.locator(".wb-sv-btn.wb-sv-chosen")).to_have_attribute("data-decision", "exclude")
    expect(page.locator(".wb-sv-reason")).to_have_value("see")
    page.keyboard.press("k")
    expect(card).to_have_attribute("data-record", "alpha2015")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "screening_view.png"
    page.locator(".wb-sv-root").screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert not errors, errors
