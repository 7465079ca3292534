"""One-off comparison of linear model families by the grouped cross-validation train.py uses.

    python scripts/compare_models.py      (after make labels; about two minutes)

Result on 2026-11-24 (macro-F1, 5 folds grouped by article, gold sentences outside test):
LogisticRegression C=3 balanced 0.847 (kept: native probabilities that the core reproduces
exactly), SGDClassifier log-loss 0.845-0.846, LinearSVC 0.840-0.849 (it would need stored
calibrators to give probabilities).
"""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from pipeline import paths
from pipeline.features import analyze
from pipeline.gold import load_gold, load_splits
from pipeline.metrics import evaluate
from pipeline.train import FIT_SPLITS, training_table


def cross_validate(table, make_classifier) -> float:
    mask = np.isin(table["split"], FIT_SPLITS)
    docs = [d for d, keep in zip(table["docs"], mask) if keep]
    y, weight, groups = table["y"][mask], table["weight"][mask], table["groups"][mask]
    pred = np.full(len(docs), -1)
    for tr, te in GroupKFold(5).split(docs, y, groups):
        model = Pipeline([("tfidf", TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=2)), ("clf", make_classifier())])
        model.fit([docs[i] for i in tr], y[tr], clf__sample_weight=weight[tr])
        pred[te] = model.predict([docs[i] for i in te])
    return evaluate(y, pred)["macro_f1"]


def main():
    table = training_table(paths.LABELS_JSONL, paths.SENTENCES_JSONL, load_gold(), load_splits())
    for alpha in (1e-5, 3e-5, 1e-4):
        score = cross_validate(table, lambda a=alpha: SGDClassifier(loss="log_loss", alpha=a, class_weight="balanced",
                                                                    max_iter=50, tol=None, random_state=0))
        print(f"SGDClassifier(log_loss, alpha={alpha}): {score:.3f}", flush=True)
    for c in (0.1, 0.3, 1.0):
        print(f"LinearSVC(C={c}): {cross_validate(table, lambda c=c: LinearSVC(C=c, class_weight='balanced')):.3f}", flush=True)


if __name__ == "__main__":
    main()
