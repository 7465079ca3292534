"""Hand labels (``data/gold``) and the article split they are evaluated on.

Gold rows are keyed by :func:`pipeline.tokenize.sentence_key` (article id + hash of the
sentence text), so a change in tokenisation cannot silently attach a label to another
sentence: a key that no longer resolves is an error the data tests catch.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import paths
from .files import read_jsonl

SPLITS = ("train", "dev", "test")
LABEL_SET = frozenset({"cooperative", "critical", "neutral"})


def load_gold(folder: Path | None = None) -> dict[str, dict]:
    """All gold rows by sentence key (seeds and the team's corpus)."""
    folder = folder or paths.GOLD
    gold: dict[str, dict] = {}
    for name in ("seeds.jsonl", "corpus.jsonl"):
        path = folder / name
        if path.exists():
            for row in read_jsonl(path):
                gold[row["key"]] = row
    return gold


def load_splits(folder: Path | None = None) -> dict[str, str]:
    """Article id -> ``train`` / ``dev`` / ``test``."""
    folder = folder or paths.GOLD
    data = json.loads((folder / "splits.json").read_text(encoding="utf-8"))
    return {article_id: split for split in SPLITS for article_id in data[split]}
