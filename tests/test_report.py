"""The HTML report and the trend aggregates: what an analyst reads off them, and that the site is safe to write."""

import csv
import io
import re
from dataclasses import replace

import pytest

from pipeline import StanceScorer
from pipeline.cli import GROUPS as CLI_GROUPS
from pipeline.cli import PERIODS as CLI_PERIODS
from pipeline.cli import main
from pipeline.report import GROUPS, MARKER, PERIODS, build_site, format_trend, reasons, scored_articles, trend
from pipeline.score import explain

from .conftest import SEEDS


@pytest.fixture(scope="module")
def scorer():
    return StanceScorer.load()


@pytest.fixture(scope="module")
def seed_pairs(scorer):
    return scored_articles(scorer, [SEEDS])


@pytest.fixture(scope="module")
def site(seed_pairs, scorer, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "site"
    assert build_site(seed_pairs, out, scorer.model) == 5
    return out


def _result(scorer, date, stance, n_osce=4, outlet=None, dateline=None):
    base = scorer.score_article(" date 2024-01-01 T\n\nThe minister thanked the OSCE mission.", sentiment=False)
    return replace(base, date=date, stance=stance, stance_low=stance - 0.1, stance_high=stance + 0.1, n_osce=n_osce,
                   share_cooperative=0.5, share_critical=0.25, share_neutral=0.25, outlet=outlet, dateline=dateline)


def test_trend_means_each_period_with_an_interval_that_holds_the_mean(scorer):
    results = [_result(scorer, "2024-01-10", 0.6), _result(scorer, "2024-02-03", 0.2), _result(scorer, "2024-05-01", -0.5),
               _result(scorer, None, 0.9), _result(scorer, "2024-06-01", 0.0, n_osce=0)]
    by_quarter = trend(results, "quarter")
    assert [(r.period, r.n_articles, r.n_osce) for r in by_quarter] == [("2024-Q1", 2, 8), ("2024-Q2", 1, 4)]
    q1 = by_quarter[0]
    assert q1.stance == pytest.approx(0.4) and q1.stance_low < 0.4 < q1.stance_high  # t interval over the two articles
    assert by_quarter[1].stance_low == pytest.approx(-0.6)  # one article: its own interval
    assert [r.period for r in trend(results, "month")] == ["2024-01", "2024-02", "2024-05"]
    assert q1.share_cooperative + q1.share_critical + q1.share_neutral == pytest.approx(1.0)


def test_trend_by_outlet_and_by_the_datelines_country(scorer):
    results = [_result(scorer, "2024-01-10", 0.6, outlet="Reuters", dateline="ALMATY, Jan 10 (Reuters)"),
               _result(scorer, "2024-01-12", -0.2, outlet="BelTA", dateline="MINSK, BelTA"),
               _result(scorer, "2024-01-20", 0.1)]
    assert [(r.group, r.n_articles) for r in trend(results, "year", "outlet")] == [("BelTA", 1), ("Reuters", 1), ("unknown", 1)]
    assert [r.group for r in trend(results, "year", "country")] == ["Belarus", "Kazakhstan", "unknown"]


def test_trend_csv_has_one_row_per_cell_with_every_column(scorer):
    out = io.StringIO()
    format_trend(trend([_result(scorer, "2024-01-10", 0.6), _result(scorer, "2025-03-01", -0.3)], "year"), "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["period"] for r in rows] == ["2024", "2025"] and float(rows[1]["stance"]) == -0.3
    assert set(rows[0]) == {"period", "group", "n_articles", "n_osce", "stance", "stance_low", "stance_high",
                            "share_cooperative", "share_critical", "share_neutral"}


def test_the_cli_knows_the_reports_periods_and_groups():
    assert CLI_PERIODS == PERIODS and CLI_GROUPS == GROUPS


def test_reasons_are_the_exact_margin_between_the_label_and_the_runner_up(seed_pairs, scorer):
    import math

    article, result = next((a, r) for a, r in seed_pairs if r.article_id.startswith("003_"))
    labels, intercept = scorer.model.labels, scorer.model.intercept
    for sentence, features in zip(result.sentences, explain(article, scorer.model)):
        runner_up, pushes, against = reasons(features, labels, sentence.label, intercept)
        k, r = labels.index(sentence.label), labels.index(runner_up)
        margin = sum(c[k] - c[r] for _, c in features) + intercept[k] - intercept[r]
        p = sentence.probabilities
        assert margin == pytest.approx(math.log(p[sentence.label] / p[runner_up]), abs=1e-4)  # what the probabilities say
        assert p[runner_up] == max(v for name, v in p.items() if name != sentence.label)
        assert [v for _, v in pushes] == sorted((v for _, v in pushes), reverse=True) and all(v > 0 for _, v in pushes)
        assert all(v < 0 for _, v in against)
    critical = next(s for s in result.sentences if s.label == "critical" and "biased" in s.text)
    _, pushes, _ = reasons(explain(article, scorer.model)[critical.idx], labels, "critical", intercept)
    assert any("bias" in name for name, _ in pushes), pushes


def test_the_site_has_an_index_and_a_page_per_article_that_marks_every_osce_sentence(site, seed_pairs):
    index = (site / "index.html").read_text(encoding="utf-8")
    for _, result in seed_pairs:
        assert f'href="articles/{result.article_id}.html"' in index
        page = (site / "articles" / f"{result.article_id}.html").read_text(encoding="utf-8")
        marked = re.findall(r'<span class="s (cooperative|critical|neutral)" id="s(\d+)"', page)
        osce = [s for s in result.sentences if s.osce]
        assert [(s.label, str(s.idx)) for s in osce] == marked
        assert result.label in page and f"{result.stance:+.3f}" in page
    assert index.count("<svg") == 3  # over time, by outlet, by country


def test_the_site_asks_for_nothing_outside_itself(site):
    for path in [site / "index.html", *sorted((site / "articles").iterdir())]:
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), path
        assert "@import" not in html and not re.search(r"url\(\s*['\"]?(?:https?:)?//", html), path


def test_the_site_is_the_same_bytes_on_every_run(site, seed_pairs, scorer, tmp_path):
    again = tmp_path / "again"
    build_site(seed_pairs, again, scorer.model)
    for path in site.rglob("*.html"):
        assert (again / path.relative_to(site)).read_bytes() == path.read_bytes(), path


def test_a_report_replaces_its_own_folder_but_never_someone_elses(seed_pairs, scorer, tmp_path):
    mine = tmp_path / "site"
    build_site(seed_pairs[:2], mine, scorer.model)
    build_site(seed_pairs, mine, scorer.model)
    assert len(list((mine / "articles").iterdir())) == 5 and (mine / MARKER).exists()
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.docx").write_text("years of work")
    with pytest.raises(FileExistsError):
        build_site(seed_pairs, theirs, scorer.model)
    assert (theirs / "thesis.docx").read_text() == "years of work"


def test_a_failed_report_leaves_the_previous_one_whole(seed_pairs, scorer, tmp_path, monkeypatch):
    import pipeline.report as report

    out = tmp_path / "site"
    build_site(seed_pairs, out, scorer.model)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "_article_view", broken)
    with pytest.raises(RuntimeError):
        build_site(seed_pairs, out, scorer.model)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no half-written folder left beside it


def test_report_and_trend_commands(tmp_path, capsys):
    assert main(["report", str(SEEDS), "--out", str(tmp_path / "site")]) == 0
    assert len(list((tmp_path / "site" / "articles").glob("*.html"))) == 5
    assert main(["trend", str(SEEDS), "--by", "year", "--format", "csv", "--out", str(tmp_path / "trend.csv")]) == 0
    rows = list(csv.DictReader((tmp_path / "trend.csv").open()))
    assert [(r["period"], r["n_articles"]) for r in rows] == [("2022", "2"), ("2023", "3")]
    capsys.readouterr()
    assert main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "x")]) == 2
    assert main(["report", str(SEEDS), "--out", str(tmp_path)]) == 2  # a folder it did not write
    assert "not a report written by osce-stance" in capsys.readouterr().err


def test_a_json_lines_outlet_field_is_the_articles_outlet_in_the_trend(scorer, tmp_path):
    import json

    path = tmp_path / "scraped.jsonl"
    records = [{"id": "a", "date": "2024-05-02", "outlet": "Daily Courier", "text": "The minister thanked the OSCE mission for its work.",
                "url": "https://example.org/a"},
               {"id": "b", "date": "2024-05-20", "outlet": "Evening Post", "text": "The ministry said the OSCE report was biased."}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    pairs = scored_articles(scorer, [path])
    assert [(r.outlet, r.extra) for _, r in pairs] == [("Daily Courier", {"url": "https://example.org/a"}), ("Evening Post", {})]
    assert [r.group for r in trend([r for _, r in pairs], "month", "outlet")] == ["Daily Courier", "Evening Post"]
