"""Report: the analyst's view of scored articles, as a static HTML site and as trend tables.

* :func:`trend` aggregates :class:`~pipeline.score.ArticleScore` records by month, quarter or
  year, optionally per outlet or per country of the dateline: the mean article stance with its
  95% interval and n, and the shares of the OSCE sentences' labels.
* :func:`build_site` writes ``index.html`` (headline figures, stance over time, by outlet and by
  country, a sortable and filterable table of every article) and ``articles/<id>.html`` (the
  article's text with each OSCE sentence highlighted by its label, its probabilities, and the
  features that pushed it most).  Pages are rendered by Jinja2 from ``pipeline/templates/``
  and the charts are matplotlib SVG inlined in the page, so the site opens from disk with no
  server and no network.

The site is written into a temporary folder beside the destination and swapped into place when
complete, so a failed run leaves the previous report as it was.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .ingest import Article
from .places import country_of
from .score import STANCE_THRESHOLD, ArticleScore

__all__ = ["TrendRow", "trend", "format_trend", "humanize", "reasons", "build_site", "scored_articles", "PERIODS", "GROUPS", "MARKER"]

PERIODS = ("month", "quarter", "year")
GROUPS = ("outlet", "country")
MARKER = ".osce-stance-report"  # a folder holding this file is a report this module wrote, and may be replaced
UNKNOWN = "unknown"
# Okabe-Ito colours (safe for the common colour-vision deficiencies); every label is also written out in text.
COLOURS = {"cooperative": "#0072B2", "critical": "#D55E00", "neutral": "#707070", "mixed": "#CC79A7", "no OSCE content": "#B0B0B0"}
_MARKERS = {"cooperative": "^", "critical": "v", "neutral": "o"}
TOP_GROUPS = 20  # outlets or countries drawn in a chart (the table behind it has them all)


# ----------------------------------------------------------------------------------------------- trends

@dataclass(frozen=True)
class TrendRow:
    """The articles of one period (and one outlet or country) that have OSCE content."""

    period: str
    group: str | None
    n_articles: int
    n_osce: int
    stance: float
    stance_low: float
    stance_high: float
    share_cooperative: float
    share_critical: float
    share_neutral: float

    FIELDS = ("period", "group", "n_articles", "n_osce", "stance", "stance_low", "stance_high",
              "share_cooperative", "share_critical", "share_neutral")

    def to_dict(self) -> dict:
        """Plain values, in :attr:`FIELDS` order."""
        return {k: getattr(self, k) for k in self.FIELDS}


def period_of(date: str | None, by: str) -> str | None:
    """The period an ISO date falls in: ``2024-03``, ``2024-Q1`` or ``2024`` (None for an undated article).

    >>> period_of("2024-03-09", "month"), period_of("2024-03-09", "quarter"), period_of("2024-11-30", "year"), period_of(None, "year")
    ('2024-03', '2024-Q1', '2024', None)
    """
    if by not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {by!r}")
    if not date:
        return None
    if by == "year":
        return date[:4]
    if by == "quarter":
        return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"
    return date[:7]


def group_of(result: ArticleScore, group: str | None) -> str | None:
    """The outlet or the dateline's country of an article (``unknown`` when the article does not say)."""
    if group is None:
        return None
    if group == "outlet":
        return result.outlet or UNKNOWN
    if group == "country":
        return country_of(result.dateline) or UNKNOWN
    raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")


def _t975(df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def _summary(members: Sequence[ArticleScore]) -> dict:
    """Mean stance with a 95% Student-t interval over the articles (one article: its own bootstrap interval)."""
    n = len(members)
    stances = [r.stance for r in members]
    mean = sum(stances) / n
    if n == 1:
        low, high = members[0].stance_low, members[0].stance_high
    else:
        sd = math.sqrt(sum((s - mean) ** 2 for s in stances) / (n - 1))
        half = _t975(n - 1) * sd / math.sqrt(n)
        low, high = max(-1.0, mean - half), min(1.0, mean + half)
    n_osce = sum(r.n_osce for r in members)
    shares = {k: sum(getattr(r, f"share_{k}") * r.n_osce for r in members) / n_osce for k in ("cooperative", "critical", "neutral")}
    return {"n_articles": n, "n_osce": n_osce, "stance": round(mean, 6), "stance_low": round(low, 6), "stance_high": round(high, 6),
            **{f"share_{k}": round(v, 6) for k, v in shares.items()}}


def trend(results: Iterable[ArticleScore], by: str = "month", group: str | None = None) -> list[TrendRow]:
    """Stance per period (and per outlet or country): one :class:`TrendRow` per cell with articles.

    Only dated articles with OSCE content count; rows come in period order, then by group name.

    >>> from pipeline import StanceScorer
    >>> s = StanceScorer.load()
    >>> rows = trend([s.score_article(" date 2024-02-01 T\\n\\nThe minister thanked the OSCE mission.", sentiment=False),
    ...               s.score_article(" date 2024-03-15 T\\n\\nThe ministry said the OSCE report was biased.", sentiment=False)],
    ...              by="quarter")
    >>> [(r.period, r.n_articles, r.n_osce) for r in rows]
    [('2024-Q1', 2, 2)]
    """
    cells: dict[tuple[str, str | None], list[ArticleScore]] = defaultdict(list)
    for r in results:
        period = period_of(r.date, by)
        if period is not None and r.n_osce:
            cells[(period, group_of(r, group))].append(r)
    return [TrendRow(period=p, group=g, **_summary(members)) for (p, g), members in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]


def format_trend(rows: Sequence[TrendRow], fmt: str, out) -> None:
    """Write trend rows to ``out`` as ``csv`` or a terminal ``table``."""
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(out, fieldnames=list(TrendRow.FIELDS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.to_dict().items()})
        return
    width = max([len(r.group or "") for r in rows] + [5])
    out.write(f"{'period':<8} {'group':<{width}} {'articles':>8} {'osce':>5} {'stance':>7} {'95% interval':>16}  "
              f"{'coop':>5} {'crit':>5} {'neut':>5}\n")
    for r in rows:
        out.write(f"{r.period:<8} {r.group or '':<{width}} {r.n_articles:>8} {r.n_osce:>5} {r.stance:>+7.3f} "
                  f"{f'[{r.stance_low:+.2f}, {r.stance_high:+.2f}]':>16}  {r.share_cooperative:>5.0%} {r.share_critical:>5.0%} "
                  f"{r.share_neutral:>5.0%}\n")


# ------------------------------------------------------------------------------------------ explanations

_CUE_NAMES = {
    "thanks": "thanks", "praise": "praise", "welcome": "welcoming", "constructive": "constructive, useful talks",
    "partnership": "partnership", "commitment": "commitment, pledges", "strengthen": "strengthening ties",
    "recommendations": "recommendations", "implement": "implementing", "support": "support", "invite": "an invitation",
    "bias": "bias", "objectivity_lack": "lack of objectivity", "double_standards": "double standards",
    "politicised": "politicisation", "unfounded": "unfounded claims", "interference": "interference",
    "rejection": "rejection", "refusal": "refusal, obstruction", "crisis": "crisis, paralysis", "threat": "threats, warnings",
    "distrust": "distrust", "objectivity_demand": "demands for objectivity", "demand_verb": "demands",
    "negation": "negation", "reporting": "reporting verbs", "host_findings": "findings about the host",
    "deployment": "deployment", "election_praise": "praise of an election",
}
_CONTEXT_NAMES = {
    "ctx:coop": "the rest of the article leans cooperative", "ctx:crit": "the rest of the article leans critical",
    "ctx:tie": "the rest of the article leans neither way", "ctx:coop2": "two or more other cooperative sentences",
    "ctx:crit2": "two or more other critical sentences",
}


def humanize(feature: str) -> str:
    """A feature as a reader would name it: words in quotes, cue families and context in plain English.

    >>> [humanize(f) for f in ("w:thanked", "w:so called", "neg:objective", "ocue:bias", "cue:bias:neg", "t:osce", "ctx:crit")]
    ['"thanked"', '"so called"', '"objective" after a negation', 'bias cue about the OSCE', 'bias cue, negated', \
'names the OSCE', 'the rest of the article leans critical']
    """
    kind, _, rest = feature.partition(":")
    if kind == "w":
        return f'"{rest}"'
    if kind == "neg":
        return f'"{rest}" after a negation'
    if kind in ("cue", "ocue"):
        name, _, negated = rest.partition(":")
        label = _CUE_NAMES.get(name, name.replace("_", " "))
        return f"{label} cue{' about the OSCE' if kind == 'ocue' else ''}{', negated' if negated else ''}"
    if kind == "t":
        return "names the OSCE" if rest == "osce" else "does not name the OSCE"
    return _CONTEXT_NAMES.get(feature, feature)


def reasons(contributions: Sequence[tuple[str, Sequence[float]]], labels: Sequence[str], label: str, intercept: Sequence[float],
            top: int = 4) -> tuple[str | None, list[tuple[str, float]], list[tuple[str, float]]]:
    """Why a sentence got ``label`` rather than the runner-up class: ``(runner_up, for, against)``.

    ``contributions`` are the sentence's (:meth:`LinearModel.contributions`), ``intercept`` the model's;
    the runner-up is the class with the next highest score.  Each feature's share of the margin ``score(label) - score(runner_up)`` is its contribution to
    the one minus its contribution to the other (exact for a linear model); ``for`` holds the
    ``top`` largest positive shares, ``against`` the two most negative, as (reader's name, share).
    """
    k = labels.index(label)
    totals = [intercept[j] + sum(c[j] for _, c in contributions) for j in range(len(labels))]
    others = [j for j in range(len(labels)) if j != k]
    if not others:
        return None, [], []
    r = max(others, key=lambda j: totals[j])
    shares = sorted(((humanize(f), c[k] - c[r]) for f, c in contributions), key=lambda x: (-x[1], x[0]))
    pushes = [(name, round(v, 3)) for name, v in shares if v > 0.005][:top]
    against = [(name, round(v, 3)) for name, v in reversed(shares) if v < -0.005][:2]
    return labels[r], pushes, against


# --------------------------------------------------------------------------------------------- charts

def _figure_svg(fig) -> str:
    """An SVG of ``fig`` to inline in a page, the same bytes on every run."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "osce-stance"
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: readable by screen readers and searchable
    return plt


def timeline_svg(rows: Sequence[TrendRow], by: str) -> str | None:
    """Mean stance per period with its 95% interval, and the number of articles above each point."""
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=100)
    x = list(range(len(rows)))
    ax.axhspan(-STANCE_THRESHOLD, STANCE_THRESHOLD, color="#eeeeee", zorder=0)
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.errorbar(x, [r.stance for r in rows], yerr=[[r.stance - r.stance_low for r in rows], [r.stance_high - r.stance for r in rows]],
                fmt="o", color=COLOURS["cooperative"], ecolor="#555555", elinewidth=1, capsize=3)
    for xi, r in zip(x, rows):
        ax.annotate(f"n={r.n_articles}", (xi, min(r.stance_high, 1.0)), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=7)
    step = max(1, len(rows) // 24)
    ax.set_xticks(x[::step], [r.period for r in rows][::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylim(-1.1, 1.15)
    ax.set_ylabel("mean stance\n(+ cooperative, - critical)")
    ax.set_title(f"Stance toward the OSCE by {by}: mean of the articles, 95% interval", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return _figure_svg(fig)


def groups_svg(rows: Sequence[TrendRow], what: str) -> str | None:
    """Mean stance per outlet or country (the most covered first) with its interval and n."""
    rows = sorted(rows, key=lambda r: (-r.n_articles, r.group or ""))[:TOP_GROUPS]
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, max(2.2, 1.2 + 0.32 * len(rows))), dpi=100)
    y = list(range(len(rows)))[::-1]
    ax.axvspan(-STANCE_THRESHOLD, STANCE_THRESHOLD, color="#eeeeee", zorder=0)
    ax.axvline(0, color="#555555", linewidth=0.8)
    for yi, r in zip(y, rows):
        # The lean by score's label thresholds, drawn by shape as well as colour.
        lean = "cooperative" if r.stance >= STANCE_THRESHOLD else "critical" if r.stance <= -STANCE_THRESHOLD else "neutral"
        ax.errorbar([r.stance], [yi], xerr=[[r.stance - r.stance_low], [r.stance_high - r.stance]], fmt=_MARKERS[lean],
                    color=COLOURS[lean], ecolor="#555555", elinewidth=1, capsize=3)
    ax.set_yticks(y, [f"{r.group} (n={r.n_articles})" for r in rows], fontsize=8)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("mean stance (+ cooperative, - critical), 95% interval")
    ax.set_title(f"Stance toward the OSCE by {what}", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _figure_svg(fig)


# ----------------------------------------------------------------------------------------------- pages

def page_name(article_id: str, taken: set[str]) -> str:
    """A file name for an article's page: its id with unsafe characters replaced, unique within the site.

    >>> taken = set(); page_name("003_4756", taken), page_name("a/b c", taken), page_name("a_b_c", taken)
    ('003_4756.html', 'a_b_c.html', 'a_b_c-2.html')
    """
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", article_id).strip(".")[:120] or "article"
    name, n = f"{stem}.html", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.html"
    taken.add(name)
    return name


def _segments(text: str, sentences: Sequence, details: dict[int, dict]) -> list[dict]:
    """``text`` cut into plain stretches and scored sentences, in order, for the template."""
    out, at = [], 0
    for s in sorted(sentences, key=lambda s: s.start):
        if s.start < at:
            continue
        if s.start > at:
            out.append({"text": text[at:s.start], "sentence": None})
        out.append({"text": text[s.start:s.end], "sentence": details[s.idx]})
        at = s.end
    if at < len(text):
        out.append({"text": text[at:], "sentence": None})
    return out


def _article_view(article: Article, result: ArticleScore, contributions, model) -> dict:
    details = {}
    for s, features in zip(result.sentences, contributions):
        runner_up, pushes, against = reasons(features, model.labels, s.label, model.intercept) if s.osce else (None, [], [])
        details[s.idx] = {"idx": s.idx, "osce": s.osce, "label": s.label, "probabilities": s.probabilities,
                          "runner_up": runner_up, "pushes": pushes, "against": against}
    title_sentences = [s for s in result.sentences if s.part == "title"]
    body_sentences = [s for s in result.sentences if s.part == "body"]
    return {"title_segments": _segments(article.title or "", title_sentences, details) if article.title else [],
            "body_segments": _segments(article.body, body_sentences, details),
            "evidence": [details[s.idx] | {"text": s.text} for s in result.sentences if s.osce]}


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("pipeline", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.globals.update(colours=COLOURS, version=__version__)
    env.filters["signed"] = lambda v, digits=2: f"{v:+.{digits}f}"
    env.filters["percent"] = lambda v: f"{v:.0%}"
    return env


def _headline(results: Sequence[ArticleScore]) -> dict:
    with_osce = [r for r in results if r.n_osce]
    n_osce = sum(r.n_osce for r in with_osce)
    shares = {k: (sum(getattr(r, f"share_{k}") * r.n_osce for r in with_osce) / n_osce if n_osce else 0.0)
              for k in ("cooperative", "critical", "neutral")}
    labels = defaultdict(int)
    for r in results:
        labels[r.label] += 1
    overall = _summary(with_osce) if with_osce else None
    return {"n_articles": len(results), "n_with_osce": len(with_osce), "n_osce": n_osce, "shares": shares,
            "article_labels": dict(sorted(labels.items(), key=lambda kv: -kv[1])), "overall": overall,
            "n_undated": sum(1 for r in with_osce if not r.date)}


def build_site(pairs: Sequence[tuple[Article, ArticleScore]], out_dir: str | os.PathLike, model, by: str = "month",
               title: str = "Stance toward the OSCE") -> int:
    """Write the HTML report of scored articles into ``out_dir``; return the number of article pages.

    ``pairs`` are each article with its score (as :meth:`StanceScorer.score_parsed` gives it);
    ``model`` is the :class:`~pipeline.core.LinearModel` that scored them (for the reasons).
    ``out_dir`` must be missing, empty, or a report written before (it holds :data:`MARKER`):
    any other folder is refused with ``FileExistsError`` rather than overwritten.
    """
    from .score import explain

    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / MARKER).exists())):
        raise FileExistsError(f"{out_dir} exists and is not a report written by osce-stance; give a new or empty folder")
    env = _environment()
    results = [r for _, r in pairs]
    taken: set[str] = set()
    pages = [page_name(r.article_id, taken) for r in results]
    rows = [{"page": f"articles/{page}", "result": r, "country": country_of(r.dateline)} for page, r in zip(pages, results)]
    by_period, by_outlet, by_country = trend(results, by), _all_time(results, "outlet"), _all_time(results, "country")
    context = {"title": title, "headline": _headline(results), "rows": rows, "by": by, "model_version": model.version,
               "timeline": timeline_svg(by_period, by), "trend_rows": by_period,
               "outlets": groups_svg(by_outlet, "outlet"), "outlet_rows": by_outlet,
               "countries": groups_svg(by_country, "country of the dateline"), "country_rows": by_country}
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (work / "articles").mkdir()
        (work / "index.html").write_text(env.get_template("index.html.j2").render(**context), encoding="utf-8")
        article_template = env.get_template("article.html.j2")
        for (article, result), page in zip(pairs, pages):
            view = _article_view(article, result, explain(article, model), model)
            html = article_template.render(title=title, article=article, result=result, country=country_of(result.dateline), **view)
            (work / "articles" / page).write_text(html, encoding="utf-8")
        (work / MARKER).write_text(f"written by osce-stance {__version__}\n", encoding="utf-8")
        _swap_into_place(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return len(pages)


def scored_articles(scorer, inputs: Iterable[str | os.PathLike], on_error=None, max_bytes: int | None = None,
                    sentiment: bool = True) -> list[tuple[Article, ArticleScore]]:
    """Read and score every article under ``inputs`` (as :meth:`StanceScorer.score_files` does), keeping each article's text.

    The report needs the text to show it; ``score_files`` streams scores only.  Inputs that
    cannot be used, and articles over the scorer's time budget, go to ``on_error(where, exception)``
    (raised when it is None).
    """
    from .budget import TimeBudgetExceeded, time_budget
    from .ingest import MAX_BYTES, InputError, iter_article_files, iter_jsonl_articles, read_article

    max_bytes = MAX_BYTES if max_bytes is None else max_bytes

    def articles():
        for path in iter_article_files(inputs):
            if path.suffix == ".jsonl":
                yield from iter_jsonl_articles(path, max_bytes, max_seconds=scorer.max_seconds)
                continue
            try:
                with time_budget(scorer.max_seconds):
                    yield str(path), read_article(path, max_bytes=max_bytes)
            except (InputError, OSError, TimeBudgetExceeded) as exc:
                yield str(path), exc

    pairs = []
    for where, article in articles():
        result = article if isinstance(article, Exception) else scorer.score_batch([(where, article)], max_bytes, sentiment)[0][1]
        if isinstance(result, Exception):
            if on_error is None:
                raise result
            on_error(where, result)
        else:
            pairs.append((article, result))
    return pairs


def _all_time(results: Sequence[ArticleScore], group: str) -> list[TrendRow]:
    """One row per outlet or country over the whole period (dated or not)."""
    cells: dict[str, list[ArticleScore]] = defaultdict(list)
    for r in results:
        if r.n_osce:
            cells[group_of(r, group)].append(r)
    return [TrendRow(period="all", group=g, **_summary(members)) for g, members in sorted(cells.items())]


def _swap_into_place(work: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by the finished ``work`` folder: the old report stays whole until the new one is complete."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
    try:
        work.rename(out_dir)
    except BaseException:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
