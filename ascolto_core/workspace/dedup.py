"""Deduplication of incoming mentions against a workspace: by id, by URL, by text + author + day.

Each stored mention carries two keys computed when it came in (``dedup_url``,
``dedup_text``) beside its ``id``; a new batch is classified against the stored
keys and against itself, in that order of rules: a row that matches by id is a
duplicate by id even if its URL matches too. All vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import polars_hash as plh

# Rules in the order they are tried; a row counts under the first rule it matches.
RULES: tuple[str, ...] = ("id", "url", "text")
KEY_COLUMNS: dict[str, str] = {"id": "id", "url": "dedup_url", "text": "dedup_text"}
KEY_SCHEMA: dict[str, pl.DataType] = {"id": pl.String(), "dedup_url": pl.String(), "dedup_text": pl.UInt64()}


@dataclass(frozen=True)
class DuplicateCounts:
    """How many rows of a batch were already there, by the rule that caught them."""

    by_id: int = 0
    by_url: int = 0
    by_text: int = 0

    @property
    def total(self) -> int:
        return self.by_id + self.by_url + self.by_text

    def __add__(self, other: DuplicateCounts) -> DuplicateCounts:
        return DuplicateCounts(
            self.by_id + other.by_id, self.by_url + other.by_url, self.by_text + other.by_text
        )


def url_key() -> pl.Expr:
    """A URL without scheme, ``www.``, fragment, tracking (``utm_*``) parameters and trailing slash; host lower-cased.

    The path keeps its case: many sites (YouTube, short links) tell posts apart by it.
    """
    parts = (
        pl.col("url")
        .cast(pl.String)
        .str.strip_chars()
        .str.extract_groups(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[Ww][Ww][Ww]\.)?([^/?#]*)([^?#]*)(\?[^#]*)?")
    )
    host = parts.struct.field("1").str.to_lowercase()
    path = parts.struct.field("2").str.strip_chars_end("/")
    query = parts.struct.field("3")
    # Only the few URLs with a query pay for the tracking clean-up.
    query = (
        pl.when(query.str.contains("utm_"))
        .then(query.str.replace_all(r"([?&])utm_[^&]*&?", "$1").str.strip_chars_end("?&"))
        .otherwise(query)
        .fill_null("")
    )
    key = pl.concat_str(host, path, query)
    return pl.when(key.str.len_chars() > 0).then(key).otherwise(None).alias("dedup_url")


def _day_zone() -> str:
    # The zone in which loading reads dates without one: an export giving only "2026-05-10"
    # means that local day, so days are compared there, not in UTC.
    from ascolto_core.config import load_config

    return str(load_config("app").get("display_timezone", "Europe/Rome"))


def text_key() -> pl.Expr:
    """A 64-bit hash of the normalised text, the author, the local day and the post answered; null without author or date.

    Normalised: Unicode NFKC, lower case, runs of spaces collapsed. Without an
    author or a date two people writing "Ottimo!" cannot be told apart, so no key.
    The post answered (``reply_to``) is part of the key: a brand answering two customers
    with the same courtesy sentence on one day wrote two replies, not one twice.
    """
    text = pl.col("text").cast(pl.String).str.normalize("NFKC").str.to_lowercase()
    text = text.str.replace_all(r"\s+", " ").str.strip_chars()
    author = pl.col("author").cast(pl.String).str.strip_chars().str.to_lowercase().str.strip_prefix("@")
    day = pl.col("created_at").dt.convert_time_zone(_day_zone()).dt.date().cast(pl.String)
    usable = text.str.len_chars().gt(0) & author.str.len_chars().gt(0) & day.is_not_null()
    answered = pl.col("reply_to").cast(pl.String).fill_null("")
    joined = pl.concat_str(text, author, day, answered, separator="\x1f")
    return pl.when(usable).then(joined).otherwise(None).alias("dedup_text")


def with_keys(mentions: pl.DataFrame) -> pl.DataFrame:
    """``mentions`` with ``dedup_url`` and ``dedup_text`` (re)computed from ``url``, ``text``, ``author``, ``created_at``."""
    frame = mentions.drop([c for c in ("dedup_url", "dedup_text") if c in mentions.columns])
    if "reply_to" not in frame.columns:  # frames built before replies were part of the schema
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("reply_to"))
        return with_keys(frame).drop("reply_to")
    frame = frame.with_columns(url_key(), text_key())
    # A link names one post only when it does. Comment exports often give every comment the
    # thread's link, and a reply may carry its post's link: there the link is no identity.
    # So the post answered is part of the key, and a link that several different texts of
    # this batch share is not used as a key at all (the text and id rules still apply).
    thread_link = pl.col("text").str.normalize("NFKC").str.to_lowercase().n_unique().over("dedup_url") > 1
    url = pl.concat_str(pl.col("dedup_url"), pl.col("reply_to").cast(pl.String).fill_null(""), separator="\x1f")
    frame = frame.with_columns(
        pl.when(pl.col("dedup_url").is_null() | thread_link).then(None).otherwise(url).alias("dedup_url")
    )
    return frame.with_columns(plh.col("dedup_text").nchash.xxh3_64().cast(pl.UInt64).alias("dedup_text"))


def _found(keys: pl.Series, stored: pl.Series) -> pl.Series:
    """True where a key is among the stored keys.

    The stored side is the big one (a million keys): probing it against a set of the
    batch's few keys is about 50 times faster than hashing the million (measured).
    """
    present = keys.drop_nulls()
    if present.is_empty() or stored.is_empty():
        return pl.repeat(False, len(keys), eager=True, dtype=pl.Boolean)
    seen = stored.filter(stored.is_in(present.unique().implode()).fill_null(False)).unique()
    return keys.is_in(seen.implode()).fill_null(False)


def classify(batch: pl.DataFrame, stored: pl.DataFrame) -> tuple[pl.Series, DuplicateCounts]:
    """Which rows of ``batch`` are new, and why the others are duplicates.

    Args:
        batch: rows with ``id``, ``dedup_url`` and ``dedup_text`` (see :func:`with_keys`).
        stored: the same three columns of everything already stored.

    Returns:
        A Boolean series (True = new, keep it) and the duplicate counts. A row is a
        duplicate when a key of it equals a stored key or the key of an earlier new
        row of the batch; null keys never match.
    """
    keep = pl.repeat(True, batch.height, eager=True, dtype=pl.Boolean)
    counts: dict[str, int] = {}
    for rule in RULES:
        column = KEY_COLUMNS[rule]
        keys = batch.get_column(column)
        hit = _found(keys, stored.get_column(column))
        # Among rows still kept, a repeat of an earlier kept row is a duplicate too.
        candidates = keep & ~hit & keys.is_not_null()
        idx = candidates.arg_true()
        repeat = pl.repeat(False, batch.height, eager=True)
        if len(idx):
            repeat = repeat.scatter(idx, ~keys.gather(idx).is_first_distinct())
        duplicate = keep & (hit | repeat)
        counts[rule] = int(duplicate.sum())
        keep = keep & ~duplicate
    return keep, DuplicateCounts(by_id=counts["id"], by_url=counts["url"], by_text=counts["text"])
