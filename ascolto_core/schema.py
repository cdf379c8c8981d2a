"""The canonical mentions table: one Polars schema, documented here and only here.

Every loader and connector returns a frame that passes :func:`conform`; every
aggregation and page reads these column names. A "mention" is one post,
comment, review, email or chat message about the brand.

Columns of the canonical table (``MENTION_SCHEMA``):

=============  ======================  =============================================
column         type                    meaning
=============  ======================  =============================================
id             String                  stable id; derived from content when absent
text           String                  the message, never empty after loading
created_at     Datetime(us, UTC)       when it was published; null if unparseable
touchpoint     String                  one of ``TOUCHPOINTS`` (customer-journey channel)
source         String                  where it came from as the file/source names it
author         String                  author name or handle
url            String                  link to the original, if any
lang           String                  ISO 639-1 code ("it", "en", ...) or "other"
likes          Int64                   optional engagement
shares         Int64                   optional engagement (shares, retweets, reposts)
comments       Int64                   optional engagement (replies, comments)
reach          Int64                   optional audience estimate
rating         Float64                 optional star rating (reviews), 1-5
brand          String                  optional, for competitor comparison
label          String                  optional reference sentiment (negative/neutral/positive)
label_emotion  String                  optional reference emotion (see ``EMOTIONS``)
reply_to       String                  optional id of the mention this one answers (conversations)
=============  ======================  =============================================

Columns a user brought that map to none of these are kept after the canonical
ones, under their original names (nothing the user brought is dropped).

Optional columns the loader adds when they carry information (``OPTIONAL_SCHEMA``):

=============  ======================  =============================================
column         type                    meaning
=============  ======================  =============================================
time_known     Boolean                 False where the source gave a day but no time of
                                       day (``24/11/2026``; ``created_at`` then holds
                                       local midnight, which is not when it was posted);
                                       True where it gave a time; null without a date.
                                       Absent: every time of day is known. Hour views
                                       (Orari) leave out the rows where it is False.
=============  ======================  =============================================

Analysis adds ``ANALYSIS_SCHEMA`` (see :mod:`ascolto_core.analysis`).
Timestamps are stored in UTC and shown in the configured display time zone
(``display_timezone`` in ``config/app.yaml``, Europe/Rome by default).
"""

from __future__ import annotations

import polars as pl

UTC_DATETIME = pl.Datetime("us", "UTC")

MENTION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "text": pl.String(),
    "created_at": UTC_DATETIME,
    "touchpoint": pl.String(),
    "source": pl.String(),
    "author": pl.String(),
    "url": pl.String(),
    "lang": pl.String(),
    "likes": pl.Int64(),
    "shares": pl.Int64(),
    "comments": pl.Int64(),
    "reach": pl.Int64(),
    "rating": pl.Float64(),
    "brand": pl.String(),
    "label": pl.String(),
    "label_emotion": pl.String(),
    "reply_to": pl.String(),
}

TIME_KNOWN = "time_known"
OPTIONAL_SCHEMA: dict[str, pl.DataType] = {TIME_KNOWN: pl.Boolean()}

ENGAGEMENT_COLUMNS: tuple[str, ...] = ("likes", "shares", "comments", "reach")

# Canonical touchpoint keys, in customer-journey order; display names live in
# the i18n catalogues (key "touchpoint.<key>").
TOUCHPOINTS: tuple[str, ...] = (
    "facebook",
    "instagram",
    "x",
    "google_reviews",
    "tripadvisor",
    "email",
    "chat",
    "store",
    "website",
    "news",
    "forum",
    "other",
)

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
EMOTIONS: tuple[str, ...] = ("joy", "anger", "fear", "sadness", "none")

# Columns the analysis adds to the canonical table.
ANALYSIS_SCHEMA: dict[str, pl.DataType] = {
    "sentiment": pl.String(),  # one of SENTIMENTS
    "sentiment_score": pl.Float64(),  # in [-1, 1]
    "sentiment_confidence": pl.Float64(),  # in [0, 1]
    "emotion": pl.String(),  # one of EMOTIONS
    "emotion_confidence": pl.Float64(),  # in [0, 1]
    "drivers_pos": pl.List(pl.String()),  # terms that pushed the post up
    "drivers_neg": pl.List(pl.String()),  # terms that pushed the post down
    "is_question": pl.Boolean(),  # asks something (needs an answer)
    "engine": pl.String(),  # which engine produced the row, e.g. "embedded"
}


def empty_mentions() -> pl.DataFrame:
    """An empty canonical table with the right dtypes."""
    return pl.DataFrame(schema=MENTION_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with every canonical column present, typed and first.

    Missing canonical columns are added as nulls; extra columns are kept after
    the canonical ones in their original order.

    Raises:
        TypeError: if ``frame`` is not a Polars DataFrame.
        polars.exceptions.InvalidOperationError: if a present column cannot be
            cast to its canonical dtype (loaders cast before calling this).
    """
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(frame).__name__}")
    columns = []
    for name, dtype in MENTION_SCHEMA.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype, strict=True))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    extras = [c for c in frame.columns if c not in MENTION_SCHEMA]
    return frame.select(*columns, *extras)
