"""Typed attribute values: stored as text, parsed by the attribute's declared type."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

TYPES = ("text", "integer", "float", "boolean", "date")
_TRUE = {"true", "yes", "ja", "1", "y", "waar"}
_FALSE = {"false", "no", "nee", "0", "n", "onwaar"}


def pd_na() -> object:
    """pandas' missing-value marker, without importing pandas at module load."""
    import pandas as pd

    return pd.NA


def parse_value(text: str | None, typ: str) -> Any:
    """Parse stored/imported text into a Python value; raise ValueError with a readable reason."""
    if text is None or text is pd_na() or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == "":
        return None
    text = str(text).strip()
    if typ == "text":
        return text
    if typ == "integer":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
        if not number.is_integer():
            raise ValueError(f"{text!r} is not a whole number")
        return int(number)
    if typ == "float":
        try:
            return float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if typ == "boolean":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f"{text!r} is not yes/no (true/false, ja/nee, 1/0)")
    if typ == "date":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    raise ValueError(f"unknown attribute type {typ!r}; use one of {', '.join(TYPES)}")


def format_value(value: Any, typ: str) -> str | None:
    """The canonical text stored for a parsed value."""
    if value is None:
        return None
    if typ == "boolean":
        return "true" if value else "false"
    if typ == "date":
        return value.isoformat()
    return str(value)


def infer_type(values: list[str]) -> str:
    """The narrowest type that parses every non-empty value (a new attribute's type)."""
    present = [v for v in values if v is not None and str(v).strip() != ""]
    if not present:
        return "text"
    for typ in ("integer", "float", "date"):
        try:
            for v in present:
                parse_value(v, typ)
            return typ
        except ValueError:
            continue
    lows = {str(v).strip().lower() for v in present}
    if lows <= {"true", "false", "yes", "no", "ja", "nee"}:
        return "boolean"
    return "text"
