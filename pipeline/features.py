"""The ONE analyzer: a sentence becomes the feature strings the model weighs.

Training gives scikit-learn's vectorizer ``analyzer=analyze``; inference (``core``)
calls the same function and looks the strings up in the exported vocabulary, so the
fast path cannot drift from the trained model.

A *document* is the sentence text behind a one-character marker that says whether
target detection found the OSCE in it, followed by the sentence's article context after
another marker (the markers make the features target- and context-aware without a second
input to the vectorizer).  ``core`` builds an article's features with
:func:`article_features`, which is tested equal to analyzing :func:`article_documents`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from . import names, native
from .budget import check as _check_budget
from .lexicon import COOPERATIVE_FAMILIES, CRITICAL_FAMILIES, FOLD_SPECIAL, cue_programs, families, literal_prefixes, longest_first
from .lexicon import VERSION as LEXICON_VERSION
from .names import canonical
from .native import has_special_folds

__all__ = ["VERSION", "document", "article_documents", "article_context", "article_features", "cue_families", "analyze", "SPEC",
           "ALONE", "compiled_analyzer"]

VERSION = "features.v7"
SPEC = {
    "name": VERSION,
    "lexicon": LEXICON_VERSION,
    "names": "every spelling of the OSCE and ODIHR read as the short name, every participating state as 'Country', and "
             "typographic quotes as straight ones (pipeline.names.canonical), before anything else",
    "words": "lower-cased \\w+ tokens (apostrophes kept), unigrams and bigrams, prefixed w:",
    "negation": "tokens within 3 words after a negation word also emitted as neg:<token>",
    "target": "t:osce or t:none from the document marker",
    "cues": "cue:<family> for each lexicon family (pipeline.lexicon) found, cue:<family>:neg when a negation word "
            "is among the 4 words before it, and ocue:<family> when the sentence concerns the OSCE",
    "context": "from the article's other OSCE sentences: ctx:crit, ctx:coop or ctx:tie by whether more of them carry critical or "
               "cooperative cue families (pipeline.lexicon), plus ctx:crit2 / ctx:coop2 when at least two do; a sentence scored "
               "alone has ctx:tie",
}

_OSCE_MARK, _NONE_MARK = "\u2460", "\u2461"  # ① / ②: never in news text
_CONTEXT_MARK = "\u2462"  # ③ separates a sentence from its article context
ALONE = ("ctx:tie",)  # the context of a sentence scored on its own (no other sentences to lean on)
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Each family is \b(?:...) with the literal prefixes its matches must start with, so a family
# can only match where one of its prefixes begins a word.  Looking the text's word-start
# prefixes up in a set skips most regex searches; the features are the same (a test checks it).
_PREFIX = 8  # characters: a longer prefix rules out more word starts (13,420 tries on 200 corpus articles at 5, 7,160 at 8)
# (name, the family's pattern, the same pattern without IGNORECASE for lower-cased text, its literal prefixes)
_CUE_FAMILIES = [
    (name, pattern, re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE), literal_prefixes(pattern, _PREFIX))
    for name, pattern in families()
    if name != "negation"
]
if any(c.isupper() for _, p, _, _ in _CUE_FAMILIES for c in re.sub(r"\\.", "", p.pattern)):
    raise ImportError("lexicon patterns must be written in lower case (they are matched against lower-cased text)")
# The same families as the compiled scan reads them (pipeline/_native.c's CueScanner): (literal, family index, program).
_PROGRAMS = [cue_programs(pattern) for _, pattern, _, _ in _CUE_FAMILIES]
if None in _PROGRAMS:
    raise ImportError("every cue family must be \\b(?:...) of alternatives the compiled scan can run (see lexicon.cue_programs)")
CUE_PROGRAMS = tuple(dict.fromkeys((literal, i, program) for i, programs in enumerate(_PROGRAMS) for literal, program in programs))


# One pass of one regex finds which prefixes begin each word: the longest prefix wins, so the
# match at a word start is the longest prefix there, and every shorter prefix found there is
# a prefix of it.  _FAMILIES_AFTER maps each prefix to the families any of its own prefixes
# (itself included) belongs to, so no family that could match is skipped.
_ALL_PREFIXES = sorted({p for *_, prefixes in _CUE_FAMILIES for p in prefixes}, key=lambda p: (-len(p), p))
_PREFIX_RE = re.compile(r"\b(?=\w)(?=(" + longest_first(_ALL_PREFIXES) + "))")  # zero-width: overlaps count
_FAMILIES_AFTER = {
    p: tuple(i for i, (*_, prefixes) in enumerate(_CUE_FAMILIES) if any(p[:k] in prefixes for k in range(1, len(p) + 1)))
    for p in _ALL_PREFIXES
}
_LOWER_PATTERNS = tuple(lower for _, _, lower, _ in _CUE_FAMILIES)
_TRIES_AFTER = {p: tuple((i, _LOWER_PATTERNS[i].match) for i in families) for p, families in _FAMILIES_AFTER.items()}
_NEGATION_WORDS = ("not", "no", "never", "without", "nor", "neither", "hardly", "cannot", r"lack\w*", "absence", "far from", "nobody")
_NEGATION_WINDOW = 40  # characters before a cue
_NEGATED = re.compile(r"\b(?:" + "|".join(_NEGATION_WORDS) + r")\W+(?:\w+\W+){0,3}$", re.I)
# The same words as the compiled scan reads them: lower case, a final WORD_STAR for \w*.
_NEGATORS_SPELLED = tuple(literal + program for word in _NEGATION_WORDS for literal, program in cue_programs(re.compile(rf"\b(?:{word})")))
if any(w != w.lower() or "\x01" in w[:-1] or any("\x02" <= c <= "\x04" for c in w) for w in _NEGATORS_SPELLED):
    raise ImportError("_NEGATION_WORDS changed: the compiled scan reads lower-case words, each at most ending in \\w*")
# Lower case, every word of _NEGATED contains one of these ("cannot" and "nobody" contain "no"), so a window that holds
# none of them cannot match.  (Valid on lower-cased text without FOLD_SPECIAL characters, as the fast path requires.)
_NEGATOR_PART = re.compile("no|never|without|neither|hardly|lack|absence|far from")  # searched between two positions: no slice
_NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "hardly", "cannot", "nobody", "none", "lack", "lacks",
                       "lacking", "absence", "unwilling", "unwillingness", "refused", "refuses", "failed", "fails"})


def document(text: str, osce: bool, context: Sequence[str] = ()) -> str:
    """The analyzer's input for one sentence: a target marker, the text, then its context features.

    >>> analyze(document("Not biased.", True))[:4]
    ['t:osce', 'w:not', 'w:biased', 'neg:biased']
    >>> analyze(document("Not biased.", True, ALONE))[-1]
    'ctx:tie'
    """
    doc = (_OSCE_MARK if osce else _NONE_MARK) + text.replace(_CONTEXT_MARK, " ")
    return doc + _CONTEXT_MARK + " ".join(context) if context else doc


def article_context(texts: Sequence[str], osce: Sequence[bool]) -> list[tuple[str, ...]]:
    """The context features of each sentence of one article (see ``SPEC["context"]``).

    Stance runs through an article: a sentence with no cue of its own ("This Monday was no
    exception.") leans the way the article's other OSCE sentences do.

    >>> article_context(["They thanked the OSCE.", "It was biased.", "It was one-sided and politicised.", "Prices rose."],
    ...                 [True, True, True, False])
    [('ctx:crit', 'ctx:crit2'), ('ctx:tie',), ('ctx:tie',), ('ctx:crit', 'ctx:crit2')]
    """
    return _contexts([cue_families(t) if o else frozenset() for t, o in zip(texts, osce)])


def _contexts(found: Sequence[frozenset[str]]) -> list[tuple[str, ...]]:
    coop = [not COOPERATIVE_FAMILIES.isdisjoint(f) for f in found]
    crit = [not CRITICAL_FAMILIES.isdisjoint(f) for f in found]
    n_coop, n_crit = sum(coop), sum(crit)
    contexts = []
    for own_coop, own_crit in zip(coop, crit):
        others_coop, others_crit = n_coop - own_coop, n_crit - own_crit
        feats = ["ctx:crit" if others_crit > others_coop else "ctx:coop" if others_coop > others_crit else "ctx:tie"]
        if others_crit >= 2:
            feats.append("ctx:crit2")
        if others_coop >= 2:
            feats.append("ctx:coop2")
        contexts.append(tuple(feats))
    return contexts


def article_documents(texts: Sequence[str], osce: Sequence[bool]) -> list[str]:
    """The analyzer's inputs for the sentences of one article, each with its article context."""
    return [document(t, o, c) for t, o, c in zip(texts, osce, article_context(texts, osce))]


def article_features(texts: Sequence[str], osce: Sequence[bool]) -> list[list[str]]:
    """``[analyze(d) for d in article_documents(texts, osce)]``, searching each sentence for cues once, not twice.

    (Tested equal on every corpus article.)
    """
    sentences = []
    for i, (t, o) in enumerate(zip(texts, osce)):
        if not i & 63:
            _check_budget()
        sentences.append(_sentence_features(t.replace(_CONTEXT_MARK, " "), "t:osce" if o else "t:none"))
    found = [frozenset(name for name, _ in matches) if o else frozenset() for (_, matches), o in zip(sentences, osce)]
    feats = [f for f, _ in sentences]
    for fs, context in zip(feats, _contexts(found)):
        fs.extend(context)
    return feats


_CONTRACTION = ("n't", " not")


def word_text(text: str) -> str:
    """The text the word features are read from (``text`` already canonical): lower case, "n't" read as " not"."""
    return text.lower().replace(*_CONTRACTION)


def compiled_analyzer() -> tuple:
    """This analyzer as the compiled core reads it (``pipeline._native.WordIndex.article``): its scanners, words and fallbacks.

    The compiled core computes what :func:`article_features` (or :func:`analyze` of each sentence alone) computes, and
    the model's probabilities, in one call per article: canonical text (quotes, countries; the long names' regexes run
    only where :data:`pipeline.names.LONG_NAME_TRIGGERS` say they can match), the cue families by ``CueScanner``, the
    target and context features, and the words.  The layout is ``pipeline/_native.c``'s (``A_*`` and ``X_*``).
    """
    return _compiled_analyzer()


@functools.cache
def _compiled_analyzer() -> tuple:
    family_index = {name: i for i, (name, *_) in enumerate(_CUE_FAMILIES)}

    def fallback(text: str) -> list[tuple[int, bool]]:  # text with special case folds: the families' case-blind searches
        return [(family_index[name], negated) for name, negated in _searched_matches(text)]

    kinds = bytes((name in COOPERATIVE_FAMILIES) | (name in CRITICAL_FAMILIES) << 1 for name, *_ in _CUE_FAMILIES)
    extras = ("t:osce", "t:none", "ctx:crit", "ctx:coop", "ctx:tie", "ctx:crit2", "ctx:coop2",
              *(feature for name, *_ in _CUE_FAMILIES for feature in _CUE_STRINGS[name]))
    return (names.country_scanner(), names.COUNTRY_WORD, _cue_scanner(), names.short_names, names.LONG_NAME_TRIGGERS,
            "".join(sorted(FOLD_SPECIAL)), fallback, _check_budget, _CONTEXT_MARK, "".join(c for c, _ in names.QUOTE_FOLD),
            "".join(s for _, s in names.QUOTE_FOLD), *_CONTRACTION, kinds, extras)


def analyze(doc: str) -> list[str]:
    """Feature strings of one document (see :data:`SPEC`)."""
    if doc[:1] == _OSCE_MARK:
        target, text = "t:osce", doc[1:]
    elif doc[:1] == _NONE_MARK:
        target, text = "t:none", doc[1:]
    else:
        target, text = None, doc
    text, _, context = text.partition(_CONTEXT_MARK)
    feats, _ = _sentence_features(text, target)
    if context:
        feats.extend(context.split(" "))
    return feats


def _sentence_features(text: str, target: str | None) -> tuple[list[str], tuple[tuple[str, bool], ...]]:
    """The features of the sentence itself, and the cue families found in it (``_cue_matches``).

    The sentence is read with the organisation's names in their short form (:func:`pipeline.names.canonical`).
    """
    text = canonical(text)
    feats = [target] if target else []
    words = _TOKEN.findall(word_text(text))
    # The order of the features reaches training's floating-point sums (scikit-learn keeps each row's
    # columns in the order first seen): reordering them changes the model's last bits, so `make train`
    # would no longer reproduce the shipped model byte for byte.
    countdown = 0
    for i, w in enumerate(words):
        feats.append("w:" + w)
        if countdown:
            feats.append("neg:" + w)
            countdown -= 1
        if w in _NEGATORS:
            countdown = 3
        if i:  # (word trigrams were dropped in features.v4: grouped CV was 0.004-0.005 higher without them at every C)
            feats.append("w:" + words[i - 1] + " " + w)
    matches = _cue_matches(text)
    feats.extend(_cue_strings(matches, target == "t:osce"))
    return feats, matches


def cue_features(text: str, osce: bool, prefilter: bool = True) -> list[str]:
    """The ``cue:``/``ocue:`` features of one sentence.

    The fast path lower-cases the text once, finds the word starts where a family's
    literal prefixes begin, and tries a case-sensitive copy of the family's pattern only
    there (a family with no such word start is skipped).  ``prefilter=False`` searches
    every family's own pattern: the reference the fast path is tested against.
    """
    text = canonical(text)
    return _cue_strings(_cue_matches(text) if prefilter else _searched_matches(text), osce)


def _cue_strings(matches: tuple[tuple[str, bool], ...], osce: bool) -> list[str]:
    feats = []
    for name, negated in matches:
        cue, ocue, cue_neg = _CUE_STRINGS[name]
        feats.append(cue)
        if osce:
            feats.append(ocue)
        if negated:
            feats.append(cue_neg)
    return feats


_CUE_STRINGS = {name: ("cue:" + name, "ocue:" + name, "cue:" + name + ":neg") for name, *_ in _CUE_FAMILIES}


def cue_families(text: str) -> frozenset[str]:
    """The names of the cue families found in ``text`` (read with the organisation's names in their short form)."""
    return frozenset(name for name, _ in _cue_matches(canonical(text)))


@functools.cache
def _cue_scanner():
    """The compiled scan of the cue programs (built once, in microseconds, on the compiled path's first use)."""
    return native.compiled.CueScanner(CUE_PROGRAMS, len(_CUE_FAMILIES), _NEGATORS_SPELLED, _NEGATION_WINDOW)


def prefix_hits(low: str) -> list[tuple[int, str]]:
    """``(start, prefix)`` for each word start of lower-cased ``low`` that begins with a cue prefix (the longest one).

    The readable reference of the compiled ``pipeline._native.PrefixScanner.scan``, held equal to it in the tests.
    """
    return [(hit.start(), hit.group(1)) for hit in _PREFIX_RE.finditer(low)]


def first_matches(low: str) -> list[tuple[int, int]]:
    """``(family index, start)`` of each cue family's first match in lower-cased ``low`` (without special case folds), in
    family order: the families' patterns' searches, the readable reference of the compiled ``CueScanner.scan``.

    Word starts come in ascending order, so the first start where a family matches is where its pattern's search
    matches; a family found is not tried again.
    """
    first: dict[int, int] = {}
    for start, prefix in prefix_hits(low):
        for i, match_at in _TRIES_AFTER[prefix]:
            if i not in first and match_at(low, start):
                first[i] = start
    return sorted(first.items())


def _cue_matches(text: str) -> tuple[tuple[str, bool], ...]:
    """``(family, negated)`` for each family found, in family order (the fast path of :func:`cue_features`; the compiled
    ``CueScanner`` computes the same, tests/test_native.py holds them equal).
    """
    if has_special_folds(text):  # text with special case folds takes the reference path
        return _searched_matches(text)
    low = text.lower()
    # _NEGATED can only match in a window that holds one of its words: where the 40 characters before a cue hold
    # none, the cue is not negated and the window search is skipped.
    return tuple((_CUE_FAMILIES[i][0], _NEGATOR_PART.search(low, max(0, start - _NEGATION_WINDOW), start) is not None
                  and _negated_before(text, start))
                 for i, start in first_matches(low))


def _searched_matches(text: str) -> tuple[tuple[str, bool], ...]:
    return _with_negation(text, ((name, pattern.search(text)) for name, pattern, _, _ in _CUE_FAMILIES))


def _with_negation(text: str, searches) -> tuple[tuple[str, bool], ...]:
    return tuple((name, _negated_before(text, match.start())) for name, match in searches if match)


def _negated_before(text: str, start: int) -> bool:
    """Whether a negation word is among the 4 words before ``start`` (searched in the 40 characters before it: the compiled
    ``CueScanner`` reads the same window)."""
    return _NEGATED.search(text[max(0, start - _NEGATION_WINDOW): start]) is not None
