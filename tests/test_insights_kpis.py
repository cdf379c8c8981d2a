"""Headline numbers: current period against the previous one of equal length."""

from __future__ import annotations

from datetime import date

import pytest

from ascolto_core.insights import Headline, MentionFilter, PeriodStats, headline
from ascolto_core.insights.sample import mentions_frame

TZ = "Europe/Rome"


def _m(day: str, sentiment: str | None, emotion: str | None = "none", **extra):
    return dict(created_at=f"2026-09-{day}T10:00", sentiment=sentiment, emotion=emotion, **extra)


@pytest.fixture
def mentions():
    previous = [  # 1..3 Sep: 4 analysed, 1 negative, 2 positive; only "none" emotions
        _m("01", "negative"),
        _m("02", "positive"),
        _m("02", "positive"),
        _m("03", "neutral"),
    ]
    current = [  # 4..6 Sep: 5 mentions, 4 analysed: 2 negative, 1 positive, 1 neutral
        _m("04", "negative", "anger"),
        _m("05", "negative", "anger"),
        _m("05", "positive", "joy"),
        _m("06", "neutral", "none"),
        _m("06", None, None),
    ]
    return mentions_frame(previous + current)


def test_headline_compares_with_previous_period(mentions) -> None:
    result = headline(mentions, MentionFilter(date_from=date(2026, 9, 4), date_to=date(2026, 9, 6)), TZ)
    assert result == Headline(
        current=PeriodStats(
            date(2026, 9, 4),
            date(2026, 9, 6),
            mentions=5,
            analysed=4,
            negative_share=0.5,
            positive_share=0.25,
            net_sentiment=-0.25,
            dominant_emotion="anger",
        ),
        previous=PeriodStats(
            date(2026, 9, 1),
            date(2026, 9, 3),
            mentions=4,
            analysed=4,
            negative_share=0.25,
            positive_share=0.5,
            net_sentiment=0.25,
            dominant_emotion="none",
        ),
        mentions_delta=1,
        negative_share_delta=0.25,
        positive_share_delta=-0.25,
        net_sentiment_delta=-0.5,
    )
    assert (result.mentions, result.dominant_emotion, result.mentions_change) == (5, "anger", 0.25)


def test_no_previous_data_gives_none(mentions) -> None:
    # The data start on 1 Sep: nothing before 1..3 Sep to compare with.
    result = headline(mentions, MentionFilter(date_from=date(2026, 9, 1), date_to=date(2026, 9, 3)), TZ)
    assert result.previous is None
    assert (result.mentions_delta, result.negative_share_delta, result.net_sentiment_delta) == (
        None,
        None,
        None,
    )
    assert result.mentions == 4


def test_open_range_is_taken_from_the_data(mentions) -> None:
    # Only "from 4 Sep": the period ends with the data (6 Sep), previous is 1..3 Sep.
    result = headline(mentions, MentionFilter(date_from=date(2026, 9, 4)), TZ)
    assert (result.current.date_to, result.previous.date_from, result.previous.date_to) == (
        date(2026, 9, 6),
        date(2026, 9, 1),
        date(2026, 9, 3),
    )


def test_other_filters_apply_to_both_periods(mentions) -> None:
    flt = MentionFilter(date_from=date(2026, 9, 4), date_to=date(2026, 9, 6), sentiments=("negative",))
    result = headline(mentions, flt, TZ)
    assert (result.mentions, result.previous.mentions, result.mentions_delta) == (2, 1, 1)


def test_empty_current_period_still_compares(mentions) -> None:
    # 7..8 Sep has no mention; 5..6 Sep (4 mentions, inside the data) is the previous period.
    result = headline(mentions, MentionFilter(date_from=date(2026, 9, 7), date_to=date(2026, 9, 8)), TZ)
    assert result.current == PeriodStats(date(2026, 9, 7), date(2026, 9, 8), 0, 0, None, None, None, None)
    assert (result.previous.mentions, result.mentions_delta, result.net_sentiment_delta) == (4, -4, None)
    assert result.mentions_change == -1.0


@pytest.mark.parametrize(
    ("emotions", "expected"),
    [
        (["none", "none", "joy"], "joy"),  # "none" never wins over a real emotion
        (["none", "none"], "none"),  # ...unless it is all there is
        (["anger", "joy"], "joy"),  # tie: catalogue order (joy, anger, fear, sadness)
        ([None, None], None),  # unanalysed: no dominant emotion
    ],
)
def test_dominant_emotion(emotions: list[str | None], expected: str | None) -> None:
    frame = mentions_frame([_m("01", "neutral", e) for e in emotions])
    assert headline(frame, MentionFilter(), TZ).dominant_emotion == expected
