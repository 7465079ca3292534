"""Round six, held out (scripts/holdout.py): every sentence has two readings and a final label, and no stage reads it."""

import json
import sys

import pytest

from pipeline import paths
from pipeline.metrics import LABELS

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import holdout  # noqa: E402


def test_every_held_out_sentence_has_both_readings_and_a_final_label():
    texts, rows = holdout.load()
    rulings = json.loads((holdout.HOLDOUT / "adjudications.json").read_text(encoding="utf-8"))
    assert len(texts) >= 100 and len(rows) >= 1500
    assert all(r["label"] in LABELS and r["first"] in LABELS and r["second"] in LABELS for r in rows)
    assert {r["id"] for r in rows if r["first"] != r["second"]} <= set(rulings)
    for r in rows:
        expected = r["first"] if r["first"] == r["second"] else rulings[r["id"]][0]
        assert r["label"] == expected
        assert texts[r["excerpt"]][r["start"]:r["end"]]  # located in its article


def test_no_stage_reads_the_held_out_round():
    held_out = {p.stem for p in (holdout.HOLDOUT / "corpus").glob("*.txt")}
    read = {p.stem for root in paths.input_roots() for p in root.rglob("*.txt")}
    assert held_out and not held_out & read
    splits = json.loads((ROOT / "data" / "gold" / "splits.json").read_text(encoding="utf-8"))
    assert not held_out & {a for k in ("train", "dev", "test") for a in splits[k]}
    assert not {p.name for p in (holdout.HOLDOUT / "drafts").glob("*.jsonl")} & {p.name for p in (ROOT / "data/gold/drafts").glob("*.jsonl")}


def _folder(tmp_path, second_label, rulings):
    for sub in ("corpus", "drafts", "readers"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "corpus" / "xx-2020-a.txt").write_text(" date 2020-01-01 Title\n\nThe minister thanked the OSCE mission.\n")
    (tmp_path / "drafts" / "writer_zz.jsonl").write_text(json.dumps(
        {"article_id": "xx-2020-a", "text": "The minister thanked the OSCE mission.", "label": "cooperative", "osce": True}) + "\n")
    (tmp_path / "readers" / "writer_zz.reader.jsonl").write_text(json.dumps({"n": 0, "label": second_label, "osce": True}) + "\n")
    (tmp_path / "adjudications.json").write_text(json.dumps(rulings))
    return tmp_path


def test_a_disagreement_takes_its_ruling_and_needs_one(tmp_path):
    _, rows = holdout.load(_folder(tmp_path / "a", "neutral", {"zz0": ["neutral", "why"]}))
    assert [(r["first"], r["second"], r["label"]) for r in rows] == [("cooperative", "neutral", "neutral")]
    with pytest.raises(holdout.HoldoutError, match="no ruling"):
        holdout.load(_folder(tmp_path / "b", "neutral", {}))
