"""Co-occurrence against hand-computed counts on the small coded project (see tests/themes_fixtures.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.analysis.cooccurrence import pair_counts
from workbench.errors import ValidationError

from .themes_fixtures import code_small

CODES = ["offer", "visit", "guest", "challenges", "resources", "teacher"]


@pytest.fixture
def coded(project, tmp_path):
    return code_small(project, tmp_path)


def pairs(table) -> dict[tuple[str, str], float]:
    """Non-zero off-diagonal cells, each unordered pair once (a < b)."""
    out = {}
    for a, b in itertools.combinations(table.index, 2):
        if table.loc[a, b]:
            assert table.loc[a, b] == table.loc[b, a]
            out[tuple(sorted((a, b)))] = table.loc[a, b]
    return out


def diagonal(table) -> dict[str, int]:
    return {c: int(v) for c, v in table.attrs["occurrences"].items() if v}


def test_overlap_counts_pairs_of_overlapping_segments(coded):
    table = wb.cooccurrence(coded, by="overlap", coder="anna")
    assert list(table.index) == CODES  # tree order, every code
    assert pairs(table) == {("offer", "visit"): 1, ("guest", "resources"): 1}
    assert diagonal(table) == {"offer": 1, "visit": 3, "guest": 1, "resources": 2, "teacher": 2}
    assert table.loc["visit", "visit"] == 3


def test_overlap_of_two_coders_counts_each_pair(coded):
    # bob's visit overlaps anna's offer too; bob's and anna's identical visits are the same code: no pair
    table = wb.cooccurrence(coded, by="overlap")
    assert pairs(table)[("offer", "visit")] == 2
    assert table.attrs["occurrences"]["visit"] == 4


def test_sentence_paragraph_turn_and_document_units(coded):
    sentence = wb.cooccurrence(coded, by="sentence", coder="anna")
    assert pairs(sentence) == {("offer", "visit"): 1, ("guest", "resources"): 1}
    assert diagonal(sentence) == {"offer": 2, "visit": 3, "guest": 1, "resources": 2, "teacher": 2}
    turn = wb.cooccurrence(coded, by="turn", coder="anna")
    assert pairs(turn) == {("offer", "visit"): 1, ("teacher", "visit"): 1, ("offer", "teacher"): 1,
                           ("guest", "resources"): 1, ("resources", "visit"): 1}
    assert wb.cooccurrence(coded, by="paragraph", coder="anna").equals(turn)  # one paragraph per turn here
    document = wb.cooccurrence(coded, by="document", coder="anna")
    got = pairs(document)
    assert got[("teacher", "visit")] == 2 and got[("resources", "visit")] == 2 and got[("resources", "teacher")] == 2
    assert got[("guest", "offer")] == 1 and ("challenges", "offer") not in got
    assert len(got) == 10
    assert diagonal(document) == {"offer": 1, "visit": 3, "guest": 1, "resources": 2, "teacher": 2}


def test_distance_includes_overlaps_and_near_segments(coded):
    near = {("offer", "visit"): 1, ("guest", "resources"): 1}
    assert pairs(wb.cooccurrence(coded, by="distance", distance=0, coder="anna")) == near
    one = pairs(wb.cooccurrence(coded, by="distance", distance=1, coder="anna"))
    assert one == {**near, ("offer", "teacher"): 1}  # a newline between offer and teacher
    two = pairs(wb.cooccurrence(coded, by="distance", distance=2, coder="anna"))
    assert two == {**one, ("resources", "visit"): 1}  # ". " between "Tijd en geld" and "Een bus"
    assert ("teacher", "visit") not in two
    # visit "bedrijfsbezoek" ends 41 characters before teacher starts
    assert ("teacher", "visit") not in pairs(wb.cooccurrence(coded, by="distance", distance=40, coder="anna"))
    assert pairs(wb.cooccurrence(coded, by="distance", distance=41, coder="anna"))[("teacher", "visit")] == 1


def test_jaccard_and_association_strength(coded):
    jac = wb.cooccurrence(coded, by="sentence", measure="jaccard", coder="anna")
    assert jac.loc["offer", "visit"] == pytest.approx(1 / (2 + 3 - 1))
    assert jac.loc["guest", "resources"] == pytest.approx(1 / (1 + 2 - 1))
    assert jac.loc["offer", "teacher"] == 0 and jac.loc["visit", "visit"] == 0
    assoc = wb.cooccurrence(coded, by="sentence", measure="association", coder="anna")
    assert assoc.loc["offer", "visit"] == pytest.approx(1 / (2 * 3))
    assert assoc.loc["resources", "guest"] == pytest.approx(1 / (1 * 2))


def test_subcode_rollup_never_pairs_a_coding_with_itself(coded):
    table = wb.cooccurrence(coded, by="overlap", coder="anna", codes=["offer", "challenges"], subcodes=True)
    # offer = {a2, visit x3, guest}; challenges = {teacher x2, resources x2}; overlapping across: guest-resources
    assert table.attrs["occurrences"] == {"offer": 5, "challenges": 4}
    assert table.loc["offer", "challenges"] == 1


def test_where_filters_documents(coded):
    table = wb.cooccurrence(coded, by="document", coder="anna", where={"respondent_type": "expert"})
    assert pairs(table) == {("resources", "teacher"): 1, ("resources", "visit"): 1, ("teacher", "visit"): 1}


def test_bad_arguments_say_what_to_pass(coded):
    with pytest.raises(ValidationError, match="distance=200"):
        wb.cooccurrence(coded, by="distance")
    with pytest.raises(ValidationError, match="overlap"):
        wb.cooccurrence(coded, by="chapter")
    with pytest.raises(ValidationError, match="jaccard"):
        wb.cooccurrence(coded, measure="cosine")
    with pytest.raises(wb.NotFound, match="nope"):
        wb.cooccurrence(coded, codes=["nope"])


def brute(docs, starts, ends, codes, n, reach):
    out = np.zeros((n, n), dtype=np.int64)
    for i, j in itertools.combinations(range(len(docs)), 2):
        if docs[i] != docs[j] or codes[i] == codes[j]:
            continue
        (s1, e1), (s2, e2) = sorted([(starts[i], ends[i]), (starts[j], ends[j])])
        if s2 < e1 + reach:
            out[codes[i], codes[j]] += 1
            out[codes[j], codes[i]] += 1
    return out


segments = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60), st.integers(1, 15), st.integers(0, 3)),
                    min_size=0, max_size=40)


@settings(max_examples=150, deadline=None)
@given(segments, st.integers(0, 12))
def test_sweep_equals_brute_force(segs, reach):
    docs = np.array([s[0] for s in segs], dtype=np.int64)
    starts = np.array([s[1] for s in segs], dtype=np.int64)
    ends = starts + np.array([s[2] for s in segs], dtype=np.int64)
    codes = np.array([s[3] for s in segs], dtype=np.int64)
    got = pair_counts(docs, starts, ends, codes, 4, reach)
    assert (got == brute(docs, starts, ends, codes, 4, reach)).all()


def test_a_project_without_codings_gives_zeros_not_errors(project):
    assert (wb.cooccurrence(project, by="sentence").to_numpy() == 0).all()
    assert (wb.cooccurrence(project, by="overlap").to_numpy() == 0).all()
    assert wb.frequencies(project)["segments"].sum() == 0
    assert wb.matrix(project, columns="respondent_type", value="share").to_numpy().sum() == 0
    g = wb.theme_network(project)
    assert g.number_of_nodes() == 0 and wb.centralities(g).empty and wb.communities(g) == []
