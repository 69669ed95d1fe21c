"""Saved runs: derived results (agreement, matrices, networks, topic models) with what produced them.

A run is recomputable, so it is not an event: it records its kind, parameters (JSON), package versions,
the last event id it saw (`as_of_event`) and its result tables (pandas, stored in pandas' JSON table
format, so dtypes survive). Files too large or too odd for a table (a fitted model) go in the run's
folder under `.workbench/runs/<id>/`. `Run.stale` says whether anything was done since.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import delete, insert, select

from ..errors import NotFound
from . import queries
from .events import now
from .schema import run_tables, runs

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

BASE_PACKAGES = ("workbench", "pandas", "numpy", "sqlalchemy")


def versions(packages: Iterable[str] = ()) -> dict[str, str]:
    """Installed versions of the packages a result depends on (plus Python's)."""
    out = {"python": sys.version.split()[0]}
    for name in (*BASE_PACKAGES, *packages):
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _to_json(frame: pd.DataFrame) -> str:
    return frame.to_json(orient="table", index=True, date_format="iso", default_handler=str)


def _from_json(data: str) -> pd.DataFrame:
    return pd.read_json(io.StringIO(data), orient="table")


@dataclass
class Run:
    """A saved result. `tables` are loaded on first use; `folder` holds any files of the run."""

    project: Project
    id: int
    kind: str
    params: dict[str, Any]
    versions: dict[str, str]
    as_of_event: int
    created: Any
    actor: str | None
    summary: dict[str, Any] | None
    path: str | None
    _tables: dict[str, pd.DataFrame] | None = field(default=None, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        if self._tables is None:
            with self.project.read() as conn:
                rows = conn.execute(select(run_tables.c.name, run_tables.c.data)
                                    .where(run_tables.c.run_id == self.id)).all()
            self._tables = {name: _from_json(data) for name, data in rows}
        return self._tables

    def table(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            raise NotFound(f"run {self.id} has no table {name!r}", fix=f"it has {', '.join(self.tables)}") from None

    @property
    def folder(self) -> Path:
        """The run's own folder under .workbench/runs/ (created on first use)."""
        path = self.project.root / ".workbench" / "runs" / str(self.id)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def changes_since(self) -> int:
        """How many events were logged after this run was made."""
        with self.project.read() as conn:
            return queries.events_since(conn, self.as_of_event)

    @property
    def stale(self) -> bool:
        return self.changes_since > 0


def save(project: Project, kind: str, params: dict[str, Any], tables: dict[str, pd.DataFrame], *,
         actor: str | None = None, summary: dict[str, Any] | None = None, packages: Iterable[str] = ()) -> Run:
    params = json.loads(json.dumps(params, default=str))  # what JSON keeps is what a reload sees
    vers = versions(packages)
    created = now()
    with project.engine.connect() as conn:
        conn.execution_options(wb_write=True)
        with conn.begin():
            as_of = queries.last_event(conn)
            run_id = conn.execute(insert(runs).values(
                kind=kind, params=params, versions=vers, as_of_event=as_of, created=created, actor=actor,
                path=None, summary=summary)).inserted_primary_key[0]
            if tables:
                conn.execute(insert(run_tables), [{"run_id": run_id, "name": name, "data": _to_json(frame)}
                                                  for name, frame in tables.items()])
    return Run(project, run_id, kind, params, vers, as_of, created, actor, summary, None, dict(tables))


def load(project: Project, run_id: int) -> Run:
    with project.read() as conn:
        row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
    if row is None:
        raise NotFound(f"no saved run {run_id}", fix="see Project.runs() for the saved runs")
    return Run(project, row["id"], row["kind"], row["params"], row["versions"], row["as_of_event"],
               row["created"], row["actor"], row["summary"], row["path"])


def frame(project: Project, kind: str | None = None) -> pd.DataFrame:
    q = select(runs.c.id, runs.c.kind, runs.c.created, runs.c.actor, runs.c.params, runs.c.versions,
               runs.c.as_of_event, runs.c.summary).order_by(runs.c.id)
    if kind is not None:
        q = q.where(runs.c.kind == kind)
    with project.read() as conn:
        result = conn.execute(q)
        df = pd.DataFrame(result.mappings().all(), columns=list(result.keys()))
        last = queries.last_event(conn)
    df["stale"] = df["as_of_event"] < last if len(df) else pd.Series(dtype=bool)
    return df


def delete_all(project: Project, conn) -> int:
    """Drop every saved run and its files (purge: results may quote what was purged)."""
    n = conn.execute(delete(runs)).rowcount or 0
    shutil.rmtree(project.root / ".workbench" / "runs", ignore_errors=True)
    return n
