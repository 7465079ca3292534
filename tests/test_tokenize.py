import json
import os
import subprocess
import sys

import pytest

from pipeline.tokenize import sentence_key, sentence_spans, split_sentences, tokenize_article, word_tokens

from .conftest import ROOT


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "Mr. Vassilenko met Amb. J. Smith of the U.S. delegation on Jan. 5. The talks lasted 2.5 hours.",
            ["Mr. Vassilenko met Amb. J. Smith of the U.S. delegation on Jan. 5.", "The talks lasted 2.5 hours."],
        ),
        (
            'He said «we met Dr. Wolf in St. Petersburg.» The meeting ended.',
            ['He said «we met Dr. Wolf in St. Petersburg.»', "The meeting ended."],
        ),
        (
            'The envoy said: "Prof. Ioannou and Mrs. Barker arrived." Turnout was 63.7 percent.',
            ['The envoy said: "Prof. Ioannou and Mrs. Barker arrived."', "Turnout was 63.7 percent."],
        ),
        (
            "Was the vote fair? Observers said no! The report follows in Sept. next year.",
            ["Was the vote fair?", "Observers said no!", "The report follows in Sept. next year."],
        ),
        (
            "A heading without a full stop\nThe first sentence starts on the next line.",
            ["A heading without a full stop", "The first sentence starts on the next line."],
        ),
    ],
)
def test_tricky_splits(body, expected):
    assert split_sentences(body) == expected


def test_offsets_round_trip_on_seeds(seed_articles):
    for article in seed_articles.values():
        sentences = tokenize_article(article.id, article.body, article.title)
        assert sentences
        for s in sentences:
            assert (article.body if s.part == "body" else article.title)[s.start : s.end] == s.text
            assert s.text == s.text.strip()
        assert [s.sent_idx for s in sentences] == list(range(len(sentences)))
        repeats_body = article.body.startswith(article.title.rstrip("…"))  # 004: the header line is the body's start
        assert [s.part for s in sentences][:2] == (["body", "body"] if repeats_body else ["title", "body"])  # the headline first, once


def test_a_title_that_repeats_the_body_is_not_read_twice():
    body = "The OSCE mission opened its office in Bishkek on Monday, the ministry said."
    assert [s.part for s in tokenize_article("x", body, body[:40] + "…")] == ["body"]
    assert [s.part for s in tokenize_article("x", body, "OSCE opens office")] == ["title", "body"]


def test_seed_sentence_counts(seed_articles):
    counts = {k: len(sentence_spans(a.body)) for k, a in seed_articles.items()}
    assert counts == {"000": 10, "001": 7, "002": 26, "003": 6, "004": 11}


def test_word_tokens_split_punctuation():
    assert word_tokens("OSCE/ODIHR's «statement», he said.")[-2:] == ["said", "."]


def test_sentence_key_folds_whitespace_only():
    assert sentence_key("a", "The  mission\ndeployed.") == sentence_key("a", "The mission deployed.")
    assert sentence_key("a", "The mission deployed.") != sentence_key("a", "The mission deployed!")
    assert sentence_key("a", "x.") != sentence_key("b", "x.")


def test_stage_writes_both_files_deterministically_without_nltk_data(tmp_path):
    env = {**os.environ, "NLTK_DATA": str(tmp_path / "empty-nltk-data")}
    (tmp_path / "empty-nltk-data").mkdir()
    outputs = []
    for run in ("a", "b"):
        arts, sents = tmp_path / run / "articles.jsonl", tmp_path / run / "sentences.jsonl"
        subprocess.run(
            [sys.executable, "-m", "pipeline", "tokenize", str(ROOT / "seeds"), "--articles", str(arts), "--sentences", str(sents)],
            check=True, env=env, capture_output=True, cwd=tmp_path,
        )
        outputs.append((arts.read_bytes(), sents.read_bytes()))
    assert outputs[0] == outputs[1]
    records = [json.loads(line) for line in outputs[0][1].decode().splitlines()]
    assert {r["article_id"] for r in records} == {p.stem for p in (ROOT / "seeds").glob("*.txt")}
    assert set(records[0]) == {"article_id", "sent_idx", "part", "key", "start", "end", "text", "tokens"}
    assert records[0]["part"] == "title" and records[1]["part"] == "body"


def test_stage_skips_bad_files_with_one_line_warning(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(
        " date 2021-05-05 Title\n\nThe OSCE mission met the minister on Monday. They discussed the schedule of the observers,"
        " the accreditation of journalists and the date on which the final report will be presented.\n"
    )
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "in" / ".hidden.txt").write_text(" date 2021-05-05 Hidden\n\nThis file must be ignored entirely.\n")
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "tokenize", str(tmp_path / "in"),
         "--articles", str(tmp_path / "a.jsonl"), "--sentences", str(tmp_path / "s.jsonl")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr
    warnings = proc.stderr.strip().splitlines()
    assert len(warnings) == 2 and all(w.startswith("warning: ") for w in warnings)
    assert any("empty.txt" in w and "empty file" in w for w in warnings)
    assert any("image.txt" in w and "binary" in w for w in warnings)
    ids = [json.loads(x)["id"] for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert ids == ["good"]
