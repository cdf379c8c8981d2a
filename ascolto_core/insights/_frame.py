"""Shared building blocks of the insights: column guards, time-zone bucketing, mood counts."""

from __future__ import annotations

import zoneinfo

import polars as pl

from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError
from ascolto_core.schema import ANALYSIS_SCHEMA, EMOTIONS, MENTION_SCHEMA, UTC_DATETIME

DEFAULT_TZ = "Europe/Rome"
# Label of the single group when a view is not split.
ALL_GROUP = "all"
# Group label for rows the analysis has not labelled (sentiment/emotion null).
UNANALYSED = "unanalysed"


def resolve_tz(tz: str | None) -> str:
    """The display time zone: ``tz`` or ``display_timezone`` from ``config/app.yaml``.

    Raises:
        AscoltoError: ``insights.bad_timezone`` if the zone is unknown.
    """
    zone = tz or str(load_config("app").get("display_timezone") or DEFAULT_TZ)
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise AscoltoError("insights.bad_timezone", tz=zone) from None
    return zone


def ensure_columns(mentions: pl.DataFrame) -> pl.DataFrame:
    """Add any missing canonical/analysis column as nulls so every view can read it.

    Unanalysed frames (no ``sentiment``...) stay usable: their mood columns are null;
    without ``is_own`` (see ``insights.voice``) every mention counts as a customer's.
    A naive ``created_at`` is taken as UTC, as the schema says.
    """
    if not isinstance(mentions, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(mentions).__name__}")
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in {**MENTION_SCHEMA, **ANALYSIS_SCHEMA}.items()
        if name not in mentions.columns
    ]
    if "is_own" not in mentions.columns:
        # Nobody marked the brand's own posts: every mention is a customer's.
        missing.append(pl.lit(False).alias("is_own"))
    frame = mentions.with_columns(missing) if missing else mentions
    created = frame.schema["created_at"]
    if created != UTC_DATETIME:
        if isinstance(created, pl.Datetime) and created.time_zone is None:
            frame = frame.with_columns(
                pl.col("created_at").dt.replace_time_zone("UTC").dt.cast_time_unit("us")
            )
        elif isinstance(created, pl.Datetime):
            frame = frame.with_columns(
                pl.col("created_at").dt.convert_time_zone("UTC").dt.cast_time_unit("us")
            )
        else:
            frame = frame.with_columns(pl.col("created_at").cast(UTC_DATETIME))
    return frame


def local_time(tz: str) -> pl.Expr:
    """``created_at`` converted to the display zone (null stays null)."""
    return pl.col("created_at").dt.convert_time_zone(tz)


def local_date(tz: str) -> pl.Expr:
    """The calendar day of each mention in the display zone."""
    return local_time(tz).dt.date()


def period_start(freq: str, tz: str) -> pl.Expr:
    """First day (Date) of the day/week (Monday start)/month each mention falls in, display zone."""
    day = local_date(tz)
    if freq == "day":
        return day
    if freq == "week":
        return day.dt.truncate("1w")
    if freq == "month":
        return day.dt.truncate("1mo")
    raise AscoltoError("insights.bad_freq", freq=freq)


def engagement_expr() -> pl.Expr:
    """likes + shares + comments per mention, a missing count counting as 0 (Int64)."""
    return (
        pl.col("likes").fill_null(0) + pl.col("shares").fill_null(0) + pl.col("comments").fill_null(0)
    ).cast(pl.Int64)


def mood_aggs(weight: str | None = None) -> list[pl.Expr]:
    """Counts and shares of the mood of a group of mentions.

    Shares are over *analysed* mentions (sentiment not null), so unanalysed rows
    neither dilute nor inflate them; with no analysed mention they are null.

    Args:
        weight: a column holding how many mentions each row stands for (a daily
            summary's ``mentions``); ``None``: each row is one mention.
    """

    def count(condition: pl.Expr | None = None) -> pl.Expr:
        # Signed counts: unsigned positive - negative would wrap around.
        if weight is None:
            return (pl.len() if condition is None else condition.sum()).cast(pl.Int64)
        rows = pl.col(weight) if condition is None else pl.col(weight).filter(condition)
        return rows.sum().cast(pl.Int64)

    analysed = count(pl.col("sentiment").is_not_null())
    negative = count(pl.col("sentiment") == "negative")
    positive = count(pl.col("sentiment") == "positive")
    share = lambda count: pl.when(analysed > 0).then(count / analysed).otherwise(None)  # noqa: E731
    return [
        count().cast(pl.UInt32).alias("mentions"),
        analysed.cast(pl.UInt32).alias("analysed"),
        negative.cast(pl.UInt32).alias("negative"),
        positive.cast(pl.UInt32).alias("positive"),
        share(negative).cast(pl.Float64).alias("negative_share"),
        share(positive).cast(pl.Float64).alias("positive_share"),
        share(positive - negative).cast(pl.Float64).alias("net_sentiment"),
    ]


def dominant_emotion_by(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """``(by, dominant_emotion)``: the most frequent emotion per group.

    "none" wins only when a group has no other emotion; ties go to the first in
    ``EMOTIONS`` order; groups with no emotion at all get null.
    """
    order = pl.DataFrame({"emotion": list(EMOTIONS), "_order": list(range(len(EMOTIONS)))})
    counts = (
        frame.filter(pl.col("emotion").is_not_null())
        .group_by(by, "emotion")
        .agg(pl.len().alias("_n"))
        .join(order, on="emotion", how="left")
        # Non-"none" first, then most frequent, then catalogue order.
        .sort(
            by,
            pl.col("emotion") == "none",
            "_n",
            "_order",
            descending=[False, False, True, False],
            nulls_last=True,
        )
    )
    return counts.group_by(by, maintain_order=True).agg(pl.col("emotion").first().alias("dominant_emotion"))


def dominant_emotion(frame: pl.DataFrame) -> str | None:
    """The dominant emotion of a whole frame (see :func:`dominant_emotion_by`)."""
    result = dominant_emotion_by(frame.with_columns(pl.lit(ALL_GROUP).alias("_all")), "_all")
    return result["dominant_emotion"][0] if result.height else None
