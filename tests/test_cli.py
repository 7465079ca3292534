import csv
import io
import json
import subprocess
import sys

from .conftest import SEEDS


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, **kw)


def test_score_table_csv_jsonl():
    table = cli("score", str(SEEDS))
    assert table.returncode == 0 and "003_4756800a9e27d77f" in table.stdout
    rows = list(csv.DictReader(io.StringIO(cli("score", str(SEEDS), "--format", "csv").stdout)))
    assert len(rows) == 5 and {"article_id", "stance", "stance_low", "stance_high", "label", "sentiment", "n_osce"} <= set(rows[0])
    records = [json.loads(x) for x in cli("score", str(SEEDS), "--format", "jsonl").stdout.splitlines()]
    assert len(records) == 5 and records[0]["sentences"][0]["label"] in {"cooperative", "critical", "neutral"}


def test_score_out_file_and_stdin_free_errors(tmp_path):
    out = tmp_path / "scores.csv"
    assert cli("score", str(SEEDS), "--format", "csv", "--out", str(out)).returncode == 0
    assert out.read_text().startswith("article_id,")
    missing = cli("score", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


def test_some_inputs_skipped_exit_1(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "ok.txt").write_text(" date 2020-02-02 Visit\n\nThe OSCE chair thanked the hosts for their warm welcome.\n")
    proc = cli("score", str(tmp_path))
    assert proc.returncode == 1 and "scored 1, skipped 1" in proc.stderr and "Traceback" not in proc.stderr


def test_label_sentences():
    proc = cli("label", "The minister thanked the ODIHR mission.")
    assert proc.returncode == 0 and proc.stdout.startswith("cooperative")


def test_console_script_and_module_agree():
    import shutil

    exe = shutil.which("osce-stance") or str(__import__("pathlib").Path(sys.executable).parent / "osce-stance")
    a = subprocess.run([exe, "label", "Officials refused to invite OSCE observers."], capture_output=True, text=True)
    b = cli("label", "Officials refused to invite OSCE observers.")
    assert a.returncode == 0 and a.stdout == b.stdout


def test_broken_model_is_a_clear_error(tmp_path):
    proc = cli("score", str(SEEDS), "--model", str(tmp_path))
    assert proc.returncode != 0 and "make train" in proc.stderr and "Traceback" not in proc.stderr


def test_jobs_give_the_same_output_in_the_same_order(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        for seed in SEEDS.glob("*.txt"):
            (folder / f"{i:02d}_{seed.name}").write_bytes(seed.read_bytes())
    (folder / "zz_empty.txt").write_text("")
    one = cli("score", str(folder), "--format", "jsonl", "--jobs", "1")
    two = cli("score", str(folder), "--format", "jsonl", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 60
    assert "zz_empty.txt" in two.stderr


def test_jobs_spread_one_json_lines_file(tmp_path):
    src = tmp_path / "many.jsonl"
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    src.write_text("".join(json.dumps({"id": f"a{i}", "text": texts[i % 5]}) + "\n" for i in range(60)) + "{broken\n")
    one = cli("score", str(src), "--format", "csv", "--jobs", "1")
    two = cli("score", str(src), "--format", "csv", "--jobs", "2")
    assert one.returncode == two.returncode == 1 and one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 61 and f"{src}:61" in two.stderr


def test_stdin_is_read_like_a_file():
    text = " date 2021-05-05 Визит\n\nМиссия ОБСЕ поблагодарила комиссию за открытость и сотрудничество на выборах.\n"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "score", "-", "--format", "csv"], input=text.encode("cp1251"),
                          capture_output=True)
    assert proc.returncode == 0 and b"stdin,2021-05-05" in proc.stdout
    assert b"decoded as cp1251" in proc.stderr
    empty = subprocess.run([sys.executable, "-m", "pipeline", "score", "-"], input=b"  \n", capture_output=True)
    assert empty.returncode == 2 and b"-: skipped: empty" in empty.stderr


def test_no_sentiment_leaves_the_tone_empty_not_zero():
    rows = list(csv.DictReader(io.StringIO(cli("score", str(SEEDS), "--format", "csv", "--no-sentiment").stdout)))
    full = list(csv.DictReader(io.StringIO(cli("score", str(SEEDS), "--format", "csv").stdout)))
    assert [r["sentiment"] for r in rows] == [""] * 5 and all(r["sentiment"] for r in full)
    assert [r["stance"] for r in rows] == [r["stance"] for r in full]  # stance never depends on the tone
    record = json.loads(cli("score", str(SEEDS / "003_4756800a9e27d77f.txt"), "--format", "jsonl", "--no-sentiment").stdout)
    assert record["sentiment"] is None


def test_quiet_drops_article_warnings_but_still_names_skipped_inputs(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "short.txt").write_text("The OSCE mission thanked the hosts")  # no final punctuation, no title: warnings
    loud = cli("score", str(tmp_path), "--out", str(tmp_path / "a.csv"), "--format", "csv")
    quiet = cli("score", str(tmp_path), "--out", str(tmp_path / "b.csv"), "--format", "csv", "--quiet")
    assert loud.returncode == quiet.returncode == 1
    assert "warning: short:" in loud.stderr and "warning: short:" not in quiet.stderr
    assert "empty.txt: skipped" in quiet.stderr and (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
