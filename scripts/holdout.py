"""Round six, held out: articles the team wrote in the registers of real news, read twice, never trained on.

Round six (writers an-at, `data/gold/drafts/WRITER_BRIEF_REAL.md`) was written as training data aimed at the
model's largest errors on real news.  Trained with it, the model scored no better on the real-news yardstick
(the dev set that chooses; README), so the round is kept out of training, in ``data/holdout/round6/``, and
measures the shipped model instead: a second team-written test beside the gold test split, in the registers
of real news rather than those of the first rounds.  Nothing under ``data/holdout/`` is read by a stage.

    python scripts/holdout.py          # -> reports/holdout.md   (make holdout)

Each sentence's label is the writer's where the blind second reader agreed, else the ruling in
``adjudications.json`` (keyed ``<writer><line>``).  It is scored as the yardstick is (scripts/real_news.py):
in its article, alone, and the article's sign.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import real_news

from pipeline import StanceScorer
from pipeline.files import atomic_write

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = ROOT / "data" / "holdout" / "round6"
REPORT = ROOT / "reports" / "holdout.md"


class HoldoutError(Exception):
    """The held-out data is inconsistent: a reading or a ruling is missing, or a sentence is not in its article."""


def load(folder: Path = HOLDOUT) -> tuple[dict[str, str], list[dict]]:
    """The articles' texts by id, and one row per labelled sentence (offsets into its text, both readings, the final label)."""
    rulings = json.loads((folder / "adjudications.json").read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    rows: list[dict] = []
    for draft_file in sorted((folder / "drafts").glob("writer_*.jsonl")):
        writer = draft_file.stem.removeprefix("writer_")
        drafts = real_news.read_jsonl(draft_file)
        readings = real_news.read_jsonl(folder / "readers" / f"{draft_file.stem}.reader.jsonl")
        if [r["n"] for r in readings] != list(range(len(drafts))):
            raise HoldoutError(f"{draft_file.name}: the second reading does not hold one line per sentence, in order")
        by_article: dict[str, list[tuple[int, dict, dict]]] = {}
        for n, (d, r) in enumerate(zip(drafts, readings)):
            by_article.setdefault(d["article_id"], []).append((n, d, r))
        for article_id, lines in by_article.items():
            text = texts.setdefault(article_id, (folder / "corpus" / f"{article_id}.txt").read_text(encoding="utf-8"))
            for (n, d, r), span in zip(lines, real_news.locate(text, [d["text"] for _, d, _ in lines])):
                tag = f"{writer}{n}"
                if span is None:
                    raise HoldoutError(f"{tag}: not found in {article_id}.txt: {d['text'][:60]!r}")
                if d["label"] != r["label"] and tag not in rulings:
                    raise HoldoutError(f"{tag}: the readers disagree and there is no ruling")
                final = d["label"] if d["label"] == r["label"] else rulings[tag][0]
                rows.append({"id": tag, "excerpt": article_id, "idx": len(rows), "start": span[0], "end": span[1],
                             "first": d["label"], "second": r["label"], "label": final})
    return texts, rows


def main() -> int:
    texts, rows = load()
    m = real_news.measure(StanceScorer.load(), texts, rows)
    first, second = [r["first"] for r in rows], [r["second"] for r in rows]
    agreement = sum(a == b for a, b in zip(first, second)) / len(rows)
    shares = Counter(r["label"] for r in rows)
    c, a = m["in_context"], m["alone"]
    lines = [
        "# Held-out round six", "",
        f"{len(texts)} articles written by the team in the registers of real news (`data/holdout/round6/`), "
        f"{len(rows)} sentences labelled by their writers and read blind by a second reader "
        f"(agreement {agreement:.3f}, Cohen's kappa {real_news.kappa(first, second):.3f}; "
        f"{sum(a != b for a, b in zip(first, second))} disagreements ruled). Never trained on.",
        "Labels: " + ", ".join(f"{k} {shares[k]} ({shares[k] / len(rows):.0%})" for k in ("neutral", "critical", "cooperative")) + ".", "",
        "| system | n | accuracy | macro-F1 | F_avg | F1 coop | F1 crit | F1 neutral |", "|---|---|---|---|---|---|---|---|",
        real_news.table_row("osce-stance, sentence alone (`predict`)", a), real_news.table_row("osce-stance, in context (`score_article`)", c), "",
        f"Article sign agreement on {m['article_sign']['n']} articles with a clear stance: {m['article_sign']['agreement']:.3f} "
        f"({m['article_sign']['wrong_sign']} with the opposite sign, {m['article_sign']['zero']} scored 0).", "",
        "Confusion in context (rows gold, columns predicted: cooperative, critical, neutral):", "", "```",
        *("  ".join(f"{v:5d}" for v in row) for row in c["confusion"]), "```",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    with atomic_write(REPORT) as fh:
        fh.write(report)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HoldoutError as exc:
        sys.exit(f"error: {exc}")
