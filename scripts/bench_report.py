"""Render pytest-benchmark's JSON (reports/bench.json) as reports/bench.md: medians and ratios per group.

Items per second use the unit each group measures: 1 sentence, 1 article, the batch of
sentences, the set of article files.  Ratios are against the core in the same group, of the
medians and of the fastest rounds (on a shared machine whose neighbours come and go, the
fastest round is the one least disturbed).
"""

import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.files import atomic_write  # noqa: E402

UNITS = {"1 one sentence": (1, "sentences"), "2 one article": (1, "articles"),
         "3 sentences, batch": (10_000, "sentences"), "4 articles from files": (2_000, "articles")}


def main(src=ROOT / "reports" / "bench.json", dst=ROOT / "reports" / "bench.md"):
    data = json.loads(Path(src).read_text())
    groups = defaultdict(list)
    for b in data["benchmarks"]:
        groups[b["group"]].append(b)
    machine = data.get("machine_info", {})
    lines = ["# Benchmarks", "",
             f"`make bench` on {time.strftime('%Y-%m-%d', time.localtime())}: {machine.get('cpu', {}).get('brand_raw', platform.processor())}, "
             f"{machine.get('cpu', {}).get('count', '?')} cores, Python {machine.get('python_version', platform.python_version())}. "
             "Every row of a group ran in the same session on the same input; each asserts its result.", ""]
    for group in sorted(groups):
        n, unit = UNITS.get(group, (1, "items"))
        rows = sorted(groups[group], key=lambda b: b["stats"]["median"])
        core = next((b for b in rows if b["name"].endswith("_core")), rows[0])
        lines += [f"## {group}", "", f"| benchmark | median | {unit}/s | time vs core | fastest round | fastest vs core |",
                  "|---|---|---|---|---|---|"]
        for b in rows:
            med, fastest = b["stats"]["median"], b["stats"]["min"]
            lines.append(f"| {b['name'].removeprefix('test_')} | {_fmt(med)} | {n / med:,.0f} | {med / core['stats']['median']:.2f}x "
                         f"| {_fmt(fastest)} | {fastest / core['stats']['min']:.2f}x |")
        lines.append("")
    with atomic_write(dst) as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


def _fmt(seconds):
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
