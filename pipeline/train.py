"""Train: fit the stance classifier on gold + weak labels and export it as arrays + JSON.

Training data is every sentence outside the test split: the train and dev splits and
any article outside the gold (what users add under ``data/raw``).  Gold labels take
precedence; sentences without gold carry the labelling functions' label, down-weighted
by its confidence.  Character n-grams were dropped because grouped cross-validation scored
0.847 macro-F1 without them against 0.829 with them.  C and class weighting were chosen on the
real-news yardstick (``CHOSEN``); 5-fold cross-validation grouped by article (no article in
two folds), scored on gold sentences, is run over ``GRID`` and reported.  The test split is
never fitted on or tuned against.  The exported model
(``models/stance/``) is ``weights.npz`` + ``manifest.json``, written byte-for-byte
reproducibly (fixed zip timestamps, sorted JSON).
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import zipfile
from pathlib import Path

import numpy as np
import sklearn
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from . import __version__, paths
from .core import FORMAT_VERSION
from .features import ALONE, SPEC, analyze, article_documents, document
from .files import atomic_write, read_jsonl
from .metrics import LABELS, MARKDOWN_HEADER, evaluate, markdown_row

__all__ = ["make_pipeline", "training_table", "fit_and_select", "export_model", "run"]

WEAK_WEIGHT = 0.3
GRID = [{"C": c, "class_weight": cw} for c in (0.5, 1.0, 3.0, 10.0, 30.0, 100.0) for cw in (None, "balanced")]
# The settings the shipped model uses, chosen on the real-news yardstick (scripts/real_news.py, reports/real.md), the
# project's dev set: on published news C=1 with balanced classes gave the best macro-F1 in context (0.644 against
# 0.626-0.639 for C in 0.3-10) and calibrated probabilities (expected calibration error 0.012, against 0.06-0.11 for
# C >= 3).  Cross-validation on the team's corpus, which reads easier than real news, prefers larger C (more confident
# models): it is still run and reported, but it no longer chooses.
CHOSEN = {"C": 1.0, "class_weight": "balanced"}
FIT_SPLITS = ("train", "dev", "unlabelled")


def make_pipeline(C: float = 10.0, class_weight=None, min_df: int = 2) -> Pipeline:
    """The estimator whose arrays the core reproduces: TF-IDF on :func:`analyze` + multinomial logistic regression."""
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=min_df, dtype=np.float64)),
        ("clf", LogisticRegression(C=C, class_weight=class_weight, max_iter=5000, tol=1e-8)),
    ])


def training_table(labels_path, sentences_path, gold: dict, splits: dict) -> dict:
    """Documents (with and without their article context), texts, targets, weights, groups and split of every sentence."""
    texts = {s["key"]: s["text"] for s in read_jsonl(sentences_path)}
    rows = list(read_jsonl(labels_path))
    by_article: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_article.setdefault(r["article_id"], []).append(i)
    doc_of = {}
    for ids in by_article.values():
        doc_of.update(zip(ids, article_documents([texts[rows[i]["key"]] for i in ids], [rows[i]["osce"] for i in ids])))
    docs, alone, sentence_texts, y, weight, groups, split, gold_y, weak_y = [], [], [], [], [], [], [], [], []
    for i, r in enumerate(rows):
        docs.append(doc_of[i])
        alone.append(document(texts[r["key"]], r["osce"], ALONE))
        sentence_texts.append(texts[r["key"]])
        s = splits.get(r["article_id"], "unlabelled")
        g = gold.get(r["key"])
        gold_y.append(LABELS.index(g["label"]) if g else -1)
        weak_y.append(LABELS.index(r["label"]))
        use_gold = g is not None and s in ("train", "dev")
        y.append(gold_y[-1] if use_gold else weak_y[-1])
        weight.append(1.0 if use_gold else WEAK_WEIGHT * r["confidence"])
        groups.append(r["article_id"])
        split.append(s)
    return {"docs": docs, "alone": alone, "texts": sentence_texts, "y": np.array(y), "weight": np.array(weight), "groups": np.array(groups),
            "split": np.array(split), "gold": np.array(gold_y), "weak": np.array(weak_y)}


def fit_and_select(table: dict, grid=GRID, n_splits: int = 5, n_jobs: int = 2, chosen: dict | None = CHOSEN) -> tuple[Pipeline, dict, list[dict]]:
    """Grouped cross-validation over ``grid`` on the training sentences; refit ``chosen`` (or, if None, the best) on all of them.

    Every training sentence enters twice: with its article context and alone (context
    dropout), so the model weighs the sentence's own words and scores a sentence without an
    article (``StanceScorer.predict``) as well as one inside it.  Folds are scored on the
    sentences in context (``cv_macro_f1``) and alone (``cv_macro_f1_alone``).
    """
    fit_mask = np.isin(table["split"], FIT_SPLITS)
    docs = [d for d, m in zip(table["docs"], fit_mask) if m]
    alone = [d for d, m in zip(table["alone"], fit_mask) if m]
    y, w, groups = table["y"][fit_mask], table["weight"][fit_mask], table["groups"][fit_mask]
    scored = table["gold"][fit_mask] >= 0
    folds = list(GroupKFold(n_splits=n_splits).split(docs, y, groups))

    def fit(params, rows):
        # min_df counts documents, and each sentence is two of them: 4 keeps "in at least two sentences"
        return make_pipeline(**params, min_df=4).fit([docs[i] for i in rows] + [alone[i] for i in rows], np.r_[y[rows], y[rows]],
                                           clf__sample_weight=np.r_[w[rows], w[rows]])

    def fold_predictions(params, tr, te):
        model = fit(params, tr)
        return model.predict([docs[i] for i in te]), model.predict([alone[i] for i in te])

    jobs = [(params, tr, te) for params in grid for tr, te in folds]
    predictions = Parallel(n_jobs=n_jobs)(delayed(fold_predictions)(*job) for job in jobs)
    results = []
    for g, params in enumerate(grid):
        pred, pred_alone = np.full(len(docs), -1), np.full(len(docs), -1)
        for f, (_, te) in enumerate(folds):
            pred[te], pred_alone[te] = predictions[g * len(folds) + f]
        m = evaluate(y[scored], pred[scored])
        results.append({**params, "cv_macro_f1": m["macro_f1"], "cv_f_avg": m["f_avg"],
                        "cv_macro_f1_alone": evaluate(y[scored], pred_alone[scored])["macro_f1"]})
    best = max(results, key=lambda r: (r["cv_macro_f1"], -r["C"]))
    params = dict(chosen) if chosen else {"C": best["C"], "class_weight": best["class_weight"]}
    return fit(params, np.arange(len(docs))), params, results


def _npz_bytes(arrays: dict) -> bytes:
    """An .npz archive with fixed timestamps, so the same arrays give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(arrays[name]), allow_pickle=False)
    return buf.getvalue()


def export_model(model: Pipeline, folder: Path, manifest_extra: dict) -> dict:
    """Write ``weights.npz`` and ``manifest.json`` atomically; return the manifest."""
    tfidf, clf = model.named_steps["tfidf"], model.named_steps["clf"]
    vocab = sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.get)
    if any("\n" in f for f in vocab):
        raise ValueError("a feature contains a newline; the vocabulary encoding cannot hold it")
    classes = [LABELS[k] for k in clf.classes_]
    arrays = {
        "vocab_utf8": np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
        "idf": tfidf.idf_.astype(np.float64),
        "coef": clf.coef_.astype(np.float64),
        "intercept": clf.intercept_.astype(np.float64),
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "model_version": f"stance-{__version__}",
        "labels": classes,
        "n_features": len(vocab),
        "features": SPEC,
        "estimator": {"vectorizer": "TfidfVectorizer(sublinear_tf=True, norm='l2', smooth_idf=True)",
                      "classifier": "LogisticRegression(multinomial, lbfgs)", **manifest_extra.pop("params", {})},
        "library_versions": {"python": platform.python_version(), "numpy": np.__version__, "scikit-learn": sklearn.__version__},
        **manifest_extra,
    }
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_write(folder / "weights.npz", "wb") as fh:
        fh.write(_npz_bytes(arrays))
    with atomic_write(folder / "manifest.json") as fh:
        fh.write(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# numpy and OpenBLAS pick their vector kernels by CPU at import, and an AVX-512 machine fits weights that differ
# from an AVX2 machine's in the 6th decimal (max |coef diff| 1.1e-5, measured here).  Training runs with the
# kernels pinned to the AVX2 level every x86-64 machine of this project has (`osce-stance train` sets these in a
# fresh interpreter), so the same inputs give the same bytes on any of them.
AVX512 = ("AVX512F AVX512CD AVX512VL AVX512BW AVX512DQ AVX512VNNI AVX512IFMA AVX512VBMI AVX512VBMI2 AVX512BITALG "
          "AVX512VPOPCNTDQ AVX512BF16 AVX512FP16 AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR")
REPRODUCIBLE_ENV = {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1", "NPY_DISABLE_CPU_FEATURES": AVX512} \
    if platform.machine().lower() in ("x86_64", "amd64") else {}

# The modules that decide the model's bytes besides its inputs: the analyzer and this stage.
TRAINING_CODE = ("train.py", "features.py", "lexicon.py", "names.py")
REPORTS = ("training.md", "metrics.json")


def _code_sha256() -> str:
    digest = hashlib.sha256()
    for name in TRAINING_CODE:
        digest.update(name.encode() + b"\0" + (Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def _inputs_sha256(labels_path, sentences_path, gold_dir=None) -> dict:
    inputs = {name: _sha256(p) for name, p in (("labels.jsonl", labels_path), ("sentences.jsonl", sentences_path))}
    gold_root = Path(gold_dir) if gold_dir else paths.GOLD  # where load_gold reads them
    for name in ("seeds.jsonl", "corpus.jsonl", "splits.json"):
        p = gold_root / name
        if p.exists():
            inputs[f"gold/{name}"] = _sha256(p)
    return inputs


def up_to_date(labels_path, sentences_path, model_dir, report_dir, gold_dir=None) -> bool:
    """Whether ``model_dir`` already holds the model that these inputs and this code train.

    Its manifest records the SHA-256 of both.  A fresh checkout gives every file the time of the checkout,
    so Make sees the model as older than its inputs; re-fitting it there is wasted work, and on another
    CPU it can change the weights' last bits and leave the working tree dirty.
    """
    try:
        manifest = json.loads((Path(model_dir) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not (Path(model_dir) / "weights.npz").is_file() or not all((Path(report_dir) / r).is_file() for r in REPORTS):
        return False
    return (manifest.get("training_code_sha256") == _code_sha256()
            and manifest.get("training_inputs_sha256") == _inputs_sha256(labels_path, sentences_path, gold_dir))


def _vader_labels(texts) -> np.ndarray:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in texts])
    return np.where(compound >= 0.05, 0, np.where(compound <= -0.05, 1, 2))


def run(labels_path, sentences_path, model_dir, report_dir, gold_dir=None) -> dict:
    """The ``train`` stage: select, fit, evaluate against baselines, export, report."""
    from .gold import load_gold, load_splits

    gold, splits = load_gold(gold_dir), load_splits(gold_dir)
    table = training_table(labels_path, sentences_path, gold, splits)
    model, params, cv = fit_and_select(table)

    test = (table["split"] == "test") & (table["gold"] >= 0)
    docs = table["docs"]
    test_docs = [d for d, m in zip(docs, test) if m]
    y_test = table["gold"][test]
    train_gold = table["gold"][(table["split"] == "train") & (table["gold"] >= 0)]
    majority = int(np.bincount(train_gold, minlength=3).argmax())
    texts_test = [t for t, m in zip(table["texts"], test) if m]
    results = {
        "majority class": evaluate(y_test, np.full(len(y_test), majority)),
        "VADER compound": evaluate(y_test, _vader_labels(texts_test)),
        "labelling functions": evaluate(y_test, table["weak"][test]),
        "classifier": evaluate(y_test, model.predict(test_docs)),
    }

    inputs = _inputs_sha256(labels_path, sentences_path, gold_dir)
    best_cv = next(r for r in cv if r["C"] == params["C"] and r["class_weight"] == params["class_weight"])
    metrics = {"test": results, "cross_validation": cv, "params": params,
               "n_train_sentences": int(np.isin(table["split"], FIT_SPLITS).sum())}
    manifest = export_model(model, Path(model_dir), {
        "params": params,
        "training_inputs_sha256": inputs,
        "training_code_sha256": _code_sha256(),
        "metrics": {"test_macro_f1": results["classifier"]["macro_f1"], "test_f_avg": results["classifier"]["f_avg"],
                    "cv_macro_f1": best_cv["cv_macro_f1"]},
    })

    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    with atomic_write(report_dir / "metrics.json") as fh:
        fh.write(json.dumps(metrics, indent=1, sort_keys=True) + "\n")
    clf = results["classifier"]
    beat = clf["macro_f1"] > results["labelling functions"]["macro_f1"]
    lines = [
        "# Training report", "",
        f"Model `{manifest['model_version']}` ({manifest['n_features']} features, {SPEC['name']}); "
        f"C={params['C']}, class_weight={params['class_weight']}, chosen on the real-news yardstick (pipeline.train.CHOSEN); "
        "5-fold cross-validation grouped by article is reported below.",
        f"Trained on {metrics['n_train_sentences']} sentences outside the test split "
        f"(gold labels first, otherwise weak labels weighted {WEAK_WEIGHT} x confidence).", "",
        f"## Gold test split ({clf['n']} sentences, articles never seen in training)", "",
        "All rows computed in the same run on the same sentences.", "", MARKDOWN_HEADER,
        *(markdown_row(name, m) for name, m in results.items()), "",
        f"Cross-validated macro-F1 of the chosen settings on the gold training sentences: {best_cv['cv_macro_f1']:.3f} "
        f"(the best of the grid: {max(r['cv_macro_f1'] for r in cv):.3f}).", "",
        "The classifier " + ("beats" if beat else "does NOT beat") + " the labelling functions alone on test macro-F1 "
        f"({clf['macro_f1']:.3f} vs {results['labelling functions']['macro_f1']:.3f}).", "",
        "### Classifier per class (test)", "", "| class | precision | recall | F1 | support |", "|---|---|---|---|---|",
        *(f"| {k} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |" for k, v in clf["per_class"].items()), "",
        "### Confusion matrix (test; rows gold, columns predicted: cooperative, critical, neutral)", "", "```",
        *("  ".join(f"{v:4d}" for v in row) for row in clf["confusion"]), "```", "",
        "### Cross-validation (5 folds grouped by article, scored on gold sentences)", "",
        "Each sentence is scored in its article, as `make score` does; the last column scores it alone, as `StanceScorer.predict` does.", "",
        "| C | class_weight | macro-F1 | F_avg | macro-F1 alone |", "|---|---|---|---|---|",
        *(f"| {r['C']} | {r['class_weight']} | {r['cv_macro_f1']:.3f} | {r['cv_f_avg']:.3f} | {r['cv_macro_f1_alone']:.3f} |" for r in cv),
    ]
    with atomic_write(report_dir / "training.md") as fh:
        fh.write("\n".join(lines) + "\n")
    return metrics
