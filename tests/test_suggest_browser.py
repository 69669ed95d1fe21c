"""SuggestionReview in a real headless Chromium under Voila: accept, reject and undo by clicking, checked
against the database and the decision log; a screenshot is kept for a person to look at."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from workbench.analysis.topics import topics
from workbench.store.project import Project
from workbench.suggest import review

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
from workbench.widgets.suggestion_review import SuggestionReview

project = Project.open(os.environ["WORKBENCH_PROJECT"])
view = SuggestionReview(project, run=int(os.environ["WB_TOPIC_RUN"]), actor="anna")
view"""


@pytest.fixture(scope="module")
def promoted(demo_project, tmp_path_factory):
    """A demo copy with one topic promoted to a new code: (project, run id, suggestions)."""
    root = tmp_path_factory.mktemp("suggest-ui") / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    p = Project.open(root)
    run = topics(p, backend="lexical", n_topics=12, save_model=False)
    sizes = run.topics[run.topics["topic"] != -1].sort_values(["size", "topic"])
    topic = int(sizes["topic"].iloc[0])  # the smallest topic: a short list to click through
    made = run.promote(topic, "topic-ui", "Thema uit topic", actor="setup")
    yield p, run.id, made
    p.close()


@pytest.fixture(scope="module")
def voila_url(promoted, tmp_path_factory):
    project, run_id, _ = promoted
    work = tmp_path_factory.mktemp("suggest-voila")
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(APP)])
    book.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(book, work / "review.ipynb")
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(work / "review.ipynb"), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True"]
    env = {**os.environ, "WORKBENCH_PROJECT": str(project.root), "WB_TOPIC_RUN": str(run_id),
           "PYTHONUNBUFFERED": "1"}
    with serve(cmd, port, work, env, work / "voila.log", "voila") as url:
        yield f"{url}/"


def status_of(project: Project, sid: int) -> str:
    return review.suggestions(project).set_index("id").loc[sid, "status"]


def test_voila_accept_reject_undo(page: Page, voila_url, promoted):
    project, run_id, made = promoted
    n = len(made)
    assert n >= 3
    errors = guard_page(page)
    bad_state: list[str] = []
    page.on("console", lambda m: bad_state.append(m.text) if "Error setting state" in m.text else None)
    page.goto(voila_url, timeout=90_000)
    items = page.locator(".wb-sr-root[data-render-seq] .wb-sr-item")
    items.first.wait_for(timeout=90_000)
    expect(items).to_have_count(n)
    expect(page.locator(".wb-sr-counts")).to_have_text(f"{n} open · 0 accepted · 0 rejected")
    first, second = int(made["id"].iloc[0]), int(made["id"].iloc[1])
    quote = made.set_index("id").loc[first, "quote"]
    card = page.locator(f'.wb-sr-item[data-id="{first}"]')
    expect(card.locator(".wb-sr-quote")).to_contain_text(quote[:40])
    expect(card.locator(".wb-sr-code")).to_contain_text("Thema uit topic")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "suggestion_review.png"), full_page=False)

    card.locator(".wb-sr-accept").click()
    wait_until(lambda: status_of(project, first) == "accepted", what="the accept in the database")
    coded = project.codings(coder="anna")
    row = made.set_index("id").loc[first]
    assert coded[["document", "start", "end", "code"]].values.tolist() == [[row["document"], row["start"],
                                                                            row["end"], "topic-ui"]]
    expect(items).to_have_count(n - 1)
    page.locator(f'.wb-sr-item[data-id="{second}"] .wb-sr-reject').click()
    wait_until(lambda: status_of(project, second) == "rejected", what="the reject in the database")
    expect(page.locator(".wb-sr-counts")).to_have_text(f"{n - 2} open · 1 accepted · 1 rejected")
    groups = project.groups(actor="anna")
    assert groups["action"].tolist() == ["suggestion.accept", "suggestion.reject"]
    assert [m["run"] for m in groups["meta"]] == [run_id, run_id]

    page.locator(".wb-sr-undo").click()  # undoes anna's reject
    wait_until(lambda: status_of(project, second) == "suggested", what="the undo in the database")
    expect(items).to_have_count(n - 1)
    expect(page.locator(".wb-sr-status")).to_contain_text("undid")
    page.locator(".wb-sr-show").select_option("all")
    expect(items).to_have_count(n)
    expect(page.locator(f'.wb-sr-item[data-id="{first}"]')).to_have_attribute("data-status", "accepted")
    expect(page.locator(f'.wb-sr-item[data-id="{first}"] .wb-sr-state')).to_have_text("accepted by anna")
    page.screenshot(path=str(SHOTS / "suggestion_review_decided.png"), full_page=False)
    assert len(project.codings(coder="anna")) == 1
    assert not errors and not bad_state, errors + bad_state
