"""The package as a user meets it: built into an sdist and a wheel, installed into a new environment that cannot
see this checkout, and used from another directory."""

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import version

import pytest

import pipeline
from pipeline import StanceScorer, paths
from pipeline.cli import main

from .conftest import ROOT, SEEDS

SENTENCE = "Officials refused to invite OSCE observers."


def test_the_version_is_written_once():
    assert pipeline.__version__ == version("osce-stance")
    assert StanceScorer.load().version == f"stance-{pipeline.__version__}"


def test_the_version_flag_prints_the_distributions_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.strip() == f"osce-stance {pipeline.__version__}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A wheel built from the sdist (as `pip install osce-stance` would) installed into a new virtual environment.

    The environment gets the package's dependencies from this one's site-packages, not from the network; the
    checkout is on no path of it, and every command runs from a folder outside the checkout.
    """
    tmp = tmp_path_factory.mktemp("package")
    dist = tmp / "dist"
    build = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                           capture_output=True, text=True, cwd=tmp)
    assert build.returncode == 0, build.stderr[-3000:]
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    wheel = next(dist.glob("*.whl"))
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
                          str(wheel)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-3000:]
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (__import__("pathlib").Path(site) / "_osce_stance_test_deps.pth").write_text("\n".join(deps) + "\n")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OSCE_STANCE_ROOT", "VIRTUAL_ENV")}
    return {"dist": dist, "venv": venv, "python": python, "cwd": elsewhere, "env": env}


def _run(installed, *command):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=installed["cwd"], env=installed["env"])


@pytest.mark.slow
def test_sdist_and_wheel_carry_the_model_and_the_type_marker(installed):
    wheel = zipfile.ZipFile(next(installed["dist"].glob("*.whl"))).namelist()
    for name in ("pipeline/models/stance/manifest.json", "pipeline/models/stance/weights.npz", "pipeline/py.typed",
                 "pipeline/templates/index.html.j2", "pipeline/templates/article.html.j2"):
        assert name in wheel, name
    assert any(n.startswith("pipeline/_native.") and n.endswith(".so") for n in wheel)
    with tarfile.open(next(installed["dist"].glob("*.tar.gz"))) as sdist:
        names = [n.split("/", 1)[1] for n in sdist.getnames() if "/" in n]
    assert {"models/stance/weights.npz", "pipeline/py.typed", "pipeline/_native.c", "setup.py"} <= set(names)
    assert not any(n.endswith(".so") for n in names)  # built from source on install, never shipped prebuilt
    assert not any(n.startswith(("data/", "tests/", "seeds/")) for n in names)  # the package, not the checkout


@pytest.mark.slow
def test_the_installed_library_scores_like_the_checkout_from_any_directory(installed):
    seed = next(SEEDS.glob("003_*.txt"))
    code = ("import json, pipeline; from pipeline import StanceScorer; s = StanceScorer.load(); "
            f"r = s.score_article(open({str(seed)!r}, encoding='utf-8').read(), article_id='x'); "
            "print(json.dumps({'file': pipeline.__file__, 'version': pipeline.__version__, 'model': s.version, 'native': s.model.native, "
            f"'result': r.to_dict(), 'labels': s.predict([{SENTENCE!r}])}}))")
    proc = _run(installed, installed["python"], "-c", code)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["file"].startswith(str(installed["venv"]))  # the installed copy, not this checkout
    assert got["native"]  # the wheel built pipeline/_native.c from the sdist
    assert got["version"] == pipeline.__version__ and got["model"] == f"stance-{pipeline.__version__}"
    here = StanceScorer.load()
    assert got["result"] == here.score_article(seed.read_text(encoding="utf-8"), article_id="x").to_dict()
    assert got["labels"] == here.predict([SENTENCE])


@pytest.mark.slow
def test_the_installed_command_scores_labels_and_explains_its_usage(installed, tmp_path):
    exe = installed["venv"] / "bin" / "osce-stance"
    seed = next(SEEDS.glob("000_*.txt"))
    copy = installed["cwd"] / seed.name
    copy.write_bytes(seed.read_bytes())

    version_line = _run(installed, exe, "--version")
    assert version_line.returncode == 0 and version_line.stdout.strip() == f"osce-stance {pipeline.__version__}"

    scored = _run(installed, exe, "score", copy.name, "--format", "jsonl")
    assert scored.returncode == 0, scored.stderr
    expected = StanceScorer.load().score_files([seed])
    assert json.loads(scored.stdout)["stance"] == next(iter(expected)).stance

    labelled = _run(installed, exe, "label", SENTENCE)
    assert labelled.returncode == 0 and labelled.stdout.split()[0] == StanceScorer.load().predict([SENTENCE])[0]

    report = _run(installed, exe, "report", copy.name, "--out", "site")
    assert report.returncode == 0, report.stderr
    assert (installed["cwd"] / "site" / "articles" / f"{seed.stem}.html").exists()  # the templates travel in the wheel
    assert seed.stem in (installed["cwd"] / "site" / "index.html").read_text(encoding="utf-8")

    for command, message in ((["score"], "give the files or folders"), (["report", copy.name], "give --out DIR"),
                             (["score", copy.name, "--save"], "outside a checkout"),
                             (["train"], "give --labels"), (["tokenize", copy.name], "give --articles")):
        proc = _run(installed, exe, *command)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, (command, proc.stderr)
    assert not (installed["venv"] / "lib" / "data").exists()


@pytest.mark.slow
def test_a_lean_install_scores_and_names_the_extra_a_command_needs(installed):
    # The wheel asks only for the runtime; training and the report are extras. The installed environment sees this
    # one's packages, so the extras' modules are hidden from the interpreter to stand for a bare `pip install`.
    metadata = zipfile.ZipFile(next(installed["dist"].glob("*.whl")))
    meta = next(n for n in metadata.namelist() if n.endswith(".dist-info/METADATA"))
    requires = [line.split(": ", 1)[1] for line in metadata.read(meta).decode().splitlines() if line.startswith("Requires-Dist: ")]
    runtime = {r.split("~")[0].split(">")[0].split("[")[0].lower() for r in requires if "extra ==" not in r}
    assert runtime == {"numpy", "vadersentiment", "joblib", "tqdm", "trafilatura", "htmldate"}
    from pipeline.cli import EXTRA_OF_MODULE

    seed = next(SEEDS.glob("003_*.txt"))
    hide = f"import sys; sys.modules.update(dict.fromkeys({sorted(EXTRA_OF_MODULE)!r})); from pipeline.cli import main; "
    for command, code, words in ((["score", str(seed), "--format", "jsonl"], 0, ""), (["label", SENTENCE], 0, ""),
                                 (["trend", str(seed), "--by", "year"], 0, ""),
                                 (["report", str(seed), "--out", "lean-site"], 2, "pip install 'osce-stance[report]'"),
                                 (["tokenize", str(seed), "--articles", "a.jsonl", "--sentences", "s.jsonl"], 2, "pip install 'osce-stance[train]'"),
                                 (["train", "--labels", "l", "--sentences", "s", "--model", "m"], 2, "pip install 'osce-stance[train]'")):
        proc = _run(installed, installed["python"], "-c", hide + f"sys.exit(main({command!r}))")
        assert proc.returncode == code and words in proc.stderr and "Traceback" not in proc.stderr, (command, proc.stderr)
        if command[0] == "score":
            expected = StanceScorer.load().score_files([seed])
            assert json.loads(proc.stdout)["stance"] == next(iter(expected)).stance
    assert not (installed["cwd"] / "lean-site").exists()


@pytest.mark.slow
def test_the_package_scores_from_a_zip_import(installed):
    # The installed package zipped (a zip import cannot hold the compiled core: the pure path scores, the same).
    site = next((installed["venv"] / "lib").glob("python*/site-packages"))
    archive = installed["cwd"] / "osce_stance.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((site / "pipeline").rglob("*")):
            if path.is_file() and path.suffix != ".so" and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(site).as_posix())
    code = ("import json, pipeline; from pipeline import StanceScorer; s = StanceScorer.load(); "
            f"print(json.dumps({{'file': pipeline.__file__, 'labels': s.predict([{SENTENCE!r}]), 'version': s.version}}))")
    proc = subprocess.run([str(installed["python"]), "-c", code], capture_output=True, text=True, cwd=installed["cwd"],
                          env={**installed["env"], "PYTHONPATH": str(archive)})
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["file"].startswith(str(archive)) and got["version"] == f"stance-{pipeline.__version__}"
    assert got["labels"] == StanceScorer.load().predict([SENTENCE])


def test_the_shipped_model_is_package_data_in_this_checkout():
    from pipeline.api import shipped_model

    folder, fix = shipped_model()
    assert folder.resolve() == (paths.MODELS / "stance").resolve() and "make train" in fix
