"""``osce-stance``: the command line, a thin layer over the library.

Exit codes: 0 success; 1 some inputs skipped; 2 usage error or nothing done.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import __version__, paths
from .budget import DEFAULT_MAX_SECONDS
from .ingest import MAX_BYTES, missing_inputs

PERIODS, GROUPS = ("month", "quarter", "year"), ("outlet", "country")  # as pipeline.report has them (tested equal)

# The optional dependencies (pyproject.toml's extras) by the module a command imports: a lean install scores, and a
# command that needs more says which extra to install.
EXTRA_OF_MODULE = {"sklearn": "train", "nltk": "train", "jinja2": "report", "matplotlib": "report"}


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


class _UsageError(Exception):
    """A command line that cannot run as given: one line on stderr, exit code 2."""


def _in_checkout(value, default, what: str):
    """``value``, or ``default`` (a path inside the checkout) when it was not given; outside a checkout, a usage error."""
    if value is not None:
        return value
    if not paths.is_checkout():
        raise _UsageError(f"give {what}: the default ({default.relative_to(paths.ROOT)}) exists only in a checkout of osce-stance")
    return default


def _inputs(args: argparse.Namespace) -> list:
    if args.inputs:
        return args.inputs
    if not paths.is_checkout():
        raise _UsageError(f"osce-stance {args.command}: give the files or folders to read (seeds/ and data/raw/ are "
                          "the default only in a checkout of osce-stance)")
    return paths.input_roots()


def _cmd_tokenize(args: argparse.Namespace) -> int:
    from .tokenize import run

    args.articles = _in_checkout(args.articles, paths.ARTICLES_JSONL, "--articles")
    args.sentences = _in_checkout(args.sentences, paths.SENTENCES_JSONL, "--sentences")
    n_articles, n_sentences = run(_inputs(args), args.articles, args.sentences, warn=_warn)
    print(f"tokenize: {n_articles} articles, {n_sentences} sentences -> {args.sentences}")
    return 0 if n_articles else 2


def _cmd_label(args: argparse.Namespace) -> int:
    if args.sentence:

        scorer = _load_scorer(args.model)
        for sentence, proba in zip(args.sentence, scorer.predict_proba(args.sentence)):
            best = scorer.labels[int(proba.argmax())]
            probs = "  ".join(f"{name} {p:.3f}" for name, p in zip(scorer.labels, proba))
            print(f"{best:<12} {probs}  | {sentence}")
        return 0
    from .label import run

    args.articles = _in_checkout(args.articles, paths.ARTICLES_JSONL, "--articles")
    args.sentences = _in_checkout(args.sentences, paths.SENTENCES_JSONL, "--sentences")
    args.out = _in_checkout(args.out, paths.LABELS_JSONL, "--out")
    args.reports = Path(_in_checkout(args.reports, paths.REPORTS, "--reports"))
    m = run(args.articles, args.sentences, args.out, args.reports)
    dev, test = m[m["combiner"]]["dev"], m[m["combiner"]]["test"]
    print(f"label: {m['n_sentences']} sentences, {m['combiner']} vote, macro-F1 dev {dev['macro_f1']:.3f} "
          f"test {test['macro_f1']:.3f} -> {args.out}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .train import REPORTS, REPRODUCIBLE_ENV, run, up_to_date

    args.labels = _in_checkout(args.labels, paths.LABELS_JSONL, "--labels")
    args.sentences = _in_checkout(args.sentences, paths.SENTENCES_JSONL, "--sentences")
    args.model = _in_checkout(args.model, paths.MODELS / "stance", "--model")
    args.reports = _in_checkout(args.reports, paths.REPORTS, "--reports")
    if not args.force and up_to_date(args.labels, args.sentences, args.model, args.reports):
        for path in [Path(args.model) / "manifest.json", Path(args.model) / "weights.npz", *(Path(args.reports) / r for r in REPORTS)]:
            path.touch()  # newer than the inputs for Make: checked by content, not by time
        print(f"train: {args.model} already holds the model of these inputs and this code (SHA-256 in its manifest); "
              "--force fits it again")
        return 0
    if any(os.environ.get(k) != v for k, v in REPRODUCIBLE_ENV.items()):
        # numpy and OpenBLAS read these once, at import: fit in a fresh interpreter that has them
        import subprocess

        return subprocess.call([sys.executable, "-m", "pipeline", *args.argv], env={**os.environ, **REPRODUCIBLE_ENV})
    m = run(args.labels, args.sentences, args.model, args.reports)
    clf = m["test"]["classifier"]
    print(f"train: C={m['params']['C']}, test macro-F1 {clf['macro_f1']:.3f}, F_avg {clf['f_avg']:.3f} -> {args.model}")
    return 0


def _load_scorer(model):
    from .api import StanceScorer
    from .core import ModelError

    try:
        return StanceScorer.load(model)
    except ModelError as exc:
        raise SystemExit(f"error: {exc}") from None


def _score_stdin(scorer, max_bytes, on_error, sentiment=True):
    from .ingest import InputError, article_from_bytes

    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        on_error("-", InputError(f"input is above the limit of {max_bytes:,} bytes (raise it with --max-bytes)"))
        return []
    [(where, result)] = scorer.score_batch([("-", lambda: article_from_bytes(data, "stdin", source="-"))], max_bytes, sentiment)
    if isinstance(result, Exception):
        on_error(where, result)
        return []
    return [result]


def _cmd_score(args: argparse.Namespace) -> int:
    from contextlib import ExitStack
    from dataclasses import replace

    from .files import atomic_write
    from .score import ResultWriter, plot_timeline

    scorer = _scorer_for(args)
    skipped = []
    on_error = _skip_reporter(skipped)
    inputs = _inputs(args)
    if args.save and not paths.is_checkout():
        raise _UsageError("--save writes the checkout's data/processed/ and reports/; outside a checkout use --out FILE")
    missing = missing_inputs(inputs)
    if missing:
        _warn(f"error: no such file or folder: {missing[0]}")
        return 2
    if args.jobs < 1:
        _warn("error: --jobs must be at least 1")
        return 2
    if args.out_dir or args.dask:
        return _score_partitioned(scorer, inputs, args)

    def results():
        if "-" in inputs:
            yield from _score_stdin(scorer, args.max_bytes, on_error, not args.no_sentiment)
        yield from scorer.score_files([p for p in inputs if p != "-"], on_error=on_error, max_bytes=args.max_bytes, jobs=args.jobs,
                                      sentiment=not args.no_sentiment)

    n_scored = 0
    timeline = []
    # Every output is streamed into a temporary file and renamed into place only when all went well.
    with ExitStack() as stack:
        out = stack.enter_context(atomic_write(args.out)) if args.out else sys.stdout
        writers = [ResultWriter(out, args.format)]
        if args.save:
            writers += [ResultWriter(stack.enter_context(atomic_write(paths.PROCESSED / name)), fmt)
                        for name, fmt in (("scores.csv", "csv"), ("scores.jsonl", "jsonl"))]
        stream = results()
        if (args.out or args.save) and not args.quiet:
            from tqdm import tqdm

            # A counter on stderr, drawn only on a terminal (disable=None), and only when the results go to files.
            stream = tqdm(stream, unit=" articles", disable=None, dynamic_ncols=True)
        for r in stream:
            for message in () if args.quiet else r.warnings:
                _warn(f"warning: {r.article_id}: {message}")
            for w in writers:
                w.write(r)
            if args.save:
                timeline.append(replace(r, sentences=()))
            n_scored += 1
        if not n_scored:
            _warn("error: nothing could be scored")
            raise _NothingScored
    if args.save:
        plot_timeline(timeline, paths.REPORTS / "stance_timeline.png")
    if skipped:
        _warn(f"scored {n_scored}, skipped {len(skipped)}")
        return 1
    return 0


def _score_partitioned(scorer, inputs, args) -> int:
    from .distribute import RunError, run, summary_line

    fmt = "jsonl" if args.format == "table" else args.format
    problem = (("--dask writes partitioned files: give --out-dir DIR" if not args.out_dir else None)
               or ("--out-dir cannot be combined with --out or --save" if args.out or args.save else None)
               or ("standard input (-) cannot be partitioned; give files" if "-" in inputs else None))
    if problem:
        _warn(f"error: {problem}")
        return 2
    engine = "dask" if args.dask else ("joblib" if args.jobs > 1 else "local")

    def report(summary):
        for where, reason in summary["skipped"]:
            _warn(f"warning: {where}: skipped: {reason}")
        if not args.quiet:
            for article_id, message in summary["warnings"]:
                _warn(f"warning: {article_id}: {message}")

    try:
        manifest = run(scorer, inputs, args.out_dir, fmt, engine=engine, jobs=args.jobs, scheduler=args.dask,
                       size=args.partition_size, max_bytes=args.max_bytes, progress=not args.quiet, on_partition=report,
                       sentiment=not args.no_sentiment)
    except RunError as exc:
        _warn(f"error: {exc}")
        return 2
    totals = manifest["totals"]
    print(f"{summary_line(manifest)} -> {args.out_dir}", file=sys.stderr)
    if not totals["n_scored"]:
        return 2
    return 1 if totals["n_skipped"] else 0


def _scorer_for(args: argparse.Namespace):
    """The scorer a scoring command asked for (``--model``), with its time budget (``--max-seconds``)."""
    if args.max_seconds < 0:
        raise _UsageError("--max-seconds must be 0 (no limit) or more")
    scorer = _load_scorer(args.model)
    scorer.max_seconds = args.max_seconds or None
    return scorer


def _skip_reporter(skipped: list):
    """An ``on_error`` for the scoring calls: names each skipped input on stderr and remembers it in ``skipped``."""

    def on_error(path, exc):
        skipped.append(path)
        _warn(f"warning: {path}: skipped: {exc.strerror if isinstance(exc, OSError) else exc}")

    return on_error


def _scored_for_report(args: argparse.Namespace):
    """The articles of ``args.inputs`` with their scores, and the inputs skipped (named on stderr)."""
    from .report import scored_articles

    scorer = _scorer_for(args)
    inputs = _inputs(args)
    missing = missing_inputs(inputs)
    if missing:
        raise _UsageError(f"no such file or folder: {missing[0]}")
    if "-" in inputs:
        raise _UsageError(f"osce-stance {args.command} reads files and folders, not standard input")
    skipped = []
    pairs = scored_articles(scorer, inputs, on_error=_skip_reporter(skipped), max_bytes=args.max_bytes,
                            sentiment=not getattr(args, "no_sentiment", True))
    if not pairs:
        _warn("error: nothing could be scored")
        raise _NothingScored
    return scorer, pairs, skipped


def _cmd_report(args: argparse.Namespace) -> int:
    import jinja2  # noqa: F401  the [report] extra's modules, imported before the articles are scored, not after
    import matplotlib  # noqa: F401

    from .report import build_site

    out = Path(_in_checkout(args.out, paths.REPORTS / "site", "--out DIR"))
    scorer, pairs, skipped = _scored_for_report(args)
    try:
        n = build_site(pairs, out, scorer.model, by=args.by)
    except FileExistsError as exc:
        raise _UsageError(str(exc)) from None
    print(f"report: {n} articles -> {out / 'index.html'}")
    if skipped:
        _warn(f"reported {n}, skipped {len(skipped)}")
        return 1
    return 0


def _cmd_trend(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from .files import atomic_write
    from .report import format_trend, trend

    _, pairs, skipped = _scored_for_report(args)
    rows = trend([r for _, r in pairs], by=args.by, group=args.group)
    with ExitStack() as stack:
        out = stack.enter_context(atomic_write(args.out)) if args.out else sys.stdout
        format_trend(rows, args.format, out)
    undated = sum(1 for _, r in pairs if r.n_osce and not r.date)
    if undated:
        _warn(f"note: {undated} articles with OSCE content have no date and are left out")
    return 1 if skipped else 0


def _add_reading_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that reads and scores articles."""
    p.add_argument("--model", default=None, help="model folder (default: the shipped models/stance)")
    p.add_argument("--max-bytes", type=int, default=MAX_BYTES, metavar="N",
                   help=f"skip files larger than N bytes (default {MAX_BYTES:,})")
    p.add_argument("--max-seconds", type=float, default=DEFAULT_MAX_SECONDS, metavar="N",
                   help=f"skip an article that takes longer than N seconds to score, and go on (default {DEFAULT_MAX_SECONDS:g}; 0: no limit)")


class _NothingScored(Exception):
    """Raised inside the output block so that no empty output replaces a previous one."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``osce-stance`` (and ``python -m pipeline``)."""
    parser = argparse.ArgumentParser(prog="osce-stance", description="Stance toward the OSCE in news articles.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tok = sub.add_parser("tokenize", help="ingest articles and split them into sentences")
    tok.add_argument("inputs", nargs="*", help="files or folders (default: seeds/ and data/raw/)")
    tok.add_argument("--articles", help="articles JSON Lines output (default: data/interim/articles.jsonl)")
    tok.add_argument("--sentences", help="sentences JSON Lines output (default: data/interim/sentences.jsonl)")
    tok.set_defaults(func=_cmd_tokenize)

    lab = sub.add_parser("label", help="weak labels for the corpus; or, given sentences, their predicted stance")
    lab.add_argument("sentence", nargs="*", help="sentences to classify with the trained model")
    lab.add_argument("--model", default=None, help="model folder (default: the shipped models/stance)")
    lab.add_argument("--articles", help="default: data/interim/articles.jsonl")
    lab.add_argument("--sentences", help="default: data/interim/sentences.jsonl")
    lab.add_argument("--out", help="default: data/processed/labels.jsonl")
    lab.add_argument("--reports", help="default: reports/")
    lab.set_defaults(func=_cmd_label)

    tr = sub.add_parser("train", help="fit the classifier and export models/stance/")
    tr.add_argument("--labels", help="default: data/processed/labels.jsonl")
    tr.add_argument("--sentences", help="default: data/interim/sentences.jsonl")
    tr.add_argument("--model", help="output folder (default: models/stance/, the package's shipped model)")
    tr.add_argument("--reports", help="default: reports/")
    tr.add_argument("--force", action="store_true", help="fit even when the model's manifest records these inputs and this code")
    tr.set_defaults(func=_cmd_train)

    sc = sub.add_parser("score", help="score articles: stance toward the OSCE with evidence")
    sc.add_argument("inputs", nargs="*", help="files or folders (default: seeds/ and data/raw/)")
    sc.add_argument("--format", choices=("table", "csv", "jsonl"), default="table")
    sc.add_argument("--out", help="write the chosen format to this file (atomically) instead of stdout")
    sc.add_argument("--save", action="store_true",
                    help="also write data/processed/scores.csv, scores.jsonl and reports/stance_timeline.png")
    _add_reading_options(sc)
    sc.add_argument("--jobs", type=int, default=1, metavar="N", help="score files in N processes (joblib); same results")
    sc.add_argument("--no-sentiment", action="store_true",
                    help="skip the VADER tone (the sentiment column is left empty); about a quarter faster")
    big = sc.add_argument_group("large runs", "partitioned output that resumes where an interrupted run stopped")
    big.add_argument("--out-dir", metavar="DIR", help="write part-NNNNN.jsonl (or .csv) files and manifest.json into DIR")
    big.add_argument("--dask", metavar="SCHEDULER",
                     help="score on Dask: a scheduler address (tcp://host:8786) or local[:N] for N local workers")
    big.add_argument("--partition-size", type=int, default=1000, metavar="N", help="articles per partition (default 1000)")
    sc.add_argument("--quiet", action="store_true", help="no progress bar and no per-article warnings (skipped inputs are still named)")
    sc.set_defaults(func=_cmd_score)

    rep = sub.add_parser("report", help="a static HTML report: headline figures, trends, every article with its evidence")
    rep.add_argument("inputs", nargs="*", help="files or folders (.txt, .html, .jsonl; default: seeds/ and data/raw/)")
    rep.add_argument("--out", metavar="DIR", help="the report folder (default: reports/site/); replaced only if osce-stance wrote it")
    rep.add_argument("--by", choices=PERIODS, default="month", help="the period of the stance-over-time chart (default month)")
    rep.add_argument("--no-sentiment", action="store_true", help="skip the VADER tone column")
    _add_reading_options(rep)
    rep.set_defaults(func=_cmd_report)

    tr = sub.add_parser("trend", help="mean stance by month, quarter or year, per outlet or country: the numbers behind the report")
    tr.add_argument("inputs", nargs="*", help="files or folders (default: seeds/ and data/raw/)")
    tr.add_argument("--by", choices=PERIODS, default="month")
    tr.add_argument("--group", choices=GROUPS, default=None, help="one row per period and outlet, or per period and dateline country")
    tr.add_argument("--format", choices=("table", "csv"), default="table")
    tr.add_argument("--out", help="write to this file (atomically) instead of stdout")
    _add_reading_options(tr)
    tr.set_defaults(func=_cmd_trend)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv
    # SIGTERM unwinds like Ctrl-C, so every atomic write in progress removes its temporary file.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _warn("interrupted")
        return 130
    except _NothingScored:
        return 2
    except _UsageError as exc:
        _warn(f"error: {exc}")
        return 2
    except BrokenPipeError:  # `osce-stance score ... | head`
        sys.stderr.close()
        return 0
    except OSError as exc:
        _warn(f"error: {exc.filename or ''}: {exc.strerror or exc}")
        return 2
    except Exception as exc:  # a stage met data it cannot use: one line, no traceback (OSCE_STANCE_DEBUG=1 shows it)
        missing = (exc.name or "").partition(".")[0] if isinstance(exc, ModuleNotFoundError) else ""
        if missing in EXTRA_OF_MODULE:
            _warn(f"error: osce-stance {args.command} needs {missing}, an optional dependency: "
                  f"pip install 'osce-stance[{EXTRA_OF_MODULE[missing]}]'")
            return 2
        if os.environ.get("OSCE_STANCE_DEBUG"):
            raise
        _warn(f"error: {args.command}: {type(exc).__name__}: {exc}")
        return 2


def _terminate(signum, frame):
    raise KeyboardInterrupt
