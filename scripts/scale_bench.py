"""Throughput of a large partitioned run: one process, joblib --jobs 2 and Dask local:2, side by side.

    python scripts/scale_bench.py [N_ARTICLES]       (default 100000)

Generates N articles (the seeds and the corpus, cycled; scripts/generate.py) into one JSON
Lines file, scores it three times with `osce-stance score FILE --out-dir DIR
--partition-size 1000` (no flag, --jobs 2, --dask local:2), checks the three outputs are
byte-identical, and writes wall time, throughput, ratio and peak memory to reports/scale.md.
"""

import hashlib
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from generate import write_generated  # noqa: E402

from pipeline.distribute import concatenate  # noqa: E402
from pipeline.files import atomic_write  # noqa: E402

ENGINES = [("one process", []), ("joblib --jobs 2", ["--jobs", "2"]), ("Dask --dask local:2", ["--dask", "local:2"])]


def timed(command: list[str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS in MB of the largest process it started, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(command)}\n{proc.stderr[-2000:]}")
    return wall, max(before, after) / 1024, proc.returncode


def main(n: int = 100_000) -> None:
    rows, digests = [], []
    with tempfile.TemporaryDirectory() as tmp:
        src = write_generated(Path(tmp) / "articles.jsonl", n, corpus=True)
        size_mb = src.stat().st_size / 1e6
        for name, flags in ENGINES:
            out = Path(tmp) / f"out-{len(rows)}"
            cmd = [sys.executable, "-m", "pipeline", "score", str(src), "--out-dir", str(out), "--partition-size", "1000",
                   "--quiet", *flags]
            wall, peak, code = timed(cmd)
            digest = hashlib.sha256()
            lines = 0
            for line in concatenate(out):
                digest.update(line.encode("utf-8"))
                lines += 1
            digests.append(digest.hexdigest())
            rows.append((name, wall, lines, peak))
            print(f"{name}: {wall:.0f} s, {lines / wall:.0f} articles/s, peak {peak:.0f} MB", flush=True)
    identical = len(set(digests)) == 1
    base = rows[0][2] / rows[0][1]
    lines = [
        "# Scale-out throughput", "",
        f"`python scripts/scale_bench.py {n}` on {time.strftime('%Y-%m-%d')}: {n:,} generated articles "
        f"(the seeds and the corpus cycled, one {size_mb:.0f} MB JSON Lines file), partitions of 1,000, "
        f"{platform.machine()} machine with 2 cores.", "",
        "| engine | wall time | articles/s | vs one process | peak RSS (largest process) |", "|---|---|---|---|---|",
        *(f"| {name} | {wall:.0f} s | {count / wall:.0f} | {count / wall / base:.2f}x | {peak:.0f} MB |"
          for name, wall, count, peak in rows), "",
        f"Outputs of the three runs byte-identical: **{'yes' if identical else 'NO'}** (SHA-256 {digests[0][:16]}...).",
        "Peak RSS is the largest single process (ru_maxrss over children): the scorer or one worker, not their sum.",
    ]
    with atomic_write(ROOT / "reports" / "scale.md") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if not identical:
        sys.exit("outputs differ between engines")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
