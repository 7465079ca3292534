"""Bad input gets a clear one-line answer and the right exit code; nothing is lost; the core never crashes."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import StanceScorer
from pipeline.ingest import parse_article
from pipeline.tokenize import tokenize_article

from .conftest import SEEDS

GOOD = (" date 2021-05-05 Observers thanked\n\nThe head of the OSCE mission thanked the election commission for its openness "
        "and said the observers had been able to work freely across the country.\n")
RUSSIAN = " date 2021-05-05 Миссия ОБСЕ\n\nМиссия ОБСЕ поблагодарила избирательную комиссию за открытость и сотрудничество.\n"


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, **kw)


def score_one(tmp_path, name, data, *extra):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    proc = cli("score", str(folder / name), "--format", "csv", *extra)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def one_line_about(stderr, name, problem):
    lines = [ln for ln in stderr.splitlines() if name in ln]
    assert lines and any(problem in ln for ln in lines), stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t \n", "empty file"),
        ("nul.txt", b"The OSCE\x00\x01\x02 mission", "binary"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("menu.txt", b" date 2020-01-01 Home\nRelated news\nPhoto: x\n", "no article text"),
    ],
)
def test_unusable_files_are_skipped_with_exit_2_when_nothing_is_left(tmp_path, name, data, problem):
    code, out, err = score_one(tmp_path, name, data)
    assert code == 2
    one_line_about(err, name, problem)
    assert "nothing could be scored" in err


@pytest.mark.parametrize(
    "name, data, warning",
    [
        ("cp1251.txt", RUSSIAN.encode("cp1251"), "decoded as cp1251"),
        ("latin1.txt", GOOD.replace("openness", "openness (café)").encode("latin-1"), "decoded as latin-1"),
        ("utf16.txt", GOOD.encode("utf-16"), None),
        ("utf8bom.txt", b"\xef\xbb\xbf" + GOOD.encode(), None),
        ("nopunct.txt", b" date 2021-05-05 T\n\nthe OSCE observers thanked the hosts\nand the hosts thanked the OSCE observers\n",
         "no sentence-ending punctuation"),
        ("short.txt", b"The OSCE mission arrived today.", "very short article"),
        ("badheader.txt", GOOD.replace("2021-05-05", "2023-13-45").encode(), "malformed header date"),
        ("russian.txt", RUSSIAN.encode(), "English only"),
    ],
)
def test_odd_but_usable_files_are_scored_with_a_warning(tmp_path, name, data, warning):
    code, out, err = score_one(tmp_path, name, data)
    assert code == 0, err
    assert out.count("\n") == 2  # header + one article
    if warning:
        one_line_about(err, name.removesuffix(".txt"), warning)
    assert "Traceback" not in err


def test_language_field_is_reported(tmp_path):
    code, out, _ = score_one(tmp_path, "ru.txt", RUSSIAN.encode())
    assert ",ru," in out


def test_huge_file_is_refused_above_max_bytes(tmp_path):
    big = tmp_path / "in" / "big.txt"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        fh.write(GOOD.encode())
        fh.write(b"The OSCE mission met the minister. " * 1_500_000)  # ~52 MB
    (tmp_path / "in" / "ok.txt").write_text(GOOD)
    proc = cli("score", str(tmp_path / "in"), "--format", "csv")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    one_line_about(err, "big.txt", "above the limit")
    assert "scored 1, skipped 1" in err
    small = cli("score", str(tmp_path / "in" / "ok.txt"), "--max-bytes", "100")
    assert small.returncode == 2 and b"--max-bytes" in small.stderr


def test_folders_hidden_non_txt_symlink_loops_and_broken_links(tmp_path):
    root = tmp_path / "in"
    (root / "sub" / ".git").mkdir(parents=True)
    (root / "a.txt").write_text(GOOD)
    (root / "sub" / "b.txt").write_text(GOOD)
    (root / ".hidden.txt").write_text(GOOD)
    (root / "sub" / ".git" / "c.txt").write_text(GOOD)
    (root / "notes.md").write_text(GOOD)
    (root / "image.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    os.symlink(root, root / "sub" / "loop")
    os.symlink(root / "missing.txt", root / "broken.txt")
    proc = cli("score", str(root), "--format", "csv", timeout=120)
    assert proc.returncode == 1
    ids = [line.split(",")[0] for line in proc.stdout.decode().splitlines()[1:]]
    assert ids == ["a", "b"]
    one_line_about(proc.stderr.decode(), "broken.txt", "skipped")


def test_usage_errors_exit_2(tmp_path):
    assert cli("score", str(tmp_path / "missing")).returncode == 2
    bad_flag = cli("score", "--format", "xml")
    assert bad_flag.returncode == 2 and b"Traceback" not in bad_flag.stderr


def _score_many_in_background(tmp_path, *flags):
    """``score`` of 6,000 seed copies into ``scores.csv`` (which holds a previous output), still running 3 s later.

    (2,000 copies took about 4 s with the compiled core and two workers: too close to the 3 s for the signal.)
    """
    many = tmp_path / "many"
    many.mkdir()
    for i in range(1200):
        for seed in SEEDS.glob("*.txt"):
            (many / f"{i:03d}_{seed.name}").write_bytes(seed.read_bytes())
    out = tmp_path / "scores.csv"
    out.write_text("previous,good,output\n")
    # Ctrl-C as a terminal delivers it: to a process whose SIGINT is not ignored.  (A shell starts a background job
    # with SIGINT ignored, and the child would inherit that: `make test &` then saw the run finish with exit 0.)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "score", str(many), *flags, "--format", "csv", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(3)
    assert proc.poll() is None, "the run finished before it could be stopped; give it more input"
    return proc, out


def _exit_code(proc) -> int:
    """The run's exit code within 30 s (the whole process group is killed if it hangs)."""
    try:
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def _worker_pids(parent: int) -> list[int]:
    """The worker processes ``score --jobs`` started (joblib's loky workers)."""
    found = subprocess.run(["pgrep", "-P", str(parent), "-f", "popen_loky"], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_run_leaves_the_previous_output_whole(tmp_path, sig):
    proc, out = _score_many_in_background(tmp_path)
    proc.send_signal(sig)
    _exit_code(proc)
    assert out.read_text() == "previous,good,output\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".scores.csv")] == []
    assert b"Traceback" not in proc.stderr.read()


@pytest.mark.parametrize("sig,whole_group", [(signal.SIGINT, True), (signal.SIGTERM, False)])
def test_interrupted_run_with_worker_processes_stops_cleanly(tmp_path, sig, whole_group):
    # Ctrl-C in a terminal signals the whole process group: the workers as well as the parent.
    proc, out = _score_many_in_background(tmp_path, "--jobs", "2")
    workers = _worker_pids(proc.pid)
    assert len(workers) == 2
    (os.killpg if whole_group else os.kill)(proc.pid, sig)
    assert _exit_code(proc) == 130
    stderr = proc.stderr.read()
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert out.read_text() == "previous,good,output\n"
    time.sleep(1)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the run"


def test_a_worker_that_dies_stops_the_run_with_a_clear_error(tmp_path):
    proc, out = _score_many_in_background(tmp_path, "--jobs", "2")
    workers = _worker_pids(proc.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer would
    assert _exit_code(proc) == 2  # a multiprocessing pool would wait for the dead worker's chunk forever
    stderr = proc.stderr.read()
    assert b"worker" in stderr and b"SIGKILL(-9)" in stderr and b"Traceback" not in stderr
    assert out.read_text() == "previous,good,output\n"
    time.sleep(1)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the run"


def test_same_scores_whatever_the_input_order(tmp_path):
    scorer = StanceScorer.load()
    paths = sorted(SEEDS.glob("*.txt"))
    forward = {r.article_id: r.to_dict() for p in paths for r in scorer.score_files([p])}
    backward = {r.article_id: r.to_dict() for p in reversed(paths) for r in scorer.score_files([p])}
    assert forward == backward


# ---------------------------------------------------------------- property tests

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=600) | st.lists(
    st.sampled_from(["The OSCE mission", "thanked", "ODIHR", "biased.", " date 2020-01-01 T\n", "\n", "Mr.", "«", "»", "? ",
                     "Related news\n", "usd/kzt 1.0\n", "He said.", "ASTANA. KAZINFORM ", "so-called", "\u00a0", "<p>", "</p>"]),
    max_size=40).map("".join)
_scorer = StanceScorer.load()
_settings = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(_text)
def test_ingest_and_tokenize_never_crash_and_offsets_hold(text):
    article = parse_article(text, "x")
    for s in tokenize_article(article.id, article.body, article.title):
        assert (article.body if s.part == "body" else article.title)[s.start:s.end] == s.text and s.text.strip() == s.text


@_settings
@given(_text)
def test_scores_are_well_formed_and_deterministic(text):
    result = _scorer.score_article(text)
    again = _scorer.score_article(text)
    assert result.to_dict() == again.to_dict()
    assert -1.0 <= result.stance_low <= result.stance <= result.stance_high <= 1.0 or result.n_osce == 0
    for s in result.sentences:
        p = np.array(list(s.probabilities.values()))
        assert ((p >= 0) & (p <= 1)).all() and abs(p.sum() - 1) < 1e-5


def test_json_lines_with_a_bad_line_names_it_and_scores_the_rest(tmp_path):
    f = tmp_path / "batch.jsonl"
    f.write_text(
        '{"id": "a1", "date": "2020-05-01", "title": "Thanks", "text": "The OSCE mission thanked the hosts for their cooperation."}\n'
        "{not json\n"
        '{"id": "a3", "text": ""}\n'
        '{"text": "The ministry rejected the ODIHR report as biased and politically motivated."}\n'
    )
    proc = cli("score", str(f), "--format", "csv")
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert f"{f}:2: skipped: not valid JSON" in err and f"{f}:3: skipped" in err and "scored 2, skipped 2" in err
    rows = proc.stdout.decode().splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["a1", "batch-4"]
    assert rows[0].split(",")[1:3] == ["2020-05-01", "Thanks"]


def test_article_ids_never_become_paths(tmp_path):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    src = work / "in.jsonl"
    src.write_text('{"id": "../../escaped", "text": "The OSCE mission thanked the hosts for their cooperation and support."}\n'
                   '{"id": "/tmp/absolute", "text": "The OSCE observers praised the organisers of the vote in the capital."}\n')
    before = {p for p in tmp_path.rglob("*")}
    proc = cli("score", str(src), "--format", "jsonl", "--out", str(work / "out.jsonl"), cwd=work)
    assert proc.returncode == 0
    assert {p for p in tmp_path.rglob("*")} - before == {work / "out.jsonl"}
    assert not os.path.exists("/tmp/absolute")
    ids = [__import__("json").loads(line)["article_id"] for line in (work / "out.jsonl").read_text().splitlines()]
    assert ids == ["../../escaped", "/tmp/absolute"]
