"""The numpy core computes exactly what the scikit-learn model computes, and loads safely."""

import json
import shutil

import numpy as np
import pytest

from pipeline import paths
from pipeline.core import LinearModel, ModelError
from pipeline.features import article_documents
from pipeline.gold import load_gold
from pipeline.label import contexts_for_article
from pipeline.train import export_model, make_pipeline

SHIPPED = paths.MODELS / "stance"  # the checkout's copy of the package data


@pytest.fixture(scope="module")
def gold_docs():
    gold = load_gold()
    by_article = {}
    for g in gold.values():
        by_article.setdefault(g["article_id"], []).append(g)
    docs, y, articles = [], [], []
    for rows in by_article.values():
        ctx = contexts_for_article([r["text"] for r in rows])
        texts, osce = [r["text"] for r in rows], [c.concerns for c in ctx]
        docs += article_documents(texts, osce)
        y += [("cooperative", "critical", "neutral").index(r["label"]) for r in rows]
        articles.append((texts, osce))
    return docs, np.array(y), articles


@pytest.fixture(scope="module")
def fitted(gold_docs, tmp_path_factory):
    docs, y, _ = gold_docs
    model = make_pipeline(C=1.0).fit(docs[::2], y[::2])
    folder = tmp_path_factory.mktemp("model")
    export_model(model, folder, {"params": {"C": 1.0}})
    return model, LinearModel.load(folder), folder


def test_core_matches_sklearn_on_the_whole_gold_set(gold_docs, fitted):
    docs, _, articles = gold_docs
    model, core, _ = fitted
    by_article = np.vstack([core.predict_proba(texts, osce, same_article=True) for texts, osce in articles])
    assert np.abs(by_article - model.predict_proba(docs)).max() <= 1e-9
    assert np.abs(core.predict_documents(docs) - model.predict_proba(docs)).max() <= 1e-9
    assert len(docs) >= 1500


def test_shipped_model_is_small_and_self_describing():
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    for key in ("format_version", "model_version", "labels", "features", "library_versions", "training_inputs_sha256", "metrics"):
        assert key in manifest
    assert manifest["labels"] == ["cooperative", "critical", "neutral"]
    size = sum(p.stat().st_size for p in SHIPPED.iterdir())
    assert size < 5 * 1024 * 1024


def _copy(src, tmp_path):
    dst = tmp_path / "model"
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: (d / "manifest.json").write_text("{not json"), "not valid JSON"),
        (lambda d: (d / "manifest.json").unlink(), "manifest.json: missing"),
        (lambda d: (d / "weights.npz").unlink(), "weights.npz: missing"),
        (lambda d: (d / "weights.npz").write_bytes((d / "weights.npz").read_bytes()[:1000]), "unreadable"),
        (lambda d: (d / "manifest.json").write_text(json.dumps({**json.loads((d / "manifest.json").read_text()), "format_version": 99})),
         "format version 99"),
        (lambda d: (d / "manifest.json").write_text(json.dumps({**json.loads((d / "manifest.json").read_text()),
                                                                "labels": ["a", "b"]})), "shape"),
    ],
)
def test_tampered_model_gives_a_clear_error(tmp_path, damage, message):
    folder = _copy(SHIPPED, tmp_path)
    damage(folder)
    with pytest.raises(ModelError, match=message) as info:
        LinearModel.load(folder)
    assert "make train" in str(info.value)


def test_pickled_arrays_are_refused(tmp_path, fitted):
    folder = _copy(fitted[2], tmp_path)
    with np.load(folder / "weights.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["idf"] = np.array([object()] * 3, dtype=object)
    np.savez(folder / "weights.npz", **arrays)
    with pytest.raises(ModelError):
        LinearModel.load(folder)


def test_small_batches_in_plain_python_equal_the_numpy_path(gold_docs):
    model = LinearModel.load(SHIPPED)
    docs = gold_docs[0][:400]
    batch = model.decision(docs)  # more than SMALL_BATCH documents: numpy
    one_by_one = np.vstack([model.decision([d]) for d in docs])
    assert np.abs(batch - one_by_one).max() < 1e-12
    single = np.vstack([model.predict_documents([d]) for d in docs[:50]])
    assert np.abs(single - model.predict_documents(docs[:50])).max() < 1e-12
    assert model.decision([]).shape == (0, 3) and model.predict_proba([], []).shape == (0, 3)


def test_contributions_add_up_to_the_linear_scores_of_every_seed_sentence(seed_articles):
    # The report's "why" is exact: intercept + the features' contributions = the score the label came from.
    from pipeline.api import StanceScorer
    from pipeline.score import explain

    scorer = StanceScorer.load()
    model = scorer.model
    for article in seed_articles.values():
        result = scorer.score_parsed(article, sentiment=False)
        parts = explain(article, model)
        assert len(parts) == len(result.sentences)
        for sentence, features in zip(result.sentences, parts):
            logits = model.intercept + np.sum([c for _, c in features], axis=0)
            probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
            assert np.allclose(probabilities, [sentence.probabilities[k] for k in model.labels], atol=1e-6)
            assert model.labels[int(logits.argmax())] == sentence.label
            assert all(name in model.index for name, _ in features)
