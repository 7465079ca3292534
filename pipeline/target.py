"""Target detection: where a sentence mentions the OSCE or one of its bodies.

Three kinds of mention:

* ``explicit``: a name that always means the OSCE family (OSCE, ODIHR, EOM/LEOM,
  the Special Monitoring Mission, the Minsk Group, Chairperson-in-Office, ...);
* ``contextual``: words that mean the OSCE only in an article that names it
  ("the Office", "the mission", "the observers", "the Chairmanship"), and not in a
  sentence that names another observer group (CIS, SCO, ...) instead;
* ``person``: the surname of someone the article introduced in an OSCE role
  ("Eoghan Murphy, Head of the OSCE ... Mission" makes a later "Murphy" a mention).

A sentence with no mention that opens with a pronoun or a role ("He also thanked
...", "The delegation ...") right after a sentence that concerns the OSCE is
``carried``: it concerns the OSCE too (annotation rule 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from . import native
from .budget import check as _check_budget
from .names import explicit_matches, names_osce, short_names
from .native import has_special_folds

__all__ = ["Mention", "SentenceTarget", "find_mentions", "detect", "concerns", "concerns_alone", "VERSION"]

VERSION = "target.v2"

# Case-insensitive as a whole; (?-i:...) marks the parts that must keep their capital letter.
_CONTEXTUAL = re.compile(
    r"\b(?:the\s+)?Office(?:[’']s)?\b(?!\s+of\s+(?:the\s+)?(?-i:[A-Z]))|\bthe\s+(?-i:Group)(?:[’']s)?\b|\b(?:an|this|that)\s+organi[sz]ation\b"
    r"|\bhead\s+of\s+the\s+(?-i:[A-Z])\w+\s+mission\b|\b(?:the|its)\s+(?:envoy|commissioner|parliamentarians|rapporteur)\b"
    r"|\b(?:an|the|this|that)\s+institution\b|\b(?:observation|monitoring)\s+(?:effort|exercise|operation)\b"
    r"|\b(?:written|drafted|prepared|composed|decided)\s+in\s+(?:Warsaw|Vienna)\b|\b(?:from|in)\s+Warsaw\b|\bsomeone\s+in\s+Vienna\b"
    r"|\b(?:election\s+|electoral\s+|observation\s+|observer\s+|monitoring\s+"
    r"|assessment\s+|field\s+|international\s+|the\s+|its\s+|this\s+)(?:mission|team)s?\b"
    r"|\b(?:international\s+|foreign\s+|long-term\s+|short-term\s+|election\s+|the\s+|its\s+)?(?:observers|monitors)\b"
    r"|\bthe\s+organi[sz]ation\b|\bChairmanship\b|\b(?:Parliamentary\s+)?Assembly\b|\bSecretary\s+General\b"
    r"|\bhead\s+of\s+(?:the\s+)?mission\b|\bexpert\s+(?:group|team)\b|\bHelsinki\s+Final\s+Act\b|\bCopenhagen\s+Document\b"
    r"|\b(?:the|its|this|their)\s+(?:(?:preliminary|final|interim|latest|initial|whole|annual)\s+)*(?:report|statement|assessment|findings"
    r"|conclusions|recommendations|document|verdict|paper|evaluation)\b|\b(?:the\s+)?(?:high\s+commissioner|Representative|co-?ordinator"
    r"|mediators?|verifiers|monitors|co-chairs?|chair(?:person|man|woman)?|Centre|Moscow\s+Mechanism|Vienna-based|Warsaw-based|Helsinki\s+process)\b",
    re.I,
)
# Every alternative of _CONTEXTUAL contains one of these (lower case): a sentence with none of them
# cannot match, and the big case-insensitive search is skipped (tests/test_target.py checks it).
_CONTEXTUAL_ANCHORS = re.compile(
    "office|group|organi|mission|envoy|commissioner|parliamentarians|rapporteur|institution|observ|monitor|warsaw|vienna"
    "|team|chair|assembly|secretary|expert|helsinki|copenhagen|report|statement|assessment|findings|conclusions"
    "|recommendations|document|verdict|paper|evaluation|representative|ordinator|mediator|verifiers|centre|mechanism"
)


# _CONTEXTUAL is case-insensitive and slow to scan.  _CONTEXTUAL_RELAXED matches wherever it does
# (and more): the same alternatives in lower case, for lower-cased text, with the capital-letter
# parts relaxed to any letter and the negative lookahead dropped.  Scanning with it and confirming
# each candidate start with _CONTEXTUAL.match finds exactly _CONTEXTUAL's matches, 2.7x faster.
_CONTEXTUAL_RELAXED = re.compile(
    _CONTEXTUAL.pattern.replace(r"(?!\s+of\s+(?:the\s+)?(?-i:[A-Z]))", "").replace("(?-i:[A-Z])", "[a-z]").replace("(?-i:Group)", "group").lower()
)
if "(?-i" in _CONTEXTUAL_RELAXED.pattern or "(?!" in _CONTEXTUAL_RELAXED.pattern or re.search(r"\\[A-Z]", _CONTEXTUAL.pattern):
    raise ImportError("_CONTEXTUAL changed: update how _CONTEXTUAL_RELAXED is derived from it")


def contextual_matches(text: str) -> list[re.Match]:
    """``list(_CONTEXTUAL.finditer(text))``: by the compiled prefix scan, or by scanning lower-cased text with the relaxed pattern."""
    if native.compiled is not None:
        return _CONTEXTUAL_SCAN.finditer(text)
    if has_special_folds(text):  # text with special case folds: the plain scan
        return list(_CONTEXTUAL.finditer(text))
    low, found, candidate = text.lower(), [], 0
    while (c := _CONTEXTUAL_RELAXED.search(low, candidate)) is not None:
        m = _CONTEXTUAL.match(text, c.start())
        if m:
            found.append(m)
            candidate = m.end()  # finditer goes on after a match (no alternative can match empty)
        else:
            candidate = c.start() + 1
    return found


_CONTEXTUAL_SCAN = native.WordStartPattern(_CONTEXTUAL)


def may_have_contextual(text: str) -> bool:
    """False only if no contextual mention can occur in ``text`` (a cheap, exact prefilter)."""
    return has_special_folds(text) or _CONTEXTUAL_ANCHORS.search(text.lower()) is not None


# Observer groups that are not the OSCE: a sentence naming one of them (and no OSCE body)
# is about them, not about the OSCE (annotation rule 3).
_OTHER_OBSERVERS = re.compile(
    r"\bCIS\b|\bSCO\b|Commonwealth\s+of\s+Independent\s+States|Shanghai\s+Cooperation|Turkic|\bPACE\b|Council\s+of\s+Europe"
    r"|European\s+Parliament|\bNGOs?\b|Golos|domestic\s+observers|citizen\s+observers|party\s+observers|local\s+observers",
)
# Every alternative of _OTHER_OBSERVERS contains one of these (it is case-sensitive): without one, no search.
_OTHER_OBSERVER_WORDS = ("CIS", "SCO", "Commonwealth", "Shanghai", "Turkic", "PACE", "Council", "European", "NGO", "Golos", "domestic",
                         "citizen", "party", "local")


def names_other_observers(text: str) -> bool:
    """Whether ``text`` names an observer group that is not the OSCE (CIS, SCO, PACE, NGOs, domestic observers, ...)."""
    return any(word in text for word in _OTHER_OBSERVER_WORDS) and _OTHER_OBSERVERS.search(text) is not None


_TITLE = r"(?:Mr|Ms|Mrs|Dr|Amb|Prof)"
_NAME_WORD = rf"(?!{_TITLE}\b)[A-Z][\w'’]+(?:-[A-Z]?[\w'’]+)*"
_NAME = rf"(?:{_TITLE}\.\s+)?(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}})"
_ROLE = (
    r"(?i:deputy\s+)?(?i:head|director|Chair(?:person|man|woman)?|Secretary\s+General|Co-?ordinator|Co-?chairs?"
    r"|special\s+(?:representative|co-ordinator|envoy)|ambassador|spokes(?:person|man|woman)|commissioner)"
)
_OSCE_WORD = r"(?:OSCE|ODIHR|[Mm]ission|Office|Assembly|Minsk\s+Group|Chairmanship)"
_NAME_END = r"(?=\s*(?:[,.;:()]|\s(?:has|had|have|was|is|said|says|noted|met|held|arrived|stressed|told|thanked|added)\b))"
_PERSON_PATTERNS = (
    # "Jane Roe, Head of the OSCE Mission to ...", "Jane Roe, who led the ODIHR observers"
    re.compile(rf"{_NAME},\s+(?:the\s+)?(?:{_ROLE}\b|who\s+(?:led|leads|heads|headed|chaired|chairs)\b)[^.;:]{{0,90}}?\b{_OSCE_WORD}"),
    # "the head of the OSCE Mission, Jane Roe, ..."
    re.compile(rf"\b{_ROLE}\b[^.;:,]{{0,120}}?\b{_OSCE_WORD}\b[^.;:,]{{0,60}}?\s{_NAME}{_NAME_END}"),
    # "the OSCE Chairperson-in-Office, Swedish Foreign Minister Ann Linde, ..."
    re.compile(rf"\b(?:{_OSCE_WORD}|Chair(?:person|man|woman)-in-Office)\b[^.;:,]{{0,60}}?,\s+(?:[A-Z][\w-]*\s+){{0,4}}?{_NAME}{_NAME_END}"),
)
# The second and third patterns begin a word with a role or a name of the OSCE: found by the compiled prefix scan.
_PERSON_SCANS = {p: native.WordStartPattern(p) for p in _PERSON_PATTERNS[1:]}
# Every alternative of _ROLE contains one of these, in any case: looked for in lower-cased text as substrings (str's own
# search; the regex alternation of them took 5.6 µs on a 400-character sentence, 14 ns a character), or case-insensitively
# where case folds are special.
_ROLE_WORDS = ("head", "director", "chair", "secretary", "ordinator", "special", "ambassador", "spokes", "commissioner")
_ROLE_ANCHOR_ANY_CASE = re.compile("|".join(_ROLE_WORDS), re.I)
# What follows the name in the first pattern, and the comma and two capitalised words (an optional title
# word, then the name) that the third pattern needs.  Both start with a literal comma, which the regex
# engine finds by a fast scan; the patterns themselves are tried at every position.
_AFTER_NAME = re.compile(rf",\s+(?:the\s+)?(?:{_ROLE}\b|who\s+(?:led|leads|heads|headed|chaired|chairs)\b)")
_COMMA_CAPITALS = re.compile(r",\s+[A-Z]\S*\s+[A-Z]")
# Capitalised words that belong to institutions, not to people's names.
_NOT_NAMES = frozenset(
    """Democratic Institutions Human Rights Election Elections Observation Mission Department Office Parliamentary
    Assembly Affairs Foreign Ministry Minister Republic Commission Group Council Europe European Security Co-operation
    Cooperation Organization Organisation Central State States National Assessment Limited Special Monitoring
    Swedish Polish Foreign Deputy Prime President Ambassador Head Chairperson Chairman Chairwoman Secretary General""".split()
)

_CARRY_OPENING = re.compile(
    r"^(?:[\"«“]?\s*)(?:He|She|They|It|His|Her|Their|Its|The\s+(?:head|director|delegation|team|envoy|ambassador|experts?"
    r"|chair(?:person|man|woman)?|diplomats?|representatives?|monitors|observers|body|organi[sz]ation|mission|office|report)"
    r"|According\s+to\s+(?:him|her|them|the\s+(?:head|director|envoy|report|mission)))\b"
)


@dataclass(frozen=True)
class Mention:
    """A span of a sentence that refers to the OSCE: ``text[start:end]``."""

    start: int
    end: int
    kind: str  # "explicit", "contextual" or "person"


@dataclass(frozen=True)
class SentenceTarget:
    """Whether one sentence concerns the OSCE, and why."""

    concerns: bool
    mentions: tuple[Mention, ...] = ()
    carried: bool = False

    def to_dict(self) -> dict:
        """Plain JSON: ``osce``, ``carried`` and ``mentions`` as ``[start, end, kind]``."""
        return {
            "osce": self.concerns,
            "carried": self.carried,
            "mentions": [[m.start, m.end, m.kind] for m in self.mentions],
        }


def find_mentions(text: str, *, context: bool = True, people: Sequence[str] = ()) -> list[Mention]:
    """Mentions of the OSCE in one sentence, in order.

    ``context`` says whether the surrounding article names the OSCE, which makes
    contextual words ("the mission", "the Office") count; ``people`` are surnames
    introduced in an OSCE role earlier in the article.

    >>> [(m.kind) for m in find_mentions("The minister thanked ODIHR and the observers.")]
    ['explicit', 'contextual']
    >>> find_mentions("The CIS observers praised the vote.")
    []
    """
    found, _ = _institution_mentions(text, explicit_matches(text), context)
    return _with_people(found, text, people)


_OBSERVER_WORD = re.compile(r"observers|monitors|mission", re.I)


def _institution_mentions(text: str, explicit: list[re.Match], context: bool) -> tuple[list[Mention], bool]:
    """Explicit and contextual mentions, and whether a contextual pattern matched at all."""
    found = [Mention(m.start(), m.end(), "explicit") for m in explicit]
    contextual_matched = False
    if context and (native.compiled is not None or may_have_contextual(text)):  # the compiled scan is its own prefilter
        other_observers = None if not found else False  # searched only when an observer-like word needs it
        taken = [(m.start, m.end) for m in found]  # in order and disjoint (finditer), as the contextual matches come
        first = 0  # the first explicit mention that does not end before the current contextual match
        for m in contextual_matches(text):
            contextual_matched = True
            if _OBSERVER_WORD.search(m.group()):
                if other_observers is None:
                    other_observers = names_other_observers(text)
                if other_observers:
                    continue  # "CIS observers", "the SCO mission": someone else's observers
            while first < len(taken) and taken[first][1] <= m.start():
                first += 1  # one walk over both lists: linear in the mentions, not their product
            if not (first < len(taken) and taken[first][0] < m.end()):
                found.append(Mention(m.start(), m.end(), "contextual"))
    return found, contextual_matched


def _with_people(found: list[Mention], text: str, people: Sequence[str]) -> list[Mention]:
    """``found`` plus the mentions of ``people`` by surname, sorted by position."""
    for surname in people:
        for m in _surname_matches(text, surname):
            found.append(Mention(m.start(), m.end(), "person"))
    return sorted(found, key=lambda m: (m.start, m.end))


def _surname_matches(text: str, surname: str) -> Iterator[re.Match] | tuple[()]:
    """Where ``text`` names ``surname`` as a whole word."""
    if surname not in text:  # the regex finds nothing either; skipping it is most of the time spent on people
        return ()
    return re.finditer(rf"\b{re.escape(surname)}\b", text)


def _osce_people(text: str, prefilter: bool = True) -> list[str]:
    """Surnames that ``text`` introduces in an OSCE role (``prefilter=False``: try every pattern, the reference)."""
    surnames = []
    patterns = _PERSON_PATTERNS
    if prefilter:  # the first pattern needs a role word or "who", and what follows the name; the second a role word
        if has_special_folds(text):
            has_role = _ROLE_ANCHOR_ANY_CASE.search(text) is not None
        else:
            low = text.lower()
            has_role = any(word in low for word in _ROLE_WORDS)
        possible = ((has_role or "who" in text) and _AFTER_NAME.search(text) is not None, has_role,
                    _COMMA_CAPITALS.search(text) is not None)
        patterns = [p for p, can_match in zip(_PERSON_PATTERNS, possible) if can_match]
    for pattern in patterns:
        for m in (_PERSON_SCANS.get(pattern, pattern) if prefilter else pattern).finditer(text):
            words = m.group("name").split()
            while words and words[0] in _NOT_NAMES:  # "Minister Ann Linde": the role is not the name
                words.pop(0)
            if len(words) >= 1 and not _NOT_NAMES.intersection(words) and words[-1] not in surnames:
                surnames.append(words[-1])
    return surnames


def _add_people(people: list[str], sentence: str) -> None:
    """Add the surnames ``sentence`` introduces in an OSCE role to ``people`` (in order, each once)."""
    for surname in _osce_people(short_names(sentence)):  # the patterns' windows count the short name's length
        if surname not in people:
            people.append(surname)


def concerns_alone(sentence: str) -> bool:
    """``detect([sentence])[0].concerns``: whether a sentence scored on its own concerns the OSCE.

    Alone, a sentence concerns the OSCE exactly when it names it: contextual words and
    people count only in an article that names the OSCE (here, the sentence itself, which
    then has an explicit mention already), and no sentence precedes it to carry from.
    (Tested equal to :func:`detect` on every corpus sentence; 20x faster.)

    >>> concerns_alone("The observers praised the OSCE."), concerns_alone("The observers praised the vote.")
    (True, False)
    """
    return names_osce(sentence)


def detect(sentences: Sequence[str], title: str | None = None) -> list[SentenceTarget]:
    """Target information for every sentence of one article, in order.

    >>> [t.concerns for t in detect(["Jane Roe, Head of the OSCE mission, arrived.", "She met the minister.",
    ...                              "Wheat prices rose.", "Roe later left."])]
    [True, True, False, True]
    """
    explicit = [explicit_matches(s) for s in sentences]
    context = any(explicit) or bool(title and names_osce(title))
    people: list[str] = []
    targets: list[SentenceTarget] = []
    previous_concerns = False
    for sentence, names_found in zip(sentences, explicit):
        _check_budget()
        found, contextual_matched = _institution_mentions(sentence, names_found, context)
        if names_found or contextual_matched:  # people are introduced where the OSCE is named
            _add_people(people, sentence)
        mentions = tuple(_with_people(found, sentence, people))
        carried = not mentions and previous_concerns and bool(_CARRY_OPENING.match(sentence))
        target = SentenceTarget(bool(mentions) or carried, mentions, carried)
        targets.append(target)
        previous_concerns = target.concerns
    return targets


def concerns(sentences: Sequence[str], title: str | None = None) -> list[bool]:
    """``[t.concerns for t in detect(sentences, title)]``, without finding every mention (what scoring needs).

    A sentence that names the OSCE concerns it whatever else it holds, so its contextual mentions are not looked for
    (the people it introduces are); the others are read as :func:`detect` reads them.  (Tested equal to
    :func:`detect` on every corpus article and on arbitrary text.)

    >>> concerns(["Jane Roe, Head of the OSCE mission, arrived.", "She met the minister.", "Wheat prices rose.", "Roe later left."])
    [True, True, False, True]
    """
    named = [names_osce(s) for s in sentences]
    context = any(named) or bool(title and names_osce(title))
    people: list[str] = []
    out: list[bool] = []
    previous = False
    for sentence, names in zip(sentences, named):
        _check_budget()
        if names:
            matched = concerned = True
        else:
            found, matched = _institution_mentions(sentence, [], context)
            concerned = bool(found)
        if matched:  # people are introduced where the OSCE is named
            _add_people(people, sentence)
        if not concerned:
            concerned = (any(any(_surname_matches(sentence, surname)) for surname in people)
                         or previous and bool(_CARRY_OPENING.match(sentence)))
        out.append(concerned)
        previous = concerned
    return out
