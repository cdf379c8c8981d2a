"""Suspicious drivers: terms that may be names or jargon rather than judgements.

Two signs, read from an analysed table alone (no labels needed):

* **dominant**: the term is the strongest driver of the label of an outsized share of the
  posts (at least ``DOMINANT_SHARE`` of them) ("buona" deciding a fifth of a dataset about "La Buona Scuola");
* **mixed**: the term pushes one way, yet the other polar words of the posts it appears in
  point the other way about as often as they agree (a polar word spread evenly over
  the dataset's own positive and negative posts is probably not used as a judgement).

Each term comes with its counts and a few example posts, so the person can answer
"it's a name" (a vocabulary entry) or "it's right".
"""

from __future__ import annotations

import polars as pl

# A term deciding at least this share of the posts (and MIN_POSTS posts) is "dominant".
DOMINANT_SHARE = 0.03
MIN_POSTS = 5
# Opposite evidence in at least this share of a term's posts with other polar words: "mixed".
MIXED_SHARE = 0.4
EXAMPLES = 3
DRIVERS_SCHEMA: dict[str, pl.DataType] = {
    "term": pl.String(),
    "posts": pl.Int64(),  # posts the term drives (one of their drivers)
    "share": pl.Float64(),  # posts / all posts
    "decides": pl.Int64(),  # posts whose label it decides (their strongest driver on the label's side)
    "reason": pl.String(),  # "dominant", "mixed" or "dominant+mixed"
    "polarity": pl.String(),  # the way the term pushes: "positive" / "negative"
    "opposite_share": pl.Float64(),  # of its posts with other polar words, share pointing the other way
    "examples": pl.List(pl.String()),
}


def suspicious_drivers(analysed: pl.DataFrame, top: int | None = None) -> pl.DataFrame:
    """The suspicious drivers of an analysed table, most suspicious first.

    Args:
        analysed: rows with ``text``, ``sentiment``, ``drivers_pos``, ``drivers_neg``.
        top: keep at most this many terms (``None`` = all).

    Returns:
        A frame with ``DRIVERS_SCHEMA`` (empty when nothing is suspicious).

    Raises:
        ValueError: if a required column is missing or ``top`` is negative.
    """
    missing = {"text", "sentiment", "drivers_pos", "drivers_neg"} - set(analysed.columns)
    if missing:
        raise ValueError(f"expected an analysed table; missing columns {sorted(missing)}")
    if top is not None and top < 0:
        raise ValueError(f"expected top >= 0, got {top}")
    total = analysed.height
    if total == 0:
        return pl.DataFrame(schema=DRIVERS_SCHEMA)
    rows = analysed.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
        pl.col("text").cast(pl.String).fill_null(""),
        pl.col("sentiment"),
        pl.col("drivers_pos").list.eval(pl.element().str.to_lowercase()).list.unique(maintain_order=True),
        pl.col("drivers_neg").list.eval(pl.element().str.to_lowercase()).list.unique(maintain_order=True),
    )
    long = pl.concat(
        [
            rows.select("row", pl.col("drivers_pos").alias("term"), pl.lit("positive").alias("polarity"))
            .with_columns(pl.col("term").list.len().alias("_n"))
            .explode("term")
            .with_columns(pl.int_range(pl.len()).over("row").alias("rank")),
            rows.select("row", pl.col("drivers_neg").alias("term"), pl.lit("negative").alias("polarity"))
            .with_columns(pl.col("term").list.len().alias("_n"))
            .explode("term")
            .with_columns(pl.int_range(pl.len()).over("row").alias("rank")),
        ]
    ).drop_nulls("term").drop("_n")
    if long.height == 0:
        return pl.DataFrame(schema=DRIVERS_SCHEMA)
    counts = rows.select(
        "row",
        "sentiment",
        "text",
        pl.col("drivers_pos").list.len().alias("n_pos"),
        pl.col("drivers_neg").list.len().alias("n_neg"),
    )
    long = long.join(counts, on="row", how="left").with_columns(
        # The strongest driver on the side of the post's label decides it.
        ((pl.col("rank") == 0) & (pl.col("sentiment") == pl.col("polarity"))).alias("decides"),
        pl.when(pl.col("polarity") == "positive").then(pl.col("n_pos") - 1).otherwise(pl.col("n_neg") - 1).alias("same"),
        pl.when(pl.col("polarity") == "positive").then(pl.col("n_neg")).otherwise(pl.col("n_pos")).alias("opposite"),
    )
    per_term = (
        long.group_by("term", "polarity")
        .agg(
            pl.col("decides").sum().cast(pl.Int64).alias("decides"),
            pl.col("row").n_unique().cast(pl.Int64).alias("posts"),
            ((pl.col("opposite") > 0) & (pl.col("opposite") >= pl.col("same"))).sum().alias("_against"),
            ((pl.col("opposite") > 0) | (pl.col("same") > 0)).sum().alias("_with_other"),
            pl.col("text").head(EXAMPLES).alias("examples"),
        )
        .with_columns(
            (pl.col("posts") / total).alias("share"),
            (pl.col("decides") / total).alias("_decided_share"),
            pl.when(pl.col("_with_other") > 0)
            .then(pl.col("_against") / pl.col("_with_other"))
            .otherwise(0.0)
            .alias("opposite_share"),
        )
    )
    dominant = (pl.col("_decided_share") >= DOMINANT_SHARE) & (pl.col("decides") >= MIN_POSTS)
    mixed = (
        (pl.col("opposite_share") >= MIXED_SHARE)
        & (pl.col("_with_other") >= MIN_POSTS)
    )
    flagged = (
        per_term.with_columns(dominant.alias("_dominant"), mixed.alias("_mixed"))
        .filter(pl.col("_dominant") | pl.col("_mixed"))
        .with_columns(
            pl.when(pl.col("_dominant") & pl.col("_mixed"))
            .then(pl.lit("dominant+mixed"))
            .when(pl.col("_dominant"))
            .then(pl.lit("dominant"))
            .otherwise(pl.lit("mixed"))
            .alias("reason"),
            # Both signs before one; a contradicted polar word before a merely frequent one.
            (pl.col("_dominant").cast(pl.Int8) + 2 * pl.col("_mixed").cast(pl.Int8)).alias("_signs"),
        )
        .sort(["_signs", "posts", "term"], descending=[True, True, False])
    )
    out = flagged.select(list(DRIVERS_SCHEMA)).cast(DRIVERS_SCHEMA)  # type: ignore[arg-type]
    return out if top is None else out.head(top)
