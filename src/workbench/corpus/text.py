"""Canonical text: the ground truth that every offset in the workbench points into.

Convention (see docs/ARCHITECTURE.md): offsets are Unicode code points into text that is NFC-normalised,
has `\\n` newlines only and no byte-order mark. Python `str` indices are code points, so `text[start:end]`
is always the quoted text of a coding.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from pathlib import Path

from ..errors import SourceError

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# Legacy encodings we accept when a file is not UTF-8, most likely first (Dutch, German, French text). Latin-1
# (ISO-8859-1) text is cp1252 text: the two differ only in 0x80-0x9F, control codes in Latin-1 that no text
# file contains, so a Latin-1 file decodes identically as cp1252 and is reported as such.
_LEGACY = ["cp1252", "iso8859_15", "mac_roman", "cp850"]
# Characters a Western European text plausibly contains outside ASCII.
_PLAUSIBLE = set("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïñòóôõöøùúûüýþÿŒœŠšŽžŸ"
                 "€‘’‚“”„–—…•°«»¡¿£§©®·½¼¾²³µ¢¥™†")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def canonicalize(text: str) -> str:
    """NFC-normalise, turn CRLF/CR into LF and drop a leading BOM."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def content_hash(text: str) -> str:
    """SHA-256 of the canonical text's UTF-8 bytes: the identity used to detect duplicate documents."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: every other byte is NUL in mostly-ASCII text."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes, where: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to canonical text and name the encoding used.

    Order: explicit encoding, BOM, UTF-16 without BOM, strict UTF-8, then the most plausible legacy
    encoding. Binary data (NUL bytes in a non-UTF-16 file) is refused rather than decoded into garbage.
    """
    where = str(where)
    if encoding:
        try:
            return canonicalize(data.decode(encoding)), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"cannot decode as {encoding}: {exc}", where=where,
                              fix="leave out the encoding to detect it, or name the right one") from exc
    if not data or data.isspace():
        raise SourceError("the file is empty", where=where, fix="check that the right file was exported")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _text(data.decode(name), where), name
            except UnicodeDecodeError as exc:
                raise SourceError(f"starts with a {name} byte-order mark but byte {exc.start} is invalid",
                                  where=where, fix="re-save the file as UTF-8") from exc
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return _text(data.decode(utf16), where), utf16
        except UnicodeDecodeError:
            pass
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    else:
        _refuse_if_ambiguous(data, decoded, where)
        return _text(decoded, where), "utf-8"
    if b"\x00" in data:
        _maybe_utf16(data, where)
        _binary(where)
    best = _legacy(data)
    if best is None:
        _maybe_utf16(data, where)
        line = data.count(b"\n", 0, first_bad) + 1
        raise SourceError(f"not UTF-8 (invalid byte at offset {first_bad}, line {line}) and no known encoding fits",
                          where=where, fix="re-save the file as UTF-8 or pass encoding=...")
    text, name = best
    return canonicalize(text), name


_NOT_ALNUM = re.compile(r"[\W_]+")


def _letter_share(text: str, sample: int = 2048) -> float:
    """Share of letters and digits among the visible characters of the text's start (C-speed string
    operations: a long transcript is judged by its first page, as a reader would)."""
    head = text[:sample]
    visible = len(head) - sum(head.count(c) for c in " \n\t\r\x0b\x0c")
    letters = len(_NOT_ALNUM.sub("", head))
    return letters / visible if visible else 1.0


def _one_script(text: str) -> bool:
    """Plausible text of one script: no controls, unassigned or private-use characters, and nine in ten
    visible characters of one kind (the first word of their Unicode name: CYRILLIC, CJK, LINE ...).
    Bytes of another encoding read as UTF-16 give a mix (CJK, GURMUKHI, DAGGER ...)."""
    kinds: dict[str, int] = {}
    visible = 0
    for c in text:
        if c in "\n\t\r " or unicodedata.category(c) in ("Zs", "Zl", "Zp") and c not in "\u2028\u2029":
            continue
        cat = unicodedata.category(c)
        if cat[0] == "C":
            return False
        visible += 1
        word = unicodedata.name(c, "?").split()[0]
        kinds[word] = kinds.get(word, 0) + 1
    return visible > 0 and max(kinds.values()) >= 0.9 * visible


def _utf16_reading(data: bytes) -> str | None:
    """The UTF-16 byte orders under which `data` reads as plausible text (letters, digits, marks,
    spaces, punctuation; no controls, unassigned or private-use characters) ("utf-16-le", "utf-16-le or utf-16-be"), or None."""
    if len(data) < 2 or len(data) % 2:
        return None
    fits = []
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _one_script(text):
            fits.append(name)
    return " or ".join(fits) or None


def _maybe_utf16(data: bytes, where: str) -> None:
    guess = _utf16_reading(data)
    if guess:
        raise SourceError(f"not UTF-8; it may be {guess} without a byte-order mark, but that cannot be told "
                          "for sure", where=where, fix=f"pass --encoding {guess.split(' or ')[0]} (encoding=...) "
                          "if that is right, or re-save the file as UTF-8")


def _refuse_if_ambiguous(data: bytes, decoded: str, where: str) -> None:
    """Valid UTF-8 that is hardly text (few letters) but reads as text in UTF-16 is not guessed at:
    `"\\u2028\\u2028"` in UTF-16 is the valid UTF-8 `( ( `."""
    if _letter_share(decoded) >= 0.5 and not _CONTROL.search(decoded):
        return
    guess = _utf16_reading(data)
    if guess:
        first = guess.split(" or ")[0]
        raise SourceError(f"cannot tell the encoding: the bytes read as UTF-8 ({decoded[:20]!r}) and as "
                          f"{first} ({data.decode(first)[:20]!r})", where=where,
                          fix=f"pass --encoding utf-8 or --encoding {guess} (encoding=...)")


def _binary(where: str) -> None:
    raise SourceError("looks like a binary file, not text (contains NUL bytes)", where=where,
                      fix="export the document as .txt, .docx or .pdf")


def _text(decoded: str, where: str) -> str:
    """Canonical text of a detected decoding; NUL characters mean it was not text after all."""
    if "\x00" in decoded:
        _binary(where)
    return canonicalize(decoded)


def _plausibility(text: str) -> int:
    """How much a decoding looks like Western European text: letters where letters belong.

    Each non-ASCII character scores +1 if it is a likely letter or sign in its place, -2 if it is out of
    place (a capital after a small letter: 'cafÈ', 'fŸr'; a sign inside a word: 'idee‘n', 'na•ve'), -1 if
    it is unlikely anywhere (box drawing, rare symbols).
    """
    score = 0
    n = len(text)
    for m in _NON_ASCII.finditer(text):
        i = m.start()
        c = text[i]
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < n else " "
        if c not in _PLAUSIBLE:
            score -= 1
        elif c.isalpha():
            score += -2 if c.isupper() and before.isalpha() and (before.islower() or after.islower()) else 1
        else:
            score += -2 if before.isalpha() and after.isalpha() and c != "\u2019" else 1
    return score


def _legacy(data: bytes) -> tuple[str, str] | None:
    """The most plausible decoding among _LEGACY (ties go to the earlier one), or None if none is text.

    Western European text is mostly ASCII: a decoding with more than half of its visible characters
    outside ASCII is another script (Cyrillic, Greek: not ours to guess) or binary, and is refused.
    """
    best = None
    visible = len(data) - sum(data.count(c) for c in b" \t\r\n")
    outside = len(data) - len(data.translate(None, _HIGH_BYTES))
    if outside * 2 > visible:
        return None
    for rank, name in enumerate(_LEGACY):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            continue
        score = _plausibility(text)
        if score < 0:
            continue
        key = (score, -rank)
        if best is None or key > best[0]:
            best = (key, text, name)
    return None if best is None else (best[1], best[2])


def read_text_file(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Read a file as canonical text; errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    return decode(data, path, encoding)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code-point offset, for error messages."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
