"""Ingest: a file on disk becomes an :class:`Article`.

Reading (decoding, refusing binaries), the seed header (`` date YYYY-MM-DD Title``),
datelines ("ASTANA. KAZINFORM"), and boilerplate removal all live here.  Boilerplate
removal is line-based: each line is classified by general rules (rate tables,
weather, phone numbers, menus and breadcrumbs, credits, timestamps, headline lists
after a "Related news"-style heading), never by matching known lines.

The core, :func:`parse_article`, is pure: text in, ``Article`` out.
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date as _date
from itertools import islice
from pathlib import Path

from . import native
from .budget import TimeBudgetExceeded, time_budget
from .budget import check as _check_budget
from .names import names_osce, short_names
from .native import has_special_folds

__all__ = [
    "MAX_BYTES",
    "Article",
    "article_from_bytes",
    "guess_language",
    "strip_html",
    "InputError",
    "decode_bytes",
    "find_date",
    "split_dateline",
    "iter_article_files",
    "iter_jsonl_articles",
    "line_kind",
    "parse_article",
    "read_article",
    "expand_globs",
    "missing_inputs",
]


class InputError(ValueError):
    """An input that cannot become an article; the message names the problem."""


# Larger inputs are refused rather than read: a news article is kilobytes, and a file of
# many megabytes is a dump or an accident (override with --max-bytes).
MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class Article:
    """One news article after cleaning.

    ``body`` is the cleaned text every later offset refers to; ``title``,
    ``date`` (ISO ``YYYY-MM-DD``), ``outlet`` and ``dateline`` are metadata kept
    out of the body.
    """

    id: str
    body: str
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    dateline: str | None = None
    source: str | None = None
    language: str = "en"
    warnings: tuple[str, ...] = field(default=(), compare=False)
    extra: dict = field(default_factory=dict)  # a JSON Lines record's other fields, carried through to the scores

    def to_dict(self) -> dict:
        """Plain-JSON form (what ``data/interim/articles.jsonl`` holds)."""
        record = asdict(self)
        record["warnings"] = list(self.warnings)
        if not self.extra:
            del record["extra"]
        return record


# --------------------------------------------------------------------------- decoding

def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return ``(text, encoding)``.

    Byte-order marks decide first (UTF-8, UTF-16); then strict UTF-8; then
    Windows-1251 when the result reads as Cyrillic, else Latin-1.  Text with NUL
    bytes and no UTF-16 mark is binary and raises :class:`InputError`.

    >>> decode_bytes("Привет".encode("cp1251"))
    ('Привет', 'cp1251')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    as_cp1251 = data.decode("cp1251", errors="replace")
    letters = [c for c in as_cp1251 if c.isalpha()]
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
    if letters and cyrillic / len(letters) > 0.5:
        return as_cp1251, "cp1251"
    return data.decode("latin-1"), "latin-1"


# --------------------------------------------------------------------------- markup and language

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|tr|title|section|article|header|footer|blockquote)>", re.I)
_INVISIBLE_NAMES = ("script", "style", "noscript", "head")
_INVISIBLE = re.compile(r"<(script|style|noscript|head)\b.*?</\1\s*>", re.I | re.S)  # the reference _drop_invisible is tested against
_INVISIBLE_OPEN = re.compile(r"<(script|style|noscript|head)\b", re.I)
_INVISIBLE_CLOSE = {name: re.compile(rf"</{name}\s*>", re.I) for name in _INVISIBLE_NAMES}


def _drop_invisible(text: str) -> str:
    """``_INVISIBLE.sub("", text)`` in time linear in ``text``.

    The regex looks for a closing tag from every opening one; on a page of unclosed ``<script>`` tags
    that is quadratic (200 KB took 20 s).  Here each element's next closing tag is found once and reused
    by the opening tags before it, and an element with no closing tag left is never searched for again.
    """
    pieces, kept_from, search_from = [], 0, 0
    next_close: dict[str, re.Match | None] = {}
    while (opening := _INVISIBLE_OPEN.search(text, search_from)) is not None:
        name = opening.group(1).lower()
        close = next_close.get(name, False)
        if close is False or (close is not None and close.start() < opening.end()):
            close = next_close[name] = _INVISIBLE_CLOSE[name].search(text, opening.end())
        if close is None:
            search_from = opening.start() + 1
            continue
        pieces.append(text[kept_from:opening.start()])
        kept_from = search_from = close.end()
    pieces.append(text[kept_from:])
    return "".join(pieces)


def looks_like_html(text: str) -> bool:
    """Whether text is (a piece of) a web page: it holds at least three HTML tags."""
    return sum(1 for _ in islice(_TAG.finditer(text), 3)) == 3


def strip_html(text: str) -> tuple[str, bool]:
    """Remove HTML markup from text pasted from a web page; return ``(text, stripped)``.

    Text counts as HTML when it has at least three tags; block ends become line breaks.
    This is the fallback of :func:`read_page`, for markup with no main text trafilatura can find.

    >>> strip_html("<p>The OSCE <b>mission</b> arrived.</p><p>It met the minister.</p>")
    ('The OSCE mission arrived.\\nIt met the minister.\\n', True)
    """
    if not looks_like_html(text):
        return text, False
    import html

    text = _drop_invisible(text)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text), True


ARTICLE_SUFFIXES = (".txt", ".html", ".htm")  # what a folder walk reads: articles as text, and saved web pages
PAGE_MAX_CHARS = 5_000_000  # larger markup is not a saved news page: it is stripped by the linear fallback


@dataclass(frozen=True)
class Page:
    """What a saved web page holds for the scorer: its main text, title and publication date (any may be None)."""

    text: str | None
    title: str | None
    date: str | None


def read_page(markup: str) -> Page:
    """The main text and title of a saved web page (trafilatura) and its publication date (htmldate).

    Navigation, currency rates, related and most-read lists, share buttons, cookie banners, scripts and
    footers are left out by trafilatura's main-content extraction; the date comes from the page's own
    metadata (``article:published_time``, ``<time>``, JSON-LD, ...), read offline.  ``text`` is None when
    trafilatura finds no main text (the caller then strips the tags itself).

    >>> page = read_page("<html><head><meta property='article:published_time' content='2022-11-22'></head><body>"
    ...                  "<nav><a href='/'>Home</a> <a href='/w'>World</a></nav><article><h1>OSCE visit</h1>"
    ...                  "<p>The OSCE chair thanked the hosts for a warm welcome and for two days of useful talks in the capital.</p>"
    ...                  "</article><footer>All rights reserved.</footer></body></html>")
    >>> page.title, page.date, page.text
    ('OSCE visit', '2022-11-22', 'The OSCE chair thanked the hosts for a warm welcome and for two days of useful talks in the capital.')
    """
    if len(markup) > PAGE_MAX_CHARS:
        return Page(None, None, None)
    import logging

    import htmldate
    import trafilatura

    for name in ("trafilatura", "htmldate", "courlan"):  # their "empty page" notices are not the user's business
        logging.getLogger(name).setLevel(logging.CRITICAL)
    _check_budget()
    try:
        found = trafilatura.bare_extraction(markup, include_comments=False, include_tables=False, with_metadata=True,
                                            deduplicate=False)
    except (ValueError, TypeError, RecursionError):  # markup lxml cannot build a tree from
        found = None
    _check_budget()
    title = " ".join(found.title.split()) if found is not None and found.title else None
    text = found.text if found is not None and found.text and found.text.strip() else None
    if text and title:
        first, _, rest = text.partition("\n")
        if " ".join(first.split()) == title:  # the headline stands at the top of the main text too
            text = rest
    try:
        date = htmldate.find_date(markup, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except (ValueError, TypeError, RecursionError):
        date = None
    _check_budget()
    return Page(text or None, title, date)


_KAZAKH = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def guess_language(text: str) -> str:
    """``en`` for Latin-script text, ``kk`` or ``ru`` for Cyrillic, ``other`` otherwise.

    >>> guess_language("Миссия ОБСЕ завершила работу."), guess_language("Миссия ЕҚЫҰ жұмысын аяқтады.")
    ('ru', 'kk')
    """
    head = text[:20000]
    # ASCII letters are counted in C; only the (usually few) other characters are looked at one by one.
    ascii_letters = len(head.encode("ascii", "ignore").translate(None, _ASCII_NON_LETTERS))
    others = [c for c in _NON_ASCII.findall(head) if c.isalpha()]
    n_letters = ascii_letters + len(others)
    if not n_letters:
        return "other"
    cyrillic = [c for c in others if "\u0400" <= c <= "\u04ff"]
    if len(cyrillic) > 0.3 * n_letters:
        return "kk" if sum(c in _KAZAKH for c in cyrillic) > 0.01 * len(cyrillic) else "ru"
    latin = ascii_letters + sum("\u00c0" <= c <= "\u024f" for c in others)
    return "en" if latin > 0.7 * n_letters else "other"


# --------------------------------------------------------------------------- line rules

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}, sept=9)
_MONTH = r"(?:" + "|".join(sorted((m for m in _MONTHS), key=len, reverse=True)) + r")\.?"

_HEADER = re.compile(r"^\s*date\s+(\S+)\s*(.*)$")
_TERMINAL = re.compile(r"[.!?…][\"'»”’)\]]*$")
_TERMINAL_CLOSERS = "\"'»”’)]"  # _TERMINAL's closing quotes and brackets


def _has_terminal(line: str) -> bool:
    """``_TERMINAL.search(line) is not None``, read from the line's end instead of searched from its start.

    ``$`` matches at the end and before a final newline; at either end the closers are stripped and the mark must
    come right before them.
    """
    for end in (len(line), len(line) - 1) if line.endswith("\n") else (len(line),):
        stripped = line[:end].rstrip(_TERMINAL_CLOSERS)
        if stripped and stripped[-1] in ".!?…":
            return True
    return False

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

_DATE_PATTERNS = (
    (re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\s*,?\s+(\d{{4}})\b", re.I), ("d", "m", "y")),
    (re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), ("m", "d", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), ("d", "m", "y")),
)
_TIME = r"(?:\s*[,|–-]?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*\w{2,4})?)?"
_TIMESTAMP = re.compile(
    rf"^(?:(?:\d{{1,2}}\s+{_MONTH}\s*,?\s+\d{{4}})|(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})"
    rf"|(?:\d{{4}}-\d{{2}}-\d{{2}})|(?:\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})){_TIME}$"
    rf"|^\d{{1,2}}:\d{{2}}$",
    re.I,
)
_CREDIT = re.compile(
    r"^(?:photos?|images?|pictures?|video|foto|credits?|source|copyright|illustration|cover photo)"
    r"(?:\s+(?:by|credit|courtesy of))?\s*[:©]|^©|^\(c\)\s|all rights reserved|^photo by\b",
    re.I,
)
_RATES = re.compile(r"\b[a-z]{3}\s*/\s*[a-z]{3}\b\s*[\d.,]+|\b(?:currency|exchange)\s+rates?\b", re.I)
# (?<!\d): a match starts where a number starts, not at each of its digits (a run of n digits took n**2 steps).
_WEATHER = re.compile(r"^weather\b|(?<!\d)[+-]?\d+\s*(?:°\s*[CF]?|℃|℉)", re.I)
# What _RATES's first alternative reads after its "/": a line in which no "/" is followed by it (and without "currency" or
# "exchange", one of which the second alternative needs: "rate" alone is in "demonstrates") holds no rates, and the search
# over the whole line is skipped.
_RATE_TAIL = re.compile(r"\s*[a-z]{3}\b\s*[\d.,]+", re.I)
if (not _RATES.pattern.startswith(r"\b[a-z]{3}\s*/" + _RATE_TAIL.pattern + "|") or _RATE_TAIL.flags != _RATES.flags
        or not _RATES.pattern.endswith(r"|\b(?:currency|exchange)\s+rates?\b")):
    raise ImportError("_RATES changed: update _RATE_TAIL and _may_be_rates beside it")


def _may_be_rates(text: str, low: str) -> bool:
    """False only if ``_RATES`` cannot match ``text`` (``low``: ``text.lower()``)."""
    if "currency" in low or "exchange" in low or has_special_folds(text):
        return True
    at = text.find("/")
    while at >= 0:
        if _RATE_TAIL.match(text, at + 1):
            return True
        at = text.find("/", at + 1)
    return False


_PLACE_TEMPERATURE = re.compile(r"^[^\W\d][\w .'’-]{0,24}:\s*[+-]?\d+\s*(?:°|℃|℉)")  # "Sofia: 14°C, cloudy, light rain"
_PHONE = re.compile(r"^(?:tel\.?|phone|call us|hotline)?[:\s]*\+?[\d\s().-]{7,}$", re.I)
_LIST_HEADING = re.compile(
    r"^(?:related(?:\s+(?:news|articles|stories|posts))?|popular(?:\s+news)?|most\s+(?:read|popular|viewed)"
    r"|read\s+(?:also|more)|also\s+read|see\s+also|more\s+(?:news|stories|on\s+this\s+topic)|latest(?:\s+news)?"
    r"|top\s+stories|recommended|trending|editor['’]?s\s+picks?|you\s+may\s+also\s+like|other\s+news"
    r"|news\s+feed|tags?)\s*:?$",
    re.I,
)
_SOCIAL = re.compile(
    r"^(?:share(?:\s+(?:this|on))?|follow\s+us|subscribe|join\s+(?:us|our)|print|comments?|tags?\s*:"
    r"|sign\s+(?:in|up)|log\s*in|advertis(?:e|ing|ement)|back\s+to\s+top|skip\s+to)\b",
    re.I,
)
# Contact blocks, subscription prompts, reuse and opinion disclaimers at the foot of a page.
_NOTICE = re.compile(
    r"^(?:for\s+(?:further|more)\s+information|media\s+contact|press\s+contact|contact\s*:|e-?mail\s*:|sign\s+up\b|subscribe\b"
    r"|get\s+our\b|download\s+our\s+app|link\s+to\s+the\s+source|when\s+(?:using|reprinting|quoting)|reproduction\b|reprint\b"
    r"|any\s+use\s+of|the\s+(?:views|opinions)\s+expressed|(?:views|opinions)\s+expressed|the\s+author['’]?s?\s+(?:views|opinion)|(?:the\s+)?opinion\s+of\s+the\s+author"
    r"|this\s+(?:article|story)\s+(?:was|has\s+been)\s+(?:updated|corrected)|reporting\s+by\b|editing\s+by\b|written\s+by\b"
    r"|you\s+have\s+(?:read|\d+)\s+.*\bfree\s+articles?|to\s+continue\s+reading|already\s+a\s+subscriber)",
    re.I,
)
# Words that make up site navigation; a short line of nothing else is a menu.
_NAV_WORDS = frozenset(
    """home main page site news politics economy business society world region regions sport sports
    culture science health opinion elections analytics interview video photo photos gallery contacts
    contact about us search menu english en ru kz rus eng qaz go to the back archive all latest
    multimedia feature features official press releases release media centre center top categories
    tech technology lifestyle events event calendar more""".split()
)
# A separator with a space on one side: " > ", "Home >", "/ News".  (Written with a leading \s* it took a
# number of steps quadratic in a run of spaces.)
_BREADCRUMB = re.compile(r"\s[>»›→/|]|[>»›→|]\s")
_BREADCRUMB_MARK = re.compile(r"[>»›→/|]")  # every _BREADCRUMB match holds one: a line without any is not searched
_WIDE_GAP = re.compile(r"\S {2,}(?=\S)")  # menu items set apart by runs of spaces: "News  Politics  Economy"
_BULLET = re.compile(r"^[•·*▪►\-–]\s*")


def _words(line: str, limit: int | None = None) -> list[str]:
    """The first ``limit`` words of ``line`` (all by default): ``_WORD``'s matches, read by the compiled core where it is built."""
    if native.compiled is not None:
        return native.compiled.words(line, -1 if limit is None else limit)
    return _WORD.findall(line) if limit is None else [m.group() for m in islice(_WORD.finditer(line), limit)]


def _count_words(line: str, cap: int) -> int:
    """``min(len(_words(line)), cap)``: stops reading after ``cap`` words (a paragraph line need not be read to its end)."""
    return len(_words(line, cap))


def _is_menu(line: str, words: list[str] | None = None) -> bool:
    """Short lines of navigation words, language switchers, or breadcrumbs (``words``: ``_words(line)`` if known)."""
    stripped = _BULLET.sub("", line).strip()
    if words is None or stripped != line:
        words = _words(stripped)
    if not words:
        return bool(stripped) and not any(c.isdigit() for c in stripped) or bool(_BULLET.match(line))
    lowered = [w.lower() for w in words]
    if len(words) <= 6 and all(w in _NAV_WORDS for w in lowered):
        return True
    if len(words) >= 3 and all(len(w) <= 3 for w in words) and not _has_terminal(stripped):
        return True  # a language switcher: "рус қаз eng 中文"
    if len(words) <= 12 and _BREADCRUMB_MARK.search(stripped) and _BREADCRUMB.search(stripped) and not _has_terminal(stripped):
        parts = [p for p in re.split(r"\s*(?:>|»|›|→|/|\|)\s*", stripped) if p.strip()]
        return len(parts) >= 2 and all(len(_words(p)) <= 4 for p in parts) or len(parts) <= 1
    if len(words) <= 12 and "  " in stripped and len(_WIDE_GAP.findall(stripped)) >= 2 and not _has_terminal(stripped):
        return all(len(_words(p)) <= 3 for p in re.split(r" {2,}", stripped))  # three or more short items in a row
    return False


def line_kind(line: str, prefilter: bool = True) -> str | None:
    """Name the boilerplate rule a line matches, or ``None`` for a content line.

    Most lines are prose, and the fast path proves cheaply that a rule cannot match before
    running it: a rule that searches the whole line needs a word or character only it can
    match, and the word-count rules need a short line, which the first 13 words rule out.
    ``prefilter=False`` runs every rule in full: the reference the fast path is tested against.

    >>> line_kind("usd/kzt 462.01 eur/kzt 474.44")
    'rates'
    >>> line_kind("Main Page  >") is not None
    True
    >>> line_kind("The mission deployed 300 observers.") is None
    True
    """
    text = line.replace("\u00a0", " ").strip()
    if not text:
        return "blank"
    if _TIMESTAMP.match(text):
        return "timestamp"
    if not prefilter:
        return _line_rules(text, _words(text))
    low = text.lower()
    # _CREDIT matches at the start or holds "all rights reserved" (any case; "ſ" folds to "s" under re.I, so text with
    # such letters is searched in full); _RATES holds a "/" or "rate" (no special case folds for these letters).
    if _CREDIT.match(text) or ("all rights reserved" in low or has_special_folds(text)) and _CREDIT.search(text):
        return "credit"
    if _may_be_rates(text, low) and _RATES.search(text):
        return "rates"
    head = _words(text, _LONG_LINE)
    if len(head) == _LONG_LINE and any(len(w) > 3 for w in head) and not _PLACE_TEMPERATURE.match(text):
        # A long line with a word of four letters or more: no word-count rule and no menu rule can match (the weather
        # rule's "Place: +5°C" form needs no word count, so a line that starts so keeps its words: hypothesis found it).
        return _line_rules(text, None, checked=True)
    return _line_rules(text, head if len(head) < _LONG_LINE else _words(text), checked=True)


_LONG_LINE = 13  # words: every word-count rule of line_kind and _is_menu needs at most 12
# Characters: the weather, phone and menu rules describe short lines, and are tried only on lines this long or
# shorter, so that a line of a million spaces or digits (a hostile page) costs time linear in its length.
# The longest such line in the corpus and the real-news yardstick is far shorter (tests/test_ingest.py).
SHORT_LINE = 400


def _line_rules(text: str, words: list[str] | None, checked: bool = False) -> str | None:
    """The rules of :func:`line_kind` after the timestamp (``words`` None: a long line; ``checked``: credit and rates done)."""
    if not checked:
        if _CREDIT.search(text):
            return "credit"
        if _RATES.search(text):
            return "rates"
    short = len(text) <= SHORT_LINE
    if short and words is not None and (len(words) <= 6 or _PLACE_TEMPERATURE.match(text)) and _WEATHER.search(text):
        return "weather"  # length first: no prose search
    if short and _PHONE.match(text):
        return "phone"
    if _LIST_HEADING.match(text):
        return "list-heading"
    if _NOTICE.match(text):
        return "notice"
    if words is not None and _SOCIAL.match(text) and len(words) <= 8:
        return "social"
    if short and words is not None and _is_menu(text, words):
        return "menu"
    return None


def _is_prose(line: str) -> bool:
    """A content line that reads as running text: ends like a sentence and has some length, or is a paragraph
    whose last sentence ends otherwise (in a parenthesised date, a colon, a cut-off quote).

    >>> _is_prose("The mission deployed its observers across the country."), _is_prose("Related news")
    (True, False)
    >>> _is_prose("He argued that monitoring the vote was a step too far for the country and its sovereignty. "
    ...           "A reader disagrees with him on who began the process (August 16, 2004)")
    True
    >>> _is_prose("On the anniversary of the detention of three OSCE officials in the occupied region, the Chairman "
    ...           "of the Helsinki Commission, who has raised their case at every session, issued the following statement:")
    True
    """
    if _has_terminal(line):
        return _count_words(line, 6) >= 6
    words = _words(line, _PARAGRAPH_WORDS)
    if len(words) < _PARAGRAPH_WORDS:
        return False
    if _INNER_STOP.search(line) is not None:
        return True
    # One long sentence that ends in a colon (it introduces a quote) or lost its full stop ("..., the mission said
    # on Wednesday"): running text when most of its words are lower case, which a menu or a list of names never is.
    return sum(w[0].islower() for w in words) * 2 >= _PARAGRAPH_WORDS and not line.endswith(",")


_PARAGRAPH_WORDS = 25
_INNER_STOP = re.compile(r"\w[.!?][\"'»”’)\]]*\s+[\"“‘(]?[A-Z]")  # a sentence ends and the next begins


def _is_osce_subhead(line: str) -> bool:
    """A short line that names the OSCE and reads as a headline or subhead, not as a tags or keywords line.

    Headlines carry stance most directly ("Belarus will not invite OSCE observers"), so such a line is kept
    where other short lines are dropped; a run of capitalised names ("OSCE Elections Kazakhstan Ministry")
    or a labelled list ("Tags: ODIHR, elections") is not a sentence.

    >>> _is_osce_subhead("OSCE plays significant role in tense world"), _is_osce_subhead("Tags: ODIHR, elections, Foreign Ministry")
    (True, False)
    >>> _is_osce_subhead("Lessons from the OSCE Special Monitoring Mission for Ceasefire Monitoring"), _is_osce_subhead("OSCE Elections Kazakhstan")
    (True, False)
    >>> _is_osce_subhead("Minister: the OSCE report ignored the opposition"), _is_osce_subhead("Keywords: OSCE report, elections")
    (True, False)
    """
    if not names_osce(line) or _LABELLED.match(line) or line.count(",") >= 2:
        return False
    line = short_names(line)  # the long name's "for", "and", "in" must not make a body's name read as a phrase
    # A phrase has lower-case words, and one of them a content word or a longer preposition ("from", "budget");
    # a body's name ("OSCE Mission to Bosnia and Herzegovina") has only short function words.
    lower = [len(w) for w in _words(line) if w.islower()]
    return len(lower) >= 2 and max(lower) >= 4


def _is_headline(line: str) -> bool:
    """A line that can be a headline: 3 to 30 words, ending without a full stop ("Will the OSCE Survive Winter?" is one).

    A question needs four words: a site's "Are you sure?" or "Want more?" is not a headline.
    """
    n_words = len(_words(line))
    if _has_terminal(line):
        return 4 <= n_words <= 30 and not _STATEMENT_END.search(line)
    return 3 <= n_words <= 30


_STATEMENT_END = re.compile(r"[.…][\"'»”’)\]]*$")  # _TERMINAL without "?" and "!": questions and exclamations head pages
# A label and a colon that start a tags or keywords line, not a headline ("Minister: the OSCE report ignored ..." is one).
_LABELLED = re.compile(r"(?:tags?|keywords?|topics?|categor(?:y|ies)|filed\s+under|related|see\s+also|read\s+(?:more|also)|also\s+read"
                       r"|sources?|photos?|more|labels?|subjects?)\s*:", re.I)


def find_date(text: str) -> str | None:
    """The first valid calendar date written in ``text``, as ISO ``YYYY-MM-DD``.

    >>> find_date("March 25, 2023")
    '2023-03-25'
    >>> find_date("26 March 2023, 12:40")
    '2023-03-26'
    """
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups()))
            month = parts["m"]
            month_no = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
            try:
                return _date(int(parts["y"]), int(month_no or 0), int(parts["d"])).isoformat()
            except ValueError:
                continue
    return None


# "ASTANA. KAZINFORM", "NUR-SULTAN. KAZINFROM -", "BAKU, AZERTAC.", "ALMATY, March 3 (Reuters) -",
# "WARSAW, 20 March 2023 –", "MOSCOW (AP) —", "BAKU, Azerbaijan, October 20.": an upper-case place
# (and its country before a date), then an agency and/or a date.
_CITY = r"[A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЁ][A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЁ'’.\-]+(?:[ -][A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЁ][A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЁ'’.\-]+){0,2}"  # CHIȘINĂU too
_AGENCY = (
    r"(?:\([A-Z][\w .&/-]{0,24}\)|/[A-Z][^/\n]{1,30}/|[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?:[ -][A-Z]{2,})?|Trend|Kazinform|Interfax|Xinhua)"
)
_DATE_BIT = rf"(?:\d{{1,2}}\s+(?i:{_MONTH})(?:\s+\d{{4}})?|(?i:{_MONTH})\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\.\d{{1,2}}\.\d{{4}})"
_COUNTRY_NAME = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
_COUNTRY = rf"(?:,\s*{_COUNTRY_NAME}(?=,\s*{_DATE_BIT}))"  # only before a date: "BAKU, Azerbaijan, October 20"
_DATELINE = re.compile(
    rf"^(?P<dateline>(?:{_CITY}{_COUNTRY}?(?:[.,]\s*(?:{_DATE_BIT}[.,]?\s*(?:{_AGENCY})?|{_AGENCY})|\s+\([A-Z][\w .&/-]{{0,24}}\))"
    rf"|[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?,\s*{_DATE_BIT}[.,]?\s*(?:{_AGENCY})?"
    rf"|[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?[.,]\s*(?:{_DATE_BIT}[.,]?\s*)?[A-Z]{{3,}}(?=\s*[.:–—-])"
    rf"|[A-Z][A-Z-]{{3,}}\.(?=\s))"
    rf"\s*(?:[.:,]\s*)?(?:[-–—]+\s*)?)(?=[\"«“A-ZÀ-ÖØ-ÞА-ЯЁ])"
)


def split_dateline(line: str) -> tuple[str | None, str]:
    """Split a leading news dateline off a body line.

    >>> split_dateline("ASTANA. KAZINFORM Roman Vassilenko met the mission.")
    ('ASTANA. KAZINFORM', 'Roman Vassilenko met the mission.')
    >>> split_dateline("The OSCE deployed observers.")
    (None, 'The OSCE deployed observers.')
    """
    match = _DATELINE.match(line)
    if not match or not line[match.end():].strip():
        return None, line
    dateline = match.group("dateline").strip().rstrip("-–—:,. ").strip()
    return dateline, line[match.end():]


def _agency_of(dateline: str | None) -> str | None:
    """The news agency a dateline names: "ALMATY, March 3 (Reuters)", "YEREVAN, SEPTEMBER 20, ARMENPRESS", "BAKU, Trend"."""
    if not dateline:
        return None
    paren = re.search(r"\(([^)]+)\)", dateline)
    if paren:
        return paren.group(1).strip()
    tail = re.split(r"[.,]\s*", dateline, maxsplit=1)
    if len(tail) < 2:
        return None
    rest = _COUNTRY_BEFORE_DATE.sub("", tail[1])  # "Azerbaijan, October 20": a country, not an agency
    return _DATE_BIT_RE.sub("", rest).strip(" .,/-–—") or None


_COUNTRY_BEFORE_DATE = re.compile(rf"^{_COUNTRY_NAME},\s*(?={_DATE_BIT})")
_DATE_BIT_RE = re.compile(_DATE_BIT)


def _first_sentence(text: str, limit: int = 200) -> str:
    match = re.search(r"(?<=[.!?])[\"'»”]?\s", text)
    sentence = text[: match.start()].strip() if match else text
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"


def parse_article(text: str, article_id: str, source: str | None = None) -> Article:
    """Turn the text of one article (seed format or plain text) into an :class:`Article`.

    The first line may be a header `` date YYYY-MM-DD rest``; ``rest`` is the title,
    a site menu, an outlet name, or the start of the body, and each is told apart by
    what follows it.  Boilerplate lines never reach ``body``.

    >>> text = " date 2023-02-08 Minister meets mission\\n\\nASTANA. KAZINFORM The minister met the OSCE mission."
    >>> art = parse_article(text, "x")
    >>> art.date, art.title, art.dateline, art.body
    ('2023-02-08', 'Minister meets mission', 'ASTANA. KAZINFORM', 'The minister met the OSCE mission.')
    """
    warnings: list[str] = []
    page = read_page(text) if looks_like_html(text) else None
    if page is not None and page.text:
        text = page.text
    else:
        text, was_html = strip_html(text)
        if was_html:
            warnings.append("HTML markup stripped")
    lines = [ln.replace("\u00a0", " ").strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    header_date = header_rest = None
    first = next((i for i, ln in enumerate(lines) if ln), None)
    if first is not None:
        match = _HEADER.match(lines[first])
        if match:
            header_rest = match.group(2).strip() or None
            header_date = find_date(match.group(1))
            if header_date is None:
                warnings.append(f"malformed header date {match.group(1)!r}")
            lines = lines[first + 1:]

    kinds = []
    for i, ln in enumerate(lines):
        if not i & 255:
            _check_budget()
        kinds.append(line_kind(ln))
    # The body starts inside the header when the header opens with a dateline or runs to a paragraph's length;
    # a headline, even one ending in "?" or ".", is shorter.
    if header_rest and _is_prose(header_rest) and (split_dateline(header_rest)[0] or len(_words(header_rest)) >= 25):
        lines.insert(0, header_rest)  # the body starts inside the header line
        kinds.insert(0, None)
        header_rest = None
        header_is_body = True
    else:
        header_is_body = False

    def stamped(i: int) -> bool:  # a line right above a timestamp is a headline, even with a "?"
        nxt = next((k for k in kinds[i + 1:] if k != "blank"), None)
        return nxt == "timestamp"

    body_start = next((i for i, (ln, k) in enumerate(zip(lines, kinds)) if k is None and _is_prose(ln) and not stamped(i)), None)
    if body_start is None:  # no running text at all: keep every content line rather than lose the article
        body_start = next((i for i, k in enumerate(kinds) if k is None), len(lines))

    pre_body = [ln for ln, k in zip(lines[:body_start], kinds[:body_start]) if k is None]
    headline = next(
        (ln for i, (ln, k) in enumerate(zip(lines[:body_start], kinds[:body_start])) if k is None and (_is_headline(ln) or stamped(i))),
        None,
    )
    timestamp_date = next(
        (find_date(ln) for ln, k in zip(lines[:body_start], kinds[:body_start]) if k == "timestamp" and find_date(ln)),
        None,
    )

    outlet = None
    header_is_menu = bool(header_rest) and line_kind(header_rest) is not None
    if header_rest and headline and (header_is_menu or len(_words(header_rest)) <= 6 or _mixed_script(header_rest)):
        title = headline
        outlet = None if header_is_menu else header_rest
    elif header_rest and not header_is_menu:
        title = header_rest
    else:
        title = headline

    body_lines: list[str] = []
    in_list = False
    for ln, kind in zip(lines[body_start:], kinds[body_start:]):
        if kind == "list-heading":
            in_list = True
            continue
        if kind is not None:
            if kind == "credit" and ln.lower().startswith("source") and outlet is None:
                outlet = ln.split(":", 1)[1].strip() or None
            continue
        if in_list and not (_is_prose(ln) and _count_words(ln, 25) >= 25):
            continue
        if body_lines and not _is_prose(ln) and _count_words(ln, 20) < 20 and not _is_osce_subhead(ln):
            continue  # a tags line or a stray headline after the text began (a subhead that names the OSCE stays)
        in_list = False
        body_lines.append(ln)

    dateline = None
    if body_lines:
        dateline, rest = split_dateline(body_lines[0])
        body_lines[0] = rest.strip()
        body_lines = [ln for ln in body_lines if ln]
    # A standfirst or subhead above the running text that names the OSCE is read too; the headline is the title.
    body_lines[:0] = [ln for ln, k in zip(lines[:body_start], kinds[:body_start]) if k is None and ln != title and _is_osce_subhead(ln)]
    if outlet is None:
        outlet = _agency_of(dateline)
    body = "\n".join(body_lines)
    if page is not None and page.title:
        title = page.title
    if title is None and header_is_body and body:
        title = _first_sentence(body)
    if title is None:
        warnings.append("no title found")
    if body and not _has_terminal(body) and not any(_has_terminal(ln) for ln in body_lines):
        warnings.append("no sentence-ending punctuation; each line is taken as a sentence")
    n_words = _count_words(body, 20)
    if 0 < n_words < 20:
        warnings.append(f"very short article ({n_words} words)")
    language = guess_language(body)
    if language != "en":
        warnings.append(f"text looks {'Russian' if language == 'ru' else 'Kazakh' if language == 'kk' else 'non-English'} "
                        f"({language}); the model reads English only, so its scores mean little")
    date = header_date or timestamp_date or (find_date("\n".join(pre_body)) if pre_body else None)
    if page is not None and page.date:
        date = page.date
    return Article(
        id=article_id,
        body=body,
        title=title,
        date=date,
        outlet=outlet,
        dateline=dateline,
        source=source,
        language=language,
        warnings=tuple(warnings),
    )


def _mixed_script(text: str) -> bool:
    """Latin letters beside letters of another script (a bilingual site name); accents are Latin ("Dačić")."""
    letters = [c for c in text if c.isalpha()]
    return any(c <= "\u024f" for c in letters) and any(c > "\u024f" for c in letters)


# --------------------------------------------------------------------------- files

def read_article(path: str | os.PathLike, article_id: str | None = None, max_bytes: int = MAX_BYTES) -> Article:
    """Read, decode and parse one article file.

    Raises :class:`InputError` for a file that is empty, binary, larger than
    ``max_bytes``, or has no text; ``OSError`` for one that cannot be read.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"file is {size:,} bytes, above the limit of {max_bytes:,} (raise it with --max-bytes)")
    return article_from_bytes(path.read_bytes(), article_id or path.stem, source=str(path))


def article_from_bytes(data: bytes, article_id: str, source: str | None = None) -> Article:
    """Decode and parse the raw bytes of one article (a file's contents, or standard input).

    Raises :class:`InputError` for empty or binary input, or input with no text after
    boilerplate removal; a non-UTF encoding guess becomes a warning on the article.
    """
    if not data.strip():
        raise InputError("empty file")
    text, encoding = decode_bytes(data)
    article = parse_article(text, article_id, source=source)
    if not article.body.strip():
        raise InputError("no article text after removing boilerplate")
    if encoding not in ("utf-8", "utf-8-sig", "utf-16"):
        article = replace(article, warnings=article.warnings + (f"not UTF-8; decoded as {encoding}",))
    return article

_JSONL_FIELDS = ("id", "date", "title", "text", "outlet")


def iter_jsonl_articles(path: str | os.PathLike, max_bytes: int = MAX_BYTES, start: int = 0, stop: int | None = None,
                        first_line: int = 1, max_seconds: float | None = None) -> Iterator[tuple[str, Article | Exception]]:
    """Articles from a JSON Lines file, one per line, read as a stream.

    Each line is an object with ``text`` (required) and optionally ``id``, ``date``
    (``YYYY-MM-DD``), ``title`` and ``outlet`` (the report groups by it); other fields are kept in ``Article.extra``.  Without
    an id the article is ``<file stem>-<line>``.  Yields ``(where, article)`` or, for a
    bad line, ``(where, InputError)`` naming the line, so one bad line does not stop the rest.

    ``start``/``stop`` restrict reading to the lines in that byte range (``start`` must be
    the beginning of line ``first_line``): that is how a partition of a big file is read.
    A record that takes longer than ``max_seconds`` to parse is yielded as a ``TimeBudgetExceeded``.
    """
    import json

    path = Path(path)
    with open(path, "rb") as fh:
        fh.seek(start)
        position = start
        for lineno, raw in enumerate(fh, first_line):
            if stop is not None and position >= stop:
                break
            position += len(raw)
            where = f"{path}:{lineno}"
            if not raw.strip():
                continue
            if len(raw) > max_bytes:
                yield where, InputError(f"line is {len(raw):,} bytes, above the limit of {max_bytes:,} (raise it with --max-bytes)")
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:
                yield where, InputError(f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
                yield where, InputError('no "text" field with article text')
                continue
            article_id = str(record.get("id") or f"{path.stem}-{lineno}")
            try:
                with time_budget(max_seconds):
                    article = parse_article(record["text"], article_id, source=where)
            except TimeBudgetExceeded as exc:
                yield where, exc
                continue
            if not article.body.strip():
                yield where, InputError("no article text after removing boilerplate")
                continue
            updates = {}
            extra = {k: v for k, v in record.items() if k not in _JSONL_FIELDS}
            if extra:
                updates["extra"] = extra
            if record.get("outlet"):
                updates["outlet"] = str(record["outlet"])
            if record.get("title"):
                updates["title"] = str(record["title"])
                updates["warnings"] = tuple(w for w in article.warnings if w != "no title found")
            if record.get("date"):
                date = find_date(str(record["date"]))
                if date:
                    updates["date"] = date
                else:
                    updates["warnings"] = updates.get("warnings", article.warnings) + (f"malformed date {record['date']!r}",)
            yield where, (replace(article, **updates) if updates else article)


def expand_globs(roots: Iterable[str | os.PathLike]) -> list[str]:
    """``roots`` with every glob pattern (``*``, ``?``, ``[...]``, ``**``) replaced by its sorted matches.

    A path that exists is taken literally even if its name holds ``*``; a pattern that
    matches nothing disappears (callers check with :func:`missing_inputs`).
    """
    import glob

    out = []
    for root in roots:
        root = os.fspath(root)
        if os.path.lexists(root) or not glob.has_magic(root):
            out.append(root)
        else:
            out += sorted(glob.glob(root, recursive=True))
    return out


def missing_inputs(roots: Iterable[str | os.PathLike]) -> list[str]:
    """The inputs (other than ``-``, standard input) that name nothing and, as a pattern, match nothing."""
    return [os.fspath(r) for r in roots
            if os.fspath(r) != "-" and not any(os.path.exists(p) for p in expand_globs([r]))]


def iter_article_files(roots: Iterable[str | os.PathLike]) -> Iterator[Path]:
    """Every article file (``*.txt``, and saved web pages ``*.html``/``*.htm``) below ``roots`` in sorted order, skipping hidden files and folders.

    A file named explicitly is yielded whatever its suffix (``.jsonl`` files are read as
    JSON Lines by the scorer).  Symbolic links to folders are not followed, so a link
    loop cannot trap the walk.
    """
    for root in expand_globs(roots):
        root = Path(root)
        if root.is_file():
            yield root
            continue
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith(ARTICLE_SUFFIXES) and not name.startswith("."):
                    yield Path(dirpath) / name
