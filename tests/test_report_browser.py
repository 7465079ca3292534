"""The HTML report as a person sees it, in headless Chromium (Debian's, driven by Playwright; `make test` installs it).

Pages are opened from disk (file://), as a user opens the report; every request the pages make is
recorded, and any that would leave the machine is refused and fails the test.
"""

import pytest

from pipeline import StanceScorer
from pipeline.report import build_site, scored_articles

from .browser import chromium, chromium_path
from .conftest import SEEDS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    scorer = StanceScorer.load()
    pairs = scored_articles(scorer, [SEEDS])
    out = tmp_path_factory.mktemp("browser") / "site"
    build_site(pairs, out, scorer.model)
    return out, {r.article_id: r for _, r in pairs}


@pytest.fixture(scope="module")
def browser():
    assert chromium_path(), "no Chromium: run `make test` (it installs Debian's chromium) or set OSCE_STANCE_CHROMIUM"
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    outside = []

    def guard(route):
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    assert not outside, f"the report asked the network for {outside}"


def _column(page, key):
    return page.eval_on_selector_all("#articles tbody tr:not([hidden])", f"rows => rows.map(r => r.dataset.{key})")


def test_the_index_lists_every_article_with_its_stance(page, site):
    out, results = site
    page.goto((out / "index.html").as_uri())
    assert page.inner_text("#n-articles") == "5"
    links = page.eval_on_selector_all("#articles tbody a", "links => links.map(a => a.getAttribute('href'))")
    assert sorted(links) == sorted(f"articles/{k}.html" for k in results)
    assert page.locator("svg").count() == 3 and page.locator("svg").first.is_visible()
    for article_id, r in results.items():
        row = page.locator(f"#articles tbody tr:has(a[href='articles/{article_id}.html'])")
        assert row.locator("td.stance").inner_text() == f"{r.stance:+.3f}"
        assert row.locator(".badge").inner_text() == r.label


def test_sorting_by_stance_reorders_the_table(page, site):
    out, results = site
    page.goto((out / "index.html").as_uri())
    by_stance = sorted(results.values(), key=lambda r: r.stance)
    page.click("th[data-key=stance] button")
    assert [float(v) for v in _column(page, "stance")] == [r.stance for r in by_stance]
    assert page.get_attribute("th[data-key=stance]", "aria-sort") == "ascending"
    page.click("th[data-key=stance] button")
    assert [float(v) for v in _column(page, "stance")] == [r.stance for r in reversed(by_stance)]
    page.click("th[data-key=date] button")
    assert _column(page, "date") == sorted(r.date for r in results.values())


def test_filtering_by_label_and_by_words(page, site):
    out, results = site
    page.goto((out / "index.html").as_uri())
    page.select_option("#label-filter", "critical")
    assert _column(page, "label") == ["critical"]
    assert page.inner_text("#shown") == "1 shown"
    page.select_option("#label-filter", "")
    page.fill("#filter", "official commentary")
    assert len(_column(page, "title")) == 1 and "Kazakh Foreign Office" in _column(page, "title")[0]


def test_an_article_page_highlights_its_osce_sentences_by_label(page, site):
    out, results = site
    critical = next(r for r in results.values() if r.label == "critical")
    page.goto((out / "index.html").as_uri())
    page.click(f"a[href='articles/{critical.article_id}.html']")
    assert page.inner_text("#article-label") == "critical"
    marked = page.locator("#article-text .s")
    body_osce = [s for s in critical.sentences if s.osce and s.part == "body"]
    assert marked.count() == len(body_osce)
    for i, s in enumerate(body_osce):
        span = marked.nth(i)
        assert span.get_attribute("data-label") == s.label and span.is_visible()
        assert span.locator(".tag").inner_text().lower() == s.label  # the label is written out, not shown by colour alone
        assert f"critical {s.probabilities['critical']:.2f}" in span.get_attribute("title")
    colours = {marked.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(marked.count())}
    assert len(colours) == len({s.label for s in body_osce})  # each label its own highlight
    assert page.locator(".evidence li").count() == critical.n_osce
    assert "Toward critical rather than" in page.inner_text(".evidence")
    page.click("text=← all articles")
    assert page.url.endswith("index.html")


def test_the_report_reads_on_a_phone(page, site):
    out, results = site
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((out / "articles" / f"{next(iter(results))}.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling of the text
