"""Touchpoint page: volume, mood and emotions per customer-journey channel."""

from __future__ import annotations

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import (
    ALL_GROUP,
    dominant_emotion_by,
    engagement_expr,
    ensure_columns,
    mood_aggs,
)
from ascolto_core.schema import EMOTIONS

TOUCHPOINT_SCHEMA: dict[str, pl.DataType] = {
    "touchpoint": pl.String(),
    "mentions": pl.UInt32(),
    "analysed": pl.UInt32(),
    "negative": pl.UInt32(),
    "positive": pl.UInt32(),
    "negative_share": pl.Float64(),
    "positive_share": pl.Float64(),
    "net_sentiment": pl.Float64(),
    "dominant_emotion": pl.String(),
    "engagement": pl.Int64(),
    "share_of_mentions": pl.Float64(),
}
EMOTION_MIX_SCHEMA: dict[str, pl.DataType] = {
    "group": pl.String(),
    "emotion": pl.String(),
    "mentions": pl.UInt32(),
    "share": pl.Float64(),
}
MIX_BY: tuple[str, ...] = ("touchpoint", "sentiment", "brand", "lang", "none")


def touchpoint_summary(mentions: pl.DataFrame) -> pl.DataFrame:
    """One row per touchpoint, worst mood first (lowest net sentiment; unanalysed last, then by volume).

    Columns: touchpoint (null -> "other"), mentions, analysed, negative, positive,
    negative_share, positive_share, net_sentiment, dominant_emotion, engagement
    (sum), share_of_mentions (of all mentions given).
    """
    frame = ensure_columns(mentions).with_columns(pl.col("touchpoint").fill_null("other"))
    if frame.is_empty():
        return pl.DataFrame(schema=TOUCHPOINT_SCHEMA)
    summary = frame.group_by("touchpoint").agg(*mood_aggs(), engagement_expr().sum().alias("engagement"))
    return (
        summary.join(dominant_emotion_by(frame, "touchpoint"), on="touchpoint", how="left")
        .with_columns((pl.col("mentions") / pl.col("mentions").sum()).alias("share_of_mentions"))
        .select(list(TOUCHPOINT_SCHEMA))
        .sort(["net_sentiment", "mentions", "touchpoint"], descending=[False, True, False], nulls_last=True)
    )


def emotion_mix(mentions: pl.DataFrame, by: str = "touchpoint") -> pl.DataFrame:
    """Tidy ``(group, emotion, mentions, share)``: every emotion of ``EMOTIONS`` for every group.

    ``share`` is within the group's analysed mentions (null emotion left out);
    null when the group has none. ``by="none"`` gives one group "all".

    Raises:
        AscoltoError: ``insights.bad_split`` for an unknown ``by``.
    """
    if by not in MIX_BY:
        raise AscoltoError("insights.bad_split", split=by, allowed=", ".join(MIX_BY))
    group = pl.lit(ALL_GROUP) if by == "none" else pl.col(by).fill_null("other" if by == "touchpoint" else "")
    frame = ensure_columns(mentions).with_columns(group.alias("group"))
    if frame.is_empty():
        return pl.DataFrame(schema=EMOTION_MIX_SCHEMA)
    counts = (
        frame.filter(pl.col("emotion").is_not_null())
        .group_by("group", "emotion")
        .agg(pl.len().cast(pl.UInt32).alias("mentions"))
    )
    return emotion_mix_of_counts(frame.select("group"), counts)


def emotion_mix_of_counts(groups: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """:func:`emotion_mix`'s frame from ``counts`` (``group, emotion, mentions``) of ``groups`` (``group``).

    Every emotion of ``EMOTIONS`` is listed for every group, with 0 where it has none.
    """
    order = pl.DataFrame({"emotion": list(EMOTIONS), "_order": list(range(len(EMOTIONS)))})
    grid = groups.select("group").unique().join(order, how="cross")
    # Emotions outside the catalogue (another engine's labels) are kept, not dropped.
    extra = counts.join(order, on="emotion", how="anti").select(
        "group", "emotion", pl.lit(len(EMOTIONS)).alias("_order")
    )
    return (
        pl.concat([grid, extra.cast({"_order": grid.schema["_order"]})])
        .join(counts, on=["group", "emotion"], how="left")
        .with_columns(pl.col("mentions").fill_null(0))
        .with_columns(
            pl.when(pl.col("mentions").sum().over("group") > 0)
            .then(pl.col("mentions") / pl.col("mentions").sum().over("group"))
            .otherwise(None)
            .alias("share")
        )
        .sort("group", "_order", "emotion")
        .select(list(EMOTION_MIX_SCHEMA))
    )
