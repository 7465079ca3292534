"""``osce-stance``: the command line, a thin layer over the library.

Exit codes: 0 success; 1 some inputs skipped; 2 usage error or nothing done.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__, paths


def _warn(message: str) -> None:
    print(message, file=sys.stderr)


def _cmd_tokenize(args: argparse.Namespace) -> int:
    from .tokenize import run

    n_articles, n_sentences = run(args.inputs or paths.input_roots(), args.articles, args.sentences, warn=_warn)
    print(f"tokenize: {n_articles} articles, {n_sentences} sentences -> {args.sentences}")
    return 0 if n_articles else 2


def _cmd_label(args: argparse.Namespace) -> int:
    from .label import run

    m = run(args.articles, args.sentences, args.out, args.reports)
    test = m[m["combiner"]]["test"]
    print(f"label: {m['n_sentences']} sentences, {m['combiner']} vote, test macro-F1 {test['macro_f1']:.3f} -> {args.out}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from .train import run

    m = run(args.labels, args.sentences, args.model, args.reports)
    clf = m["test"]["classifier"]
    print(f"train: C={m['params']['C']}, test macro-F1 {clf['macro_f1']:.3f}, F_avg {clf['f_avg']:.3f} -> {args.model}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="osce-stance", description="Stance toward the OSCE in news articles.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tok = sub.add_parser("tokenize", help="ingest articles and split them into sentences")
    tok.add_argument("inputs", nargs="*", help="files or folders (default: seeds/ and data/raw/)")
    tok.add_argument("--articles", default=paths.ARTICLES_JSONL, help="articles JSON Lines output")
    tok.add_argument("--sentences", default=paths.SENTENCES_JSONL, help="sentences JSON Lines output")
    tok.set_defaults(func=_cmd_tokenize)

    lab = sub.add_parser("label", help="weak labels for every sentence from the labelling functions")
    lab.add_argument("--articles", default=paths.ARTICLES_JSONL)
    lab.add_argument("--sentences", default=paths.SENTENCES_JSONL)
    lab.add_argument("--out", default=paths.LABELS_JSONL)
    lab.add_argument("--reports", default=paths.REPORTS, type=__import__("pathlib").Path)
    lab.set_defaults(func=_cmd_label)

    tr = sub.add_parser("train", help="fit the classifier and export models/stance/")
    tr.add_argument("--labels", default=paths.LABELS_JSONL)
    tr.add_argument("--sentences", default=paths.SENTENCES_JSONL)
    tr.add_argument("--model", default=paths.MODELS / "stance")
    tr.add_argument("--reports", default=paths.REPORTS)
    tr.set_defaults(func=_cmd_train)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _warn("interrupted")
        return 130
