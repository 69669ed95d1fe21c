"""CodingView in a real headless Chromium: Voila and JupyterLab, checked against the project database.

Each test loads the page once and groups its assertions; passages differ per test, so the order of the
tests does not matter. Skipped (with the reason) where Chromium, Playwright, Voila or JupyterLab is missing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from workbench.coding.session import CodingSession

if str(Path(__file__).parent) not in sys.path:  # tests/ui/ helpers, whatever pytest's import mode
    sys.path.insert(0, str(Path(__file__).parent))
from ui.browser import missing_browser  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    # pytest-playwright 0.10 on pytest 9 (its base_url fixture); the ini filter's `.*` stops at a newline
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
]
if (_why := missing_browser()) is not None:
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from ui import browser as ui_browser  # noqa: E402
from ui.browser import CODER, codings_of, guard_page, mouse_select, select_range, wait_until  # noqa: E402
from ui.widget_project import INTERVIEW, NOTES, span  # noqa: E402

# the shared fixtures (tests/ui/browser.py), bound here so that pytest finds them for this module
browser_type_launch_args = ui_browser.browser_type_launch_args
widget_project = ui_browser.widget_project
widget_voila_url = ui_browser.widget_voila_url
widget_lab_url = ui_browser.widget_lab_url

expect.set_options(timeout=15_000)  # kernel round trips on two busy cores


@pytest.fixture
def open_app(page: Page, widget_voila_url: str):
    """Returns a function that loads the Voila app (call it after seeding the database)."""
    errors = guard_page(page)

    def load() -> Page:
        page.goto(widget_voila_url, timeout=60_000)
        page.locator(".wb-cv-root[data-render-seq] .wb-cv-turn").first.wait_for(timeout=60_000)
        return page

    yield load
    assert not errors, errors


def coding_id(project, passage: str, code: str, coder: str = CODER) -> int | None:
    text = project.text(INTERVIEW)
    start, end = span(text, passage)
    for row in codings_of(project, coder, INTERVIEW):
        if (row["start"], row["end"], row["code"]) == (start, end, code):
            return row["id"]
    return None


def highlight(page: Page, coding: int):
    return page.locator(f'.wb-cv-highlight[data-codings~="{coding}"]')


def test_voila_select_with_mouse_apply_from_tree_keys_undo_redo(open_app, widget_project):
    project = widget_project
    text = project.text(INTERVIEW)
    page = open_app()
    root = page.locator(".wb-cv-root")
    turns = page.locator(".wb-cv-turn")
    expect(turns).to_have_count(6)
    expect(turns.nth(0).locator(".wb-cv-time")).to_have_text("00:00:05")
    expect(turns.nth(1).locator(".wb-cv-speaker")).to_have_text("Respondent")
    expect(page.locator(".wb-cv-coder")).to_contain_text(CODER)

    # no selection yet: Python refuses, the view says why
    page.locator('.wb-cv-code-item[data-code="trust"]').click()
    expect(page.locator(".wb-cv-error")).to_be_visible()
    expect(page.locator(".wb-cv-error-text")).to_contain_text("select a passage")
    page.locator(".wb-cv-error-close").click()
    expect(page.locator(".wb-cv-error")).to_be_hidden()

    # a real mouse drag over "small grant", which comes after an emoji (two UTF-16 units, one code point)
    start, end = span(text, "small grant")
    assert "\U0001F605" in text[:start]
    mouse_select(page, start, end)
    expect(root).to_have_attribute("data-selection", f"{start}-{end}")
    expect(page.locator(".wb-cv-selection-text")).to_contain_text("small grant")
    page.locator(".wb-cv-code-search").fill("fund")  # the searchable code tree
    expect(page.locator('.wb-cv-code-item[data-code="trust"]')).to_be_hidden()
    expect(page.locator('.wb-cv-code-item[data-code="uncertainty"]')).to_be_hidden()
    page.locator('.wb-cv-code-item[data-code="funding"]').click()
    coding = wait_until(lambda: coding_id(project, "small grant", "funding"), what="the coding in the database")
    [row] = [r for r in codings_of(project, CODER, INTERVIEW) if r["id"] == coding]
    assert (row["start"], row["end"], row["quote"]) == (start, end, "small grant")
    expect(highlight(page, coding)).to_have_text("small grant")
    expect(page.locator(".wb-cv-recent-item[data-key='1']")).to_have_attribute("data-code", "funding")
    expect(page.locator(".wb-cv-status")).to_contain_text("small grant")
    assert float(root.get_attribute("data-action-ms")) > 0

    # keyboard: a partial selection snaps to words in Python; key 1 = the most recent code (funding)
    s2, e2 = span(text, "shorter reports")
    select_range(page, s2 + 2, e2 - 3)  # "orter repo"
    root.press("1")
    keyed = wait_until(lambda: coding_id(project, "shorter reports", "funding"), what="the keyed coding")
    expect(highlight(page, keyed)).to_have_text("shorter reports")

    # undo / redo this coder's last action
    page.locator(".wb-cv-undo").click()
    wait_until(lambda: coding_id(project, "shorter reports", "funding") is None, what="undo")
    expect(highlight(page, keyed)).to_have_count(0)
    expect(page.locator(".wb-cv-status")).to_contain_text("undone")
    page.locator(".wb-cv-redo").click()
    redone = wait_until(lambda: coding_id(project, "shorter reports", "funding"), what="redo")
    expect(highlight(page, redone)).to_have_text("shorter reports")
    assert coding_id(project, "small grant", "funding") == coding


def test_voila_popup_shows_codes_coder_memo_and_removes_own(open_app, widget_project):
    project = widget_project
    text = project.text(INTERVIEW)
    own = CodingSession(project, CODER).code(INTERVIEW, *span(text, "hopeful"), "hope", memo="sounds upbeat")
    other = coding_id(project, "uncertain about the funding but hopeful about the team", "uncertainty", "coder-b")
    page = open_app()
    segment = page.locator(f'.wb-cv-highlight[data-codings~="{own}"]')
    expect(segment).to_have_text("hopeful")
    assert str(other) in segment.get_attribute("data-codings").split()  # nested in coder-b's coding
    segment.click()
    popup = page.locator(".wb-cv-popup")
    expect(popup).to_be_visible()
    items = popup.locator(".wb-cv-popup-item")
    expect(items).to_have_count(2)
    mine = popup.locator(f'.wb-cv-popup-item[data-coding="{own}"]')
    theirs = popup.locator(f'.wb-cv-popup-item[data-coding="{other}"]')
    expect(items.first).to_have_attribute("data-coding", str(own))  # innermost first
    expect(mine.locator(".wb-cv-popup-code")).to_have_text("Hope")
    expect(mine.locator(".wb-cv-popup-coder")).to_have_text(CODER)
    expect(mine.locator(".wb-cv-memo")).to_have_value("sounds upbeat")
    expect(theirs.locator(".wb-cv-popup-code")).to_have_text("Uncertainty")
    expect(theirs.locator(".wb-cv-popup-coder")).to_have_text("coder-b")
    expect(theirs.locator(".wb-cv-memo-text")).to_have_text("felt it in the whole team")
    expect(theirs.locator(".wb-cv-remove")).to_have_count(0)  # only your own codings can be removed
    expect(theirs.locator(".wb-cv-memo")).to_have_count(0)
    mine.locator(".wb-cv-remove").click()
    wait_until(lambda: coding_id(project, "hopeful", "hope") is None, what="the removal in the database")
    expect(page.locator(f'.wb-cv-highlight[data-codings~="{own}"]')).to_have_count(0)
    expect(popup).to_be_hidden()
    expect(page.locator(f'.wb-cv-highlight[data-codings~="{other}"]').first).to_be_visible()
    assert coding_id(project, "uncertain about the funding but hopeful about the team", "uncertainty", "coder-b")


def test_voila_edit_memo_in_popup(open_app, widget_project):
    project = widget_project
    text = project.text(INTERVIEW)
    own = CodingSession(project, CODER).code(INTERVIEW, *span(text, "meet the partners"), "collaboration")
    page = open_app()
    page.locator(f'.wb-cv-highlight[data-codings~="{own}"]').first.click()
    memo = page.locator(f'.wb-cv-popup .wb-cv-memo[data-coding="{own}"]')
    expect(memo).to_have_value("")
    memo.fill("Wants more face-to-face contact \U0001F91D")
    page.locator(f'.wb-cv-popup .wb-cv-memo-save[data-coding="{own}"]').click()

    def saved():
        rows = [r for r in codings_of(project, CODER, INTERVIEW) if r["id"] == own]
        return rows and rows[0]["memo"] == "Wants more face-to-face contact \U0001F91D"

    wait_until(saved, what="the memo in the database")
    expect(page.locator(".wb-cv-status")).to_contain_text("memo saved")
    expect(memo).to_have_value("Wants more face-to-face contact \U0001F91D")
    # typing digits into the memo is text, not a coding shortcut
    memo.press("End")
    memo.type(" 1")
    expect(memo).to_have_value("Wants more face-to-face contact \U0001F91D 1")


def test_voila_overlaps_stripes_filters_and_navigation(open_app, widget_project):
    project = widget_project
    ids = {code: coding_id(project, passage, code, "coder-b") for passage, code in [
        ("uncertain about the funding but hopeful about the team", "uncertainty"), ("the funding", "funding"),
        ("trust grew between the partners", "trust"), ("the partners, slowly but surely", "collaboration")]}
    page = open_app()

    def stripe(code: str):
        return page.locator(f'.wb-cv-stripe[data-coding="{ids[code]}"]')

    def box(code: str) -> dict:
        return stripe(code).bounding_box()

    # nested: the inner coding has its own lane (stripe and underline) inside the outer one's extent
    for code in ids:
        expect(stripe(code)).to_be_visible()
    assert stripe("uncertainty").get_attribute("data-lane") != stripe("funding").get_attribute("data-lane")
    outer, inner = box("uncertainty"), box("funding")
    assert outer["x"] != inner["x"] and inner["y"] >= outer["y"] - 1
    assert inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    both = page.locator(f'.wb-cv-highlight[data-codings~="{ids["funding"]}"]')
    expect(both).to_have_text("the funding")
    assert set(both.get_attribute("data-codings").split()) >= {str(ids["funding"]), str(ids["uncertainty"])}
    expect(page.locator(f'.wb-cv-highlight[data-coding="{ids["uncertainty"]}"]').first).to_be_visible()
    # overlapping: three segments (trust only, both, collaboration only), two lanes
    trust_only = page.locator(f'.wb-cv-highlight[data-codings="{ids["trust"]}"]')
    shared = page.locator(f'.wb-cv-highlight[data-codings~="{ids["trust"]}"][data-codings~="{ids["collaboration"]}"]')
    collab_only = page.locator(f'.wb-cv-highlight[data-codings="{ids["collaboration"]}"]')
    expect(trust_only).to_have_text("trust grew between ")
    expect(shared).to_have_text("the partners")
    expect(collab_only).to_have_text(", slowly but surely")
    assert stripe("trust").get_attribute("data-lane") != stripe("collaboration").get_attribute("data-lane")
    # two stacked underlines (one per lane, in each coding's colour) under the shared words
    lanes = shared.evaluate("e => [0, 1, 2].map(k => getComputedStyle(e).getPropertyValue('--u' + k).trim())")
    assert sorted(lanes[:2]) == ["#b07aa1", "#f28e2b"] and lanes[2] in ("transparent", "rgba(0, 0, 0, 0)")

    # filter by code: a folder shows its sub-codes; then by coder
    page.locator("select.wb-cv-filter-code").select_option("trust")
    expect(stripe("collaboration")).to_have_count(0)
    expect(stripe("trust")).to_be_visible()
    expect(page.locator(".wb-cv-highlight[data-codes~='funding']")).to_have_count(0)
    page.locator("select.wb-cv-filter-code").select_option("feelings")
    expect(stripe("uncertainty")).to_be_visible()
    expect(stripe("funding")).to_have_count(0)
    page.locator("select.wb-cv-filter-code").select_option("")
    page.locator("select.wb-cv-filter-coder").select_option(CODER)
    for code in ids:
        expect(stripe(code)).to_have_count(0)
    page.locator("select.wb-cv-filter-coder").select_option("coder-b")
    for code in ids:
        expect(stripe(code)).to_be_visible()
    page.locator("select.wb-cv-filter-coder").select_option("")

    # navigate between documents
    root = page.locator(".wb-cv-root")
    page.locator(".wb-cv-next").click()
    expect(root).to_have_attribute("data-document", NOTES)
    expect(page.locator("select.wb-cv-doc-select")).to_have_value(NOTES)
    expect(page.locator(".wb-cv-turn").first).to_contain_text("Field notes after the first visit")
    expect(page.locator(".wb-cv-speaker")).to_have_count(0)
    expect(page.locator(".wb-cv-next")).to_be_disabled()
    page.locator(".wb-cv-prev").click()
    expect(root).to_have_attribute("data-document", INTERVIEW)
    page.locator("select.wb-cv-doc-select").select_option(NOTES)
    expect(root).to_have_attribute("data-document", NOTES)


def test_jupyterlab_apply_round_trip(page: Page, widget_lab_url: str, widget_project):
    project = widget_project
    text = project.text(INTERVIEW)
    errors = guard_page(page)
    page.goto(f"{widget_lab_url}/lab/tree/coding_app.ipynb?reset", timeout=60_000)
    idle = page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle"))
    idle.wait_for(timeout=90_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.locator(".wb-cv-root[data-render-seq] .wb-cv-turn").first.wait_for(timeout=60_000)
    expect(page.locator(".wb-cv-turn")).to_have_count(6)

    start, end = span(text, "more often")
    mouse_select(page, start, end)
    expect(page.locator(".wb-cv-root")).to_have_attribute("data-selection", f"{start}-{end}")
    page.locator(".wb-cv-code-search").fill("tru")
    page.locator('.wb-cv-code-item[data-code="trust"]').click()
    coding = wait_until(lambda: coding_id(project, "more often", "trust"), what="the coding from JupyterLab")
    [row] = [r for r in codings_of(project, CODER, INTERVIEW) if r["id"] == coding]
    assert (row["start"], row["end"], row["quote"]) == (start, end, "more often")
    expect(highlight(page, coding)).to_have_text("more often")

    # key 1 in Lab: the view keeps the key (no notebook shortcut fires), Python applies the recent code
    s2, e2 = span(text, "in person")
    select_range(page, s2, e2)
    page.locator(".wb-cv-root").press("1")
    keyed = wait_until(lambda: coding_id(project, "in person", "trust"), what="the keyed coding in Lab")
    expect(highlight(page, keyed)).to_have_text("in person")
    # "1" did not reach JupyterLab's command mode (it would turn the active code cell into a heading)
    expect(page.locator(".jp-CodeCell")).to_have_count(1)
    assert not errors, errors
