"""Tokenise: an article body becomes sentences (with character offsets) and word tokens.

Sentences come from NLTK's Punkt built from the project's own parameters (a curated
list of news abbreviations), so nothing is downloaded and the split never depends on
``NLTK_DATA``.  Punkt decides *where* a sentence ends; this module maps those
decisions back to offsets itself, because NLTK's own span search breaks an
abbreviation in front of a closing quote ("in St. Petersburg.»").

Sentences never cross a line break: ingest keeps one paragraph per line, and a
heading without punctuation must not be glued to the sentence after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from nltk.tokenize.destructive import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

__all__ = ["Sentence", "sentence_key", "tokenize_article", "split_sentences", "sentence_spans", "word_tokens", "ABBREVIATIONS"]

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

_CLOSERS = "\"'»”’)]}"


@lru_cache(maxsize=1)
def _punkt() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


@lru_cache(maxsize=1)
def _word_tokenizer() -> NLTKWordTokenizer:
    return NLTKWordTokenizer()


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the sentences in one line (no newlines inside)."""
    punkt = _punkt()
    pos = 0
    start = None
    breaks: list[int] = []
    for token in punkt._annotate_tokens(punkt._tokenize_words(text)):
        found = text.find(token.tok, pos)
        if found < 0:  # Punkt normalised the token; fall back to whitespace positions
            continue
        pos = found + len(token.tok)
        if token.sentbreak:
            end = pos
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            breaks.append(end)
            pos = end
    start = 0
    for end in breaks + [len(text)]:
        chunk = text[start:end]
        stripped_left = len(chunk) - len(chunk.lstrip())
        s, e = start + stripped_left, start + len(chunk.rstrip())
        if e > s:
            yield s, e
        start = end


def sentence_spans(body: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``body``.

    >>> body = 'Mr. Lee met J. Smith in St. Petersburg. Growth was 2.5 percent.'
    >>> [body[s:e] for s, e in sentence_spans(body)]
    ['Mr. Lee met J. Smith in St. Petersburg.', 'Growth was 2.5 percent.']
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in body.split("\n"):
        spans.extend((offset + s, offset + e) for s, e in _line_spans(line))
        offset += len(line) + 1
    return spans


def split_sentences(body: str) -> list[str]:
    """The sentences of ``body`` as strings (see :func:`sentence_spans`)."""
    return [body[s:e] for s, e in sentence_spans(body)]


def word_tokens(sentence: str) -> list[str]:
    """Word tokens of one sentence (NLTK's Treebank-style word tokenizer; needs no data).

    >>> word_tokens("The OSCE's mission didn't leave.")
    ['The', 'OSCE', "'s", 'mission', 'did', "n't", 'leave', '.']
    """
    return _word_tokenizer().tokenize(sentence)


def sentence_key(article_id: str, text: str) -> str:
    """A key that survives re-tokenisation only if the sentence text is unchanged.

    Whitespace is folded before hashing so that re-wrapping a line does not orphan a label.

    >>> sentence_key("001", "The  mission   deployed.")
    '001:0a2bbe51eb5e'
    """
    folded = " ".join(text.split())
    return f"{article_id}:{hashlib.sha256(folded.encode('utf-8')).hexdigest()[:12]}"


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: ``body[start:end] == text``."""

    article_id: str
    sent_idx: int
    start: int
    end: int
    text: str
    tokens: tuple[str, ...]

    @property
    def key(self) -> str:
        """The sentence key gold labels are stored under (:func:`sentence_key`)."""
        return sentence_key(self.article_id, self.text)

    def to_dict(self) -> dict:
        """One line of ``data/interim/sentences.jsonl``."""
        return {
            "article_id": self.article_id,
            "sent_idx": self.sent_idx,
            "key": self.key,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "tokens": list(self.tokens),
        }


def tokenize_article(article_id: str, body: str) -> list[Sentence]:
    """Split an article body into :class:`Sentence` records with offsets and tokens."""
    return [
        Sentence(article_id, i, s, e, body[s:e], tuple(word_tokens(body[s:e])))
        for i, (s, e) in enumerate(sentence_spans(body))
    ]




def run(roots, articles_out, sentences_out, warn=print) -> tuple[int, int]:
    """The ``tokenize`` stage: read every article under ``roots``, write both interim files.

    Unreadable, empty or binary files are reported through ``warn`` and skipped;
    ids must be unique (a second file with the same stem is skipped).  Returns
    ``(articles, sentences)`` written.
    """
    from .files import write_jsonl
    from .ingest import InputError, iter_article_files, read_article

    articles, sentences, seen = [], [], {}
    for path in iter_article_files(roots):
        try:
            article = read_article(path)
        except (InputError, OSError) as exc:
            warn(f"warning: {path}: skipped: {exc.strerror if isinstance(exc, OSError) else exc}")
            continue
        if article.id in seen:
            warn(f"warning: {path}: skipped: article id {article.id!r} already read from {seen[article.id]}")
            continue
        seen[article.id] = path
        for message in article.warnings:
            warn(f"warning: {path}: {message}")
        articles.append(article.to_dict())
        sentences.extend(s.to_dict() for s in tokenize_article(article.id, article.body))
    write_jsonl(sentences_out, sentences)
    write_jsonl(articles_out, articles)
    return len(articles), len(sentences)
