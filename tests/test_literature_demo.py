"""The demo carries the study's literature phase: 23 included sources, 17 from 2013 on and 6 from 2002-2012."""

from __future__ import annotations

import re

from lxml import etree

from workbench.literature.inventory import inventory
from workbench.literature.prisma import prisma, prisma_figure, prisma_svg
from workbench.literature.screening import screening_agreement, screening_status
from workbench.store.literature import sources_frame

from .conftest import REPO


def test_prisma_ends_in_the_studys_23_sources(demo_project):
    flow = prisma(demo_project)
    assert flow.iloc[-1].tolist() == ["included", "sources included", 23]
    by = flow.set_index("label")["n"]
    per_db = {k.removeprefix("records from "): v for k, v in by.items() if k.startswith("records from ")}
    assert set(per_db) == {"EBSCO", "ERIC", "Google Scholar", "Springer Link", "other sources"}
    screened = by["records screened"]
    assert screened == 32 == (flow["stage"] == "excluded").pipe(lambda m: flow.loc[m, "n"].sum()) + 23
    assert sum(per_db.values()) - by["duplicates removed"] == screened
    assert "awaiting" not in set(flow["stage"])  # every disagreement was settled


def test_inventory_by_year_band_shows_17_and_6(demo_project):
    bands = inventory(demo_project, by="year_band")["sources"].to_dict()
    assert bands == {"2002-2012": 6, "2013 or later": 17}
    levels = inventory(demo_project, by="education_level")
    assert "secondary" not in levels.index  # secondary-only sources are excluded
    assert levels["sources"].sum() == 23


def test_search_exports_were_merged_into_the_works(demo_project):
    with demo_project.read() as conn:
        sources = sources_frame(conn)
    exports = sorted(p.name for p in (REPO / "corpus" / "literature" / ".searches").iterdir()
                     if p.suffix in (".ris", ".bib", ".json"))
    assert sorted(sources["file"].unique()) == exports
    archer = sources[sources["document"] == "archer2013"]
    assert len(archer) >= 3 and set(archer["matched_by"]) >= {"doi", "title"}
    # no export record became a document of its own: every one is a duplicate of the curated library
    assert (demo_project.documents()["kind"] == "literature").sum() == 32


def test_excluded_sources_stay_with_their_reason_and_two_screeners_agree_mostly(demo_project):
    status = screening_status(demo_project).set_index("record")
    excluded = status[status["status"] == "exclude"]
    assert len(excluded) == 9 and excluded["reason"].notna().all()
    assert excluded.loc["ta2006", "reason"] == "secondary education only"
    assert excluded.loc["ta2006", "rule"] == "secondary only"
    assert "ta2006" in set(demo_project.documents()["name"])  # excluded, not removed
    agreement = screening_agreement(demo_project)
    assert agreement["records"] == 32 and 0.4 < agreement["cohen_kappa"] < 0.95
    assert agreement["disagreements"]  # the second screener is not a copy
    resolved = status[status["decided_by"] == "screener-a"]
    assert set(resolved.index) == set(agreement["disagreements"])


def test_the_flow_diagram_as_svg_and_plotly(demo_project):
    svg = prisma_svg(demo_project)
    root = etree.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Sources included (n = 23)" in texts and "Records screened (n = 32)" in texts
    assert re.search(r"secondary education only: 3", texts)
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) == 5
    fig = prisma_figure(demo_project)
    assert len(fig.layout.shapes) == 5
    assert any("Sources included (n = 23)" in (a.text or "") for a in fig.layout.annotations)
