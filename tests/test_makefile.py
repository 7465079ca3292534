"""Stage targets are real files: a second run does nothing, editing a stage's module re-runs it."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    work = tmp_path_factory.mktemp("repo")
    for name in ("Makefile", "pyproject.toml", "setup.py", "pipeline", "seeds", "data/raw", "data/gold", "models"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, work / name)
    (work / ".stamp").touch()
    return work


def make(work, *args):
    env = {**os.environ, "OSCE_STANCE_ROOT": str(work), "PYTHONPATH": str(work)}
    return subprocess.run(["make", f"PY={sys.executable}", "STAMP=.stamp", *args], cwd=work, env=env,
                          capture_output=True, text=True)


def test_tokens_and_labels_run_once_then_rerun_after_an_edit(workdir):
    first = make(workdir, "labels")
    assert first.returncode == 0, first.stderr
    assert (workdir / "data/interim/sentences.jsonl").exists() and (workdir / "data/processed/labels.jsonl").exists()
    assert make(workdir, "-q", "tokens").returncode == 0
    assert make(workdir, "-q", "labels").returncode == 0
    assert "Nothing to be done" in make(workdir, "labels").stdout
    time.sleep(1.1)
    (workdir / "pipeline/label.py").touch()
    assert make(workdir, "-q", "tokens").returncode == 0  # labelling code does not touch tokens
    assert make(workdir, "-q", "labels").returncode == 1
    assert make(workdir, "labels").returncode == 0
    time.sleep(1.1)
    (workdir / "pipeline/tokenize.py").touch()
    assert make(workdir, "-q", "tokens").returncode == 1


def test_make_score_warns_about_a_bad_file_and_still_scores_the_rest(workdir):
    (workdir / "data/raw/user").mkdir(parents=True, exist_ok=True)
    (workdir / "data/raw/user/empty.txt").write_bytes(b"")
    (workdir / "data/raw/user/photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    run = make(workdir, "score")
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert any("empty.txt" in w and "empty file" in w for w in warnings)
    assert any("photo.txt" in w and "binary" in w for w in warnings)
    assert "Traceback" not in run.stderr
    assert (workdir / "data/processed/scores.csv").exists() and (workdir / "reports/stance_timeline.png").exists()
    assert "Nothing to be done" in make(workdir, "score").stdout


def test_make_report_writes_the_site_once_and_again_after_a_template_changes(workdir):
    run = make(workdir, "report")
    assert run.returncode == 0, run.stderr
    site = workdir / "reports/site"
    assert (site / "index.html").exists() and len(list((site / "articles").glob("*.html"))) > 700  # the seeds and the corpus
    assert "Nothing to be done" in make(workdir, "report").stdout
    time.sleep(1.1)
    (workdir / "pipeline/templates/article.html.j2").touch()
    assert make(workdir, "-q", "report").returncode == 1


def test_a_failed_stage_keeps_its_previous_output_and_is_not_marked_done(workdir):
    assert make(workdir, "labels").returncode == 0
    labels = workdir / "data/processed/labels.jsonl"
    before = labels.read_bytes()
    gold = workdir / "data/gold/corpus.jsonl"
    good_gold = gold.read_bytes()
    time.sleep(1.1)
    gold.write_bytes(good_gold + b"{this is not json\n")
    failed = make(workdir, "labels")
    assert failed.returncode != 0
    assert "error: label:" in failed.stderr and "Traceback" not in failed.stderr
    assert labels.read_bytes() == before
    assert make(workdir, "-q", "labels").returncode == 1  # still out of date
    gold.write_bytes(good_gold)
    assert make(workdir, "labels").returncode == 0
