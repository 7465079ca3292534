"""Invariance in the CheckList manner (pipeline/invariance.py): edits a reader ignores must not move labels.

Each edit is applied to every gold sentence it can change; at most 1% of those labels may move,
scored alone (``predict``) and inside their articles (``score_article``).  `make real` reads the same
edits on the real-news yardstick.
"""

import re

import pytest

from pipeline import StanceScorer, paths
from pipeline.gold import load_gold
from pipeline.ingest import iter_article_files
from pipeline.invariance import ARTICLE_EDITS, MAX_MOVED, NAME_EDITS, moved_alone, moved_in_articles, swap_quotes


@pytest.fixture(scope="module")
def scorer():
    return StanceScorer.load()


@pytest.fixture(scope="module")
def gold_texts():
    return [row["text"] for row in load_gold().values()]


@pytest.fixture(scope="module")
def seed_texts_and_corpus():
    return [p.read_text(encoding="utf-8") for p in list(iter_article_files(paths.input_roots()))[:200]]


def test_swap_quotes_goes_both_ways():
    assert swap_quotes("the OSCE\u2019s \u201cview\u201d") == "the OSCE's \"view\""
    assert swap_quotes("the OSCE's \"view\", and \"theirs\"") == "the OSCE\u2019s \u201cview\u201d, and \u201ctheirs\u201d"


@pytest.mark.parametrize("name, pattern, replacement", NAME_EDITS, ids=[e[0] for e in NAME_EDITS])
def test_a_name_edit_moves_at_most_one_percent_of_labels_alone(scorer, gold_texts, name, pattern, replacement):
    moved, touched = moved_alone(scorer, gold_texts, pattern, replacement)
    assert touched >= 50, f"too few gold sentences to test {name}"
    assert moved <= MAX_MOVED * touched, f"{name}: {moved} of {touched} labels moved"


@pytest.mark.parametrize("name, edit", ARTICLE_EDITS, ids=[e[0] for e in ARTICLE_EDITS])
def test_quotes_and_spelling_move_at_most_one_percent_inside_articles(scorer, seed_texts_and_corpus, name, edit):
    moved, total, resplit = moved_in_articles(scorer, seed_texts_and_corpus, edit)
    # An edit may change how a few articles split into sentences (those are left out of the count): at most 3 of 200.
    assert total >= 500 and resplit <= 3, (total, resplit)
    assert moved <= MAX_MOVED * total, f"{name}: {moved} of {total} sentence labels moved"


def test_an_edit_that_moves_labels_is_caught(scorer, gold_texts):
    # The measure itself must see a change that matters: negating a praise word moves labels.
    moved, touched = moved_alone(scorer, gold_texts, re.compile(r"\bpraised\b"), "condemned")
    assert touched >= 10 and moved >= 0.2 * touched
