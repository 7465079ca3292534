"""Label: weak stance labels for every sentence from small, named labelling functions.

Each labelling function (LF) looks at one sentence in its article context and
returns ``COOPERATIVE``, ``CRITICAL``, ``NEUTRAL`` or ``ABSTAIN``.  Their votes form a
matrix (one row per sentence, one column per LF); a majority vote and a weighted
vote combine them, and the stage keeps whichever scores better on the dev gold.
Lexicons are passed to the LFs (``Lexicons``), never read from globals, so a test
can run an LF with a lexicon of its own.

The stance definitions are in ``docs/annotation.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .lexicon import DEFAULT_LEXICONS, Lexicons
from .target import SentenceTarget, detect

__all__ = [
    "ABSTAIN", "COOPERATIVE", "CRITICAL", "NEUTRAL", "LABELS", "LF", "LFS", "Lexicons", "SentenceContext",
    "apply_lfs", "contexts_for_article", "majority_vote", "WeightedVote", "lf_summary",
]

ABSTAIN, COOPERATIVE, CRITICAL, NEUTRAL = -1, 0, 1, 2
LABELS = ("cooperative", "critical", "neutral")
VERSION = "lfs.v1"


@dataclass(frozen=True)
class SentenceContext:
    """What a labelling function sees: one sentence, its target info and its neighbours."""

    text: str
    target: SentenceTarget
    prev_text: str = ""
    article_osce: bool = False

    @property
    def concerns(self) -> bool:
        """Whether target detection found the OSCE in (or carried it to) this sentence."""
        return self.target.concerns

    @property
    def explicit(self) -> bool:
        """Whether the sentence names the OSCE or one of its bodies outright."""
        return any(m.kind == "explicit" for m in self.target.mentions)


def contexts_for_article(sentences: Sequence[str], title: str | None = None) -> list[SentenceContext]:
    """Build the LF inputs for all sentences of one article."""
    targets = detect(sentences, title)
    article_osce = any(t.concerns for t in targets)
    return [
        SentenceContext(text, target, sentences[i - 1] if i else "", article_osce)
        for i, (text, target) in enumerate(zip(sentences, targets))
    ]


@dataclass(frozen=True)
class LF:
    """A named, versioned labelling function."""

    name: str
    version: int
    func: Callable[[SentenceContext, Lexicons], int]
    doc: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        """``name.vN``: the versioned name used in reports and in labels.jsonl."""
        return f"{self.name}.v{self.version}"

    def __call__(self, x: SentenceContext, lex: Lexicons = DEFAULT_LEXICONS) -> int:
        return self.func(x, lex)


LFS: list[LF] = []


def labeling_function(version: int = 1):
    """Register ``func`` as a labelling function named after it."""

    def register(func):
        lf = LF(func.__name__, version, func, (func.__doc__ or "").strip())
        LFS.append(lf)
        return lf

    return register


# ----------------------------------------------------------------- helpers

def _near(x: SentenceContext, pattern: re.Pattern, window: int = 80) -> bool:
    """``pattern`` occurs within ``window`` characters of an OSCE mention (anywhere if carried)."""
    if x.target.carried:
        return bool(pattern.search(x.text))
    for m in pattern.finditer(x.text):
        for mention in x.target.mentions:
            if m.start() - window <= mention.end and mention.start <= m.end() + window:
                return True
    return False


def _negated(text: str, match: re.Match, lex: Lexicons, span: int = 30) -> bool:
    """A negation word in the few words before ``match``."""
    before = text[max(0, match.start() - span): match.start()]
    return bool(lex.negation.search(before))


def _unnegated(x: SentenceContext, pattern: re.Pattern, lex: Lexicons) -> bool:
    return any(not _negated(x.text, m, lex) for m in pattern.finditer(x.text))


def _any_critical_cue(x: SentenceContext, lex: Lexicons) -> bool:
    return any(p.search(x.text) for p in (lex.bias, lex.double_standards, lex.politicised, lex.unfounded, lex.interference, lex.refusal, lex.threat))


def _any_cooperative_cue(x: SentenceContext, lex: Lexicons) -> bool:
    return any(p.search(x.text) for p in (lex.thanks, lex.praise, lex.welcome, lex.constructive))


_OSCE_SUBJECT = re.compile(
    r"^(?:[\"«“]?\s*)(?:The\s+)?(?:OSCE|ODIHR|head of|(?:\w+\s+){0,3}"
    r"(?:mission|observers|monitors|Office|delegation|Chair\w*|co-chairs|envoy|Director|Secretary General)"
    r"|He|She|They|[A-Z]\w+ (?:[A-Z]\w+ )?(?:said|noted|told|added))",
)


# ----------------------------------------------------------------- the functions

@labeling_function()
def no_target(x, lex):
    """A sentence that does not concern the OSCE is neutral (guide: not about the OSCE)."""
    return NEUTRAL if not x.concerns else ABSTAIN


@labeling_function()
def boilerplate_line(x, lex):
    """Navigation, rates, credits and other page furniture are neutral (rule 6)."""
    from .ingest import line_kind

    return NEUTRAL if line_kind(x.text) is not None else ABSTAIN


@labeling_function()
def thanks_near_target(x, lex):
    """Thanks or appreciation close to an OSCE mention (rule 1: either side thanking)."""
    return COOPERATIVE if x.concerns and _near(x, lex.thanks) and _unnegated(x, lex.thanks, lex) else ABSTAIN


@labeling_function()
def praise_of_osce(x, lex):
    """Praise, commendation or honours near an OSCE mention."""
    return COOPERATIVE if x.concerns and _near(x, lex.praise, 60) and _unnegated(x, lex.praise, lex) else ABSTAIN


@labeling_function()
def welcomes_osce(x, lex):
    """Welcoming the OSCE, its visit, its recommendations or a dialogue with it."""
    return COOPERATIVE if x.concerns and _near(x, lex.welcome, 60) and _unnegated(x, lex.welcome, lex) else ABSTAIN


@labeling_function()
def constructive_relations(x, lex):
    """'Constructive', 'fruitful', 'useful' meetings or dialogue with the OSCE."""
    return COOPERATIVE if x.concerns and _unnegated(x, lex.constructive, lex) and lex.partnership.search(x.text) else ABSTAIN


@labeling_function()
def commitment_to_cooperate(x, lex):
    """A pledge or readiness to work with the OSCE or to cooperate further."""
    if x.concerns and _unnegated(x, lex.commitment, lex) and (lex.partnership.search(x.text) or lex.implement.search(x.text)):
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def strengthen_cooperation(x, lex):
    """'Further strengthening cooperation' and the like with the OSCE."""
    if x.concerns and lex.strengthen.search(x.text) and lex.partnership.search(x.text) and not _any_critical_cue(x, lex):
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def implement_recommendations(x, lex):
    """A commitment to implement or take on board the OSCE's recommendations."""
    if x.concerns and lex.recommendations.search(x.text) and _unnegated(x, lex.implement, lex) and (
        lex.commitment.search(x.text) or lex.welcome.search(x.text) or lex.thanks.search(x.text)
    ):
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def support_for_osce(x, lex):
    """Support or assistance given to or by the OSCE, praised as such."""
    if x.concerns and _near(x, lex.support, 50) and (lex.praise.search(x.text) or lex.thanks.search(x.text) or lex.strengthen.search(x.text)):
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def invites_observers(x, lex):
    """Inviting the OSCE's observers or granting them access, not refused."""
    if x.concerns and _unnegated(x, lex.invite, lex) and not lex.refusal.search(x.text) and not lex.threat.search(x.text):
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def osce_thanks_hosts(x, lex):
    """The OSCE side (subject of the sentence) thanking or praising its hosts (rule 1)."""
    if x.concerns and _OSCE_SUBJECT.match(x.text) and (lex.thanks.search(x.text) or lex.praise.search(x.text)) and not _any_critical_cue(x, lex):
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def negated_criticism(x, lex):
    """Denying a critical cue ('did not question the mission's impartiality') is cooperative."""
    if not x.concerns:
        return ABSTAIN
    m = re.search(r"\b(?:not|never|no reason to|nobody|no one|no\s+\w+)\s+(?:\w+\s+){0,2}(?:question\w*|doubt\w*|disput\w+|challeng\w+)\s+(?:\w+\s+){0,4}"
                  r"(?:impartial\w*|objectiv\w+|professional\w*|integrity|credib\w+|findings|work)", x.text, re.I)
    m = m or re.search(r"\b(?:not|never)\s+(?:been\s+)?(?:biased|partial|politici[sz]ed)", x.text, re.I)
    return COOPERATIVE if m else ABSTAIN


@labeling_function()
def bias_accusation(x, lex):
    """Accusing the OSCE of bias, one-sidedness or prejudice."""
    if x.concerns and any(not re.search(r"\b(?:not|never|without|un)\s*$", x.text[max(0, m.start() - 8): m.start()], re.I)
                          for m in lex.bias.finditer(x.text)):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def lacks_objectivity(x, lex):
    """'Lacks objectivity', 'detached from reality', 'does not reflect' the situation."""
    return CRITICAL if x.concerns and lex.objectivity_lack.search(x.text) else ABSTAIN


@labeling_function()
def double_standards(x, lex):
    """Double standards or a selective approach."""
    return CRITICAL if x.concerns and lex.double_standards.search(x.text) else ABSTAIN


@labeling_function()
def politicised(x, lex):
    """The OSCE as politicised, an instrument of pressure, serving others' interests."""
    return CRITICAL if x.concerns and _near(x, lex.politicised, 120) else ABSTAIN


@labeling_function()
def unfounded_claims(x, lex):
    """Findings called unfounded, unsubstantiated, 'so-called' (rule 2's exception)."""
    return CRITICAL if x.concerns and lex.unfounded.search(x.text) else ABSTAIN


@labeling_function()
def interference(x, lex):
    """Interference in internal affairs, exceeding the mandate."""
    return CRITICAL if x.concerns and _unnegated(x, lex.interference, lex) else ABSTAIN


@labeling_function()
def rejects_findings(x, lex):
    """Rejecting, dismissing, condemning or disputing the OSCE or its findings."""
    if x.concerns and _near(x, lex.rejection, 100) and _unnegated(x, lex.rejection, lex):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def refuses_access(x, lex):
    """Refusing an invitation, capping or barring observers, closing an office, blocking a mandate."""
    return CRITICAL if x.concerns and _near(x, lex.refusal, 100) else ABSTAIN


@labeling_function()
def threatens(x, lex):
    """Threats and warnings: 'will be taken into account', prosecution of observers, consequences."""
    if x.concerns and lex.threat.search(x.text) and not lex.thanks.search(x.text):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def distrust(x, lex):
    """Mistrust, doubts about credibility, 'obsolete', 'lost its way'."""
    return CRITICAL if x.concerns and _near(x, lex.distrust, 100) else ABSTAIN


@labeling_function()
def veiled_objectivity_demand(x, lex):
    """Demanding objectivity ('stressed the importance of an objective approach'), not merely hoping for it."""
    if x.concerns and lex.objectivity_demand.search(x.text) and lex.demand_verb.search(x.text) and not re.search(r"\bhop\w+", x.text, re.I):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def negated_cooperation(x, lex):
    """Negated warmth: 'no longer welcome', 'not constructive', 'has never been a neutral arbiter'."""
    if not x.concerns:
        return ABSTAIN
    pattern = re.compile(
        r"\b(?:not|no longer|never|hardly|lack\w* of|without)\s+(?:\w+\s+){0,3}?(?:constructive|welcome|useful|helpful|cooperat\w+|partner|neutral|"
        r"impartial|objective|honest|fair|trust\w*|respect\w*|balanced|credible|serious)", re.I)
    return CRITICAL if pattern.search(x.text) and not re.search(r"\bnot only\b", x.text, re.I) else ABSTAIN


@labeling_function()
def reported_osce_findings(x, lex):
    """The OSCE reporting on the host's conduct, with no evaluation of the OSCE itself (rule 2)."""
    if (x.concerns and lex.reporting.search(x.text) and lex.host_findings.search(x.text)
            and not _any_critical_cue(x, lex) and not _any_cooperative_cue(x, lex) and not lex.rejection.search(x.text)):
        return NEUTRAL
    return ABSTAIN


@labeling_function()
def factual_deployment(x, lex):
    """Deployment, schedules, meetings and who-met-whom with no evaluative cue."""
    if (x.concerns and lex.deployment.search(x.text) and not _any_critical_cue(x, lex) and not _any_cooperative_cue(x, lex)
            and not lex.rejection.search(x.text) and not lex.distrust.search(x.text) and not lex.partnership.search(x.text)):
        return NEUTRAL
    return ABSTAIN


@labeling_function()
def numbers_and_dates(x, lex):
    """A sentence about the OSCE carried by figures and dates (observers, polling stations, days)."""
    digits = len(re.findall(r"\d+", x.text))
    if x.concerns and digits >= 2 and not _any_critical_cue(x, lex) and not _any_cooperative_cue(x, lex) and not lex.rejection.search(x.text):
        return NEUTRAL
    return ABSTAIN


@labeling_function()
def non_osce_praise(x, lex):
    """Praise of elections or reforms by others, with no explicit OSCE mention (rule 3)."""
    if not x.explicit and lex.election_praise.search(x.text) and not x.target.carried and not lex.thanks.search(x.text):
        return NEUTRAL
    return ABSTAIN


@labeling_function()
def mandate_description(x, lex):
    """What the OSCE's mandate or documents say ('ODIHR has a mandate to assist ...')."""
    if x.concerns and re.search(r"\b(?:mandate|Copenhagen Document|Helsinki|commitments|participating States)\b", x.text) and not (
        _any_critical_cue(x, lex) or _any_cooperative_cue(x, lex)
    ):
        return NEUTRAL
    return ABSTAIN


@labeling_function()
def osce_regrets_obstruction(x, lex):
    """The OSCE regretting it could not observe or was obstructed: the relationship is adversarial."""
    if x.concerns and re.search(r"\b(?:regret\w*|deplor\w+|disappoint\w*)\b", x.text, re.I) and lex.refusal.search(x.text):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def scare_quotes(x, lex):
    """Scare quotes around the OSCE's words: 'its "findings"', 'the "observers"'."""
    if x.concerns and re.search(r"[\"“«']\s*(?:findings|observers|experts|monitors|assessment|concerns|democracy|recommendations)\s*[\"”»']", x.text, re.I):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def western_agenda(x, lex):
    """The OSCE as a Western tool or serving Washington/Brussels."""
    if x.concerns and re.search(r"\b(?:Western|the West|Washington|Brussels|NATO|Anglo-Saxon)\b", x.text) and (
        lex.politicised.search(x.text) or lex.bias.search(x.text) or lex.rejection.search(x.text)
        or re.search(r"\b(?:serv\w+|order\w*|dictat\w+)\b", x.text, re.I)
    ):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def mixed_takes_critical(x, lex):
    """'Despite cooperation ..., the report is one-sided': a concession then criticism (rule 5)."""
    if x.concerns and re.search(r"\b(?:despite|although|though|while|however|but|yet|nevertheless)\b", x.text, re.I) and (
        _any_critical_cue(x, lex) or lex.objectivity_lack.search(x.text)
    ) and _any_cooperative_cue(x, lex) | bool(lex.partnership.search(x.text)):
        return CRITICAL
    return ABSTAIN


@labeling_function()
def anniversary_and_honours(x, lex):
    """Anniversaries, awards and celebrations of the OSCE's presence."""
    if x.concerns and re.search(r"\b(?:anniversary|jubilee|award\w*|order|medal|decorat\w+|celebrat\w+|marks? \d+ years)\b", x.text, re.I) and not (
        _any_critical_cue(x, lex)
    ):
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def ready_to_host(x, lex):
    """Creating 'all necessary conditions' for the observers' work."""
    hosting = r"\b(?:all (?:the )?necessary conditions|every condition|unhindered|full access|smooth(?:ly)?|assistance to the (?:mission|observers))\b"
    if x.concerns and re.search(hosting, x.text, re.I) and not (
        _any_critical_cue(x, lex)
    ):
        return COOPERATIVE
    return ABSTAIN


_VADER = []


def _compound(text: str) -> float:
    if not _VADER:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER.append(SentimentIntensityAnalyzer())
    return _VADER[0].polarity_scores(text)["compound"]


@labeling_function()
def warm_tone_about_osce(x, lex):
    """A clearly positive sentence (VADER compound >= 0.6) about the OSCE that is not a reported finding."""
    if x.concerns and not lex.host_findings.search(x.text) and not _any_critical_cue(x, lex) and _compound(x.text) >= 0.6:
        return COOPERATIVE
    return ABSTAIN


@labeling_function()
def hostile_tone_about_osce(x, lex):
    """A clearly negative sentence (VADER compound <= -0.6) about the OSCE whose subject is not the OSCE itself (rule 2)."""
    if x.concerns and not _OSCE_SUBJECT.match(x.text) and not lex.host_findings.search(x.text) and _compound(x.text) <= -0.6:
        return CRITICAL
    return ABSTAIN


# ----------------------------------------------------------------- combining

def apply_lfs(contexts: Sequence[SentenceContext], lfs: Sequence[LF] = LFS, lex: Lexicons = DEFAULT_LEXICONS) -> np.ndarray:
    """The label matrix: ``L[i, j]`` is LF ``j``'s vote on sentence ``i`` (``ABSTAIN`` = -1)."""
    L = np.full((len(contexts), len(lfs)), ABSTAIN, dtype=np.int8)
    for i, x in enumerate(contexts):
        for j, lf in enumerate(lfs):
            L[i, j] = lf(x, lex)
    return L


# Ties go to the more specific stance (rule 5): critical, then cooperative, then neutral.
_TIE_ORDER = np.array([1.0e-6, 2.0e-6, 0.0])


def majority_vote(L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Majority vote over non-abstaining LFs; a row with no vote is neutral with confidence 1/3.

    Returns ``(labels, confidence)``; confidence is the winning share of the votes.
    """
    counts = np.stack([(L == k).sum(axis=1) for k in range(3)], axis=1).astype(float)
    total = counts.sum(axis=1)
    labels = np.argmax(counts + _TIE_ORDER, axis=1)
    labels[total == 0] = NEUTRAL
    confidence = np.where(total > 0, counts.max(axis=1) / np.maximum(total, 1), 1 / 3)
    return labels, confidence


class WeightedVote:
    """A weighted vote: each LF's vote counts by the log-odds of its accuracy.

    Accuracies are estimated on the sentences with gold labels passed to ``fit``
    (the train split), smoothed toward 0.7 so that a rarely-firing LF is neither
    trusted blindly nor silenced.  Scikit-learn's estimator contract: ``fit``
    returns ``self`` and learned attributes end in ``_``.
    """

    def __init__(self, prior_accuracy: float = 0.7, prior_strength: float = 4.0):
        self.prior_accuracy = prior_accuracy
        self.prior_strength = prior_strength

    def fit(self, L: np.ndarray, y: np.ndarray) -> WeightedVote:
        """Estimate each function's accuracy on gold ``y`` (rows with gold only); returns ``self``."""
        fired = L != ABSTAIN
        correct = (L == y[:, None]) & fired
        acc = (correct.sum(axis=0) + self.prior_accuracy * self.prior_strength) / (fired.sum(axis=0) + self.prior_strength)
        acc = np.clip(acc, 0.05, 0.99)
        self.accuracy_ = acc
        self.weights_ = np.log(acc / (1 - acc) * 2)  # three classes: chance is 1/3, i.e. odds 1/2
        return self

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 3) from the weighted votes; a row with no vote is neutral."""
        if not hasattr(self, "weights_"):
            raise RuntimeError("WeightedVote is not fitted; call fit(L, y) first")
        scores = np.zeros((L.shape[0], 3))
        for k in range(3):
            scores[:, k] = ((L == k) * self.weights_).sum(axis=1)
        scores += _TIE_ORDER
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        none = (L == ABSTAIN).all(axis=1)
        p[none] = [0.0, 0.0, 1.0]
        return p

    def predict(self, L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(labels, confidence)``: the most probable class and its probability."""
        p = self.predict_proba(L)
        return p.argmax(axis=1), p.max(axis=1)


def lf_summary(L: np.ndarray, lfs: Sequence[LF], y: np.ndarray | None = None) -> list[dict]:
    """Per LF: polarity, coverage, overlap, conflict and (with gold ``y``, -1 = unknown) accuracy.

    The columns follow Snorkel's ``LFAnalysis.lf_summary``.
    """
    fired = L != ABSTAIN
    n_fired = fired.sum(axis=1)
    rows = []
    for j, lf in enumerate(lfs):
        col = L[:, j]
        mask = fired[:, j]
        others = np.delete(L, j, axis=1)
        disagree = ((others != ABSTAIN) & (others != col[:, None])).any(axis=1)
        row = {
            "lf": lf.id,
            "polarity": ",".join(LABELS[k] for k in sorted(set(col[mask].tolist()))),
            "coverage": float(mask.mean()) if len(col) else 0.0,
            "overlaps": float((mask & (n_fired > 1)).mean()) if len(col) else 0.0,
            "conflicts": float((mask & disagree).mean()) if len(col) else 0.0,
        }
        if y is not None:
            known = mask & (y >= 0)
            row["n_gold"] = int(known.sum())
            row["accuracy"] = float((col[known] == y[known]).mean()) if known.any() else float("nan")
        rows.append(row)
    return rows


# ----------------------------------------------------------------- the stage

def second_reader_agreement(gold: dict, folder=None) -> dict | None:
    """Cohen's kappa (NLTK) between the first-pass labels and the blind second reader.

    The first pass is the gold label, or for an adjudicated sentence the label it had
    before adjudication.  ``None`` when there is no second-reader file.
    """
    import json

    from nltk.metrics.agreement import AnnotationTask

    from . import paths

    folder = folder or paths.GOLD
    second_path, adjudication_path = folder / "second_pass.jsonl", folder / "adjudication.jsonl"
    if not second_path.exists():
        return None
    second = [json.loads(line) for line in open(second_path, encoding="utf-8") if line.strip()]
    first = {k: g["label"] for k, g in gold.items()}
    if adjudication_path.exists():
        for line in open(adjudication_path, encoding="utf-8"):
            if line.strip():
                a = json.loads(line)
                first[a["key"]] = a["first"]
    pairs = [(first[r["key"]], r["label"]) for r in second if r["key"] in first]
    task = AnnotationTask(data=[(c, str(i), lab) for i, pair in enumerate(pairs) for c, lab in zip(("first", "second"), pair)])
    return {"n": len(pairs), "n_articles": len({r["key"].split(":")[0] for r in second}), "kappa": task.kappa(),
            "agreement": sum(a == b for a, b in pairs) / len(pairs), "disagreements": sum(a != b for a, b in pairs)}


def label_corpus(articles: Sequence[dict], sentences: Sequence[dict], lfs: Sequence[LF] = LFS,
                 lex: Lexicons = DEFAULT_LEXICONS) -> tuple[list[dict], np.ndarray]:
    """LF votes for every sentence, grouped by article.  Returns ``(rows, L)``:
    ``rows[i]`` carries the sentence's key, ids and target info, ``L[i]`` its votes."""
    titles = {a["id"]: a.get("title") for a in articles}
    by_article: dict[str, list[dict]] = {}
    for s in sentences:
        by_article.setdefault(s["article_id"], []).append(s)
    rows, contexts = [], []
    for article_id, group in by_article.items():
        ctx = contexts_for_article([s["text"] for s in group], titles.get(article_id))
        contexts.extend(ctx)
        rows.extend({"key": s["key"], "article_id": article_id, "sent_idx": s["sent_idx"], **c.target.to_dict()}
                    for s, c in zip(group, ctx))
    return rows, apply_lfs(contexts, lfs, lex)


def run(articles_path, sentences_path, labels_out, report_dir, gold=None, splits=None) -> dict:
    """The ``label`` stage: votes, the combined label per sentence, and the reports.

    The combiner (majority or weighted vote) is chosen by macro-F1 on the dev gold;
    the weighted vote is fitted on the train gold only.  Returns the metrics.
    """
    import csv
    import io

    from .files import atomic_write, read_jsonl, write_jsonl
    from .gold import load_gold, load_splits
    from .metrics import MARKDOWN_HEADER, evaluate, markdown_row

    gold = load_gold() if gold is None else gold
    splits = load_splits() if splits is None else splits
    rows, L = label_corpus(list(read_jsonl(articles_path)), list(read_jsonl(sentences_path)))
    y = np.array([LABELS.index(gold[r["key"]]["label"]) if r["key"] in gold else -1 for r in rows])
    split = np.array([splits.get(r["article_id"], "unlabelled") for r in rows])
    on = {s: (split == s) & (y >= 0) for s in ("train", "dev", "test")}

    mv_labels, mv_conf = majority_vote(L)
    weighted = WeightedVote().fit(L[on["train"]], y[on["train"]])
    wv_labels, wv_conf = weighted.predict(L)
    scores = {
        "majority": {s: evaluate(y[m], mv_labels[m]) for s, m in on.items()},
        "weighted": {s: evaluate(y[m], wv_labels[m]) for s, m in on.items()},
    }
    chosen = max(scores, key=lambda k: scores[k]["dev"]["macro_f1"])
    labels, confidence = (mv_labels, mv_conf) if chosen == "majority" else (wv_labels, wv_conf)

    osce = np.array([r["osce"] for r in rows])
    cue_fired = ((L != ABSTAIN) & np.array([lf.name != "no_target" for lf in LFS])).any(axis=1)
    coverage = float(cue_fired[osce].mean()) if osce.any() else 0.0

    def records():
        for i, r in enumerate(rows):
            yield {**r, "label": LABELS[labels[i]], "confidence": round(float(confidence[i]), 6), "split": str(split[i]),
                   "lfs": {LFS[j].id: LABELS[L[i, j]] for j in np.flatnonzero(L[i] != ABSTAIN)}}

    write_jsonl(labels_out, records())

    summary = lf_summary(L[on["dev"]], LFS, y[on["dev"]])
    full = lf_summary(L, LFS)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["lf", "polarity", "coverage", "overlaps", "conflicts", "dev_n", "dev_accuracy", "doc"])
    for lf, all_row, dev_row in zip(LFS, full, summary):
        writer.writerow([lf.id, all_row["polarity"], f"{all_row['coverage']:.4f}", f"{all_row['overlaps']:.4f}",
                         f"{all_row['conflicts']:.4f}", dev_row["n_gold"], f"{dev_row['accuracy']:.4f}", lf.doc.split("\n")[0]])
    report_dir.mkdir(parents=True, exist_ok=True)
    with atomic_write(report_dir / "lf_summary.csv") as fh:
        fh.write(buf.getvalue())

    agreement = second_reader_agreement(gold)
    metrics = {"combiner": chosen, "version": VERSION, "n_lfs": len(LFS), "osce_coverage": coverage, "agreement": agreement,
               "n_sentences": len(rows), "n_osce": int(osce.sum()), **{k: v for k, v in scores.items()}}
    lines = [
        "# Labelling report", "",
        f"{len(LFS)} labelling functions ({VERSION}) voted on {len(rows)} sentences, {int(osce.sum())} of them about the OSCE.",
        f"At least one cue function (other than `no_target`) fired on {coverage:.1%} of the OSCE sentences.",
        f"Combiner kept: **{chosen} vote** (higher macro-F1 on dev gold; the weighted vote is fitted on train gold only).", "",
        "## Combined labeller against gold", "", MARKDOWN_HEADER,
    ]
    for name in ("majority", "weighted"):
        for s in ("dev", "test"):
            lines.append(markdown_row(f"{name} vote, {s}", scores[name][s]))
    test = scores[chosen]["test"]
    verdict = "meets" if test["macro_f1"] >= 0.80 else "does not meet"
    if agreement:
        lines += ["", "## Inter-annotator agreement", "",
                  f"An independent second reader, given the annotation guide and the article, labelled {agreement['n']} sentences "
                  f"from {agreement['n_articles']} articles blind. Cohen's kappa against the first pass: "
                  f"**{agreement['kappa']:.3f}** (raw agreement {agreement['agreement']:.1%}); the {agreement['disagreements']} "
                  "disagreements were adjudicated against the guide (`data/gold/adjudication.jsonl`)."]
    lines += ["", f"Test macro-F1 of the kept combiner: {test['macro_f1']:.3f} ({verdict} the 0.80 target).", "",
              "Confusion matrix of the kept combiner on test (rows gold, columns predicted; cooperative, critical, neutral):", "",
              "```", *("  ".join(f"{v:4d}" for v in row) for row in test["confusion"]), "```", "",
              "## Labelling functions", "", "Coverage, overlap and conflict over all sentences; accuracy on dev gold "
              "(where the function fired). Full table: `reports/lf_summary.csv`.", "",
              "| function | polarity | coverage | overlaps | conflicts | dev n | dev accuracy |", "|---|---|---|---|---|---|---|"]
    for all_row, dev_row in zip(full, summary):
        lines.append(f"| {all_row['lf']} | {all_row['polarity']} | {all_row['coverage']:.3f} | {all_row['overlaps']:.3f} | "
                     f"{all_row['conflicts']:.3f} | {dev_row['n_gold']} | {dev_row['accuracy']:.3f} |")
    with atomic_write(report_dir / "labelling.md") as fh:
        fh.write("\n".join(lines) + "\n")
    return metrics
