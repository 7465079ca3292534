import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest import InputError, _is_prose, decode_bytes, find_date, line_kind, parse_article, read_article, split_dateline

from .conftest import FIXTURES, ROOT, SEEDS

SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


def test_seeds_are_the_shared_files_byte_for_byte():
    ours = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(ours) == 5
    if SHARED_SEEDS.is_dir():
        assert ours == sorted(p.name for p in SHARED_SEEDS.glob("*.txt"))
        for name in ours:
            assert (SEEDS / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


def test_seed_ids_dates_titles(seed_articles):
    got = {k: (a.id, a.date, a.title) for k, a in seed_articles.items()}
    assert got["000"] == ("000_7045313556b78747", "2023-03-26", "OSCE Observer Mission completes its work in Kazakhstan")
    assert got["001"] == (
        "001_3da28d9cabf94069",
        "2023-02-08",
        "Deputy Foreign Minister meets Head of OSCE/ODIHR Election Observation Mission in Kazakhstan",
    )
    assert got["002"] == ("002_487c2ec510a1bb7c", "2023-03-25", "Experts Praised Parliamentary Elections Results in Kazakhstan")
    assert got["003"] == (
        "003_4756800a9e27d77f",
        "2022-11-22",
        "Official commentary by Kazakh Foreign Office on OSCE/ODIHR Election Observation Mission's statement",
    )
    assert got["004"][:2] == ("004_5312a9b0dc6ba313", "2022-04-13")
    assert got["004"][2].startswith("The importance of further strengthening cooperation with the OSCE")


def test_seed_000_drops_timestamp_and_photo_credit(seed_articles):
    a = seed_articles["000"]
    assert a.outlet.startswith("Qazaq TV")
    assert "12:40" not in a.body and "Photo" not in a.body and "gov.kz" not in a.body
    assert a.dateline == "ASTANA. KAZINFORM"
    assert a.body.startswith("Roman Vassilenko, Deputy Minister")


def test_seed_001_credit_at_end_dropped(seed_articles):
    a = seed_articles["001"]
    assert a.body.rstrip().endswith("will complete its work on March 29.")
    assert "Photo" not in a.body


def test_seed_002_headerless_title_and_date_line(seed_articles):
    a = seed_articles["002"]
    assert a.body.startswith("The OSCE observer mission is finishing its work in Kazakhstan.")
    assert "March 25, 2023" not in a.body
    assert "Source:" not in a.body and a.outlet == "Ministry of Foreign Affairs of the RK"


def test_seed_003_no_boilerplate_reaches_the_body(seed_articles):
    a = seed_articles["003"]
    raw_lines = (SEEDS / "003_4756800a9e27d77f.txt").read_text(encoding="utf-8").splitlines()
    content = [ln.strip() for ln in raw_lines if ln.strip()]
    body_lines = set(a.body.split("\n"))
    # everything outside the five paragraphs of commentary is boilerplate
    paragraphs = [ln for ln in content if len(ln.split()) > 20]
    assert len(paragraphs) == 5
    for line in content:
        if line not in paragraphs:
            assert line not in a.body, line
    assert all(p.replace("ASTANA. KAZINFORM ", "") in body_lines for p in paragraphs)
    for needle in ("usd/kzt", "Weather", "+7 701", "Main Page", "Related news", "Popular", "Baby weighing", "Taguspark"):
        assert needle not in a.body


def test_seed_004_body_starts_inside_header(seed_articles):
    a = seed_articles["004"]
    assert a.dateline == "NUR-SULTAN. KAZINFROM"
    assert a.body.startswith("The importance of further strengthening cooperation")
    assert "KAZINFROM" not in a.body


def test_other_boilerplate_is_removed_by_general_rules():
    a = read_article(FIXTURES / "scraped_portal.txt")
    assert a.title == "Ministry hails talks with ODIHR director on recommendations"
    assert a.date == "2019-06-14"
    assert a.dateline == "BAKU, Trend" and a.outlet == "Trend"
    assert a.body.split("\n") == [
        "The Foreign Ministry said on Friday that its talks with the ODIHR director in Warsaw had been useful and businesslike.",
        "Officials from both sides reviewed which of the Office's earlier recommendations had already found their way"
        " into the electoral code.",
    ]


def test_a_paragraph_is_kept_however_its_last_sentence_ends():
    # A blog post opens with a paragraph whose last sentence ends in a date, not a full stop: it is running text,
    # not a pre-body line to drop (on the real page it held the post's whole stance toward the OSCE).
    text = ("In an op-ed today, I argued that letting the monitors of the OSCE watch the vote, as Washington wished, was a step "
            "too far for the country. A reader points out that the invitation came from the State Department and not from Congress. "
            "(August 16, 2004)\nUpdate: readers asked for the names of the members, and these follow:\nAnna Smith of Ohio\n"
            "The monitors arrived on Monday and began their work in twelve counties across the state.")
    a = parse_article(text, "blog")
    assert a.body.startswith("In an op-ed today, I argued that letting the monitors of the OSCE watch the vote")
    assert "A reader points out" in a.body


def test_a_title_case_subhead_that_names_the_osce_is_read_but_a_bodys_name_is_not():
    text = ("Presence without Power\nLessons from the OSCE Special Monitoring Mission for Ceasefire Monitoring in Ukraine\n"
            "OSCE Mission to Bosnia and Herzegovina\n\nDiplomats are again weighing an unarmed monitoring mission for a "
            "ceasefire, and the record of the last one is being read closely.")
    a = parse_article(text, "analysis")
    assert a.title == "Presence without Power"
    assert a.body.split("\n")[0] == "Lessons from the OSCE Special Monitoring Mission for Ceasefire Monitoring in Ukraine"
    assert "Bosnia" not in a.body


def test_a_lede_that_ends_in_a_colon_or_lost_its_full_stop_is_body_text():
    # Real pages: a one-sentence lede that introduces a quote, or whose full stop the site dropped, used to be
    # neither a headline (too long) nor prose (no sentence end), and the article's first sentence was lost.
    colon = ("Statement on the closure of the field office\n\nVIENNA, 3 May -- On the day the government ordered the last "
             "international staff of the OSCE field office to leave the country within a week, the chair of the Permanent "
             "Council issued the following statement:\n\n\u201cWe regret this decision and the loss of years of joint work.\u201d")
    a = parse_article(colon, "statement")
    assert a.title == "Statement on the closure of the field office"
    assert a.body.startswith("On the day the government ordered") and "issued the following statement:" in a.body
    stopless = ("Observers arrive\n\nThe head of the OSCE observation mission said its long-term observers had reached all "
                "eleven regions and would stay until the results were announced, the mission said on Friday\n\n"
                "Their first report is due next week.")
    assert parse_article(stopless, "wire").body.startswith("The head of the OSCE observation mission")
    # A long line of capitalised names is still no paragraph.
    names = " ".join(["OSCE Albania Armenia Austria Azerbaijan Belarus Belgium Bosnia Bulgaria Canada Croatia Cyprus"] * 3)
    assert not _is_prose(names)


def test_a_question_can_be_the_headline_but_a_sites_short_question_is_not():
    a = parse_article("Are you sure?\n\nWill the OSCE Survive Winter?\n\nThe budget talks failed again on Thursday, "
                      "and diplomats in Vienna now speak of an organisation without a plan.", "q")
    assert a.title == "Will the OSCE Survive Winter?"
    assert "Are you sure" not in a.body


def test_a_speakers_headline_with_a_colon_is_read_but_a_tags_line_is_not():
    text = ("Parliament debates the observers\n\nThe opposition asked on Monday why the observers had been invited at all, "
            "and the debate went on late into the night.\n\nSpeaker: the OSCE report ignored every complaint we filed\n\n"
            "The speaker later softened his tone in a radio interview.\n\nTags: OSCE report elections\n")
    body = parse_article(text, "debate").body
    assert "Speaker: the OSCE report ignored every complaint we filed" in body
    assert "Tags" not in body


def test_wire_dateline_with_date_and_agency():
    a = read_article(FIXTURES / "plain_wire.txt")
    assert a.title == "OSCE monitors report restrictions on movement"
    assert a.dateline == "VIENNA, Feb. 3 (Reuters)" and a.outlet == "Reuters"
    assert a.body.startswith("Monitors from the Organization")
    assert "Reporting by" not in a.body


@pytest.mark.parametrize(
    "line, kind",
    [
        ("usd/kzt 462.01 eur/kzt 474.44", "rates"),
        ("The author\u2019s opinion may differ from the position of the editors.", "notice"),
        ("Exchange rates", "rates"),
        ("Nur-Sultan: +2+4℃", "weather"),
        ("+7 701 759 90 19", "phone"),
        ("• Main Page  >", "menu"),
        ("Home / Politics / Elections", "menu"),
        ("рус қаз eng 中文", "menu"),
        ("Photo: gov.kz", "credit"),
        ("© 2024 Example News. All rights reserved", "credit"),
        ("26 March 2023, 12:40", "timestamp"),
        ("Related news", "list-heading"),
        ("Most read:", "list-heading"),
        ("Share this", "social"),
        ("The opinion of the author may not coincide with the position of the editorial board.", "notice"),
        ("Weather in Baku: +14°C", "weather"),
        ("The mission counted 14 observers at 20°C in the shade and more at noon.", None),  # weather needs a short line
        ("The mission deployed 28 long-term observers across the country.", None),
        ("OSCE Observer Mission completes its work in Kazakhstan", None),
    ],
)
def test_line_kinds(line, kind):
    assert line_kind(line) == kind


def test_dateline_needs_place_and_agency():
    assert split_dateline("OSCE ODIHR Director Matteo Mecacci said.") == (None, "OSCE ODIHR Director Matteo Mecacci said.")
    assert split_dateline("MOSCOW (AP) — Russia said.") == ("MOSCOW (AP)", "Russia said.")
    assert split_dateline("WARSAW, 20 March 2023 – The Office opened.")[0] == "WARSAW, 20 March 2023"
    assert split_dateline("BAKU, Azerbaijan, October 20. The ministry said.") == ("BAKU, Azerbaijan, October 20", "The ministry said.")
    assert split_dateline("ALMATY, Kazakhstan. The OSCE said.")[0] is None  # a country needs a date after it


def test_the_outlet_is_the_agency_a_dateline_names_never_its_date_or_country():
    for text, outlet in [("BAKU, Azerbaijan, October 20. The ministry said the team has no mandate.", None),
                         ("ALMATY, Oct. 5 - The OSCE said it will send observers.", None),
                         ("YEREVAN, SEPTEMBER 20, ARMENPRESS. The OSCE said it will send observers.", "ARMENPRESS"),
                         ("MOSCOW, June 22. /TASS/. The OSCE said it will send observers.", "TASS"),
                         ("BAKU, AZERTAC. The OSCE said it will send observers.", "AZERTAC")]:
        assert parse_article(text, "x").outlet == outlet, text


def test_find_date_formats_and_invalid_dates():
    assert find_date("25.03.2023") == "2023-03-25"
    assert find_date("Sept. 4, 2019") == "2019-09-04"
    assert find_date("2023-13-45") is None


def test_malformed_header_date_warns():
    a = parse_article(" date 2023-13-45 A title here\n\nThe OSCE mission opened its office in the capital today.", "bad")
    assert a.date is None and a.title == "A title here"
    assert any("malformed header date" in w for w in a.warnings)


def test_decoding_fallbacks(tmp_path):
    text = " date 2020-01-01 Заголовок\n\nМиссия ОБСЕ завершила работу в стране в понедельник."
    assert decode_bytes(text.encode("cp1251")) == (text, "cp1251")
    assert decode_bytes(text.encode("utf-16")) == (text, "utf-16")
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode()) == (text, "utf-8-sig")
    assert decode_bytes("Café OSCE".encode("latin-1")) == ("Café OSCE", "latin-1")
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_empty_and_boilerplate_only_files_are_refused(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "menu.txt").write_text(" date 2020-01-01 Home\nRelated news\nPhoto: x\n")
    with pytest.raises(InputError, match="empty"):
        read_article(tmp_path / "empty.txt")
    with pytest.raises(InputError, match="no article text"):
        read_article(tmp_path / "menu.txt")


def test_parse_is_deterministic(seed_articles):
    a = seed_articles["003"]
    text = (SEEDS / "003_4756800a9e27d77f.txt").read_text(encoding="utf-8")
    again = parse_article(text, a.id, a.source)
    assert hashlib.sha256(repr(again).encode()).digest() == hashlib.sha256(repr(a).encode()).digest()


def _guess_language_reference(text):
    """The first, letter-by-letter version of guess_language: the fast one must agree with it."""
    from pipeline.ingest import _KAZAKH

    letters = [c for c in text[:20000] if c.isalpha()]
    if not letters:
        return "other"
    cyrillic = [c for c in letters if "\u0400" <= c <= "\u04ff"]
    if len(cyrillic) > 0.3 * len(letters):
        return "kk" if sum(c in _KAZAKH for c in cyrillic) > 0.01 * len(cyrillic) else "ru"
    latin = sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters)
    return "en" if latin > 0.7 * len(letters) else "other"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ 1.,-é中ыЖәҚ²½Ⅻ\u0483ſ\u00a0’") | st.characters(), max_size=80))
def test_guess_language_agrees_with_the_letter_by_letter_reference(text):
    from pipeline.ingest import guess_language

    assert guess_language(text) == _guess_language_reference(text)


def test_guess_language_agrees_on_every_corpus_article(corpus_articles):
    from pipeline.ingest import guess_language

    for article in corpus_articles:
        assert guess_language(article.body) == _guess_language_reference(article.body), article.id


def test_line_kind_fast_path_is_exact():
    from hypothesis import example, given, settings
    from hypothesis import strategies as st

    from pipeline import paths
    from pipeline.ingest import iter_article_files

    lines = [ln for p in iter_article_files(paths.input_roots()) for ln in p.read_text(encoding="utf-8").splitlines()]
    kinds = [line_kind(ln) for ln in lines]
    assert kinds == [line_kind(ln, prefilter=False) for ln in lines]
    assert kinds.count(None) > 1000 and len(set(kinds)) >= 8  # prose and most boilerplate rules are exercised

    words = ["Home", "News", "All rights reserved", "all rightſ reserved", "usd/kzt", "462.01", "Exchange rates", "+5°C", "Weather",
             "Share", "Related news", ">", "рус", "eng", "The", "observers", "praised", "the", "vote", ".", "Photo:", "by", "x", "ab",
             "/", "usd / kzt", "OSCE/ODIHR", "eur/rub 1.5", "/rub", "5", "\u212azt", "RATE", "demonstrates", "CURRENCY", "exchange",
             "rates", "Rate", "\u00a0", "ſ", "’s", "  ", "»", "|", "→", "For more information", "Tags:", "Tel.", "+7 701 759 90 19",
             "Sofia:", "22 November 2022, 07:44", "2022-11-22", "Most read", "Follow us", "Subscribe", "copyright", "©", "(c)",
             "Reporting by", "Read more", "SHARE", "İ", "12:30"]

    @given(st.lists(st.sampled_from(words), max_size=20).map(" ".join))
    @example("Home Home Photo: +5°C Home Home Home Home Home Home Home Home Home")  # a long line in the weather rule's "Place: +5°C" form
    @example("Sofia: +5°C The observers praised the vote and the count in every region of the country")
    @example("For more information the observers praised the vote and the count in every region of the country")
    @settings(max_examples=800, deadline=None)
    def same_as_reference(line):
        assert line_kind(line) == line_kind(line, prefilter=False)

    same_as_reference()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=".!?…\"'»”’)]( \n\rxé", max_size=12))
def test_the_sentence_end_test_reads_like_the_terminal_regex(line):
    from pipeline.ingest import _TERMINAL, _has_terminal

    assert _has_terminal(line) == (_TERMINAL.search(line) is not None)


# --------------------------------------------------------------------------- saved web pages

SAVED_PAGE = FIXTURES / "saved_page_critical_seed.html"  # the critical seed's text inside a news site's page, chrome written by the team


def test_a_saved_news_page_reads_as_the_article_alone(seed_articles):
    page = read_article(SAVED_PAGE)
    seed = seed_articles["003"]
    assert page.title == seed.title and page.date == "2022-11-22"  # the date from the page's own metadata
    assert page.body == seed.body and page.outlet == seed.outlet and not page.warnings
    for chrome in ("Currency rates", "cookies", "Related news", "Most read", "All rights reserved", "gtag", "Elections 2022", "Share:"):
        assert chrome not in page.body


def test_html_pasted_into_a_txt_file_is_read_as_a_page(tmp_path):
    path = tmp_path / "pasted.txt"
    path.write_text("<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
                    "<article><h1>OSCE chair ends visit</h1><p>The OSCE chair thanked the hosts for the warm welcome and "
                    "for two days of useful talks on border management in the capital.</p></article></body></html>")
    article = read_article(path)
    assert article.title == "OSCE chair ends visit" and article.body.startswith("The OSCE chair thanked")
    assert "Home" not in article.body and "Sport" not in article.body


def test_markup_with_no_main_text_for_trafilatura_falls_back_to_stripping_tags(monkeypatch):
    import pipeline.ingest as ingest

    monkeypatch.setattr(ingest, "read_page", lambda markup: ingest.Page(None, None, None))
    article = parse_article("<html><body><p>The OSCE mission <b>arrived</b> on Monday.</p></body></html>", "x")
    assert article.body == "The OSCE mission arrived on Monday." and "HTML markup stripped" in article.warnings


def test_a_folder_walk_reads_saved_pages_beside_text_files(tmp_path):
    from pipeline.ingest import iter_article_files

    for name in ("a.txt", "b.html", "c.htm", "d.json", ".hidden.html"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in iter_article_files([tmp_path])] == ["a.txt", "b.html", "c.htm"]
