"""Map a REFI source's positions to code points in our canonical text.

Tools count differently (../shared/standards/refi-qda/NOTES.md §3.1): NVivo counts UTF-16 code units
(an emoji is 2) with CR and LF each 1; ATLAS.ti and MAXQDA count a CRLF as one position; QualCoder and
the workbench count code points. The BOM is never counted. Our canonical text (corpus/text.py) drops
the BOM, turns CRLF/CR into LF and is NFC-normalised, so a position goes: source units -> index in the
raw text -> index in the canonical text.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

from ...corpus.text import canonicalize


@dataclass(frozen=True)
class Unit:
    """How a tool counts positions: `utf16` code units or code points; a CRLF as one position or two."""

    utf16: bool = False
    crlf_as_one: bool = False

    @property
    def label(self) -> str:
        base = "UTF-16 code units" if self.utf16 else "code points"
        return base + (", CRLF counted once" if self.crlf_as_one else "")


CODE_POINTS = Unit()
NVIVO = Unit(utf16=True)
CRLF_ONE = Unit(crlf_as_one=True)


def unit_for(origin: str | None) -> Unit:
    """The counting convention of the tool named in `Project@origin` (code points when unknown)."""
    low = (origin or "").lower()
    if "nvivo" in low:
        return NVIVO
    if "atlas" in low or "maxqda" in low:
        return CRLF_ONE
    return CODE_POINTS


class OffsetMap:
    """Positions of one source text in `unit`, mapped to the canonical text's code points."""

    def __init__(self, raw: str, unit: Unit = CODE_POINTS):
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        self.unit = unit
        self.canonical = canonicalize(raw)
        self._units: list[int] | None = None  # unit position of each raw index (+ the end), when not identity
        astral = unit.utf16 and bool(raw) and max(raw) > "\uffff"
        crlf = "\r\n" in raw
        if astral or (crlf and unit.crlf_as_one):
            pos, units = 0, []
            for i, c in enumerate(raw):
                units.append(pos)
                width = 2 if unit.utf16 and ord(c) > 0xFFFF else 1
                if unit.crlf_as_one and c == "\r" and raw.startswith("\n", i + 1):
                    width = 0
                pos += width
            units.append(pos)
            self._units = units
        self.length = self._units[-1] if self._units is not None else len(raw)
        # CRs of CRLF pairs, removed in the canonical text
        self._crs = _find_all(raw, "\r\n") if crlf else []
        lf = raw.replace("\r\n", "\n").replace("\r", "\n")
        self._nfc: _NfcMap | None = None if unicodedata.is_normalized("NFC", lf) else _NfcMap(lf)

    def raw_index(self, position: int) -> tuple[int, bool]:
        """(raw code-point index, exact): inexact when the position splits a surrogate pair."""
        if self._units is None:
            return position, True
        i = bisect.bisect_left(self._units, position)
        return i, self._units[i] == position

    def to_canonical(self, position: int) -> tuple[int, bool]:
        """(canonical code-point index, exact) of a source position with 0 <= position <= length."""
        raw, exact = self.raw_index(position)
        lf = raw - bisect.bisect_left(self._crs, raw)  # CRs strictly before `raw` are gone
        if self._nfc is None:
            return lf, exact
        index, nfc_exact = self._nfc.map(lf)
        return index, exact and nfc_exact

    def source_slice(self, start: int, end: int) -> str:
        """The source's own text at its positions, read in its own unit."""
        a, _ = self.raw_index(start)
        b, _ = self.raw_index(end)
        return self.raw[a:b]

    def source_text(self, start: int, end: int) -> str:
        """The source's own slice as it reads in canonical form: what the mapped selection must equal."""
        a, _ = self.raw_index(start)
        b, _ = self.raw_index(end)
        piece = self.raw[a:b]
        if piece.endswith("\r") and self.raw.startswith("\n", b):
            piece = piece[:-1]  # a CRLF cut in two: the CR alone is not a line break of its own
        return comparable(piece)


def comparable(text: str) -> str:
    """Raw text as it reads in canonical form: CRLF and lone CR as LF, NFC."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _find_all(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at != -1:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


class _NfcMap:
    """Index map from LF-only text to its NFC form, chunked at characters that never compose backwards."""

    def __init__(self, text: str):
        starts = [0]
        for i in range(1, len(text)):
            c = text[i]
            if unicodedata.combining(c) == 0 and not _composes(text[i - 1], c):
                starts.append(i)
        starts.append(len(text))
        self._src = starts
        self._dst = [0]
        total = 0
        for a, b in zip(starts, starts[1:], strict=False):
            total += len(unicodedata.normalize("NFC", text[a:b]))
            self._dst.append(total)

    def map(self, index: int) -> tuple[int, bool]:
        k = bisect.bisect_right(self._src, index) - 1
        if self._src[k] == index:
            return self._dst[k], True
        return self._dst[k], False  # inside a composed cluster: snap to its start


def _composes(a: str, b: str) -> bool:
    """Whether NFC may join `b` (a starter) onto `a`: Hangul jamo, and the rare starter pairs."""
    return unicodedata.normalize("NFC", a + b) != unicodedata.normalize("NFC", a) + unicodedata.normalize("NFC", b)
