"""The pseudonym key and its replacement, applied at publication through an offset map.

Documents are immutable and every coding indexes the canonical text, so names are never rewritten in the
database: a published text is `Key.apply(text)`, and the `OffsetMap` it returns carries each coding's
span over to the published text. Matching is whole-word (a word is a run of letters and digits, so
`jansen_2019.txt` contains the word `jansen`) and case-insensitive; several words of one entry match
across any run of whitespace. Longer entries win over shorter ones and the text is scanned once.

Safety rule checked when an entry is added: no word of a pseudonym may be a word of a real name (and the
other way round), so a replacement can never spell out a real name from the key.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ConflictError, NotFound, ValidationError
from ..store import publish as store

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

KINDS = ("person", "school", "organisation", "place", "other")
_WORD = re.compile(r"[^\W_]+")
_BEFORE, _AFTER = r"(?<![^\W_])", r"(?![^\W_])"


def words(text: str) -> list[str]:
    """The words of a text, as matching sees them (runs of letters and digits)."""
    return _WORD.findall(text)


def _pattern(real: str) -> str:
    return r"\s+".join(re.escape(w) for w in real.split())


@dataclass(frozen=True)
class OffsetMap:
    """Code-point offsets of an original text -> offsets of its published text.

    `spans` holds each replacement as (old_start, old_end, new_start, new_end), in text order. A span that
    cuts into a replaced name is widened to the whole pseudonym, so no fragment of a real name survives.
    """

    spans: tuple[tuple[int, int, int, int], ...] = ()
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(s[0] for s in self.spans))

    def _shift(self, i: int) -> int:
        """Offset change after the first i replacements."""
        if i == 0:
            return 0
        os_, oe, ns, ne = self.spans[i - 1]
        return ne - oe

    def start(self, pos: int) -> int:
        i = bisect.bisect_right(self._starts, pos)  # replacements starting at or before pos
        if i and pos < self.spans[i - 1][1]:
            return self.spans[i - 1][2]  # inside a replacement (or at its start): its new start
        return pos + self._shift(i)

    def end(self, pos: int) -> int:
        i = bisect.bisect_left(self._starts, pos)  # replacements starting before pos
        if i and pos < self.spans[i - 1][1]:
            return self.spans[i - 1][3]  # inside a replacement: widen to its new end
        return pos + self._shift(i)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), max(self.start(start), self.end(end))


@dataclass(frozen=True)
class Entry:
    real: str
    pseudonym: str
    kind: str = "person"


class Key:
    """A pseudonym key: replaces every entry, whole-word and case-insensitive, in one scan."""

    def __init__(self, entries: Iterable[Entry | tuple[str, str] | dict]):
        items: list[Entry] = []
        for e in entries:
            if isinstance(e, Entry):
                items.append(e)
            elif isinstance(e, dict):
                items.append(Entry(e["real"], e["pseudonym"], e.get("kind", "person")))
            else:
                items.append(Entry(*e))
        self.entries = sorted(items, key=lambda e: (-len(e.real), e.real.casefold()))
        self._by_fold: dict[str, str] = {}
        self._regex: re.Pattern[str] | None = None
        if self.entries:
            alternatives = "|".join(f"(?:{_pattern(e.real)})" for e in self.entries)
            self._regex = re.compile(f"{_BEFORE}(?:{alternatives}){_AFTER}", re.IGNORECASE)
            self._singles = [re.compile(f"{_BEFORE}{_pattern(e.real)}{_AFTER}", re.IGNORECASE)
                             for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def _entry_for(self, matched: str) -> Entry:
        for entry, rx in zip(self.entries, self._singles, strict=True):
            if rx.fullmatch(matched):
                return entry
        raise AssertionError(f"no key entry matches {matched!r}")  # pragma: no cover - regex built from entries

    def apply(self, text: str) -> tuple[str, OffsetMap]:
        """The published text and the map from original offsets to published ones."""
        if self._regex is None:
            return text, OffsetMap()
        out: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        at = new_len = 0
        for m in self._regex.finditer(text):
            out.append(text[at:m.start()])
            new_len += m.start() - at
            pseudonym = self._entry_for(m.group(0)).pseudonym
            spans.append((m.start(), m.end(), new_len, new_len + len(pseudonym)))
            out.append(pseudonym)
            new_len += len(pseudonym)
            at = m.end()
        out.append(text[at:])
        return "".join(out), OffsetMap(tuple(spans))

    def replace(self, text: str | None) -> str | None:
        """Text with every key entry replaced (None stays None: missing attribute values)."""
        if text is None or self._regex is None:
            return text
        return self.apply(text)[0]

    def found(self, text: str) -> list[str]:
        """Real names of the key that occur in `text` (whole-word, case-insensitive)."""
        if self._regex is None:
            return []
        return sorted({self._entry_for(m.group(0)).real for m in self._regex.finditer(text)})

    def covers(self, word: str) -> bool:
        """Whether a word is a word of a real name or of a pseudonym (not worth a warning)."""
        w = word.casefold()
        return any(w in {x.casefold() for x in words(e.real) + words(e.pseudonym)} for e in self.entries)


def check_entry(entries: list[Entry], real: str, pseudonym: str, kind: str) -> None:
    """Refuse an entry that is empty or that could let a replacement spell a real name."""
    if not real.strip() or not words(real):
        raise ValidationError(f"the real name {real!r} has no letters or digits", where="pseudonym key",
                              fix="give the name as it appears in the transcripts")
    if not pseudonym.strip() or not words(pseudonym):
        raise ValidationError(f"the pseudonym {pseudonym!r} for {real!r} has no letters or digits",
                              where="pseudonym key", fix="choose a pseudonym such as 'Respondent A'")
    if kind not in KINDS:
        raise ValidationError(f"unknown kind {kind!r} for {real!r}", where="pseudonym key",
                              fix=f"use one of {', '.join(KINDS)}")
    reals = [e.real for e in entries] + [real]
    fakes = [e.pseudonym for e in entries] + [pseudonym]
    real_words = Key((r, "x") for r in {w for r in reals for w in words(r)})
    for fake in fakes:
        if hit := real_words.found(fake):
            raise ValidationError(f"pseudonym {fake!r} contains {', '.join(hit)}, a word of a real name in the key",
                                  where="pseudonym key", fix="choose a pseudonym that shares no word with a real name")


# ---- the key in a project ------------------------------------------------------------------------------
def key(project: Project) -> Key:
    """The project's pseudonym key (never published)."""
    with project.read() as conn:
        return Key(store.key_rows(conn))


def pseudonyms(project: Project) -> pd.DataFrame:
    """real, pseudonym, kind - the key as a DataFrame (what `Project.pseudonyms` would return)."""
    with project.read() as conn:
        return pd.DataFrame(store.key_rows(conn), columns=["real", "pseudonym", "kind"])


def add_pseudonym(project: Project, real: str, pseudonym: str, kind: str = "person", *,
                  actor: str = "researcher") -> None:
    """Add (or change) a key entry; undoable like any other action of `actor`."""
    real, pseudonym = " ".join(real.split()), " ".join(pseudonym.split())
    with project.transaction(actor, "pseudonym.add", summary=f"pseudonym for an entry of kind {kind}") as tx:
        rows = store.key_rows(tx.conn)
        same = [r for r in rows if r["real"].casefold() == real.casefold()]
        others = [Entry(**r) for r in rows if r not in same]
        check_entry(others, real, pseudonym, kind)
        if same and same[0]["real"] != real:
            raise ConflictError(f"the key already has {same[0]['real']!r} (matching ignores case)",
                                where="pseudonym key", fix=f"remove {same[0]['real']!r} first, or change it")
        if same:
            store.update_key(tx, real, pseudonym, kind)
        else:
            store.add_key(tx, real, pseudonym, kind)


def remove_pseudonym(project: Project, real: str, *, actor: str = "researcher") -> None:
    with project.transaction(actor, "pseudonym.remove") as tx:
        match = [r for r in store.key_rows(tx.conn) if r["real"].casefold() == " ".join(real.split()).casefold()]
        if not match:
            raise NotFound(f"no pseudonym for {real!r}", where="pseudonym key",
                           fix="see `workbench pseudonyms list`")
        store.remove_key(tx, match[0]["real"])


def private_attributes(project: Project) -> list[str]:
    """Attributes left out of every publication (e.g. interview dates, contact details)."""
    return list(project.setting(store.PRIVATE_SETTING, []) or [])


def set_private_attributes(project: Project, names: Iterable[str], *, actor: str = "researcher") -> list[str]:
    known = set(project.attributes()["name"])
    names = sorted({str(n) for n in names})
    unknown = [n for n in names if n not in known]
    if unknown:
        raise NotFound(f"no attribute {', '.join(map(repr, unknown))}", where="private attributes",
                       fix=f"known attributes: {', '.join(sorted(known))}")
    with project.transaction(actor, "settings.private_attributes") as tx:
        project.set_setting(tx, store.PRIVATE_SETTING, names)
    return names


# ---- warnings -------------------------------------------------------------------------------------------
_CAPITALISED = re.compile(r"(?<![^\W_])([^\W\d_][^\W_]*)")
_SENTENCE_END = re.compile(r"[.!?:;\"'‘’“”(\[]\s*$|^\s*$")


def name_like_words(texts: Iterable[str], key_: Key, allow: Iterable[str] = ()) -> pd.DataFrame:
    """Capitalised words inside sentences that the key does not cover: maybe names it misses.

    A heuristic for the researcher's eye, not a guarantee: sentence-initial words and all-capital
    abbreviations are skipped, and so are the words in `allow` (case names, place names checked by hand).
    """
    allowed = {a.casefold() for a in allow}
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for text in texts:
        for m in _CAPITALISED.finditer(text):
            word = m.group(1)
            if not word[0].isupper() or word.isupper() or len(word) < 2:
                continue
            if _SENTENCE_END.search(text[max(0, m.start() - 3):m.start()]):
                continue
            if word.casefold() in allowed or key_.covers(word):
                continue
            counts[word] += 1
            examples.setdefault(word, text[max(0, m.start() - 30):m.end() + 30])
    rows = [{"word": w, "count": n, "example": examples[w]} for w, n in counts.most_common()]
    return pd.DataFrame(rows, columns=["word", "count", "example"])
