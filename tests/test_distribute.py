"""Partitioned runs: the plan, identical results on every engine, resume, and the errors users meet."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import StanceScorer
from pipeline.distribute import RunError, concatenate, plan_partitions, run

from .conftest import SEEDS


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def scorer():
    return StanceScorer.load()


@pytest.fixture(scope="module")
def reference(generated_jsonl, tmp_path_factory):
    """The single-process streaming output every partitioned run must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "scores.jsonl"
    proc = cli("score", str(generated_jsonl), "--format", "jsonl", "--out", str(out))
    assert proc.returncode == 1 and ":58: skipped: not valid JSON" in proc.stderr
    return out.read_text(encoding="utf-8")


@given(lines=st.lists(st.sampled_from(['{"text": "x"}', "", "{bad", '{"text": "The OSCE mission.\\nÄ"}']), max_size=40),
       size=st.integers(1, 12), trailing_newline=st.booleans())
@settings(max_examples=60, deadline=None)
def test_partitions_cover_every_line_once(tmp_path_factory, lines, size, trailing_newline):
    path = tmp_path_factory.mktemp("plan") / "a.jsonl"
    data = "\n".join(lines) + ("\n" if trailing_newline and lines else "")
    path.write_bytes(data.encode("utf-8"))
    plan = plan_partitions([path], size)
    raw = path.read_bytes()
    assert b"".join(raw[p.start:p.stop] for p in plan) == raw  # contiguous, no gaps, no overlaps
    assert all(p.n_lines <= size and (p.start == 0 or raw[p.start - 1:p.start] == b"\n") for p in plan)
    assert sum(p.n_lines for p in plan) == len(raw.splitlines())
    assert [p.first_line for p in plan] == [1 + sum(q.n_lines for q in plan[:i]) for i in range(len(plan))]


def test_text_files_keep_input_order_around_json_lines(tmp_path, generated_jsonl):
    plan = plan_partitions([SEEDS, generated_jsonl, SEEDS / "000_7045313556b78747.txt"], 2)
    assert [len(p.files) or p.n_lines for p in plan][:3] == [2, 2, 1]  # the five seeds, in twos
    assert plan[3].path == str(generated_jsonl) and plan[-1].files == (str(SEEDS / "000_7045313556b78747.txt"),)
    assert [p.id for p in plan] == [f"part-{i:05d}" for i in range(len(plan))]


@pytest.mark.parametrize("engine,size", [("local", 1000), ("local", 7), ("joblib", 13)])
def test_every_engine_and_partitioning_gives_the_single_process_output(scorer, generated_jsonl, reference, tmp_path, engine, size):
    manifest = run(scorer, [generated_jsonl], tmp_path, engine=engine, jobs=2, size=size, progress=False)
    assert "".join(concatenate(tmp_path)) == reference
    assert manifest["totals"] == {"partitions": -(-242 // size), "resumed": 0, "n_scored": 240, "n_skipped": 1}
    skipped = [s for p in manifest["partitions"] for s in p["skipped"]]
    assert skipped == [[f"{generated_jsonl}:58", "not valid JSON (Expecting property name enclosed in double quotes at column 2)"]]


def test_csv_partitions_concatenate_to_the_streamed_csv(scorer, generated_jsonl, tmp_path):
    run(scorer, [generated_jsonl], tmp_path / "run", fmt="csv", size=50, progress=False)
    streamed = cli("score", str(generated_jsonl), "--format", "csv").stdout
    assert "".join(concatenate(tmp_path / "run")) == streamed
    assert all((tmp_path / "run" / f"part-{i:05d}.csv").read_text().startswith("article_id,") for i in range(5))


def test_extra_json_fields_are_carried_through(reference):
    first = json.loads(reference.splitlines()[0])
    assert first["extra"] == {"batch": 0} and first["article_id"].startswith("000_")


def test_resume_skips_finished_partitions_and_redoes_damaged_ones(scorer, generated_jsonl, reference, tmp_path):
    run(scorer, [generated_jsonl], tmp_path, size=60, progress=False)
    (tmp_path / "part-00001.jsonl").write_text("half a line")  # a damaged partition is not trusted
    (tmp_path / "part-00003.jsonl").unlink()
    rerun = []
    manifest = run(scorer, [generated_jsonl], tmp_path, size=60, progress=False, on_partition=lambda s: rerun.append(s["id"]))
    assert sorted(rerun) == ["part-00001", "part-00003"] and manifest["totals"]["resumed"] == 3
    assert "".join(concatenate(tmp_path)) == reference


def test_a_folder_of_another_run_is_refused(scorer, generated_jsonl, tmp_path):
    run(scorer, [generated_jsonl], tmp_path, size=100, progress=False)
    with pytest.raises(RunError, match="holds a run over other inputs"):
        run(scorer, [generated_jsonl], tmp_path, size=50, progress=False)
    proc = cli("score", str(SEEDS), "--out-dir", str(tmp_path))
    assert proc.returncode == 2 and "holds a run over other inputs" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "manifest.json").write_text("{")
    proc = cli("score", str(generated_jsonl), "--out-dir", str(tmp_path), "--partition-size", "100")
    assert proc.returncode == 2 and "manifest.json: not valid JSON" in proc.stderr


def test_cli_usage_errors(tmp_path):
    for args, message in [(["--dask", "local:2"], "--dask writes partitioned files: give --out-dir"),
                          (["--out-dir", str(tmp_path / "o"), "--save"], "cannot be combined"),
                          (["--out-dir", str(tmp_path / "o"), "--format", "table", "--partition-size", "0"], "at least 1"),
                          (["--out-dir", str(tmp_path / "o"), "--dask", "local:two"], "positive integer")]:
        proc = cli("score", str(SEEDS), *args)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)


def test_without_dask_the_message_says_how_to_install(monkeypatch, scorer, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(RunError, match=r"pip install 'osce-stance\[dask\]'"):
        run(scorer, [SEEDS], tmp_path, engine="dask", scheduler="local:1", progress=False)


def test_globs_name_many_files(tmp_path):
    proc = cli("score", str(SEEDS / "00[34]_*.txt"), "--format", "csv")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 3
    proc = cli("score", str(tmp_path / "*.jsonl"))
    assert proc.returncode == 2 and "no such file" in proc.stderr


# --------------------------------------------------------------------------- Dask

dask_available = pytest.importorskip("distributed", reason="Dask is an optional extra")


def test_dask_local_cluster_matches_single_process(scorer, generated_jsonl, reference, tmp_path):
    for size in (31, 240):
        manifest = run(scorer, [generated_jsonl], tmp_path / str(size), engine="dask", scheduler="local:2", size=size,
                       progress=False)
        assert manifest["totals"]["n_scored"] == 240
        assert "".join(concatenate(tmp_path / str(size))) == reference


def test_dask_run_killed_then_resumed_gives_the_same_output_once(generated_jsonl, reference, tmp_path):
    args = [sys.executable, "-m", "pipeline", "score", str(generated_jsonl), "--out-dir", str(tmp_path), "--dask", "local:2",
            "--partition-size", "10", "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("part-*.jsonl"))) < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole job, workers included, as a lost node or a kill -9 would
    proc.wait()
    finished_before = len(list(tmp_path.glob("part-*.jsonl")))
    assert 4 <= finished_before < 25, "the run must be cut short for this test to mean anything"
    resumed = subprocess.run(args, capture_output=True, text=True)
    assert resumed.returncode == 1, resumed.stderr
    assert "".join(concatenate(tmp_path)) == reference
    ids = [json.loads(line)["article_id"] for line in concatenate(tmp_path)]
    assert len(ids) == len(set(ids)) == 240


def _stderr_on_a_terminal(*args):
    """Run the CLI with stderr on a pseudo-terminal (100 columns); return what it drew there."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *args], stderr=follower, stdout=subprocess.DEVNULL)
    proc.wait()
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return out.decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_and_quiet_turns_it_off(tmp_path):
    drawn = _stderr_on_a_terminal("score", str(SEEDS), "--out-dir", str(tmp_path / "a"), "--partition-size", "2")
    assert "3/3" in drawn and "partition" in drawn
    quiet = _stderr_on_a_terminal("score", str(SEEDS), "--out-dir", str(tmp_path / "b"), "--partition-size", "2", "--quiet")
    assert "3/3" not in quiet and "scored 5 articles in 3 partitions" in quiet
    streamed = _stderr_on_a_terminal("score", str(SEEDS), "--out", str(tmp_path / "c.csv"), "--format", "csv")
    assert "5 articles" in streamed


def test_a_broken_link_is_skipped_not_fatal(tmp_path):
    import shutil

    shutil.copytree(SEEDS, tmp_path / "in")
    (tmp_path / "in" / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    proc = cli("score", str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"), "--partition-size", "4")
    assert proc.returncode == 1 and "gone.txt: skipped" in proc.stderr and "scored 5 articles" in proc.stderr


def test_a_folder_another_run_is_writing_is_refused_until_it_ends(scorer, generated_jsonl, tmp_path, reference):
    import fcntl

    from pipeline.distribute import LOCK

    tmp_path.mkdir(exist_ok=True)
    with open(tmp_path / LOCK, "a+") as held:  # what a run in progress holds
        held.write("pid 4242\n")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RunError, match=r"being written by another run \(pid 4242\)"):
            run(scorer, [generated_jsonl], tmp_path, size=100, progress=False)
        proc = cli("score", str(generated_jsonl), "--out-dir", str(tmp_path), "--partition-size", "100")
        assert proc.returncode == 2 and "being written by another run" in proc.stderr and "Traceback" not in proc.stderr
        assert not (tmp_path / "manifest.json").exists()  # nothing was written
    run(scorer, [generated_jsonl], tmp_path, size=100, progress=False)  # the holder ended: the lock is free
    assert "".join(concatenate(tmp_path)) == reference
    assert (tmp_path / LOCK).read_text() == ""  # released, and names no holder


def test_workers_score_with_the_model_the_run_loaded_even_if_its_folder_changed(tmp_path):
    import shutil

    import numpy as np

    from pipeline.api import shipped_model

    folder = tmp_path / "model"
    shutil.copytree(shipped_model()[0], folder)
    loaded = StanceScorer.load(folder)
    with np.load(folder / "weights.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["intercept"] = arrays["intercept"] + np.array([0.0, 1.5, 0.0])  # retrained while the run starts
    np.savez(folder / "weights.npz", **arrays)
    run(loaded, [SEEDS], tmp_path / "local", size=2, progress=False)
    run(loaded, [SEEDS], tmp_path / "joblib", engine="joblib", jobs=2, size=2, progress=False)
    assert "".join(concatenate(tmp_path / "joblib")) == "".join(concatenate(tmp_path / "local"))
    fresh = StanceScorer.load(folder)  # the model now on disk scores differently: the test can tell them apart
    assert [r.stance for r in fresh.score_files([SEEDS], sentiment=False)] != [r.stance for r in loaded.score_files([SEEDS], sentiment=False)]
