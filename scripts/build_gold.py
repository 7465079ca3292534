"""Turn the writers' draft labels (data/gold/drafts/*.jsonl) into gold keyed by sentence.

Drafts hold the sentence text as the writer split it; the pipeline's tokeniser may split
differently.  A tokenised sentence takes the label of the draft sentence that equals or
contains it; when it spans several draft sentences, the more specific stance wins
(annotation rule 5: critical > cooperative > neutral).  Sentences with no draft at all are
listed and left out.  Run after `make tokens`:  python scripts/build_gold.py
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRIORITY = {"critical": 2, "cooperative": 1, "neutral": 0}
TITLE_READER = "title_reader"  # the first reader of lines the writers did not label; the article keeps its writer's split
LATE_FIRST_READINGS = ("t1.jsonl", "late_first.jsonl")


def fold(text):
    return " ".join(text.replace("\u00a0", " ").split())


def drafts_of(sentence_text: str, drafts: list[dict]) -> list[dict]:
    """The draft sentences a tokenised sentence takes its label from: the equal one, else those containing it or inside it."""
    st = fold(sentence_text)
    return [d for d in drafts if fold(d["text"]) == st] or [d for d in drafts if st in fold(d["text"]) or fold(d["text"]) in st]


def main():
    sentences = defaultdict(list)
    for line in open(ROOT / "data/interim/sentences.jsonl", encoding="utf-8"):
        r = json.loads(line)
        sentences[r["article_id"]].append(r)
    drafts = defaultdict(list)
    for path in sorted((ROOT / "data/gold/drafts").glob("*.jsonl")):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                d["annotator"] = path.stem
                drafts[d["article_id"]].append(d)
    gold, unlabelled = [], []
    for article_id, ds in sorted(drafts.items()):
        if article_id not in sentences:
            print(f"no such article: {article_id}", file=sys.stderr)
            continue
        for s in sentences[article_id]:
            hits = drafts_of(s["text"], ds)
            if not hits:
                unlabelled.append(s)
                continue
            best = max(hits, key=lambda d: PRIORITY[d["label"]])
            gold.append({"key": s["key"], "article_id": article_id, "text": s["text"], "label": best["label"],
                         "annotator": best["annotator"]})
    # Sentences the writers did not label: the headlines of the articles written before headlines were scored,
    # and lines ingest keeps since then; each read blind by two readers (data/gold/titles/, first readings here).
    late_labels = {}
    for name in LATE_FIRST_READINGS:
        late_labels.update((r["key"], r["label"]) for r in map(json.loads, open(ROOT / "data/gold/titles" / name, encoding="utf-8")))
    have = {g["key"] for g in gold}
    for article_id, ss in sorted(sentences.items()):
        for s in ss:
            if s["key"] in late_labels and s["key"] not in have:
                gold.append({"key": s["key"], "article_id": article_id, "text": s["text"], "label": late_labels[s["key"]],
                             "annotator": TITLE_READER})
    adjudicated = {}
    adjudication = ROOT / "data/gold/adjudication.jsonl"
    if adjudication.exists():
        adjudicated = {a["key"]: a["final"] for a in map(json.loads, open(adjudication, encoding="utf-8"))}
    for g in gold:
        if g["key"] in adjudicated:
            g["label"], g["adjudicated"] = adjudicated[g["key"]], True
    labelled = {g["key"] for g in gold}
    unlabelled = [s for s in unlabelled if s["key"] not in labelled]
    for s in unlabelled:
        print(f"unlabelled: {s['article_id']} #{s['sent_idx']}: {s['text'][:80]}", file=sys.stderr)
    out = ROOT / "data/gold/corpus.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        for g in gold:
            fh.write(json.dumps(g, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(gold)} gold sentences, {len(unlabelled)} unlabelled -> {out}")


if __name__ == "__main__":
    main()
