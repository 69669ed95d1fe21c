"""Migrations are atomic and keep history usable: a real second migration on a project with history, and a
failing one that leaves the project exactly as it was. Each runs in a subprocess, because adding a column
to the in-memory schema must not leak into other tests."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench.coding.session import CodingSession
from workbench.errors import ConflictError
from workbench.store import migrate
from workbench.store.project import Project

SRC = Path(__file__).resolve().parent.parent / "src"

EXTRA = textwrap.dedent('''
    """test migration"""
    import sqlalchemy as sa
    from alembic import op

    revision = "9001"
    down_revision = {heads!r}
    branch_labels = None
    depends_on = None


    def upgrade():
        with op.batch_alter_table("codings") as batch:
            batch.add_column(sa.Column("weight", sa.Integer(), nullable=True))
        {fail}


    def downgrade():
        pass
''')

OPEN = textwrap.dedent("""
    import sys
    sys.path.insert(0, {src!r})
    from sqlalchemy import Column, Integer
    from workbench.store import migrate
    from workbench.store.schema import codings
    from pathlib import Path
    migrate.MIGRATIONS = Path({scripts!r})
    codings.append_column(Column("weight", Integer, nullable=True))  # the newer code knows the column
    from workbench.store.project import Project
    p = Project.open({proj!r})
    print("backup", p.last_backup)
    print("revision", p.revision)
    step = p.undo_step("anna")   # an action logged before the migration: its image lacks `weight`
    print("undo", step["message"])
    p.redo("anna")
    print("codings", len(p.codings()))
""")


def _scripts(tmp_path: Path, fail: bool) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    heads = tuple(sorted(migrate.head_revisions()))
    body = EXTRA.format(heads=heads if len(heads) > 1 else heads[0],
                        fail='raise RuntimeError("this migration breaks halfway")' if fail else "pass")
    (scripts / "versions" / "9001_weight.py").write_text(body, encoding="utf-8")
    return scripts


def _with_history(tmp_path: Path, project) -> Path:
    CodingSession(project, "anna").code("T01", 0, 11, "visit")
    CodingSession(project, "bob").code("T01", 20, 40, "guest")
    project.close()
    return project.root


def test_a_real_second_migration_on_a_project_with_history(project, tmp_path):
    root = _with_history(tmp_path, project)
    before = migrate.head_revision()
    scripts = _scripts(tmp_path, fail=False)
    out = subprocess.run([sys.executable, "-c", OPEN.format(src=str(SRC), scripts=str(scripts), proj=str(root))],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "revision 9001" in out.stdout
    assert "undid: coding.add" in out.stdout and "by anna" in out.stdout
    assert "codings 2" in out.stdout
    backup = Path(out.stdout.split("backup ", 1)[1].split("\n", 1)[0])
    with sqlite3.connect(backup) as conn:  # a consistent copy from before the upgrade
        assert {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")} == set(before.split("+"))
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM codings").fetchone() == (2,)
    with sqlite3.connect(root / ".workbench" / "project.sqlite") as conn:
        assert "weight" in {r[1] for r in conn.execute("PRAGMA table_info(codings)")}


def test_a_failing_migration_leaves_the_project_as_it_was(project, tmp_path):
    root = _with_history(tmp_path, project)
    scripts = _scripts(tmp_path, fail=True)
    out = subprocess.run([sys.executable, "-c", OPEN.format(src=str(SRC), scripts=str(scripts), proj=str(root))],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "the schema migration failed and was rolled back" in out.stderr
    assert "this migration breaks halfway" in out.stderr
    db = root / ".workbench" / "project.sqlite"
    with sqlite3.connect(db) as conn:
        assert "weight" not in {r[1] for r in conn.execute("PRAGMA table_info(codings)")}  # not half-migrated
        assert {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")} == migrate.head_revisions()
    again = Project.open(root)  # opens normally with this workbench
    assert len(again.codings()) == 2
    again.undo("anna")
    assert len(again.codings()) == 1


def test_a_database_newer_than_the_code_is_refused(project):
    with project.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('9999')"))
    project.close()
    with pytest.raises(ConflictError, match="newer than this workbench knows"):
        Project.open(project.root)


def test_a_shared_database_is_not_upgraded_silently(tmp_path, monkeypatch):
    """A database named in workbench.yaml (PostgreSQL for a team) needs `workbench migrate`."""
    import yaml

    p = Project.init(tmp_path / "p")
    p.close()
    cfg = p.root / "workbench.yaml"
    data = yaml.safe_load(cfg.read_text())
    data["database"] = f"sqlite:///{p.root / '.workbench' / 'project.sqlite'}"
    cfg.write_text(yaml.safe_dump(data))
    monkeypatch.setattr(migrate, "status", lambda engine: "behind")
    with pytest.raises(ConflictError, match="run `workbench migrate` once"):
        Project.open(p.root)
