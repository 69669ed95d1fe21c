"""The literature phase on PostgreSQL: merging exports, rules, two screeners, undo, the flow - as on SQLite."""

from __future__ import annotations

import shutil

from sqlalchemy import text

from workbench.corpus.batch import import_paths
from workbench.demo import apply_demo_screening
from workbench.literature.inventory import inventory
from workbench.literature.prisma import prisma
from workbench.literature.screening import Screening, screening_status
from workbench.store.project import Project

from .conftest import REPO
from .postgres import postgres_url  # noqa: F401 - fixture


def test_demo_screening_on_postgresql(postgres_url, demo_project, tmp_path):  # noqa: F811
    p = Project.init(tmp_path / "pg", url=postgres_url)
    try:
        shutil.copytree(REPO / "corpus" / "literature", p.root / "corpus" / "literature")
        report = import_paths(p, [p.root / "corpus" / "literature"], progress=False)
        assert set(report.loc[report["file"].str.endswith((".ris", ".csv")), "status"]) == {"imported"}
        apply_demo_screening(p)
        assert prisma(p).equals(prisma(demo_project))
        assert inventory(p, by="year_band").equals(inventory(demo_project, by="year_band"))
        assert screening_status(p).equals(screening_status(demo_project))
        s = Screening(p, "pg-screener")
        s.decide("ta2006", "include", "on PostgreSQL")
        s.undo()  # compares the logged row (its timestamp included) with what PostgreSQL returns
        assert s.decisions().empty
    finally:
        with p.engine.begin() as conn:  # leave the shared server clean for the next test
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        p.close()
