"""Stable GUIDs: the same project exported twice gives the same GUIDs, and imported GUIDs are kept.

Our own objects get a UUIDv5 of a stable key (`code:<id>`, `document:<content hash>`, `user:<coder>`,
`case:<name>`, `variable:<scope>:<name>`, `rq:<id>`, `memo:<id>`) in a per-project namespace.
Selections and codings are UUIDv5s of their parts' GUIDs, so they match across projects too. GUIDs read
from an imported file are stored in the `refi.guids` setting and win over derived ones, so a project
that came from NVivo goes back with NVivo's GUIDs.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from ...store.project import Project

SETTING = "refi.guids"
_WORKBENCH = uuid.UUID("5b0e7a3c-2f61-5d0a-9c57-0f1e2d3c4b5a")
_SEED = hashlib.sha1(_WORKBENCH.bytes, usedforsecurity=False)
_VARIANT = {f"{n:x}": f"{(n & 0x3) | 0x8:x}" for n in range(16)}  # RFC 4122 variant bits


class Guids:
    def __init__(self, project: Project):
        self.known: dict[str, str] = dict(project.setting(SETTING, {}) or {})
        self.namespace = uuid.uuid5(_WORKBENCH, f"project:{project.name}")
        self.issued: dict[str, str] = {}  # GUID -> the key it was given to in this export

    def of(self, kind: str, key: Any) -> str:
        """The object's GUID: remembered from an import, else derived; never one already given to another."""
        name = f"{kind}:{key}"
        g = self.known.get(name)
        if g is None or self.issued.setdefault(g, name) != name:
            g = str(uuid.uuid5(self.namespace, name))
            self.issued[g] = name
        return g

    @staticmethod
    def derived(*parts: Any) -> str:
        """uuid5(_WORKBENCH, "a/b/c"): the GUID of an object made of others (a selection, a coding)."""
        return derived_key("/".join(map(str, parts)))


def derived_key(key: str) -> str:
    """uuid5(_WORKBENCH, key) without uuid.UUID's overhead: an export derives two per coding."""
    h = _SEED.copy()
    h.update(key.encode("utf-8"))
    x = h.hexdigest()
    return f"{x[:8]}-{x[8:12]}-5{x[13:16]}-{_VARIANT[x[16]]}{x[17:20]}-{x[20:32]}"


def remember(project: Project, actor: str, mapping: dict[str, str]) -> None:
    """Merge imported GUIDs into the project's map (one small logged setting change)."""
    if not mapping:
        return
    current = dict(project.setting(SETTING, {}) or {})
    if all(current.get(k) == v for k, v in mapping.items()):
        return
    current.update(mapping)
    with project.transaction(actor, "refi.guids", summary=f"remember {len(mapping)} REFI-QDA GUIDs") as tx:
        project.set_setting(tx, SETTING, current)
