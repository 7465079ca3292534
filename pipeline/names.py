"""The OSCE's names: every spelling of the organisation and its bodies, and one canonical form.

Real news spells the organisation out ("the Organization for Security and Co-operation in
Europe (OSCE)"), and the words of its name ("Co-operation", "Security") are the words of
a cooperative cue.  The analyzer reads :func:`canonical` text, in which every spelling of a
name is one short name, so that how a writer spells the OSCE cannot move a label: the
invariance holds by construction, and ``tests/test_names.py`` checks it on the gold.

Stdlib only (and the lexicon's regex helpers, and the compiled prefix scan of ``pipeline.native``): ingest (which
keeps short lines that name the OSCE), target detection and the features all read the names from here.
"""

from __future__ import annotations

import functools
import re

from . import native
from .lexicon import literal_prefixes, longest_first
from .native import has_special_folds

__all__ = ["EXPLICIT", "COUNTRIES", "COUNTRY_WORD", "LONG_NAME_TRIGGERS", "QUOTE_FOLD", "names_osce", "explicit_matches", "canonical",
           "short_names", "fold_quotes", "country_scanner"]

# A name that always means the OSCE family (target detection's "explicit" mentions).  The long names are matched in
# sentence, title and upper case by character classes: an inline (?i:...) group made this search 11x slower.
EXPLICIT = re.compile(
    r"\bOSCE(?:/ODIHR)?(?:[’']s)?\b|\bODIHR\b|\b[Oo]rgani[sz]ation\s+[Ff]or\s+[Ss]ecurity\s+(?:[Aa]nd|&)\s+[Cc]o-?[Oo]peration\s+[Ii]n\s+Europe\b"
    r"|\bOffice\s+[Ff]or\s+[Dd]emocratic\s+[Ii]nstitutions\s+(?:[Aa]nd|&)\s+[Hh]uman\s+[Rr]ights\b"
    r"|\bORGANI[SZ]ATION\s+FOR\s+SECURITY\s+(?:AND|&)\s+CO-?OPERATION\s+IN\s+EUROPE\b|\bL?EOMs?\b|\bSMM\b|\bHCNM\b|\bRFoM\b"
    r"|\bSpecial\s+Monitoring\s+Mission\b|\bMinsk\s+Group\b|\bChair(?:person|man|woman)-in-Office\b|\bCiO\b"
    r"|\bHigh\s+Commissioner\s+on\s+National\s+Minorities\b|\bRepresentative\s+on\s+Freedom\s+of\s+the\s+Media\b"
    r"|\bKosovo\s+Verification\s+Mission\b|\bAssistance\s+Group\s+to\s+Chechnya\b|\bCSCE\b"
    r"|\bProgramme\s+Office\s+in\s+[A-Z]\w+|\bProject\s+Co-?ordinator\s+in\s+[A-Z]\w+|\bCentre\s+in\s+(?:Ashgabat|Bishkek|Astana|Almaty|Dushanbe)"
    r"|\bPresence\s+in\s+Albania\b|\bMission\s+to\s+(?:Moldova|Georgia|Serbia|Skopje|Montenegro|Bosnia|Kosovo|Croatia|Ukraine)\b"
    # The same names in capitals, as headlines and wire slugs print them.
    r"|\bOFFICE\s+FOR\s+DEMOCRATIC\s+INSTITUTIONS\s+(?:AND|&)\s+HUMAN\s+RIGHTS\b|\bSPECIAL\s+MONITORING\s+MISSION\b|\bMINSK\s+GROUP\b"
    r"|\bCHAIR(?:PERSON|MAN|WOMAN)-IN-OFFICE\b|\bHIGH\s+COMMISSIONER\s+ON\s+NATIONAL\s+MINORITIES\b"
    r"|\bREPRESENTATIVE\s+ON\s+FREEDOM\s+OF\s+THE\s+MEDIA\b|\bKOSOVO\s+VERIFICATION\s+MISSION\b|\bASSISTANCE\s+GROUP\s+TO\s+CHECHNYA\b"
    r"|\bPROGRAMME\s+OFFICE\s+IN\s+[A-Z]{2,}|\bPROJECT\s+CO-?ORDINATOR\s+IN\s+[A-Z]{2,}|\bCENTRE\s+IN\s+(?:ASHGABAT|BISHKEK|ASTANA|ALMATY|DUSHANBE)"
    r"|\bPRESENCE\s+IN\s+ALBANIA\b|\bMISSION\s+TO\s+(?:MOLDOVA|GEORGIA|SERBIA|SKOPJE|MONTENEGRO|BOSNIA|KOSOVO|CROATIA|UKRAINE)\b"
)


_EXPLICIT_SCAN = native.WordStartPattern(EXPLICIT)  # the same matches, by the compiled prefix scan


def names_osce(text: str) -> bool:
    """Whether ``text`` names the OSCE or one of its bodies outright.

    >>> names_osce("Minsk refuses OSCE observers"), names_osce("Minsk refuses observers")
    (True, False)
    """
    return _EXPLICIT_SCAN.search(text) is not None


def explicit_matches(text: str) -> list[re.Match]:
    """``list(EXPLICIT.finditer(text))``: every name of the OSCE family in ``text``, in order."""
    return _EXPLICIT_SCAN.finditer(text)


_CANONICAL = {"odihr": "ODIHR", "osce": "OSCE"}
# The participating states (and Kosovo), as news names them.  Which country a sentence is about must not decide
# its stance toward the OSCE ("Russia" -> "Belarus" moved 3% of labels before this); demonyms are left alone.
COUNTRIES = (
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Belarus", "Belgium", "Bosnia and Herzegovina", "Bosnia-Herzegovina",
    "Bosnia", "Bulgaria", "Canada", "Croatia", "Cyprus", "Czech Republic", "Czechia", "Denmark", "Estonia", "Finland", "France",
    "Georgia", "Germany", "Greece", "Holy See", "Hungary", "Iceland", "Ireland", "Italy", "Kazakhstan", "Kyrgyzstan",
    "Kyrgyz Republic", "Latvia", "Liechtenstein", "Lithuania", "Luxembourg", "Malta", "Moldova", "Monaco", "Mongolia",
    "Montenegro", "the Netherlands", "Netherlands", "North Macedonia", "Macedonia", "Norway", "Poland", "Portugal", "Romania",
    "the Russian Federation", "Russian Federation", "Russia", "San Marino", "Serbia", "Slovakia", "Slovenia", "Spain", "Sweden",
    "Switzerland", "Tajikistan", "Turkey", "Türkiye", "Turkmenistan", "Ukraine", "the United Kingdom", "United Kingdom",
    "Great Britain", "Britain", "the United States of America", "the United States", "United States", "America", "Uzbekistan",
    "Kosovo",
)


_OSCE_LONG = r"Organi[sz]ation\s+for\s+Security\s+(?:and|&)\s+Co-?operation\s+in\s+Europe"
_ODIHR_LONG = r"Office\s+for\s+Democratic\s+Institutions\s+(?:and|&)\s+Human\s+Rights"
# Longest spellings first; a parenthesised short name after a long one is part of it.
_LONG_NAMES = re.compile(
    rf"(?P<odihr>(?:(?:OSCE|{_OSCE_LONG}(?:\s*\(OSCE\))?)(?:[’']s)?\s+)?{_ODIHR_LONG}(?:\s*\((?:OSCE\s*/\s*)?ODIHR\))?|OSCE\s*/\s*ODIHR|OSCE\s+ODIHR)"
    rf"|(?P<osce>{_OSCE_LONG}(?:\s*\(OSCE\))?)",
    re.I,
)
# _LONG_NAMES's alternatives for text that can hold only one kind of spelling (see canonical).
_ODIHR_SHORT = re.compile(r"OSCE\s*/\s*ODIHR|OSCE\s+ODIHR", re.I)
_OSCE_LONG_NAME = re.compile(rf"{_OSCE_LONG}(?:\s*\(OSCE\))?", re.I)
if f"|{_ODIHR_SHORT.pattern})|(?P<osce>{_OSCE_LONG_NAME.pattern})" not in _LONG_NAMES.pattern:
    raise ImportError("_LONG_NAMES changed: update the short patterns canonical() uses beside it")
# Where matches of each can begin, in lower-cased text (no two of these words overlap, so finditer finds every place).
_OSCE_START, _ORGANI_START, _LONG_NAMES_START = re.compile("osce"), re.compile("organi"), re.compile("osce|organi|office")
if not all(all(p.startswith(tuple(start.pattern.split("|"))) for p in literal_prefixes(pattern, 6) or ("",))
           for pattern, start in ((_ODIHR_SHORT, _OSCE_START), (_OSCE_LONG_NAME, _ORGANI_START), (_LONG_NAMES, _LONG_NAMES_START))):
    raise ImportError("the long names changed: update where short_names() tries them (_replace_from)")
# Case-sensitive (a country's name is capitalised, or all capitals in a headline); the trie form reads each character once.
_COUNTRY_NAMES = (*COUNTRIES, *(c.upper() for c in COUNTRIES))
_COUNTRY = re.compile(r"\b" + longest_first(_COUNTRY_NAMES).replace("\\ ", r"\s+") + r"\b")


# Typographic quotes read as straight ones: real news prints "OSCE’s" and "don’t" where the team's corpus has "OSCE's" and
# "don't", and the analyzer's words, "n't" and cue patterns must not tell them apart.
QUOTE_FOLD = (("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2018", "'"), ("\u201a", "'"), ("\u201b", "'"),
              ("\u201e", '"'), ("\u201f", '"'))


def canonical(text: str) -> str:
    """``text`` with every spelling of the OSCE and ODIHR written as the short name, every participating state as "Country",
    and typographic quotes as straight ones.

    >>> canonical("The Organisation for Security and Co-operation in Europe (OSCE) sent observers to Belarus.")
    'The OSCE sent observers to Country.'
    >>> canonical("the OSCE Office for Democratic Institutions and Human Rights (ODIHR) and OSCE/ODIHR")
    'the ODIHR and ODIHR'
    >>> canonical("the Organization for Security and Co-operation in Europe’s Office for Democratic Institutions and Human Rights")
    'the ODIHR'
    >>> canonical("MINSK GROUP CO-CHAIRS MEET IN RUSSIA")
    'MINSK GROUP CO-CHAIRS MEET IN Country'
    >>> print(canonical("Minsk “doesn’t” agree"))
    Minsk "doesn't" agree
    """
    return _countries(short_names(fold_quotes(text)))


COUNTRY_WORD = "Country"  # what every participating state's name reads as


def _countries(text: str) -> str:
    """``_COUNTRY.sub(COUNTRY_WORD, text)``; the compiled scan reads the names as a trie, whole words only, in one pass."""
    if native.compiled is None:
        return _COUNTRY.sub(COUNTRY_WORD, text)
    return country_scanner().replace_words(text, COUNTRY_WORD)


@functools.cache
def country_scanner():
    """The country names as the compiled scan reads them (a space stands for a run of whitespace, as ``\\s+`` in _COUNTRY)."""
    return native.compiled.PrefixScanner(_COUNTRY_NAMES, spaces=True)


def _replaced(text: str, matches, replacement) -> str:
    """``text`` with each of ``matches`` (in order, disjoint) replaced by ``replacement`` (a str, or a function of the match),
    as ``re.sub`` would."""
    parts, end = [], 0
    for match in matches:
        parts += (text[end:match.start()], replacement(match) if callable(replacement) else replacement)
        end = match.end()
    return "".join(parts) + text[end:] if parts else text


def fold_quotes(text: str) -> str:
    """``text`` with typographic quotes written as straight ones: one character for one, so offsets stay valid.

    >>> print(fold_quotes("“The OSCE’s report,” she said."))
    "The OSCE's report," she said.
    """
    if not text.isascii():
        for curly, straight in QUOTE_FOLD:
            if curly in text:  # a scan is cheaper than str.translate's per-character lookups
                text = text.replace(curly, straight)
    return text


# short_names rewrites only text that holds all the words of one of these groups (in any case) or has special case folds:
# other text it returns as it is, without a search (the compiled analyzer, pipeline/_native.c, reads the same groups).
LONG_NAME_TRIGGERS = (("odihr",), ("europe", "security"), ("institutions", "democratic"))


def short_names(text: str) -> str:
    """``text`` with every spelling of the OSCE and ODIHR written as the short name (and nothing else changed).

    >>> short_names("Jane Roe, Head of the Organization for Security and Co-operation in Europe Mission to Georgia")
    'Jane Roe, Head of the OSCE Mission to Georgia'
    """
    low = text.lower()
    # Every spelling _LONG_NAMES rewrites holds "odihr", or both "security" and "europe", or both "democratic" and
    # "institutions" (LONG_NAME_TRIGGERS), so its case-blind search (slow: about 14 µs a sentence) runs only on such
    # text.  With only one kind present, only that kind's alternatives can match, and a short pattern finds exactly them
    # (10x faster).  Letters such as "ſ" or "İ" match under re.I but not in lower(): text with them always takes the
    # full search.
    odihr_short = "odihr" in low
    osce_long = "europe" in low and "security" in low
    if has_special_folds(text):
        return _LONG_NAMES.sub(_short_name, text)
    if ("institutions" in low and "democratic" in low) or (odihr_short and osce_long):
        return _replace_from(_LONG_NAMES, _LONG_NAMES_START, _short_name, text, low)
    if odihr_short:
        return _replace_from(_ODIHR_SHORT, _OSCE_START, "ODIHR", text, low)
    if osce_long:
        return _replace_from(_OSCE_LONG_NAME, _ORGANI_START, "OSCE", text, low)
    return text


def _short_name(match: re.Match) -> str:
    return _CANONICAL[match.lastgroup]


def _replace_from(pattern: re.Pattern, start: re.Pattern, replacement, text: str, low: str) -> str:
    """``pattern.sub(replacement, text)`` for a case-blind ``pattern`` whose every match begins where ``start`` matches ``low``
    (``text.lower()``, without special case folds): tried only there, not at every character."""
    matches, end = [], 0
    for anchor in start.finditer(low):
        if anchor.start() >= end and (match := pattern.match(text, anchor.start())):
            matches.append(match)
            end = match.end()
    return _replaced(text, matches, replacement)
