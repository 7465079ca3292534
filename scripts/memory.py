"""Peak memory of scoring many articles streamed from JSON Lines, and the model's size on disk.

    python scripts/memory.py [N_ARTICLES] [JOBS]     (default 100000, 1)

Generates N articles from the seeds (cycled, each with its own id) into a temporary JSON
Lines file, scores them with `osce-stance score FILE --format csv --out FILE` in a child
process, and writes the child's peak RSS, the wall time and the model size to
reports/memory.md.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.files import atomic_write  # noqa: E402
from pipeline.ingest import read_article  # noqa: E402


def main(n: int = 100_000, jobs: int = 1) -> None:
    seeds = [read_article(p) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "articles.jsonl"
        with open(src, "w", encoding="utf-8") as fh:
            for i in range(n):
                a = seeds[i % len(seeds)]
                fh.write(json.dumps({"id": f"{a.id}-{i}", "date": a.date, "title": a.title, "text": a.body}) + "\n")
        out = Path(tmp) / "scores.csv"
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pipeline", "score", str(src), "--format", "csv", "--out", str(out),
                               "--jobs", str(jobs)], capture_output=True, text=True)
        wall = time.perf_counter() - start
        rows = sum(1 for _ in open(out, encoding="utf-8")) - 1 if out.exists() else 0
        input_mb = src.stat().st_size / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    model_bytes = sum(p.stat().st_size for p in (ROOT / "models" / "stance").iterdir())
    lines = [
        "# Memory and size", "",
        f"`python scripts/memory.py {n} {jobs}` on {time.strftime('%Y-%m-%d')}, 2-core machine.", "",
        "| what | value |", "|---|---|",
        f"| articles scored (streamed from one {input_mb:.0f} MB JSON Lines file) | {rows:,} of {n:,} (exit code {proc.returncode}) |",
        f"| peak RSS of the scoring process (largest child) | {peak_mb:.0f} MB |",
        f"| wall time | {wall:.0f} s ({rows / wall:.0f} articles/s, --jobs {jobs}) |",
        f"| model on disk (models/stance) | {model_bytes / 1e6:.2f} MB |",
    ]
    with atomic_write(ROOT / "reports" / "memory.md") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
