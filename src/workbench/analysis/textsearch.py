"""Text search over the corpus: regex search, keyword-in-context, and word frequencies.

Offsets are code points into the canonical text, as everywhere. Transcripts are searched in full, but
each hit carries its turn's speaker, so `speakers=` / `exclude_speakers=` filter hits the way units do.
Word frequencies count speech only (units of kind "turn": no timestamps or speaker labels) and leave out
the interviewer by default, with Dutch and English stop words removed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import pandas as pd

from ..corpus.units import interviewer_labels, keep_speaker, speaker_at
from ..corpus.units import units as project_units
from ..errors import ValidationError
from ..store.project import Project

# Function words only (articles, pronouns, prepositions, conjunctions, auxiliaries, common adverbs).
DUTCH_STOP_WORDS = frozenset(["aan", "al", "alle", "alles", "als", "altijd", "ander", "andere", "anders", "ben", "bij", "bijna", "daar", "daarna", "daarom", "dan", "dat", "de", "deze", "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "eigenlijk", "en", "er", "erg", "ga", "gaan", "gaat", "gedaan", "geen", "gehad", "geweest", "gewoon", "gij", "had", "hadden", "heb", "hebben", "hebt", "heeft", "hem", "hen", "het", "hier", "hij", "hoe", "hoor", "hun", "iemand", "iets", "ik", "in", "is", "ja", "je", "jij", "jou", "jouw", "jullie", "kan", "kon", "kunnen", "kun", "maar", "me", "meer", "men", "met", "mij", "mijn", "moet", "moeten", "na", "naar", "nee", "niet", "niets", "nog", "nu", "of", "om", "omdat", "ons", "onze", "ook", "op", "over", "heel", "toch", "toen", "tot", "u", "uit", "uw", "van", "veel", "voor", "want", "waren", "was", "wat", "we", "wel", "welk", "welke", "werd", "wie", "wij", "wil", "worden", "wordt", "zal", "ze", "zei", "zelf", "zich", "zij", "zijn", "zo", "zoals", "zou", "zouden", "zullen", "zo'n", "echt", "even", "best", "beetje", "natuurlijk", "misschien", "dingen", "ding", "soort", "eh", "uh", "hè", "nou", "oké", "ok", "zeg", "zeggen", "zegt", "daarvan", "daarin", "daarmee", "waar", "waarin", "waarom", "te", "hierbij", "ermee", "erin", "tegen", "onder", "tussen", "tijdens", "zonder", "binnen", "buiten", "boven", "af", "weer", "steeds", "vaak", "soms", "mee"])

ENGLISH_STOP_WORDS = frozenset(["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "also", "et", "al", "may", "might", "must", "shall", "upon", "within", "without", "however", "thus", "therefore", "whether", "yet", "via", "i.e", "e.g"])

STOP_WORDS = {"nl": DUTCH_STOP_WORDS, "en": ENGLISH_STOP_WORDS}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise ValidationError(f"invalid regular expression {pattern!r}: {exc}", where="wb.search(pattern=)",
                              fix="escape special characters (re.escape) or fix the pattern") from None


def search(project: Project, pattern: str, *, documents: Iterable[str] | None = None,
           kinds: Iterable[str] | None = None, speakers: Iterable[str] | None = None,
           exclude_speakers: Iterable[str] | None = (), ignore_case: bool = True, context: int = 60) -> pd.DataFrame:
    """Every regex match: document, case, start, end, match, speaker, left and right context."""
    regex = _compile(pattern, ignore_case)
    include = {s.casefold() for s in speakers} if speakers is not None else None
    exclude = {s.casefold() for s in (interviewer_labels(project) if exclude_speakers is None
                                      else exclude_speakers)}
    rows = []
    for doc in project.texts(documents, kinds=kinds):
        ordered = sorted(doc.turns, key=lambda t: t.start)
        for m in regex.finditer(doc.text):
            if m.end() == m.start():
                continue
            turn = speaker_at(ordered, m.start()) if ordered else None
            speaker = turn.speaker if turn else None
            if not keep_speaker(speaker, include, exclude):
                continue
            rows.append({"document": doc.name, "case": doc.case, "start": m.start(), "end": m.end(),
                         "match": m.group(0), "speaker": speaker,
                         "left": doc.text[max(0, m.start() - context):m.start()],
                         "right": doc.text[m.end():m.end() + context]})
    return pd.DataFrame(rows, columns=["document", "case", "start", "end", "match", "speaker", "left", "right"])


def kwic(project: Project, word: str, width: int = 40, *, whole_word: bool = True, **filters) -> pd.DataFrame:
    """A keyword-in-context concordance: left (right-aligned to `width`), keyword, right, per hit."""
    if not word or not word.strip():
        raise ValidationError("kwic needs a word", where="wb.kwic(word=)", fix="pass e.g. 'bedrijfsbezoek'")
    body = re.escape(word.strip())
    pattern = rf"(?<!\w){body}(?!\w)" if whole_word else body
    hits = search(project, pattern, context=width, **filters)
    flat = {"left": hits["left"].str.replace(r"\s+", " ", regex=True).str[-width:].str.rjust(width),
            "right": hits["right"].str.replace(r"\s+", " ", regex=True).str[:width]}
    return pd.DataFrame({"document": hits["document"], "start": hits["start"], "end": hits["end"],
                         "left": flat["left"], "keyword": hits["match"], "right": flat["right"],
                         "speaker": hits["speaker"]})


def tokens(text: str) -> list[str]:
    """Lower-cased words (letters, with inner apostrophes or hyphens); digits and punctuation dropped."""
    return _WORD.findall(text.casefold())


def word_frequencies(project: Project, documents: Iterable[str] | None = None, *,
                     kinds: Iterable[str] | None = None, speakers: Iterable[str] | None = None,
                     exclude_speakers: Iterable[str] | None = None, languages: Iterable[str] = ("nl", "en"),
                     stop_words: Iterable[str] = (), min_length: int = 2, top: int | None = None) -> pd.DataFrame:
    """Words by frequency in speech: word, count, documents (how many documents use it).

    Interviewer turns are left out by default (`exclude_speakers=()` keeps them); `languages` picks the
    stop-word lists ("nl", "en"; () for none) and `stop_words` adds your own.
    """
    unknown = [lang for lang in languages if lang not in STOP_WORDS]
    if unknown:
        raise ValidationError(f"no stop words for {unknown}", where="word_frequencies(languages=)",
                              fix=f"use any of {', '.join(STOP_WORDS)} or ()")
    stop = set().union(*(STOP_WORDS[lang] for lang in languages)) | {w.casefold() for w in stop_words}
    counts: Counter[str] = Counter()
    seen_in: dict[str, set[str]] = {}
    texts = {d.name: d.text for d in project.texts(documents, kinds=kinds)}
    for unit in project_units(project, "turn", list(texts), speakers=speakers, exclude_speakers=exclude_speakers):
        for w in tokens(texts[unit.document][unit.start:unit.end]):
            if len(w) < min_length or w in stop:
                continue
            counts[w] += 1
            seen_in.setdefault(w, set()).add(unit.document)
    frame = pd.DataFrame([(w, n, len(seen_in[w])) for w, n in counts.items()],
                         columns=["word", "count", "documents"])
    frame = frame.sort_values(["count", "word"], ascending=[False, True], ignore_index=True)
    return frame.head(top) if top is not None else frame
