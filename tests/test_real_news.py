"""The real-news yardstick's tooling (scripts/real_news.py): what `make real` measures, on a small set of our own.

The yardstick's texts are third-party and never in git, so `make test` cannot read them; these tests hold the
measuring code to what it promises on excerpts written here, and `make real` to a clear message without a cache.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import real_news  # noqa: E402

from pipeline import StanceScorer  # noqa: E402

EXCERPTS = {
    "rn-a": "Minsk refuses to invite OSCE observers\nThe Foreign Ministry said the ODIHR report was biased and one-sided.\n"
            "Share this article\nWheat prices rose in the spring.",
    "rn-b": "The minister thanked the OSCE mission for its constructive work.\nThe delegation also praised the Office.",
}


def _gold(excerpt: str, text: str, labels: list[str]) -> list[dict]:
    spans = real_news.spans(text)
    assert len(spans) == len(labels)
    return [{"id": f"{excerpt}:{i}", "excerpt": excerpt, "idx": i, "start": s, "end": e, "label": label}
            for i, ((s, e), label) in enumerate(zip(spans, labels))]


def test_measure_maps_every_gold_sentence_to_the_products_verdict():
    gold = _gold("rn-a", EXCERPTS["rn-a"], ["critical", "critical", "neutral", "neutral"]) + \
        _gold("rn-b", EXCERPTS["rn-b"], ["cooperative", "cooperative"])
    m = real_news.measure(StanceScorer.load(), EXCERPTS, gold)
    assert m["in_context"]["n"] == m["alone"]["n"] == 6 and m["n_excerpts"] == 2
    assert m["in_context"]["accuracy"] >= 5 / 6  # the headline is scored, the menu line is neutral
    assert m["article_sign"] == {"n": 2, "agreement": 1.0, "wrong_sign": 0, "zero": 0}
    assert 0 <= m["calibration"]["ece"] <= 1


def test_a_dropped_line_counts_as_neutral():
    text = EXCERPTS["rn-a"]
    result = StanceScorer.load().score_article(text, sentiment=False)
    gold = _gold("rn-a", text, ["critical", "critical", "neutral", "neutral"])
    labels, probabilities = real_news.product_labels(text, gold, result)
    assert "Share this article" not in [s.text for s in result.sentences]  # boilerplate never reaches the model
    assert labels[2] == "neutral" and probabilities[2] is None
    assert labels[3] == "neutral"  # not about the OSCE


def test_make_real_reads_every_invariance_edit_on_the_yardstick():
    texts = {"rn-c": "Minsk rejects the OSCE\u2019s report\nThe ministry said the ODIHR \u201cdoesn\u2019t\u201d understand Belarus.\n"
                     "Russia\u2019s envoy praised the OSCE mission.", **EXCERPTS}
    gold = [g for k, labels in (("rn-a", ["critical", "critical", "neutral", "neutral"]), ("rn-b", ["cooperative"] * 2),
                                ("rn-c", ["critical", "critical", "cooperative"])) for g in _gold(k, texts[k], labels)]
    rows = real_news.invariance(StanceScorer.load(), texts, gold)
    by_edit = {r["edit"]: r for r in rows}
    assert by_edit["OSCE -> Organization for Security and Co-operation in Europe"]["touched"] == 4
    assert by_edit["ODIHR -> Office for Democratic Institutions & Human Rights"]["touched"] == 2
    assert by_edit["Russia -> Belarus"]["touched"] == 1 and by_edit["quotes"]["touched"] == 3
    assert all(r["ok"] and r["moved"] == 0 for r in rows), [r for r in rows if r["moved"]]


def test_gold_article_sign_needs_a_clear_lean():
    assert real_news.gold_article_sign(["critical", "critical", "cooperative"]) == -1
    assert real_news.gold_article_sign(["critical", "cooperative", "neutral"]) == 0
    assert real_news.gold_article_sign(["neutral"]) == 0


def test_calibration_error_of_a_perfectly_calibrated_and_an_overconfident_model():
    assert real_news.calibration_error([0.8] * 10, [1] * 8 + [0] * 2) == pytest.approx(0.0)
    assert real_news.calibration_error([1.0] * 10, [1] * 5 + [0] * 5) == pytest.approx(0.5)


def test_make_real_without_the_cache_says_so_and_exits_2(tmp_path):
    script = tmp_path / "scripts" / "real_news.py"
    script.parent.mkdir()
    script.write_text((ROOT / "scripts" / "real_news.py").read_text(encoding="utf-8"))
    (tmp_path / "data" / "real").mkdir(parents=True)
    for name in ("manifest.jsonl", "labels.jsonl"):
        (tmp_path / "data" / "real" / name).write_text((ROOT / "data" / "real" / name).read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if k != "OSCE_REAL_CACHE"}
    result = subprocess.run([sys.executable, str(script), "evaluate"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "not cached here" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "reports").exists()


def test_the_committed_yardstick_holds_no_third_party_text():
    manifest = [json.loads(line) for line in open(ROOT / "data/real/manifest.jsonl", encoding="utf-8")]
    labels = [json.loads(line) for line in open(ROOT / "data/real/labels.jsonl", encoding="utf-8")]
    assert len(manifest) >= 200 and len({r["domain"] for r in manifest}) >= 100
    assert all(set(r) <= {"id", "url", "domain", "query", "sha1", "country", "year", "register", "gatherer", "n_sentences"}
               for r in manifest)
    assert all("text" not in r for r in labels) and {r["label"] for r in labels} == {"cooperative", "critical", "neutral"}
    assert {r["excerpt"] for r in labels} == {r["id"] for r in manifest}
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/real/cache/texts/x.txt"], cwd=ROOT)
    assert ignored.returncode == 0, "the cache of third-party texts must be ignored by git"
