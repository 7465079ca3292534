import os

import numpy as np
import pytest

from pipeline import StanceScorer
from pipeline.core import ModelError

from .conftest import SEEDS


@pytest.fixture(scope="module")
def scorer():
    return StanceScorer.load()


def test_labels_and_probabilities(scorer):
    assert scorer.labels == ("cooperative", "critical", "neutral")
    p = scorer.predict_proba(["The minister thanked the ODIHR mission.", "Wheat prices rose."])
    assert p.shape == (2, 3)
    assert np.allclose(p.sum(axis=1), 1.0) and (p >= 0).all() and (p <= 1).all()


# Minimum functionality: one clear sentence per label.
@pytest.mark.parametrize(
    "sentence, label",
    [
        ("The minister thanked the ODIHR mission for its professional work.", "cooperative"),
        ("The government welcomed the OSCE recommendations and pledged to implement them.", "cooperative"),
        ("The ministry said the ODIHR statement was biased and politically motivated.", "critical"),
        ("Officials refused to invite OSCE observers to the election.", "critical"),
        ("The ODIHR mission deployed 30 long-term observers on Monday.", "neutral"),
        ("Wheat prices rose for the third week in a row.", "neutral"),
    ],
)
def test_minimum_functionality(scorer, sentence, label):
    assert scorer.predict([sentence]) == [label]


# Invariance: the host country's name does not decide the stance.
@pytest.mark.parametrize("country", ["Kazakhstan", "Georgia", "Serbia", "Moldova", "Mongolia"])
def test_country_swap_does_not_flip_labels(scorer, country):
    template = [
        "The foreign minister of {c} thanked the ODIHR observers for their work.",
        "{c}'s election commission rejected the ODIHR report as one-sided.",
        "The ODIHR mission to {c} will publish its final report in two months.",
    ]
    assert scorer.predict([t.format(c=country) for t in template]) == ["cooperative", "critical", "neutral"]


# Direction: adding a disparaging word moves a sentence toward critical.
@pytest.mark.parametrize(
    "plain, loaded",
    [
        ("The ministry received the ODIHR report on the election.",
         "The ministry received the unsubstantiated ODIHR report on the election."),
        ("The statement of the OSCE mission discussed the campaign.",
         "The so-called statement of the OSCE mission discussed the campaign."),
        ("The OSCE mission published its findings on the vote.",
         "The OSCE mission published its biased findings on the vote."),
    ],
)
def test_disparaging_words_move_toward_critical(scorer, plain, loaded):
    p_plain, p_loaded = scorer.predict_proba([plain, loaded])
    assert p_loaded[1] > p_plain[1]
    assert p_loaded[0] - p_loaded[1] < p_plain[0] - p_plain[1]


def test_a_strong_accusation_flips_the_label(scorer):
    assert scorer.predict(["The OSCE mission published its biased findings on the vote."]) == ["critical"]


def test_score_article_from_text_and_files(scorer):
    text = (SEEDS / "001_3da28d9cabf94069.txt").read_text(encoding="utf-8")
    result = scorer.score_article(text, "001")
    assert result.n_osce >= 5 and -1 <= result.stance <= 1
    d = result.to_dict()
    assert d["sentences"][0]["probabilities"].keys() == {"cooperative", "critical", "neutral"}
    via_files = {r.article_id: r for r in scorer.score_files([SEEDS])}
    assert via_files["001_3da28d9cabf94069"].stance == result.stance


def test_score_files_reports_bad_files_to_the_callback(scorer, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "ok.txt").write_text(" date 2020-02-02 OSCE visit\n\nThe OSCE chair thanked the hosts for their warm welcome.\n")
    errors = []
    results = list(scorer.score_files([tmp_path], on_error=lambda where, e: errors.append(os.path.basename(where))))
    assert [r.article_id for r in results] == ["ok"] and errors == ["empty.txt"]
    with pytest.raises(Exception, match="empty"):
        list(scorer.score_files([tmp_path]))


def test_load_from_a_missing_folder_names_the_fix(tmp_path):
    with pytest.raises(ModelError, match="make train"):
        StanceScorer.load(tmp_path / "nope")


def test_processes_give_the_same_results_and_errors_in_the_same_order(scorer, generated_jsonl, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    inputs = [folder, generated_jsonl]

    def run(jobs):
        errors = []
        results = [r.to_dict() for r in scorer.score_files(inputs, on_error=lambda where, exc: errors.append(where), jobs=jobs,
                                                           sentiment=False)]
        return results, errors

    one = run(1)
    assert run(2) == one  # 245 articles in 16 chunks over two processes
    assert len(one[0]) == 245 and len(one[1]) == 2  # the empty file and the bad JSON line


def test_processes_score_with_this_scorers_model_even_after_the_folder_changed(tmp_path):
    import shutil

    from pipeline.api import shipped_model

    folder = tmp_path / "model"
    shutil.copytree(shipped_model()[0], folder)
    first = StanceScorer.load(folder)
    assert list(first.score_files([SEEDS], jobs=2, sentiment=False))  # a pool has now run with `first`
    with np.load(folder / "weights.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["intercept"] = arrays["intercept"] + np.array([0.0, 1.5, 0.0])  # a retrained model, more critical
    np.savez(folder / "weights.npz", **arrays)
    second = StanceScorer.load(folder)
    alone = [r.stance for r in second.score_files([SEEDS], sentiment=False)]
    assert alone != [r.stance for r in first.score_files([SEEDS], sentiment=False)]
    assert [r.stance for r in second.score_files([SEEDS], jobs=2, sentiment=False)] == alone
