"""CodingView in a real headless Chromium: Voila and JupyterLab, checked against the project database.

Each test loads the page once and groups its assertions; passages differ per test, so the order of the
tests does not matter. Skipped (with the reason) where Chromium, Playwright, Voila or JupyterLab is missing.
"""

from __future__ import annotations

import os
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
from ui.widget_project import CODER_B, INTERVIEW, NOTES, span  # noqa: E402

# not under test-results/: pytest-playwright empties that folder whenever any browser test session starts
SHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or Path(__file__).resolve().parent.parent / "build" / "screenshots")

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


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the widget for a person to look at (build/screenshots/<name>.png)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.locator(".wb-cv-root").screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


# geometry of every stripe and margin label, per turn, as the page lays them out
_GEOMETRY_JS = """() => [...document.querySelectorAll('.wb-cv-turn')].map(turn => ({
  i: Number(turn.dataset.i),
  stripes: [...turn.querySelectorAll('.wb-cv-stripe')].map(e => {
    const r = e.getBoundingClientRect();
    return {id: Number(e.dataset.coding), code: e.dataset.code, lane: e.dataset.lane, x: r.left, top: r.top,
            bottom: r.bottom, width: r.width, colour: getComputedStyle(e).backgroundColor};
  }),
  labels: [...turn.querySelectorAll('.wb-cv-label')].map(e => {
    const r = e.getBoundingClientRect();
    return {id: Number(e.dataset.coding), text: e.textContent, left: r.left, right: r.right, top: r.top,
            bottom: r.bottom, visible: r.width > 0 && r.height > 0, cut: e.scrollWidth > e.clientWidth + 1};
  }),
}))"""


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
    expect(page.locator(".wb-cv-status")).to_contain_text(re.compile(r"^undid: coding\.add by coder-a \(#\d+\), 1 row$"))
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


def test_voila_labels_in_the_margin_and_stripes_never_cover_each_other(open_app, widget_project):
    project = widget_project
    text = project.text(INTERVIEW)
    # "small grant" ends on the line where coder-b's "uncertain about ..." starts: apart in the text,
    # side by side on screen; with code-point lanes both took lane 0 and one stripe lay over the other
    session = CodingSession(project, CODER)
    near = [session.code(INTERVIEW, *span(text, passage), code) for passage, code in
            [("small grant", "funding"), ("Honestly", "hope"), ("stabilised", "trust")]]
    labels = {c: lab for c, lab in zip(project.codes()["id"], project.codes()["label"], strict=True)}
    page = open_app()
    expect(page.locator(f'.wb-cv-label[data-coding="{near[0]}"]')).to_be_visible()
    turns = page.evaluate(_GEOMETRY_JS)
    stripes = [s for t in turns for s in t["stripes"]]
    every = set(widget_project.codings(document=INTERVIEW)["id"])  # the tests share the project: all of them
    assert set(near) <= {s["id"] for s in stripes} and {s["id"] for s in stripes} == every
    for turn in turns:
        for k, a in enumerate(turn["stripes"]):
            for b in turn["stripes"][k + 1:]:
                if abs(a["x"] - b["x"]) < a["width"]:  # same lane: one must end before the other starts
                    assert a["bottom"] <= b["top"] or b["bottom"] <= a["top"], (turn["i"], a, b)
        # a label per stripe, readable without hovering: the code's label, beside and at its stripe,
        # and no label covers another
        assert sorted(lab["id"] for lab in turn["labels"]) == sorted(s["id"] for s in turn["stripes"])
        by_id = {s["id"]: s for s in turn["stripes"]}
        for lab in turn["labels"]:
            stripe = by_id[lab["id"]]
            assert lab["visible"] and lab["text"].startswith(labels[stripe["code"]]), lab
            assert lab["right"] <= min(s["x"] for s in turn["stripes"]) + 0.5 and lab["top"] >= stripe["top"] - 1
        ordered = sorted(turn["labels"], key=lambda lab: lab["top"])
        for a, b in zip(ordered, ordered[1:], strict=False):
            assert a["bottom"] <= b["top"] + 0.5, (a, b)
    small = next(s for s in stripes if s["id"] == near[0])
    uncertain = next(s for s in stripes if s["code"] == "uncertainty")
    assert small["lane"] != uncertain["lane"]  # the case seen in the DOM before: same lane, same x
    # other coders' labels say whose they are; colours of different codes differ
    theirs = page.locator(f'.wb-cv-label[data-coding="{uncertain["id"]}"] .wb-cv-label-coder')
    expect(theirs).to_have_text("coder-b")
    assert len({s["colour"] for s in stripes}) == len({s["code"] for s in stripes})
    shot(page, "labels-and-stripes")
    # labels can be switched off, and on again
    page.locator(".wb-cv-labels-toggle").uncheck()
    expect(page.locator(".wb-cv-label").first).to_be_hidden()
    page.locator(".wb-cv-labels-toggle").check()
    expect(page.locator(f'.wb-cv-label[data-coding="{near[0]}"]')).to_be_visible()


def test_voila_long_code_tree_collapses_shows_full_labels_and_resizes(open_app, widget_project):
    codes = widget_project.codes()
    assert len(codes) > 90
    page = open_app()
    items = page.locator(".wb-cv-code-item")
    expect(items).to_have_count(len(codes))
    visible = page.locator(".wb-cv-code-item:visible")
    top_level = int(codes["parent_id"].isna().sum())
    expect(visible).to_have_count(top_level)  # a long codebook starts folded to its themes
    offer = page.locator('.wb-cv-code-item[data-code="offer"]')
    offer.locator(".wb-cv-twisty").click()
    children = int((codes["parent_id"] == "offer").sum())
    expect(visible).to_have_count(top_level + children)
    expect(page.locator('.wb-cv-code-item[data-code="act-company-visit"]')).to_be_visible()
    offer.locator(".wb-cv-twisty").click()
    expect(visible).to_have_count(top_level)
    # a search finds codes inside folded branches
    page.locator(".wb-cv-code-search").fill("bedrijfs")
    expect(page.locator('.wb-cv-code-item[data-code="act-company-visit"]')).to_be_visible()
    page.locator(".wb-cv-code-search").fill("")
    page.locator(".wb-cv-expand-all").click()
    expect(visible).to_have_count(len(codes))
    # no label is cut, and hovering shows the whole path
    cut = page.evaluate("""() => [...document.querySelectorAll('.wb-cv-code-label')]
        .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
        .map(e => e.textContent)""")
    assert cut == []
    longest = codes.loc[codes["label"].str.len().idxmax()]
    item = page.locator(f'.wb-cv-code-item[data-code="{longest["id"]}"]')
    expect(item.locator(".wb-cv-code-label")).to_have_text(longest["label"])
    assert longest["label"] in item.get_attribute("title") and " / " in item.get_attribute("title")
    # the panel is wider than before (250 px) and the splitter resizes it
    side = page.locator(".wb-cv-side")
    before = side.bounding_box()["width"]
    assert before >= 300
    grip = page.locator(".wb-cv-splitter").bounding_box()
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + 40
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y, steps=3)
    page.mouse.move(x - 120, y, steps=3)
    page.mouse.up()
    after = side.bounding_box()["width"]
    assert after > before + 100, (before, after)
    shot(page, "code-tree")
    page.locator(".wb-cv-collapse-all").click()
    expect(visible).to_have_count(top_level)


def test_voila_create_code_and_in_vivo_from_the_selection_then_undo(open_app, widget_project):
    project = widget_project
    text = project.text(INTERVIEW)
    page = open_app()
    page.locator(".wb-cv-new-label").fill("Workload")
    page.locator("select.wb-cv-new-parent").select_option("feelings")
    page.locator(".wb-cv-add-code").click()
    wait_until(lambda: "workload" in set(project.codes()["id"]), what="the new code in the database")
    row = project.codes().set_index("id").loc["workload"]
    assert (row["label"], row["parent_id"]) == ("Workload", "feelings")
    expect(page.locator('.wb-cv-code-item[data-code="workload"] .wb-cv-code-label')).to_have_text("Workload")
    expect(page.locator(".wb-cv-new-label")).to_have_value("")
    expect(page.locator(".wb-cv-status")).to_contain_text("created code Workload under Feelings")
    # an empty label is refused in the view
    page.locator(".wb-cv-add-code").click()
    expect(page.locator(".wb-cv-error-text")).to_contain_text("needs a label")
    page.locator(".wb-cv-error-close").click()
    expect(page.locator(".wb-cv-error")).to_be_hidden()  # the page moves up: select after it did

    start, end = span(text, "would do differently")
    mouse_select(page, start, end)
    vivo = page.locator(".wb-cv-in-vivo")
    expect(vivo).to_be_visible()
    vivo.click()

    def in_vivo():
        rows = [r for r in codings_of(project, CODER, INTERVIEW) if r["code"].startswith("iv-would-do-differently")]
        return rows[0] if rows else None

    row = wait_until(in_vivo, what="the in-vivo coding")
    assert (row["start"], row["end"], row["quote"]) == (start, end, "would do differently")
    assert project.codes().set_index("id").loc[row["code"], "parent_id"] == "feelings"  # the chosen parent
    expect(highlight(page, row["id"])).to_have_text("would do differently")
    expect(page.locator(f'.wb-cv-label[data-coding="{row["id"]}"]')).to_have_text("would do differently")
    expect(vivo).to_be_hidden()
    # undo says what it undid and for whom: the in-vivo code and its coding go in one step
    page.locator(".wb-cv-undo").click()
    wait_until(lambda: in_vivo() is None, what="the undo of the in-vivo code")
    expect(page.locator(".wb-cv-status")).to_contain_text(re.compile(r"^undid: coding\.in-vivo by coder-a \(#\d+\)"))
    assert row["code"] not in set(project.codes()["id"])
    expect(page.locator(f'.wb-cv-code-item[data-code="{row["code"]}"]')).to_have_count(0)
    shot(page, "after-undo")


def test_voila_blind_coding_until_marked_done(open_app, widget_project):
    project = widget_project
    page = open_app()
    theirs = page.locator('.wb-cv-label:has(.wb-cv-label-coder:text-is("coder-b"))')
    expect(theirs).to_have_count(len(CODER_B))
    page.locator(".wb-cv-blind").check()
    expect(page.locator(".wb-cv-root")).to_have_attribute("data-blind", "true")
    expect(theirs).to_have_count(0)
    ids = {str(r["id"]) for r in codings_of(project, "coder-b", INTERVIEW)}
    shown = page.evaluate("() => [...document.querySelectorAll('.wb-cv-highlight')].flatMap(e => e.dataset.codings.split(' '))")
    assert not ids & set(shown)  # not on the page at all
    note = page.locator(".wb-cv-blind-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"{len(CODER_B)} codings by other coders hidden")
    shot(page, "blind")
    page.locator(".wb-cv-done").click()
    expect(page.locator(".wb-cv-root")).to_have_attribute("data-done", "true")
    expect(theirs).to_have_count(len(CODER_B))
    expect(note).to_be_hidden()
    expect(page.locator(".wb-cv-done")).to_contain_text("Done")
    done = project.assignments().set_index(["coder", "document"])["done"]
    assert bool(done.loc[(CODER, INTERVIEW)])
    # the next document is not done yet: blind there, and back here it stays open
    page.locator(".wb-cv-next").click()
    expect(page.locator(".wb-cv-root")).to_have_attribute("data-done", "false")
    page.locator(".wb-cv-prev").click()
    expect(page.locator(".wb-cv-root")).to_have_attribute("data-done", "true")
    expect(theirs).to_have_count(len(CODER_B))
    page.locator(".wb-cv-done").click()  # reopen, so that the other tests see a fresh state
    expect(page.locator(".wb-cv-root")).to_have_attribute("data-done", "false")
    expect(theirs).to_have_count(0)


def test_voila_suggestions_dashed_apart_accept_and_reject(open_app, widget_project):
    from workbench.store import suggest as suggestion_store
    from workbench.suggest.review import suggestions

    project = widget_project
    text = project.text(INTERVIEW)
    run = project.save_run("topics", {"test": "widget browser"})
    doc = project.document_row(INTERVIEW)["id"]
    with project.transaction("researcher", "topics.promote", summary="suggest two passages") as tx:
        suggestion_store.add_suggestions(tx, [
            {"run_id": run.id, "document_id": doc, "start": span(text, p)[0], "end": span(text, p)[1],
             "code_id": code, "score": score}
            for p, code, score in [("thank you for joining", "trust", 0.9), ("changed over time", "hope", 0.6)]])
    made = suggestions(project, run=run.id).set_index("quote")["id"]
    thanks, changed = int(made["thank you for joining"]), int(made["changed over time"])
    page = open_app()
    dashed = page.locator(f'.wb-cv-suggested[data-suggestions~="{thanks}"]')
    expect(dashed).to_have_text("thank you for joining")
    assert dashed.evaluate("e => getComputedStyle(e).outlineStyle") == "dashed"
    assert "wb-cv-highlight" not in dashed.get_attribute("class")  # apart: not drawn as a coding
    expect(page.locator(".wb-cv-stripe")).to_have_count(len(widget_project.codings(document=INTERVIEW)))
    dashed.click()
    item = page.locator(f'.wb-cv-popup-suggestion[data-suggestion="{thanks}"]')
    expect(item).to_be_visible()
    expect(item.locator(".wb-cv-popup-code")).to_have_text("Trust")
    expect(item.locator(".wb-cv-popup-coder")).to_have_text("suggested \u00b7 0.90")
    shot(page, "suggestion")
    item.locator(".wb-cv-accept").click()

    def accepted():
        rows = [r for r in codings_of(project, CODER, INTERVIEW) if r["quote"] == "thank you for joining"]
        return rows[0] if rows else None

    row = wait_until(accepted, what="the accepted suggestion as coder-a's coding")
    assert row["code"] == "trust"
    expect(highlight(page, row["id"])).to_have_text("thank you for joining")
    expect(page.locator(f'.wb-cv-suggested[data-suggestions~="{thanks}"]')).to_have_count(0)
    expect(page.locator(".wb-cv-popup")).to_be_hidden()
    page.locator(f'.wb-cv-suggested[data-suggestions~="{changed}"]').click()
    page.locator(f'.wb-cv-reject[data-suggestion="{changed}"]').click()
    wait_until(lambda: suggestions(project, run=run.id).set_index("id").loc[changed, "status"] == "rejected",
               what="the rejection in the database")
    expect(page.locator(f'.wb-cv-suggested[data-suggestions~="{changed}"]')).to_have_count(0)
    expect(page.locator(".wb-cv-status")).to_contain_text("rejected suggestion Hope")
    assert not any(r["quote"] == "changed over time" for r in codings_of(project, CODER, INTERVIEW))
