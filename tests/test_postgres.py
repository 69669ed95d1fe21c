"""The same store code on PostgreSQL: migrations, import, codebook, coding, undo and the mirror."""

from __future__ import annotations

from sqlalchemy import text

from workbench.codebook.tree import Codebook
from workbench.coding.mirror import codings_csv, export_coding, import_coding
from workbench.coding.session import CodingSession
from workbench.corpus.batch import import_paths
from workbench.store.project import Project

from .conftest import REPO
from .postgres import postgres_url  # noqa: F401 - fixture


def test_demo_runs_on_postgresql(postgres_url, demo_project, tmp_path):  # noqa: F811
    p = Project.init(tmp_path / "pg", url=postgres_url)
    try:
        assert p.engine.dialect.name == "postgresql"
        report = import_paths(p, [REPO / "corpus"], progress=False)
        statuses = report.set_index("file")["status"]
        assert set(statuses[~statuses.index.str.endswith(".yaml")]) == {"imported"}  # screening.yaml: not a source
        assert import_paths(p, [REPO / "corpus" / "interviews"], progress=False)["status"].eq("duplicate").all()
        # same documents, offsets and turns as SQLite
        assert p.documents()["length"].tolist() == demo_project.documents()["length"].tolist()
        assert p.turns("S03").equals(demo_project.turns("S03"))
        export_coding(demo_project, tmp_path / "sqlite")
        result = import_coding(p, tmp_path / "sqlite")
        assert result.mismatches.empty
        assert codings_csv(p) == codings_csv(demo_project)
        s = CodingSession(p, "pg-coder")
        cid = s.code("S01", 10, 40, "act-company-visit", memo="op postgres")
        moved = Codebook(p, "lead").merge("act-guest-lesson", "act-guest-lesson-parents")
        assert moved > 0
        Codebook(p, "lead").undo()  # compares logged rows (timestamps included) with what PostgreSQL returns
        assert (p.codings()["code"] == "act-guest-lesson").sum() == moved
        s.uncode(cid)
        s.undo()
        assert cid in set(p.codings(coder="pg-coder")["id"])
        export_coding(p, tmp_path / "pgout")
        assert (tmp_path / "pgout" / "codebook.yaml").read_bytes() == (REPO / "coding" / "framework.yaml").read_bytes()
    finally:
        with p.engine.begin() as conn:  # leave the shared server clean for the next test
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        p.close()
