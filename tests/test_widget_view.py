"""CodingView without a browser: the traits it shows and the messages it handles (as the JS sends them)."""

from __future__ import annotations

import ast
import itertools
import re
import sys
from pathlib import Path

import pytest

from workbench.codebook.io import load as load_codebook
from workbench.codebook.tree import Codebook
from workbench.coding.session import CodingSession
from workbench.corpus.units import units
from workbench.errors import ConflictError, NotFound, ValidationError
from workbench.widgets import CodingView, coding_view
from workbench.widgets.coding_view import MIN_DELTA_E, RECENT, code_id_for, delta_e, distinct_colours

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
    # the status line says what was undone and on whose behalf (the event group's own description)
    assert reply["ok"] and mine(project) == [] and view.status.startswith("undid: coding.add by coder-a (#")
    assert view.status.endswith(", 1 row") and reply["actor"] == "coder-a" and reply["undone"] == "coding.add"
    assert all(c["id"] != coding for c in view.codings)
    assert len(project.codings(coder="coder-b")) == len(CODER_B) + 1  # coder-b's later coding is untouched
    assert any(text[c["start"]:c["end"]] == "shorter reports" for c in view.codings)  # and now shown (re-read)
    msg(view, "redo")
    assert [r["quote"] for r in mine(project)] == ["small grant"] and view.status.startswith("redid: coding.add by coder-a")
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


def test_widget_asks_the_store_api_instead_of_writing_sql():
    tree = ast.parse(Path(coding_view.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {f"{'.' * n.level}{n.module or ''}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if "sqlalchemy" in m or m.endswith("schema") or m.endswith("events")}, imported


def test_undo_of_a_codebook_change_names_the_action_and_the_actor(project, view):
    msg(view, "create_code", label="Workload", parent=None)
    assert "workload" in {c["id"] for c in view.codes}
    reply = msg(view, "undo")
    assert reply["ok"] and reply["undone"] == "code.create" and reply["actor"] == "coder-a"
    assert re.fullmatch(r"undid: .*workload.* by coder-a \(#\d+\), 1 row", view.status), view.status
    assert "workload" not in {c["id"] for c in view.codes}
    assert "workload" not in set(project.codes()["id"])
    msg(view, "undo")  # coder-a has nothing left; the researcher's codebook load is not coder-a's to undo
    assert "nothing to undo for coder-a" in view.error and len(project.codes()) == 6


def test_coder_filter_lists_coders_not_every_actor(project, view):
    assert "researcher" in set(project.coders()["id"])  # the codebook was loaded as the researcher
    assert view.coders == ["coder-a", "coder-b"]


def test_colours_within_a_theme_are_told_apart():
    book = load_codebook(Path(__file__).resolve().parent.parent / "coding" / "framework.yaml")
    codes = [{"id": c.id, "parent": c.parent, "colour": c.colour} for c in book.codes]
    by_id = {c["id"]: c for c in codes}

    def theme(c):
        while c["parent"]:
            c = by_id[c["parent"]]
        return c["id"]

    pairs = [(a, b) for a, b in itertools.combinations(codes, 2) if theme(a) == theme(b)]
    assert min(delta_e(a["colour"], b["colour"]) for a, b in pairs) < 3  # the demo's shades: indistinguishable
    shown = distinct_colours(codes)
    assert set(shown) == set(by_id)
    assert min(delta_e(shown[a["id"]], shown[b["id"]]) for a, b in pairs) >= MIN_DELTA_E
    # each theme keeps its look: a shown colour stays near its codebook colour
    assert max(delta_e(shown[c["id"]], c["colour"]) for c in codes) < 75
    assert shown[codes[0]["id"]] == codes[0]["colour"].lower()  # the first of a theme is never changed
    # distinct colours are left alone, and two themes may share a colour
    few = [{"id": "a", "parent": None, "colour": "#4e79a7"}, {"id": "a1", "parent": "a", "colour": "#e15759"},
           {"id": "b", "parent": None, "colour": "#4E79A7"}, {"id": "b1", "parent": "b", "colour": "#4e79a8"}]
    out = distinct_colours(few)
    assert out["a"] == out["a1"] == out["b"] or (out["a"], out["a1"], out["b"]) == ("#4e79a7", "#e15759", "#4e79a7")
    assert out["b1"] != "#4e79a8" and delta_e(out["b1"], out["b"]) >= MIN_DELTA_E


def test_view_shows_distinct_colours_but_stores_the_codebooks(project):
    Codebook(project, "researcher").create("trust-deep", "Deep trust", "trust", colour="#f28e2c")  # ~ Trust
    view = CodingView(project, "coder-a")
    shown = {c["id"]: c for c in view.codes}
    assert shown["trust"]["colour"] == "#f28e2b" and shown["trust-deep"]["codebook_colour"] == "#f28e2c"
    assert delta_e(shown["trust-deep"]["colour"], shown["trust"]["colour"]) >= MIN_DELTA_E
    assert project.codes().set_index("id").loc["trust-deep", "colour"] == "#f28e2c"
    start, end = span(project.text(INTERVIEW), "in person")
    cid = view.apply(start, end, "trust-deep")
    assert next(c for c in view.codings if c["id"] == cid)["colour"] == shown["trust-deep"]["colour"]


def test_chunks_are_the_projects_turn_and_paragraph_units(project, view):
    turns = units(project, "turn", [INTERVIEW], exclude_speakers=())
    assert [(c["start"], c["end"], c["speaker"], c["seq"]) for c in view.chunks] == [
        (u.start, u.end, u.speaker, u.turn) for u in turns]
    view.show(NOTES)
    paras = units(project, "paragraph", [NOTES])
    assert [(c["start"], c["end"]) for c in view.chunks] == [(u.start, u.end) for u in paras] and len(paras) == 2
    assert [c["i"] for c in view.chunks] == [0, 1] and all(c["time"] == "" for c in view.chunks)


def test_create_code_from_the_view(project, view):
    reply = msg(view, "create_code", label="  Relief  about money ", parent="feelings")
    assert reply["ok"] and reply["code"] == "relief-about-money" and view.error == ""
    row = next(c for c in view.codes if c["id"] == "relief-about-money")
    assert (row["label"], row["parent"], row["depth"], row["codable"]) == ("Relief about money", "feelings", 1, True)
    assert row["codebook_colour"] == "#9c9c9c"  # the parent's colour; the view keeps siblings apart
    assert view.status == "created code Relief about money under Feelings"
    stored = project.codes().set_index("id").loc["relief-about-money"]
    assert (stored["label"], stored["parent_id"]) == ("Relief about money", "feelings")
    start, end = span(project.text(INTERVIEW), "small grant")
    assert msg(view, "code", start=start, end=end, code="relief-about-money")["ok"]
    again = msg(view, "create_code", label="Relief about money")  # same label elsewhere (top level): fine
    assert again["code"] == "relief-about-money-2"
    assert view.create_code("Pressure", colour="#123456") == "pressure"
    before = project.codes()
    for payload, error in [({"label": "   "}, "needs a label"), ({"label": "x", "parent": "ghost"}, "no code 'ghost'"),
                           ({"label": "relief ABOUT money", "parent": "feelings"}, "exists already"),
                           ({"label": "x", "colour": "red"}, "invalid colour"), ({"label": 5}, "needs a label"),
                           ({"label": "y" * 201}, "at most 200")]:
        bad = msg(view, "create_code", **payload)
        assert not bad["ok"] and error in view.error, (payload, view.error)
    assert project.codes().equals(before)  # nothing half-written


def test_in_vivo_code_from_the_selection(project, view):
    text = project.text(INTERVIEW)
    start, end = span(text, "shorter reports")
    reply = msg(view, "in_vivo", start=start + 2, end=end - 1, parent="feelings")  # snaps to the words
    assert reply["ok"] and reply["code"] == "iv-shorter-reports"
    [row] = mine(project)
    assert (row["id"], row["code"], row["quote"]) == (reply["coding"], "iv-shorter-reports", "shorter reports")
    code = next(c for c in view.codes if c["id"] == "iv-shorter-reports")
    assert (code["label"], code["parent"]) == ("shorter reports", "feelings")
    assert view.recent[0] == "iv-shorter-reports" and "in-vivo code" in view.status
    assert any(c["id"] == reply["coding"] and c["label"] == "shorter reports" for c in view.codings)
    s2, e2 = span(text, "in person")
    assert view.in_vivo(s2, e2)[0] == "iv-in-person"
    msg(view, "undo")  # one step: the code and its coding go together
    assert "iv-in-person" not in {c["id"] for c in view.codes} and len(mine(project)) == 1
    before = (project.codes(), project.codings())
    for payload, error in [({"start": None, "end": None}, "select a passage"), ({"start": 4, "end": 4}, "empty"),
                           ({"start": s2, "end": e2, "parent": "ghost"}, "no code 'ghost'"),
                           ({"start": 0, "end": 10_000}, "invalid offsets")]:
        assert not msg(view, "in_vivo", **payload)["ok"] and error in view.error, (payload, view.error)
    assert project.codes().equals(before[0]) and project.codings().equals(before[1])


def test_blind_coding_hides_other_coders_until_done(project):
    view = CodingView(project, "coder-a", blind=True)
    view.send = lambda content, buffers=None: view.sent.append(content)
    view.sent = []
    assert view.blind and not view.done and view.codings == [] and view.hidden == len(CODER_B)
    start, end = span(project.text(INTERVIEW), "small grant")
    own = view.apply(start, end, "funding")
    assert [c["id"] for c in view.codings] == [own] and view.hidden == len(CODER_B)
    reply = msg(view, "done", done=True)
    assert reply["ok"] and view.done and view.hidden == 0 and len(view.codings) == len(CODER_B) + 1
    assert "other coders' codings are shown now" in view.status
    done = project.assignments().set_index(["coder", "document"])["done"]
    assert bool(done.loc[("coder-a", INTERVIEW)])
    view.show(NOTES)  # not done there: still blind (nothing to hide in the notes, though)
    assert not view.done and view.hidden == 0
    view.show(INTERVIEW)
    assert view.done and len(view.codings) == len(CODER_B) + 1
    msg(view, "undo")  # undoing "done" makes the document blind again
    assert view.status.startswith("undid: assignment.done by coder-a") and not view.done
    assert view.hidden == len(CODER_B)
    msg(view, "done", done=True)
    msg(view, "done", done=False)
    assert not view.done and view.hidden == len(CODER_B) and "reopened" in view.status
    msg(view, "blind", on=False)
    assert not view.blind and view.hidden == 0 and len(view.codings) == len(CODER_B) + 1
    msg(view, "blind", on=True)
    assert view.hidden == len(CODER_B) and "hidden until you mark" in view.status
    msg(view, "blind", on="yes")
    assert "true or false" in view.error and view.blind
    msg(view, "done", done="no")
    assert "true or false" in view.error and not view.done
    other = CodingView(project, "coder-b", blind=True)  # blind per coder: coder-b sees only theirs
    assert {c["coder"] for c in other.codings} == {"coder-b"} and other.hidden == 1


def test_code_ids_from_labels():
    taken = {"werk", "werk-2"}
    assert code_id_for("Werk", taken.__contains__) == "werk-3"
    assert code_id_for("Éénmalig bezoek!", taken.__contains__) == "eenmalig-bezoek"
    assert code_id_for("\U0001F605", taken.__contains__, prefix="iv-") == "iv-code"


def suggest(project, passages: list[tuple[str, str, float]]) -> list[int]:
    """Suggested codings as a topic run leaves them (a run, then suggestion rows), for the view to show."""
    from workbench.store import suggest as suggestion_store

    run = project.save_run("topics", {"test": "widget"})
    text = project.text(INTERVIEW)
    doc = project.document_row(INTERVIEW)["id"]
    with project.transaction("researcher", "topics.promote", summary="suggest") as tx:
        suggestion_store.add_suggestions(tx, [{"run_id": run.id, "document_id": doc, "start": span(text, p)[0],
                                               "end": span(text, p)[1], "code_id": code, "score": score}
                                              for p, code, score in passages])
    from workbench.suggest.review import suggestions

    return list(suggestions(project, run=run.id)["id"])


def test_suggestions_shown_apart_and_decided_from_the_view(project, view):
    ids = suggest(project, [("meet the partners", "collaboration", 0.81), ("small grant", "funding", 0.4)])
    ids.reverse()  # in reading order: "small grant" first; ids[0] is now "meet the partners"
    assert view.suggestions == []  # made elsewhere: shown after a refresh
    msg(view, "refresh")
    assert [(s["id"], s["code"], s["label"], s["score"]) for s in view.suggestions] == [
        (ids[1], "funding", "Funding", 0.4), (ids[0], "collaboration", "Collaboration", 0.81)]
    text = project.text(INTERVIEW)
    assert all(text[s["start"]:s["end"]] in ("meet the partners", "small grant") for s in view.suggestions)
    assert mine(project) == []  # a suggestion is not a coding
    reply = msg(view, "suggestion", id=ids[0], decision="accept")
    assert reply["ok"] and reply["decision"] == "accepted" and "accepted suggestion Collaboration" in view.status
    [row] = mine(project)
    assert (row["quote"], row["code"]) == ("meet the partners", "collaboration")
    assert any(c["id"] == row["id"] for c in view.codings) and [s["id"] for s in view.suggestions] == [ids[1]]
    msg(view, "suggestion", id=ids[1], decision="reject")
    assert view.suggestions == [] and len(mine(project)) == 1 and "rejected suggestion Funding" in view.status
    undo = msg(view, "undo")  # the reject is coder-a's action: undone, the suggestion is open again
    assert undo["undone"] == "suggestion.reject" and re.match(r"undid: reject 1 suggestion.* by coder-a", view.status)
    assert [s["id"] for s in view.suggestions] == [ids[1]]
    before = project.codings()
    for payload, error in [({"id": ids[0], "decision": "accept"}, "no open suggestion"),
                           ({"id": ids[1], "decision": "maybe"}, "unknown decision"),
                           ({"id": "x", "decision": "accept"}, "suggestion id must be an integer")]:
        assert not msg(view, "suggestion", **payload)["ok"] and error in view.error, (payload, view.error)
    assert project.codings().equals(before) and [s["id"] for s in view.suggestions] == [ids[1]]
    view.show(NOTES)
    assert view.suggestions == []
