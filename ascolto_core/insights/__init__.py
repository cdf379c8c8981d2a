"""Insights: the aggregations behind every dashboard page, as tidy Polars frames and frozen records.

Every function takes the canonical mentions table (``ascolto_core.schema``),
analysed or not (missing analysis columns count as null), never raises on an
empty frame (it returns an empty, well-typed result), and buckets time in the
display time zone ``tz`` (default ``display_timezone`` of ``config/app.yaml``).
Mentions without a date are left out of time views and counted by
:func:`count_undated`. Thresholds and office hours live in ``config/insights.yaml``.
"""

from __future__ import annotations

from ascolto_core.insights._frame import engagement_expr, resolve_tz
from ascolto_core.insights.alerts import AlertConfig, amplified_negative, daily_counts, negative_spike_days
from ascolto_core.insights.export import export_csv, export_xlsx, spreadsheet_frame
from ascolto_core.insights.filters import (
    FilterOptions,
    MentionFilter,
    apply_filter,
    filter_options,
    parse_search,
)
from ascolto_core.insights.hours import (
    OfficeHours,
    OpeningWindow,
    count_time_unknown,
    hour_weekday_counts,
    off_hours_by_touchpoint,
)
from ascolto_core.insights.kpis import Headline, PeriodStats, headline
from ascolto_core.insights.posts import (
    POST_ORDERS,
    AttentionWeights,
    PostPage,
    needs_attention,
    page_of,
    sort_posts,
)
from ascolto_core.insights.timeline import FREQS, SPLITS, count_undated, spike_periods, volume_over_time
from ascolto_core.insights.touchpoints import emotion_mix, touchpoint_summary

__all__ = [
    "FREQS",
    "POST_ORDERS",
    "SPLITS",
    "AlertConfig",
    "AttentionWeights",
    "FilterOptions",
    "Headline",
    "MentionFilter",
    "OfficeHours",
    "OpeningWindow",
    "PeriodStats",
    "PostPage",
    "amplified_negative",
    "apply_filter",
    "count_undated",
    "daily_counts",
    "emotion_mix",
    "engagement_expr",
    "export_csv",
    "export_xlsx",
    "filter_options",
    "headline",
    "count_time_unknown",
    "hour_weekday_counts",
    "needs_attention",
    "negative_spike_days",
    "off_hours_by_touchpoint",
    "page_of",
    "parse_search",
    "resolve_tz",
    "sort_posts",
    "spike_periods",
    "spreadsheet_frame",
    "touchpoint_summary",
    "volume_over_time",
]
