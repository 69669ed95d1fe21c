"""Project store: layout, migrations with backup, event log, undo/redo mechanics, DataFrames."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from workbench.coding.session import CodingSession
from workbench.errors import ConflictError, NotFound
from workbench.store import migrate
from workbench.store.project import Project
from workbench.store.schema import metadata


def test_init_creates_layout_and_wal_database(tmp_path):
    p = Project.init(tmp_path / "p", name="Studie")
    for sub in ("corpus", "coding", ".workbench"):
        assert (tmp_path / "p" / sub).is_dir()
    assert (tmp_path / "p" / ".workbench" / "project.sqlite").exists()
    with p.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert Project.open(tmp_path / "p").name == "Studie"


def test_open_refuses_a_non_project(tmp_path):
    with pytest.raises(NotFound, match="workbench init"):
        Project.open(tmp_path)


def test_migrated_schema_matches_the_tables(tmp_path):
    p = Project.init(tmp_path / "p")
    with p.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        assert set(MigrationContext.configure(conn).get_current_heads()) == migrate.head_revisions()


def test_upgrade_from_empty_file_backs_up_nothing_and_reaches_head(tmp_path):
    p = Project.init(tmp_path / "p")
    assert p.last_backup is None
    again = Project.open(tmp_path / "p")
    assert again.last_backup is None  # already at head: no migration, no backup


def test_every_mutation_is_logged_and_undo_is_per_actor(project):
    a = CodingSession(project, "coder-a")
    b = CodingSession(project, "coder-b")
    ca = a.code("T01", 0, 11, "visit")
    cb = b.code("T01", 0, 11, "guest")
    events = project.events()
    assert {"coding.add"} <= set(events["action"])
    assert set(events.loc[events["action"] == "coding.add", "actor"]) == {"coder-a", "coder-b"}
    a.undo()  # removes a's coding only
    remaining = project.codings()
    assert list(remaining["id"]) == [cb]
    a.redo()
    assert sorted(project.codings()["id"]) == sorted([ca, cb])
    # the log only grows
    assert len(project.events()) > len(events)


def test_undo_refuses_when_a_later_change_touched_the_row(project):
    a = CodingSession(project, "coder-a")
    cid = a.code("T01", 0, 11, "visit")
    with project.transaction("someone-else", "coding.memo") as tx:
        from workbench.store.schema import codings
        tx.update(codings, {"id": cid}, memo="changed by another user")
    with pytest.raises(ConflictError, match=r"codings \d+ was changed later by someone-else \(coding.memo"):
        a.undo()
    assert len(project.codings()) == 1  # nothing half-undone


def test_nothing_to_undo_is_a_clear_error(project):
    with pytest.raises(NotFound, match="nothing to undo for nobody"):
        project.undo("nobody")


def test_dataframes(project):
    docs = project.documents()
    assert list(docs["name"]) == ["T01", "T02"]
    assert set(docs["kind"]) == {"interview"}
    attrs = project.case_attributes()
    assert attrs.loc["T01", "respondent_type"] == "school"
    assert attrs.loc["T02", "age"] == 61 and str(attrs["age"].dtype) == "Int64"
    assert len(project.turns("T01")) == 4
    assert set(project.codes()["id"]) >= {"visit", "guest"}
    assert project.research_questions()["id"].tolist() == ["RQ1"]
