"""Benchmarks: the inference core against its peers, measured side by side in one run.

`make bench` times them and writes reports/bench.md; `make test` runs each once, untimed
(--benchmark-disable), with small inputs, so every benchmark's result assertion is checked.
Groups: one sentence, one article, 10,000 sentences, 2,000 articles from files.  In each:
the core (with its compiled half, pipeline/_native.c), the same core on the pure-Python
reference path (``*_pure``, what OSCE_STANCE_PURE=1 runs), the same model as a scikit-learn
Pipeline (per call and batched), VADER, and the floor (reading the text once with re.findall).
"""

import os
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline import StanceScorer, native, paths
from pipeline.features import ALONE, analyze, article_documents, document
from pipeline.ingest import iter_article_files, parse_article, read_article
from pipeline.score import aggregate
from pipeline.segment import article_spans
from pipeline.target import concerns_alone, detect
from pipeline.tokenize import split_sentences

SMOKE = os.environ.get("BENCH_FULL") != "1"
N_SENTENCES = 200 if SMOKE else 10_000
N_ARTICLES = 40 if SMOKE else 2_000
ROUNDS = 1 if SMOKE else 5
WORD = re.compile(r"\w+")


@pytest.fixture(scope="module")
def scorer():
    return StanceScorer.load()


@pytest.fixture(scope="module")
def sklearn_pipeline(scorer):
    """The shipped model as a scikit-learn Pipeline, rebuilt from the same arrays."""
    m = scorer.model
    vocab = {f: i for f, i in m.index.items()}
    vec = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, vocabulary=vocab, dtype=np.float64)
    vec.idf_ = m.idf
    clf = LogisticRegression()
    clf.classes_, clf.coef_, clf.intercept_, clf.n_features_in_ = np.arange(len(m.labels)), m.coef, m.intercept, len(vocab)
    return Pipeline([("tfidf", vec), ("clf", clf)])


@pytest.fixture
def pure():
    """Run the core on its pure-Python reference path for one benchmark (the compiled half switched off)."""
    if native.compiled is None:
        pytest.skip("the compiled core is not built here: the core rows are the pure path already")
    with native.pure():
        yield


@pytest.fixture(scope="module")
def vader():
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def seed_texts():
    return [p.read_text(encoding="utf-8") for p in sorted(paths.SEEDS.glob("*.txt"))]


@pytest.fixture(scope="module")
def sentences(seed_texts):
    pool = [s for t in seed_texts for s in split_sentences(parse_article(t, "x").body)]
    return [pool[i % len(pool)] for i in range(N_SENTENCES)]


@pytest.fixture(scope="module")
def article_files(tmp_path_factory, seed_texts):
    folder = tmp_path_factory.mktemp("articles")
    corpus = [p.read_text(encoding="utf-8") for p in sorted((paths.RAW / "corpus").glob("*.txt"))] or seed_texts
    texts = seed_texts + corpus
    for i in range(N_ARTICLES):
        (folder / f"a{i:05d}.txt").write_text(texts[i % len(texts)], encoding="utf-8")
    return folder


def _article_texts(article):
    return [(article.body if part == "body" else article.title)[s:e] for part, s, e in article_spans(article.title, article.body)]


def _sklearn_score(pipe, article):
    texts = _article_texts(article)
    osce = [t.concerns for t in detect(texts, article.title)]
    p = pipe.predict_proba(article_documents(texts, osce)) if texts else np.zeros((0, 3))
    return aggregate(p, osce, ("cooperative", "critical", "neutral"))


def _vader_article(vader, article):
    return [vader.polarity_scores(s)["compound"] for s in _article_texts(article)]


# ------------------------------------------------------------------ 1. one sentence

SENTENCE = ("The Deputy Minister thanked the observers for their work and said that Kazakhstan appreciates the "
            "international support of the OSCE in the sphere of democratic development of our country.")


@pytest.mark.benchmark(group="1 one sentence")
def test_sentence_core(benchmark, scorer):
    p = benchmark(scorer.predict_proba, [SENTENCE])
    assert scorer.labels[int(p[0].argmax())] == "cooperative"


@pytest.mark.benchmark(group="1 one sentence")
def test_sentence_core_pure(benchmark, scorer, pure):
    p = benchmark(scorer.predict_proba, [SENTENCE])
    assert scorer.labels[int(p[0].argmax())] == "cooperative"


@pytest.mark.benchmark(group="1 one sentence")
def test_sentence_sklearn_per_call(benchmark, scorer, sklearn_pipeline):
    p = benchmark(lambda: sklearn_pipeline.predict_proba([document(SENTENCE, concerns_alone(SENTENCE), ALONE)]))
    assert np.abs(p - scorer.predict_proba([SENTENCE])).max() < 1e-9


@pytest.mark.benchmark(group="1 one sentence")
def test_sentence_vader(benchmark, vader):
    assert benchmark(vader.polarity_scores, SENTENCE)["compound"] > 0.5


@pytest.mark.benchmark(group="1 one sentence")
def test_sentence_floor(benchmark):
    assert len(benchmark(lambda: WORD.findall(SENTENCE.lower()))) > 20


# ------------------------------------------------------------------ 2. one article

@pytest.mark.benchmark(group="2 one article")
def test_article_core(benchmark, scorer, seed_texts):
    result = benchmark(scorer.score_article, seed_texts[3])
    assert result.label == "critical"


@pytest.mark.benchmark(group="2 one article")
def test_article_core_without_sentiment(benchmark, scorer, seed_texts):
    result = benchmark(scorer.score_article, seed_texts[3], sentiment=False)
    assert result.label == "critical" and result.sentiment is None


@pytest.mark.benchmark(group="2 one article")
def test_article_core_pure_without_sentiment(benchmark, scorer, seed_texts, pure):
    result = benchmark(scorer.score_article, seed_texts[3], sentiment=False)
    assert result.label == "critical" and result.sentiment is None


@pytest.mark.benchmark(group="2 one article")
def test_article_sklearn(benchmark, sklearn_pipeline, seed_texts, scorer):
    summary = benchmark(lambda: _sklearn_score(sklearn_pipeline, parse_article(seed_texts[3], "003")))
    assert summary["label"] == "critical"
    assert summary["stance"] == pytest.approx(scorer.score_article(seed_texts[3]).stance, abs=1e-6)


@pytest.mark.benchmark(group="2 one article")
def test_article_vader(benchmark, vader, seed_texts):
    compounds = benchmark(lambda: _vader_article(vader, parse_article(seed_texts[3], "003")))
    assert len(compounds) == 7  # the headline and six body sentences


@pytest.mark.benchmark(group="2 one article")
def test_article_floor(benchmark, seed_texts):
    assert len(benchmark(lambda: WORD.findall(seed_texts[3].lower()))) > 200


# ------------------------------------------------------------------ 3. many sentences

@pytest.mark.benchmark(group="3 sentences, batch")
def test_batch_core(benchmark, scorer, sentences):
    p = benchmark.pedantic(scorer.predict_proba, args=(sentences,), rounds=ROUNDS, iterations=1)
    assert p.shape == (N_SENTENCES, 3) and np.allclose(p.sum(axis=1), 1)


@pytest.mark.benchmark(group="3 sentences, batch")
def test_batch_core_pure(benchmark, scorer, sentences, pure):
    p = benchmark.pedantic(scorer.predict_proba, args=(sentences,), rounds=ROUNDS, iterations=1)
    assert p.shape == (N_SENTENCES, 3) and np.allclose(p.sum(axis=1), 1)


@pytest.mark.benchmark(group="3 sentences, batch")
def test_batch_sklearn(benchmark, scorer, sklearn_pipeline, sentences):
    # the same work as the core: target detection per sentence, then the model
    p = benchmark.pedantic(lambda: sklearn_pipeline.predict_proba([document(s, concerns_alone(s), ALONE) for s in sentences]),
                           rounds=ROUNDS, iterations=1)
    assert np.abs(p - scorer.predict_proba(sentences)).max() < 1e-9


@pytest.mark.benchmark(group="3 sentences, batch")
def test_batch_sklearn_per_call(benchmark, sklearn_pipeline, sentences):
    out = benchmark.pedantic(lambda: [sklearn_pipeline.predict_proba([document(s, concerns_alone(s), ALONE)]) for s in sentences],
                             rounds=1, iterations=1)
    assert len(out) == N_SENTENCES


@pytest.mark.benchmark(group="3 sentences, batch")
def test_batch_vader(benchmark, vader, sentences):
    out = benchmark.pedantic(lambda: [vader.polarity_scores(s) for s in sentences], rounds=ROUNDS, iterations=1)
    assert len(out) == N_SENTENCES


@pytest.mark.benchmark(group="3 sentences, batch")
def test_batch_floor(benchmark, sentences):
    out = benchmark.pedantic(lambda: [WORD.findall(s.lower()) for s in sentences], rounds=ROUNDS, iterations=1)
    assert len(out) == N_SENTENCES


# ------------------------------------------------------------------ 4. articles from files

@pytest.mark.benchmark(group="4 articles from files")
def test_files_core(benchmark, scorer, article_files):
    results = benchmark.pedantic(lambda: list(scorer.score_files([article_files])), rounds=1, iterations=1)
    assert len(results) == N_ARTICLES and all(-1 <= r.stance <= 1 for r in results)


@pytest.mark.benchmark(group="4 articles from files")
def test_files_core_without_sentiment(benchmark, scorer, article_files):
    # the same work as the scikit-learn and VADER rows, which measure no tone beside the stance
    results = benchmark.pedantic(lambda: list(scorer.score_files([article_files], sentiment=False)), rounds=1, iterations=1)
    assert len(results) == N_ARTICLES and all(r.sentiment is None for r in results)


@pytest.mark.benchmark(group="4 articles from files")
def test_files_core_pure_without_sentiment(benchmark, scorer, article_files, pure):
    results = benchmark.pedantic(lambda: list(scorer.score_files([article_files], sentiment=False)), rounds=1, iterations=1)
    assert len(results) == N_ARTICLES and all(r.sentiment is None for r in results)


@pytest.mark.benchmark(group="4 articles from files")
def test_files_core_two_jobs(benchmark, scorer, article_files):
    results = benchmark.pedantic(lambda: list(scorer.score_files([article_files], jobs=2)), rounds=1, iterations=1)
    assert [r.to_dict() for r in results[:20]] == [r.to_dict() for r in scorer.score_files(sorted(article_files.glob("*.txt"))[:20])]


@pytest.mark.benchmark(group="4 articles from files")
def test_files_sklearn(benchmark, sklearn_pipeline, article_files):
    out = benchmark.pedantic(lambda: [_sklearn_score(sklearn_pipeline, read_article(p)) for p in iter_article_files([article_files])],
                             rounds=1, iterations=1)
    assert len(out) == N_ARTICLES


@pytest.mark.benchmark(group="4 articles from files")
def test_files_vader(benchmark, vader, article_files):
    out = benchmark.pedantic(lambda: [_vader_article(vader, read_article(p)) for p in iter_article_files([article_files])],
                             rounds=1, iterations=1)
    assert len(out) == N_ARTICLES


@pytest.mark.benchmark(group="4 articles from files")
def test_files_floor(benchmark, article_files):
    out = benchmark.pedantic(lambda: [WORD.findall(Path(p).read_text(encoding="utf-8").lower()) for p in iter_article_files([article_files])],
                             rounds=1, iterations=1)
    assert len(out) == N_ARTICLES
