"""Themes on PostgreSQL: frequencies, matrices, co-occurrence, links and framework cells as on SQLite."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

import workbench as wb
from workbench.coding.mirror import export_coding, import_coding
from workbench.corpus.batch import import_paths
from workbench.store.project import Project

from .conftest import REPO
from .postgres import postgres_url  # noqa: F401 - fixture

THEMES = ["concept", "role", "offer", "occupations", "success", "challenges"]


def test_themes_on_postgresql(postgres_url, demo_project, tmp_path):  # noqa: F811
    p = Project.init(tmp_path / "pg", url=postgres_url)
    try:
        import_paths(p, [REPO / "corpus"], progress=False)
        export_coding(demo_project, tmp_path / "sqlite")
        assert import_coding(p, tmp_path / "sqlite").mismatches.empty
        for project in (p, demo_project):
            assert wb.activity_table(project)["schools"].tolist() == [7, 4, 4, 2, 1, 1]
        pd.testing.assert_frame_equal(wb.frequencies(p, coder="coder-a"), wb.frequencies(demo_project, coder="coder-a"))
        for value in ("share", "text"):
            pd.testing.assert_frame_equal(
                wb.matrix(p, columns="respondent_type", value=value, codes=THEMES),
                wb.matrix(demo_project, columns="respondent_type", value=value, codes=THEMES))
        for by in ("overlap", "turn"):
            assert wb.cooccurrence(p, by=by, coder="coder-a").equals(wb.cooccurrence(demo_project, by=by,
                                                                                     coder="coder-a"))
        wb.add_link(p, "chal-teacher-knowledge", "succ-training", "is addressed by")
        assert p.undo_step("researcher")["action"] == "link.add" and wb.links(p).empty
        grid = wb.framework_matrix(p, ["role"], cases=["S01"], coder="coder-a")
        grid.set("S01", "role", "Early start.", actor="analyst")
        assert grid.cells().iloc[0]["codings"] == sorted(grid.segments("S01", "role")["id"])
        p.undo("analyst")
        assert grid.cells().empty
    finally:
        with p.engine.begin() as conn:  # leave the shared server clean for the next test
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        p.close()
