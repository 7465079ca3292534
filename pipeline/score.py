"""Score: per-article stance toward the OSCE, with the evidence behind it.

Definitions (README repeats them):

* ``stance`` = mean over the OSCE sentences of P(cooperative) - P(critical), in [-1, 1];
  0.0 when the article has no OSCE sentence.
* ``stance_low`` / ``stance_high`` = a 95% percentile bootstrap interval of that mean
  over the OSCE sentences (1,000 resamples, fixed seed, so reruns agree).
* ``label``: ``no OSCE content`` when ``n_osce == 0``; ``mixed`` when at least 25% of the
  OSCE sentences are cooperative and at least 25% critical and ``|stance| < 0.2``;
  otherwise ``cooperative`` for stance >= 0.15, ``critical`` for stance <= -0.15,
  else ``neutral``.
* ``sentiment`` = mean VADER compound over all sentences (general tone, not stance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import native
from .budget import check as _check_budget
from .core import LinearModel
from .ingest import Article
from .segment import article_spans
from .target import concerns

__all__ = ["SentenceScore", "ArticleScore", "aggregate", "score_article", "explain", "STANCE_THRESHOLD", "MIXED_SHARE"]

STANCE_THRESHOLD = 0.15
MIXED_SHARE = 0.25
MIXED_MAX_STANCE = 0.2
BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 20261123
# Above this many OSCE sentences the interval is the normal approximation of the mean's (which the bootstrap
# approaches at that size): a 1000 x n resampling plan would take memory and time quadratic-looking in a huge
# hostile page.  News articles have a few dozen sentences.
BOOTSTRAP_MAX_SENTENCES = 1000


@dataclass(frozen=True)
class SentenceScore:
    """One sentence's evidence: where it is, whether it concerns the OSCE, its label and probabilities.

    ``part`` is ``"title"`` for the headline's sentences (offsets into the title) and
    ``"body"`` for the rest (offsets into the article body).
    """

    idx: int
    start: int
    end: int
    text: str
    osce: bool
    label: str
    probabilities: dict
    part: str = "body"

    def to_dict(self) -> dict:
        """Plain JSON of the sentence's evidence."""
        return {"idx": self.idx, "part": self.part, "start": self.start, "end": self.end, "text": self.text, "osce": self.osce,
                "label": self.label, "probabilities": self.probabilities}


@dataclass(frozen=True)
class ArticleScore:
    """The stance of one article toward the OSCE (see the module docstring for definitions)."""

    article_id: str
    date: str | None
    title: str | None
    n_sentences: int
    n_osce: int
    share_cooperative: float
    share_critical: float
    share_neutral: float
    stance: float
    stance_low: float
    stance_high: float
    label: str
    sentiment: float | None
    sentences: tuple[SentenceScore, ...] = field(default=(), repr=False)
    outlet: str | None = None
    language: str = "en"
    warnings: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)
    dateline: str | None = None

    SUMMARY_FIELDS = ("article_id", "date", "title", "outlet", "language", "n_sentences", "n_osce", "share_cooperative", "share_critical",
                      "share_neutral", "stance", "stance_low", "stance_high", "label", "sentiment")

    def to_dict(self, evidence: bool = True) -> dict:
        """Plain JSON; with ``evidence`` the sentences, labels and probabilities too."""
        record = {k: getattr(self, k) for k in self.SUMMARY_FIELDS}
        if self.dateline:
            record["dateline"] = self.dateline
        if self.warnings:
            record["warnings"] = list(self.warnings)
        if self.extra:
            record["extra"] = self.extra
        if evidence:
            record["sentences"] = [s.to_dict() for s in self.sentences]
        return record


@lru_cache(maxsize=16)
def _bootstrap_indices(n: int) -> np.ndarray:
    """The resampling plan for ``n`` sentences: the same for every article of that size (fixed seed)."""
    indices = np.random.default_rng(BOOTSTRAP_SEED).integers(0, n, size=(BOOTSTRAP_SAMPLES, n))
    indices.flags.writeable = False
    return indices


def _order_statistics(n: int, q: float) -> tuple[int, int]:
    """The two positions of ``n`` sorted values that :func:`_percentile` reads for ``q``."""
    lo = math.floor((q / 100) * (n - 1))
    return lo, min(lo + 1, n - 1)


_PERCENTILE_ORDER = tuple(sorted({*_order_statistics(BOOTSTRAP_SAMPLES, 2.5), *_order_statistics(BOOTSTRAP_SAMPLES, 97.5)}))


def _percentile(value_at, n: int, q: float) -> float:
    """``np.percentile(values, q)`` (linear method, bit for bit) of ``n`` values, without its overhead, from ``value_at``: the
    sorted values at (at least) the two positions :func:`_order_statistics` names."""
    h = (q / 100) * (n - 1)
    lo, hi = _order_statistics(n, q)
    t = h - lo
    a = float(value_at[lo])
    b = float(value_at[hi])
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def aggregate(probabilities: np.ndarray, osce: Sequence[bool], labels: Sequence[str]) -> dict:
    """Article-level numbers from sentence probabilities (pure; columns in ``labels`` order).

    >>> p = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.2, 0.7, 0.1]])
    >>> a = aggregate(p, [True, False, False], ("cooperative", "critical", "neutral"))
    >>> a["n_osce"], a["stance"], a["label"]
    (1, 0.7, 'cooperative')
    """
    coop, crit = labels.index("cooperative"), labels.index("critical")
    n_osce = sum(map(bool, osce))
    if n_osce == 0:
        return {"n_osce": 0, "share_cooperative": 0.0, "share_critical": 0.0, "share_neutral": 0.0,
                "stance": 0.0, "stance_low": 0.0, "stance_high": 0.0, "label": "no OSCE content"}
    bootstrap = n_osce <= BOOTSTRAP_MAX_SENTENCES
    if native.compiled is not None:  # the same numbers in one call (bit for bit: tests/test_native.py)
        counts, stance, order = native.compiled.stance_summary(
            np.ascontiguousarray(probabilities, dtype=np.float64), len(labels), bytes(map(bool, osce)), coop, crit,
            _bootstrap_indices(n_osce) if bootstrap else None, _PERCENTILE_ORDER)
        means = dict(zip(_PERCENTILE_ORDER, order))
    else:
        p = probabilities[np.asarray(osce, dtype=bool)]
        per_sentence = p[:, coop] - p[:, crit]
        counts = np.bincount(p.argmax(axis=1), minlength=len(labels))
        stance = float(per_sentence.mean())
        if bootstrap:
            # The resampled means (what .mean(axis=1) computes, without its overhead), and only the order statistics the
            # two percentiles read put in place: the same bounds as a full sort.
            means = np.add.reduce(per_sentence[_bootstrap_indices(n_osce)], axis=1) / n_osce
            means.partition(_PERCENTILE_ORDER)
    shares = {name: float(counts[k] / n_osce) for k, name in enumerate(labels)}  # (predicted == k).mean(), bit for bit
    if bootstrap:
        low, high = _percentile(means, BOOTSTRAP_SAMPLES, 2.5), _percentile(means, BOOTSTRAP_SAMPLES, 97.5)
    else:
        p = probabilities[np.asarray(osce, dtype=bool)]
        half = 1.959964 * float((p[:, coop] - p[:, crit]).std()) / math.sqrt(n_osce)
        low, high = stance - half, stance + half
    if shares["cooperative"] >= MIXED_SHARE and shares["critical"] >= MIXED_SHARE and abs(stance) < MIXED_MAX_STANCE:
        label = "mixed"
    elif stance >= STANCE_THRESHOLD:
        label = "cooperative"
    elif stance <= -STANCE_THRESHOLD:
        label = "critical"
    else:
        label = "neutral"
    return {"n_osce": n_osce, "share_cooperative": round(shares["cooperative"], 6), "share_critical": round(shares["critical"], 6),
            "share_neutral": round(shares["neutral"], 6), "stance": round(stance, 6), "stance_low": round(low, 6),
            "stance_high": round(high, 6), "label": label}


def _sentences(article: Article) -> tuple[list[tuple[str, int, int]], list[str], list[bool]]:
    """The article's sentences as the model reads them: ``(part, start, end)`` spans, texts, and the target rules' verdicts."""
    spans = article_spans(article.title, article.body)
    texts = [(article.body if part == "body" else article.title)[s:e] for part, s, e in spans]
    _check_budget()
    return spans, texts, concerns(texts, article.title)


def explain(article: Article, model: LinearModel) -> list[list[tuple[str, list[float]]]]:
    """Each sentence's features with their exact contributions to each class's score (:meth:`LinearModel.contributions`).

    Sentences are those of :func:`score_article`, in the same order, read in the same context.
    """
    _, texts, osce = _sentences(article)
    return model.contributions(texts, osce, same_article=True)


def score_article(article: Article, model: LinearModel, sentiment=None) -> ArticleScore:
    """Score a parsed article: split, find the OSCE, classify, aggregate.

    ``sentiment`` is a callable text -> VADER compound (``None``: not measured, ``sentiment`` is None).
    """
    spans, texts, osce = _sentences(article)
    probabilities = model.predict_proba(texts, osce, same_article=True) if texts else np.zeros((0, len(model.labels)))
    labels = model.labels
    best = probabilities.argmax(axis=1).tolist()
    if any(osce):
        # In an article about the OSCE, a sentence the target rules passed over but the model reads as taking a
        # stance ("We will go our own way," the president said.) carries that stance toward the OSCE (rule 4).
        neutral = labels.index("neutral")
        osce = [o or b != neutral for o, b in zip(osce, best)]
    sentences = tuple(
        SentenceScore(i, s, e, text, osce[i], labels[best[i]], {name: round(p, 6) for name, p in zip(labels, row)}, part)
        for i, ((part, s, e), text, row) in enumerate(zip(spans, texts, probabilities.tolist()))  # Python floats: no numpy scalars
    )
    summary = aggregate(probabilities, osce, labels)
    tone = None if sentiment is None else (round(float(np.mean([_checked(sentiment, t, i) for i, t in enumerate(texts)])), 6)
                                           if texts else 0.0)
    return ArticleScore(article_id=article.id, date=article.date, title=article.title, n_sentences=len(texts),
                        sentiment=tone, sentences=sentences, outlet=article.outlet, language=article.language,
                        warnings=article.warnings, extra=article.extra, dateline=article.dateline, **summary)


# ----------------------------------------------------------------- the stage's outputs

def _checked(sentiment, text: str, i: int) -> float:
    if not i & 63:
        _check_budget()
    return sentiment(text)


def csv_row(result: ArticleScore) -> dict:
    """The summary fields of one article, as written to ``scores.csv``."""
    return {k: ("" if v is None else v) for k, v in result.to_dict(evidence=False).items() if k in ArticleScore.SUMMARY_FIELDS}


TABLE_HEADER = f"{'article':<24} {'date':<10} {'osce':>4} {'stance':>7} {'95% interval':>16}  {'label':<15} title"


def table_row(r: ArticleScore, title_width: int = 34) -> str:
    """One terminal-table line for an article."""
    interval = f"[{r.stance_low:+.2f}, {r.stance_high:+.2f}]" if r.n_osce else ""
    title = (r.title or "")[:title_width]
    return f"{r.article_id[:24]:<24} {r.date or '':<10} {r.n_osce:>4} {r.stance:>+7.3f} {interval:>16}  {r.label:<15} {title}"


def format_table(results: Sequence[ArticleScore]) -> str:
    """A compact terminal table: one line per article."""
    return "\n".join([TABLE_HEADER, *(table_row(r) for r in results)])


def plot_timeline(results: Sequence[ArticleScore], path) -> int:
    """``stance_timeline.png``: stance per dated article, with its interval; returns the points drawn."""
    import datetime as dt

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .files import atomic_write

    colours = {"cooperative": "#1b9e77", "critical": "#d95f02", "mixed": "#7570b3", "neutral": "#999999"}
    dated = sorted((r for r in results if r.date and r.n_osce), key=lambda r: (r.date, r.article_id))
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    ax.axhspan(-STANCE_THRESHOLD, STANCE_THRESHOLD, color="#eeeeee", zorder=0)
    ax.axhline(0, color="#555555", linewidth=0.8)
    for label, colour in colours.items():
        group = [r for r in dated if r.label == label]
        if not group:
            continue
        x = [dt.date.fromisoformat(r.date) for r in group]
        y = np.array([r.stance for r in group])
        err = np.array([[r.stance - r.stance_low for r in group], [r.stance_high - r.stance for r in group]])
        ax.errorbar(x, y, yerr=err, fmt="o", color=colour, ecolor=colour, alpha=0.85, elinewidth=1, capsize=2,
                    label=f"{label} ({len(group)})")
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("stance toward the OSCE\n(mean P(coop) - P(crit))")
    ax.set_title(f"Stance per article over time ({len(dated)} dated articles with OSCE content; bars: 95% bootstrap interval)")
    if dated:
        ax.legend(loc="lower left", fontsize=8, frameon=False, ncol=4)
    ax.grid(axis="y", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png", metadata={"Software": None})
    plt.close(fig)
    return len(dated)


class ResultWriter:
    """Writes results one at a time as a terminal ``table``, ``csv`` (summaries) or ``jsonl`` (with evidence).

    Streaming keeps memory flat however many articles pass through.
    """

    def __init__(self, fh, fmt: str):
        import csv

        self.fh, self.fmt = fh, fmt
        if fmt == "csv":
            self._csv = csv.DictWriter(fh, fieldnames=list(ArticleScore.SUMMARY_FIELDS), lineterminator="\n")
            self._csv.writeheader()
        elif fmt == "table":
            fh.write(TABLE_HEADER + "\n")

    def write(self, r: ArticleScore) -> None:
        """Write one article."""
        from .files import dumps

        if self.fmt == "jsonl":
            self.fh.write(dumps(r.to_dict(evidence=True)) + "\n")
        elif self.fmt == "csv":
            self._csv.writerow(csv_row(r))
        else:
            self.fh.write(table_row(r) + "\n")
