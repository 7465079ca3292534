"""The fast sentence splitter must make exactly Punkt's decisions (NLTK, same parameters)."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer

from pipeline import segment
from pipeline.names import fold_quotes
from pipeline.segment import ABBREVIATIONS, CLOSERS, sentence_spans

FUZZ = int(os.environ.get("FUZZ_EXAMPLES", 300))


def punkt_spans(body: str) -> list[tuple[int, int]]:
    """The oracle: NLTK Punkt's sentence breaks with our abbreviations, mapped back to offsets token by token.

    Punkt reads the text with typographic quotes folded to straight ones (it knows no others), as the splitter does.
    """
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    punkt = PunktSentenceTokenizer(params)
    spans, offset = [], 0
    for line in fold_quotes(body).split("\n"):
        pos, start, ends = 0, 0, []
        for token in punkt._annotate_tokens(punkt._tokenize_words(line)):
            pos = line.find(token.tok, pos) + len(token.tok)
            if token.sentbreak:
                end = pos
                while end < len(line) and line[end] in CLOSERS:
                    end += 1
                ends.append(end)
        for end in ends + [len(line)]:
            chunk = line[start:end]
            s, e = start + len(chunk) - len(chunk.lstrip()), start + len(chunk.rstrip())
            if e > s:
                spans.append((offset + s, offset + e))
            start = end
        offset += len(line) + 1
    return spans


def test_token_regex_is_punkts():
    reference = PunktLanguageVars()._word_tokenizer_re()
    text = 'He said: "Mr. Lee--who met U.S. envoys... on Jan. 5, 2024--left." (Really?!) «Fine.» . . . end'
    assert segment._TOKEN.findall(text) == reference.findall(text)


def test_agrees_with_punkt_on_every_article(corpus_articles):
    disagreements = [a.id for a in corpus_articles if sentence_spans(a.body) != punkt_spans(a.body)]
    assert not disagreements and len(corpus_articles) > 250


ALPHABET = ["a", "b", "A", "É", "é", "1", "2", ".", ".", ",", "-", "?", "!", '"', "'", "»", "«", "“", "”", "(", ")", ":", ";",
            " ", " ", "\u00a0", "\n", "Mr", "U.S", "J", "...", "--", "2.5", "Inc"]


@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
@settings(max_examples=FUZZ, deadline=None)
def test_agrees_with_punkt_on_generated_text(text):
    assert sentence_spans(text) == punkt_spans(text)


@pytest.mark.parametrize("text,expected", [
    ('He left. "We stay," she said.', ["He left.", '"We stay," she said.']),
    ("Turnout was 61.5 percent. The OSCE said so.", ["Turnout was 61.5 percent.", "The OSCE said so."]),
    ("The vote was held in 2024. observers noted it.", ["The vote was held in 2024. observers noted it."]),
    ("Ms. K. Ivanova met Amb. Smith. He thanked her.", ["Ms. K. Ivanova met Amb. Smith.", "He thanked her."]),
    ("«It is biased.» He said «no». Then «yes.» Done.", ["«It is biased.»", "He said «no».", "Then «yes.»", "Done."]),
    # Typographic quotes split as straight ones do, and the sentences keep them.
    ("He left. \u201cMs. Roe stays,\u201d she said.", ["He left.", "\u201cMs. Roe stays,\u201d she said."]),
    ("\u201cIt is biased.\u201d He left.", ["\u201cIt is biased.\u201d", "He left."]),
])
def test_news_cases(text, expected):
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


@given(st.lists(st.sampled_from(ALPHABET + ["\t", "\u2003", "\u3000", "\x1c", "x.y", "?!"]), max_size=40).map("".join))
@settings(max_examples=FUZZ, deadline=None)
def test_candidate_runs_are_the_regex_matches(text):
    assert segment._candidate_chunks(text) == [m.span() for m in segment._CANDIDATE_CHUNK.finditer(text)]
