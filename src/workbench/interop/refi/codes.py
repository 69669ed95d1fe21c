"""A code's fields in REFI-QDA terms: what the format has no place for travels in its Description.

REFI codes carry a name, a colour, codability and one Description. Ours also have an id, gloss,
use-when/not-when rules, an example, keywords and patterns; they are written as labelled paragraphs
after the definition and read back when the last paragraph is `Code id: ...` (other tools show the
paragraphs as text). A foreign code's whole description becomes its definition and its id is a slug.
"""

from __future__ import annotations

import json
import re
import unicodedata

from ...codebook.io import ID_RE, CodeSpec

_LABELS = {"gloss": "Gloss", "use_when": "Use when", "not_when": "Not when", "example": "Example",
           "keywords": "Keywords", "patterns": "Patterns", "id": "Code id"}
_BY_LABEL = {v: k for k, v in _LABELS.items()}
_SPLIT = re.compile(r"\n\n(?=(?:" + "|".join(re.escape(v) for v in _LABELS.values()) + r"): )")
_LABEL = re.compile(r"^(" + "|".join(re.escape(v) for v in _LABELS.values()) + r"): (.*)$", re.S)


def describe(c: CodeSpec) -> str:
    parts = [c.definition] if c.definition else []
    for key in ("gloss", "use_when", "not_when", "example"):
        value = getattr(c, key)
        if value:
            parts.append(f"{_LABELS[key]}: {value}")
    for key in ("keywords", "patterns"):
        value = getattr(c, key)
        if value:
            parts.append(f"{_LABELS[key]}: {json.dumps(value, ensure_ascii=False)}")
    parts.append(f"Code id: {c.id}")
    return "\n\n".join(parts)


def parse_description(text: str | None) -> dict[str, object]:
    """Fields of a description we wrote ({'definition': ...} alone for anyone else's)."""
    if not text:
        return {}
    text = text.replace("\r\n", "\n")
    chunks = _SPLIT.split(text)
    last = _LABEL.match(chunks[-1].strip())
    if not last or last.group(1) != "Code id":
        return {"definition": text.strip()}
    out: dict[str, object] = {}
    for i, chunk in enumerate(chunks):
        found = _LABEL.match(chunk)
        if found is None:
            if i:
                return {"definition": text.strip()}
            out["definition"] = chunk
            continue
        key = _BY_LABEL[found.group(1)]
        value = found.group(2)
        if key in ("keywords", "patterns"):
            try:
                items = json.loads(value)
            except ValueError:
                return {"definition": text.strip()}
            out[key] = [str(x) for x in items] if isinstance(items, list) else []
        else:
            out[key] = value.strip() if key == "id" else value
    return out


def slug(name: str, taken: set[str], prefix: str = "c") -> str:
    """A readable, valid, unused id for a foreign code or research question."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:60].strip("-") or "code"
    if not base[0].isalpha():
        base = f"{prefix}-{base}"
    candidate, n = base, 2
    while candidate in taken or not ID_RE.match(candidate):
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def colour(value: str | None) -> str | None:
    """#RGB or #RRGGBB as our #RRGGBB (case kept); anything else None."""
    if not value:
        return None
    v = value.strip()
    if re.match(r"^#[0-9a-fA-F]{3}$", v):
        return "#" + "".join(ch * 2 for ch in v[1:])
    return v if re.match(r"^#[0-9a-fA-F]{6}$", v) else None
