"""Word-cloud images from ``top_terms`` frames: size = mentions, colour = net sentiment."""

from __future__ import annotations

import functools
import io

import polars as pl
from matplotlib import font_manager
from wordcloud import WordCloud

from ui.charts import SENTIMENT_COLORS


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def sentiment_color(net: float | None) -> str:
    """Colour of a term with net sentiment ``net`` in [-1, 1]: red, through grey, to green.

    Unknown sentiment (no analysis) is the neutral grey, so a cloud still reads.
    """
    neutral = _hex_to_rgb(SENTIMENT_COLORS["neutral"])
    if net is None:
        return SENTIMENT_COLORS["neutral"]
    net = max(-1.0, min(1.0, float(net)))
    # A term at +-0.5 or beyond already gets the full colour; near 0 stays grey.
    weight = min(1.0, abs(net) * 2)
    target = _hex_to_rgb(SENTIMENT_COLORS["positive" if net > 0 else "negative"])
    mixed = tuple(round(n + (t_ - n) * weight) for n, t_ in zip(neutral, target, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


@functools.cache
def cloud_font() -> str:
    """A bold sans-serif with Italian accents (DejaVu Sans ships with matplotlib, a wordcloud dependency)."""
    return font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight="bold"))


def wordcloud_png(terms: tuple[tuple[str, int, float | None], ...], *, width: int = 760, height: int = 360) -> bytes | None:
    """PNG of a word cloud for ``(term, mentions, net_sentiment)`` triples; None when no term.

    Takes a tuple (hashable) so callers can cache it with ``st.cache_data``.
    """
    frequencies = {term: count for term, count, _ in terms if term and count > 0}
    if not frequencies:
        return None
    colours = {term: sentiment_color(net) for term, _, net in terms}
    cloud = WordCloud(
        font_path=cloud_font(),
        width=width,
        height=height,
        background_color="white",
        prefer_horizontal=0.95,
        max_words=len(frequencies),
        random_state=7,  # same data, same picture
        relative_scaling=0.5,
        min_font_size=10,
        color_func=lambda word, **_: colours.get(word, SENTIMENT_COLORS["neutral"]),
    ).generate_from_frequencies(frequencies)
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG")
    return buffer.getvalue()


def terms_for_cloud(
    top: pl.DataFrame, *, mood: str | None = None, limit: int = 60
) -> tuple[tuple[str, int, float | None], ...]:
    """``(term, count, net_sentiment)`` triples of a ``top_terms`` frame, biggest first.

    With ``mood`` ("negative" / "positive") the count is the term's mentions of
    that mood (``mentions * share_<mood>``), so one ``top_terms`` pass feeds
    both clouds; terms absent from that mood are left out.
    """
    if top.is_empty():
        return ()
    count = pl.col("mentions") if mood is None else (pl.col("mentions") * pl.col(f"share_{mood}").fill_null(0)).round(0)
    picked = (
        top.select("term", count.cast(pl.Int64).alias("count"), "net_sentiment")
        .filter(pl.col("count") > 0)
        .sort("count", "term", descending=[True, False])
        .head(limit)
    )
    return tuple(picked.iter_rows())
