import numpy as np
import pytest

from pipeline.label import (
    ABSTAIN,
    COOPERATIVE,
    CRITICAL,
    LFS,
    NEUTRAL,
    WeightedVote,
    contexts_for_article,
    lf_summary,
    majority_vote,
)
from pipeline.lexicon import Lexicons

C, X, N = COOPERATIVE, CRITICAL, NEUTRAL

# (function, sentences of a short article where the LAST sentence is the one voted on, expected vote)
FIRES = {
    "no_target": (["Wheat prices rose sharply in Kostanay this week."], N),
    "boilerplate_line": (["The OSCE mission met the minister.", "Photo: press service of the OSCE"], N),
    "thanks_near_target": (["The minister expressed gratitude to the ODIHR observers for their work."], C),
    "praise_of_osce": (["Officials commended the OSCE mission for its professionalism."], C),
    "welcomes_osce": (["The government welcomed the ODIHR recommendations on media regulation."], C),
    "constructive_relations": (["Both sides called the talks with the OSCE a productive dialogue."], C),
    "commitment_to_cooperate": (["Baku reaffirmed its readiness to keep cooperating with the OSCE office."], C),
    "strengthen_cooperation": (["They agreed on deepening cooperation with ODIHR in the electoral field."], C),
    "implement_recommendations": (["The commission pledged to implement the ODIHR recommendations in full."], C),
    "support_for_osce": (["Tashkent praised the support the OSCE Project Co-ordinator gives to judges."], C),
    "invites_observers": (["The foreign ministry invited ODIHR to observe the presidential election."], C),
    "osce_thanks_hosts": (["The head of the OSCE mission thanked the election commission for its openness."], C),
    "negated_criticism": (["No party questioned the impartiality of the ODIHR mission."], C),
    "bias_accusation": (["The ministry called the ODIHR statement one-sided."], X),
    "lacks_objectivity": (["The OSCE report is detached from reality, the spokesman said."], X),
    "double_standards": (["Moscow accused ODIHR of double standards toward eastern states."], X),
    "politicised": (["Deputies said the OSCE had become an instrument of pressure on sovereign states."], X),
    "unfounded_claims": (["The so-called findings of the OSCE mission were dismissed in parliament."], X),
    "interference": (["Officials said the OSCE was meddling in the country's internal affairs."], X),
    "rejects_findings": (["The election commission rejected the ODIHR assessment on Monday."], X),
    "refuses_access": (["Minsk refused to extend the mandate of the OSCE Office."], X),
    "threatens": (["The attitude of the OSCE mission will be taken into account, the ministry said."], X),
    "distrust": (["The Kremlin voiced deep mistrust of the OSCE monitors."], X),
    "veiled_objectivity_demand": (["The minister stressed the importance of an objective approach when drafting the OSCE report."], X),
    "negated_cooperation": (["The ministry said the OSCE office had never been a neutral partner."], X),
    "reported_osce_findings": (["The ODIHR mission noted restrictions on fundamental freedoms during the campaign."], N),
    "factual_deployment": (["The ODIHR mission deployed its long-term observers on Tuesday."], N),
    "numbers_and_dates": (["ODIHR sent 28 long-term observers and 350 short-term observers."], N),
    "non_osce_praise": (["CIS observers called the election free and transparent."], N),
    "mandate_description": (["ODIHR has a mandate to assist the participating States."], N),
    "osce_regrets_obstruction": (["ODIHR regretted that the authorities refused accreditation to its observers."], X),
    "scare_quotes": (["The deputy mocked the OSCE 'observers' and their report."], X),
    "western_agenda": (["The OSCE serves Western interests, the senator said."], X),
    "mixed_takes_critical": (["Despite fruitful cooperation in the past, the OSCE statement is biased."], X),
    "anniversary_and_honours": (["The OSCE Centre marked its 20th anniversary with a conference in Ashgabat."], C),
    "ready_to_host": (["The ministry will create all necessary conditions for the OSCE observers."], C),
    "warm_tone_about_osce": (["Everyone loved working with the wonderful OSCE team, a great success."], C),
    "hostile_tone_about_osce": (["Angry deputies called the OSCE a disgrace and a shameful, hateful farce."], X),
}

ABSTAINS = {
    "no_target": ["The OSCE mission met the minister."],
    "boilerplate_line": ["The OSCE mission met the minister."],
    "negated_criticism": ["The ministry questioned the impartiality of the ODIHR mission."],
    "invites_observers": ["The foreign ministry refused to invite ODIHR observers."],
    "non_osce_praise": ["ODIHR called the election free and transparent."],
    "veiled_objectivity_demand": ["He expressed hope that the OSCE monitoring will be objective."],
    "bias_accusation": ["The ministry said the ODIHR statement was not biased."],
    "thanks_near_target": ["The minister thanked the farmers for the harvest."],
    "reported_osce_findings": ["The ministry rejected the ODIHR findings on restrictions."],
}
DEFAULT_ABSTAIN = ["Wheat prices rose sharply in Kostanay this week."]


def _vote(name, sentences, lex=None):
    lf = next(f for f in LFS if f.name == name)
    ctx = contexts_for_article(sentences)[-1]
    return lf(ctx, lex) if lex else lf(ctx)


def test_at_least_thirty_named_versioned_functions():
    assert len(LFS) >= 30
    assert len({lf.id for lf in LFS}) == len(LFS)
    assert all(lf.doc for lf in LFS)
    assert set(FIRES) == {lf.name for lf in LFS}


@pytest.mark.parametrize("name", sorted(FIRES))
def test_each_function_fires(name):
    sentences, expected = FIRES[name]
    assert _vote(name, sentences) == expected


@pytest.mark.parametrize("name", sorted(FIRES))
def test_each_function_abstains(name):
    assert _vote(name, ABSTAINS.get(name, DEFAULT_ABSTAIN)) == ABSTAIN


def test_lexicons_are_passed_in_not_global():
    import re

    tiny = Lexicons(thanks=re.compile(r"\bkudos\b"))
    assert _vote("thanks_near_target", ["The minister said kudos to the OSCE mission."], tiny) == COOPERATIVE
    assert _vote("thanks_near_target", ["The minister thanked the OSCE mission."], tiny) == ABSTAIN


def test_pronoun_carry_makes_thanks_count():
    assert _vote("thanks_near_target", ["Jane Roe, Head of the OSCE mission, met the minister.", "She thanked the hosts."]) == C


def test_majority_vote_ties_go_to_the_specific_stance_and_empty_rows_are_neutral():
    L = np.array([[C, X, -1], [C, C, X], [-1, -1, -1], [N, N, C]])
    labels, conf = majority_vote(L)
    assert labels.tolist() == [X, C, N, N]
    assert conf.tolist() == pytest.approx([0.5, 2 / 3, 1 / 3, 2 / 3])


def test_weighted_vote_trusts_accurate_functions():
    L = np.array([[C, X]] * 10 + [[C, -1]] * 5 + [[-1, X]] * 5)
    y = np.array([C] * 10 + [C] * 5 + [C] * 5)  # the second function is always wrong
    model = WeightedVote().fit(L, y)
    assert model.weights_[0] > 0 > model.weights_[1]
    assert model.predict(np.array([[C, X]]))[0].tolist() == [C]
    with pytest.raises(RuntimeError, match="not fitted"):
        WeightedVote().predict_proba(L)


def test_lf_summary_columns():
    L = np.array([[C, -1], [X, X], [-1, -1]])
    rows = lf_summary(L, LFS[:2], np.array([C, C, -1]))
    assert rows[0]["coverage"] == pytest.approx(2 / 3)
    assert rows[0]["overlaps"] == pytest.approx(1 / 3)
    assert rows[0]["conflicts"] == pytest.approx(0.0)
    assert rows[1]["accuracy"] == 0.0 and rows[0]["accuracy"] == 0.5
