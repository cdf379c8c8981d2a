"""Adding fetched mentions to the ones the user already has, without duplicates."""

from __future__ import annotations

import polars as pl

from ascolto_core.schema import conform, empty_mentions


def url_key(urls: pl.Expr) -> pl.Expr:
    """A comparison key for links: no scheme, no ``www.``, no fragment, no ``utm_*``, no trailing ``/``.

    ``https://www.Example.it/a/?utm_source=x#top`` and ``http://example.it/a`` compare equal.
    """
    return (
        urls.str.strip_chars()
        .str.to_lowercase()
        .str.replace(r"#.*$", "")
        .str.replace(r"^[a-z][a-z0-9+.-]*://", "")
        .str.replace(r"^www\.", "")
        .str.replace_all(r"utm_[a-z_]*=[^&]*&?", "")
        .str.replace(r"[?&]+$", "")
        .str.replace(r"/+$", "")
    )


def merge_mentions(existing: pl.DataFrame | None, new: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """``existing`` plus the rows of ``new`` it does not already hold.

    A new row is a duplicate when its ``id`` or its link (compared with :func:`url_key`)
    is already present, in ``existing`` or earlier in ``new``. Rows without a link are
    compared by ``id`` only. Existing rows, their order and any extra columns (analysis
    results, user columns) are kept untouched; added rows get nulls in those columns.

    Returns:
        The merged frame and how many rows were added.

    Raises:
        TypeError: if an argument is not a Polars DataFrame.
    """
    base = conform(existing if existing is not None else empty_mentions())
    incoming = conform(new)
    if incoming.is_empty():
        return base, 0
    seen_ids = base.get_column("id").drop_nulls()
    seen_urls = base.select(url_key(pl.col("url")).alias("k")).get_column("k").drop_nulls()
    keyed = incoming.with_columns(url_key(pl.col("url")).alias("__url_key"), pl.int_range(pl.len()).alias("__order"))
    fresh = keyed.filter(
        ~pl.col("id").is_in(seen_ids.implode()).fill_null(False)
        & ~pl.col("__url_key").is_in(seen_urls.implode()).fill_null(False)
    )
    # Within the new rows: first occurrence of an id wins, then of a link (null links never collide).
    fresh = fresh.filter(pl.col("id").is_null() | pl.col("id").is_first_distinct())
    fresh = fresh.filter(pl.col("__url_key").is_null() | pl.col("__url_key").is_first_distinct())
    fresh = fresh.sort("__order").drop("__url_key", "__order")
    if fresh.is_empty():
        return base, 0
    if base.is_empty() and base.columns == fresh.columns:
        return fresh, fresh.height
    merged = pl.concat([base, fresh], how="diagonal_relaxed")
    return merged.select(base.columns + [c for c in merged.columns if c not in base.columns]), fresh.height
