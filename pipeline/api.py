"""The public face: :class:`StanceScorer`.

>>> from pipeline import StanceScorer
>>> scorer = StanceScorer.load()
>>> scorer.labels
('cooperative', 'critical', 'neutral')
>>> scorer.predict(["The minister thanked the ODIHR mission for its professional work."])
['cooperative']
>>> scorer.predict(["The ministry said the ODIHR statement was biased and politically motivated."])
['critical']
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from . import paths
from .budget import DEFAULT_MAX_SECONDS, TimeBudgetExceeded, time_budget
from .core import LinearModel
from .ingest import MAX_BYTES, Article, InputError, iter_article_files, iter_jsonl_articles, parse_article, read_article
from .score import ArticleScore, score_article
from .target import concerns_alone

__all__ = ["StanceScorer", "shipped_model"]
CHUNK_ARTICLES = 16  # articles per task sent to a worker process


def shipped_model():
    """Where the shipped model is, and what to do if it is damaged: ``(folder, fix)``.

    The model is package data (``pipeline.models``, the checkout's ``models/`` folder), so an installed
    wheel, an editable install and a zip import all find it from any working directory.  With
    ``OSCE_STANCE_ROOT`` set (the Make stages of a copied checkout), the model of that checkout is read;
    a source tree put on ``sys.path`` without an install reads its own ``models/``.
    """
    checkout_fix = "run `make train` to rebuild it"
    if os.environ.get("OSCE_STANCE_ROOT"):
        return paths.MODELS / "stance", checkout_fix
    try:
        folder = resources.files("pipeline.models") / "stance"
    except ModuleNotFoundError:
        return paths.MODELS / "stance", checkout_fix
    in_checkout = isinstance(folder, Path) and folder.resolve() == (paths.MODELS / "stance").resolve()
    return folder, checkout_fix if in_checkout else "reinstall osce-stance (`pip install --force-reinstall osce-stance`)"


class StanceScorer:
    """Scores sentences and articles with a saved stance model.

    Load it with :meth:`load`; it is cheap to keep and safe to share between threads.
    """

    def __init__(self, model: LinearModel, max_seconds: float | None = DEFAULT_MAX_SECONDS):
        self.model = model
        self.max_seconds = max_seconds  # the time budget per article of score_files and score_batch (None: none)
        self._vader = None

    def __getstate__(self):
        # What travels to worker processes: the model and the budget, not the lazily built VADER analyzer.
        return {"model": self.model, "max_seconds": self.max_seconds, "_vader": None}

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, max_seconds: float | None = DEFAULT_MAX_SECONDS) -> StanceScorer:
        """Load the shipped model, or the model folder at ``path``.

        ``max_seconds``: the time budget per article of :meth:`score_files` and :meth:`score_batch`; an
        article over it is reported as skipped (``TimeBudgetExceeded``) and the run goes on.
        """
        if path:
            return cls(LinearModel.load(Path(path), fix="give a folder written by `osce-stance train` (`make train` in a checkout)"),
                       max_seconds)
        folder, fix = shipped_model()
        return cls(LinearModel.load(folder, fix=fix), max_seconds)

    @property
    def version(self) -> str | None:
        """The loaded model's version (``stance-0.1.0``), from its manifest."""
        return self.model.version

    @property
    def labels(self) -> tuple[str, ...]:
        """Class names, in the column order of :meth:`predict_proba`."""
        return self.model.labels

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        """Probabilities (n, 3) for standalone sentences (each is its own context).

        >>> StanceScorer.load().predict_proba(["Wheat prices rose."]).shape
        (1, 3)
        """
        osce = [concerns_alone(s) for s in sentences]
        return self.model.predict_proba(list(sentences), osce)

    def predict(self, sentences: Sequence[str]) -> list[str]:
        """The most probable label of each sentence."""
        return [self.labels[k] for k in self.predict_proba(sentences).argmax(axis=1)]

    def _sentiment(self, text: str) -> float:
        if self._vader is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            self._vader = SentimentIntensityAnalyzer()
        return self._vader.polarity_scores(text)["compound"]

    def score_article(self, text: str, article_id: str = "article", sentiment: bool = True) -> ArticleScore:
        """Score one article given as text (seed format or plain text).

        ``sentiment=False`` skips the VADER tone (``sentiment`` is then None), which is
        about a quarter of the time.

        >>> result = StanceScorer.load().score_article("OSCE observers praised\\n\\nThe minister thanked the OSCE observers.")
        >>> result.n_osce, result.label, [s.part for s in result.sentences]
        (2, 'cooperative', ['title', 'body'])
        """
        return self.score_parsed(parse_article(text, article_id), sentiment)

    def score_files(self, inputs: Iterable[str | os.PathLike], on_error=None, max_bytes: int = MAX_BYTES,
                    jobs: int = 1, sentiment: bool = True) -> Iterator[ArticleScore]:
        """Score every article under ``inputs``, streaming, in input order.

        ``inputs`` are ``.txt`` files, folders of them (any depth) and JSON Lines files
        (one article per line).  Inputs that cannot be used (empty, binary, over
        ``max_bytes``, unreadable, a bad JSON line) are passed to ``on_error(where,
        exception)`` and skipped; by default the error is raised.  With ``jobs`` > 1 the
        articles are scored in that many processes (joblib); results and their order are
        the same as with one.  ``sentiment=False`` skips the VADER tone (a quarter of the time).
        An article that takes longer than :attr:`max_seconds` is skipped the same way
        (``TimeBudgetExceeded``), in worker processes too.
        """
        if jobs == 1:
            outcomes = (outcome for chunk in _chunks(_work_items(inputs, max_bytes, self.max_seconds), CHUNK_ARTICLES)
                        for outcome in self.score_batch(chunk, max_bytes, sentiment))
        else:
            outcomes = self._score_in_processes(inputs, max_bytes, jobs, sentiment)
        for where, result in outcomes:
            if isinstance(result, Exception):
                if on_error is None:
                    raise result
                on_error(where, result)
            else:
                yield result

    def _score_in_processes(self, inputs, max_bytes: int, jobs: int, sentiment: bool) -> Iterator[tuple]:
        """``score_files`` with ``jobs`` processes (joblib's loky backend), streamed, in input order.

        Workers read and parse .txt files themselves; JSON Lines records are parsed here, line by
        line, so that one big file is still spread over the workers and streamed.  Each worker
        gets this scorer once, through the executor's initializer.  Loky reports a worker that
        died (killed, out of memory) as an error instead of waiting for it; a forked
        ``multiprocessing`` pool starts faster (no imports, no model to load) but can hang for
        good when a worker dies, so it is not used.
        """
        from joblib import Parallel, delayed, parallel_config

        with parallel_config(backend="loky", initializer=_start_worker, initargs=(self,)):
            parallel = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")
            batches = parallel(delayed(_score_chunk)(chunk, max_bytes, sentiment)
                               for chunk in _chunks(_work_items(inputs, max_bytes, self.max_seconds), CHUNK_ARTICLES))
            for batch in batches:
                yield from batch

    def score_batch(self, items: Iterable, max_bytes: int = MAX_BYTES, sentiment: bool = True) -> list[tuple[str, ArticleScore | Exception]]:
        """Score a batch of articles: the one function behind single-process, ``jobs`` and Dask runs.

        Each item is article text (``str``), a :class:`~pathlib.Path` of an article file
        (read here), an :class:`~pipeline.ingest.Article`, or a ``(where, Article or
        error)`` pair as :func:`~pipeline.ingest.iter_jsonl_articles` yields.  Returns one
        ``(where, ArticleScore or the error that prevented it)`` per article, in order, so
        whoever runs the batch decides what to do with bad inputs.  Each article is read, parsed
        and scored within :attr:`max_seconds` (``TimeBudgetExceeded`` otherwise).

        >>> [(where, r.label) for where, r in StanceScorer.load().score_batch(["The minister thanked the OSCE observers."])]
        [('batch-0', 'cooperative')]
        """
        outcomes = []
        for i, item in enumerate(items):
            if isinstance(item, Path) and item.suffix == ".jsonl":
                pairs = iter_jsonl_articles(item, max_bytes, max_seconds=self.max_seconds)
            elif isinstance(item, Path):
                pairs = [(str(item), lambda item=item: read_article(item, max_bytes=max_bytes))]
            elif isinstance(item, str):
                pairs = [(f"batch-{i}", lambda item=item, i=i: parse_article(item, f"batch-{i}"))]
            elif isinstance(item, Article):
                pairs = [(item.source or item.id, item)]
            else:
                pairs = [item]
            for where, article in pairs:
                outcomes.append((where, article if isinstance(article, Exception) else self._score_within_budget(article, sentiment)))
        return outcomes

    def _score_within_budget(self, article, sentiment: bool) -> ArticleScore | Exception:
        """Read (``article`` a callable), parse and score one article within the time budget; its error if it fails."""
        try:
            with time_budget(self.max_seconds):
                return self.score_parsed(article() if callable(article) else article, sentiment)
        except (InputError, OSError, TimeBudgetExceeded) as exc:
            return exc

    def score_parsed(self, article: Article, sentiment: bool = True) -> ArticleScore:
        """Score an :class:`~pipeline.ingest.Article` that is already parsed (from ``read_article`` or JSON Lines)."""
        return score_article(article, self.model, self._sentiment if sentiment else None)


def _work_items(inputs, max_bytes: int, max_seconds: float | None = None):
    """For workers: a ``.txt`` path to read there, or a ``(where, Article or error)`` from a JSON Lines file."""
    for path in iter_article_files(inputs):
        if path.suffix == ".jsonl":
            yield from iter_jsonl_articles(path, max_bytes, max_seconds=max_seconds)
        else:
            yield path


def _chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_WORKER_SCORER: StanceScorer | None = None  # in a worker process of score_files(jobs=N): the caller's scorer


def _start_worker(scorer: StanceScorer) -> None:
    """Set up a worker process of ``score_files(jobs=N)``: it scores with the caller's ``scorer``.

    Ctrl-C and SIGTERM are the parent's to handle: it stops the workers and cleans up.
    """
    global _WORKER_SCORER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER_SCORER = scorer


def _score_chunk(items: list, max_bytes: int, sentiment: bool = True) -> list:
    """Worker side of ``jobs`` > 1."""
    return _WORKER_SCORER.score_batch(items, max_bytes, sentiment)
