import numpy as np
import pytest

from pipeline import StanceScorer
from pipeline.score import aggregate, format_table

from .conftest import SEEDS

LABELS = ("cooperative", "critical", "neutral")


def test_aggregate_no_osce_content():
    a = aggregate(np.array([[0.9, 0.05, 0.05]]), [False], LABELS)
    assert a["label"] == "no OSCE content" and a["n_osce"] == 0 and a["stance"] == 0.0


def test_aggregate_mixed_and_interval():
    p = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.8, 0.1, 0.1], [0.1, 0.8, 0.1]])
    a = aggregate(p, [True] * 4, LABELS)
    assert a["label"] == "mixed"
    assert a["stance_low"] <= a["stance"] <= a["stance_high"]
    assert a["share_cooperative"] == 0.5 and a["share_critical"] == 0.5


def test_aggregate_thresholds():
    crit = aggregate(np.array([[0.1, 0.8, 0.1], [0.2, 0.5, 0.3]]), [True, True], LABELS)
    assert crit["label"] == "critical" and crit["stance"] == pytest.approx(-0.5)
    flat = aggregate(np.array([[0.3, 0.3, 0.4]]), [True], LABELS)
    assert flat["label"] == "neutral"


@pytest.fixture(scope="module")
def seed_scores():
    return {r.article_id[:3]: r for r in StanceScorer.load().score_files([SEEDS])}


def test_seed_003_is_critical_and_the_others_cooperative(seed_scores):
    assert seed_scores["003"].label == "critical" and seed_scores["003"].stance <= -0.25
    for k in ("000", "001", "002", "004"):
        assert seed_scores[k].label == "cooperative" and seed_scores[k].stance > 0.15, k


# Fixed output of the shipped model on the seeds: regenerate deliberately after `make train`.
PINNED = {  # n_osce counts the headline since headlines are sentences (004's title repeats its first sentence)
    "000": (11, 0.344, "cooperative"),
    "001": (8, 0.329, "cooperative"),
    "002": (14, 0.357, "cooperative"),
    "003": (7, -0.403, "critical"),
    "004": (10, 0.523, "cooperative"),
}


def test_shipped_model_scores_on_seeds_are_pinned(seed_scores):
    got = {k: (r.n_osce, round(r.stance, 3), r.label) for k, r in seed_scores.items()}
    assert got == PINNED


def test_scores_are_deterministic(seed_scores):
    again = {r.article_id[:3]: r for r in StanceScorer.load().score_files([SEEDS])}
    assert {k: r.to_dict() for k, r in again.items()} == {k: r.to_dict() for k, r in seed_scores.items()}


def test_table_has_one_line_per_article(seed_scores):
    table = format_table(list(seed_scores.values()))
    assert len(table.splitlines()) == 6 and "stance" in table.splitlines()[0]


def test_bootstrap_interval_is_numpys_percentile_bit_for_bit():
    from pipeline.score import _percentile

    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 1000):
        values = np.sort(rng.normal(size=n))
        for q in (0.0, 2.5, 50.0, 97.5, 100.0):
            assert _percentile(values, n, q) == float(np.percentile(values, q)), (n, q)


@pytest.mark.parametrize("path", ["compiled", "pure"])
def test_aggregate_is_the_plain_numpy_computation_bit_for_bit(path):
    """The interval from partitioned means and the shares from counts equal the full sort and the per-label means."""
    from contextlib import nullcontext

    from pipeline import native
    from pipeline.score import BOOTSTRAP_SAMPLES, _bootstrap_indices

    if path == "compiled" and native.compiled is None:
        pytest.skip("the compiled core is not built here")
    labels = ("cooperative", "critical", "neutral")
    rng = np.random.default_rng(1)
    for n in (1, 2, 3, 7, 8, 9, 16, 40, 129, 1001):
        p = rng.dirichlet([0.7, 0.7, 0.7], size=n)
        osce = rng.random(n) < 0.8
        osce[0] = True
        with native.pure() if path == "pure" else nullcontext():
            got = aggregate(p, osce, labels)
        q = p[osce]
        per_sentence = q[:, 0] - q[:, 1]
        assert got["stance"] == round(float(per_sentence.mean()), 6), n
        if len(q) > 1000:  # the normal approximation
            half = 1.959964 * float(per_sentence.std()) / np.sqrt(len(q))
            assert (got["stance_low"], got["stance_high"]) == (round(float(per_sentence.mean()) - half, 6),
                                                               round(float(per_sentence.mean()) + half, 6))
        else:
            means = np.sort(per_sentence[_bootstrap_indices(len(q))].mean(axis=1))
            assert len(means) == BOOTSTRAP_SAMPLES
            assert got["stance_low"] == round(float(np.percentile(means, 2.5)), 6), n
            assert got["stance_high"] == round(float(np.percentile(means, 97.5)), 6), n
        for k, name in enumerate(labels):
            assert got["share_" + name] == round(float((q.argmax(axis=1) == k).mean()), 6), n


def test_a_sentence_without_cues_leans_the_way_its_article_does():

    scorer = StanceScorer.load()
    plain = "The OSCE mission presented its report in Vienna on Monday."
    critical = ("The ministry said the OSCE report was biased and politically motivated.\n\n" + plain +
                "\n\nOfficials called the ODIHR findings unfounded and one-sided.")
    cooperative = ("The minister thanked the OSCE mission for its professional work.\n\n" + plain +
                   "\n\nOfficials welcomed the ODIHR recommendations and pledged to implement them.")
    p_crit = scorer.score_article(critical, sentiment=False).sentences[1].probabilities
    p_coop = scorer.score_article(cooperative, sentiment=False).sentences[1].probabilities
    assert p_crit["critical"] > p_coop["critical"] and p_coop["cooperative"] > p_crit["cooperative"]


def test_a_saved_news_page_around_the_critical_seed_scores_as_the_seed(seed_scores):
    # Site chrome, menus, currency rates, related and most-read lists, cookie banner, scripts and footer (the team's own).
    from .conftest import FIXTURES

    [page] = StanceScorer.load().score_files([FIXTURES / "saved_page_critical_seed.html"])
    seed = seed_scores["003"]
    assert abs(page.stance - seed.stance) <= 0.1 and page.label == seed.label == "critical"
    assert page.date == "2022-11-22" and page.title == seed.title and page.n_osce == seed.n_osce
