"""`make train` reproduces the committed model byte for byte, and keeps it when nothing it was trained from changed."""

import json
import shutil

import pytest

from pipeline import paths
from pipeline.cli import main
from pipeline.label import run as run_label
from pipeline.tokenize import run as run_tokenize
from pipeline.train import up_to_date


@pytest.fixture(scope="module")
def training_inputs(tmp_path_factory):
    """The sentences and weak labels `make train` reads, built from the shipped seeds and data/raw.

    Built here, not read from data/, because a clean clone (as CI gets it) has run no stage yet.
    """
    work = tmp_path_factory.mktemp("inputs")
    arts, sents = work / "articles.jsonl", work / "sentences.jsonl"
    run_tokenize(paths.input_roots(), arts, sents, warn=lambda m: None)
    labels = work / "labels.jsonl"
    run_label(arts, sents, labels, work / "reports")
    return labels, sents


@pytest.mark.slow
def test_training_reproduces_the_shipped_model(tmp_path, training_inputs):
    labels, sents = training_inputs
    # As `make train` runs it: in a fresh interpreter with the vector kernels pinned (pipeline.train.REPRODUCIBLE_ENV).
    argv = ["train", "--force", "--labels", str(labels), "--sentences", str(sents), "--model", str(tmp_path / "model"),
            "--reports", str(tmp_path / "reports")]
    assert main(argv) == 0
    metrics = json.loads((tmp_path / "reports" / "metrics.json").read_text())
    for name in ("weights.npz", "manifest.json"):
        assert (tmp_path / "model" / name).read_bytes() == (paths.MODELS / "stance" / name).read_bytes(), name
    clf = metrics["test"]["classifier"]
    assert clf["macro_f1"] > metrics["test"]["labelling functions"]["macro_f1"]
    assert clf["macro_f1"] > metrics["test"]["VADER compound"]["macro_f1"]


def test_train_keeps_a_model_whose_manifest_records_these_inputs_and_code(tmp_path, capsys, training_inputs):
    # A fresh checkout: Make sees the model as older than its inputs, but nothing it was trained from changed.
    labels, sents = training_inputs
    model, reports = tmp_path / "model", tmp_path / "reports"
    shutil.copytree(paths.MODELS / "stance", model)
    reports.mkdir()
    for name in ("training.md", "metrics.json"):
        shutil.copy(paths.REPORTS / name, reports / name)
    before = (model / "weights.npz").read_bytes()
    argv = ["train", "--labels", str(labels), "--sentences", str(sents), "--model", str(model), "--reports", str(reports)]
    assert main(argv) == 0
    assert "already holds the model" in capsys.readouterr().out and (model / "weights.npz").read_bytes() == before

    changed = tmp_path / "labels.jsonl"
    changed.write_bytes(labels.read_bytes() + b"\n")
    assert not up_to_date(changed, sents, model, reports, gold_dir=paths.GOLD)
    (reports / "metrics.json").unlink()
    assert not up_to_date(labels, sents, model, reports, gold_dir=paths.GOLD)
