"""Alembic migrations, run programmatically by `store.migrate` (no alembic.ini needed)."""
