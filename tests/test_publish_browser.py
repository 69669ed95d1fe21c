"""The published report in a real headless Chromium: the Voila app and the static file (file://, offline).

Both pages are checked by one function: every section is there, a filter changes the views (and the
numbers on the page equal Python's `content.view` for that filter), a recommendation leads to its
evidence, the drill-down opens, and the planted real name is nowhere in the page.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from workbench.publish import app, content, static

from .publish_fixtures import PSEUDONYM, assert_private, planted_copy

if str(Path(__file__).parent) not in sys.path:  # tests/ui/ helpers, whatever pytest's import mode
    sys.path.insert(0, str(Path(__file__).parent))
from ui.browser import missing_browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]
if (_why := missing_browser()) is not None:
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from ui import browser as ui_browser  # noqa: E402

browser_type_launch_args = ui_browser.browser_type_launch_args
expect.set_options(timeout=30_000)  # kernel round trips and plotly on two busy cores


@pytest.fixture(scope="module")
def planted(demo_project, tmp_path_factory):
    project = planted_copy(demo_project, tmp_path_factory.mktemp("publish-ui"))
    yield project
    project.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go (WB_SCREENSHOTS to keep them)."""
    return Path(os.environ.get("WB_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))


@pytest.fixture(scope="module")
def app_served(planted, tmp_path_factory):
    notebook, snap = app.prepare(planted)
    port = ui_browser.free_port()
    work = tmp_path_factory.mktemp("voila-publish")
    env = {**ui_browser.server_env(planted.root)}
    with ui_browser.serve(app.voila_command(notebook, port), port, notebook.parent, env, work / "voila.log",
                          "voila") as url:
        yield f"{url}/", snap.model


def check_report(page: Page, model: dict, shot: Path) -> None:
    for section in ["#wb-title", "#wb-overview", "#wb-rqs", *[f"#wb-theme-{t['id']}" for t in model["themes"]],
                    "#wb-activity", "#wb-network", "#wb-agreement", "#wb-recommendations"]:
        expect(page.locator(section)).to_be_visible()
    expect(page.locator("#wb-title")).to_contain_text("event #")
    expect(page.locator("#wb-title")).to_contain_text("Krippendorff's alpha")
    expect(page.locator(".wb-overview-chart .main-svg").first).to_be_attached()  # plotly drew the first view
    status = page.locator(".wb-filter-status")
    everything = content.view(model)
    expect(status).to_have_text(re.compile(rf"^{everything['quotes']} quotes"))
    offer = page.locator("#wb-theme-offer")
    expect(offer).to_have_attribute("data-quotes", str(everything["themes"][2]["quotes"]))

    # a filter changes every view, to exactly what Python computes for it
    page.locator(".wb-filter-region").select_option("Overijssel")
    region = content.view(model, {"region": "Overijssel"})
    assert region["quotes"] < everything["quotes"]
    expect(status).to_have_text(re.compile(rf"^{region['quotes']} quotes"))
    for t in region["themes"]:
        expect(page.locator(f"#wb-theme-{t['id']}")).to_have_attribute("data-quotes", str(t["quotes"]))
    rows = page.locator(".wb-activity-table tbody tr")
    expect(rows).to_have_count(len(region["activity"]))
    for i, row in enumerate(region["activity"]):
        expect(rows.nth(i)).to_have_attribute("data-schools", str(row["schools"]))
    assert [r["schools"] for r in region["activity"]] != [r["schools"] for r in everything["activity"]]
    page.locator("#wb-theme-offer").scroll_into_view_if_needed()
    expect(page.locator("#wb-theme-offer .wb-theme-chart .main-svg").first).to_be_attached()
    network = page.locator(".wb-network-chart")
    nodes_all = network.get_attribute("data-nodes")
    page.locator(".wb-filter-source_type").select_option("school")
    expect(network).not_to_have_attribute("data-nodes", nodes_all or "")
    page.locator(".wb-filter-theme").select_option("success")
    expect(page.locator("#wb-theme-success")).to_be_visible()
    expect(page.locator("#wb-theme-offer")).to_be_hidden()
    expect(page.locator(".wb-rec")).to_have_count(len(content.view(model, {"theme": "success"})["recommendations"]))
    page.locator(".wb-reset").click()
    expect(status).to_have_text(re.compile(rf"^{everything['quotes']} quotes"))
    expect(page.locator("#wb-theme-offer")).to_be_visible()

    # a recommendation leads to its evidence
    rec = model["recommendations"][0]
    quotes = {q["id"]: q for q in model["quotes"]}
    page.locator(f'.wb-rec[data-rec="{rec["id"]}"]').click()
    evidence = page.locator(".wb-evidence")
    expect(evidence).to_be_visible()
    expect(evidence).to_have_attribute("data-rec", rec["id"])
    for qid in rec["quotes"]:
        expect(evidence.locator(f'.wb-chosen[data-quote="{qid}"]')).to_contain_text(quotes[qid]["text"][:40])
    page.screenshot(path=str(shot), full_page=False)

    # the drill-down opens with every quote of the theme
    drill = page.locator("#wb-theme-role details.wb-drill")
    drill.locator("summary").click()
    expect(drill.locator(".wb-quote")).to_have_count(len(everything["themes"][1]["drill"]))

    # the planted interview's quotes, shown by region: pseudonymised, and nothing else of it
    page.locator(".wb-filter-region").select_option("Zeeland")
    expect(page.locator("#wb-theme-offer .wb-representative .wb-quote")).to_have_count(1)
    expect(page.locator("#wb-theme-offer .wb-representative")).to_contain_text("Lotte-uurtje")
    expect(page.locator("#wb-theme-offer .wb-representative")).to_contain_text(PSEUDONYM)
    assert_private(page.content())


def test_static_export_offline_from_file(page: Page, planted, tmp_path, shots):
    result = static.export_html(planted, tmp_path / "site")
    blocked: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(result.path.as_uri())
    page.locator(".wb-report[data-ready]").wait_for(timeout=60_000)
    check_report(page, result.snapshot.model, shots / "publish_static.png")
    assert blocked == [] and errors == []


def test_voila_app(page: Page, app_served, shots):
    url, model = app_served
    errors = ui_browser.guard_page(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url, timeout=90_000)
    page.locator(".wb-report[data-ready]").wait_for(timeout=90_000)
    expect(page.locator(".jp-InputArea, .jp-CodeCell .jp-InputPrompt")).to_have_count(0)  # no code visible
    check_report(page, model, shots / "publish_voila.png")
    assert not errors, errors
