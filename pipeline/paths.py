"""Every project path, built from one root.

The root is the checkout that holds ``pyproject.toml`` (an editable install or a
source tree); ``OSCE_STANCE_ROOT`` overrides it.  Nothing here touches the disk
at import time beyond resolving this file's location.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("OSCE_STANCE_ROOT") or Path(__file__).resolve().parents[1])

SEEDS = ROOT / "seeds"
RAW = ROOT / "data" / "raw"
INTERIM = ROOT / "data" / "interim"
PROCESSED = ROOT / "data" / "processed"
GOLD = ROOT / "data" / "gold"
MODELS = ROOT / "models"
REPORTS = ROOT / "reports"

ARTICLES_JSONL = INTERIM / "articles.jsonl"
SENTENCES_JSONL = INTERIM / "sentences.jsonl"
LABELS_JSONL = PROCESSED / "labels.jsonl"


def is_checkout() -> bool:
    """Whether ``ROOT`` is a checkout of the project (an installed wheel has no seeds/, data/ or Makefile)."""
    return (ROOT / "pyproject.toml").is_file() and SEEDS.is_dir()


def input_roots() -> list[Path]:
    """The folders every stage reads articles from: the seeds, then ``data/raw``."""
    return [SEEDS, RAW]
