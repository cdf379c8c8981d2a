"""Guard tests: empty, unanalysed, all-undated and odd frames never raise and keep their shape."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import polars as pl
import pytest

import ascolto_core.insights as insights
from ascolto_core.insights import MentionFilter
from ascolto_core.insights.sample import mentions_frame

TZ = "Europe/Rome"

VIEWS = {
    "apply_filter": lambda m: insights.apply_filter(
        m, MentionFilter(search="x", sentiments=("negative",)), TZ
    ),
    "needs_attention": lambda m: insights.needs_attention(m),
    "sort_posts": lambda m: insights.sort_posts(m, "negative"),
    "volume_over_time": lambda m: insights.volume_over_time(m, freq="week", split="touchpoint", tz=TZ),
    "spike_periods": lambda m: insights.spike_periods(m, tz=TZ),
    "touchpoint_summary": insights.touchpoint_summary,
    "emotion_mix": insights.emotion_mix,
    "hour_weekday_counts": lambda m: insights.hour_weekday_counts(m, TZ),
    "off_hours_by_touchpoint": lambda m: insights.off_hours_by_touchpoint(m, insights.OfficeHours(), TZ),
    "negative_spike_days": lambda m: insights.negative_spike_days(m, insights.AlertConfig(), TZ),
    "amplified_negative": insights.amplified_negative,
}

ODD_FRAMES = {
    "empty canonical+analysis": mentions_frame([]),  # a filter that left nothing
    "empty raw text only": pl.DataFrame(schema={"text": pl.String}),  # a loaded file before analysis
    "all undated": mentions_frame([dict(created_at=None, sentiment="negative")] * 3),  # dates unparseable
}


@pytest.mark.parametrize("frame_name", list(ODD_FRAMES))
@pytest.mark.parametrize("view", list(VIEWS))
def test_views_on_odd_frames_return_typed_results(view: str, frame_name: str) -> None:
    result = VIEWS[view](ODD_FRAMES[frame_name])
    assert isinstance(result, pl.DataFrame)
    assert result.columns  # well-typed: columns present even with no rows
    time_views = {
        "volume_over_time",
        "spike_periods",
        "hour_weekday_counts",
        "off_hours_by_touchpoint",
        "negative_spike_days",
    }
    if frame_name.startswith("empty") or view in time_views:
        assert result.height == 0


def test_empty_headline_and_pages() -> None:
    empty = mentions_frame([])
    head = insights.headline(empty, MentionFilter(), TZ)
    assert (head.mentions, head.negative_share, head.dominant_emotion, head.previous) == (0, None, None, None)
    page = insights.page_of(empty, 3, 20)
    assert (page.page, page.pages, page.total, page.first) == (1, 1, 0, 0)
    assert insights.filter_options(empty, TZ).date_min is None
    assert insights.export_csv(empty).decode("utf-8-sig").startswith("id,text,created_at")


def test_naive_timestamps_are_taken_as_utc() -> None:
    # A frame built outside the loader with naive datetimes still buckets correctly.
    frame = pl.DataFrame({"text": ["a"], "created_at": [datetime(2026, 9, 14, 22, 30)]})
    assert insights.volume_over_time(frame, tz=TZ)["period"].to_list() == [date(2026, 9, 15)]


def test_large_frame_smoke() -> None:
    # 100,000 mentions through the filter and a timeline: correct totals (timing is in benchmarks/).
    frame = insights.sample.synthetic_mentions(100_000, seed=3)
    timeline = insights.volume_over_time(frame, freq="day", tz=TZ)
    assert timeline["mentions"].sum() == 100_000
    negatives = insights.apply_filter(frame, MentionFilter(sentiments=("negative",)), TZ)
    assert negatives.height == int((frame["sentiment"] == "negative").sum())


def test_insights_never_import_streamlit() -> None:
    code = "import sys, ascolto_core.insights; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
