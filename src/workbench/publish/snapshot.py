"""A read-only snapshot of the project for publication: the pseudonymised content model, frozen.

The app and the static export read this file, never the working database, so what stakeholders see is
exactly what was reviewed, and a report says the event id it was taken at (`as_of_event`) and when. The
key and the private attributes are applied while the snapshot is taken: nothing in it needs hiding.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ConflictError, StorageError
from ..store import publish as store
from . import content, findings, sections
from .pseudonymise import Key, name_like_words

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

FOLDER = Path(".workbench") / "publish"


@dataclass
class Snapshot:
    """The published content model with the event id and time it was taken at."""

    model: dict[str, Any]
    as_of_event: int
    taken_at: str
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["word", "count", "example"]))

    def to_json(self) -> str:
        doc = {**self.model, "snapshot": {"as_of_event": self.as_of_event, "taken_at": self.taken_at}}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

    def save(self, path: str | Path) -> Path:
        """Write the snapshot atomically, read-only (0444): a published state is not edited in place."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            if tmp.exists():
                tmp.unlink()
            tmp.write_text(self.to_json(), encoding="utf-8")
            os.chmod(tmp, 0o444)
            if path.exists():
                path.unlink()
            tmp.replace(path)
        except OSError as exc:
            raise StorageError(f"cannot write the snapshot: {exc.strerror}", where=str(path),
                               fix="choose a folder you can write") from exc
        return path

    @classmethod
    def load(cls, path: str | Path) -> Snapshot:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        snap = doc.pop("snapshot")
        return cls(doc, snap["as_of_event"], snap["taken_at"])


def take(project: Project, findings_file: str | Path | None = None) -> Snapshot:
    """Read the project once (one transaction), pseudonymise, and freeze the report's content."""
    spec = findings.load(project.root, findings_file)
    for _attempt in range(3):
        raw = store.read_consistent(project)
        raw["project_name"] = project.name
        model = content.build(raw, spec)
        coder = model["meta"]["main_coder"]
        types = next(f["values"] for f in model["filters"] if f["name"] == "source_type")
        model["activity"] = content.activity_entry(sections.activity(project, spec, coder))
        model.update(sections.optional(project, spec, coder, types, Key(raw["key"])))
        if project.last_event() == raw["as_of_event"]:  # the sections saw the same state as the read
            break
    else:
        raise ConflictError("the project kept changing while the snapshot was taken", where=str(project.root),
                            fix="publish again when nobody is coding")
    key = Key(raw["key"])
    allow = {s["case"] for s in model["sources"] if s["case"]} | {s["name"] for s in model["sources"]}
    warnings = name_like_words((q["text"] for q in model["quotes"]), key, allow=allow)
    taken = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Snapshot(model, int(raw["as_of_event"]), taken, warnings)


def default_path(project: Project) -> Path:
    return project.root / FOLDER / "snapshot.json"
