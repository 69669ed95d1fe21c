"""Versioned schema migrations (Alembic): atomic, with a backup of a SQLite file before any upgrade.

Every upgrade runs in one transaction (SQLite and PostgreSQL both have transactional DDL; the engine
emits BEGIN itself, so the driver cannot commit a half-done migration). If it fails anyway, a SQLite
database is restored from the backup just made. Features may add migrations on branches of their own:
the project is at "head" when it has every head revision of the script directory.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from ..errors import ConflictError, WorkbenchError

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revisions() -> set[str]:
    return set(_script().get_heads())


def head_revision() -> str:
    """The heads as one string (sorted, '+'-joined): what `schema_revision` records in event groups."""
    return "+".join(sorted(head_revisions()))


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def current_revision(engine: Engine) -> str | None:
    found = current_revisions(engine)
    return "+".join(sorted(found)) if found else None


def known(revision: str) -> bool:
    try:
        return _script().get_revision(revision) is not None
    except Exception:
        return False


def status(engine: Engine) -> str:
    """'current', 'empty', 'behind' or 'newer' (the database was upgraded by a newer workbench)."""
    found = current_revisions(engine)
    if found == head_revisions():
        return "current"
    if not found:
        return "empty"
    if any(not known(r) for r in found):
        return "newer"
    return "behind"


def backup_sqlite(db_path: Path, backups: Path, revision: str | None) -> Path:
    """Copy a live SQLite database consistently (the backup API copes with WAL)."""
    backups.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = backups / f"{db_path.stem}-{(revision or 'empty').replace('+', '_')}-{stamp}.sqlite"
    src = sqlite3.connect(db_path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def restore_sqlite(backup: Path, db_path: Path) -> None:
    """Put a backup back in place of the database (and drop its write-ahead log)."""
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.unlink()
    tmp = db_path.with_name(db_path.name + ".restore")
    shutil.copyfile(backup, tmp)
    tmp.replace(db_path)


def upgrade(engine: Engine, db_path: Path | None = None, backups: Path | None = None) -> Path | None:
    """Bring the schema to head; back up an existing SQLite file first. Returns the backup path, if any."""
    state = status(engine)
    if state == "current":
        return None
    if state == "newer":
        raise ConflictError(f"the database is at revision {current_revision(engine)}, newer than this "
                            f"workbench knows ({head_revision()})", where=str(db_path or engine.url),
                            fix="upgrade the workbench package (pip install -U workbench)")
    backup = None
    if state == "behind" and db_path is not None and backups is not None and db_path.exists():
        backup = backup_sqlite(db_path, backups, current_revision(engine))
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(wb_write=True)
            with conn.begin():
                command.upgrade(_config(conn), "heads")
    except Exception as exc:
        engine.dispose()
        if backup is not None and db_path is not None:
            restore_sqlite(backup, db_path)
            where = f"{db_path} (restored from {backup.name})"
        else:
            where = str(db_path or engine.url)
        if isinstance(exc, WorkbenchError):
            raise
        raise ConflictError(f"the schema migration failed and was rolled back: {type(exc).__name__}: {exc}",
                            where=where, fix="report this with the message; the project is as it was") from exc
    return backup
