"""CodingView without a browser: the traits it shows and the messages it handles (as the JS sends them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workbench.coding.session import CodingSession
from workbench.errors import ConflictError, NotFound, ValidationError
from workbench.widgets import CodingView, coding_view
from workbench.widgets.coding_view import RECENT

if str(Path(__file__).parent) not in sys.path:  # tests/ui/ helpers, whatever pytest's import mode
    sys.path.insert(0, str(Path(__file__).parent))
from ui.widget_project import CODER_B, INTERVIEW, NOTES, build_project, span  # noqa: E402


@pytest.fixture
def project(tmp_path: Path):
    p = build_project(tmp_path)
    yield p
    p.close()


@pytest.fixture
def view(project):
    v = CodingView(project, "coder-a")
    sent: list[dict] = []
    v.send = lambda content, buffers=None: sent.append(content)  # what the browser would receive
    v.sent = sent
    return v


def msg(view: CodingView, action: str, **payload) -> dict:
    """Deliver a custom message the way the comm does, return the reply sent back."""
    view._on_custom_msg(view, {"action": action, "req": len(view.sent) + 1, **payload}, [])
    reply = view.sent[-1]
    assert reply["event"] == "done" and reply["req"] == len(view.sent) and reply["action"] == action
    return reply


def mine(project, document: str = INTERVIEW) -> list[dict]:
    return project.codings(coder="coder-a", document=document).to_dict("records")


def test_initial_state_shows_turns_codings_codes(project, view):
    text = project.text(INTERVIEW)
    assert view.documents == [INTERVIEW, NOTES] and view.document == INTERVIEW and view.kind == "interview"
    assert [c["speaker"] for c in view.chunks] == ["Interviewer", "Respondent"] * 3
    assert [c["time"] for c in view.chunks][:2] == ["00:00:05", "00:00:12"]
    for c in view.chunks:  # chunk offsets are code points into the stored text, without the speaker label
        assert c["text"] == text[c["start"]:c["end"]]
        assert not c["text"].startswith("[")
    assert view.chunks[1]["text"].startswith("Honestly \U0001F605 it started")
    by_quote = {text[c["start"]:c["end"]]: c for c in view.codings}
    assert set(by_quote) == {p for p, _, _ in CODER_B}
    nested = by_quote["the funding"]
    assert (nested["code"], nested["label"], nested["colour"], nested["coder"]) == ("funding", "Funding", "#4e79a7",
                                                                                   "coder-b")
    assert by_quote[CODER_B[0][0]]["memo"] == "felt it in the whole team"
    assert [(c["id"], c["depth"], c["codable"]) for c in view.codes][:3] == [
        ("feelings", 0, False), ("uncertainty", 1, True), ("hope", 1, True)]
    assert view.codes[1]["path"] == "Feelings / Uncertainty"
    assert view.coders == ["coder-a", "coder-b"]
    assert view.filters == {"codes": [], "coders": []} and view.recent == [] and view.error == ""


def test_code_message_after_emoji_stores_code_points_and_snaps(project, view):
    text = project.text(INTERVIEW)
    start, end = span(text, "small grant")
    assert text[:start].count("\U0001F605") == 1  # an astral character precedes the passage
    reply = msg(view, "code", start=start + 2, end=end - 1, code="funding")  # "all gran": snaps to words
    assert reply["ok"] and (reply["start"], reply["end"]) == (start, end)
    [row] = mine(project)
    assert (row["start"], row["end"], row["quote"], row["code"]) == (start, end, "small grant", "funding")
    assert reply["coding"] == row["id"]
    assert any(c["id"] == row["id"] and c["coder"] == "coder-a" for c in view.codings)
    assert view.recent == ["funding"] and "small grant" in view.status and view.error == ""
    view.snap = False  # exact offsets from now on
    exact = msg(view, "code", start=start + 2, end=end - 1, code="hope")
    assert (exact["start"], exact["end"]) == (start + 2, end - 1) and view.session.snap is False
    msg(view, "uncode", id=exact["coding"])
    view.snap = True
    again = msg(view, "code", start=start, end=end, code="funding")
    assert again["coding"] == row["id"] and "already coded" in view.status and len(mine(project)) == 1


def test_recent_codes_are_keys_one_to_nine(project, view):
    text = project.text(INTERVIEW)
    s1, e1 = span(text, "small grant")
    s2, e2 = span(text, "shorter reports")
    msg(view, "code", start=s1, end=e1, code="funding")
    msg(view, "code", start=s1, end=e1, code="hope")
    assert view.recent == ["hope", "funding"]
    reply = msg(view, "code", start=s2, end=e2, recent=2)  # key "2" = funding
    assert reply["ok"]
    assert {(r["quote"], r["code"]) for r in mine(project)} == {
        ("small grant", "funding"), ("small grant", "hope"), ("shorter reports", "funding")}
    assert view.recent == ["funding", "hope"]
    bad = msg(view, "code", start=s2, end=e2, recent=5)
    assert not bad["ok"] and "no recently used code number 5" in view.error
    for code in ["uncertainty", "hope", "funding", "trust", "collaboration"]:
        msg(view, "code", start=s2, end=e2, code=code)
    assert view.recent == ["collaboration", "trust", "funding", "hope", "uncertainty"] and len(view.recent) <= RECENT
    # a new view starts with this coder's most recent codes from the database
    again = CodingView(project, "coder-a")
    assert again.recent[:2] == ["collaboration", "trust"]


def test_invalid_actions_show_an_error_and_change_nothing(project, view):
    before = project.codings()
    reply = msg(view, "code", start=None, end=None, code="funding")
    assert not reply["ok"] and "select a passage" in view.error and reply["error"] == view.error
    msg(view, "code", start=5, end=5, code="funding")
    assert "empty" in view.error
    msg(view, "code", start=0, end=10_000, code="funding")
    assert "invalid offsets" in view.error
    msg(view, "code", start=0, end=4, code="feelings")
    assert "folder" in view.error
    msg(view, "code", start=0, end=4, code="nope")
    assert "unknown code" in view.error
    msg(view, "code", start="0", end=4, code="funding")
    assert "integer" in view.error
    msg(view, "teleport")
    assert "unknown action" in view.error
    msg(view, "clear_error")
    assert view.error == ""
    assert project.codings().equals(before)
    view._on_custom_msg(view, {"kind": "anywidget-command", "name": "x", "id": "1", "msg": {}}, [])
    view._on_custom_msg(view, "not a dict", [])
    assert view.sent[-1]["action"] == "clear_error"  # anything else is ignored, not answered


def test_remove_and_memo_only_for_own_codings(project, view):
    text = project.text(INTERVIEW)
    start, end = span(text, "meet the partners")
    own = msg(view, "code", start=start, end=end, code="collaboration")["coding"]
    other = next(c["id"] for c in view.codings if c["coder"] == "coder-b")
    reply = msg(view, "memo", id=own, memo="  they want more contact  ")
    assert reply["ok"] and mine(project)[0]["memo"] == "they want more contact"
    assert next(c for c in view.codings if c["id"] == own)["memo"] == "they want more contact"
    msg(view, "memo", id=other, memo="mine now")
    assert "belongs to coder-b" in view.error
    msg(view, "uncode", id=other)
    assert "belongs to coder-b" in view.error
    assert len(project.codings(coder="coder-b")) == len(CODER_B)
    reply = msg(view, "uncode", id=own)
    assert reply["ok"] and mine(project) == [] and all(c["id"] != own for c in view.codings)
    assert view.error == "" and "removed Collaboration" in view.status
    msg(view, "uncode", id=own)
    assert "no coding" in view.error


def test_actions_update_the_list_like_a_full_reload(project, view):
    """code/uncode/memo patch one row of `codings`; the result must equal re-reading the document."""
    text = project.text(INTERVIEW)
    ids = [msg(view, "code", start=s, end=e, code=code)["coding"]
           for (s, e), code in [(span(text, "Welcome"), "hope"), (span(text, "the funding"), "trust"),
                                (span(text, "the funding"), "funding"), (span(text, "in person"), "trust")]]
    msg(view, "memo", id=ids[1], memo="nested in coder-b's funding")
    msg(view, "uncode", id=ids[0])
    patched = list(view.codings)
    view._load_codings()
    assert view.codings == patched
    assert [(c["start"], c["end"]) for c in patched] == sorted((c["start"], c["end"]) for c in patched)


def test_undo_redo_are_per_coder(project, view):
    text = project.text(INTERVIEW)
    start, end = span(text, "small grant")
    coding = msg(view, "code", start=start, end=end, code="funding")["coding"]
    CodingSession(project, "coder-b").code(INTERVIEW, *span(text, "shorter reports"), "trust")
    reply = msg(view, "undo")
    assert reply["ok"] and mine(project) == [] and "undone: coding.add" in view.status
    assert all(c["id"] != coding for c in view.codings)
    assert len(project.codings(coder="coder-b")) == len(CODER_B) + 1  # coder-b's later coding is untouched
    assert any(text[c["start"]:c["end"]] == "shorter reports" for c in view.codings)  # and now shown (re-read)
    msg(view, "redo")
    assert [r["quote"] for r in mine(project)] == ["small grant"] and "redone" in view.status
    msg(view, "redo")
    assert "nothing to redo" in view.error


def test_navigation_filters_and_refresh(project, view):
    reply = msg(view, "document", step=1)
    assert reply["ok"] and view.document == NOTES and view.kind == "other"
    assert [c["speaker"] for c in view.chunks] == [None, None] and view.codings == []
    text = project.text(NOTES)
    assert all(c["text"] == text[c["start"]:c["end"]] for c in view.chunks)
    msg(view, "document", step=1)
    assert view.document == NOTES  # clamped at the end
    msg(view, "document", name=INTERVIEW)
    assert view.document == INTERVIEW and view.chunks[0]["speaker"] == "Interviewer"
    msg(view, "document", name="missing")
    assert "no document 'missing'" in view.error and view.document == INTERVIEW
    reply = msg(view, "filter", codes=["feelings"], coders=["coder-b"])
    assert reply["ok"] and view.filters == {"codes": ["feelings"], "coders": ["coder-b"]}
    msg(view, "filter", codes=["ghost"], coders=[])
    assert "unknown code" in view.error and view.filters["codes"] == ["feelings"]
    msg(view, "filter", codes=[], coders=[])
    assert view.filters == {"codes": [], "coders": []}
    # a change made elsewhere (another cell, another coder) shows after a refresh
    CodingSession(project, "coder-c").code(INTERVIEW, *span(project.text(INTERVIEW), "The funding"), "funding")
    assert all(c["coder"] != "coder-c" for c in view.codings)
    msg(view, "refresh")
    assert any(c["coder"] == "coder-c" for c in view.codings) and "coder-c" in view.coders


def test_python_api_mirrors_the_messages(project):
    view = CodingView(project, "coder-a", document=NOTES)
    assert view.document == NOTES
    start, end = span(project.text(NOTES), "new contract")
    coding = view.apply(start, end, "funding")
    assert mine(project, NOTES)[0]["id"] == coding
    view.document = INTERVIEW  # assigning the trait loads the document
    assert view.chunks[0]["speaker"] == "Interviewer" and all(c["coder"] != "coder-a" for c in view.codings)
    view.show(NOTES)
    assert [c["id"] for c in view.codings] == [coding]
    with pytest.raises(NotFound):
        view.show("nowhere")
    with pytest.raises(ValidationError):
        view.apply(3, 3, "funding")
    with pytest.raises(NotFound):
        CodingView(project, "coder-a", document="nowhere")
    other = CodingView(project, "coder-b", document=NOTES)
    with pytest.raises(ConflictError):
        other.dispatch({"action": "uncode", "id": coding}, raise_errors=True)


def test_empty_project_and_esm_files(tmp_path: Path):
    from workbench.store.project import Project

    with Project.init(tmp_path / "empty") as project:
        view = CodingView(project, "coder-a")
        assert view.documents == [] and view.document == "" and view.chunks == [] and view.codings == []
        reply = view.dispatch({"action": "code", "start": 0, "end": 1, "code": "x"})
        assert not reply["ok"] and "no document" in view.error
    folder = Path(coding_view.__file__).parent
    js = (folder / "coding_view.js").read_text(encoding="utf-8")
    css = (folder / "coding_view.css").read_text(encoding="utf-8")
    assert str(CodingView._esm) == js and str(CodingView._css) == css  # loaded from the sibling files
    assert "export default { render }" in js
    for hook in ("wb-cv-turn", "wb-cv-code-search", "wb-cv-code-item", "wb-cv-highlight", "wb-cv-popup",
                 "wb-cv-remove", "wb-cv-memo", "wb-cv-undo", "wb-cv-stripe", "data-coding"):
        assert hook in js, hook


def test_code_tree_sent_to_the_browser_is_valid_json(view):
    import json

    top = [c for c in view.codes if c["depth"] == 0]
    assert top and all(c["parent"] is None for c in top)  # not NaN: the browser's JSON.parse would fail
    json.loads(json.dumps(view.codes, allow_nan=False))
