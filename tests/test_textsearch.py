"""Regex search, keyword-in-context and word frequencies with Dutch and English stop words."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.analysis.textsearch import tokens
from workbench.errors import ValidationError


def test_search_finds_matches_with_offsets_speakers_and_context(project):
    hits = wb.search(project, r"gastles\w*|bedrijf\w*")
    assert list(zip(hits["document"], hits["match"], strict=True)) == [
        ("T01", "bedrijfsbezoek"), ("T01", "gastlessen"), ("T02", "bedrijf")]
    for r in hits.itertuples():
        assert project.text(r.document)[r.start:r.end] == r.match
        assert project.text(r.document)[r.start - len(r.left):r.start] == r.left
    assert list(hits["speaker"]) == ["T01", "T01", "R"]
    assert wb.search(project, "INTERVIEWER", ignore_case=False).empty
    asked = wb.search(project, r"\?")
    assert set(asked["speaker"]) == {"Interviewer"}
    assert wb.search(project, r"\?", exclude_speakers=None).empty  # the interviewer left out
    assert list(wb.search(project, "techniek", speakers=["R"])["start"]) == [44]


def test_kwic_aligns_the_keyword(project):
    k = wb.kwic(project, "Techniek", width=12)
    assert list(k["keyword"]) == ["techniek", "Techniek"]
    assert (k["left"].str.len() == 12).all()
    assert k.loc[1, "right"] == " is overal. "
    assert k.loc[0, "left"] == "ijkt u naar "
    assert wb.kwic(project, "bedrijf").shape[0] == 1  # whole words: not "bedrijfsbezoek"
    assert wb.kwic(project, "bedrijf", whole_word=False).shape[0] == 2
    with pytest.raises(ValidationError):
        wb.kwic(project, " ")


def test_invalid_regex_is_a_validation_error(project):
    with pytest.raises(ValidationError, match="re.escape"):
        wb.search(project, "(unclosed")


def test_word_frequencies_count_speech_without_stop_words(project):
    freq = wb.word_frequencies(project).set_index("word")
    assert "interviewer" not in freq.index and "de" not in freq.index and "en" not in freq.index
    assert "wat" not in freq.index  # only the interviewer says it: left out by default
    assert freq.loc["techniek", "count"] == 1 and freq.loc["ouders", "count"] == 1
    assert freq.loc["bedrijf", "documents"] == 1
    everyone = wb.word_frequencies(project, exclude_speakers=()).set_index("word")
    assert everyone.loc["techniek", "count"] == 2 and "betekent" in everyone.index
    raw = wb.word_frequencies(project, languages=(), min_length=1).set_index("word")
    assert raw.loc["de", "count"] == 3
    mine = wb.word_frequencies(project, stop_words=["Techniek"])
    assert "techniek" not in set(mine["word"])
    assert len(wb.word_frequencies(project, top=3)) == 3
    with pytest.raises(ValidationError, match="nl, en"):
        wb.word_frequencies(project, languages=("fr",))


def test_tokens_keep_inner_apostrophes_and_drop_digits():
    assert tokens("Zo'n 30 kinderen, 21e-eeuwse vaardigheden! Children's") == [
        "zo'n", "kinderen", "e-eeuwse", "vaardigheden", "children's"]
