"""The BERTopic pipeline with defaults for small and large qualitative corpora (passages + vectors in).

Why these defaults: on a few hundred passages BERTopic's own defaults put most passages in topic -1 or
make the number of topics jump between runs. Here the clusterer is chosen by corpus size (k-means below
`KMEANS_BELOW` passages, HDBSCAN above, with `min_topic_size` scaled to the corpus), UMAP has a fixed
random state (HDBSCAN and k-means with a seed are deterministic), the representation counts Dutch and
English uni- and bigrams without stop words, and outlier reduction is an explicit step whose before and
after are both kept. BERTopic is imported here only, lazily: its first import takes seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError

KMEANS_BELOW = 1000  # passages: below this k-means gives steadier, finer topics than HDBSCAN (docs/topics.md)
MIN_PASSAGES = 8
CLUSTERERS = ("auto", "hdbscan", "kmeans")
OUTLIER_STRATEGIES = ("c-tf-idf", "embeddings", "distributions", "none")
REPRESENTATIVES = 3


@dataclass
class Settings:
    """Every parameter that decides the topics (all saved with the run)."""

    seed: int = 0
    clusterer: str = "auto"
    min_topic_size: int | None = None
    n_topics: int | None = None
    n_neighbors: int = 15
    n_components: int = 5
    outliers: str = "c-tf-idf"
    outlier_threshold: float = 0.1
    top_n_words: int = 10
    ngram_max: int = 2

    def resolved(self, n: int) -> Settings:
        """The settings with corpus-size defaults filled in (what the run records)."""
        if self.clusterer not in CLUSTERERS:
            raise ValidationError(f"unknown clusterer {self.clusterer!r}", where="clusterer",
                                  fix=f"use one of {', '.join(CLUSTERERS)}")
        if self.outliers not in OUTLIER_STRATEGIES:
            raise ValidationError(f"unknown outlier strategy {self.outliers!r}", where="outliers",
                                  fix=f"use one of {', '.join(OUTLIER_STRATEGIES)}")
        if self.min_topic_size is not None and (not isinstance(self.min_topic_size, int) or self.min_topic_size < 2):
            raise ValidationError(f"min_topic_size must be an integer of at least 2, not {self.min_topic_size!r}",
                                  where="min_topic_size", fix="pass e.g. min_topic_size=5, or None for the default")
        clusterer = self.clusterer
        if clusterer == "auto":
            clusterer = "kmeans" if n < KMEANS_BELOW or self.n_topics else "hdbscan"
        size = self.min_topic_size or max(3, min(50, round(n / 40)))
        n_topics = self.n_topics
        if clusterer == "kmeans" and not n_topics:
            n_topics = max(2, min(40, round(math.sqrt(n / 3))))
        if clusterer == "hdbscan":
            n_topics = None
        return Settings(self.seed, clusterer, size, n_topics, min(self.n_neighbors, n - 1),
                        min(self.n_components, n - 2), self.outliers, self.outlier_threshold,
                        self.top_n_words, self.ngram_max)


@dataclass
class Fitted:
    """One fitted model: per-passage topics (before and after outlier reduction) and the topic table."""

    settings: Settings
    topics_raw: list[int]
    topics: list[int]
    probability: np.ndarray
    similarity: np.ndarray
    table: pd.DataFrame  # topic, label, size, top_words, representative
    representatives: pd.DataFrame  # topic, rank, passage (index into the input)
    model: Any


def _backend(embedder):
    """Our embedder as a BERTopic backend, so the model can embed new passages (`model.transform`) itself."""
    from bertopic.backend import BaseEmbedder

    class WorkbenchBackend(BaseEmbedder):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
            return self.inner.embed(list(documents))

    return WorkbenchBackend(embedder)


def fit(texts: Sequence[str], vectors: np.ndarray, settings: Settings, embedder=None) -> Fitted:
    """Fit BERTopic on passages and their vectors with `settings` (already `resolved`)."""
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    from ..suggest.stopwords import stop_words

    n = len(texts)
    if n < MIN_PASSAGES:
        raise ValidationError(f"only {n} passages to model", where="topics",
                              fix=f"a topic model needs at least {MIN_PASSAGES}: widen `where` or use a smaller unit")
    s = settings
    umap = UMAP(n_neighbors=s.n_neighbors, n_components=s.n_components, min_dist=0.0, metric="cosine",
                random_state=s.seed, n_jobs=1, low_memory=True)
    if s.clusterer == "kmeans":
        cluster = KMeans(n_clusters=min(s.n_topics, n - 1), random_state=s.seed, n_init=10)
    else:
        cluster = HDBSCAN(min_cluster_size=s.min_topic_size, metric="euclidean", cluster_selection_method="eom",
                          prediction_data=True)
    vectorizer = CountVectorizer(stop_words=stop_words(), ngram_range=(1, s.ngram_max),
                                 min_df=2 if n >= 100 else 1, token_pattern=r"(?u)\b\w[\w'-]*\w\b")
    backend = _backend(embedder) if embedder is not None and not getattr(embedder, "corpus_dependent", True) else None
    model = BERTopic(embedding_model=backend, umap_model=umap, hdbscan_model=cluster, vectorizer_model=vectorizer,
                     top_n_words=s.top_n_words, min_topic_size=s.min_topic_size, calculate_probabilities=False,
                     verbose=False)
    docs = list(texts)
    raw, probs = model.fit_transform(docs, embeddings=vectors)
    raw = [int(t) for t in raw]
    topics = list(raw)
    if s.outliers != "none" and -1 in raw and len(set(raw) - {-1}) > 0:
        strategy = s.outliers
        if strategy == "embeddings":
            topics = model.reduce_outliers(docs, raw, strategy=strategy, embeddings=vectors,
                                           threshold=s.outlier_threshold)
        else:
            topics = model.reduce_outliers(docs, raw, strategy=strategy, threshold=s.outlier_threshold)
        topics = [int(t) for t in topics]
        if topics != raw:
            model.update_topics(docs, topics=topics, top_n_words=s.top_n_words, vectorizer_model=vectorizer)
    similarity = _similarity(vectors, topics)
    probability = np.asarray(probs, dtype=float) if probs is not None and np.ndim(probs) == 1 else similarity.copy()
    changed = np.array([a != b for a, b in zip(raw, topics, strict=True)])
    probability = np.where(changed, similarity, probability)
    table, reps = _table(model, docs, topics, similarity)
    return Fitted(s, raw, topics, probability, similarity, table, reps, model)


def _similarity(vectors: np.ndarray, topics: Sequence[int]) -> np.ndarray:
    """Cosine similarity of each passage to its topic's mean vector (0 for outliers)."""
    labels = np.asarray(topics)
    out = np.zeros(len(labels), dtype=float)
    for t in set(labels.tolist()) - {-1}:
        mask = labels == t
        centre = vectors[mask].mean(axis=0)
        norm = np.linalg.norm(centre)
        if norm > 0:
            out[mask] = np.clip(vectors[mask] @ (centre / norm), 0.0, 1.0)
    return np.round(out, 6)


def _table(model, docs: Sequence[str], topics: Sequence[int], similarity: np.ndarray
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    labels = np.asarray(topics)
    rows, reps = [], []
    for t in sorted(set(labels.tolist())):
        words = [w for w, _ in (model.get_topic(t) or []) if w]
        members = np.flatnonzero(labels == t)
        order = members[np.lexsort((members, -similarity[members]))] if t != -1 else members
        best = [int(i) for i in order[:REPRESENTATIVES]]
        reps.extend({"topic": t, "rank": r, "passage": i} for r, i in enumerate(best))
        label = "outliers" if t == -1 else ", ".join(words[:3]) or f"topic {t}"
        rows.append({"topic": t, "label": label, "size": len(members), "top_words": ", ".join(words),
                     "representative": docs[best[0]] if best else ""})
    return pd.DataFrame(rows), pd.DataFrame(reps, columns=["topic", "rank", "passage"])


def save(model, path) -> None:
    """Keep what the charts and representations need (c-TF-IDF, topic vectors, words), not UMAP/HDBSCAN.

    Pickle (joblib), because safetensors is not installed by default; the file lives in the project's
    own `.workbench/runs/<id>/` and is only ever loaded from there.
    """
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction

    kept = (model.embedding_model, model.umap_model, model.hdbscan_model)
    model.embedding_model, model.umap_model, model.hdbscan_model = None, BaseDimensionalityReduction(), BaseCluster()
    try:
        model.save(str(path), serialization="pickle", save_embedding_model=False)
    finally:
        model.embedding_model, model.umap_model, model.hdbscan_model = kept


def load(path):
    from bertopic import BERTopic

    return BERTopic.load(str(path))
