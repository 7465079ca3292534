"""Scale out: score a large input set in partitions, in one process, with joblib or on Dask.

A run over an output folder is a list of *partitions* planned from the inputs: a
partition is a slice of a JSON Lines file (a byte range that starts and ends on line
boundaries) or a group of ``.txt`` files.  Each partition is scored by
:meth:`pipeline.api.StanceScorer.score_batch` (the function every other run uses too)
and written atomically to ``part-NNNNN.jsonl`` (or ``.csv``).  ``manifest.json``
records the plan and the partitions that are done, so a run that was interrupted
resumes where it stopped: finished partitions are skipped, unfinished ones are
rewritten whole, and none is ever written twice.  Concatenating the partitions in
order gives exactly the single-process output, whichever engine ran them.

Engines: ``run(..., engine="local")`` (this process), ``engine="joblib", jobs=N``
(N processes on this machine) and ``engine="dask", scheduler=ADDRESS or "local:N"``
(a Dask cluster; the scorer is scattered to every worker once).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .files import atomic_write
from .ingest import MAX_BYTES, iter_article_files, iter_jsonl_articles
from .score import ResultWriter

__all__ = ["Partition", "plan_partitions", "score_partition", "run", "RunError", "MANIFEST", "PARTITION_SIZE"]

MANIFEST = "manifest.json"
LOCK = ".lock"  # held (flock) by the run writing to the folder; the kernel releases it when that process ends, however it ends
MANIFEST_FORMAT = "osce-stance.partitions/1"
PARTITION_SIZE = 1000  # articles (JSON Lines lines, or .txt files) per partition
FORMATS = ("jsonl", "csv")


class RunError(RuntimeError):
    """A partitioned run that cannot start; the message says what to do."""


@dataclass(frozen=True)
class Partition:
    """One unit of work: lines ``first_line``.. of ``path`` between bytes ``start`` and ``stop``, or ``files``."""

    id: str
    path: str | None = None
    start: int = 0
    stop: int = 0
    first_line: int = 1
    n_lines: int = 0
    files: tuple[str, ...] = field(default=())

    @property
    def source(self) -> str:
        """Where the partition's articles come from, for people."""
        if self.path is not None:
            return f"{self.path}:{self.first_line}-{self.first_line + self.n_lines - 1}"
        return f"{self.files[0]} .. {self.files[-1]} ({len(self.files)} files)"

    def items(self, max_bytes: int = MAX_BYTES, max_seconds: float | None = None) -> Iterator:
        """The partition's work items, as :meth:`StanceScorer.score_batch` takes them."""
        if self.path is not None:
            yield from iter_jsonl_articles(self.path, max_bytes, self.start, self.stop, self.first_line, max_seconds)
        else:
            yield from (Path(f) for f in self.files)


def plan_partitions(inputs: Iterable[str | os.PathLike], size: int = PARTITION_SIZE) -> list[Partition]:
    """Split the inputs into partitions of at most ``size`` articles, in input order.

    JSON Lines files are scanned once for line boundaries (no parsing); ``.txt`` files
    are grouped in the order :func:`~pipeline.ingest.iter_article_files` walks them.  The
    plan depends only on the inputs and ``size``, so a resumed run plans the same one.
    """
    if size < 1:
        raise RunError("--partition-size must be at least 1")
    plan: list[Partition] = []
    texts: list[str] = []

    def add(**fields):
        plan.append(Partition(id=f"part-{len(plan):05d}", **fields))

    def flush_texts():
        for i in range(0, len(texts), size):
            add(files=tuple(texts[i:i + size]))
        texts.clear()

    for path in iter_article_files(inputs):
        if path.suffix != ".jsonl":
            texts.append(str(path))
            continue
        flush_texts()
        start = position = 0
        first_line = lineno = 1
        with open(path, "rb") as fh:
            for raw in fh:
                position += len(raw)
                if lineno - first_line + 1 == size:
                    add(path=str(path), start=start, stop=position, first_line=first_line, n_lines=size)
                    start, first_line = position, lineno + 1
                lineno += 1
        if position > start:
            add(path=str(path), start=start, stop=position, first_line=first_line, n_lines=lineno - first_line)
    flush_texts()
    return plan


def score_partition(scorer, partition: Partition, out_dir: str | os.PathLike, fmt: str = "jsonl",
                    max_bytes: int = MAX_BYTES, sentiment: bool = True) -> dict:
    """Score one partition and write ``out_dir/<id>.<fmt>`` atomically; return its summary.

    This is what runs on a worker: it reads the partition's inputs itself, so only the
    partition description travels to it and only the summary comes back.
    """
    outcomes = scorer.score_batch(partition.items(max_bytes, scorer.max_seconds), max_bytes, sentiment)
    digest = hashlib.sha256()
    n_scored = 0
    skipped, warnings = [], []
    with atomic_write(Path(out_dir) / f"{partition.id}.{fmt}") as fh:
        writer = ResultWriter(_Hashing(fh, digest), fmt)
        for where, result in outcomes:
            if isinstance(result, Exception):
                skipped.append([where, result.strerror if isinstance(result, OSError) else str(result)])
                continue
            writer.write(result)
            n_scored += 1
            warnings += [[result.article_id, w] for w in result.warnings]
    return {"id": partition.id, "n_scored": n_scored, "skipped": skipped, "warnings": warnings,
            "sha256": digest.hexdigest()}


class _Hashing:
    """A text file wrapper that hashes what is written through it."""

    def __init__(self, fh, digest):
        self.fh, self.digest = fh, digest

    def write(self, text: str) -> int:
        self.digest.update(text.encode("utf-8"))
        return self.fh.write(text)


# ------------------------------------------------------------------------- the run


def _fingerprint(partitions: list[Partition], scorer, fmt: str, size: int, sentiment: bool) -> dict:
    """What a resumed run must share with the first: inputs (name, size, mtime), plan, model, format."""
    digest = hashlib.sha256()
    for name in sorted({p.path for p in partitions if p.path} | {f for p in partitions for f in p.files}):
        try:
            st = os.stat(name)
            digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:  # a broken link or unreadable file: skipped when its partition runs, named here
            digest.update(f"{name}\0unreadable\n".encode())
    manifest = scorer.model.manifest
    return {"inputs_sha256": digest.hexdigest(), "n_partitions": len(partitions), "partition_size": size, "format": fmt,
            "sentiment": sentiment,
            "model": {k: manifest.get(k) for k in ("model_version", "created", "training_inputs_sha256") if k in manifest},
            "model_sha256": _model_digest(scorer)}


def _model_digest(scorer) -> str | None:
    return scorer.model.sha256


def _load_manifest(out_dir: Path) -> dict | None:
    path = out_dir / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunError(f"{path}: not valid JSON ({exc}); remove the folder or choose another output folder") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise RunError(f"{path}: not an osce-stance run manifest; choose another output folder")
    return manifest


def run(scorer, inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, fmt: str = "jsonl",
        engine: str = "local", jobs: int = 1, scheduler: str | None = None, size: int = PARTITION_SIZE,
        max_bytes: int = MAX_BYTES, progress: bool = True, on_partition: Callable[[dict], None] | None = None,
        sentiment: bool = True) -> dict:
    """Score ``inputs`` into partitioned files under ``out_dir``, resuming a previous run there.

    Returns the manifest (also written to ``out_dir/manifest.json``): the plan, one
    summary per partition (articles scored, inputs skipped with the reason, warnings,
    SHA-256 of the file) and totals.  ``on_partition`` is called with each new summary.
    Raises :class:`RunError` if ``out_dir`` holds a run over other inputs, model or settings.
    """
    if fmt not in FORMATS:
        raise RunError(f"partitioned output is {' or '.join(FORMATS)}, not {fmt!r}")
    if engine == "dask":
        _require_dask()
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RunError(f"{out_dir} is a file; partitioned output needs a folder")
    inputs = list(inputs)
    partitions = plan_partitions(inputs, size)
    if not partitions:
        raise RunError("no articles found in the inputs")
    with _exclusive(out_dir):
        return _run_locked(scorer, partitions, out_dir, fmt, engine, jobs, scheduler, size, max_bytes, progress, on_partition,
                           sentiment)


@contextmanager
def _exclusive(out_dir: Path):
    """Hold ``out_dir/.lock`` for a run, so that two runs never write one folder at once (a RunError for the second)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RunError(f"{out_dir} is being written by another run ({holder}); wait for it to finish or choose another "
                           "output folder") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run_locked(scorer, partitions: list[Partition], out_dir: Path, fmt: str, engine: str, jobs: int, scheduler: str | None,
                size: int, max_bytes: int, progress: bool, on_partition, sentiment: bool) -> dict:
    fingerprint = _fingerprint(partitions, scorer, fmt, size, sentiment)
    previous = _load_manifest(out_dir)
    done: dict[str, dict] = {}
    if previous is not None:
        if previous.get("run") != fingerprint:
            raise RunError(f"{out_dir} holds a run over other inputs, model or settings; "
                           "remove it or choose another output folder")
        # A partition counts as done only if the manifest says so and its file is there, unchanged in size.
        for summary in previous.get("partitions", []):
            part_file = out_dir / f"{summary['id']}.{fmt}"
            if summary.get("done") and part_file.exists() and part_file.stat().st_size == summary.get("bytes"):
                done[summary["id"]] = summary
    todo = [p for p in partitions if p.id not in done]
    manifest = {"format": MANIFEST_FORMAT, "osce_stance": __version__, "run": fingerprint,
                "partitions": [done.get(p.id, {"id": p.id, "source": p.source, "done": False}) for p in partitions]}
    position = {p.id: i for i, p in enumerate(partitions)}
    writer = _ManifestWriter(out_dir / MANIFEST, manifest)
    writer.write(force=True)
    bar = _progress_bar(len(partitions), len(done), progress)
    try:
        for summary in _execute(engine, scorer, todo, out_dir, fmt, max_bytes, jobs, scheduler, sentiment):
            part_file = out_dir / f"{summary['id']}.{fmt}"
            summary.update(source=partitions[position[summary["id"]]].source, done=True, bytes=part_file.stat().st_size)
            manifest["partitions"][position[summary["id"]]] = summary
            writer.write()
            if bar is not None:
                bar.update(1)
            if on_partition is not None:
                on_partition(summary)
    finally:
        if bar is not None:
            bar.close()
        writer.write(force=True)
    parts = manifest["partitions"]
    manifest["totals"] = {"partitions": len(parts), "resumed": len(done), "n_scored": sum(p["n_scored"] for p in parts),
                          "n_skipped": sum(len(p["skipped"]) for p in parts)}
    writer.write(force=True)
    return manifest


class _ManifestWriter:
    """Rewrites the manifest atomically, at most every two seconds unless forced (it can list thousands of partitions)."""

    def __init__(self, path: Path, manifest: dict):
        self.path, self.manifest, self.last = path, manifest, 0.0

    def write(self, force: bool = False) -> None:
        if force or time.monotonic() - self.last > 2.0:
            with atomic_write(self.path) as fh:
                fh.write(json.dumps(self.manifest, indent=1, ensure_ascii=False) + "\n")
            self.last = time.monotonic()


def _progress_bar(total: int, initial: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    # disable=None: drawn only on a terminal, so logs and pipes stay clean.
    return tqdm(total=total, initial=initial, unit="partition", disable=None, dynamic_ncols=True)


def _execute(engine: str, scorer, todo: list[Partition], out_dir: Path, fmt: str, max_bytes: int, jobs: int,
             scheduler: str | None, sentiment: bool = True) -> Iterator[dict]:
    """Summaries of the ``todo`` partitions as they finish (in any order)."""
    if not todo:
        return
    if engine == "local":
        for partition in todo:
            yield score_partition(scorer, partition, out_dir, fmt, max_bytes, sentiment)
    elif engine == "joblib":
        from joblib import Parallel, delayed

        # The scorer travels with each task (0.8 MB, milliseconds against a partition's seconds), so workers
        # score with the model this run loaded, even if its folder has been rewritten since.
        parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
        yield from parallel(delayed(score_partition)(scorer, p, out_dir, fmt, max_bytes, sentiment) for p in todo)
    elif engine == "dask":
        yield from _execute_dask(scorer, todo, out_dir, fmt, max_bytes, scheduler or "local", sentiment)
    else:
        raise RunError(f"unknown engine {engine!r}")


def _score_partitions(partitions: list[Partition], scorer, out_dir: str, fmt: str, max_bytes: int, sentiment: bool) -> list[dict]:
    """Dask bag partition function: a bag partition holds one or more of our partitions."""
    return [score_partition(scorer, p, out_dir, fmt, max_bytes, sentiment) for p in partitions]


def _require_dask() -> None:
    try:
        import dask.bag  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise RunError("--dask needs Dask: pip install 'osce-stance[dask]' (or: pip install 'dask[distributed]')") from None


@contextmanager
def dask_client(scheduler: str):
    """A ``distributed.Client`` for ``scheduler``: an address (``tcp://host:8786``) or ``local[:N]``.

    ``local:N`` starts a ``LocalCluster`` of N single-threaded worker processes on the
    loopback interface (N defaults to the number of CPUs) and stops it afterwards.
    """
    _require_dask()
    from distributed import Client, LocalCluster

    with ExitStack() as stack:
        if scheduler == "local" or scheduler.startswith("local:"):
            count = scheduler.partition(":")[2]
            if count and not (count.isdigit() and int(count) > 0):
                raise RunError(f"--dask {scheduler}: the number of workers must be a positive integer")
            cluster = stack.enter_context(LocalCluster(
                n_workers=int(count) if count else (os.cpu_count() or 1), threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None, silence_logs=40))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout="20s"))
            except (OSError, TimeoutError) as exc:
                raise RunError(f"--dask {scheduler}: cannot reach the scheduler ({exc})") from None
        yield client


def _execute_dask(scorer, todo: list[Partition], out_dir: Path, fmt: str, max_bytes: int, scheduler: str,
                  sentiment: bool) -> Iterator[dict]:
    import dask.bag as db
    from distributed import as_completed

    with dask_client(scheduler) as client:
        # The scorer goes to every worker once; each task refers to it by key.
        scorer_future = client.scatter(scorer, broadcast=True, hash=False)
        bag = db.from_sequence(todo, npartitions=len(todo))
        tasks = bag.map_partitions(_score_partitions, scorer_future, str(out_dir), fmt, max_bytes, sentiment).to_delayed()
        for future in as_completed(client.compute(tasks)):
            yield from future.result()


def concatenate(out_dir: str | os.PathLike) -> Iterator[str]:
    """The lines of a finished run's partitions in order (CSV headers after the first dropped)."""
    out_dir = Path(out_dir)
    manifest = _load_manifest(out_dir)
    if manifest is None:
        raise RunError(f"{out_dir}: no {MANIFEST}")
    fmt = manifest["run"]["format"]
    for i, summary in enumerate(manifest["partitions"]):
        with open(out_dir / f"{summary['id']}.{fmt}", encoding="utf-8") as fh:
            if fmt == "csv" and i:
                next(fh, None)
            yield from fh


def summary_line(manifest: dict) -> str:
    """One line for the terminal about a finished run."""
    t = manifest["totals"]
    resumed = f", {t['resumed']} already done" if t["resumed"] else ""
    return f"scored {t['n_scored']:,} articles in {t['partitions']} partitions{resumed}, skipped {t['n_skipped']:,}"
