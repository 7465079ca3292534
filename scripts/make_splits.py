"""Split the gold articles into train / dev / test, by article, once.

The first seven writers' articles were shuffled with a fixed seed and dealt 60/15/25 so
that each split holds every region and voice; the five seeds always go to test.  That
split is frozen in data/gold/splits.json: articles written after it (writers h-k) only
ever join train, so dev and test stay exactly the sentences they were.
"""

import json
import random
from collections import defaultdict
from pathlib import Path

from build_gold import TITLE_READER

ROOT = Path(__file__).resolve().parents[1]

by_writer = defaultdict(set)
for path in ("data/gold/corpus.jsonl", "data/gold/seeds.jsonl"):
    for line in open(ROOT / path, encoding="utf-8"):
        g = json.loads(line)
        if g.get("annotator") != TITLE_READER:  # a line labelled later belongs to its article's writer
            by_writer[g["annotator"] if path.endswith("corpus.jsonl") else "seed"].add(g["article_id"])

FIRST_ROUND = {"writer_a", "writer_b", "writer_c", "writer_d", "writer_e", "writer_f", "writer_g"}
splits = {"train": [], "dev": [], "test": sorted(by_writer.pop("seed"))}
rng = random.Random(20261123)
for writer in sorted(w for w in by_writer if w not in FIRST_ROUND):
    splits["train"] += sorted(by_writer.pop(writer))
for writer in sorted(by_writer):
    ids = sorted(by_writer[writer])
    rng.shuffle(ids)
    n_test, n_dev = round(len(ids) * 0.25), round(len(ids) * 0.15)
    splits["test"] += ids[:n_test]
    splits["dev"] += ids[n_test:n_test + n_dev]
    splits["train"] += ids[n_test + n_dev:]
splits = {k: sorted(v) for k, v in splits.items()}
(ROOT / "data/gold/splits.json").write_text(json.dumps({"seed": 20261123, **splits}, indent=1) + "\n")
print({k: len(v) for k, v in splits.items()})
