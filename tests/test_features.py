"""The analyzer: what features a sentence yields, and that the cue pre-filter changes nothing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.features import analyze, cue_features, document


def test_target_marker_words_ngrams_and_negation():
    feats = analyze(document("They did not trust the mission.", True))
    assert feats[0] == "t:osce"
    assert {"w:trust", "w:not trust", "neg:trust"} <= set(feats)
    assert "w:did not trust" not in feats  # no word trigrams since features.v4
    assert analyze(document("Prices rose.", False))[0] == "t:none"


def test_typographic_quotes_read_as_straight_ones():
    # Real news prints "don\u2019t" and "OSCE\u2019s"; the team's corpus "don't" and "OSCE's": the features must not differ.
    curly = "They don\u2019t trust the OSCE\u2019s \u201cbiased\u201d report, the minister\u2019s aide said."
    straight = "They don't trust the OSCE's \"biased\" report, the minister's aide said."
    assert analyze(document(curly, True)) == analyze(document(straight, True))
    assert "neg:trust" in analyze(document(curly, True))  # "n\u2019t" is a negation, as "n't" is
    assert cue_features(curly, True) == cue_features(straight, True)


def test_cue_families_with_negation_and_target():
    feats = cue_features("Nobody doubts that the observers were professional.", osce=True)
    assert "cue:praise" in feats and "ocue:praise" in feats
    assert "cue:bias" in cue_features("The report is one-sided.", osce=False)
    assert not [f for f in cue_features("The report is one-sided.", osce=False) if f.startswith("ocue:")]


def test_prefilter_is_exact_on_every_corpus_sentence(corpus_sentences):
    assert len(corpus_sentences) > 2000
    for s in corpus_sentences:
        assert cue_features(s.text, True) == cue_features(s.text, True, prefilter=False), s.text
    assert sum(f.endswith(":neg") for s in corpus_sentences for f in cue_features(s.text, True)) > 50  # negation is exercised


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
       | st.lists(st.sampled_from(["not", "biased", "thanked", "OSCE", "ſupport", "İnvited", "co-operation", " ", ",", "lack of desire",
                                   "taken into account", "\u212a", "K", "\u0131", "ﬅrong", "so-called", "\u00a0", "No", "NEVER", "cannot", "far from",
                                   "Hardly", "nobody", "absence", "neither", "piano", "x" * 30]), max_size=30).map(" ".join)
       # glued to what comes before them: a negation word begins a word after "(" or "-", not after "_" or a letter
       | st.lists(st.sampled_from(["not", "no", "cannot", "Far from", "lack", "x", "_", "(", "-", "é", "2", " ", "  ", "biased", "supported",
                                   "ignored", "K"]), max_size=40).map("".join))
def test_prefilter_is_exact_on_arbitrary_text(text):
    assert cue_features(text, True) == cue_features(text, True, prefilter=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abc -'", min_size=1, max_size=6), min_size=1, max_size=25, unique=True),
       st.text(alphabet="abc -'x", max_size=60))
def test_trie_of_prefixes_matches_like_the_longest_first_alternation(words, text):
    import re

    from pipeline.lexicon import longest_first

    plain = re.compile("(?=(" + "|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))) + "))")
    trie = re.compile("(?=(" + longest_first(words) + "))")
    assert [(m.start(), m.group(1)) for m in trie.finditer(text)] == [(m.start(), m.group(1)) for m in plain.finditer(text)]


def test_context_comes_from_the_other_osce_sentences_only():
    from pipeline.features import ALONE, article_context

    texts = ["The ministry called the OSCE report biased.", "It said the observers were politicised.", "The mission left on Monday.",
             "Officials said the ODIHR findings were unfounded.", "Wheat prices rose sharply and the harvest was praised."]
    contexts = article_context(texts, [True, True, True, True, False])
    assert contexts[2] == ("ctx:crit", "ctx:crit2")  # three critical neighbours
    assert contexts[4] == ("ctx:crit", "ctx:crit2")  # its own praise is not about the OSCE and does not count
    assert article_context(["The report is biased."], [True]) == [ALONE]


def test_text_cannot_forge_context_features():
    feats = analyze(document("A strange \u2462ctx:crit symbol.", True))
    assert "ctx:crit" not in feats and feats[-1] != "ctx:crit"
    assert analyze(document("Plain.", False, ("ctx:coop", "ctx:coop2")))[-2:] == ["ctx:coop", "ctx:coop2"]


def test_article_features_equal_the_analyzer_on_article_documents(corpus_articles):
    from pipeline.features import article_documents, article_features
    from pipeline.segment import split_sentences
    from pipeline.target import detect

    for article in corpus_articles:
        texts = split_sentences(article.body)
        osce = [t.concerns for t in detect(texts, article.title)]
        assert article_features(texts, osce) == [analyze(d) for d in article_documents(texts, osce)], article.id
