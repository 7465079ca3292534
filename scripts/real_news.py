"""The real-news yardstick: published English news about the OSCE, labelled blind by two readers.

The texts are third-party and never enter git: they live in ``data/real/cache/`` (ignored).
What is committed is ``data/real/manifest.jsonl`` (one line per excerpt: id, url, query,
SHA-1 of the text, country, year, register) and ``data/real/labels.jsonl`` (one line per
sentence: id, offsets and SHA-1 of its text, both readers' labels and the final one).  The set
is a dev set: settings are chosen on it, nothing is trained on it, and no sentence of it is
copied or paraphrased into the corpus.

    python scripts/real_news.py build        # gathered/*.jsonl -> cache/texts, cache/sentences.jsonl, manifest.jsonl
    python scripts/real_news.py packets N    # N reader packets (cache/readers/packet_K.md)
    python scripts/real_news.py collect      # both readers' files + rulings -> labels.jsonl, agreement
    python scripts/real_news.py evaluate     # the shipped model (and peers) on the cached texts -> reports/real.md

``make real`` runs ``evaluate``; without the cache it says so and exits with status 2.  The cache is
``data/real/cache/`` or the folder ``OSCE_REAL_CACHE`` names (a copy kept outside the work tree).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

from pipeline.files import atomic_write
from pipeline.metrics import LABELS
from pipeline.metrics import evaluate as _evaluate
from pipeline.segment import sentence_spans

ROOT = Path(__file__).resolve().parents[1]

REAL = ROOT / "data" / "real"
CACHE = Path(os.environ.get("OSCE_REAL_CACHE") or REAL / "cache")  # third-party texts: never in git
MANIFEST = REAL / "manifest.jsonl"
LABELS_FILE = REAL / "labels.jsonl"
RULINGS = REAL / "rulings.jsonl"
REPORT = ROOT / "reports" / "real.md"
MAX_PER_DOMAIN = 3
_OSCE_WORDS = re.compile(r"OSCE|ODIHR|Organi[sz]ation for Security and Co-?operation", re.I)


def sha1(text: str) -> str:
    """SHA-1 of a text (UTF-8): how a cached text is matched to the committed manifest and labels."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def domain(url: str) -> str:
    """The site of a URL, without ``www.``."""
    host = urlparse(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host


def spans(text: str) -> list[tuple[int, int]]:
    """The yardstick's sentences of an excerpt: every line split as the pipeline splits a body (never across a line break).

    Headlines, bylines and page clutter are sentences too: a reader labels them, and the
    product must get them right (clutter is neutral) or drop them.
    """
    return sentence_spans(text)


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSON Lines file (blank lines skipped)."""
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def write_jsonl(path: Path, rows) -> None:
    """Write rows as sorted-key JSON Lines, atomically."""
    with atomic_write(path) as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


# ------------------------------------------------------------------ build the set


def build() -> int:
    """Deduplicate the gatherers' excerpts, cache their texts and sentences, write the manifest."""
    rows, seen_urls, seen_text, per_domain = [], set(), set(), Counter()
    for path in sorted((CACHE / "gathered").glob("*.jsonl")):
        for g in read_jsonl(path):
            text = g["text"].replace("\r\n", "\n").strip()
            url, site = g["url"], domain(g["url"])
            if url in seen_urls or sha1(text) in seen_text or per_domain[site] >= MAX_PER_DOMAIN:
                continue
            if not _OSCE_WORDS.search(text) or len(spans(text)) < 3:
                continue
            seen_urls.add(url)
            seen_text.add(sha1(text))
            per_domain[site] += 1
            rows.append({"id": "rn-" + sha1(url)[:10], "url": url, "domain": site, "query": g.get("query", ""),
                         "sha1": sha1(text), "country": g.get("country"), "year": g.get("year"),
                         "register": g.get("register"), "gatherer": path.stem, "text": text})
    (CACHE / "texts").mkdir(parents=True, exist_ok=True)
    sentences = []
    for r in rows:
        (CACHE / "texts" / f"{r['id']}.txt").write_text(r["text"], encoding="utf-8")
        for idx, (s, e) in enumerate(spans(r["text"])):
            sentences.append({"id": f"{r['id']}:{idx}", "excerpt": r["id"], "idx": idx, "start": s, "end": e,
                              "sha1": sha1(r["text"][s:e]), "text": r["text"][s:e]})
        r["n_sentences"] = sum(1 for x in sentences if x["excerpt"] == r["id"])
    write_jsonl(CACHE / "sentences.jsonl", sentences)
    write_jsonl(MANIFEST, ({k: v for k, v in r.items() if k != "text"} for r in rows))
    print(f"{len(rows)} excerpts from {len(per_domain)} sites, {len(sentences)} sentences -> {MANIFEST}")
    return 0


def packets(n: int) -> int:
    """Split the excerpts into ``n`` reader packets (whole excerpts, about equal numbers of sentences)."""
    sentences = read_jsonl(CACHE / "sentences.jsonl")
    by_excerpt = defaultdict(list)
    for s in sentences:
        by_excerpt[s["excerpt"]].append(s)
    manifest = {r["id"]: r for r in read_jsonl(MANIFEST)}
    total, size = 0, len(sentences) / n
    out: list[list[str]] = [[] for _ in range(n)]
    counts = [0] * n
    for excerpt, group in sorted(by_excerpt.items(), key=lambda kv: kv[0]):
        k = min(int(total // size), n - 1)
        out[k].append(f"\n## Excerpt {excerpt}  (site: {manifest[excerpt]['domain']})\n")
        out[k] += [f"[{s['id']}] {s['text']}" for s in group]
        counts[k] += len(group)
        total += len(group)
    (CACHE / "readers").mkdir(parents=True, exist_ok=True)
    for k, lines in enumerate(out):
        (CACHE / "readers" / f"packet_{k}.md").write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")
    print(f"{n} packets: {counts} sentences")
    return 0


# ------------------------------------------------------------------ collect the readings


def kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two readings of the same items (NLTK's AnnotationTask, as the label stage reports it)."""
    from nltk.metrics.agreement import AnnotationTask

    return AnnotationTask(data=[(coder, str(i), label) for i, pair in enumerate(zip(a, b)) for coder, label in zip("ab", pair)]).kappa()


def collect() -> int:
    """Both readers' labels -> ``labels.jsonl``; list the disagreements that still need a ruling."""
    sentences = {s["id"]: s for s in read_jsonl(CACHE / "sentences.jsonl")}
    readings: dict[str, list[dict]] = defaultdict(list)
    for path in sorted((CACHE / "readers").glob("packet_*.*.jsonl")):
        reader = path.name.split(".")[1]
        for r in read_jsonl(path):
            if r["id"] in sentences and r["label"] in LABELS:
                readings[r["id"]].append({"reader": reader, "label": r["label"], "osce": bool(r.get("osce"))})
    rulings = {r["id"]: r for r in read_jsonl(RULINGS)} if RULINGS.exists() else {}
    rows, pending, first, second = [], [], [], []
    for sid, s in sentences.items():
        reads = readings.get(sid, [])[:2]
        if len(reads) < 2:
            pending.append(f"{sid}: {len(reads)} reading(s)")
            continue
        a, b = reads
        first.append(a["label"])
        second.append(b["label"])
        label = a["label"] if a["label"] == b["label"] else rulings.get(sid, {}).get("label")
        if label is None:
            pending.append(f"{sid}: {a['reader']} {a['label']}, {b['reader']} {b['label']}: {s['text'][:140]}")
            continue
        rows.append({"id": sid, "excerpt": s["excerpt"], "idx": s["idx"], "start": s["start"], "end": s["end"], "sha1": s["sha1"],
                     "first": a["label"], "second": b["label"], "label": label, "osce": a["osce"] or b["osce"],
                     **({"ruling": rulings[sid]["reason"]} if sid in rulings and a["label"] != b["label"] else {})})
    if first:
        agree = sum(x == y for x, y in zip(first, second)) / len(first)
        print(f"{len(first)} sentences read twice: agreement {agree:.3f}, Cohen's kappa {kappa(first, second):.3f}")
    for line in pending:
        print("pending:", line)
    if pending:
        print(f"{len(pending)} sentences still need a reading or a ruling; labels.jsonl not written")
        return 1
    write_jsonl(LABELS_FILE, rows)
    print(f"{len(rows)} labelled sentences -> {LABELS_FILE}: {dict(Counter(r['label'] for r in rows))}")
    return 0


# ------------------------------------------------------------------ measure


def cached_texts() -> dict[str, str]:
    """The cached excerpt texts whose SHA-1 matches the manifest (a changed or missing text is left out)."""
    texts = {}
    for r in read_jsonl(MANIFEST):
        path = CACHE / "texts" / f"{r['id']}.txt"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            if sha1(text) == r["sha1"]:
                texts[r["id"]] = text
    return texts


def locate(text: str, pieces: list[str]) -> list[tuple[int, int] | None]:
    """Where each of ``pieces`` (in order) stands in ``text``: ``(start, end)`` or None.

    The product's sentences come from the cleaned body, whose lines are the raw lines stripped
    (and no-break spaces made plain), so each is found verbatim in the raw text, in order.

    >>> locate("Title\\n  A b.  C d.", ["A b.", "C d.", "zz"])
    [(8, 12), (14, 18), None]
    """
    haystack = text.replace("\u00a0", " ")
    found, cursor = [], 0
    for piece in pieces:
        at = haystack.find(piece, cursor)
        if at < 0:
            at = haystack.find(piece)
        if at < 0:
            found.append(None)
            continue
        found.append((at, at + len(piece)))
        cursor = at + len(piece)
    return found


def product_labels(text: str, gold: list[dict], result) -> tuple[list[str], list[list[float] | None]]:
    """The label the product gives each gold sentence of one excerpt, and the probabilities it shows for it.

    A gold sentence takes the verdict of the product sentence that overlaps it most: that
    sentence's label when it concerns the OSCE, ``neutral`` when it does not (the product says
    it is not about the OSCE).  A gold sentence the product dropped (boilerplate, or a line it
    did not keep) is ``neutral``.
    """
    where = locate(text, [s.text for s in result.sentences])
    labels, probabilities = [], []
    for g in gold:
        best, overlap = None, 0
        for s, span in zip(result.sentences, where):
            if span is None:
                continue
            o = min(g["end"], span[1]) - max(g["start"], span[0])
            if o > overlap:
                best, overlap = s, o
        if best is None or not best.osce:
            labels.append("neutral")
            probabilities.append(None)
        else:
            labels.append(best.label)
            probabilities.append([best.probabilities[k] for k in LABELS])
    return labels, probabilities


def calibration_error(confidences, correct, bins: int = 10) -> float:
    """Expected calibration error of the top-label confidence, equal-width bins."""
    import numpy as np

    confidences, correct = np.asarray(confidences, float), np.asarray(correct, float)
    if not len(confidences):
        return float("nan")
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidences, edges[1:-1]), 0, bins - 1)
    return float(sum(abs(confidences[which == b].mean() - correct[which == b].mean()) * (which == b).mean()
                     for b in range(bins) if (which == b).any()))


def gold_article_sign(labels: list[str]) -> int:
    """+1 / -1 when an excerpt's gold sentences lean clearly one way (the larger side at least twice the other), else 0."""
    coop, crit = labels.count("cooperative"), labels.count("critical")
    if coop >= 1 and coop >= 2 * crit:
        return 1
    if crit >= 1 and crit >= 2 * coop:
        return -1
    return 0


def measure(scorer, texts: dict[str, str], gold_rows: list[dict]) -> dict:
    """Every reading of the yardstick for one scorer: sentences in context, sentences alone, article signs, calibration."""
    by_excerpt = defaultdict(list)
    for g in gold_rows:
        if g["excerpt"] in texts:
            by_excerpt[g["excerpt"]].append(g)
    y, pred, alone, conf, hit, signs = [], [], [], [], [], []
    for excerpt, gold in sorted(by_excerpt.items()):
        text = texts[excerpt]
        gold.sort(key=lambda g: g["idx"])
        result = scorer.score_article(text, article_id=excerpt, sentiment=False)
        labels, probabilities = product_labels(text, gold, result)
        y += [g["label"] for g in gold]
        pred += labels
        for g, label, p in zip(gold, labels, probabilities):
            if p is not None:
                conf.append(max(p))
                hit.append(label == g["label"])
        sentences = [text[g["start"]:g["end"]] for g in gold]
        alone += scorer.predict(sentences)
        truth = gold_article_sign([g["label"] for g in gold])
        if truth:
            signs.append((truth, 1 if result.stance > 0 else -1 if result.stance < 0 else 0))
    index = {k: i for i, k in enumerate(LABELS)}
    context = _evaluate([index[v] for v in y], [index[v] for v in pred])
    lone = _evaluate([index[v] for v in y], [index[v] for v in alone])
    return {"in_context": context, "alone": lone, "n_excerpts": len(by_excerpt),
            "article_sign": {"n": len(signs), "agreement": sum(t == p for t, p in signs) / max(len(signs), 1),
                             "wrong_sign": sum(t == -p for t, p in signs), "zero": sum(p == 0 for _, p in signs)},
            "calibration": {"n": len(conf), "ece": calibration_error(conf, hit),
                            "accuracy_at_0.9": (sum(h for c, h in zip(conf, hit) if c >= 0.9) / max(sum(c >= 0.9 for c in conf), 1))}}


def invariance(scorer, texts: dict[str, str], gold_rows: list[dict]) -> list[dict]:
    """Edits a reader ignores (:mod:`pipeline.invariance`) on the yardstick: labelled sentences alone, whole excerpts in context.

    One row per edit: ``{"edit", "where", "moved", "touched", "share", "ok"}`` (``ok``: at most 1% moved).
    """
    from pipeline.invariance import ARTICLE_EDITS, MAX_MOVED, NAME_EDITS, moved_alone, moved_in_articles

    sentences = [texts[g["excerpt"]][g["start"]:g["end"]] for g in gold_rows if g["excerpt"] in texts]
    rows = []
    for name, pattern, replacement in NAME_EDITS:
        moved, touched = moved_alone(scorer, sentences, pattern, replacement)
        rows.append({"edit": name, "where": "labelled sentences, alone", "moved": moved, "touched": touched})
    articles = [texts[k] for k in sorted(texts)]
    for name, edit in ARTICLE_EDITS:
        moved, touched, _ = moved_in_articles(scorer, articles, edit)
        rows.append({"edit": name, "where": "whole excerpts, in context", "moved": moved, "touched": touched})
    for row in rows:
        row["share"] = row["moved"] / row["touched"] if row["touched"] else 0.0
        row["ok"] = row["moved"] <= MAX_MOVED * row["touched"]
    return rows


def vader_row(texts: dict[str, str], gold_rows: list[dict]) -> dict:
    """VADER's compound read as a stance (>= 0.05 cooperative, <= -0.05 critical), sentence by sentence."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    index = {k: i for i, k in enumerate(LABELS)}
    y, pred = [], []
    for g in gold_rows:
        if g["excerpt"] in texts:
            c = analyzer.polarity_scores(texts[g["excerpt"]][g["start"]:g["end"]])["compound"]
            y.append(index[g["label"]])
            pred.append(0 if c >= 0.05 else 1 if c <= -0.05 else 2)
    return _evaluate(y, pred)


def evaluate(model: str | None = None, write: bool = True) -> int:
    """``make real``: measure the shipped model (or ``model``) on the cached yardstick."""
    if not MANIFEST.exists() or not LABELS_FILE.exists():
        print(f"error: {MANIFEST.relative_to(ROOT)} or {LABELS_FILE.relative_to(ROOT)} is missing", file=sys.stderr)
        return 2
    manifest = read_jsonl(MANIFEST)
    texts = cached_texts()
    if not texts:
        print(f"error: the real-news texts are not cached here ({CACHE}/texts/ holds none of the "
              f"{len(manifest)} excerpts in the manifest); they are third-party text, kept out of git. Rebuild the cache "
              "from the URLs in data/real/manifest.jsonl (each text must match its SHA-1), or point OSCE_REAL_CACHE at a copy, "
              "and run `make real` again.",
              file=sys.stderr)
        return 2
    from pipeline import StanceScorer

    scorer = StanceScorer.load(model)
    gold_rows = read_jsonl(LABELS_FILE)
    m = measure(scorer, texts, gold_rows)
    vader = vader_row(texts, gold_rows)
    c, a = m["in_context"], m["alone"]
    missing = len(manifest) - len(texts)
    lines = [
        "# Real-news yardstick", "",
        f"{m['n_excerpts']} excerpts of published English news about the OSCE ({len({r['domain'] for r in manifest})} sites), "
        f"{c['n']} sentences labelled blind by two readers (`data/real/`; texts cached outside git"
        + (f"; {missing} excerpts of the manifest not cached here" if missing else "") + ").",
        f"Model `{scorer.model.manifest.get('model_version')}` ({scorer.model.manifest['features']['name']}).", "",
        "| system | n | accuracy | macro-F1 | F_avg | F1 coop | F1 crit | F1 neutral |", "|---|---|---|---|---|---|---|---|",
        table_row("VADER compound", vader), table_row("osce-stance, sentence alone (`predict`)", a),
        table_row("osce-stance, in context (`score_article`)", c), "",
        f"Article sign agreement on {m['article_sign']['n']} excerpts with a clear stance: {m['article_sign']['agreement']:.3f} "
        f"({m['article_sign']['wrong_sign']} with the opposite sign, {m['article_sign']['zero']} scored 0).",
        f"Calibration of the in-context probabilities on the {m['calibration']['n']} OSCE sentences: expected calibration error "
        f"{m['calibration']['ece']:.3f}; confidence >= 0.9 right {m['calibration']['accuracy_at_0.9']:.3f} of the time.", "",
        "Confusion in context (rows gold, columns predicted: cooperative, critical, neutral):", "", "```",
        *("  ".join(f"{v:5d}" for v in row) for row in c["confusion"]), "```", "",
        "Invariance (edits a reader ignores, `pipeline/invariance.py`; each may move at most 1% of the labels it touches):", "",
        "| edit | read on | labels moved | of | share | within 1% |", "|---|---|---|---|---|---|",
        *(f"| {r['edit']} | {r['where']} | {r['moved']} | {r['touched']} | {r['share']:.2%} | {'yes' if r['ok'] else '**no**'} |"
          for r in invariance(scorer, texts, gold_rows)),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if write:
        with atomic_write(REPORT) as fh:
            fh.write(report)
    return 0


def table_row(name: str, m: dict) -> str:
    """One row of the readings table: the system, n, accuracy, macro-F1, F_avg and each class's F1."""
    pc = m["per_class"]
    return (f"| {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {m['f_avg']:.3f} | {pc['cooperative']['f1']:.3f} | "
            f"{pc['critical']['f1']:.3f} | {pc['neutral']['f1']:.3f} |")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "build":
        sys.exit(build())
    if command == "packets":
        sys.exit(packets(int(sys.argv[2])))
    if command == "collect":
        sys.exit(collect())
    if command == "evaluate":
        sys.exit(evaluate(sys.argv[2] if len(sys.argv) > 2 else None))
    sys.exit(__doc__)
