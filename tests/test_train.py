"""`make train` reproduces the committed model byte for byte."""

import pytest

from pipeline import paths
from pipeline.label import run as run_label
from pipeline.tokenize import run as run_tokenize
from pipeline.train import run as run_train


@pytest.mark.slow
def test_training_reproduces_the_shipped_model(tmp_path):
    arts, sents = tmp_path / "articles.jsonl", tmp_path / "sentences.jsonl"
    run_tokenize(paths.input_roots(), arts, sents, warn=lambda m: None)
    labels = tmp_path / "labels.jsonl"
    run_label(arts, sents, labels, tmp_path / "reports")
    metrics = run_train(labels, sents, tmp_path / "model", tmp_path / "reports", gold_dir=paths.GOLD)
    for name in ("weights.npz", "manifest.json"):
        assert (tmp_path / "model" / name).read_bytes() == (paths.MODELS / "stance" / name).read_bytes(), name
    clf = metrics["test"]["classifier"]
    assert clf["macro_f1"] > metrics["test"]["labelling functions"]["macro_f1"]
    assert clf["macro_f1"] > metrics["test"]["VADER compound"]["macro_f1"]
