"""Alerts: days when negative mentions rose well above their recent baseline, and amplified negatives.

The baseline is robust: the median of the previous ``baseline_days`` days
(the day itself excluded) and the spread is 1.4826 x their median absolute
deviation (MAD), which equals the standard deviation for normal data but is
not dragged up by the spike it should detect. A floor on the spread (an
absolute minimum and, optionally, the Poisson sqrt(baseline)) keeps a day
with 3 complaints after weeks of 0-1 from alarming anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from ascolto_core.config import load_config
from ascolto_core.insights._frame import engagement_expr, ensure_columns, local_date, resolve_tz

# 1.4826 * MAD estimates the standard deviation of normally distributed data.
MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class AlertConfig:
    """Thresholds of the negative-spike alert (``config/insights.yaml: alerts``).

    Attributes:
        baseline_days: length of the trailing window the day is compared with.
        min_baseline_days: fewer days of history than this -> never an alert (no baseline yet).
        min_negatives: a day needs at least this many negative mentions to alert.
        z_threshold: robust z the day must reach.
        ratio_threshold: negatives / baseline median the day must reach (median < 1 counts as 1).
        min_spread: floor of the spread, in mentions.
        poisson_floor: also floor the spread at sqrt(baseline) (counting noise).
    """

    baseline_days: int = 28
    min_baseline_days: int = 7
    min_negatives: int = 4
    z_threshold: float = 3.5
    ratio_threshold: float = 2.0
    min_spread: float = 1.0
    poisson_floor: bool = True

    @classmethod
    def from_config(cls, config: dict[str, Any] | None = None) -> AlertConfig:
        """Read ``alerts`` from ``config/insights.yaml`` (defaults for what is absent)."""
        section = (config if config is not None else load_config("insights")).get("alerts") or {}
        fields = cls.__dataclass_fields__
        values: dict[str, Any] = {}
        for key, value in section.items():
            if key in fields:
                kind = type(getattr(cls, key))
                values[key] = kind(value)
        return cls(**values)


def robust_flags(
    series: pl.DataFrame, value: str, cfg: AlertConfig, window: int | None = None
) -> pl.DataFrame:
    """Add ``baseline, spread, robust_z, ratio, is_alert`` to a complete, ordered period series.

    ``series`` must have one row per period with no gaps (zero-filled), oldest
    first; the baseline of a row is over the ``window`` rows before it.
    """
    window = max(int(window or cfg.baseline_days), 1)
    indexed = series.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64))
    stats = indexed.rolling(
        index_column="_i", period=f"{window}i", offset=f"-{window + 1}i", closed="right"
    ).agg(
        pl.col(value).cast(pl.Float64).median().alias("baseline"),
        (pl.col(value).cast(pl.Float64) - pl.col(value).cast(pl.Float64).median())
        .abs()
        .median()
        .alias("_mad"),
        pl.len().alias("_history"),
    )
    floors = [pl.col("_mad") * MAD_TO_SIGMA, pl.lit(cfg.min_spread)]
    if cfg.poisson_floor:
        floors.append(pl.col("baseline").sqrt())
    x = pl.col(value).cast(pl.Float64)
    enough = pl.col("_history") >= min(cfg.min_baseline_days, window)
    return (
        indexed.join(stats, on="_i", how="left")
        .with_columns(pl.max_horizontal(floors).alias("spread"))
        .with_columns(
            pl.when(enough).then(pl.col("baseline")).otherwise(None).alias("baseline"),
            pl.when(enough).then(pl.col("spread")).otherwise(None).alias("spread"),
        )
        .with_columns(
            ((x - pl.col("baseline")) / pl.col("spread")).alias("robust_z"),
            (x / pl.max_horizontal(pl.col("baseline"), pl.lit(1.0))).alias("ratio"),
        )
        .with_columns(
            (
                enough
                & (x >= cfg.min_negatives)
                & (pl.col("robust_z") >= cfg.z_threshold)
                & (pl.col("ratio") >= cfg.ratio_threshold)
            )
            .fill_null(False)
            .alias("is_alert")
        )
        .drop("_i", "_mad", "_history")
    )


_SPIKE_SCHEMA = {
    "day": pl.Date(),
    "mentions": pl.UInt32(),
    "negative": pl.UInt32(),
    "baseline": pl.Float64(),
    "spread": pl.Float64(),
    "robust_z": pl.Float64(),
    "ratio": pl.Float64(),
    "is_alert": pl.Boolean(),
}


def daily_counts(mentions: pl.DataFrame, tz: str) -> pl.DataFrame:
    """``(day, mentions, negative)`` for every day from the first to the last dated mention (zeros kept)."""
    frame = ensure_columns(mentions).filter(pl.col("created_at").is_not_null())
    if frame.is_empty():
        return pl.DataFrame(schema={"day": pl.Date(), "mentions": pl.UInt32(), "negative": pl.UInt32()})
    counts = frame.group_by(local_date(tz).alias("day")).agg(
        pl.len().cast(pl.UInt32).alias("mentions"),
        (pl.col("sentiment") == "negative").sum().cast(pl.UInt32).alias("negative"),
    )
    days = pl.DataFrame({"day": pl.date_range(counts["day"].min(), counts["day"].max(), "1d", eager=True)})
    return days.join(counts, on="day", how="left").with_columns(pl.col("mentions", "negative").fill_null(0))


def negative_spike_days(
    mentions: pl.DataFrame, cfg: AlertConfig | None = None, tz: str | None = None
) -> pl.DataFrame:
    """Every day with its negatives, robust baseline, z and ratio; ``is_alert`` marks the alarming ones.

    Columns: day (display zone), mentions, negative, baseline, spread, robust_z,
    ratio, is_alert. Filter with ``pl.col("is_alert")`` for the alert list.
    Undated mentions are not placed on any day.
    """
    tz = resolve_tz(tz)
    cfg = cfg or AlertConfig.from_config()
    daily = daily_counts(mentions, tz)
    if daily.is_empty():
        return pl.DataFrame(schema=_SPIKE_SCHEMA)
    return robust_flags(daily, "negative", cfg).select(list(_SPIKE_SCHEMA))


def amplified_negative(mentions: pl.DataFrame, n: int = 10, *, min_engagement: int = 1) -> pl.DataFrame:
    """The ``n`` negative mentions with the most likes + shares + comments (column ``engagement``)."""
    frame = ensure_columns(mentions)
    return (
        frame.with_columns(engagement_expr().alias("engagement"))
        .filter(
            (pl.col("sentiment") == "negative").fill_null(False) & (pl.col("engagement") >= min_engagement)
        )
        .sort("engagement", "created_at", descending=True, nulls_last=True, maintain_order=True)
        .head(max(n, 0))
    )


@dataclass(frozen=True)
class SpikeWindow:
    """Negatives of one window that is still running (today so far, or the last few hours).

    The baseline is the same window on each of the previous days (same clock times, display
    zone), scored by :func:`robust_flags`: the Allarmi page's daily alert and the listening
    alert are one detector, so a partial day is never compared with whole days.

    Attributes:
        window: "today" (local midnight -> ``end``) or "hours" (the last ``hours`` hours).
        start, end: the window, aware datetimes in the display zone.
        negative, mentions: counts inside the window.
        baseline, spread, robust_z, ratio: as in :func:`robust_flags` (``None`` without history).
        history_days: previous days the baseline used.
        is_alert: the detector's verdict.
    """

    window: str
    start: datetime
    end: datetime
    negative: int
    mentions: int
    baseline: float | None
    spread: float | None
    robust_z: float | None
    ratio: float | None
    history_days: int
    is_alert: bool


def negative_spike_so_far(
    mentions: pl.DataFrame | pl.LazyFrame,
    now: datetime,
    cfg: AlertConfig | None = None,
    tz: str | None = None,
    *,
    hours: float | None = None,
    first_day: date | None = None,
) -> SpikeWindow:
    """Score the running window ending at ``now`` against the same window on previous days.

    Args:
        mentions: analysed mentions (a lazy frame keeps a big workspace's read small:
            only ``created_at`` and ``sentiment`` of the last ``baseline_days`` days are read).
        now: the window's end (aware; naive is taken as UTC).
        cfg: thresholds (default ``config/insights.yaml``).
        tz: display zone, where "today" starts at midnight.
        hours: ``None`` for "today so far", else the last ``hours`` hours.
        first_day: the first day with data (default: the first dated mention read); days
            before it are not history, so a new workspace never alerts on its first day.

    Raises:
        ValueError: ``hours`` not positive.
    """
    tz = resolve_tz(tz)
    cfg = cfg or AlertConfig.from_config()
    if hours is not None and hours <= 0:
        raise ValueError(f"hours must be > 0, got {hours}")
    zone = ZoneInfo(tz)
    end = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(zone)
    days = max(int(cfg.baseline_days), 1)
    windows: list[tuple[datetime, datetime]] = []
    for back in range(days, -1, -1):
        # Wall-clock arithmetic in the zone: "same time yesterday" across a DST change.
        stop = datetime.combine(end.date() - timedelta(days=back), end.timetz().replace(tzinfo=None), zone)
        begin = stop - timedelta(hours=hours) if hours is not None else datetime.combine(stop.date(), time(0), zone)
        windows.append((begin, stop))
    lazy = mentions.lazy() if isinstance(mentions, pl.DataFrame) else mentions
    if "sentiment" not in lazy.collect_schema().names():
        lazy = lazy.with_columns(pl.lit(None, dtype=pl.String).alias("sentiment"))
    earliest = windows[0][0].astimezone(UTC)
    latest = end.astimezone(UTC)
    recent = (
        lazy.select(
            pl.col("created_at").cast(pl.Datetime("us", "UTC"), strict=False).alias("at"),
            (pl.col("sentiment") == "negative").fill_null(False).alias("neg"),
        )
        .filter(pl.col("at").is_between(earliest, latest, closed="both"))
        .collect()
    )
    if first_day is None:
        first_day = recent["at"].min().astimezone(zone).date() if recent.height else end.date()  # type: ignore[union-attr]
    rows = []
    for begin, stop in windows:
        if stop.date() < first_day:
            continue
        inside = recent.filter(pl.col("at").is_between(begin.astimezone(UTC), stop.astimezone(UTC), closed="left" if stop != end else "both"))
        rows.append({"mentions": inside.height, "negative": int(inside["neg"].sum())})
    series = pl.DataFrame(rows, schema={"mentions": pl.UInt32(), "negative": pl.UInt32()})
    scored = robust_flags(series, "negative", cfg, window=days).row(-1, named=True)
    return SpikeWindow(
        window="today" if hours is None else "hours",
        start=windows[-1][0],
        end=end,
        negative=int(scored["negative"]),
        mentions=int(scored["mentions"]),
        baseline=scored["baseline"],
        spread=scored["spread"],
        robust_z=scored["robust_z"],
        ratio=scored["ratio"] if scored["baseline"] is not None else None,
        history_days=series.height - 1,
        is_alert=bool(scored["is_alert"]),
    )
