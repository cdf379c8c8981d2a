"""The daily summary the dashboard needs, computable batch by batch and on Spark.

One row per (day, touchpoint, brand, sentiment, emotion) with the number of
mentions and of questions. Counts add up, so a summary of a file larger than
memory is the sum of the summaries of its batches (:func:`combine_summaries`),
and Spark sums the per-batch summaries its executors compute with the very same
:func:`daily_summary` (one computation per number).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import local_date, resolve_tz

SUMMARY_KEYS: tuple[str, ...] = ("day", "touchpoint", "brand", "sentiment", "emotion")
SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "touchpoint": pl.String(),
    "brand": pl.String(),
    "sentiment": pl.String(),
    "emotion": pl.String(),
    "mentions": pl.Int64(),
    "questions": pl.Int64(),
}


def daily_summary(mentions: pl.DataFrame, tz: str | None = None) -> pl.DataFrame:
    """Mentions and questions per day (display zone), touchpoint, brand, sentiment and emotion.

    Args:
        mentions: analysed mentions (``created_at``, ``touchpoint``, ``brand``,
            ``sentiment``, ``emotion``, ``is_question``; missing ones count as null).
        tz: display zone of the days (default ``config/app.yaml``).

    Returns:
        A frame with ``SUMMARY_SCHEMA``, sorted by its keys (nulls first); mentions
        without a date are counted under a null ``day``.
    """
    if not isinstance(mentions, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(mentions).__name__}")
    tz = resolve_tz(tz)
    needed = {"created_at": pl.Datetime("us", "UTC"), "is_question": pl.Boolean()}
    needed |= {k: pl.String() for k in SUMMARY_KEYS if k != "day"}
    frame = mentions.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in needed.items()
        if name not in mentions.columns
    )
    grouped = frame.group_by(
        local_date(tz).alias("day"), *(pl.col(k).cast(pl.String) for k in SUMMARY_KEYS if k != "day")
    ).agg(
        pl.len().cast(pl.Int64).alias("mentions"),
        pl.col("is_question").fill_null(False).sum().cast(pl.Int64).alias("questions"),
    )
    return _sorted(grouped)


def combine_summaries(parts: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """The summary of the union of the batches whose summaries are ``parts``."""
    frames = [p.select(list(SUMMARY_SCHEMA)).cast(SUMMARY_SCHEMA) for p in parts]  # type: ignore[arg-type]
    if not frames:
        return pl.DataFrame(schema=SUMMARY_SCHEMA)
    total = (
        pl.concat(frames, how="vertical")
        .group_by(list(SUMMARY_KEYS))
        .agg(pl.col("mentions").sum(), pl.col("questions").sum())
    )
    return _sorted(total)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.select(list(SUMMARY_SCHEMA))
        .cast(SUMMARY_SCHEMA)
        .sort(  # type: ignore[arg-type]
            list(SUMMARY_KEYS), nulls_last=False
        )
    )


def write_summary(summary: pl.DataFrame, path: Path) -> None:
    """Write the summary as ``.parquet`` or ``.csv``.

    Raises:
        AscoltoError: ``scale.bad_output`` for another suffix; ``analysis.cli.write_failed``.
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            summary.write_parquet(path)
        elif suffix == ".csv":
            summary.write_csv(path)
        else:
            raise AscoltoError("scale.bad_output", suffix=suffix or path.name)
    except OSError as error:
        raise AscoltoError(
            "analysis.cli.write_failed", path=path, reason=error.strerror or str(error)
        ) from error


def read_summary(path: str | Path) -> pl.DataFrame:
    """A summary written by :func:`write_summary` or by Spark (a file or a folder of Parquet parts)."""
    target = Path(path)
    if target.is_dir():
        parts = sorted(target.glob("*.parquet")) or sorted(target.glob("*.csv"))
        frames = [
            pl.read_parquet(p) if p.suffix == ".parquet" else pl.read_csv(p, try_parse_dates=True)
            for p in parts
        ]
        return combine_summaries(frames)
    if target.suffix.lower() == ".csv":
        return combine_summaries([pl.read_csv(target, try_parse_dates=True)])
    return combine_summaries([pl.read_parquet(target)])
