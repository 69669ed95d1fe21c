"""Topic runs on the demo (lexical backend: fast): saving, reloading, reproducing, filters, alignment, stability."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

import workbench as wb
from workbench.analysis.topic_alignment import jaccard_matrix, passage_codes, topic_alignment, topic_stability
from workbench.analysis.topics import passages, topic_run, topic_runs, topics
from workbench.errors import NotFound, ValidationError
from workbench.store.project import Project


@pytest.fixture(scope="module")
def demo_copy(demo_project, tmp_path_factory) -> Project:
    """A writable copy of the demo (topic runs are saved into it)."""
    root = tmp_path_factory.mktemp("topics") / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    p = Project.open(root)
    yield p
    p.close()


@pytest.fixture(scope="module")
def run(demo_copy):
    return topics(demo_copy, unit="turn", backend="lexical", progress=False)


def test_run_is_saved_with_parameters_and_reloads(run, demo_copy):
    a = run.assignments
    assert list(a.columns[:7]) == ["document", "start", "end", "topic", "probability", "similarity",
                                   "topic_before_outliers"]
    expected = passages(demo_copy, "turn")
    assert len(a) == len(expected) == run.params["passages"]
    assert (a[["document", "start", "end"]].to_numpy() == expected[["document", "start", "end"]].to_numpy()).all()
    # interviewer turns are left out by default
    assert not a["speaker"].isin(demo_copy.interviewer_labels).any()
    assert a["speaker"].notna().any()
    t = run.topics
    assert t["size"].sum() == len(a)
    assert dict(zip(t["topic"], t["size"], strict=True)) == a["topic"].value_counts().to_dict()
    assert (t.loc[t["topic"] != -1, "top_words"].str.len() > 0).all()
    assert a["probability"].between(0, 1).all()
    # the demo is small: k-means, a few topics, nothing left in -1
    assert run.params["clusterer"] == "kmeans" and run.params["n_topics"] == len(set(a["topic"]))
    listed = topic_runs(demo_copy)
    row = listed.set_index("id").loc[run.id]
    assert row["backend"] == "lexical" and row["model"].startswith("lexical-tfidf-svd")
    assert row["seed"] == 0 and row["bertopic"] == run.versions["bertopic"] != "not installed"
    again = topic_run(demo_copy, run.id)
    pd.testing.assert_frame_equal(again.assignments, a)
    pd.testing.assert_frame_equal(again.topics, t)
    reps = again.representatives
    assert set(reps["topic"]) == set(t["topic"])
    text = demo_copy.text(reps["document"].iat[0])
    assert text[reps["start"].iat[0]:reps["end"].iat[0]] == reps["text"].iat[0]


def test_same_input_and_parameters_reproduce_every_passage_topic_from_the_cache(run, demo_copy):
    second = topics(demo_copy, unit="turn", backend="lexical", progress=False)
    assert second.id != run.id
    assert second.run.summary["embedded"] == 0 and second.run.summary["cached"] == len(run.assignments)
    pd.testing.assert_frame_equal(second.assignments, run.assignments)
    assert second.topics["label"].tolist() == run.topics["label"].tolist()


def test_outlier_reduction_is_an_explicit_saved_step(demo_copy):
    raw = topics(demo_copy, backend="lexical", clusterer="hdbscan", min_topic_size=4, outliers="none",
                 save_model=False)
    a = raw.assignments
    assert (a["topic"] == a["topic_before_outliers"]).all()
    assert raw.run.summary["outliers"] == raw.run.summary["outliers_before"] == int((a["topic"] == -1).sum())
    reduced = topics(demo_copy, backend="lexical", clusterer="hdbscan", min_topic_size=4, outliers="c-tf-idf",
                     outlier_threshold=0.0, save_model=False)
    b = reduced.assignments
    assert (b["topic_before_outliers"] == a["topic"]).all()  # the same clustering before the step
    assert reduced.params["outliers"] == "c-tf-idf" and reduced.params["outlier_threshold"] == 0.0
    if (a["topic"] == -1).any():
        assert (b["topic"] == -1).sum() < (a["topic"] == -1).sum()
        moved = b["topic"] != b["topic_before_outliers"]
        assert (b.loc[moved, "topic_before_outliers"] == -1).all()


def test_where_filters_passages_and_bad_input_saves_nothing(demo_copy):
    schools = topics(demo_copy, backend="lexical", where={"respondent_type": "school"}, save_model=False)
    assert schools.assignments["document"].str.startswith("S").all()
    assert schools.params["where"] == {"respondent_type": "school"}
    lit = passages(demo_copy, "paragraph", where="kind == 'literature'")
    assert set(lit["kind"]) == {"literature"} and len(lit) > 20
    before = len(topic_runs(demo_copy))
    with pytest.raises(ValidationError, match="unknown column 'sector'") as e:
        topics(demo_copy, backend="lexical", where={"sector": "x"})
    assert "respondent_type" in e.value.fix
    with pytest.raises(ValidationError, match="only 0 passages"):
        topics(demo_copy, backend="lexical", where={"document": "E01", "kind": "literature"})
    with pytest.raises(ValidationError, match="unknown unit"):
        topics(demo_copy, unit="document", backend="lexical")
    with pytest.raises(ValidationError, match="min_topic_size"):
        topics(demo_copy, backend="lexical", min_topic_size=1)
    with pytest.raises(ValidationError, match="unknown embedding backend"):
        topics(demo_copy, backend="word2vec")
    with pytest.raises(ValidationError, match="unknown clusterer"):
        topics(demo_copy, backend="lexical", clusterer="dbscan")
    with pytest.raises(NotFound):
        topic_run(demo_copy, 99_999)
    assert len(topic_runs(demo_copy)) == before


def test_speakers_can_be_included_on_request(demo_copy):
    everyone = passages(demo_copy, "turn", exclude_speakers=[])
    default = passages(demo_copy, "turn")
    asked = everyone["speaker"].isin(demo_copy.interviewer_labels)
    assert asked.sum() > 0 and len(everyone) == len(default) + asked.sum()


def test_topics_by_attribute_and_document(run, demo_copy):
    by_type = run.by("respondent_type")
    a = run.assignments
    types = demo_copy.case_attributes()["respondent_type"]
    expected = a["case"].map(types).fillna("(none)").value_counts()
    assert by_type.sum(axis=0).to_dict() == expected.to_dict()
    assert by_type.index.names == ["topic", "label"]
    shares = run.by("kind", share=True)
    assert np.allclose(shares.sum(axis=0), 1.0)
    by_doc = wb.topics_by(run, "document")
    assert by_doc.loc[(a["topic"].iat[0], slice(None)), a["document"].iat[0]].iat[0] >= 1
    with pytest.raises(ValidationError, match="unknown attribute"):
        run.by("shoe_size")


def test_alignment_counts_passages_and_nmi_matches_a_hand_computation(run, demo_copy):
    al = topic_alignment(run, coder="coder-a")
    a = run.assignments.reset_index(drop=True)
    codings = demo_copy.codings(coder="coder-a")
    # one cell by hand: passages of topic 0 that a coding of the most frequent code overlaps
    code = al.table.loc[0].idxmax()
    mine = codings[codings["code"] == code]
    count = 0
    for _, p in a[a["topic"] == 0].iterrows():
        c = mine[mine["document"] == p["document"]]
        count += bool(((c["start"] < p["end"]) & (c["end"] > p["start"])).any())
    assert al.table.loc[0, code] == count > 0
    pairs = passage_codes(a, codings)
    labels = [(a["topic"].iat[i], c) for i, c in zip(pairs["passage"], pairs["code"], strict=True)]
    uncoded = set(range(len(a))) - set(pairs["passage"])
    labels += [(a["topic"].iat[i], "(none)") for i in uncoded]
    assert al.nmi == pytest.approx(normalized_mutual_info_score([c for _, c in labels], [t for t, _ in labels]),
                                   abs=1e-6)
    assert 0 < al.nmi < 1
    for _, row in al.uncovered.iterrows():
        assert row["best_share"] < 0.3
    assert "NMI" in al._repr_html_()
    with pytest.raises(NotFound, match="coder 'nobody'"):
        topic_alignment(run, coder="nobody")


def test_stability_over_seeds(demo_copy):
    frame = topic_stability(demo_copy, seeds=[0, 1, 2], backend="lexical")
    ref = topics(demo_copy, backend="lexical", seed=0, save_model=False)
    assert frame["topic"].tolist() == sorted(set(ref.assignments["topic"]) - {-1})
    assert frame["size"].tolist() == [int((ref.assignments["topic"] == t).sum()) for t in frame["topic"]]
    assert frame["recurrence"].between(0, 1).all() and frame["mean_jaccard"].between(0, 1).all()
    assert frame["recurrence"].max() > 0  # some topics survive a change of seed
    assert 0 < frame.attrs["ari"] <= 1
    with pytest.raises(ValidationError, match="two different seeds"):
        topic_stability(demo_copy, seeds=[3, 3], backend="lexical")


def test_jaccard_matrix_by_hand():
    jm = jaccard_matrix([0, 0, 1, 1, -1], [5, 5, 5, 6, 6])
    assert jm.loc[0, 5] == pytest.approx(2 / 3) and jm.loc[0, 6] == 0
    assert jm.loc[1, 5] == pytest.approx(1 / 4) and jm.loc[1, 6] == pytest.approx(1 / 3)


def test_charts_render_from_a_reloaded_run(run, demo_copy):
    import plotly.graph_objects as go

    again = topic_run(demo_copy, run.id)
    bars = again.barchart()
    assert isinstance(bars, go.Figure) and len(bars.data) >= 1
    words = {w for trace in bars.data for w in trace.y}
    top0 = run.topics.set_index("topic").loc[0, "top_words"].split(", ")
    assert {w.strip() for w in words} & set(top0)
    assert isinstance(again.intertopic_map(), go.Figure)
    assert isinstance(again.hierarchy(), go.Figure)


def test_cli_topics_prints_the_topics_and_saves_a_run(demo_copy, capsys):
    from workbench.cli import main

    before = len(topic_runs(demo_copy))
    assert main(["topics", "-p", str(demo_copy.root), "--n-topics", "4", "--quiet"]) == 0
    out = capsys.readouterr().out
    runs = topic_runs(demo_copy)
    assert len(runs) == before + 1
    new = topic_run(demo_copy, int(runs["id"].iloc[-1]))
    assert f"saved as run {new.id}" in out and new.params["n_topics"] == 4
    for label in new.topics["label"]:
        assert label in out
    assert main(["topics", "-p", str(demo_copy.root), "--backend", "glove", "--quiet"]) != 0
    assert "unknown embedding backend" in capsys.readouterr().err
