"""Data tests: the corpus, the gold labels and the split are what the reports claim."""

import json
from collections import Counter

import pytest

from pipeline import paths
from pipeline.gold import LABEL_SET, load_gold, load_splits


@pytest.fixture(scope="module")
def sentence_keys(corpus_sentences):
    return {s.key: s.text for s in corpus_sentences}


def test_corpus_size_and_format():
    files = sorted((paths.RAW / "corpus").glob("*.txt"))
    assert len(files) >= 150
    for f in files:
        first = f.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first.startswith(" date ") and len(first.split()) >= 3, f


def test_gold_label_set_and_unique_keys():
    rows = []
    for name in ("seeds.jsonl", "corpus.jsonl"):
        rows += [json.loads(line) for line in open(paths.GOLD / name, encoding="utf-8")]
    assert {r["label"] for r in rows} == LABEL_SET
    assert len({r["key"] for r in rows}) == len(rows)
    assert len(rows) >= 1500


def test_every_gold_key_resolves_to_the_same_sentence(sentence_keys):
    gold = load_gold()
    unresolved = [k for k in gold if k not in sentence_keys]
    assert not unresolved, f"{len(unresolved)} gold keys no longer resolve, e.g. {unresolved[:3]}"
    assert all(sentence_keys[k] == g["text"] for k, g in gold.items())


def test_every_seed_sentence_is_gold(sentence_keys):
    gold = load_gold()
    seed_ids = {p.stem for p in paths.SEEDS.glob("*.txt")}
    seed_keys = [k for k in sentence_keys if k.split(":")[0] in seed_ids]
    assert seed_keys and all(k in gold for k in seed_keys)


def test_split_by_article_with_seeds_in_test():
    data = json.loads((paths.GOLD / "splits.json").read_text())
    seen = Counter(a for split in ("train", "dev", "test") for a in data[split])
    assert max(seen.values()) == 1, "an article is in two splits"
    splits = load_splits()
    assert all(splits[p.stem] == "test" for p in paths.SEEDS.glob("*.txt"))
    gold = load_gold()
    per_split = Counter(splits[g["article_id"]] for g in gold.values())
    assert per_split["test"] >= 400
    assert set(g["article_id"] for g in gold.values()) <= set(splits)


def test_second_reader_sample_and_adjudication():
    gold = load_gold()
    second = [json.loads(line) for line in open(paths.GOLD / "second_pass.jsonl", encoding="utf-8")]
    assert len(second) >= 250 and all(r["key"] in gold for r in second)
    adjudicated = [json.loads(line) for line in open(paths.GOLD / "adjudication.jsonl", encoding="utf-8")]
    assert all(gold[a["key"]]["label"] == a["final"] for a in adjudicated)


# Rounds four and five were written in the registers, and at the class balance, of real news.
REAL_REGISTER_WRITERS = ("writer_y", "writer_z", "writer_aa", "writer_ab", "writer_ac", "writer_ad", "writer_ae", "writer_af",
                         "writer_ag", "writer_ah", "writer_ai", "writer_aj", "writer_ak", "writer_al", "writer_am")


def _draft_rows(real_registers: bool) -> list[dict]:
    rows = []
    for f in sorted((paths.GOLD / "drafts").glob("writer_*.jsonl")):
        if (f.stem in REAL_REGISTER_WRITERS) == real_registers:
            rows += [json.loads(line) for line in open(f, encoding="utf-8") if line.strip()]
    return rows


def test_first_rounds_give_both_stances_thirty_percent_of_osce_sentences():
    osce = [r["label"] for r in _draft_rows(real_registers=False) if r["osce"]]
    counts = Counter(osce)
    assert counts["critical"] / len(osce) >= 0.30
    assert counts["cooperative"] / len(osce) >= 0.30


def test_later_rounds_follow_real_news_balance():
    # Real news about the OSCE is mostly neutral (62 / 28 / 11 on the real-news yardstick).
    rows = _draft_rows(real_registers=True)
    counts = Counter(r["label"] for r in rows)
    assert len(rows) >= 4000 and sum(r.get("title", False) for r in rows) >= 300  # headlines are labelled
    assert 0.5 <= counts["neutral"] / len(rows) <= 0.7
    assert counts["critical"] / len(rows) >= 0.2 and counts["cooperative"] / len(rows) >= 0.1
