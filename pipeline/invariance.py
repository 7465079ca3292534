"""Edits a reader ignores, in the CheckList manner: each may move at most 1% of the labels it touches.

Spelling the organisation's name out, writing ODIHR in full, curly or straight quotes, one participating
state for another: none of these changes what a sentence says about the OSCE.  The edits are shared by
the tests (on the gold, ``tests/test_invariance.py``) and by ``make real`` (on the real-news yardstick), so both
read the same invariances.  Stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["OSCE_SPELLINGS", "ODIHR_SPELLINGS", "NAME_EDITS", "ARTICLE_EDITS", "MAX_MOVED", "swap_quotes", "moved_alone",
           "moved_in_articles"]

MAX_MOVED = 0.01  # the share of touched labels an edit may move

# The short names a writer could have spelled out.  Not an acronym in brackets after its own long name ("... in Europe
# (OSCE)"): spelling that out writes the name twice, which no writer does.  "OSCE ODIHR" is one name.
OSCE_WORD = re.compile(r"(?<!\()\bOSCE\b(?![/-])(?!\s+ODIHR)")
ODIHR_WORD = re.compile(r"\bOSCE\s+ODIHR\b|(?<![/\w(])ODIHR\b")

OSCE_SPELLINGS = (
    "Organization for Security and Co-operation in Europe",
    "Organization for Security and Cooperation in Europe",
    "Organisation for Security and Co-operation in Europe",
    "Organisation for Security and Cooperation in Europe",
    "Organization for Security and Co-operation in Europe (OSCE)",
    "Organisation for Security and Cooperation in Europe (OSCE)",
    "Organization for Security and Co-Operation in Europe",  # title case, as US papers print it
    "Organization For Security And Cooperation In Europe",
    "Organization for Security & Cooperation in Europe",
    "ORGANIZATION FOR SECURITY AND CO-OPERATION IN EUROPE",  # a headline in capitals
)
ODIHR_SPELLINGS = (
    "OSCE/ODIHR",
    "Office for Democratic Institutions and Human Rights",
    "OSCE Office for Democratic Institutions and Human Rights",
    "Office for Democratic Institutions and Human Rights (ODIHR)",
    "OSCE Office for Democratic Institutions and Human Rights (OSCE/ODIHR)",
    "Office for Democratic Institutions & Human Rights",
)

# (name, what it rewrites, the replacement: a string or a function of the match, as for re.sub): applied to every
# sentence the pattern finds something in.
NAME_EDITS: tuple[tuple[str, re.Pattern, str | Callable[[re.Match], str]], ...] = (
    *((f"OSCE -> {s}", OSCE_WORD, s) for s in OSCE_SPELLINGS),
    *((f"ODIHR -> {s}", ODIHR_WORD, s) for s in ODIHR_SPELLINGS),
    ("Russia -> Belarus", re.compile(r"\bRussia\b"), "Belarus"),
    ("Kazakhstan -> Georgia", re.compile(r"\bKazakhstan\b"), "Georgia"),
    ("Azerbaijan -> Armenia", re.compile(r"\bAzerbaijan\b"), "Armenia"),
    ("upper case", re.compile(r"^.*[a-z].*$", re.S), lambda m: m.group().upper()),  # a headline in capitals
)


_STRAIGHT_QUOTED = re.compile(r'"([^"\n]*)"')


def swap_quotes(text: str) -> str:
    """Curly quotes made straight, or (in text with none) straight quotes made curly, opening and closing in pairs."""
    if "’" in text or "“" in text:
        return text.replace("’", "'").replace("“", '"').replace("”", '"')
    return _STRAIGHT_QUOTED.sub("\u201c\\1\u201d", text).replace("'", "’")


# Edits applied to whole articles (scored in context).
ARTICLE_EDITS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("quotes", swap_quotes),
    ("OSCE spelled out", lambda t: OSCE_WORD.sub(OSCE_SPELLINGS[0], t)),
    ("ODIHR spelled out", lambda t: ODIHR_WORD.sub(ODIHR_SPELLINGS[1], t)),
)


def moved_alone(scorer, sentences: Sequence[str], pattern: re.Pattern, replacement) -> tuple[int, int]:
    """``(moved, touched)``: of the sentences ``pattern`` finds something in, how many change label when it is replaced."""
    before = [s for s in sentences if pattern.search(s)]
    if not before:
        return 0, 0
    after = [pattern.sub(replacement, s) for s in before]
    return sum(a != b for a, b in zip(scorer.predict(before), scorer.predict(after))), len(before)


def moved_in_articles(scorer, articles: Sequence[str], edit: Callable[[str], str]) -> tuple[int, int, int]:
    """``(moved, total, resplit)`` over the sentences of ``articles`` scored in context before and after ``edit``.

    A sentence moves when its label or its OSCE flag changes; an article whose sentence split the edit
    changed is counted in ``resplit`` and left out of the totals.
    """
    moved = total = resplit = 0
    for text in articles:
        edited = edit(text)
        if edited == text:
            continue
        before = scorer.score_article(text, sentiment=False).sentences
        after = scorer.score_article(edited, sentiment=False).sentences
        if len(before) != len(after):
            resplit += 1
            continue
        total += len(before)
        moved += sum((a.osce, a.label) != (b.osce, b.label) for a, b in zip(before, after))
    return moved, total, resplit
