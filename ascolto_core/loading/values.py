"""Cell values of real exports turned into canonical types, vectorised.

Numbers: Italian exports write ``1.234,5`` (dot for thousands, comma for
decimals), English ones ``1,234.5``; the style is decided once per column from
its values. Sentiment/emotion labels in Italian or English become the canonical
keys. Anything that cannot be read becomes null and is counted by the caller.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import polars as pl

from ascolto_core.schema import EMOTIONS, SENTIMENTS

_IT_DECIMAL = r"^[-+]?\d+,\d+$"
_IT_THOUSANDS = r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$"
_EN_THOUSANDS = r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$"

# Reference labels as people write them -> canonical key.
SENTIMENT_WORDS: dict[str, str] = {
    **{w: "negative" for w in ("negative", "negativo", "negativa", "neg", "-1", "-", "bad", "cattivo")},
    **{w: "neutral" for w in ("neutral", "neutro", "neutra", "neutrale", "neu", "0", "mixed", "misto", "nessuno")},
    **{w: "positive" for w in ("positive", "positivo", "positiva", "pos", "1", "+1", "+", "good", "buono")},
}
EMOTION_WORDS: dict[str, str] = {
    **{w: "joy" for w in ("joy", "gioia", "felicita", "happiness", "allegria", "contentezza")},
    **{w: "anger" for w in ("anger", "rabbia", "ira", "collera", "disgust", "disgusto", "fastidio")},
    **{w: "fear" for w in ("fear", "paura", "timore", "ansia", "preoccupazione", "worry")},
    **{w: "sadness" for w in ("sadness", "tristezza", "delusione", "disappointment", "sad", "triste")},
    **{w: "none" for w in ("none", "nessuna", "nessuno", "neutral", "neutro", "neutra", "no emotion", "-")},
}


def fold(text: str) -> str:
    """Lower case, accents removed, separators and repeated spaces folded ("Data_Pubblicazione" -> "data pubblicazione")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s_\-./:]+", " ", plain).strip()


def decimal_style(values: pl.Series, *, delimiter: str | None = None) -> str:
    """"it" when the column writes decimals with a comma (or dots for thousands in a ``;`` file), else "en"."""
    strings = values.drop_nulls().head(5000).cast(pl.String).str.strip_chars().str.replace_all(r"\s", "")
    if strings.str.contains(_IT_DECIMAL).any():
        return "it"
    if strings.str.contains(_IT_THOUSANDS).any() and (delimiter == ";" or not strings.str.contains(r"^\d+\.\d{1,2}$").any()):
        return "it"
    return "en"


def parse_numbers(values: pl.Series, *, delimiter: str | None = None) -> pl.Series:
    """Read a column as Float64: numbers pass through, strings in Italian or English style are parsed."""
    if values.dtype.is_numeric():
        return values.cast(pl.Float64)
    if values.dtype == pl.Boolean:
        return values.cast(pl.Float64)
    # Fast path: plain integers (most engagement columns) need no clean-up.
    plain = values.cast(pl.Int64, strict=False)
    if plain.null_count() == values.null_count():
        return plain.cast(pl.Float64).alias(values.name)
    strings = values.cast(pl.String).str.strip_chars().str.replace_all(r"[\s\u00a0']", "")
    if decimal_style(strings, delimiter=delimiter) == "it":
        cleaned = strings.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        cleaned = strings.str.replace_all(",", "", literal=True)
    return cleaned.str.strip_chars("%").cast(pl.Float64, strict=False).alias(values.name)


_GROUPED_INTEGER = r"^[-+]?\d{1,3}([.,\s\u00a0']\d{3})+$"


def parse_counts(values: pl.Series, *, delimiter: str | None = None) -> pl.Series:
    """Read an engagement column as Int64 (rounded).

    Counts are whole numbers, so digits grouped by three are thousands whichever
    separator is used: "1.234" (Italian) and "1,234" (English) are both 1234.
    """
    if values.dtype.is_integer():
        return values.cast(pl.Int64, strict=False).alias(values.name)  # whole numbers already (CSV, JSON)
    if values.dtype == pl.String:
        plain = values.cast(pl.Int64, strict=False)
        if plain.null_count() == values.null_count():
            return plain.alias(values.name)  # fast path: plain integers
        trimmed = values.str.strip_chars()
        grouped = trimmed.str.contains(_GROUPED_INTEGER)
        if grouped.any():
            values = pl.select(pl.when(grouped).then(trimmed.str.replace_all(r"[^\d\-+]", "")).otherwise(values)).to_series().alias(values.name)
    return parse_numbers(values, delimiter=delimiter).round(0).cast(pl.Int64, strict=False).alias(values.name)


def parse_rating(values: pl.Series) -> pl.Series:
    """Read star ratings: 4, "4,5", "4/5", "4 stelle", "★★★★" all work."""
    if values.dtype.is_numeric():
        return values.cast(pl.Float64)
    # Ratings take a few dozen distinct values: read those and look each row up.
    strings = values.cast(pl.String)
    distinct = strings.drop_nulls().unique()
    return map_distinct(strings, distinct, _read_ratings(distinct)).alias(values.name)


def _read_ratings(strings: pl.Series) -> pl.Series:
    # Fast path: plain numbers with a decimal point or comma.
    plain = strings.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    if plain.null_count() == strings.null_count():
        return plain
    strings = strings.str.strip_chars()
    stars = strings.str.count_matches("★").cast(pl.Float64)
    number = strings.str.extract(r"(\d+(?:[.,]\d+)?)").str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    return pl.select(pl.when(stars > 0).then(stars).otherwise(number)).to_series()


def _fold_expr(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars().str.to_lowercase().str.normalize("NFKD").str.replace_all(r"\p{M}", "")


def _per_distinct(values: pl.Series, convert: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """Apply ``convert`` to the distinct values only and map back (a million labels have a handful of values)."""
    strings = values.cast(pl.String)
    distinct = strings.drop_nulls().unique()
    if distinct.is_empty():
        return pl.repeat(None, len(values), dtype=pl.String, eager=True).alias(values.name)
    converted = convert(distinct)
    if unchanged(distinct, converted):
        return strings.alias(values.name)
    return map_distinct(strings, distinct, converted).alias(values.name)


def unchanged(distinct: pl.Series, converted: pl.Series) -> bool:
    """True when a conversion of distinct values changed none of them (same dtype, no null, same values).

    Then every row converts to itself: a file already in canonical form ("positive",
    "it", "instagram") keeps its column as it is, without a lookup pass over every row.
    """
    return converted.dtype == distinct.dtype and converted.null_count() == 0 and bool((converted == distinct).all())


def map_distinct(values: pl.Series, distinct: pl.Series, converted: pl.Series) -> pl.Series:
    """Each value's conversion (any dtype), looked up among the ``distinct`` values (null where absent or null).

    A left join on the few distinct values: one hash pass, about 3x faster than
    ``replace_strict`` on a million rows.
    """
    lookup = pl.DataFrame({"v": distinct, "converted": converted})
    joined = values.to_frame("v").join(lookup, on="v", how="left", maintain_order="left")
    return joined.get_column("converted")


def parse_labels(values: pl.Series, words: dict[str, str], allowed: tuple[str, ...]) -> pl.Series:
    """Map reference labels ("Positivo", "negative", "Gioia") to canonical keys; unknown -> null."""
    mapping = {**words, **{key: key for key in allowed}}

    def convert(distinct: pl.Series) -> pl.Series:
        folded = distinct.to_frame("v").select(_fold_expr(pl.col("v"))).to_series()
        return folded.replace_strict(mapping, default=None, return_dtype=pl.String)

    return _per_distinct(values, convert)


def parse_sentiment_labels(values: pl.Series) -> pl.Series:
    """Reference sentiment in Italian or English -> one of ``SENTIMENTS`` or null."""
    return parse_labels(values, SENTIMENT_WORDS, SENTIMENTS)


def parse_emotion_labels(values: pl.Series) -> pl.Series:
    """Reference emotion in Italian or English -> one of ``EMOTIONS`` or null."""
    return parse_labels(values, EMOTION_WORDS, EMOTIONS)


def parse_lang(values: pl.Series) -> pl.Series:
    """Language codes such as "it", "IT", "it-IT", "it_IT" -> "it"; "italiano"/"italian" -> "it"."""
    names = {"italiano": "it", "italian": "it", "inglese": "en", "english": "en", "ita": "it", "eng": "en"}

    def convert(distinct: pl.Series) -> pl.Series:
        folded = distinct.to_frame("v").select(_fold_expr(pl.col("v"))).to_series()
        return folded.replace(names).str.extract(r"^([a-z]{2})(?:[-_][a-z]{2})?$")

    return _per_distinct(values, convert)
