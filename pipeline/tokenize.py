"""Tokenise: an article body becomes sentences (with character offsets) and word tokens.

Sentence boundaries come from :mod:`pipeline.segment`: Punkt's decisions with the
project's own parameters (a curated list of news abbreviations), so nothing is
downloaded and the split never depends on ``NLTK_DATA``; ``tests/test_segment.py``
holds it to NLTK's ``PunktSentenceTokenizer``.  Word tokens come from NLTK's
Treebank-style tokenizer, which needs no data either.

Sentences never cross a line break: ingest keeps one paragraph per line, and a
heading without punctuation must not be glued to the sentence after it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from nltk.tokenize.destructive import NLTKWordTokenizer

from .segment import ABBREVIATIONS, article_spans, sentence_spans, split_sentences

__all__ = ["Sentence", "sentence_key", "tokenize_article", "split_sentences", "sentence_spans", "word_tokens", "ABBREVIATIONS"]


@lru_cache(maxsize=1)
def _word_tokenizer() -> NLTKWordTokenizer:
    return NLTKWordTokenizer()


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
    """One sentence of an article: ``body[start:end] == text`` (``title[start:end]`` for the headline's, ``part == "title"``)."""

    article_id: str
    sent_idx: int
    start: int
    end: int
    text: str
    tokens: tuple[str, ...]
    part: str = "body"

    @property
    def key(self) -> str:
        """The sentence key gold labels are stored under (:func:`sentence_key`)."""
        return sentence_key(self.article_id, self.text)

    def to_dict(self) -> dict:
        """One line of ``data/interim/sentences.jsonl``."""
        return {
            "article_id": self.article_id,
            "sent_idx": self.sent_idx,
            "part": self.part,
            "key": self.key,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "tokens": list(self.tokens),
        }


def tokenize_article(article_id: str, body: str, title: str | None = None) -> list[Sentence]:
    """Split an article into :class:`Sentence` records with offsets and tokens: the headline's sentences, then the body's."""
    sentences = []
    for i, (part, s, e) in enumerate(article_spans(title, body)):
        text = (body if part == "body" else title)[s:e]
        sentences.append(Sentence(article_id, i, s, e, text, tuple(word_tokens(text)), part))
    return sentences




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
        sentences.extend(s.to_dict() for s in tokenize_article(article.id, article.body, article.title))
    write_jsonl(sentences_out, sentences)
    write_jsonl(articles_out, articles)
    return len(articles), len(sentences)
