"""Hostile inputs: generated texts that made, or could make, a stage's time grow faster than its input.

Each family builds the worst case of one kind of pathological page at a given size in bytes.
`tests/test_hostile.py` scores every family (at 0.5 MB) and holds each to an answer; `make hostile`
benchmarks them from 10 KB to 5 MB (tests/bench/test_hostile_bench.py) and this script renders
the result as reports/hostile.md: seconds per MB, which must stay flat as the size grows.

    python scripts/hostile.py report      # reports/hostile.json -> reports/hostile.md
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _repeat(unit: str, size: int, head: str = "", tail: str = "") -> str:
    """``head`` + ``unit`` repeated to about ``size`` characters + ``tail``."""
    return head + unit * max(1, (size - len(head) - len(tail)) // len(unit)) + tail


# name -> (what it attacks, builder of a text of about n characters)
FAMILIES = {
    "spaces": ("a run of spaces between two words (was quadratic: the breadcrumb rule)",
               lambda n: _repeat(" ", n, "word", "word")),
    "whitespace of every kind": ("tabs, no-break, em and ideographic spaces, form feeds in one run",
                                 lambda n: _repeat(" \t\u00a0\u2003\u3000\x0c\u200b", n, "word", "word.")),
    "blank lines": ("a run of empty lines", lambda n: _repeat("\n", n, "word", "word.")),
    "many short lines": ("a hundred-thousand-line menu of one-letter lines", lambda n: _repeat("a\n", n)),
    "menu lines": ("navigation words, one per line", lambda n: _repeat("News\nPolitics\nEconomy\n", n)),
    "wide-gap menu": ("menu items set apart by runs of spaces", lambda n: _repeat("News    Politics    ", n)),
    "breadcrumbs": ("one endless breadcrumb line", lambda n: _repeat("Home > News > ", n)),
    "digits": ("one run of digits (was quadratic: the weather rule)", lambda n: "1" * n),
    "phone-like": ("colons, spaces and digits", lambda n: _repeat(": 1 ", n, "tel", "x")),
    "punctuation": ("a run of full stops", lambda n: _repeat(".", n, "a")),
    "spaced dots": ("Punkt's spaced ellipsis, endlessly", lambda n: _repeat(". ", n)),
    "quotes and brackets": ("closers after a sentence end", lambda n: _repeat("\"'»”’)]}", n, "The OSCE met.")),
    "one sentence": ("one multi-megabyte sentence with no full stop", lambda n: _repeat("The OSCE observers said the mission failed ", n)),
    "no punctuation, many lines": ("each line a sentence", lambda n: _repeat("the OSCE mission met the minister\n", n)),
    "OSCE mentions": ("tens of thousands of mentions in one sentence", lambda n: _repeat("OSCE ", n, "", ".")),
    "contextual mentions": ("'the mission and the observers' over and over, with explicit names between",
                            lambda n: _repeat("the mission and the observers of the OSCE ", n, "OSCE. ", ".")),
    "people": ("an OSCE role introduced again and again, and the surname after it",
               lambda n: _repeat("Jane Roe, Head of the OSCE mission, met Roe and ", n, "", ".")),
    "negations": ("negation words before a cue", lambda n: _repeat("not ", n, "", "biased OSCE.")),
    "datelines": ("a news dateline repeated", lambda n: _repeat("VIENNA, Feb. 3 (Reuters) - ", n)),
    "header dates": ("a seed header whose title is dates", lambda n: _repeat("2023-01-01 ", n, " date ")),
    "URL-like run": ("one URL without spaces", lambda n: _repeat("a/b?c=d&e.f", n, "http://", ".com")),
    "unclosed script tags": ("HTML with thousands of unclosed <script> (was quadratic: the invisible-element rule)",
                             lambda n: _repeat("<script>", n, "<p>x</p><p>y</p>")),
    "nested HTML": ("deeply nested elements around one sentence",
                    lambda n: "<div>" * (n // 11) + "The OSCE mission arrived." + "</div>" * (n // 11)),
    "unclosed tags": ("tags that never close", lambda n: _repeat("<div ", n, "<p>a</p><p>b</p>")),
    "unicode case folds": ("letters whose lower case is longer (İ) and special folds (ſ, K)", lambda n: _repeat("İſ\u212a OSCE ", n)),
}

SIZES = (10_000, 100_000, 1_000_000, 5_000_000)


def report(src: Path = ROOT / "reports" / "hostile.json", dst: Path = ROOT / "reports" / "hostile.md") -> int:
    """Render the benchmark's JSON as the table of seconds per MB by family and size."""
    sys.path.insert(0, str(ROOT))
    from pipeline.files import atomic_write

    data = json.loads(src.read_text())
    seconds: dict[str, dict[int, float]] = {}
    for b in data["benchmarks"]:
        family, size = b["params"]["family"], b["params"]["size"]
        seconds.setdefault(family, {})[size] = b["stats"]["median"]
    sizes = sorted({s for row in seconds.values() for s in row})
    machine = data.get("machine_info", {})
    lines = ["# Hostile inputs: seconds per MB", "",
             f"`make hostile` on {time.strftime('%Y-%m-%d')}: {machine.get('cpu', {}).get('brand_raw', '?')}, "
             f"{machine.get('cpu', {}).get('count', '?')} cores, Python {machine.get('python_version', '?')}. One article of each "
             "family and size, scored from text to `ArticleScore` without sentiment (`StanceScorer.score_article`), one run "
             "each (pytest-benchmark). Flat rows mean time linear in the input; the last column is the largest size's "
             "seconds per MB over the smallest's.", "",
             "| family | " + " | ".join(_size(s) for s in sizes) + " | growth |", "|---|" + "---|" * (len(sizes) + 1)]
    worst = 0.0
    for family in FAMILIES:
        row = seconds.get(family, {})
        per_mb = [row[s] / (s / 1e6) if s in row else None for s in sizes]
        known = [v for v in per_mb if v is not None]
        growth = known[-1] / known[0] if len(known) > 1 else float("nan")
        worst = max(worst, growth)
        lines.append(f"| {family} | " + " | ".join(f"{v:.2f}" if v is not None else "-" for v in per_mb) + f" | {growth:.2f}x |")
    lines += ["", f"Largest growth of seconds per MB from {_size(sizes[0])} to {_size(sizes[-1])}: {worst:.2f}x "
              "(a time quadratic in the input would grow 500x over that range)."]
    with atomic_write(dst) as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def _size(n: int) -> str:
    return f"{n / 1e6:g} MB" if n >= 1_000_000 else f"{n // 1000} KB"


if __name__ == "__main__":
    sys.exit(report() if sys.argv[1:] == ["report"] else (print(__doc__), 2)[1])
