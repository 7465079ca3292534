"""Inference core: stance probabilities from the saved arrays, with numpy only.

The model folder holds ``manifest.json`` and ``weights.npz`` (vocabulary, idf,
coefficients, intercepts).  Loading reads arrays with ``allow_pickle=False`` and JSON,
checks the format version and every shape, and never executes code from the files.

The computation is exactly scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``
followed by a multinomial ``LogisticRegression.predict_proba``, on the features of
:func:`pipeline.features.analyze` (the same function training used).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import native as _native  # the compiled half (pipeline/_native.c), or the Python reference under OSCE_STANCE_PURE=1
from .features import _NEGATORS, ALONE, analyze, article_features, compiled_analyzer, document

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["FORMAT_VERSION", "ModelError", "LinearModel"]

FORMAT_VERSION = 1
SMALL_BATCH = 4  # documents; up to this many go through plain Python (see LinearModel.decision)


class ModelError(RuntimeError):
    """A model folder that cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class LinearModel:
    """A loaded stance model: vocabulary index, idf weights and a linear layer."""

    labels: tuple[str, ...]
    index: dict
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    manifest: dict
    folder: Path | Traversable | None = None
    sha256: str | None = None  # of weights.npz: names the model in a run's manifest

    @classmethod
    def load(cls, folder: str | os.PathLike | Traversable, fix: str = "run `make train` to rebuild it") -> LinearModel:
        """Load and check a model folder written by ``pipeline.train``.

        ``folder`` is a path or a :class:`~importlib.resources.abc.Traversable` (package data, also inside a
        zip); ``fix`` ends every error message: what the user can do about a missing or damaged file.
        """
        if isinstance(folder, (str, os.PathLike)):
            folder = Path(folder)
        manifest_path, weights_path = folder / "manifest.json", folder / "weights.npz"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, KeyError):  # KeyError: a file missing from a zip import
            raise ModelError(f"{manifest_path}: missing; {fix}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelError(f"{manifest_path}: not valid JSON ({exc}); {fix}") from None
        if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
            found = manifest.get("format_version") if isinstance(manifest, dict) else None
            raise ModelError(f"{manifest_path}: format version {found!r}, this code reads {FORMAT_VERSION}; {fix}")
        try:
            weights = weights_path.read_bytes()
        except (FileNotFoundError, KeyError):  # KeyError: a file missing from a zip import
            raise ModelError(f"{weights_path}: missing; {fix}") from None
        try:
            with np.load(io.BytesIO(weights), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in ("vocab_utf8", "idf", "coef", "intercept")}
        except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{weights_path}: unreadable ({exc}); {fix}") from None
        vocab = arrays["vocab_utf8"].tobytes().decode("utf-8").split("\n") if arrays["vocab_utf8"].size else []
        labels = tuple(manifest.get("labels", ()))
        n_vocab, n_labels = len(vocab), len(labels)
        expected = {"idf": (n_vocab,), "coef": (n_labels, n_vocab), "intercept": (n_labels,)}
        for name, shape in expected.items():
            if arrays[name].shape != shape or arrays[name].dtype != np.float64:
                raise ModelError(f"{weights_path}: array {name!r} has shape {arrays[name].shape} {arrays[name].dtype}, "
                                 f"expected {shape} float64; {fix}")
        if n_labels < 2 or n_vocab != manifest.get("n_features"):
            raise ModelError(f"{weights_path}: {n_vocab} features and {n_labels} labels do not match the manifest; {fix}")
        return cls(labels, {f: i for i, f in enumerate(vocab)}, arrays["idf"], arrays["coef"], arrays["intercept"], manifest,
                   folder.resolve() if isinstance(folder, Path) else folder, hashlib.sha256(weights).hexdigest())

    @property
    def version(self) -> str | None:
        """The model's version from its manifest (``stance-0.1.0``)."""
        return self.manifest.get("model_version")

    def decision(self, docs: Sequence[str]) -> np.ndarray:
        """Linear scores (n, labels) for analyzer documents, computed for the whole batch at once."""
        return self._decision([analyze(doc) for doc in docs])

    def _decision(self, feature_lists: Sequence[list[str]]) -> np.ndarray:
        """Linear scores (n, labels) from each document's feature strings.

        Feature ids are gathered in Python (one dict lookup per feature); the TF-IDF weighting,
        the L2 normalisation and the dot products are numpy operations over the batch.  A
        batch of a few documents goes through plain Python instead (:meth:`_decision_small`),
        because numpy's fixed cost per call is larger than the arithmetic there.
        """
        if len(feature_lists) <= SMALL_BATCH:
            return np.array([self._decision_small(feats) for feats in feature_lists]).reshape(len(feature_lists), len(self.labels))
        index = self.index
        rows: list[int] = []
        cols: list[int] = []
        for i, feats in enumerate(feature_lists):
            ids = [j for j in map(index.get, feats) if j is not None]
            cols.extend(ids)
            rows.extend([i] * len(ids))
        n, n_features = len(feature_lists), len(self.idf)
        out = np.tile(self.intercept, (n, 1))
        if not cols:
            return out
        pairs, counts = np.unique(np.asarray(rows, dtype=np.int64) * n_features + np.asarray(cols, dtype=np.int64),
                                  return_counts=True)
        row, col = np.divmod(pairs, n_features)
        values = (1.0 + np.log(counts)) * self.idf[col]
        norms = np.sqrt(np.bincount(row, weights=values * values, minlength=n))
        values /= norms[row]
        for k in range(len(self.labels)):
            out[:, k] += np.bincount(row, weights=values * self.coef[k, col], minlength=n)
        return out

    def _decision_small(self, feats: list[str]) -> list[float]:
        """The same scores as :meth:`_decision` for one document, in plain Python (equal to ~1e-15).

        With ``x_j = (1 + log count_j) * idf_j`` and ``n = ||x||``, score ``k`` is
        ``intercept_k + sum_j x_j coef_kj / n``.  Most features occur once (``1 + log 1 = 1``),
        so the sums run over the distinct ids in C (``sum(map(...))``) with the precomputed
        products ``idf_j coef_kj`` and ``idf_j**2``, and only repeated features are corrected
        in a Python loop.
        """
        ids = [j for j in map(self.index.get, feats) if j is not None]
        intercept, idf_squared, weighted = self._tables
        if not ids:
            return list(intercept)
        counts = Counter(ids)
        distinct = list(counts)
        squares = sum(map(idf_squared.__getitem__, distinct))
        sums = [sum(map(w.__getitem__, distinct)) for w in weighted]
        if len(distinct) < len(ids):
            for j, c in counts.items():
                if c > 1:
                    extra = math.log(c)  # (1 + log c) - 1
                    squares += ((1.0 + extra) ** 2 - 1.0) * idf_squared[j]
                    for k, w in enumerate(weighted):
                        sums[k] += extra * w[j]
        norm = math.sqrt(squares)
        return [b + t / norm for b, t in zip(intercept, sums)]

    def __getstate__(self) -> dict:
        # What pickling sends to worker processes: the arrays, not the caches built from them.
        return {k: v for k, v in self.__dict__.items() if k not in ("_tables_cache", "_word_index_cache")}

    @property
    def _tables(self) -> tuple[list, list, list]:
        # Python floats, built on first use: indexing numpy arrays one element at a time is slow.
        cached = self.__dict__.get("_tables_cache")
        if cached is None:
            cached = (self.intercept.tolist(), (self.idf * self.idf).tolist(), [(self.idf * row).tolist() for row in self.coef])
            object.__setattr__(self, "_tables_cache", cached)
        return cached

    def predict_proba(self, texts: Sequence[str], osce: Sequence[bool], same_article: bool = False) -> np.ndarray:
        """Probabilities (n, labels), columns in :attr:`labels` order.

        ``same_article``: the texts are the sentences of one article, and each gets that
        article's context (:func:`pipeline.features.article_context`); otherwise each is
        scored on its own.
        """
        if _native.compiled is not None:
            return self._native_probabilities(texts, osce, same_article)
        if same_article:
            return self._probabilities(article_features(texts, osce))
        return self._probabilities([analyze(document(t, o, ALONE)) for t, o in zip(texts, osce)])

    @property
    def native(self) -> bool:
        """Whether this model computes through the compiled core (``pipeline/_native.c``)."""
        return _native.compiled is not None

    def _native_probabilities(self, texts: Sequence[str], osce: Sequence[bool], same_article: bool) -> np.ndarray:
        """:meth:`predict_proba` through the compiled core: the analyzer and the model, one call for all the sentences."""
        out = np.frombuffer(self._word_index.article(texts, osce, same_article, compiled_analyzer()), dtype=np.float64)
        return out.reshape(len(texts), len(self.labels))

    @property
    def _word_index(self):
        # Built on first use from the arrays (about 60 ms), and again in each worker process.
        cached = self.__dict__.get("_word_index_cache")
        if cached is None:
            vocab = [None] * len(self.index)
            for feature, j in self.index.items():
                vocab[j] = feature
            cached = _native.compiled.WordIndex(vocab, self.idf, self.coef, self.intercept, sorted(_NEGATORS))
            object.__setattr__(self, "_word_index_cache", cached)
        return cached

    def contributions(self, texts: Sequence[str], osce: Sequence[bool], same_article: bool = True) -> list[list[tuple[str, list[float]]]]:
        """Why each sentence scores as it does: its features and what each adds to each class's linear score.

        A feature's contribution to class ``k`` is its TF-IDF value (after the L2 normalisation)
        times the class's weight for it, so for every sentence the intercept plus the sum of
        its contributions is exactly :meth:`predict_proba`'s linear score.  Features the model
        does not know are left out (they add nothing).  Arguments as for :meth:`predict_proba`.
        Not a hot path: it runs the readable Python analyzer.
        """
        if same_article:
            feature_lists = article_features(texts, osce)
        else:
            feature_lists = [analyze(document(t, o, ALONE)) for t, o in zip(texts, osce)]
        index, out = self.index, []
        for feats in feature_lists:
            counts = Counter(f for f in feats if f in index)
            values = {f: (1.0 + math.log(c)) * float(self.idf[index[f]]) for f, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
            out.append([(f, [v / norm * float(w) for w in self.coef[:, index[f]]]) for f, v in values.items()])
        return out

    def predict_documents(self, docs: Sequence[str]) -> np.ndarray:
        """Probabilities (n, labels) for analyzer documents (:func:`pipeline.features.document`)."""
        return self._probabilities([analyze(doc) for doc in docs])

    def _probabilities(self, feature_lists: Sequence[list[str]]) -> np.ndarray:
        if len(feature_lists) <= SMALL_BATCH:
            rows = []
            for row in map(self._decision_small, feature_lists):
                top = max(row)
                exps = [math.exp(x - top) for x in row]
                total = sum(exps)
                rows.append([e / total for e in exps])
            return np.array(rows).reshape(len(feature_lists), len(self.labels))
        scores = self._decision(feature_lists)
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores
