"""Competitors: which brand each mention is about, share of voice and how brands compare.

Brands come from the ``brand`` column when the data has one; otherwise they are
recognised in the text from the profile's brand and competitor names and
aliases (case and accents ignored, also as ``@handle`` and ``#hashtag``,
spaces optional: "@fornobrio", "#FornoBrio", "forno brio"). A mention naming
no brand at all is about the profile's own brand: a listening export is the
brand's own feed, and competitors are the names customers bring up.
"""

from __future__ import annotations


import polars as pl

from ascolto_core.insights._frame import dominant_emotion_by, ensure_columns, mood_aggs, period_start, resolve_tz
from ascolto_core.insights.filters import needle_pattern
from ascolto_core.profile import BrandProfile

_FOLD = str.maketrans("", "", " _-.'’")


def _fold(name: str) -> str:
    return pl.select(pl.lit(name).str.normalize("NFD").str.replace_all(r"\p{M}", "")).item().casefold()


def brand_names(profile: BrandProfile) -> dict[str, tuple[str, ...]]:
    """Each brand of ``profile`` (own first, then competitors) with every name it is written as."""
    names: dict[str, tuple[str, ...]] = {}
    if profile.brand:
        names[profile.brand] = profile.names
    for competitor in profile.competitors:
        names.setdefault(competitor.name, competitor.names)
    return names


def brand_pattern(names: tuple[str, ...]) -> str:
    """One case/accent-insensitive regex finding any of ``names`` as whole words, handles or hashtags."""
    parts: list[str] = []
    for name in names:
        bare = _fold(name.lstrip("@#")).strip()
        if not bare:
            continue
        parts.append(needle_pattern(bare)[4:])  # drop needle_pattern's own "(?i)"
        compact = bare.translate(_FOLD)
        if compact and compact != bare:
            # "@fornobrio", "#forno_brio", "FornoBrio": the name written without spaces.
            parts.append(needle_pattern(compact)[4:])
    alternatives = "|".join(dict.fromkeys(parts))
    return rf"(?i)(?:^|[^\p{{L}}\p{{N}}_])[@#]?(?:{alternatives})(?:$|[^\p{{L}}\p{{N}}_])" if alternatives else ""


def recognise_brands(frame: pl.DataFrame, profile: BrandProfile) -> pl.DataFrame:
    """``frame`` with ``brand`` filled where it was empty, and ``brands_mentioned`` (List[String]).

    ``brand`` values that are a known alias become the brand's name ("forno brio"
    -> "Forno Brio"); an empty ``brand`` takes the first brand named in the text,
    else the profile's own brand (else stays empty). ``brands_mentioned`` lists
    every profile brand the text names, in profile order.

    Raises:
        TypeError: ``frame`` is not a Polars DataFrame.
    """
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(frame).__name__}")
    data = frame if "brand" in frame.columns else frame.with_columns(pl.lit(None, dtype=pl.String).alias("brand"))
    names = brand_names(profile)
    if not names:
        return data.with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("brands_mentioned"))
    text = pl.col("text").cast(pl.String).fill_null("")
    patterns = {brand: brand_pattern(aliases) for brand, aliases in names.items()}
    positions = [
        text.str.find(pattern).alias(f"_pos{i}") for i, pattern in enumerate(patterns.values()) if pattern
    ]
    brands = [brand for brand, pattern in patterns.items() if pattern]
    data = data.with_columns(positions)
    cols = [f"_pos{i}" for i in range(len(brands))]
    mentioned = pl.concat_list(
        [pl.when(pl.col(c).is_not_null()).then(pl.lit(b)) for c, b in zip(cols, brands, strict=True)]
    ).list.drop_nulls()
    first = pl.lit(None, dtype=pl.String)
    # The earliest name in the text wins; ties go to the profile order.
    best = pl.min_horizontal(cols)
    for c, b in reversed(list(zip(cols, brands, strict=True))):
        first = pl.when(pl.col(c) == best).then(pl.lit(b)).otherwise(first)
    alias_of = {key: b for b, aliases in names.items() for n in aliases for key in (_fold(n.lstrip("@#")), _fold(n.lstrip("@#")).translate(_FOLD))}
    folded_brand = pl.col("brand").cast(pl.String).str.strip_chars().str.normalize("NFD").str.replace_all(r"\p{M}", "").str.to_lowercase()
    canonical = folded_brand.replace_strict(alias_of, default=pl.col("brand").cast(pl.String), return_dtype=pl.String)
    existing = pl.when(pl.col("brand").cast(pl.String).str.strip_chars() != "").then(canonical)
    fallback = pl.lit(profile.brand or None, dtype=pl.String)
    return data.with_columns(
        pl.coalesce(existing, first, fallback).alias("brand"),
        mentioned.alias("brands_mentioned"),
    ).drop(cols)


def share_of_voice(frame: pl.DataFrame, freq: str | None = None, tz: str | None = None) -> pl.DataFrame:
    """Each brand's share of the mentions in ``frame`` that have a brand (shares sum to 1).

    Args:
        freq: None for the whole frame; "day", "week" or "month" for shares per period
            (undated mentions are left out of periods).

    Returns:
        ``brand, mentions, share`` (largest first), or ``period, brand, mentions, share``.

    Raises:
        AscoltoError: ``insights.bad_freq`` / ``insights.bad_timezone``.
    """
    data = ensure_columns(frame).filter(pl.col("brand").is_not_null())
    if freq is None:
        counts = data.group_by("brand").agg(pl.len().cast(pl.Int64).alias("mentions"))
        return counts.with_columns((pl.col("mentions") / pl.col("mentions").sum()).alias("share")).sort(
            "mentions", "brand", descending=[True, False]
        )
    tz = resolve_tz(tz)
    period = period_start(freq, tz).alias("period")
    counts = (
        data.filter(pl.col("created_at").is_not_null())
        .group_by(period, "brand")
        .agg(pl.len().cast(pl.Int64).alias("mentions"))
    )
    return counts.with_columns((pl.col("mentions") / pl.col("mentions").sum().over("period")).alias("share")).sort(
        "period", "brand"
    )


def brand_comparison(frame: pl.DataFrame) -> pl.DataFrame:
    """Volume, share of voice, mood and dominant emotion per brand (largest first).

    Returns:
        ``brand, mentions, share, analysed, negative, positive, negative_share,
        positive_share, net_sentiment, dominant_emotion``.
    """
    data = ensure_columns(frame).filter(pl.col("brand").is_not_null())
    summary = data.group_by("brand").agg(mood_aggs())
    summary = summary.with_columns((pl.col("mentions") / pl.col("mentions").sum()).cast(pl.Float64).alias("share"))
    summary = summary.join(dominant_emotion_by(data, "brand"), on="brand", how="left")
    order = ["brand", "mentions", "share", "analysed", "negative", "positive", "negative_share", "positive_share",
             "net_sentiment", "dominant_emotion"]
    return summary.select(order).sort("mentions", "brand", descending=[True, False])


def touchpoint_mix(frame: pl.DataFrame) -> pl.DataFrame:
    """``brand, touchpoint, mentions, share``: where each brand is talked about (shares per brand sum to 1)."""
    data = ensure_columns(frame).filter(pl.col("brand").is_not_null())
    counts = data.group_by("brand", pl.col("touchpoint").fill_null("other")).agg(pl.len().cast(pl.Int64).alias("mentions"))
    return counts.with_columns((pl.col("mentions") / pl.col("mentions").sum().over("brand")).alias("share")).sort(
        "brand", "mentions", descending=[False, True]
    )


def has_competitors(frame: pl.DataFrame) -> bool:
    """True when ``frame`` talks about at least two brands (a comparison is possible)."""
    return "brand" in frame.columns and frame.get_column("brand").drop_nulls().n_unique() >= 2


__all__ = [
    "brand_comparison",
    "brand_names",
    "brand_pattern",
    "has_competitors",
    "recognise_brands",
    "share_of_voice",
    "touchpoint_mix",
]
