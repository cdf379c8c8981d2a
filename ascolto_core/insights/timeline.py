"""Volume and mood over time (Andamento page), bucketed in the display time zone."""

from __future__ import annotations

from typing import Literal

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import (
    ALL_GROUP,
    UNANALYSED,
    ensure_columns,
    mood_aggs,
    period_start,
    resolve_tz,
)
from ascolto_core.insights.alerts import AlertConfig, robust_flags

Freq = Literal["day", "week", "month"]
FREQS: tuple[str, ...] = ("day", "week", "month")
SPLITS: tuple[str, ...] = ("none", "touchpoint", "sentiment", "emotion", "brand", "lang")
# Polars interval of each frequency (period starts are truncated to it).
INTERVALS = {"day": "1d", "week": "1w", "month": "1mo"}
# Baseline length of the spike marks, in periods of each frequency (~4 weeks, ~2 months, ~half a year).
SPIKE_WINDOW = {"day": 28, "week": 8, "month": 6}

TIMELINE_SCHEMA: dict[str, pl.DataType] = {
    "period": pl.Date(),
    "group": pl.String(),
    "mentions": pl.UInt32(),
    "negative": pl.UInt32(),
    "positive": pl.UInt32(),
    "net_sentiment": pl.Float64(),
    "analysed": pl.UInt32(),
    "negative_share": pl.Float64(),
    "positive_share": pl.Float64(),
}


def count_undated(mentions: pl.DataFrame) -> int:
    """How many mentions have no usable date (left out of every time view; pages should say so)."""
    return int(ensure_columns(mentions).get_column("created_at").null_count())


def _group_expr(split: str) -> pl.Expr:
    if split == "none":
        return pl.lit(ALL_GROUP)
    if split == "touchpoint":
        return pl.col("touchpoint").fill_null("other")
    if split in ("sentiment", "emotion"):
        return pl.col(split).fill_null(UNANALYSED)
    if split in ("brand", "lang"):
        return pl.col(split).fill_null("")
    raise AscoltoError("insights.bad_split", split=split, allowed=", ".join(SPLITS))


def volume_over_time(
    mentions: pl.DataFrame,
    *,
    freq: str = "day",
    split: str = "none",
    tz: str | None = None,
) -> pl.DataFrame:
    """Mentions and mood per period (and group), every period from first to last present (zeros filled).

    Columns: period (Date: the day, the Monday of the week, or the 1st of the
    month, display zone), group ("all" when not split; "unanalysed" for null
    sentiment/emotion), mentions, negative, positive, net_sentiment
    ((positive - negative) / analysed, null without analysed mentions),
    analysed, negative_share, positive_share. Undated mentions are excluded;
    see :func:`count_undated`.

    Raises:
        AscoltoError: ``insights.bad_freq`` / ``insights.bad_split``.
    """
    tz = resolve_tz(tz)
    if freq not in FREQS:
        raise AscoltoError("insights.bad_freq", freq=freq)
    group = _group_expr(split)
    frame = ensure_columns(mentions).filter(pl.col("created_at").is_not_null())
    if frame.is_empty():
        return pl.DataFrame(schema=TIMELINE_SCHEMA)
    counts = frame.group_by(period_start(freq, tz).alias("period"), group.alias("group")).agg(mood_aggs())
    return timeline_of_counts(counts, freq)


def timeline_of_counts(counts: pl.DataFrame, freq: str) -> pl.DataFrame:
    """:func:`volume_over_time`'s frame from ``counts`` (``period, group`` + ``mood_aggs`` columns).

    Every period from the first to the last, for every group, with zeros where it has none.
    """
    periods = pl.date_range(counts["period"].min(), counts["period"].max(), INTERVALS[freq], eager=True)
    grid = pl.DataFrame({"period": periods}).join(counts.select("group").unique(), how="cross")
    zero = ("mentions", "negative", "positive", "analysed")
    return (
        grid.join(counts, on=["period", "group"], how="left")
        .with_columns(pl.col(zero).fill_null(0))
        .select(list(TIMELINE_SCHEMA))
        .sort("period", "group")
    )


def spike_periods(
    mentions: pl.DataFrame,
    *,
    freq: str = "day",
    tz: str | None = None,
    cfg: AlertConfig | None = None,
    value: Literal["negative", "mentions"] = "negative",
) -> pl.DataFrame:
    """The unsplit timeline with ``baseline, spread, robust_z, ratio, is_spike`` per period.

    A spike is a period whose ``value`` (negative mentions by default) rises
    above its trailing robust baseline (``SPIKE_WINDOW`` periods) by the alert
    thresholds of ``cfg`` (see :mod:`ascolto_core.insights.alerts`).
    """
    cfg = cfg or AlertConfig.from_config()
    timeline = volume_over_time(mentions, freq=freq, split="none", tz=tz)
    if timeline.is_empty():
        extra = {
            "baseline": pl.Float64(),
            "spread": pl.Float64(),
            "robust_z": pl.Float64(),
            "ratio": pl.Float64(),
        }
        return pl.DataFrame(schema={**TIMELINE_SCHEMA, **extra, "is_spike": pl.Boolean()})
    flagged = robust_flags(timeline, value, cfg, window=SPIKE_WINDOW[freq])
    return flagged.rename({"is_alert": "is_spike"})
