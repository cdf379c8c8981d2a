"""Hours: weekday x hour grid (DST-correct) and off-hours per touchpoint."""

from __future__ import annotations

import polars as pl
import pytest

from ascolto_core.errors import AscoltoError
from ascolto_core.insights import OfficeHours, OpeningWindow, hour_weekday_counts, off_hours_by_touchpoint
from ascolto_core.insights.sample import mentions_frame

TZ = "Europe/Rome"


def test_hour_grid_across_autumn_dst_change() -> None:
    # Sunday 25 Oct 2026, clocks go back at 03:00 CEST -> 02:00 CET.
    frame = mentions_frame(
        [
            dict(created_at="2026-10-25T00:30", sentiment="negative"),  # 02:30 CEST
            dict(created_at="2026-10-25T01:30", sentiment="neutral"),  # 02:30 CET (the hour happens twice)
            dict(created_at="2026-10-25T02:30", sentiment="neutral"),  # 03:30 CET
            dict(created_at="2026-03-29T00:30", sentiment="neutral"),  # spring: 01:30 CET
            dict(created_at="2026-03-29T01:30", sentiment="negative"),  # 03:30 CEST (02:xx does not exist)
            dict(created_at=None),  # undated: not on the grid
        ]
    )
    grid = hour_weekday_counts(frame, TZ)
    assert grid.height == 7 * 24
    assert grid.filter(pl.col("mentions") > 0).to_dicts() == [
        {"weekday": 6, "hour": 1, "mentions": 1, "negative": 0},
        {"weekday": 6, "hour": 2, "mentions": 2, "negative": 1},
        {"weekday": 6, "hour": 3, "mentions": 2, "negative": 1},
    ]


def test_off_hours_by_touchpoint() -> None:
    office = OfficeHours(
        default=OpeningWindow(days=(0, 1, 2, 3, 4), open_minute=9 * 60, close_minute=18 * 60),
        by_touchpoint=(
            ("chat", OpeningWindow(days=(0, 1, 2, 3, 4, 5, 6), open_minute=0, close_minute=1440)),
        ),
        holidays_country="IT",
    )
    # Times in UTC; Rome is UTC+2 in summer.
    frame = mentions_frame(
        [
            dict(
                touchpoint="facebook", created_at="2026-09-07T08:00", sentiment="negative"
            ),  # Mon 10:00: open
            dict(touchpoint="facebook", created_at="2026-09-07T15:59", is_question=True),  # Mon 17:59: open
            dict(
                touchpoint="facebook", created_at="2026-09-07T16:00", sentiment="negative"
            ),  # Mon 18:00: closed
            dict(touchpoint="facebook", created_at="2026-09-07T06:59", is_question=True),  # Mon 08:59: closed
            dict(
                touchpoint="facebook", created_at="2026-09-12T08:00", sentiment="negative", is_question=True
            ),  # Saturday: closed
            dict(
                touchpoint="email", created_at="2026-06-02T08:00", is_question=True
            ),  # Tue, Festa della Repubblica
            dict(touchpoint="email", created_at="2026-06-03T08:00"),  # the day after: open
            dict(touchpoint="chat", created_at="2026-09-12T21:00", sentiment="negative"),  # chat never closes
            dict(touchpoint="chat", created_at=None, sentiment="negative"),  # undated: not counted
        ]
    )
    assert off_hours_by_touchpoint(frame, office, TZ).to_dicts() == [
        {
            "touchpoint": "facebook",
            "mentions": 5,
            "off_hours": 3,
            "off_hours_share": 0.6,
            "off_hours_complaints": 2,
            "off_hours_questions": 2,
        },
        {
            "touchpoint": "email",
            "mentions": 2,
            "off_hours": 1,
            "off_hours_share": 0.5,
            "off_hours_complaints": 0,
            "off_hours_questions": 1,
        },
        {
            "touchpoint": "chat",
            "mentions": 1,
            "off_hours": 0,
            "off_hours_share": 0.0,
            "off_hours_complaints": 0,
            "off_hours_questions": 0,
        },
    ]


def test_office_hours_from_config() -> None:
    config = {
        "office_hours": {
            "days": ["mon", "martedì", "wed"],  # Italian names accepted too
            "open": "08:30",
            "close": "13:00",
            "holidays_country": None,
            "closed_dates": ["2026-08-14"],
            "touchpoints": {"store": {"days": ["sat"]}},  # inherits 08:30-13:00
        }
    }
    assert OfficeHours.from_config(config) == OfficeHours(
        default=OpeningWindow(days=(0, 1, 2), open_minute=510, close_minute=780),
        by_touchpoint=(("store", OpeningWindow(days=(5,), open_minute=510, close_minute=780)),),
        holidays_country=None,
        closed_dates=(__import__("datetime").date(2026, 8, 14),),
    )


@pytest.mark.parametrize(
    "section",
    [
        {"open": "nove"},  # not a time
        {"close": "25:00"},  # beyond the day
        {"days": ["lunedi", "funday"]},  # unknown weekday
        {"closed_dates": ["14/08/2026"]},  # dates must be ISO (YYYY-MM-DD)
        {"holidays_country": "XX"},  # no such country in the holidays package
    ],
)
def test_bad_office_hours_are_user_errors(section: dict) -> None:
    with pytest.raises(AscoltoError) as err:
        OfficeHours.from_config({"office_hours": section})
    assert err.value.key == "insights.bad_office_hours"


def test_project_config_loads() -> None:
    # The shipped config/insights.yaml is valid and closes on weekends.
    office = OfficeHours.from_config()
    assert 5 not in office.default.days and 6 not in office.default.days
