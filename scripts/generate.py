"""Generated article streams for scale tests and benchmarks: the seeds (and optionally the corpus) cycled.

    python scripts/generate.py N OUT.jsonl [--corpus]

Each line is one JSON Lines article (``id``, ``date``, ``title``, ``text`` and a carried
``batch`` field).  The texts are this project's own articles, repeated with their own
ids: realistic lengths and content, and any N without new writing.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.ingest import iter_article_files, read_article  # noqa: E402


def source_articles(corpus: bool = False) -> list:
    """The seeds, plus the team's corpus articles if ``corpus``."""
    roots = [ROOT / "seeds"] + ([ROOT / "data" / "raw"] if corpus else [])
    return [read_article(p) for p in iter_article_files(roots)]


def write_generated(path, n: int, corpus: bool = False) -> Path:
    """Write ``n`` articles to the JSON Lines file ``path``; return it."""
    sources = source_articles(corpus)
    path = Path(path)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            a = sources[i % len(sources)]
            fh.write(json.dumps({"id": f"{a.id}-{i}", "date": a.date, "title": a.title, "text": a.body, "batch": i // 1000},
                                ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    print(write_generated(sys.argv[2], int(sys.argv[1]), "--corpus" in sys.argv))
