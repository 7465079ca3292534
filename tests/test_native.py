"""The compiled core (pipeline/_native.c) against the pure-Python reference: the same tokens, the same
probabilities (within 1e-9), the same labels and evidence, on every corpus and gold article and on arbitrary text.

`make test` runs the suite with the compiled core; this module also runs the reference side by side, and
OSCE_STANCE_PURE=1 makes every other test run on the reference (checked here too).
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import StanceScorer
from pipeline.features import _TOKEN
from pipeline.native import pure
from pipeline.score import score_article
from pipeline.segment import article_spans
from pipeline.target import detect

native = pytest.importorskip("pipeline._native", reason="the compiled core was not built here")

TOKEN_TEXT = (st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
              | st.lists(st.sampled_from(["don't", "it’s", "rock'n'roll", "o'", "'s", "’", "a_b", "x1", "²", "٣", "Ⅻ", "ǅ", "İ", "ß",
                                          "no", "not", "never", " ", "\u00a0", "\t", "OSCE", "ﬁ", "e\u0301", "\U0001d400"]),
                         max_size=40).map("".join))


@pytest.fixture(scope="module")
def model():
    return StanceScorer.load().model


def pure_probabilities(model, texts, osce, same_article):
    with pure():
        return model.predict_proba(texts, osce, same_article)


def test_the_shipped_core_is_the_compiled_one(model):
    assert model.native  # built by `pip install -e .` (the Makefile's setup); a silent fallback would hide a broken build


@settings(max_examples=400, deadline=None)
@given(TOKEN_TEXT)
def test_native_tokens_are_the_regex_tokens(text):
    assert native.tokens(text) == _TOKEN.findall(text)


@settings(max_examples=400, deadline=None)
@given(TOKEN_TEXT | st.lists(st.sampled_from(["x", "-", "'", "’", "2", "_", "²", "é", " ", "ab"]), max_size=30).map("".join),
       st.integers(min_value=-1, max_value=30))
def test_native_words_are_the_ingest_regex_words(text, limit):
    from pipeline.ingest import _WORD

    expected = _WORD.findall(text)
    assert native.words(text) == expected
    assert native.words(text, limit) == (expected if limit < 0 else expected[:limit])


SPLIT_TEXT = st.lists(st.sampled_from(["a", "b", "A", "É", "é", "1", "2", ".", ".", ",", "-", "?", "!", '"', "'", "»", "«", "“", "”", "’",
                                        "(", ")", ":", ";", " ", " ", "\u00a0", "\t", "\u3000", "\n", "\r", "Mr", "U.S", "J", "...", "--",
                                        "2.5", "Inc", "ex-Gen", "İ", "\u212a", ". . .", ". .", "x,", ",.", "},", "_", "²", "ǅ", "-.5"]),
                     max_size=60).map("".join)


def _reference_spans(text, max_chars=None):
    from pipeline import segment

    with pure():
        if max_chars is None:
            return segment.sentence_spans(text)
        saved, segment.MAX_SENTENCE_CHARS = segment.MAX_SENTENCE_CHARS, max_chars
        try:
            return segment.sentence_spans(text)
        finally:
            segment.MAX_SENTENCE_CHARS = saved


@settings(max_examples=500, deadline=None)
@given(SPLIT_TEXT | TOKEN_TEXT, st.sampled_from([None, 3, 7]))
def test_native_sentence_spans_are_the_reference_spans(text, max_chars):
    from pipeline.names import fold_quotes
    from pipeline.segment import ABBREVIATIONS, MAX_SENTENCE_CHARS

    got = native.sentence_spans(fold_quotes(text), ABBREVIATIONS, max_chars or MAX_SENTENCE_CHARS)
    assert got == _reference_spans(text, max_chars)


@settings(max_examples=500, deadline=None)
@given(TOKEN_TEXT | st.lists(st.sampled_from(["a", "é", "’", "ſ", "ı", "İ", "\u212a", "ẞ", "ﬅ", "ﬆ", "ΐ", "ΰ", "\u0130x", "ǅ", "\U0001d400"]),
                             max_size=12).map("".join))
def test_native_special_folds_are_the_regexes(text):
    from pipeline import lexicon
    from pipeline import native as switch

    assert switch.has_special_folds(text) == lexicon.has_special_folds(text)
    with pure():
        assert switch.has_special_folds(text) == lexicon.has_special_folds(text)


def test_native_sentence_spans_on_every_corpus_article(corpus_articles):
    from pipeline.segment import sentence_spans

    for article in corpus_articles:
        for text in (article.body, article.title or ""):
            assert sentence_spans(text) == _reference_spans(text), article.id


def test_native_stance_summary_is_numpys_bit_for_bit():
    """Counts, mean and every order statistic of the resampled means, against numpy: the same bits, signs of zero included."""
    rng = np.random.default_rng(7)
    for n in [*range(1, 140), 200, 257, 300, 1000]:
        p = rng.dirichlet([0.5, 0.5, 0.5], size=n) * 10.0 ** rng.uniform(-3, 0, size=(n, 1))
        p[rng.random(n) < 0.1] = 1 / 3  # ties: the first of equal ones is the most probable, as argmax
        osce = rng.random(n) < 0.7
        osce[0] = True
        q = p[osce]
        values = q[:, 0] - q[:, 1]
        indices = rng.integers(0, len(q), size=(200, len(q)))
        counts, mean, order = native.stance_summary(p, 3, bytes(osce), 0, 1, indices, tuple(range(200)))
        assert counts == np.bincount(q.argmax(axis=1), minlength=3).tolist(), n
        assert np.float64(mean).view(np.int64) == values.mean().view(np.int64), n
        want = np.sort(np.add.reduce(values[indices], axis=1) / len(q))
        assert np.array_equal(np.array(order).view(np.int64), want.view(np.int64)), n
        some = tuple(sorted(rng.choice(200, size=4, replace=False).tolist()))
        assert native.stance_summary(p, 3, bytes(osce), 0, 1, indices, some)[2] == tuple(want[list(some)]), n
        assert native.stance_summary(p, 3, bytes(osce), 0, 1, None, some)[2] == ()
    with pytest.raises(IndexError):
        native.stance_summary(np.full((2, 3), 0.3), 3, bytes([1, 1]), 0, 1, np.array([[0, 2]], dtype=np.int64), (0,))
    with pytest.raises(ValueError):
        native.stance_summary(np.full((2, 3), 0.3), 3, bytes([1, 1]), 0, 1, np.zeros(3, dtype=np.int64), (0,))
    with pytest.raises(ValueError):
        native.stance_summary(np.full((2, 3), 0.3), 3, bytes([1]), 0, 1, None, ())
    with pytest.raises(ValueError):
        native.stance_summary(np.full((2, 3), 0.3), 3, bytes([1, 1]), 0, 1, np.zeros((4, 2), dtype=np.int64), (3, 1))


CUE_TEXT = st.lists(st.sampled_from(["thank", "not a", "far from", "far-f", "so-called", "co-op", "no ", "anti-", "_x", "é", "ée", "x",
                                      "objectiv", " ", "-", "'", "9", "İ", "ǅ", "count", "in ac", "in"]), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(TOKEN_TEXT.map(str.lower) | CUE_TEXT)
def test_native_prefix_scan_finds_what_the_prefix_regex_finds(text):
    from pipeline.features import _ALL_PREFIXES, prefix_hits

    assert native.PrefixScanner(_ALL_PREFIXES).scan(text) == prefix_hits(text)


def test_native_prefix_scan_on_every_corpus_sentence(corpus_articles):
    from pipeline.features import _ALL_PREFIXES, prefix_hits

    scanner = native.PrefixScanner(_ALL_PREFIXES)
    for article in corpus_articles:
        for line in (article.title or "", *article.body.split("\n")):
            assert scanner.scan(line.lower()) == prefix_hits(line.lower())


def _regex_first_matches(low):
    from pipeline.features import _CUE_FAMILIES

    return [(i, m.start()) for i, (_, _, lower, _) in enumerate(_CUE_FAMILIES) if (m := lower.search(low))]


CUE_PROGRAM_TEXT = st.lists(st.sampled_from(["deny", "denied ", "den", "ies", "access", "entry", "visas", "x ", "__ ", "honour", "honor", "ed",
                                              "s", "lack", "ing", " of ", "objectiv", "ity", "stopp", "stop", "the", "its", "withdr", "a", "e",
                                              "w", "well", "-", " ", "organi", "z", "ed", "capp", "trust", "ful", "met", "aid", "é", "émigré",
                                              "9", "_", " ", "praise", "prais", "co-operat", "in good faith", "no ", "n't", "ǅ"]),
                            max_size=25).map("".join)


def _named(scanned):
    from pipeline.features import _CUE_FAMILIES

    return tuple((_CUE_FAMILIES[i][0], negated) for i, _, negated in scanned)


NEGATION_TEXT = st.lists(st.sampled_from(["not", "No", "NEVER", "far from", "far  from", "Far From", "lacking", "black", "nobody", "notable",
                                           "cannot", "far", "from", "x", "yy", "biased", "praised", "thanked", " ", " ", ", ", ".", "\n", "-",
                                           "'", "é", "9", "_", "without", "hardly any", "no\u00a0", "ǅ", "\t"]),
                         max_size=30).map("".join)


@settings(max_examples=800, deadline=None)
@given(TOKEN_TEXT | CUE_TEXT | CUE_PROGRAM_TEXT | NEGATION_TEXT)
def test_native_cue_scan_finds_where_each_family_first_matches_and_its_negation(text):
    from pipeline.features import _cue_matches, _cue_scanner, first_matches
    from pipeline.lexicon import has_special_folds

    if not has_special_folds(text):  # (such text takes the families' case-blind searches instead)
        want = _regex_first_matches(text.lower())
        got = _cue_scanner().scan(text.lower())
        assert [(i, start) for i, start, _ in got] == want
        assert first_matches(text.lower()) == want
        assert _named(got) == _cue_matches(text)  # and the negation of each


def test_native_cue_scan_on_every_corpus_sentence(corpus_articles):
    from pipeline.features import _cue_matches, _cue_scanner
    from pipeline.lexicon import has_special_folds
    from pipeline.names import canonical

    scan, found, negated = _cue_scanner().scan, 0, 0
    for article in corpus_articles:
        for line in (article.title or "", *article.body.split("\n")):
            text = canonical(line)
            if has_special_folds(text):
                continue
            got = scan(text.lower())
            assert [(i, start) for i, start, _ in got] == _regex_first_matches(text.lower()), line
            assert _named(got) == _cue_matches(text), line
            found += len(got)
            negated += sum(n for *_, n in got)
    assert found > 10_000 and negated > 100  # the families and their negation were exercised


def test_cue_programs_spell_out_a_family_and_refuse_what_the_scan_cannot_run():
    import re

    from pipeline.lexicon import BOUNDARY, OPTIONAL_WORD, WORD_PLUS, WORD_STAR, cue_programs

    assert cue_programs(re.compile(r"\b(?:withdr[ae]w\w* (?:the )?invitation|capp(?:ed|ing)\b|den(?:y|ies) (?:\w+ )?access)")) == [
        ("withdraw", WORD_STAR + " the invitation"), ("withdraw", WORD_STAR + " invitation"), ("withdrew", WORD_STAR + " the invitation"),
        ("withdrew", WORD_STAR + " invitation"), ("capped", BOUNDARY), ("capping", BOUNDARY), ("deny ", OPTIONAL_WORD + "access"),
        ("denies ", OPTIONAL_WORD + "access")]
    assert cue_programs(re.compile(r"\b(?:prais\w+)")) == [("prais", WORD_PLUS)]
    # \w* before a word character, a wildcard, a class of ranges, no leading \b: the scan cannot run these
    for source in (r"\b(?:a\w*b)", r"\b(?:a.b)", r"\b(?:[a-z]x)", r"(?:ab)", r"\b(?:\w+ab)", r"\b(?:ab|c+d)"):
        assert cue_programs(re.compile(source)) is None, source
    native.CueScanner([("a", 0, "")], 1, ("no",), 40)
    with pytest.raises(TypeError):
        native.CueScanner([("", 0, "")], 1, ("no",), 40)
    with pytest.raises(TypeError):
        native.CueScanner([("a", 1, "")], 1, ("no",), 40)
    with pytest.raises(TypeError):
        native.CueScanner([("a", 0, "")], 1, ("",), 40)


def _word_start_patterns():
    from pipeline import names, target

    return {"explicit names": names._EXPLICIT_SCAN, "contextual mentions": target._CONTEXTUAL_SCAN,
            **{f"person pattern {i}": scan for i, scan in enumerate(target._PERSON_SCANS.values(), 2)}}


def _spans(matches):
    return [(m.start(), m.end(), m.group()) for m in matches]


MENTION_TEXT = st.lists(st.sampled_from(["OSCE", "OSCE's", "OSCE’s", "ODIHR", "Office", "office", "OFFICE", " of ", "the", "The ", "Mission",
                                         "mission", " to ", "Moldova", "observers", "monitors", "Organization for Security and Co-operation in Europe",
                                         "Minsk Group", "MINSK GROUP", "Russia", "the Netherlands", "RUSSIA", "in ", "Warsaw", "Vienna",
                                         "Chairperson-in-Office", "EOMs", "LEOM", "head of the", "report", "İ", "ſ", "K", "é", "_", "-", "/",
                                         "Jane Roe", ", ", "Head", "HEAD", "Deputy", "spokeswoman", " said", "Ambassador", "Mr. ",
                                         "\t", "\u00a0", "  ", "\u2003", "its", "an", "organisation", "institution", "from", "United",
                                         "Kingdom", "Bosnia and", "Herzegovina", "expert", "group", "Special", "Monitoring", "Helsinki", "Final",
                                         "(", ")", " ", "\n", ".", "2"]), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(MENTION_TEXT | TOKEN_TEXT)
def test_word_start_patterns_find_the_patterns_own_matches(text):
    for name, scan in _word_start_patterns().items():
        assert _spans(scan.finditer(text)) == _spans(scan.pattern.finditer(text)), name
        assert _spans([scan.search(text)] if scan.search(text) else []) == _spans(list(scan.pattern.finditer(text))[:1]), name


def test_word_start_patterns_on_every_corpus_sentence(corpus_articles):
    patterns, found = _word_start_patterns(), dict.fromkeys(_word_start_patterns(), 0)
    for article in corpus_articles:
        for line in (article.title or "", *article.body.split("\n")):
            for name, scan in patterns.items():
                got = _spans(scan.finditer(line))
                assert got == _spans(scan.pattern.finditer(line)), (name, line)
                found[name] += len(got)
    assert min(found.values()) > 20 and sum(found.values()) > 10_000, found  # each pattern was exercised


COUNTRY_TEXT = st.lists(st.sampled_from(["Bosnia", "and", "Herzegovina", "Bosnia-Herzegovina", "BOSNIA", "AND", "the", "The", "Netherlands",
                                          "United", "States", "of", "America", "Kingdom", "Russia", "Russian", "Federation", "Russias",
                                          "Türkiye", "TÜRKIYE", "Georgia", "Georgian", "Kyrgyz", "Republic", "x", "_", "9", "é", " ", "  ",
                                          "\n", "\u00a0", "\t", "-", ",", ".", "'", "’s"]), max_size=25).map("".join)


@settings(max_examples=600, deadline=None)
@given(COUNTRY_TEXT | TOKEN_TEXT | MENTION_TEXT)
def test_native_country_names_are_replaced_as_the_regex_replaces_them(text):
    from pipeline.names import _COUNTRY, _countries

    assert _countries(text) == _COUNTRY.sub("Country", text)


def test_native_country_names_on_every_corpus_line(corpus_articles):
    from pipeline.names import _COUNTRY, _countries

    replaced = 0
    for article in corpus_articles:
        for line in (article.title or "", *article.body.split("\n")):
            got = _countries(line)
            assert got == _COUNTRY.sub("Country", line), line
            replaced += got != line
    assert replaced > 1000


def test_a_pattern_whose_matches_need_not_begin_a_word_is_refused():
    import re

    from pipeline.native import WordStartPattern

    for source in (r"\bOSCE|ODIHR", r"\b\w+OSCE", r"\b(?:-OSCE)"):
        with pytest.raises(ValueError, match="begins a word"):
            WordStartPattern(re.compile(source))


# What the compiled analyzer reads besides words: the context mark, curly quotes, the long names (and their triggers),
# countries, cues and their negation, and letters with special case folds (which take the Python searches).
ANALYZER_TEXT = st.lists(st.one_of(st.sampled_from(["\u2462", "’", "“", "”", "‘", "n't", "don’t", "Organization for Security and Co-operation in Europe",
                                                    "Office for Democratic Institutions and Human Rights", "OSCE/ODIHR", "odihr", "Europe",
                                                    "security", "democratic institutions", "İ", "ſ", "\u212a", " ", "  ", ". "]),
                                   MENTION_TEXT, COUNTRY_TEXT, NEGATION_TEXT, CUE_PROGRAM_TEXT, CUE_TEXT), max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKEN_TEXT | ANALYZER_TEXT, min_size=1, max_size=6), st.lists(st.booleans(), min_size=6, max_size=6), st.booleans())
def test_native_probabilities_equal_the_reference_on_arbitrary_text(model, texts, osce, same_article):
    osce = osce[:len(texts)]
    got = model.predict_proba(texts, osce, same_article)
    assert np.abs(got - pure_probabilities(model, texts, osce, same_article)).max() <= 1e-9


def test_native_equals_the_reference_on_every_corpus_and_gold_article(model, corpus_articles):
    worst, n = 0.0, 0
    for article in corpus_articles:
        spans = article_spans(article.title, article.body)
        texts = [(article.body if part == "body" else article.title)[s:e] for part, s, e in spans]
        osce = [t.concerns for t in detect(texts, article.title)]
        for same_article in (True, False):
            a = model.predict_proba(texts, osce, same_article)
            b = pure_probabilities(model, texts, osce, same_article)
            assert a.shape == b.shape
            if len(texts):
                worst = max(worst, float(np.abs(a - b).max()))
        n += len(texts)
        native_result = score_article(article, model).to_dict()
        with pure():
            pure_result = score_article(article, model).to_dict()
        for got, want in zip(native_result["sentences"], pure_result["sentences"]):  # labels and evidence offsets
            assert (got["label"], got["osce"], got["start"], got["end"]) == (want["label"], want["osce"], want["start"], want["end"])
            assert max(abs(got["probabilities"][k] - want["probabilities"][k]) for k in got["probabilities"]) <= 2e-6  # rounded to 6
    assert n > 9000 and worst <= 1e-9


def test_pure_mode_runs_the_reference():
    code = "from pipeline import native; print(native.compiled is None)"
    for value, expected in (("1", "True"), ("0", "False")):
        env = {**os.environ, "OSCE_STANCE_PURE": value}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.strip()
        assert out == expected, value


def test_bad_calls_are_errors_not_crashes(model):
    from pipeline.features import compiled_analyzer

    index, analyzer = model._word_index, compiled_analyzer()
    assert np.frombuffer(index.article(["a"], [True], True, analyzer)).shape == (3,)
    with pytest.raises(ValueError):
        index.article(["a"], [], True, analyzer)
    with pytest.raises(TypeError):
        index.article([b"bytes"], [True], True, analyzer)
    with pytest.raises(TypeError):
        index.article(["a"], [True], True, analyzer[:-1])
    with pytest.raises(TypeError):
        index.article(["a"], [True], True, (None,) + analyzer[1:])
    with pytest.raises(ValueError):
        index.article(["a"], [True], True, analyzer[:-1] + (analyzer[-1][:-1],))
    with pytest.raises(ZeroDivisionError):  # a Python fallback's error comes through as it is
        index.article(["ſ"], [True], True, analyzer[:6] + (lambda text: 1 / 0,) + analyzer[7:])
    with pytest.raises(ValueError):
        native.WordIndex(["w:a"], np.zeros(2), np.zeros((3, 1)), np.zeros(3), [])
