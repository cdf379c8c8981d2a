"""Shared filters: what a user selecting in the sidebar would see left."""

from __future__ import annotations

from datetime import date

import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.insights import FilterOptions, MentionFilter, apply_filter, filter_options, parse_search
from ascolto_core.insights.sample import mentions_frame

TZ = "Europe/Rome"


@pytest.fixture
def mentions():
    return mentions_frame(
        [
            # m0: 14 Sep, evening in Rome
            dict(
                text="Perché il negozio è chiuso?",
                created_at="2026-09-14T18:00",
                touchpoint="facebook",
                sentiment="negative",
                emotion="anger",
                likes=10,
                brand="Forno Brio",
                lang="it",
            ),
            # m1: 22:30 UTC on the 14th is already 00:30 of the 15th in Rome
            dict(
                text="Caffè freddo, che delusione",
                created_at="2026-09-14T22:30",
                touchpoint="google_reviews",
                sentiment="negative",
                emotion="sadness",
                likes=1,
                comments=1,
                brand="Forno Brio",
                lang="it",
            ),
            # m2
            dict(
                text="Il caffè era freddo ma il cornetto ottimo",
                created_at="2026-09-16T08:00",
                touchpoint="facebook",
                sentiment="neutral",
                emotion="none",
                brand="Dolce Sosta",
                lang="it",
            ),
            # m3: not analysed (sentiment null)
            dict(
                text="Great croissant!",
                created_at="2026-09-16T09:00",
                touchpoint="instagram",
                sentiment=None,
                emotion=None,
                shares=4,
                lang="en",
            ),
            # m4: undated
            dict(
                text="PERCHE non rispondete alle email",
                created_at=None,
                touchpoint="email",
                sentiment="negative",
                emotion="anger",
                lang="it",
            ),
        ]
    )


def ids(frame) -> list[str]:
    return frame["id"].to_list()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", ["m0", "m1", "m2", "m3", "m4"]),  # empty search keeps everything
        ("perche", ["m0", "m4"]),  # no accent typed finds "Perché" and "PERCHE"
        ("PERCHÉ", ["m0", "m4"]),  # accent and capitals typed find the plain spelling too
        ("caffe freddo", ["m1", "m2"]),  # all words must appear, in any order
        ('"caffè freddo"', ["m1"]),  # quoted: the exact phrase only
        ("\u201ccaffe freddo\u201d", ["m1"]),  # phone curly quotes work as quotes
        ('"caffe freddo" delusione', ["m1"]),  # phrase plus word
        ("cornett", ["m2"]),  # a word prefix matches ("rimbors" finds "rimborso")
        ("pizza", []),  # nothing matches: empty result, no error
        ('"', ["m0", "m1", "m2", "m3", "m4"]),  # a lone quote is no filter, not a crash
    ],
)
def test_search_is_case_and_accent_insensitive(mentions, search: str, expected: list[str]) -> None:
    assert ids(apply_filter(mentions, MentionFilter(search=search), TZ)) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        # 22:30 UTC on the 14th belongs to the 15th in Rome; undated m4 is out of any range
        (MentionFilter(date_from=date(2026, 9, 14), date_to=date(2026, 9, 14)), ["m0"]),
        (MentionFilter(date_from=date(2026, 9, 15)), ["m1", "m2", "m3"]),
        # choosing sentiments leaves out unanalysed m3
        (MentionFilter(sentiments=("negative", "neutral")), ["m0", "m1", "m2", "m4"]),
        (MentionFilter(touchpoints=("facebook",), sentiments=("negative",)), ["m0"]),
        # engagement = likes + shares + comments
        (MentionFilter(min_engagement=2), ["m0", "m1", "m3"]),
        (MentionFilter(min_engagement=4, langs=("en",)), ["m3"]),
        (MentionFilter(brands=("Forno Brio",), emotions=("anger",)), ["m0"]),
        # all filters combined
        (
            MentionFilter(
                date_from=date(2026, 9, 15),
                date_to=date(2026, 9, 16),
                touchpoints=("facebook", "google_reviews"),
                sentiments=("negative", "neutral"),
                search="caffe",
                min_engagement=1,
            ),
            ["m1"],
        ),
    ],
)
def test_filters_combine(mentions, flt: MentionFilter, expected: list[str]) -> None:
    assert ids(apply_filter(mentions, flt, TZ)) == expected


def test_filter_options_lists_what_is_present(mentions) -> None:
    assert filter_options(mentions, TZ) == FilterOptions(
        date_min=date(2026, 9, 14),
        date_max=date(2026, 9, 16),
        touchpoints=("facebook", "instagram", "google_reviews", "email"),  # customer-journey order
        sentiments=("negative", "neutral"),
        emotions=("anger", "sadness", "none"),
        langs=("en", "it"),
        brands=("Dolce Sosta", "Forno Brio"),
        max_engagement=10,
        undated=1,
    )


def test_filter_works_on_unanalysed_frame() -> None:
    # A freshly loaded file has no analysis columns yet: filters still work.
    raw = mentions_frame([dict(text="Perché?"), dict(text="ok")]).select("id", "text", "created_at")
    assert ids(apply_filter(raw, MentionFilter(search="perche"), TZ)) == ["m0"]
    assert ids(apply_filter(raw, MentionFilter(sentiments=("negative",)), TZ)) == []


@pytest.mark.parametrize(
    ("text", "search", "found"),
    [
        ("Perch\u0065\u0301 chiuso", "perché", True),  # decomposed accent (text copied from a Mac)
        ("È ARRIVATO tardi", "e arrivato", True),  # capital accented letter
        ("Consegna in ritardo di un\u2019ora", "un'ora", True),  # typographic apostrophe
        ("caffè\n\nfreddo", '"caffe freddo"', True),  # a phrase across a line break
        ("Costo 10-15 € (circa)", "10-15 € (circa)", True),  # punctuation and symbols literal
        ("perchè", "perch.", False),  # a dot is a dot, not "any character"
        ("pane", "pané", True),  # an accent typed by mistake still finds the plain word
    ],
)
def test_search_matching_details(text: str, search: str, found: bool) -> None:
    frame = mentions_frame([dict(text=text)])
    assert apply_filter(frame, MentionFilter(search=search), TZ).height == int(found)


def test_search_survives_huge_text_and_regex_characters() -> None:
    frame = mentions_frame([dict(text="x" * 100_000 + " [prezzo] (alto)"), dict(text="prezzo alto")])
    # regex metacharacters are taken literally
    assert ids(apply_filter(frame, MentionFilter(search="[prezzo] (alto)"), TZ)) == ["m0"]


def test_search_too_long_is_a_user_error() -> None:
    with pytest.raises(AscoltoError) as err:
        parse_search("a" * 501)
    assert err.value.key == "insights.search_too_long"


def test_unknown_timezone_is_a_user_error(mentions) -> None:
    with pytest.raises(AscoltoError) as err:
        apply_filter(mentions, MentionFilter(date_from=date(2026, 9, 14)), "Mars/Olympus")
    assert err.value.key == "insights.bad_timezone"
