"""Seconds per MB of every hostile family from 10 KB to 5 MB (`make hostile` -> reports/hostile.md).

`make test` runs each family once at 10 KB, untimed; `make hostile` (HOSTILE_FULL=1) times every size.
"""

import os
import sys

import pytest

from pipeline import StanceScorer

from ..conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from hostile import FAMILIES, SIZES  # noqa: E402

SIZES_RUN = SIZES if os.environ.get("HOSTILE_FULL") == "1" else SIZES[:1]


@pytest.fixture(scope="module")
def scorer():
    scorer = StanceScorer.load(max_seconds=None)  # timed to the end, however long it takes
    # Warm up: the first web page of a run imports trafilatura, htmldate and lxml (about 1.5 s, once per process),
    # which is not time spent on the input.
    scorer.score_article("<html><body><article><p>The OSCE mission arrived on Monday and met the minister.</p></article></body></html>")
    return scorer


@pytest.mark.parametrize("size", SIZES_RUN)
@pytest.mark.parametrize("family", list(FAMILIES))
def test_hostile(benchmark, scorer, family, size):
    text = FAMILIES[family][1](size)
    benchmark.group = family
    result = benchmark.pedantic(scorer.score_article, args=(text,), kwargs={"sentiment": False}, rounds=1, iterations=1)
    assert result.n_sentences >= 0 and -1 <= result.stance <= 1
