"""Volume over time and spike marks, bucketed in the display time zone."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.insights import AlertConfig, count_undated, spike_periods, volume_over_time
from ascolto_core.insights.sample import mentions_frame

TZ = "Europe/Rome"


@pytest.fixture
def mentions():
    return mentions_frame(
        [
            dict(created_at="2026-09-01T10:00", sentiment="negative", touchpoint="facebook"),
            dict(created_at="2026-09-01T12:00", sentiment="positive", touchpoint="email"),
            # 2 Sep: nothing (must appear as a zero day)
            # 22:30 UTC on 2 Sep is 00:30 on 3 Sep in Rome
            dict(created_at="2026-09-02T22:30", sentiment="positive", touchpoint="facebook"),
            dict(created_at="2026-09-03T09:00", sentiment=None, touchpoint="facebook"),
            dict(created_at=None, sentiment="negative"),  # undated: counted apart
        ]
    )


def test_daily_volume_is_zero_filled_and_local(mentions) -> None:
    result = volume_over_time(mentions, freq="day", split="none", tz=TZ)
    assert result.select(
        "period", "group", "mentions", "negative", "positive", "net_sentiment"
    ).to_dicts() == [
        {
            "period": date(2026, 9, 1),
            "group": "all",
            "mentions": 2,
            "negative": 1,
            "positive": 1,
            "net_sentiment": 0.0,
        },
        {
            "period": date(2026, 9, 2),
            "group": "all",
            "mentions": 0,
            "negative": 0,
            "positive": 0,
            "net_sentiment": None,
        },
        # net over analysed mentions only: 1 positive of 1 analysed
        {
            "period": date(2026, 9, 3),
            "group": "all",
            "mentions": 2,
            "negative": 0,
            "positive": 1,
            "net_sentiment": 1.0,
        },
    ]
    assert count_undated(mentions) == 1


def test_split_by_sentiment_has_every_group_every_day(mentions) -> None:
    result = volume_over_time(mentions, freq="day", split="sentiment", tz=TZ)
    assert result.height == 3 * 3  # negative, positive, unanalysed x 3 days
    assert result.filter(pl.col("period") == date(2026, 9, 3)).select("group", "mentions").to_dicts() == [
        {"group": "negative", "mentions": 0},
        {"group": "positive", "mentions": 1},
        {"group": "unanalysed", "mentions": 1},
    ]


@pytest.mark.parametrize(
    ("created_at", "freq", "expected"),
    [
        ("2026-09-06T21:30", "week", date(2026, 8, 31)),  # Sunday 23:30 in Rome: still the week of Mon 31 Aug
        ("2026-09-06T22:30", "week", date(2026, 9, 7)),  # Sunday 22:30 UTC is Monday 00:30 in Rome
        ("2026-10-31T23:30", "month", date(2026, 11, 1)),  # 31 Oct 23:30 UTC = 1 Nov 00:30 CET
        ("2026-10-31T22:30", "month", date(2026, 10, 1)),  # = 31 Oct 23:30 CET
        ("2026-10-24T22:30", "day", date(2026, 10, 25)),  # night clocks go back: 00:30 CEST of the 25th
        ("2026-10-25T23:30", "day", date(2026, 10, 26)),  # after the change Rome is UTC+1
    ],
)
def test_period_boundaries_follow_display_zone(created_at: str, freq: str, expected: date) -> None:
    frame = mentions_frame([dict(created_at=created_at, sentiment="neutral")])
    assert volume_over_time(frame, freq=freq, tz=TZ)["period"].to_list() == [expected]


def test_weeks_and_months_are_zero_filled() -> None:
    frame = mentions_frame([dict(created_at="2026-09-01T10:00"), dict(created_at="2026-11-20T10:00")])
    months = volume_over_time(frame, freq="month", tz=TZ)
    assert months.select("period", "mentions").to_dicts() == [
        {"period": date(2026, 9, 1), "mentions": 1},
        {"period": date(2026, 10, 1), "mentions": 0},
        {"period": date(2026, 11, 1), "mentions": 1},
    ]
    weeks = volume_over_time(frame, freq="week", tz=TZ)
    assert weeks.height == 12 and weeks["period"].dt.weekday().unique().to_list() == [1]  # all Mondays


@pytest.mark.parametrize(
    ("kwargs", "key"), [({"freq": "year"}, "insights.bad_freq"), ({"split": "x"}, "insights.bad_split")]
)
def test_bad_choices_are_user_errors(mentions, kwargs: dict, key: str) -> None:
    with pytest.raises(AscoltoError) as err:
        volume_over_time(mentions, tz=TZ, **kwargs)
    assert err.value.key == key


def test_spike_periods_marks_the_burst() -> None:
    # 30 quiet days with 1 complaint, then a day with 9.
    rows = [dict(created_at=f"2026-08-{d:02d}T10:00", sentiment="negative") for d in range(1, 31)]
    rows += [dict(created_at="2026-08-31T10:00", sentiment="negative") for _ in range(9)]
    result = spike_periods(mentions_frame(rows), freq="day", tz=TZ, cfg=AlertConfig())
    assert result.filter("is_spike")["period"].to_list() == [date(2026, 8, 31)]
    assert result.columns[:2] == ["period", "group"]
