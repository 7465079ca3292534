"""Evaluation measures shared by the label and train reports (numpy only).

``f_avg`` is the SemEval-2016 stance metric: the mean F1 of the two stance classes
(cooperative and critical), ignoring neutral.
"""

from __future__ import annotations

import numpy as np

LABELS = ("cooperative", "critical", "neutral")


def confusion(y_true, y_pred, n: int = 3) -> np.ndarray:
    """``C[i, j]``: sentences of gold class ``i`` predicted as ``j``."""
    c = np.zeros((n, n), dtype=int)
    np.add.at(c, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return c


def evaluate(y_true, y_pred) -> dict:
    """Accuracy, per-class precision/recall/F1, macro-F1, F_avg and the confusion matrix.

    >>> round(evaluate([0, 1, 2, 2], [0, 1, 2, 0])["macro_f1"], 4)
    0.7778
    """
    c = confusion(y_true, y_pred)
    tp = np.diag(c).astype(float)
    precision = np.divide(tp, c.sum(axis=0), out=np.zeros(3), where=c.sum(axis=0) > 0)
    recall = np.divide(tp, c.sum(axis=1), out=np.zeros(3), where=c.sum(axis=1) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(3), where=(precision + recall) > 0)
    return {
        "n": int(c.sum()),
        "accuracy": float(tp.sum() / max(c.sum(), 1)),
        "macro_f1": float(f1.mean()),
        "f_avg": float(f1[:2].mean()),
        "per_class": {
            label: {"precision": float(precision[k]), "recall": float(recall[k]), "f1": float(f1[k]), "support": int(c[k].sum())}
            for k, label in enumerate(LABELS)
        },
        "confusion": c.tolist(),
    }


def markdown_row(name: str, m: dict) -> str:
    """One row of the metrics table (see :data:`MARKDOWN_HEADER`)."""
    pc = m["per_class"]
    return (f"| {name} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {m['f_avg']:.3f} | "
            f"{pc['cooperative']['f1']:.3f} | {pc['critical']['f1']:.3f} | {pc['neutral']['f1']:.3f} |")


MARKDOWN_HEADER = (
    "| method | n | accuracy | macro-F1 | F_avg | F1 coop | F1 crit | F1 neutral |\n"
    "|---|---|---|---|---|---|---|---|"
)
