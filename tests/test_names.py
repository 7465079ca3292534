"""The organisation's names: every spelling read as the short name (the invariance it buys: tests/test_invariance.py)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.invariance import ODIHR_SPELLINGS, OSCE_SPELLINGS
from pipeline.names import canonical, names_osce


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
    # A headline in capitals names the same bodies and countries.
    assert names_osce("MINSK GROUP CO-CHAIRS MEET") and names_osce("THE SPECIAL MONITORING MISSION LEAVES")
    assert canonical("OBSERVERS BARRED FROM RUSSIA AND THE RUSSIAN FEDERATION") == "OBSERVERS BARRED FROM Country AND Country"


_NAME_PIECES = ["Organization", "Organisation", "ORGANISATION", "Organiſation", "for", "FOR", "Security", "ſecurity", "and", "&",
                "Co-operation", "Cooperation", "CO-OPERATION", "in", "Europe", "EUROPE", "(OSCE)", "OSCE", "Office", "Democratic",
                "Democratİc", "Institutions", "İnstitutions", "Human", "Rights", "(ODIHR)", "ODIHR", "OSCE/ODIHR", "OSCE's", "/",
                "XOSCE/ODIHR", "osce  odihr", "Osce / Odihr", "officeOSCE", "xorganisation"]


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
    folded = text.translate(dict((ord(c), s) for c, s in names.QUOTE_FOLD))  # typographic quotes read as straight ones first
    reference = names._COUNTRY.sub("Country", names._LONG_NAMES.sub(lambda m: names._CANONICAL[m.lastgroup], folded))
    assert canonical(text) == reference


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_LONG_NAME, st.sampled_from(_NAME_PIECES), st.text(max_size=4)), max_size=12), st.sampled_from([" ", "\n", "  "]))
def test_text_without_a_long_name_trigger_is_left_as_it_is(pieces, glue):
    # The compiled analyzer (pipeline/_native.c) calls short_names only where LONG_NAME_TRIGGERS say it can rewrite.
    from pipeline.lexicon import has_special_folds
    from pipeline.names import LONG_NAME_TRIGGERS, short_names

    text = glue.join(pieces)
    if not has_special_folds(text) and not any(all(w in text.lower() for w in group) for group in LONG_NAME_TRIGGERS):
        assert short_names(text) == text
