"""YAML from untrusted files (front matter, codebooks) with limits, and checks for text we cannot store.

`yaml.safe_load` is safe from code execution but not from alias bombs: a 400-byte document whose anchors
refer to each other expands to billions of nodes when walked (JSON-encoded, printed, stored). Here a
document may use at most `MAX_ALIASES` aliases and expand to at most `MAX_NODES` values; beyond that it
is refused before anything walks it. Lone surrogates (`"\\ud800"` escapes in YAML or JSON, non-UTF-8
file names) cannot be encoded as UTF-8 and so cannot be stored: `find_surrogate` finds them first.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_ALIASES = 100
MAX_NODES = 100_000
_SURROGATE = re.compile("[\ud800-\udfff]")


class YamlLimitError(ValueError):
    """The document uses more aliases, or expands to more values, than any real one needs."""


class LimitedLoader(yaml.SafeLoader):
    """A SafeLoader that counts aliases while composing."""

    def __init__(self, stream: Any):
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlLimitError(f"more than {MAX_ALIASES} aliases (*name), at line {mark.line + 1}")
        return super().compose_node(parent, index)


def expanded_size(value: Any, limit: int = MAX_NODES) -> int:
    """How many values `value` holds once aliases are expanded; raises YamlLimitError beyond `limit`."""
    count = 0
    todo = [value]
    while todo:
        v = todo.pop()
        count += 1
        if count > limit:
            raise YamlLimitError(f"expands to more than {limit:,} values (aliases that repeat each other)")
        if isinstance(v, dict):
            todo.extend(v.keys())
            todo.extend(v.values())
        elif isinstance(v, list | tuple | set):
            todo.extend(v)
    return count


def load(text: str, loader: type[LimitedLoader] = LimitedLoader) -> Any:
    """Parse YAML with the limits above; raises yaml.YAMLError or YamlLimitError."""
    ld = loader(text)
    try:
        data = ld.get_single_data()
    finally:
        ld.dispose()
    expanded_size(data)
    return data


def find_surrogate(value: Any) -> str | None:
    """The first lone surrogate in any text inside `value` (as `\\udXXX`), or None."""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, str):
            m = _SURROGATE.search(v)
            if m:
                return f"\\u{ord(m.group()):04x}"
        elif isinstance(v, dict):
            todo.extend(v.keys())
            todo.extend(v.values())
        elif isinstance(v, list | tuple | set):
            todo.extend(v)
    return None


def printable(text: str) -> str:
    """`text` with lone surrogates written as escapes, so it can be printed and stored."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
