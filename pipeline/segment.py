"""Sentence boundaries, fast: Punkt's decisions with the project's parameters, compiled to one regex and a loop.

Punkt (Kiss & Strunk 2006, as NLTK implements it) with only an abbreviation list
(no trained collocations, sentence starters or orthographic statistics) reduces to a
few token rules, which this module applies directly instead of building a Python
object per word.  ``tests/test_segment.py`` checks that the result equals NLTK's
``PunktSentenceTokenizer`` with the same parameters, on every article of the corpus
and on generated text.  Importing this module does not import NLTK (which takes
about two seconds), so the scoring path starts fast and stays small.

The rules, for a word token ending in a period, question mark or exclamation mark:

* ``?``, ``!`` and a lone ``.`` end a sentence; an ellipsis or a word ending in ``..`` does not;
* a word ending in ``.`` ends a sentence unless it is an abbreviation (``Mr.``, ``U.S.``,
  ``ex-Gen.``: the part after the last hyphen counts too);
* a number (``2024.``) or a single letter (``Ö.``) ending in ``.`` does not end a sentence
  when the next token is lower case or ``, ; : . ! ?``, nor a single letter before a capital.

The compiled core (``pipeline/_native.c``) applies the same rules in one pass when it is built; the
Python below is the reference it is tested against.

Sentences never cross a line break, and closing quotes and brackets after the end stay
with the sentence they close.  A "sentence" longer than ``MAX_SENTENCE_CHARS`` (a page with no
sentence punctuation, a hostile input) is cut at the last space before that length, and again,
so that no later stage ever reads more than that at once; the longest sentence of the corpus and
of the real-news yardstick is about 670 characters.
"""

from __future__ import annotations

import re

from . import native
from .budget import check as _check_budget
from .names import fold_quotes

__all__ = ["ABBREVIATIONS", "MAX_SENTENCE_CHARS", "article_spans", "sentence_spans", "split_sentences"]

MAX_SENTENCE_CHARS = 1000

# Abbreviations that end with a period but rarely end a sentence in news copy
# (titles, ranks, months, states, corporate and Latin forms).  Lower case, no final period.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof amb gen lt col maj capt sgt adm gov sen rep pres sec st mt ft rev hon jr sr
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    u.s u.k u.n e.u u.s.a u.s.s.r d.c no nos vol art para ch sec dept govt approx est
    inc ltd co corp bros plc llc assn intl nat'l
    e.g i.e etc vs cf al ibid viz
    a.m p.m
    ave blvd rd
    """.split()
) | frozenset("abcdefghijklmnopqrstuvwxyz")  # initials: "J. Smith"

CLOSERS = "\"'»”’)]}"

# Punkt's word tokens: runs of dots or hyphens; a word that may not start with an opening
# bracket, quote or similar, and ends at whitespace, at a character that cannot be inside a
# word, or at a comma that ends it; otherwise any single non-space character.
_NON_WORD = r"[)\";}\]*:@'({\[‘’“”«»?!]"
_MULTI_CHAR = r"(?:-{2,}|\.{2,}|(?:\.\s){2,}\.)"
_WORD_END = rf"(?:\s|$|{_NON_WORD}|{_MULTI_CHAR}|,(?=$|\s|{_NON_WORD}|{_MULTI_CHAR}))"
# Punkt writes the word as a lazy \S+? that tests the end pattern after every character;
# here runs of characters that can never end a word are taken in one step, and only
# "-", "." and "," are tested, which gives the same tokens several times faster.
_TOKEN = re.compile(
    rf"""{_MULTI_CHAR}
    | [^\s(\"`{{\[:;&\#*@)}}\]\-,] (?: [^\s)\";}}\]*:@'({{\[‘’“”«»?!\-.,]+ | (?!{_WORD_END})\S )*
    | \S""",
    re.VERBOSE,
)
_NUMBER = re.compile(r"-?[.,]?\d[\d,.-]*\.?\Z")
_INITIAL = re.compile(r"[^\W\d]\.\Z")
_NOT_SENTENCE_START = frozenset(";:,.!?")


def _ends_sentence(tok: str, following: str | None) -> bool:
    """Punkt's verdict on a token that ends in ``.``, ``?`` or ``!`` (``following``: the next token)."""
    if tok in (".", "?", "!"):
        return True
    if not tok.endswith(".") or tok.endswith(".."):
        return False
    base = tok[:-1].lower()
    if base in ABBREVIATIONS or base.rsplit("-", 1)[-1] in ABBREVIATIONS:
        return False
    if following is None:
        return True
    initial = _INITIAL.match(tok) is not None
    if initial or _NUMBER.match(tok):
        if following in _NOT_SENTENCE_START or following[0].islower():
            return False
        if initial and following[0].isupper():
            return False
    return True


_CANDIDATE_CHUNK = re.compile(r"\S*[.?!]\S*")  # what _candidate_chunks finds (the reference its test compares with)
_SENTENCE_MARK = re.compile(r"[.?!]")
_SPACE = re.compile(r"\s")
_NEXT_CHUNK = re.compile(r"\s*(\S+)")
_SPACED_DOTS = re.compile(r"\.\s\.")


def _candidate_chunks(line: str) -> list[tuple[int, int]]:
    """Spans of the whitespace-free runs of ``line`` that hold ``.``, ``?`` or ``!``: ``_CANDIDATE_CHUNK``'s matches.

    The regex starts a match attempt at every character (its leading ``\\S*`` has no literal
    to look for); finding the marks and widening each to its run is five times faster.
    """
    chunks: list[tuple[int, int]] = []
    end = 0
    for mark in _SENTENCE_MARK.finditer(line):
        position = mark.start()
        if position < end:
            continue  # in the run already taken
        start = position
        while start > 0 and not line[start - 1].isspace():  # str.isspace is the regex \s
            start -= 1
        space = _SPACE.search(line, position)
        end = space.start() if space else len(line)
        chunks.append((start, end))
    return chunks


def _candidates(line: str) -> list[tuple[int, str, str | None]]:
    """``(start, token, next token)`` for every token of ``line`` that ends in ``.``, ``?`` or ``!``.

    Tokens never span whitespace (except Punkt's spaced ellipsis ". . .", for which the
    whole line is tokenised), so only the whitespace-separated chunks that hold one of
    those characters need tokenising, plus the first token after each.
    """
    if _SPACED_DOTS.search(line):
        tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(line)]
        return [(p, t, tokens[i + 1][1] if i + 1 < len(tokens) else None)
                for i, (p, t) in enumerate(tokens) if t[-1] in ".?!"]
    out = []
    for chunk_start, chunk_end in _candidate_chunks(line):
        tokens = _TOKEN.findall(line, chunk_start, chunk_end)
        position = chunk_start
        for i, tok in enumerate(tokens):
            if tok[-1] in ".?!":
                if i + 1 < len(tokens):
                    following = tokens[i + 1]
                else:
                    after = _NEXT_CHUNK.match(line, chunk_end)
                    following = _TOKEN.match(after.group(1)).group() if after else None
                out.append((position, tok, following))
            position += len(tok)
    return out


def _line_spans(line: str, offset: int, spans: list) -> None:
    start = 0
    for i, (position, tok, following) in enumerate(_candidates(line)):
        if not i & 1023:
            _check_budget()
        if not _ends_sentence(tok, following):
            continue
        end = position + len(tok)
        while end < len(line) and line[end] in CLOSERS:
            end += 1
        _add(line, start, end, offset, spans)
        start = end
    _add(line, start, len(line), offset, spans)


def _add(line: str, start: int, end: int, offset: int, spans: list) -> None:
    chunk = line[start:end]
    s = start + len(chunk) - len(chunk.lstrip())
    e = start + len(chunk.rstrip())
    while e - s > MAX_SENTENCE_CHARS:  # an over-long "sentence": cut at the last space before the limit
        cut = s + MAX_SENTENCE_CHARS
        space = cut
        while space > s and not line[space].isspace():
            space -= 1
        if space > s:
            cut = space
        piece_end = cut
        while piece_end > s and line[piece_end - 1].isspace():
            piece_end -= 1
        spans.append((offset + s, offset + piece_end))
        s = cut
        while s < e and line[s].isspace():
            s += 1
    if e > s:
        spans.append((offset + s, offset + e))


def sentence_spans(body: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``body``.

    >>> body = 'Mr. Lee met J. Smith in St. Petersburg. Growth was 2.5 percent.'
    >>> [body[s:e] for s, e in sentence_spans(body)]
    ['Mr. Lee met J. Smith in St. Petersburg.', 'Growth was 2.5 percent.']
    """
    # Punkt knows straight quotes only ('"Ms.' is the abbreviation "Ms.", '“Ms.' a word that ends a sentence): it reads the
    # text with typographic quotes folded, one character for one, so the spans fit the text as given.
    if native.compiled is not None:  # the same rules in one compiled pass (linear in the text; tests/test_native.py)
        _check_budget()
        return native.compiled.sentence_spans(fold_quotes(body), ABBREVIATIONS, MAX_SENTENCE_CHARS)
    spans: list[tuple[int, int]] = []
    offset = 0
    for i, line in enumerate(fold_quotes(body).split("\n")):
        if not i & 255:
            _check_budget()
        if line.strip():
            _line_spans(line, offset, spans)
        offset += len(line) + 1
    return spans


def split_sentences(body: str) -> list[str]:
    """The sentences of ``body`` as strings (see :func:`sentence_spans`)."""
    return [body[s:e] for s, e in sentence_spans(body)]


def article_spans(title: str | None, body: str) -> list[tuple[str, int, int]]:
    """``(part, start, end)`` of every sentence a reader sees: the headline's, then the body's.

    Headlines carry stance most directly ("Minsk refuses OSCE observers"), so they are
    sentences like any other; offsets are into ``title`` for the ``"title"`` part and into
    ``body`` for the ``"body"`` part.  A title that only repeats the start of the body (a
    page whose header line is the body's first sentence) is not read twice.

    >>> article_spans("OSCE observers arrive", "They came on Monday.")
    [('title', 0, 21), ('body', 0, 20)]
    """
    spans = [("body", s, e) for s, e in sentence_spans(body)]
    if title and not body.startswith(title.rstrip("…").rstrip()):
        spans[:0] = [("title", s, e) for s, e in sentence_spans(title)]
    return spans
