from pipeline.target import detect, find_mentions


def kinds(text, **kw):
    return [(text[m.start:m.end], m.kind) for m in find_mentions(text, **kw)]


def test_explicit_names():
    text = "The OSCE/ODIHR Election Observation Mission and the Organization for Security and Co-operation in Europe met."
    got = kinds(text, context=False)
    assert ("OSCE/ODIHR", "explicit") in got
    assert ("Organization for Security and Co-operation in Europe", "explicit") in got


def test_contextual_words_need_an_osce_article():
    assert kinds("The observers thanked the Office.", context=False) == []
    assert [k for _, k in kinds("The observers thanked the Office.", context=True)] == ["contextual", "contextual"]


def test_other_observer_groups_are_not_the_osce():
    assert kinds("The CIS observers called the vote transparent.", context=True) == []
    assert kinds("The SCO mission praised the organisers.", context=True) == []


def test_people_introduced_in_an_osce_role_are_mentions_later():
    sentences = [
        "Roman Vassilenko, Deputy Minister of Foreign Affairs, met Eoghan Murphy, Head of the OSCE/ODIHR mission.",
        "Vassilenko spoke about reforms.",
        "Murphy praised the organisers.",
    ]
    assert [t.concerns for t in detect(sentences)] == [True, False, True]
    # The same under the organisation's long name, which US papers print (the person patterns read the short name).
    for name in ("OSCE", "Organization for Security and Co-operation in Europe"):
        spelled = [f"Jane Roe, spokeswoman for the {name}, said the count was calm.", "Wheat prices rose.", "Roe later left."]
        assert [t.concerns for t in detect(spelled)] == [True, False, True], name


def test_pronoun_after_an_osce_sentence_is_carried():
    targets = detect(["The head of the ODIHR mission met the minister.", "He also thanked the Kazakh side.", "Exports grew."])
    assert [t.concerns for t in targets] == [True, True, False]
    assert targets[1].carried and not targets[1].mentions


def test_no_osce_article_has_no_targets():
    sentences = ["The mission of the new school is to teach.", "Observers expect rain.", "He left."]
    assert not any(t.concerns for t in detect(sentences))


def test_office_of_an_institution_is_not_odihr_but_accusing_the_office_of_something_is():
    assert [t for t, _ in kinds("The ministry accused the Office of reaching biased conclusions.")] == ["the Office"]
    assert kinds("He met officials from the Office of the President.") == []
    assert kinds("The Group's presence helped.") == [("The Group's", "contextual")]
    assert kinds("A group of students left.") == [] and kinds("the group of students left.") == []


def test_people_who_led_an_osce_body_and_appositive_titles():
    led = detect(["Jane Roe, who led the OSCE observers in 2010, spoke.", "Wheat prices rose.", "Roe later said the vote was flawed."])
    assert [t.concerns for t in led] == [True, False, True]
    chair = detect(["The OSCE Chairperson-in-Office, Swedish Foreign Minister Ann Linde, arrived on Monday.", "Exports grew.",
                    "Linde thanked the hosts."])
    assert [t.concerns for t in chair] == [True, False, True]


def test_contextual_prefilter_never_hides_a_mention(corpus_sentences):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.target import _CONTEXTUAL, may_have_contextual

    missed = [s.text for s in corpus_sentences if _CONTEXTUAL.search(s.text) and not may_have_contextual(s.text)]
    assert not missed

    words = ["the", "Office", "OFFICE", "of", "Group", "an", "organisation", "head", "Estonia", "mission", "observers", "in",
             "Warsaw", "its", "final", "REPORT", "co-ordinator", "Chair", "ſecretary", "General", "K", " ", ",", "x"]

    @given(st.lists(st.sampled_from(words), max_size=12).map(" ".join))
    @settings(max_examples=300, deadline=None)
    def prefilter_is_exact(text):
        assert may_have_contextual(text) or not _CONTEXTUAL.search(text)

    prefilter_is_exact()


def test_other_observers_are_skipped_even_after_another_contextual_mention():
    assert kinds("The report of the CIS observers praised the vote.", context=True) == [("The report", "contextual")]


def test_the_relaxed_scan_finds_exactly_the_contextual_matches(corpus_sentences):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.target import _CONTEXTUAL, contextual_matches

    def spans(matches):
        return [(m.span(), m.group()) for m in matches]

    for s in corpus_sentences:
        assert spans(contextual_matches(s.text)) == spans(_CONTEXTUAL.finditer(s.text)), s.text

    words = ["the", "The", "Office", "office", "of", "President", "president", "Group", "group", "head", "Estonian", "estonian",
             "mission", "observers", "its", "final", "report", "Chair", "ſecretary", "General", "K", "İ", "Vienna-based", "in",
             "Warsaw", "’s", " ", ",", "x", "monitors", "co-chairs"]

    @given(st.lists(st.sampled_from(words), max_size=14).map(" ".join) | st.text(max_size=40))
    @settings(max_examples=400, deadline=None)
    def scan_is_exact(text):
        assert spans(contextual_matches(text)) == spans(_CONTEXTUAL.finditer(text))

    scan_is_exact()


def test_the_people_prefilter_skips_only_patterns_that_cannot_match(corpus_sentences):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.target import _osce_people

    for s in corpus_sentences:
        assert _osce_people(s.text) == _osce_people(s.text, prefilter=False), s.text

    words = ["Jane", "Roe", "Ann", "Linde", ",", "who", "led", "the", "OSCE", "ODIHR", "mission", "Head", "HEAD", "of", "Deputy",
             "Chairperson-in-Office", "Swedish", "Foreign", "Minister", "said", "ſpokesperson", "Special", "Representative", "Mr.",
             "spo\u212aesman", "DİRECTOR", "Ambassador", "Roe,", "Linde,", "Mission,", "Office,", "has", "met"]

    @given(st.lists(st.sampled_from(words), max_size=16).map(" ".join))
    @settings(max_examples=400, deadline=None)
    def prefilter_is_exact(text):
        assert _osce_people(text) == _osce_people(text, prefilter=False)

    prefilter_is_exact()


def test_a_sentence_alone_concerns_the_osce_exactly_when_detect_says_so(corpus_sentences):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.target import concerns_alone

    texts = [s.text for s in corpus_sentences]
    assert sum(map(concerns_alone, texts)) > 500  # the corpus has both kinds
    assert [concerns_alone(t) for t in texts] == [detect([t])[0].concerns for t in texts]

    words = ["the", "Office", "OSCE", "ODIHR", "He", "observers", "mission", "Head", "of", "Jane", "Roe", ",", "said", "Minsk", "Group"]

    @given(st.lists(st.sampled_from(words), max_size=12).map(" ".join))
    @settings(max_examples=300, deadline=None)
    def same_as_detect(text):
        assert concerns_alone(text) == detect([text])[0].concerns

    same_as_detect()


def test_other_observer_prefilter_is_exact(corpus_sentences):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.target import _OTHER_OBSERVERS, names_other_observers

    texts = [s.text for s in corpus_sentences]
    assert [names_other_observers(t) for t in texts] == [_OTHER_OBSERVERS.search(t) is not None for t in texts]
    assert sum(map(names_other_observers, texts)) > 20

    words = ["CIS", "SCO", "the", "observers", "domestic", "Council", "of", "Europe", "NGOs", "PACE", "Shanghai", "Cooperation", "x"]

    @given(st.lists(st.sampled_from(words), max_size=10).map(" ".join))
    @settings(max_examples=300, deadline=None)
    def same_as_search(text):
        assert names_other_observers(text) == (_OTHER_OBSERVERS.search(text) is not None)

    same_as_search()


def test_concerns_is_what_detect_says_for_every_article(corpus_articles):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.segment import article_spans
    from pipeline.target import concerns

    n_osce = 0
    for article in corpus_articles:
        texts = [(article.body if part == "body" else article.title)[s:e] for part, s, e in article_spans(article.title, article.body)]
        got = concerns(texts, article.title)
        assert got == [t.concerns for t in detect(texts, article.title)], article.id
        n_osce += sum(got)
    assert n_osce > 3000  # both kinds, and carried sentences and people among them (the tests above)

    words = ["the", "Office", "OSCE", "ODIHR", "He", "She", "observers", "mission", "Head", "of", "Jane", "Roe", ",", "said", "Minsk",
             "Group", "CIS", "the delegation", "Roe,", "who led the", "ODIHR observers", ".", "arrived", "Mr.", "Ann Linde"]
    sentence = st.lists(st.sampled_from(words), max_size=10).map(" ".join)

    @given(st.lists(sentence, max_size=6), st.one_of(st.none(), sentence))
    @settings(max_examples=400, deadline=None)
    def same_as_detect(sentences, title):
        assert concerns(sentences, title) == [t.concerns for t in detect(sentences, title)]

    same_as_detect()
