"""NetworkView and FrameworkView in a real headless Chromium (Voila and JupyterLab), checked against the database.

Hover shows a code's definition and counts, a click shows its quotes (sent by Python), the wheel zooms and a
drag pans; a summary typed into the framework grid is stored. Skipped, with the reason, where Chromium,
Playwright, Voila or JupyterLab is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
from ui.browser import missing_browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]
if (_why := missing_browser()) is not None:
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

import workbench as wb  # noqa: E402
from ui import browser as ui_browser  # noqa: E402
from ui.browser import free_port, guard_page, serve, server_env, wait_until  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parent / "ui" / "network_app.ipynb"
SHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or Path(__file__).resolve().parent.parent / "build" / "screenshots")
CODE = "act-company-visit"

browser_type_launch_args = ui_browser.browser_type_launch_args
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def network_project(demo_project, tmp_path_factory):
    demo_project.engine.dispose()
    root = tmp_path_factory.mktemp("network") / "demo"
    shutil.copytree(demo_project.root, root)
    project = wb.Project.open(root)
    yield project
    project.close()


@pytest.fixture(scope="module")
def voila_url(network_project, tmp_path_factory):
    port, work = free_port(), tmp_path_factory.mktemp("voila-network")
    cmd = [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--Voila.port_retries=0", "--show_tracebacks=True", "--MappingKernelManager.cull_idle_timeout=30",
           "--MappingKernelManager.cull_interval=10"]
    with serve(cmd, port, work, server_env(network_project.root), work / "voila.log", "voila") as url:
        yield f"{url}/"


@pytest.fixture(scope="module")
def lab_url(network_project, tmp_path_factory):
    port, work = free_port(), tmp_path_factory.mktemp("lab-network")
    notebooks = work / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK, notebooks / NOTEBOOK.name)
    news = work / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
           "--ServerApp.password=", f"--ServerApp.root_dir={notebooks}", f"--LabApp.workspaces_dir={work / 'ws'}",
           f"--LabApp.user_settings_dir={work / 'settings'}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--ServerApp.jpserver_extensions=jupyter_lsp=False"]
    with serve(cmd, port, work, server_env(network_project.root), work / "lab.log", "jupyter lab") as url:
        yield url


def node(page: Page, code: str):
    return page.locator(f'.wb-nv-node[data-code="{code}"]')


def stage_transform(page: Page) -> str:
    return page.locator(".wb-nv-stage").get_attribute("transform")


def check_click_shows_quotes(page: Page, project) -> None:
    quotes = project.codings(coder="coder-a")
    expected = quotes[quotes["code"] == CODE].sort_values(["document", "start"])
    node(page, CODE).click()
    expect(page.locator(".wb-nv-quotes-title")).to_have_text("Bedrijfsbezoek")
    expect(page.locator(".wb-nv-quote")).to_have_count(min(25, len(expected)))
    first = expected.iloc[0]
    expect(page.locator(".wb-nv-quote").first).to_contain_text(first["quote"][:40])
    expect(page.locator(".wb-nv-quote .wb-nv-doc").first).to_have_text(first["document"])
    expect(node(page, CODE)).to_have_class(re.compile("wb-nv-selected"))


def test_voila_hover_click_zoom_pan_and_framework_edit(page: Page, voila_url: str, network_project):
    errors = guard_page(page)
    page.set_viewport_size({"width": 1300, "height": 1100})
    page.goto(voila_url, timeout=60_000)
    page.locator(".wb-nv-root[data-ready] .wb-nv-node").first.wait_for(timeout=60_000)
    graph = wb.theme_network(network_project, by="turn", coder="coder-a", threshold=2)
    expect(page.locator(".wb-nv-node")).to_have_count(graph.number_of_nodes())
    expect(page.locator(".wb-nv-edge")).to_have_count(graph.number_of_edges())

    # hover: label, counts and definition of the code
    node(page, CODE).hover()
    tip = page.locator(".wb-nv-tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("Bedrijfsbezoek")
    expect(tip).to_contain_text(f"{graph.nodes[CODE]['frequency']} occurrences")
    expect(tip).to_contain_text(graph.nodes[CODE]["definition"][:30])

    check_click_shows_quotes(page, network_project)

    # zoom with the wheel, pan with a drag on the background
    before = stage_transform(page)
    box = page.locator(".wb-nv-canvas").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] - 30)
    page.mouse.wheel(0, -300)
    expect(page.locator(".wb-nv-stage")).not_to_have_attribute("transform", before)
    zoomed = stage_transform(page)
    assert "scale(1.15" in zoomed or float(re.search(r"scale\(([\d.]+)\)", zoomed).group(1)) > 1
    page.mouse.down()
    page.mouse.move(box["x"] + 130, box["y"] + box["height"] - 80, steps=5)
    page.mouse.up()
    assert stage_transform(page) != zoomed
    page.locator(".wb-nv-zoom", has_text="reset").click()
    assert stage_transform(page) == "translate(0,0) scale(1)"
    node(page, CODE).click()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".wb-nv-root").screenshot(path=str(SHOTS / "network-view.png"))

    # the framework grid: typing a summary stores it, linked to the cell's segments
    box = page.locator('.wb-fv-summary[data-case="S01"][data-code="challenges"]')
    box.fill("Ouders en tijd zijn de grootste drempels.")
    box.blur()
    expect(page.locator(".wb-fv-status")).to_have_text("saved S01 / challenges")
    grid = wb.framework_matrix(network_project, ["role", "challenges"], cases=["S01", "S02"], coder="coder-a")
    wait_until(lambda: not grid.cells().empty, what="the stored summary")
    cell = grid.cells().iloc[0]
    assert (cell["case"], cell["code"], cell["summary"], cell["actor"]) == (
        "S01", "challenges", "Ouders en tijd zijn de grootste drempels.", "analyst")
    assert sorted(cell["codings"]) == sorted(grid.segments("S01", "challenges")["id"])
    page.locator(".wb-fv-root").screenshot(path=str(SHOTS / "framework-view.png"))
    assert not errors, errors


def test_jupyterlab_click_shows_quotes(page: Page, lab_url: str, network_project):
    errors = guard_page(page)
    page.goto(f"{lab_url}/lab/tree/network_app.ipynb?reset", timeout=60_000)
    idle = page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle"))
    idle.wait_for(timeout=90_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.locator(".wb-nv-root[data-ready] .wb-nv-node").first.wait_for(timeout=60_000)
    node(page, CODE).scroll_into_view_if_needed()
    check_click_shows_quotes(page, network_project)
    assert not errors, errors
