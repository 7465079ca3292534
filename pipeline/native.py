"""The compiled half of the per-article work (``pipeline/_native.c``), and the switch to the pure-Python reference.

``compiled`` is the extension module, or None where it was not built or ``OSCE_STANCE_PURE=1`` asks for the
reference.  Callers read it when they run, so a test can switch a process to the reference with :func:`pure`.

:class:`WordStartPattern` searches a regular expression whose every match begins at a word start with one of
a few literal prefixes (the names of the OSCE, the contextual mentions, two of the person patterns, the
participating states): the compiled prefix scan finds the word starts where a match can begin, in one pass,
and only the alternatives that can begin with that prefix are tried there.  Its matches are the pattern's own ``finditer`` matches
(``tests/test_native.py`` holds them equal on every corpus sentence and on arbitrary text).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from . import lexicon
from .lexicon import FOLD_SPECIAL, literal_prefixes

try:
    if os.environ.get("OSCE_STANCE_PURE", "") not in ("", "0"):
        raise ImportError("OSCE_STANCE_PURE is set")
    from . import _native as compiled
except ImportError:
    compiled = None

__all__ = ["compiled", "pure", "WordStartPattern", "has_special_folds"]

_PREFIX_LENGTH = 8  # characters, a run of whitespace counting as one: into the second word ("the repo", not "the")


_SPECIAL = "".join(sorted(FOLD_SPECIAL))


def has_special_folds(text: str) -> bool:
    """:func:`pipeline.lexicon.has_special_folds`, by one compiled pass over the text where the core is built (its regex
    search took 1.0 µs on a line of news with guillemets, 0.2 µs this way, and every stage asks it of every non-ASCII line
    and sentence)."""
    if text.isascii():
        return False
    return compiled.has_any(text, _SPECIAL) if compiled is not None else lexicon.has_special_folds(text)


@contextmanager
def pure() -> Iterator[None]:
    """Run the block on the pure-Python reference (what ``OSCE_STANCE_PURE=1`` runs), then switch back."""
    global compiled
    saved, compiled = compiled, None
    try:
        yield
    finally:
        compiled = saved


def top_level_alternatives(source: str) -> list[str]:
    """The alternatives of a pattern's outermost ``|``, as source text (escapes, groups and classes kept whole).

    >>> top_level_alternatives(r"\\bab(?:c|d)|[|]x|\\|y")
    ['\\\\bab(?:c|d)', '[|]x', '\\\\|y']
    """
    parts, depth, start, i = [], 0, 0, 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 1  # the escaped character is skipped below
        elif c == "[":  # a class: up to its closing bracket ("[]...]" and "[^]...]" hold a literal "]")
            i += 2 if source[i + 1: i + 2] == "^" else 1
            i += source[i: i + 1] == "]"
            while i < len(source) and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


class WordStartPattern:
    """``pattern``'s matches, found by a compiled scan for the literal prefixes its matches begin with.

    Every top-level alternative of ``pattern`` must begin with ``\\b`` and a literal word character (checked
    here: the scan looks at word starts only).  A pattern with case-insensitive parts is scanned in lower-cased
    text, except text whose case folds are special, which takes the pattern's own search.
    """

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        # Case-blind parts anywhere ("(?i:head|...)") make the scan case-blind: lower-cased text against lower-cased prefixes
        # finds every place an exact match could begin too.
        self.lower = bool(pattern.flags & re.IGNORECASE) or "(?i" in pattern.pattern
        alternatives = top_level_alternatives(pattern.pattern)
        flags = pattern.flags & ~re.UNICODE
        prefixes = []
        for alternative in alternatives:
            found = literal_prefixes(re.compile(alternative, flags), _PREFIX_LENGTH, lower=self.lower, spaces=True)
            if not alternative.startswith(r"\b") or found is None or not all(re.match(r"\w", p) for p in found):
                raise ValueError(f"not every match of this alternative begins a word with a known prefix: {alternative!r}")
            prefixes.append(found)
        every = sorted(set().union(*prefixes))
        # The scan reports the longest prefix at a word start; an alternative can match there if one of its prefixes
        # is that prefix or a shorter one (a longer one would have been reported).  In the pattern's own order, so
        # the first alternative that matches is the one the whole pattern's match takes.
        subsets: dict[tuple[int, ...], re.Pattern] = {}
        by_prefix: dict[str, re.Pattern] = {}
        for p in every:
            subset = tuple(i for i, found in enumerate(prefixes) if any(p[:k] in found for k in range(1, len(p) + 1)))
            if subset not in subsets:
                subsets[subset] = (pattern if len(subset) == len(alternatives)
                                   else re.compile("|".join(f"(?:{alternatives[i]})" for i in subset), flags))
            by_prefix[p] = subsets[subset]
        self.prefixes = tuple(every)
        self._tries = tuple(by_prefix[p].match for p in every)  # the scanner reports a prefix by its place in self.prefixes
        self._scanner = None

    def finditer(self, text: str) -> list[re.Match]:
        """``list(pattern.finditer(text))``."""
        if compiled is None or (self.lower and has_special_folds(text)):
            return list(self.pattern.finditer(text))
        return self._find(text, False)

    def search(self, text: str) -> re.Match | None:
        """``pattern.search(text)``."""
        if compiled is None or (self.lower and has_special_folds(text)):
            return self.pattern.search(text)
        return self._find(text, True)

    def _find(self, text: str, first: bool):
        # The scan and the tries at its hits in one compiled call; finditer goes on after a match (no alternative matches
        # empty: each begins with a word character).  Lower-cased text without special case folds is as long as the text.
        if self._scanner is None:  # built on first use (microseconds), from the module in use then
            self._scanner = compiled.PrefixScanner(self.prefixes, spaces=True)
        return self._scanner.find(text, text.lower() if self.lower else text, self._tries, first)
