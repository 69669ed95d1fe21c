"""The pseudonym key: replacement through an offset map (property tests), the key in a project, the CLI."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import ConflictError, NotFound, ValidationError
from workbench.publish.pseudonymise import (
    Entry,
    Key,
    OffsetMap,
    add_pseudonym,
    check_entry,
    key,
    name_like_words,
    private_attributes,
    pseudonyms,
    remove_pseudonym,
    set_private_attributes,
)

# ---- the offset map, by example ---------------------------------------------------------------------------


def test_apply_replaces_whole_words_ignoring_case_and_maps_offsets():
    k = Key([("Jan de Vries", "Respondent A"), ("Jan", "R-B")])
    text = "Hallo JAN de  vries! Jansen zei: jan_2019 en jan."
    out, omap = k.apply(text)
    assert out == "Hallo Respondent A! Jansen zei: R-B_2019 en R-B."
    s = text.index("Jansen")
    a, b = omap.span(s, s + len("Jansen"))
    assert out[a:b] == "Jansen"  # untouched words keep their text through the map
    s = text.index("de  vries")  # a span that cuts into a name is widened to the whole pseudonym
    a, b = omap.span(s, s + 4)
    assert out[a:b] == "Respondent A"
    assert omap.span(0, len(text)) == (0, len(out))


def test_empty_key_is_the_identity():
    out, omap = Key([]).apply("Piet en Klaas")
    assert out == "Piet en Klaas" and omap == OffsetMap()
    assert omap.span(3, 7) == (3, 7)


def test_entries_that_could_spell_a_real_name_are_refused():
    with pytest.raises(ValidationError, match="shares no word"):
        check_entry([], "Jan Smit", "Jan B.", "person")
    with pytest.raises(ValidationError, match="shares no word"):
        check_entry([Entry("Bob", "Al")], "Al Smith", "P2", "person")  # "Bob Smith" would become "Al Smith"
    with pytest.raises(ValidationError, match="no letters"):
        check_entry([], "  ", "P1", "person")
    with pytest.raises(ValidationError, match="unknown kind"):
        check_entry([], "Jan", "P1", "alien")


# ---- properties -------------------------------------------------------------------------------------------
NAME_WORD = st.text(alphabet="abcdeéJKLMNÖ", min_size=1, max_size=5)
FILLER = st.text(alphabet="abcdeéJKLMNÖ xyz.,-_\n0123", max_size=12)


@st.composite
def key_and_text(draw):
    reals = draw(st.lists(st.lists(NAME_WORD, min_size=1, max_size=2).map(" ".join), min_size=1, max_size=4,
                          unique_by=str.casefold))
    entries: list[Entry] = []
    for i, real in enumerate(reals):
        entry = Entry(real, f"P{i}q", "person")  # pseudonym words never share a word with the names
        try:
            check_entry(entries, entry.real, entry.pseudonym, entry.kind)
        except ValidationError:
            continue
        entries.append(entry)
    parts = draw(st.lists(st.one_of(FILLER, st.sampled_from(reals).map(
        lambda r: draw(st.sampled_from([r, r.upper(), r.lower()])))), max_size=10))
    return Key(entries), "".join(parts)


@settings(max_examples=300, deadline=None)
@given(key_and_text(), st.data())
def test_no_real_name_survives_and_untouched_text_maps_exactly(case, data):
    k, text = case
    out, omap = k.apply(text)
    assert k.found(out) == []  # no entry of the key occurs in the published text, whole-word
    assert omap.span(0, len(text)) == (0, len(out))
    n = len(text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    a, b = omap.span(start, end)
    assert 0 <= a <= b <= len(out)
    touched = [s for s in omap.spans if s[0] < end and start < s[1]]
    if not touched:
        assert out[a:b] == text[start:end]
    for s in touched:  # a replacement the span touches is published whole: no fragment of a real name
        assert a <= s[2] and s[3] <= b
    # the map is monotone
    assert all(omap.start(i) <= omap.start(i + 1) for i in range(n))


@settings(max_examples=200, deadline=None)
@given(key_and_text())
def test_published_quote_equals_the_replaced_quote_when_names_are_whole(case):
    k, text = case
    out, omap = k.apply(text)
    for m in re.finditer(r"[^.,\n]+", text):  # spans that end on separators hold names whole
        a, b = omap.span(m.start(), m.end())
        piece = text[m.start():m.end()]
        if all(not (s[0] < m.end() and m.start() < s[1]) or (m.start() <= s[0] and s[1] <= m.end())
               for s in omap.spans):
            assert out[a:b] == k.apply(piece)[0]


# ---- the key in a project ---------------------------------------------------------------------------------
def test_key_in_project_is_logged_undoable_and_validated(project):
    add_pseudonym(project, "Jan  de Vries", "Respondent A")
    add_pseudonym(project, "Lichtboog", "School X", kind="school")
    frame = pseudonyms(project)
    assert list(frame["real"]) == ["Jan de Vries", "Lichtboog"]
    assert list(frame["kind"]) == ["person", "school"]
    add_pseudonym(project, "Jan de Vries", "Respondent Z")  # changing an entry
    assert key(project).replace("jan de vries") == "Respondent Z"
    with pytest.raises(ConflictError, match="ignores case"):
        add_pseudonym(project, "LICHTBOOG", "School Y", kind="school")
    with pytest.raises(ValidationError):
        add_pseudonym(project, "Piet", "Piet B.")
    assert len(pseudonyms(project)) == 2  # refused entries left nothing behind
    project.undo("researcher")
    assert key(project).replace("Jan de Vries") == "Respondent A"
    remove_pseudonym(project, "lichtboog")
    assert list(pseudonyms(project)["real"]) == ["Jan de Vries"]
    with pytest.raises(NotFound):
        remove_pseudonym(project, "Nobody")


def test_private_attributes_setting(project):
    assert private_attributes(project) == []
    assert set_private_attributes(project, ["age"]) == ["age"]
    assert private_attributes(project) == ["age"]
    with pytest.raises(NotFound, match="known attributes"):
        set_private_attributes(project, ["shoe_size"])
    assert private_attributes(project) == ["age"]


def test_name_like_words_warns_about_names_the_key_misses():
    k = Key([("Jan", "P1")])
    quotes = ["Toen zei Jan dat Marieke het wist.", "Wij gaan naar Philips. En dan ICT."]
    warn = name_like_words(quotes, k, allow=["Philips"])
    assert list(warn["word"]) == ["Marieke"]  # not 'Toen'/'En' (sentence start), not ICT, not Jan, not Philips


def test_cli_add_list_remove(project):
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "workbench", "pseudonyms", "-p", str(project.root), *args],
                              capture_output=True, text=True)

    project.engine.dispose()
    assert cli("add", "Jan de Vries", "Respondent A").returncode == 0
    listed = cli("list")
    assert listed.returncode == 0 and "Jan de Vries" in listed.stdout and "Respondent A" in listed.stdout
    bad = cli("add", "Piet", "Piet B.")
    assert bad.returncode == 4 and "fix:" in bad.stderr
    assert cli("remove", "jan de vries").returncode == 0
    assert "Jan de Vries" not in cli("list").stdout
    gone = cli("remove", "Jan de Vries")
    assert gone.returncode == 5 and "no pseudonym" in gone.stderr
