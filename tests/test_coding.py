"""Coding: code/uncode with undo, offsets, in-vivo codes, auto-coding previews, retrieval."""

from __future__ import annotations

import pytest

from workbench.coding import autocode
from workbench.coding.retrieval import segments, to_html
from workbench.coding.session import CodingSession
from workbench.coding.spans import paragraphs, sentences, snap_to_words, union
from workbench.errors import ConflictError, NotFound, ValidationError


def test_snap_to_words_and_units():
    text = "Wij gaan op bedrijfsbezoek. Daarna: reflectie!\n\nNieuwe alinea hier."
    assert snap_to_words(text, 14, 18) == (12, 26)  # inside 'bedrijfsbezoek'
    assert snap_to_words(text, 3, 9) == (4, 8)  # ' gaan ' trimmed to the word
    assert [text[s:e] for s, e in sentences(text)] == ["Wij gaan op bedrijfsbezoek.", "Daarna: reflectie!",
                                                       "Nieuwe alinea hier."]
    assert len(paragraphs(text)) == 2
    assert union([(0, 5), (3, 8), (10, 12)]) == [(0, 8), (10, 12)]


def test_code_stores_offsets_and_quote_with_astral_characters(project):
    s = CodingSession(project, "coder-a")
    text = project.text("T01")
    start = text.index("Echt waar")
    assert text[start - 2] == "🚀"  # a code point beyond the BMP precedes the passage
    cid = s.code("T01", start, start + 9, "guest", memo="na de raket")
    row = project.codings().set_index("id").loc[cid]
    assert (row["start"], row["end"], row["quote"]) == (start, start + 9, "Echt waar")
    assert row["memo"] == "na de raket" and row["case"] == "T01"


def test_selection_is_snapped_to_words(project):
    s = CodingSession(project, "coder-a")
    text = project.text("T01")
    i = text.index("bedrijfsbezoek")
    cid = s.code("T01", i + 3, i + 8, "visit")
    assert project.codings().set_index("id").at[cid, "quote"] == "bedrijfsbezoek"


def test_overlapping_and_nested_codings_coexist(project):
    s = CodingSession(project, "coder-a")
    s.code("T01", 30, 120, "visit")
    s.code("T01", 40, 60, "guest")
    s.code("T01", 100, 150, "resources")
    assert len(project.codings()) == 3
    assert s.code("T01", 40, 60, "guest") in set(project.codings()["id"])  # same coding again: no duplicate
    assert len(project.codings()) == 3


@pytest.mark.parametrize("start, end", [(-1, 5), (5, 5), (10, 4), (0, 10**6)])
def test_invalid_offsets_are_refused(project, start, end):
    with pytest.raises(ValidationError, match="invalid offsets"):
        CodingSession(project, "coder-a", snap=False).code("T01", start, end, "visit")
    assert project.codings().empty


def test_unknown_code_document_and_folder_codes(project):
    s = CodingSession(project, "coder-a")
    with pytest.raises(NotFound, match="unknown code 'nope'"):
        s.code("T01", 0, 5, "nope")
    with pytest.raises(NotFound, match="no document 'X'"):
        s.code("X", 0, 5, "visit")
    from workbench.codebook.tree import Codebook

    Codebook(project).update("offer", codable=False)
    with pytest.raises(ValidationError, match="folder"):
        s.code("T01", 0, 5, "offer")


def test_uncode_memo_undo_redo(project):
    s = CodingSession(project, "coder-a")
    cid = s.code("T01", 0, 11, "visit")
    s.set_memo(cid, "belangrijk")
    assert project.codings().set_index("id").at[cid, "memo"] == "belangrijk"
    s.uncode(cid)
    assert project.codings().empty
    s.undo()  # the removal
    assert project.codings().set_index("id").at[cid, "memo"] == "belangrijk"
    s.undo()  # the memo
    assert project.codings().set_index("id").at[cid, "memo"] is None or project.codings()["memo"].isna().all()
    s.redo()
    assert project.codings().set_index("id").at[cid, "memo"] == "belangrijk"


def test_coders_only_change_their_own_codings(project):
    cid = CodingSession(project, "coder-a").code("T01", 0, 11, "visit")
    b = CodingSession(project, "coder-b")
    with pytest.raises(ConflictError, match="belongs to coder-a"):
        b.uncode(cid)
    with pytest.raises(ConflictError):
        b.set_memo(cid, "x")


def test_uncode_span_removes_overlapping_codings_of_that_code(project):
    s = CodingSession(project, "coder-a")
    s.code("T01", 30, 60, "visit")
    s.code("T01", 50, 90, "visit")
    s.code("T01", 50, 90, "guest")
    assert s.uncode_span("T01", 55, 56, "visit") == 2
    assert list(project.codings()["code"]) == ["guest"]
    s.undo()
    assert len(project.codings()) == 3


def test_in_vivo_creates_code_and_coding_in_one_undoable_step(project):
    s = CodingSession(project, "coder-a")
    text = project.text("T01")
    i = text.index("prachtig")
    code_id, cid = s.in_vivo("T01", i, i + 8, parent="offer")
    assert code_id == "iv-prachtig"
    codes = project.codes().set_index("id")
    assert codes.at[code_id, "label"] == "prachtig" and codes.at[code_id, "parent_id"] == "offer"
    s.undo()
    assert code_id not in set(project.codes()["id"]) and project.codings().empty


def test_autocode_by_codebook_keywords_previews_then_applies_as_one_batch(project):
    preview = autocode.by_pattern(project, "guest", unit="sentence")
    assert list(preview["document"]) == ["T01"]
    assert preview.iloc[0]["quote"] == "Ouders geven gastlessen over hun beroep."
    assert project.codings().empty  # a preview writes nothing
    assert autocode.apply(project, preview, "auto") == 1
    assert autocode.apply(project, preview, "auto") == 0  # idempotent
    CodingSession(project, "auto").undo()  # the empty second batch logged nothing: this undoes the first
    assert project.codings().empty
    with pytest.raises(NotFound):
        CodingSession(project, "auto").undo()


def test_autocode_patterns_units_and_speakers(project):
    by_regex = autocode.by_pattern(project, "resources", unit="match")  # the code's pattern
    assert list(by_regex["quote"]) == ["Tijd en geld"]
    turn = autocode.by_pattern(project, "visit", r"bus", unit="turn")
    assert turn.iloc[0]["quote"].startswith("Tijd en geld.")  # speech only, no 'R:' prefix
    only_interviewer = autocode.by_pattern(project, "visit", r"ouders", unit="sentence", speakers=["Interviewer"])
    assert list(only_interviewer["quote"]) == ["En de ouders?"]
    speaker = autocode.by_speaker(project, "teacher", ["R"])
    assert len(speaker) == 2 and all(q.startswith(("Techniek", "Tijd")) for q in speaker["quote"])
    paras = autocode.by_unit(project, "teacher", "paragraph", documents=["T02"])
    assert len(paras) == 2 and set(paras["speaker"]) == {"R"}  # the interviewer is left out by default
    assert len(autocode.by_unit(project, "teacher", "paragraph", documents=["T02"], exclude_speakers=())) == 4
    by_attr = autocode.by_attribute(project, "offer", "respondent_type", "school")
    assert list(by_attr["document"]) == ["T01"]
    with pytest.raises(ValidationError, match="unknown attribute"):
        autocode.by_attribute(project, "offer", "nope", 1)
    with pytest.raises(ValidationError, match="invalid regular expression"):
        autocode.by_pattern(project, "visit", "(")


def test_retrieval_with_subcodes_filters_and_context(project):
    a, b = CodingSession(project, "coder-a"), CodingSession(project, "coder-b")
    text = project.text("T01")
    i = text.index("gastlessen")
    a.code("T01", i, i + 10, "guest")
    j = project.text("T02").index("Tijd en geld")
    b.code("T02", j, j + 12, "resources")
    assert len(segments(project, "offer")) == 1
    assert segments(project, "offer", include_subcodes=False).empty
    seg = segments(project, "guest", context="sentence").iloc[0]
    assert seg["context_before"] + seg["quote"] + seg["context_after"] == "Ouders geven gastlessen over hun beroep."
    turn = segments(project, "guest", context="turn").iloc[0]
    assert turn["context_after"].endswith("Echt waar.")
    assert segments(project, coders=["coder-b"])["code"].tolist() == ["resources"]
    assert segments(project, attributes={"respondent_type": "expert"})["document"].tolist() == ["T02"]
    assert segments(project, cases=["T01"])["document"].tolist() == ["T01"]
    near = segments(project, "guest", context=12).iloc[0]
    assert near["context_before"].endswith(" ") and len(near["context_before"]) <= 20
    page = to_html(project, segments(project), title="Alles")
    assert "<mark" in page and "gastlessen" in page and "2 segments from 2 documents" in page


def test_memos_on_project_document_and_code_with_undo(project):
    from workbench.coding.memos import add_memo, delete_memo, edit_memo

    m1 = add_memo(project, "anna", "Eerste indruk: veel nadruk op ouders.", "document", "T01", title="T01")
    add_memo(project, "anna", "Definitie aanscherpen?", "code", "visit")
    with pytest.raises(NotFound):
        add_memo(project, "anna", "x", "code", "nope")
    with pytest.raises(ValidationError, match="unknown memo target"):
        add_memo(project, "anna", "x", "planet", "mars")
    edit_memo(project, "anna", m1, text="Herzien")
    assert project.memos().set_index("id").at[m1, "text"] == "Herzien"
    project.undo("anna")
    assert project.memos().set_index("id").at[m1, "text"] == "Eerste indruk: veel nadruk op ouders."
    delete_memo(project, "anna", m1)
    assert m1 not in set(project.memos()["id"])
    project.undo("anna")
    assert len(project.memos()) == 2
