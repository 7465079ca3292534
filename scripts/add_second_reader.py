"""Record a blind second reader's labels and the adjudication of disagreements.

A second reader labels a writer's draft sentences (data/gold/drafts/writer_X.jsonl) without
seeing the writer's labels, one JSON line per draft sentence in draft order:
{"n": <index>, "label": ..., "osce": ...}.  This script maps both readings onto the
tokeniser's sentence keys (as build_gold.py does), appends the reader's labels to
data/gold/second_pass.jsonl and, for every disagreement, the adjudicated label to
data/gold/adjudication.jsonl.  Disagreements are named <writer letter><draft index>
("m35"); each needs a ruling in the adjudications file: {"m35": [final, reason], ...}.

    python scripts/add_second_reader.py m,n READER_DIR ADJUDICATIONS.json [--write]

Without --write it only lists the disagreements and what would be added.  Run after
`make tokens`; then run build_gold.py.
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

from build_gold import PRIORITY, drafts_of

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data/gold"


def main(writers: list[str], reader_dir: Path, adjudications: dict, write: bool) -> int:
    sentences = defaultdict(list)
    for line in open(ROOT / "data/interim/sentences.jsonl", encoding="utf-8"):
        r = json.loads(line)
        sentences[r["article_id"]].append(r)
    have_second = {json.loads(line)["key"] for line in open(GOLD / "second_pass.jsonl", encoding="utf-8")}
    have_ruling = {json.loads(line)["key"] for line in open(GOLD / "adjudication.jsonl", encoding="utf-8")}
    second, rulings, missing = [], [], 0
    for w in writers:
        drafts = [json.loads(line) for line in open(GOLD / f"drafts/writer_{w}.jsonl", encoding="utf-8") if line.strip()]
        reader = [json.loads(line) for line in open(reader_dir / f"writer_{w}.reader.jsonl", encoding="utf-8")]
        if [r["n"] for r in reader] != list(range(len(drafts))):
            sys.exit(f"writer_{w}: the reader's file does not hold one line per draft sentence, in order")
        by_article = defaultdict(list)
        for n, (d, r) in enumerate(zip(drafts, reader)):
            by_article[d["article_id"]].append({**d, "n": n, "second": r["label"]})
        for article_id, ds in by_article.items():
            for s in sentences[article_id]:
                hits = drafts_of(s["text"], ds)
                if not hits:
                    continue  # boilerplate the writer did not label; build_gold.py lists it
                first = max((d["label"] for d in hits), key=PRIORITY.get)
                label = max((d["second"] for d in hits), key=PRIORITY.get)
                if s["key"] not in have_second:
                    second.append({"key": s["key"], "label": label})
                if first != label and s["key"] not in have_ruling:
                    tag = f"{w}{hits[0]['n']}"
                    print(f"{tag}: writer {first}, reader {label}: {s['text'][:100]}")
                    if tag not in adjudications:
                        missing += 1
                        continue
                    final, reason = adjudications[tag]
                    rulings.append({"final": final, "first": first, "key": s["key"], "reason": reason, "second": label})
    print(f"{len(second)} second-reader labels, {len(rulings)} adjudications, {missing} disagreements without a ruling")
    if write and not missing:
        with open(GOLD / "second_pass.jsonl", "a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, sort_keys=True) + "\n" for r in second)
        with open(GOLD / "adjudication.jsonl", "a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rulings)
    return 1 if missing else 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1].split(","), Path(sys.argv[2]), json.load(open(sys.argv[3], encoding="utf-8")), "--write" in sys.argv))
