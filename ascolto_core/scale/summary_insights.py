"""The dashboard's numbers from a daily summary alone (a dataset far larger than memory, summarised on Spark).

A summary (:mod:`ascolto_core.scale.summary`) holds counts per day, touchpoint, brand,
sentiment and emotion. Each function here returns the very frame the matching insights
function returns on the mentions themselves (same columns, types and order; the tests
compare them with ``==``), so the app's chart builders draw a summary as they draw the
mentions:

- :func:`summary_volume` = ``insights.volume_over_time`` (split none/sentiment/touchpoint/emotion/brand);
- :func:`summary_touchpoints` = ``insights.touchpoint_summary`` without ``engagement``;
- :func:`summary_emotions` = ``insights.emotion_mix``;
- :func:`summary_brands` = ``insights.competitors.brand_comparison``;
- :func:`summary_totals` = the headline figures (``insights.kpis`` of the whole period).

:func:`summary_from_files` reads what a person uploads (one file or the Parquet parts of
a Spark folder) and refuses, with a message, anything that is not a summary.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import ALL_GROUP, UNANALYSED, mood_aggs
from ascolto_core.insights.timeline import FREQS, INTERVALS, TIMELINE_SCHEMA, timeline_of_counts
from ascolto_core.insights.touchpoints import EMOTION_MIX_SCHEMA, TOUCHPOINT_SCHEMA, emotion_mix_of_counts
from ascolto_core.scale.summary import SUMMARY_SCHEMA, combine_summaries
from ascolto_core.schema import EMOTIONS

SUMMARY_SPLITS: tuple[str, ...] = ("none", "sentiment", "touchpoint", "emotion", "brand")
SUMMARY_SUFFIXES: tuple[str, ...] = (".parquet", ".csv")


@dataclass(frozen=True)
class SummaryTotals:
    """The headline figures of a whole summary.

    Attributes:
        mentions, questions, analysed: counts (analysed = with a sentiment).
        negative_share, positive_share, net_sentiment: over analysed mentions (None without any).
        dominant_emotion: the most frequent emotion other than "none" ("none" only if nothing else).
        date_from, date_to: first and last day with mentions (None when no mention has a date).
        days: days from first to last; undated: mentions without a day.
        touchpoints, brands: distinct touchpoints and named brands.
    """

    mentions: int
    questions: int
    analysed: int
    negative_share: float | None
    positive_share: float | None
    net_sentiment: float | None
    dominant_emotion: str | None
    date_from: date | None
    date_to: date | None
    days: int
    undated: int
    touchpoints: int
    brands: int


def summary_from_files(files: Sequence[tuple[str, bytes]]) -> pl.DataFrame:
    """One summary from uploaded files: a ``.parquet``/``.csv`` summary, or the Parquet parts of a Spark folder.

    Raises:
        AscoltoError: ``summary_view.no_files``; ``summary_view.bad_suffix`` naming the file;
            ``summary_view.unreadable`` for a damaged file; ``summary_view.not_a_summary``
            naming the missing columns (e.g. an analysed mentions file).
    """
    if not files:
        raise AscoltoError("summary_view.no_files")
    return combine_summaries([_checked(name, _read(name, io.BytesIO(content))) for name, content in files])


def read_summary_path(path: str | Path) -> pl.DataFrame:
    """The summary at ``path``: a file, or a folder of Parquet (or CSV) parts as Spark writes them.

    Raises:
        AscoltoError: ``summary_view.not_found``; ``summary_view.no_files`` for a folder
            without parts; otherwise as :func:`summary_from_files`.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        parts = sorted(p for p in target.rglob("*.parquet") if not p.name.startswith((".", "_")))
        parts = parts or sorted(p for p in target.rglob("*.csv") if not p.name.startswith((".", "_")))
        if not parts:
            raise AscoltoError("summary_view.no_files")
        return combine_summaries([_checked(p.name, _read(p.name, p)) for p in parts])
    if not target.is_file():
        raise AscoltoError("summary_view.not_found", path=str(target))
    return combine_summaries([_checked(target.name, _read(target.name, target))])


def _read(name: str, source: io.BytesIO | Path) -> pl.DataFrame:
    suffix = Path(name).suffix.lower()
    if suffix not in SUMMARY_SUFFIXES:
        raise AscoltoError("summary_view.bad_suffix", name=name)
    try:
        if suffix == ".parquet":
            return pl.read_parquet(source)
        return pl.read_csv(source, try_parse_dates=True, infer_schema_length=None)
    except Exception as error:  # polars raises several types for damaged or foreign files
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise AscoltoError("summary_view.unreadable", name=name, reason=reason) from error


def _checked(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` typed as a summary, or a message saying why it is none."""
    missing = [column for column in SUMMARY_SCHEMA if column not in frame.columns]
    if missing:
        raise AscoltoError("summary_view.not_a_summary", name=name, missing=", ".join(missing))
    try:
        typed = frame.select(list(SUMMARY_SCHEMA)).cast(SUMMARY_SCHEMA)  # type: ignore[arg-type]
    except Exception as error:  # a column of the right name holding something else
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise AscoltoError("summary_view.unreadable", name=name, reason=reason) from error
    if typed.select((pl.col("mentions") < 0).any() | (pl.col("questions") < 0).any()).item():
        raise AscoltoError("summary_view.unreadable", name=name, reason="negative counts")
    return typed


def _dominant_emotion(summary: pl.DataFrame, by: str) -> pl.DataFrame:
    """``insights._frame.dominant_emotion_by`` on counts."""
    order = pl.DataFrame({"emotion": list(EMOTIONS), "_order": list(range(len(EMOTIONS)))})
    counts = (
        summary.filter(pl.col("emotion").is_not_null())
        .group_by(by, "emotion")
        .agg(pl.col("mentions").sum().alias("_n"))
        .join(order, on="emotion", how="left")
        .sort(by, pl.col("emotion") == "none", "_n", "_order", descending=[False, False, True, False], nulls_last=True)
    )
    return counts.group_by(by, maintain_order=True).agg(pl.col("emotion").first().alias("dominant_emotion"))


def _group(split: str) -> pl.Expr:
    if split == "none":
        return pl.lit(ALL_GROUP)
    if split == "touchpoint":
        return pl.col("touchpoint").fill_null("other")
    if split in ("sentiment", "emotion"):
        return pl.col(split).fill_null(UNANALYSED)
    if split == "brand":
        return pl.col("brand").fill_null("")
    raise AscoltoError("insights.bad_split", split=split, allowed=", ".join(SUMMARY_SPLITS))


def summary_volume(summary: pl.DataFrame, *, freq: str = "day", split: str = "none") -> pl.DataFrame:
    """Mentions and mood per period and group, zeros filled: ``volume_over_time``'s frame.

    Raises:
        AscoltoError: ``insights.bad_freq`` / ``insights.bad_split``.
    """
    if freq not in FREQS:
        raise AscoltoError("insights.bad_freq", freq=freq)
    group = _group(split)
    dated = summary.filter(pl.col("day").is_not_null() & (pl.col("mentions") > 0))
    if dated.is_empty():
        return pl.DataFrame(schema=TIMELINE_SCHEMA)
    period = pl.col("day") if freq == "day" else pl.col("day").dt.truncate(INTERVALS[freq])
    counts = dated.group_by(period.alias("period"), group.alias("group")).agg(mood_aggs("mentions"))
    return timeline_of_counts(counts, freq)


def summary_touchpoints(summary: pl.DataFrame) -> pl.DataFrame:
    """One row per touchpoint, worst mood first: ``touchpoint_summary``'s frame without ``engagement``."""
    columns = [c for c in TOUCHPOINT_SCHEMA if c != "engagement"]
    frame = summary.filter(pl.col("mentions") > 0).with_columns(pl.col("touchpoint").fill_null("other"))
    if frame.is_empty():
        return pl.DataFrame(schema={c: TOUCHPOINT_SCHEMA[c] for c in columns})
    return (
        frame.group_by("touchpoint")
        .agg(mood_aggs("mentions"))
        .join(_dominant_emotion(frame, "touchpoint"), on="touchpoint", how="left")
        .with_columns((pl.col("mentions") / pl.col("mentions").sum()).alias("share_of_mentions"))
        .select(columns)
        .sort(["net_sentiment", "mentions", "touchpoint"], descending=[False, True, False], nulls_last=True)
    )


def summary_emotions(summary: pl.DataFrame, by: str = "touchpoint") -> pl.DataFrame:
    """Tidy ``(group, emotion, mentions, share)`` for every emotion of every group: ``emotion_mix``'s frame.

    Raises:
        AscoltoError: ``insights.bad_split`` for ``by`` other than touchpoint, sentiment, brand, none.
    """
    if by not in ("touchpoint", "sentiment", "brand", "none"):
        raise AscoltoError("insights.bad_split", split=by, allowed="touchpoint, sentiment, brand, none")
    group = pl.lit(ALL_GROUP) if by == "none" else pl.col(by).fill_null("other" if by == "touchpoint" else "")
    frame = summary.filter(pl.col("mentions") > 0).with_columns(group.alias("group"))
    if frame.is_empty():
        return pl.DataFrame(schema=EMOTION_MIX_SCHEMA)
    counts = (
        frame.filter(pl.col("emotion").is_not_null())
        .group_by("group", "emotion")
        .agg(pl.col("mentions").sum().cast(pl.UInt32).alias("mentions"))
    )
    return emotion_mix_of_counts(frame.select("group"), counts)


def summary_brands(summary: pl.DataFrame) -> pl.DataFrame:
    """Volume, share of voice, mood and dominant emotion per named brand, largest first: ``brand_comparison``'s frame."""
    data = summary.filter(pl.col("brand").is_not_null() & (pl.col("mentions") > 0))
    table = data.group_by("brand").agg(mood_aggs("mentions"))
    table = table.with_columns((pl.col("mentions") / pl.col("mentions").sum()).cast(pl.Float64).alias("share"))
    table = table.join(_dominant_emotion(data, "brand"), on="brand", how="left")
    order = ["brand", "mentions", "share", "analysed", "negative", "positive", "negative_share", "positive_share",
             "net_sentiment", "dominant_emotion"]
    return table.select(order).sort("mentions", "brand", descending=[True, False])


def summary_totals(summary: pl.DataFrame) -> SummaryTotals:
    """The headline figures of the whole summary (see :class:`SummaryTotals`)."""
    frame = summary.filter(pl.col("mentions") > 0)
    mood = frame.select(mood_aggs("mentions")).row(0, named=True)
    dominant = _dominant_emotion(frame.with_columns(pl.lit(ALL_GROUP).alias("_all")), "_all")
    days = frame.get_column("day").drop_nulls()
    first, last = (days.min(), days.max()) if days.len() else (None, None)
    return SummaryTotals(
        mentions=int(frame["mentions"].sum()),
        questions=int(frame["questions"].sum()),
        analysed=int(mood["analysed"] or 0),
        negative_share=mood["negative_share"],
        positive_share=mood["positive_share"],
        net_sentiment=mood["net_sentiment"],
        dominant_emotion=dominant["dominant_emotion"][0] if dominant.height else None,
        date_from=first,  # type: ignore[arg-type]
        date_to=last,  # type: ignore[arg-type]
        days=(last - first).days + 1 if first is not None and last is not None else 0,  # type: ignore[operator]
        undated=int(frame.filter(pl.col("day").is_null())["mentions"].sum()),
        touchpoints=frame.get_column("touchpoint").fill_null("other").n_unique() if frame.height else 0,
        brands=frame.get_column("brand").drop_nulls().n_unique(),
    )
