"""The organisation's names, and invariance in the CheckList manner: edits a reader ignores must not move labels.

Each edit is applied to every gold sentence it can change; at most 1% of those labels may move,
scored alone (``predict``) and inside their articles (``score_article``).
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import StanceScorer
from pipeline.gold import load_gold
from pipeline.names import canonical, names_osce

OSCE_WORD = re.compile(r"\bOSCE\b(?![/-])(?!\s+ODIHR)")
ODIHR_WORD = re.compile(r"(?<![/\w])ODIHR\b")

OSCE_SPELLINGS = [
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
]
ODIHR_SPELLINGS = [
    "OSCE/ODIHR",
    "Office for Democratic Institutions and Human Rights",
    "OSCE Office for Democratic Institutions and Human Rights",
    "Office for Democratic Institutions and Human Rights (ODIHR)",
    "OSCE Office for Democratic Institutions and Human Rights (OSCE/ODIHR)",
    "Office for Democratic Institutions & Human Rights",
]


def _swap_quotes(text: str) -> str:
    return text.replace("’", "'").replace("“", '"').replace("”", '"') if "’" in text or "“" in text else \
        text.replace("'", "’").replace('"', "“")


EDITS = [
    *[(f"OSCE -> {s}", OSCE_WORD, s) for s in OSCE_SPELLINGS],
    *[(f"ODIHR -> {s}", ODIHR_WORD, s) for s in ODIHR_SPELLINGS],
    ("Russia -> Belarus", re.compile(r"\bRussia\b"), "Belarus"),
    ("Kazakhstan -> Georgia", re.compile(r"\bKazakhstan\b"), "Georgia"),
    ("Azerbaijan -> Armenia", re.compile(r"\bAzerbaijan\b"), "Armenia"),
]
MAX_MOVED = 0.01


@pytest.fixture(scope="module")
def scorer():
    return StanceScorer.load()


@pytest.fixture(scope="module")
def gold_texts():
    return [row["text"] for row in load_gold().values()]


def test_every_spelling_reads_as_the_short_name():
    for spelling in OSCE_SPELLINGS:
        assert canonical(f"The {spelling} sent observers.") == "The OSCE sent observers."
        assert names_osce(f"The {spelling} sent observers.")
    for spelling in ODIHR_SPELLINGS:
        assert canonical(f"The {spelling} sent observers.") == "The ODIHR sent observers."
        assert names_osce(f"The {spelling} sent observers.")
    assert names_osce("The \u201cOrganization for Security and Co-Operation in Europe\u201d is not a UN agency.")
    assert canonical("Russia and the Russian Federation; Russian diplomats") == "Country and Country; Russian diplomats"
    assert canonical("Security and cooperation in Europe were discussed.") == "Security and cooperation in Europe were discussed."


@pytest.mark.parametrize("name, pattern, replacement", EDITS, ids=[e[0] for e in EDITS])
def test_a_name_edit_moves_at_most_one_percent_of_labels_alone(scorer, gold_texts, name, pattern, replacement):
    before = [t for t in gold_texts if pattern.search(t)]
    assert len(before) >= 50, f"too few gold sentences to test {name}"
    after = [pattern.sub(replacement, t) for t in before]
    moved = sum(a != b for a, b in zip(scorer.predict(before), scorer.predict(after)))
    assert moved <= MAX_MOVED * len(before), f"{name}: {moved} of {len(before)} labels moved"


def test_quotes_and_spelling_move_at_most_one_percent_inside_articles(scorer, seed_texts_and_corpus):
    edits = [("quotes", _swap_quotes), ("OSCE spelled out", lambda t: OSCE_WORD.sub(OSCE_SPELLINGS[0], t)),
             ("ODIHR spelled out", lambda t: ODIHR_WORD.sub(ODIHR_SPELLINGS[1], t))]
    for name, edit in edits:
        moved = total = 0
        for text in seed_texts_and_corpus:
            before = scorer.score_article(text, sentiment=False).sentences
            after = scorer.score_article(edit(text), sentiment=False).sentences
            if len(before) != len(after):
                continue  # the edit changed the sentence split (never seen for these edits; counted below)
            total += len(before)
            moved += sum((a.osce, a.label) != (b.osce, b.label) for a, b in zip(before, after))
        assert total >= 2000
        assert moved <= MAX_MOVED * total, f"{name}: {moved} of {total} sentence labels moved"


@pytest.fixture(scope="module")
def seed_texts_and_corpus():
    from pipeline import paths
    from pipeline.ingest import iter_article_files

    return [p.read_text(encoding="utf-8") for p in list(iter_article_files(paths.input_roots()))[:200]]


_NAME_PIECES = ["Organization", "Organisation", "ORGANISATION", "Organiſation", "for", "FOR", "Security", "ſecurity", "and", "&",
                "Co-operation", "Cooperation", "CO-OPERATION", "in", "Europe", "EUROPE", "(OSCE)", "OSCE", "Office", "Democratic",
                "Democratİc", "Institutions", "İnstitutions", "Human", "Rights", "(ODIHR)", "ODIHR", "OSCE/ODIHR", "OSCE's", "/"]


_LONG_SPELLINGS = [
    [["Organization", "Organisation", "ORGANIZATION", "Organiſation"], ["for", "FOR", "For"], ["Security", "ſecurity", "SECURITY"],
     ["and", "&", "AND"], ["Co-operation", "Cooperation", "CO-OPERATION", "Co-Operation"], ["in", "IN"], ["Europe", "EUROPE"]],
    [["Office", "OFFICE"], ["for", "For"], ["Democratic", "Democratİc", "DEMOCRATIC"], ["Institutions", "İnstitutions"],
     ["and", "&"], ["Human", "HUMAN"], ["Rights", "RIGHTS"]],
]
_LONG_NAME = st.one_of(*[st.tuples(*[st.sampled_from(v) for v in words]) for words in _LONG_SPELLINGS]).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_LONG_NAME, st.sampled_from(_NAME_PIECES), st.text(max_size=4)), max_size=12), st.sampled_from([" ", "\n", "  "]))
def test_canonical_rewrites_exactly_what_its_patterns_find(pieces, glue):
    # canonical() searches for the long names only when its cheap word checks pass: they must never skip a spelling.
    from pipeline import names

    text = glue.join(pieces)
    reference = names._COUNTRY.sub("Country", names._LONG_NAMES.sub(lambda m: names._CANONICAL[m.lastgroup], text))
    assert canonical(text) == reference
