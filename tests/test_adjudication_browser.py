"""AdjudicationView in a real headless Chromium under Voila: click decisions, check the consensus codings in
the database and the decision log; a screenshot is kept for a person to look at."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from workbench.store.project import Project

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
from ui.browser import missing_browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]
if (_why := missing_browser()) is not None:
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from ui import browser as ui_browser  # noqa: E402
from ui.browser import free_port, guard_page, serve, wait_until  # noqa: E402

browser_type_launch_args = ui_browser.browser_type_launch_args
expect.set_options(timeout=20_000)
SHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS", Path(tempfile.gettempdir()) / "wb-screenshots"))

APP = """import os
from workbench.store.project import Project
from workbench.widgets.adjudication_view import AdjudicationView

project = Project.open(os.environ["WORKBENCH_PROJECT"])
view = AdjudicationView(project, ["coder-a", "coder-b"], actor="anna")
view"""


@pytest.fixture(scope="module")
def adjudication_project(demo_project, tmp_path_factory):
    root = tmp_path_factory.mktemp("adjudication-ui") / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    p = Project.open(root)
    p.assign("coder-a", list(p.documents()["name"]))
    p.assign("coder-b", sorted(p.codings(coder="coder-b")["document"].unique()))
    yield p
    p.close()


@pytest.fixture(scope="module")
def voila_url(adjudication_project, tmp_path_factory):
    work = tmp_path_factory.mktemp("adjudication-voila")
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(APP)])
    book.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(book, work / "adjudicate.ipynb")
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(work / "adjudicate.ipynb"), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True"]
    env = {**os.environ, "WORKBENCH_PROJECT": str(adjudication_project.root), "PYTHONUNBUFFERED": "1"}
    with serve(cmd, port, work, env, work / "voila.log", "voila") as url:
        yield f"{url}/"


def consensus(project: Project, document: str, code: str) -> list[tuple[int, int]]:
    rows = project.codings(coder="consensus", document=document)
    rows = rows[rows["code"] == code]
    return sorted(zip(rows["start"].astype(int), rows["end"].astype(int), strict=True))


def test_voila_walks_through_disagreements_and_writes_consensus(page: Page, voila_url, adjudication_project):
    project = adjudication_project
    before_a = project.codings(coder="coder-a").drop(columns=["created"])
    before_b = project.codings(coder="coder-b").drop(columns=["created"])
    errors = guard_page(page)
    page.goto(voila_url, timeout=90_000)
    root = page.locator(".wb-adj-root[data-render-seq]")
    root.wait_for(timeout=90_000)
    expect(page.locator(".wb-adj-count")).to_contain_text("Disagreement 1 of")
    expect(page.locator(".wb-adj-column")).to_have_count(2)

    # decision 1: accept A - consensus gets coder-a's spans of that code there
    item = root.get_attribute("data-item")
    document, code, extent = item.split(":")
    spans_a = page.locator('.wb-adj-column[data-coder="coder-a"] .wb-adj-spans').inner_text()
    expect(page.locator('.wb-adj-column[data-coder="coder-a"] .wb-adj-mark').first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "adjudication_view.png"), full_page=True)
    page.locator(".wb-adj-accept-a").click()
    expect(root).not_to_have_attribute("data-item", item)  # moved on to the next open item
    expect(page.locator(".wb-adj-status")).to_contain_text("accepted coder-a")
    got = wait_until(lambda: consensus(project, document, code), what="the consensus coding")
    assert ", ".join(f"{s}–{e}" for s, e in got) == spans_a

    # decision 2: an edited span, typed into the fields
    item2 = root.get_attribute("data-item")
    document2, code2, extent2 = item2.split(":")
    lo, hi = (int(x) for x in extent2.split("-"))
    page.locator(".wb-adj-edit-start").fill(str(lo + 1))
    page.locator(".wb-adj-edit-end").fill(str(hi - 1))
    page.locator(".wb-adj-edit").click()
    expect(root).not_to_have_attribute("data-item", item2)
    wait_until(lambda: consensus(project, document2, code2) == [(lo + 1, hi - 1)], what="the edited consensus")

    # decision 3: neither - nothing written, but the decision is logged
    item3 = root.get_attribute("data-item")
    page.locator(".wb-adj-neither").click()
    expect(root).not_to_have_attribute("data-item", item3)

    # back to the first item: it shows its decision and the consensus highlight
    for _ in range(3):
        if root.get_attribute("data-item") == item:
            break
        page.locator(".wb-adj-prev").click()
        page.wait_for_timeout(300)
    expect(root).to_have_attribute("data-item", item)
    expect(page.locator(".wb-adj-decision")).to_contain_text("accept A")
    expect(page.locator(".wb-adj-consensus .wb-adj-mark").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "adjudication_view_decided.png"), full_page=True)

    # a bad edit is refused in the view, nothing written
    page.locator(".wb-adj-next").click()
    page.locator(".wb-adj-edit-start").fill("10")
    page.locator(".wb-adj-edit-end").fill("5")
    page.locator(".wb-adj-edit").click()
    expect(page.locator(".wb-adj-error")).to_contain_text("invalid offsets")

    groups = project.groups("anna")
    decided = groups[groups["action"] == "adjudication.decide"]
    assert [m["item"] for m in decided["meta"]] == [item, item2, item3]
    assert [m["decision"] for m in decided["meta"]] == ["a", "edit", "neither"]
    # the originals are untouched
    assert project.codings(coder="coder-a").drop(columns=["created"]).equals(before_a)
    assert project.codings(coder="coder-b").drop(columns=["created"]).equals(before_b)
    assert not errors, errors
