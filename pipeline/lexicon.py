"""Cue lexicons: the stance vocabulary shared by the labelling functions and the features.

Each family is one compiled regular expression.  They were written from the annotation
guide's cue lists and widened by reading the train split (never dev or test).  Bump
``VERSION`` when a family changes: both ``lfs`` and ``features`` depend on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

try:  # Python >= 3.11
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse

__all__ = ["Lexicons", "DEFAULT_LEXICONS", "VERSION", "families", "literal_prefixes", "cue_programs", "FOLD_SPECIAL", "has_special_folds", "COOPERATIVE_FAMILIES",
           "CRITICAL_FAMILIES", "longest_first"]

# Characters that re.IGNORECASE folds differently from str.lower() (or whose lower case is longer):
# a substring prefilter on lower-cased text is exact only for text without them.
FOLD_SPECIAL = frozenset("\u017f\u0131\u0130\u212a\u1e9e\ufb05\ufb06\u0390\u03b0")  # ſ ı İ K(elvin) ẞ ﬅ ﬆ ΐ ΰ
_FOLD_SPECIAL_CHAR = re.compile("[" + "".join(sorted(FOLD_SPECIAL)) + "]")


def has_special_folds(text: str) -> bool:
    """Whether ``text`` holds a :data:`FOLD_SPECIAL` character (ASCII text never does: answered without a scan)."""
    return not text.isascii() and _FOLD_SPECIAL_CHAR.search(text) is not None

VERSION = "lexicon.v2"


def _rx(*alternatives: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.I)


@dataclass(frozen=True)
class Lexicons:
    """Cue patterns the labelling functions use. Each is a compiled regular expression.

    The defaults were written from the annotation guide's cue lists and widened by
    reading the train split (never dev or test); see ``docs/annotation.md``.
    """

    thanks: re.Pattern = _rx(r"thank\w*", r"grateful", r"gratitude", r"appreciat\w+", r"indebted", r"acknowledg\w+ the (?:work|role|contribution)")
    praise: re.Pattern = _rx(
        r"prais\w+", r"commend\w*", r"laud\w*", r"hail\w*", r"valu(?:e|ed|es|able)", r"professional\w*", r"high(?:ly)? (?:regard|rat|estimat|apprec)\w*",
        r"admir\w+", r"excellent", r"invaluable", r"important contribution", r"significant contribution", r"positive (?:role|contribution|assessment)",
        r"tribute", r"congratulat\w+", r"honou?r(?:ed|s)?\b", r"decorat\w+", r"award\w*", r"medal", r"order of",
        r"tangible contribution", r"roadmap", r"stood by", r"dependable", r"reliable", r"excellent", r"confidence in", r"no complaints", r"even-handed", r"honest(?:ly)?", r"credible", r"respected", r"authoritative", r"indispensable", r"vital role", r"key role", r"best practices?",
    )
    welcome: re.Pattern = _rx(r"welcom\w+", r"glad", r"pleased", r"delighted", r"embrac\w+", r"look(?:s|ed)? forward")
    constructive: re.Pattern = _rx(
        r"constructive", r"fruitful", r"productive", r"useful", r"businesslike", r"cordial", r"warm", r"friendly", r"open and",
        r"frank", r"mutually beneficial", r"successful", r"good-faith", r"in good faith", r"substantive", r"trust(?:ed|ful)?\b",
    )
    partnership: re.Pattern = _rx(
        r"partner\w*", r"cooperat\w+", r"co-operat\w+", r"collaborat\w+", r"joint(?:ly)?", r"together", r"engagement", r"dialogue", r"interaction",
        r"ties", r"relations",
    )
    commitment: re.Pattern = _rx(
        r"commit\w*", r"pledg\w+", r"read(?:y|iness)", r"stands? ready", r"determin\w+", r"intend\w*", r"promis\w+", r"vow\w*", r"will continue",
        r"keen", r"eager", r"willing\w*",
        r"continued support", r"remain\w* (?:a )?(?:committed|engaged|open)", r"keep (?:working|cooperating)", r"stay on (?:that|this) path",
    )
    strengthen: re.Pattern = _rx(r"strengthen\w*", r"deepen\w*", r"enhanc\w+", r"expand\w*", r"develop\w*", r"further", r"boost\w*", r"intensif\w+")
    recommendations: re.Pattern = _rx(r"recommendations?", r"advice", r"expertise", r"suggestions?", r"proposals?")
    implement: re.Pattern = _rx(r"implement\w*", r"incorporat\w+", r"adopt\w*", r"take (?:on board|into account)", r"act(?:ed)? upon", r"follow(?:ed)? up", r"address\w*", r"reflect\w*")
    support: re.Pattern = _rx(r"support\w*", r"assist\w*", r"help\w*", r"contribut\w+", r"backing", r"aid\b", r"facilitat\w+", r"mediat\w+")
    invite: re.Pattern = _rx(r"invit\w+", r"extended an invitation", r"opened its doors", r"accredited", r"granted (?:access|accreditation)", r"full access", r"unhindered")
    bias: re.Pattern = _rx(
        r"bias\w*", r"one-sided", r"partial\b", r"partiality", r"prejudic\w+", r"tendentious", r"skewed", r"slanted", r"distort\w*", r"lopsided",
        r"preconceived", r"ready-made", r"pre-written", r"predetermined", r"pre-cooked", r"written in advance", r"cherry-pick\w*", r"selective\w*", r"selectively",
        r"yardsticks?", r"template", r"copied", r"copy-paste\w*", r"cut-and-paste", r"one yardstick", r"ignor\w+", r"overlook\w*", r"turn\w* a blind eye", r"pretend\w*", r"conspicuous\w*", r"hands? down verdicts", r"verdicts? (?:written|drafted|prepared) in advance", r"émigré", r"foreign-funded", r"fringe",
    )
    objectivity_lack: re.Pattern = _rx(
        r"lack\w* (?:of )?objectiv\w*", r"not objective", r"far from (?:objective|reality|the truth)", r"detached from (?:reality|the realities)", r"divorced from reality",
        r"does not reflect", r"did not reflect", r"fails? to reflect", r"failed to reflect", r"not correspond", r"at odds with", r"misrepresent\w*", r"unbalanced", r"unfair",
    )
    double_standards: re.Pattern = _rx(r"double standards?", r"double-standard\w*", r"different yardsticks?", r"different standards", r"hypocri\w+", r"selective approach")
    politicised: re.Pattern = _rx(
        r"politici[sz]\w+", r"politically motivated", r"political (?:agenda|order|motives?|purposes?|games?|ends?|instrument)", r"geopoliti\w+",
        r"instrument of (?:pressure|influence)", r"tool of (?:pressure|influence)", r"tool (?:for|of) the west", r"serv\w+ (?:the )?(?:interests|agenda)",
        r"western (?:capitals|interests|agenda|sponsors|patrons)", r"propaganda", r"russophob\w+", r"anti-russian", r"hostile", r"weapon\w*",
        r"pressure on", r"lectur\w+", r"dictat\w+", r"patroni[sz]\w+", r"mentor\w*", r"condescend\w+",
        r"appendage", r"lever\b", r"political project", r"ordered by", r"on its knees", r"puppet", r"mouthpiece", r"vassal", r"grant-eaters",
    )
    unfounded: re.Pattern = _rx(
        r"unfounded", r"unsubstantiated", r"groundless", r"baseless", r"unconfirmed", r"unproven", r"fabricat\w+", r"untrue", r"so-called",
        r"fiction", r"myths?", r"absurd", r"nonsense", r"ridiculous", r"slander\w*", r"smear\w*", r"libel\w*", r"invent\w+", r"unverified",
        r"hearsay", r"rumou?rs?", r"far-fetched", r"without (?:any )?(?:basis|evidence|proof)",
    )
    interference: re.Pattern = _rx(
        r"interfer\w+", r"meddl\w+", r"internal affairs", r"domestic affairs", r"exceed\w* (?:its )?mandate", r"beyond (?:its|their) mandate",
        r"overstep\w*", r"sovereign\w*", r"encroach\w*", r"intrusi\w+",
    )
    rejection: re.Pattern = _rx(
        r"reject\w*", r"dismiss\w*", r"refut\w+", r"slam\w*", r"lash\w* out", r"condemn\w*", r"denounc\w+", r"cannot accept", r"can not accept",
        r"unacceptable", r"disput\w+", r"contest\w*", r"challeng\w+", r"disagree\w*", r"protest\w*", r"criticis\w+", r"criticiz\w+", r"blast\w*",
        r"accus\w+", r"blam\w+", r"castigat\w+", r"rebuk\w+", r"rebuff\w*", r"scold\w*", r"attack\w*", r"disappoint\w*", r"indignat\w+", r"outrage\w*",
        r"regret\w*", r"deplor\w+", r"not accept", r"never accept", r"discredit\w*", r"undermin\w+",
        r"fault\w*", r"questioned (?:why|whether|the)", r"complain\w*", r"took issue", r"objected", r"objection\w*", r"hit back", r"fired back", r"brush\w* off", r"shrug\w* off", r"waved? (?:away|off)", r"scoff\w*", r"mock\w*", r"derid\w+", r"ridicul\w+",
    )
    refusal: re.Pattern = _rx(
        r"refus\w+", r"declin\w+ (?:to|the|an)", r"not (?:to )?invite", r"no invitation", r"without (?:an )?invitation", r"uninvit\w+", r"withdr[ae]w\w* (?:the |its )?invitation",
        r"den(?:y|ied|ies) (?:\w+ )?(?:access|accreditation|visas?|entry)", r"barr\w+", r"bann\w+", r"cap(?:ped)? (?:on )?the number", r"limit\w* the number",
        r"(?:small|restricted|limited) (?:number|quota)", r"expel\w*", r"expuls\w+", r"clos\w+ (?:the|its|down)", r"shut\w* down", r"downgrad\w+", r"not (?:to )?extend",
        r"block\w*", r"veto\w*", r"obstruct\w*", r"not allowed", r"turned (?:away|down)", r"persona non grata", r"terminat\w+", r"wind(?:ing)? up", r"suspend\w*",
        r"walk\w* out", r"boycott\w*", r"leave the", r"quit\w*", r"pull\w* out",
        r"capp(?:ed|ing)\b", r"quotas?", r"withdr[ae]w\w* from", r"den(?:y|ied|ies)\b", r"revok\w+", r"evict\w*", r"oust\w*",
        r"cut (?:off|short)", r"froze\w*", r"halt\w*", r"stopp?\w* (?:the|its|cooperation|funding|participation)",
    )
    crisis: re.Pattern = _rx(
        r"leaderless", r"paraly[sz]\w+", r"deadlock\w*", r"stalemate", r"impasse", r"gridlock\w*", r"crisis", r"crises", r"frozen",
        r"hostage", r"stalled", r"stuck", r"on life support", r"existential", r"decline", r"demise", r"collaps\w+", r"without a (?:budget|chair|head|leader)",
        r"no (?:agreed )?(?:budget|chair|leadership|consensus)", r"(?:failed|unable|failure) to (?:agree|reach consensus|appoint)",
    )
    threat: re.Pattern = _rx(
        r"threaten\w*", r"taken into account", r"consequences", r"prosecut\w+", r"arrest\w*", r"criminal(?:ly)?", r"jail", r"warn\w*", r"ultimatum", r"retaliat\w+",
        r"reconsider\w*", r"review (?:its|our) (?:participation|cooperation|relations)", r"at its own risk", r"will not be tolerated", r"stay away",
        r"not welcome", r"unwelcome", r"lessons? (?:to be|will be) learned", r"draw (?:the appropriate )?conclusions",
    )
    distrust: re.Pattern = _rx(
        r"mistrust", r"distrust", r"suspicio\w+", r"unwilling\w*", r"lack of (?:desire|will|respect|understanding)", r"disrespect\w*", r"credibility",
        r"irrelevan\w+", r"useless", r"obsolete", r"outdated", r"anachronis\w+", r"toothless", r"lost its way", r"questionable", r"dubious",
        r"puts? in question", r"call\w* into question", r"arrogan\w+", r"paternalis\w+", r"no longer (?:trust|believe|rely)",
    )
    objectivity_demand: re.Pattern = _rx(
        r"objective approach", r"objectiv\w+", r"impartial\w*", r"unbiased", r"neutral(?:ity)?", r"balanced", r"fair assessment", r"without prejudice",
        r"not (?:to )?repeat", r"past mistakes",
    )
    demand_verb: re.Pattern = _rx(
        r"stress\w*", r"insist\w*", r"urg\w+", r"expect\w*", r"demand\w*", r"call\w* on", r"called for", r"must", r"should", r"importance", r"reminded",
        r"underlin\w+", r"emphasi[sz]\w+",
    )
    negation: re.Pattern = _rx(
        r"not", r"no", r"never", r"n't", r"without", r"nor", r"neither", r"hardly", r"nobody", r"none", r"far from", r"lack\w*", r"absence",
    )
    reporting: re.Pattern = _rx(
        r"said", r"says", r"noted", r"found", r"concluded", r"reported", r"stated", r"assess\w+", r"observed", r"highlighted", r"pointed (?:to|out)",
        r"expressed concern", r"concern\w*", r"recorded", r"documented", r"according to", r"criticis\w+ the (?:authorities|government|conduct|restrictions)",
        r"report(?:s|ed)? that", r"findings", r"statement", r"assessment", r"conclusions",
    )
    host_findings: re.Pattern = _rx(
        r"restrictions?", r"irregularit\w+", r"violations?", r"pressure on (?:voters|journalists|candidates|media)", r"intimidat\w+", r"ballot stuffing",
        r"lack\w* (?:of )?(?:genuine )?(?:competition|pluralism|choice|alternatives|independence|transparency)", r"fundamental freedoms", r"procedural",
        r"shortcomings", r"deficiencies", r"competiti\w+", r"well[- ]organi[sz]ed", r"efficient\w*", r"orderly", r"calm", r"peaceful", r"turnout",
        r"media (?:coverage|environment|freedom)", r"freedom of (?:assembly|expression|the media)", r"registration", r"candidates?", r"voters?",
        r"polling stations?", r"vote count\w*", r"counting", r"tabulation", r"legal framework", r"campaign", r"misuse of (?:administrative|state) resources",
    )
    deployment: re.Pattern = _rx(
        r"deploy\w*", r"arriv\w+", r"open\w*", r"began", r"start\w*", r"will (?:present|publish|release|issue)", r"publish\w*", r"scheduled", r"expected",
        r"consist\w*", r"compris\w+", r"headed by", r"led by", r"long-term observers", r"short-term observers", r"core team", r"based in", r"headquarter\w*",
        r"mandate", r"established", r"visit\w*", r"held", r"took place", r"present\w*", r"conference", r"meeting", r"met\b", r"discuss\w*", r"briefed",
        r"informed", r"exchanged", r"talks", r"attended", r"participat\w+", r"session", r"delegation",
    )
    election_praise: re.Pattern = _rx(
        r"free and (?:fair|transparent|democratic)", r"transparent", r"democratic", r"open and", r"legitimate", r"in accordance with", r"international standards",
        r"milestone", r"high level", r"well organi[sz]ed", r"no (?:serious )?violations", r"competitive",
    )


DEFAULT_LEXICONS = Lexicons()

# The direction each family usually points when it is about the OSCE; the rest (recommendations,
# reporting, host_findings, deployment, election_praise, negation) carry no direction of their own.
COOPERATIVE_FAMILIES = frozenset({"thanks", "praise", "welcome", "constructive", "partnership", "commitment", "strengthen", "implement",
                                  "support", "invite"})
CRITICAL_FAMILIES = frozenset({"bias", "objectivity_lack", "double_standards", "politicised", "unfounded", "interference", "rejection",
                               "refusal", "crisis", "threat", "distrust", "objectivity_demand", "demand_verb"})


def families(lex: Lexicons = DEFAULT_LEXICONS) -> list[tuple[str, re.Pattern]]:
    """``(name, pattern)`` of every family, in a fixed order."""
    return [(f.name, getattr(lex, f.name)) for f in fields(lex)]


def _prefixes(seq, n: int, fold: bool = False, spaces: bool = False) -> set[str]:
    """Literal prefixes (up to ``n`` characters) one of which every match of ``seq`` starts with ("" where none is known).

    Recursive on what follows each element, so a group's alternatives, an optional part (``x?``) and a small
    character class (``[sz]``) each continue with the rest of the sequence; anything else ends the prefix there.
    ``fold``: the prefixes will be compared case-blind, so a group that only switches case sensitivity
    (``(?i:...)``, ``(?-i:...)``) is read too.  ``spaces``: the prefixes will be compared with every run of
    whitespace read as one " ", so ``\\s``, ``\\s+`` and ``\\s*`` are read as " " (or nothing, for ``*``).
    """
    if not seq or n <= 0:
        return {""}
    (op, arg), rest = seq[0], seq[1:]
    if op == _sre_parse.AT:  # \b and friends consume nothing
        return _prefixes(rest, n, fold, spaces)
    if op == _sre_parse.LITERAL:
        return {chr(arg) + x for x in _prefixes(rest, n - 1, fold, spaces)}
    if spaces and (_is_space_class(op, arg) or op == _sre_parse.MAX_REPEAT and arg[0] <= 1 and len(arg[2]) == 1 and _is_space_class(*arg[2][0])):
        taken = {" " + x for x in _prefixes(rest, n - 1, fold, spaces)}
        return taken | _prefixes(rest, n, fold, spaces) if op == _sre_parse.MAX_REPEAT and arg[0] == 0 else taken
    if op == _sre_parse.IN and len(arg) <= 8 and all(o == _sre_parse.LITERAL for o, _ in arg):
        tails = _prefixes(rest, n - 1, fold, spaces)
        return {chr(c) + x for _, c in arg for x in tails}
    if op == _sre_parse.SUBPATTERN and (not (arg[1] or arg[2]) or fold and not (arg[1] | arg[2]) & ~re.IGNORECASE):
        return _prefixes(list(arg[-1]) + rest, n, fold, spaces)
    if op == _sre_parse.BRANCH:
        return {x for branch in arg[1] for x in _prefixes(list(branch) + rest, n, fold, spaces)}
    if op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT):
        low, high, body = arg
        once = _prefixes(list(body) + rest, n, fold, spaces) if high == 1 else _prefixes(list(body), n, fold, spaces)  # repeated: the body's own
        return once | _prefixes(rest, n, fold, spaces) if low == 0 else once
    return {""}


def _is_space_class(op, arg) -> bool:
    """Whether a parsed element is ``\\s`` (exactly: the whitespace category, nothing else)."""
    return op == _sre_parse.IN and len(arg) == 1 and arg[0] == (_sre_parse.CATEGORY, _sre_parse.CATEGORY_SPACE)


def literal_prefixes(pattern: re.Pattern, n: int = 3, lower: bool = True, spaces: bool = False) -> frozenset[str] | None:
    """Literal prefixes one of which every match of ``pattern`` starts with (lower-cased unless ``lower=False``).

    A cheap, exact pre-filter: if none of them occurs in the (lower-cased) text, the
    pattern cannot match, and the regular-expression search can be skipped.  With ``spaces``, a " " in a
    prefix stands for a run of whitespace (``\\s+``), as ``pipeline._native.PrefixScanner(..., spaces=True)`` reads it.
    ``None`` means no such prefixes could be derived (always search).

    >>> sorted(literal_prefixes(re.compile(r"\\b(?:thank\\w*|grateful)", re.I)))
    ['gra', 'tha']
    """
    found = _prefixes(list(_sre_parse.parse(pattern.pattern, pattern.flags)), n, fold=lower, spaces=spaces)
    return None if "" in found else frozenset(f.lower() if lower else f for f in found)


# The operations of a cue program (pipeline/_native.c's CueScanner runs them; every other character is a literal one).
WORD_STAR, WORD_PLUS, BOUNDARY, OPTIONAL_WORD = "\x01", "\x02", "\x03", "\x04"  # \w*  \w+  \b  (?:\w+ )?
_MAX_SPELLINGS = 256  # per alternative: the lexicon's largest has 18


def cue_programs(pattern: re.Pattern) -> list[tuple[str, str]] | None:
    """A family's pattern ``\\b(?:...)`` written as ``(literal, program)`` pairs: a match begins a word with the literal, and
    the program matches what follows it.

    Optional parts, alternations and small classes are spelled out; what remains are the four operations above, and
    literal characters.  A program's ``\\w*`` or ``\\w+`` is followed by its end or by a character that is not a word
    character, so it reads to the word's end.  ``None`` where an alternative uses anything else (the scan cannot
    run that family).

    >>> cue_programs(re.compile(r"\\b(?:honou?r\\b|den(?:y|ies) (?:\\w+ )?access|prais\\w+)"))
    [('honour', '\\x03'), ('honor', '\\x03'), ('deny ', '\\x04access'), ('denies ', '\\x04access'), ('prais', '\\x02')]
    """
    if not pattern.pattern.startswith(r"\b(?:"):
        return None
    programs = []
    for spelling in _spellings(list(_sre_parse.parse(pattern.pattern[2:], pattern.flags))) or [None]:
        if spelling is None or not _runs_to_word_ends(spelling):
            return None
        literal = re.match(r"[^\x01-\x04]*", spelling).group()
        programs.append((literal, spelling[len(literal):]))
    return programs


def _word_run(op, arg) -> str | None:
    """WORD_STAR for a parsed ``\\w*``, WORD_PLUS for ``\\w+``, else None."""
    if (op == _sre_parse.MAX_REPEAT and arg[0] in (0, 1) and arg[1] == _sre_parse.MAXREPEAT and len(arg[2]) == 1
            and arg[2][0] == (_sre_parse.IN, [(_sre_parse.CATEGORY, _sre_parse.CATEGORY_WORD)])):
        return WORD_PLUS if arg[0] else WORD_STAR
    return None


def _spellings(seq) -> list[str] | None:
    """Every spelling of a parsed sequence, in the order the regex tries them (None: not a program)."""
    out = [""]
    for op, arg in seq:
        if op == _sre_parse.LITERAL:
            options = [chr(arg)]
        elif op == _sre_parse.AT and arg == _sre_parse.AT_BOUNDARY:
            options = [BOUNDARY]
        elif op == _sre_parse.IN and len(arg) <= 8 and all(o == _sre_parse.LITERAL for o, _ in arg):
            options = [chr(c) for _, c in arg]
        elif op == _sre_parse.SUBPATTERN and not (arg[1] or arg[2]):
            options = _spellings(list(arg[-1]))
        elif op == _sre_parse.BRANCH:
            branches = [_spellings(list(branch)) for branch in arg[1]]
            options = None if None in branches else [x for b in branches for x in b]
        elif (run := _word_run(op, arg)) is not None:
            options = [run]
        elif op == _sre_parse.MAX_REPEAT and arg[:2] == (0, 1):
            body = list(arg[2])
            if len(body) == 1 and body[0][0] == _sre_parse.SUBPATTERN and not (body[0][1][1] or body[0][1][2]):
                body = list(body[0][1][-1])
            if len(body) == 2 and _word_run(*body[0]) == WORD_PLUS and body[1] == (_sre_parse.LITERAL, ord(" ")):
                options = [OPTIONAL_WORD]
            else:
                taken = _spellings(body)
                options = None if taken is None else [*taken, ""]  # greedy: with the part first
        else:
            options = None
        if options is None:
            return None
        out = [a + b for a in out for b in options]
        if len(out) > _MAX_SPELLINGS:
            return None
    return out


def _runs_to_word_ends(spelling: str) -> bool:
    """Whether a spelling begins with a word character, and each \\w* or \\w+ in it ends it or stands before a character
    that is not a word character (so that reading to the word's end is the only way it can match), and each (?:\\w+ )? is
    followed by a literal character."""
    if not re.match(r"\w", spelling):
        return False
    for k, c in enumerate(spelling):
        after = spelling[k + 1: k + 2]
        if c in (WORD_STAR, WORD_PLUS) and after and (after <= OPTIONAL_WORD or re.match(r"\w", after)):
            return False
        if c == OPTIONAL_WORD and (not after or after <= OPTIONAL_WORD):
            return False
    return True


def longest_first(words) -> str:
    """A regex matching the longest of ``words`` that starts where it is tried, as a trie.

    Equal to the alternation of the words longest first, but it reads each character once
    instead of trying every word in turn (4x faster on 440 prefixes).
    """
    trie: dict = {}
    for word in words:
        node = trie
        for c in word:
            node = node.setdefault(c, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer word first, else end here

    return emit(trie)
