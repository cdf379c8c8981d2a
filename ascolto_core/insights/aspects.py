"""Topics of the customer experience ("aspects") and the mood each one carries.

A YAML taxonomy (``config/aspects.yaml``: service, waiting, price, product,
cleanliness, app, delivery, payments, hours; Italian and English words and
expressions) is matched on lemmas, clause by clause: each clause of a post
(split at punctuation and at contrast words such as "ma", "però", "but") that
names an aspect gives it the clause's own sentiment, read by the embedded
engine with its negation rules. So "il caffè ottimo ma il personale scortese"
is positive on *product* and negative on *service*, and "il personale non è
gentile" is negative on *service*.

:func:`annotate_aspects` adds two aligned list columns to the analysed table
(``aspects``, ``aspect_sentiments``); the aggregations read them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from ascolto_core.analysis.base import EngineInfo
from ascolto_core.config import PROJECT_ROOT, load_config
from ascolto_core.errors import AscoltoError
from ascolto_core.insights._frame import ensure_columns, period_start, resolve_tz

ASPECT_COLUMNS: dict[str, pl.DataType] = {
    "aspects": pl.List(pl.String()),  # aspects named in the post, in taxonomy order, each once
    "aspect_sentiments": pl.List(pl.String()),  # their sentiment in the post (negative/neutral/positive)
}
# Words that end a clause besides punctuation: what comes after a contrast is judged apart.
CLAUSE_BREAKERS: frozenset[str] = frozenset(
    {"ma", "però", "pero", "tuttavia", "invece", "mentre", "anche se", "but", "however", "although", "though", "while", "yet", "whereas"}
)
_SCORE = {"negative": -1, "neutral": 0, "positive": 1}
# Posts read at a time (bounds the token frame's memory; the result does not depend on it).
_SLICE_ROWS = 25_000


@dataclass(frozen=True)
class AspectTaxonomy:
    """Aspect -> language -> words and expressions, in display order."""

    aspects: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The aspect keys in taxonomy order."""
        return tuple(name for name, _ in self.aspects)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AspectTaxonomy:
        """From ``{"aspects": {name: {lang: [terms]}}}`` (the YAML's shape).

        Raises:
            AscoltoError: ``service.bad_taxonomy`` naming the part that is not a mapping of lists of words.
        """
        body = data.get("aspects") if isinstance(data, Mapping) else None
        if not isinstance(body, Mapping) or not body:
            raise AscoltoError("service.bad_taxonomy", part="aspects")
        aspects = []
        for name, langs in body.items():
            if not isinstance(langs, Mapping):
                raise AscoltoError("service.bad_taxonomy", part=str(name))
            terms = []
            for lang, words in langs.items():
                if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                    raise AscoltoError("service.bad_taxonomy", part=f"{name}.{lang}")
                terms.append((str(lang), tuple(w.strip() for w in words if w.strip())))
            aspects.append((str(name), tuple(terms)))
        return cls(tuple(aspects))


@functools.cache
def default_taxonomy() -> AspectTaxonomy:
    """The taxonomy of ``config/aspects.yaml``; the project's own when a config folder has none."""
    data = load_config("aspects")
    if not data:
        data = yaml.safe_load((PROJECT_ROOT / "config" / "aspects.yaml").read_text(encoding="utf-8"))
    return AspectTaxonomy.from_dict(data)


@functools.lru_cache(maxsize=8)
def _term_tables(taxonomy: AspectTaxonomy) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(single lemmas: ``lemma, lang, aspect``; expressions: ``expression, lang, aspect``), lemmatised like posts."""
    from ascolto_core.analysis.text import tokens

    rows = [(aspect, lang, term) for aspect, langs in taxonomy.aspects for lang, terms in langs for term in terms]
    if not rows:
        empty = pl.DataFrame(schema={"lemma": pl.String, "lang": pl.String, "aspect": pl.String})
        return empty, empty.rename({"lemma": "expression"})
    terms = pl.DataFrame(rows, schema=["aspect", "lang", "term"], orient="row").with_row_index("row")
    lemmas = tokens(terms["term"], terms["lang"]).group_by("row").agg(pl.col("lemma").sort_by("pos"))
    terms = terms.join(lemmas, on="row", how="inner").with_columns(pl.col("lemma").list.len().alias("n"))
    words = terms.filter(pl.col("n") == 1).select(pl.col("lemma").list.first(), "lang", "aspect").unique()
    expressions = terms.filter(pl.col("n") > 1).select(
        pl.col("lemma").list.join(" ").alias("expression"), "lang", "aspect"
    ).unique()
    return words, expressions


def aspects_cache_info(taxonomy: AspectTaxonomy | None = None) -> EngineInfo:
    """The result cache's namespace for aspects read with ``taxonomy`` (default: the configured one).

    Its model is a digest of the taxonomy's terms and of this module's code, its version the
    embedded lexicon's fingerprint (the clauses' sentiment comes from it): a change of any of
    them reads the aspects again instead of serving old ones.
    """
    from ascolto_core.analysis.embedded.lexicon import lexicon_fingerprint

    return EngineInfo(
        name="aspects", model_id=_taxonomy_digest(taxonomy or default_taxonomy()), version=lexicon_fingerprint()
    )


@functools.lru_cache(maxsize=8)
def _taxonomy_digest(taxonomy: AspectTaxonomy) -> str:
    digest = hashlib.blake2b(repr(taxonomy.aspects).encode(), digest_size=8)
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _empty_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.lit([], dtype=dtype).alias(name) for name, dtype in ASPECT_COLUMNS.items())


def aspect_clauses(texts: pl.Series, langs: pl.Series, taxonomy: AspectTaxonomy | None = None) -> pl.DataFrame:
    """Every (post, clause, aspect) match: ``row, clause, aspect, clause_text, lang``.

    Raises:
        ValueError: ``texts`` and ``langs`` differ in length.
    """
    from ascolto_core.analysis.text import normalise_lang, token_frame

    taxonomy = taxonomy or default_taxonomy()
    words, expressions = _term_tables(taxonomy)
    word_lemmas = words["lemma"].unique().implode()
    # An expression can only sit in a clause that holds its first lemma (a lemma may hold spaces).
    first_words = expressions["expression"].str.split(" ").list.first().unique().implode()
    lemma = pl.col("lemma")

    def roles(vocab: pl.DataFrame) -> pl.DataFrame:
        # Each role is decided once per distinct token, then joined back with the tokens.
        return vocab.with_columns(
            ((pl.col("kind") == "punct") | pl.col("token").is_in(list(CLAUSE_BREAKERS))).alias("_breaker"),
            lemma.is_in(word_lemmas).alias("_word"),
            (
                lemma.is_in(first_words)
                | (
                    lemma.str.contains(" ", literal=True)
                    & lemma.str.split(" ").list.eval(pl.element().is_in(first_words)).list.any()
                )
            ).alias("_starts"),
        )

    tokens = token_frame(
        texts.cast(pl.String).fill_null(""),
        normalise_lang(langs),
        annotate=roles,
        columns=("row", "pos", "surface", "lemma", "lang"),
    )
    breaker = pl.col("_breaker")
    new_row = pl.col("row") != pl.col("row").shift(1)
    # Clause numbers run over the whole frame, so a clause number alone names one clause of one post;
    # tokens stay in (row, pos) order, so grouping keeps each clause's words in order.
    tokens = tokens.with_columns((breaker | new_row.fill_null(True)).cum_sum().alias("clause")).filter(~breaker)
    # A term of one language matches posts in that language; posts of other languages try every term.
    lang_ok = (pl.col("lang") == pl.col("term_lang")) | ~pl.col("lang").is_in(["it", "en"])
    by_word = (
        tokens.filter(pl.col("_word"))
        .select("row", "clause", "lemma", "lang")
        .join(words.rename({"lang": "term_lang"}), on="lemma", how="inner")
        .filter(lang_ok)
        .select("row", "clause", "aspect")
    )
    matches = [by_word]
    if expressions.height:
        # The lemma strings are joined only for the few clauses that can hold an expression.
        candidates = tokens.filter(pl.col("_starts"))["clause"].unique().implode()
        clauses = (
            tokens.filter(pl.col("clause").is_in(candidates))
            .group_by("clause", maintain_order=True)
            .agg(
                pl.col("row").first(),
                pl.col("lang").first(),
                (pl.lit(" ") + pl.col("lemma").str.join(" ") + pl.lit(" ")).alias("lemmas"),
            )
        )
        for expression, term_lang, aspect in expressions.iter_rows():
            hit = clauses.filter(
                pl.col("lemmas").str.contains(f" {expression} ", literal=True)
                & ((pl.col("lang") == term_lang) | ~pl.col("lang").is_in(["it", "en"]))
            )
            matches.append(hit.select("row", "clause", pl.lit(aspect).alias("aspect")))
    found = pl.concat(matches).unique()
    texts_of = (
        tokens.filter(pl.col("clause").is_in(found["clause"].unique().implode()))
        .group_by("clause", maintain_order=True)
        .agg(pl.col("surface").str.join(" ").alias("clause_text"), pl.col("lang").first())
    )
    return found.join(texts_of, on="clause", how="inner").sort("row", "clause", "aspect")

def _clauses_in_slices(texts: pl.Series, langs: pl.Series, taxonomy: AspectTaxonomy) -> pl.DataFrame:
    """:func:`aspect_clauses` of ``_SLICE_ROWS`` posts at a time (the same rows, in the same order).

    The token frame of a large table is never whole in memory; each post is read alone
    anyway. Rows and clause numbers are shifted so they still name one post and one clause.
    """
    parts: list[pl.DataFrame] = []
    clause_offset = 0
    for start in range(0, len(texts), _SLICE_ROWS):
        part = aspect_clauses(texts.slice(start, _SLICE_ROWS), langs.slice(start, _SLICE_ROWS), taxonomy)
        parts.append(
            part.with_columns(
                (pl.col("row").cast(pl.Int64) + start).cast(pl.UInt32),
                pl.col("clause").cast(pl.Int64) + clause_offset,
            )
        )
        if part.height:
            clause_offset += int(part["clause"].max()) + 1
    if not parts:
        return aspect_clauses(texts, langs, taxonomy)
    return pl.concat(parts) if len(parts) > 1 else parts[0]


def annotate_aspects(frame: pl.DataFrame, taxonomy: AspectTaxonomy | None = None) -> pl.DataFrame:
    """``frame`` with ``aspects`` and ``aspect_sentiments`` (aligned lists; empty when no aspect is named).

    An aspect named in several clauses takes the sentiment of its most polar clause
    (ties: negative wins, complaints must not be hidden).

    Raises:
        TypeError: ``frame`` is not a Polars DataFrame.
    """
    if not isinstance(frame, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(frame).__name__}")
    frame = frame.drop([c for c in ASPECT_COLUMNS if c in frame.columns])
    if frame.is_empty() or "text" not in frame.columns:
        return _empty_columns(frame)
    from ascolto_core.analysis.embedded import EmbeddedEngine

    taxonomy = taxonomy or default_taxonomy()
    langs = frame.get_column("lang").cast(pl.String) if "lang" in frame.columns else pl.Series([None] * frame.height, dtype=pl.String)
    # Each distinct (text, language) is read once, then joined back to every row that has it.
    keys = pl.DataFrame({"__text": frame.get_column("text").cast(pl.String).fill_null(""), "__lang": langs})
    distinct_posts = keys.unique(maintain_order=True)
    clauses = _clauses_in_slices(distinct_posts["__text"], distinct_posts["__lang"], taxonomy)
    if clauses.is_empty():
        return _empty_columns(frame)
    distinct = clauses.select("clause_text", "lang").unique(maintain_order=True)
    scored = EmbeddedEngine().analyze(distinct["clause_text"], distinct["lang"])
    distinct = distinct.with_columns(scored["sentiment"], scored["sentiment_score"])
    order = {name: i for i, name in enumerate(taxonomy.names)}
    per_aspect = (
        clauses.join(distinct, on=["clause_text", "lang"], how="left")
        .with_columns(
            pl.col("sentiment").replace_strict(_SCORE, default=0, return_dtype=pl.Int8).alias("_polar"),
            pl.col("aspect").replace_strict(order, default=len(order), return_dtype=pl.Int32).alias("_order"),
        )
        .sort("row", "_order", pl.col("_polar").abs(), "_polar", descending=[False, False, True, False])
        .group_by("row", "_order", maintain_order=True)
        .agg(pl.col("aspect").first(), pl.col("sentiment").first())
        .group_by("row", maintain_order=True)
        .agg(pl.col("aspect").alias("aspects"), pl.col("sentiment").alias("aspect_sentiments"))
    )
    by_post = distinct_posts.with_row_index("row").join(per_aspect, on="row", how="inner").drop("row")
    found = keys.join(by_post, on=["__text", "__lang"], how="left", maintain_order="left", nulls_equal=True)
    out = frame.with_columns(found["aspects"], found["aspect_sentiments"])
    return out.with_columns(
        pl.col(name).fill_null(pl.lit([], dtype=dtype)).cast(dtype) for name, dtype in ASPECT_COLUMNS.items()
    )


def aspect_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per (mention, aspect): the mention's columns plus ``aspect`` and ``aspect_sentiment``."""
    data = ensure_columns(frame)
    if "aspects" not in data.columns:
        data = _empty_columns(data)
    return (
        data.filter(pl.col("aspects").list.len() > 0)
        .explode(["aspects", "aspect_sentiments"])
        .rename({"aspects": "aspect", "aspect_sentiments": "aspect_sentiment"})
    )


def _mood() -> list[pl.Expr]:
    negative = (pl.col("aspect_sentiment") == "negative").sum().cast(pl.Int64)
    positive = (pl.col("aspect_sentiment") == "positive").sum().cast(pl.Int64)
    return [
        pl.len().cast(pl.Int64).alias("mentions"),
        negative.alias("negative"),
        positive.alias("positive"),
        ((positive - negative) / pl.len()).cast(pl.Float64).alias("net_sentiment"),
        (negative / pl.len()).cast(pl.Float64).alias("negative_share"),
    ]


def aspect_summary(frame: pl.DataFrame) -> pl.DataFrame:
    """Per aspect: ``aspect, mentions, negative, positive, net_sentiment, negative_share``, most mentioned first.

    ``net_sentiment`` = (positive - negative) / mentions of the aspect, in [-1, 1].
    """
    rows = aspect_rows(frame)
    return rows.group_by("aspect").agg(_mood()).sort("mentions", "aspect", descending=[True, False])


def aspect_touchpoint_matrix(frame: pl.DataFrame) -> pl.DataFrame:
    """``aspect, touchpoint, mentions, negative, positive, net_sentiment, negative_share``: the heatmap's cells."""
    rows = aspect_rows(frame).with_columns(pl.col("touchpoint").fill_null("other"))
    return rows.group_by("aspect", "touchpoint").agg(_mood()).sort("aspect", "touchpoint")


def aspect_trend(frame: pl.DataFrame, freq: str = "week", tz: str | None = None) -> pl.DataFrame:
    """``period, aspect, mentions, negative, positive, net_sentiment, negative_share`` over time (undated left out).

    Raises:
        AscoltoError: ``insights.bad_freq`` / ``insights.bad_timezone``.
    """
    tz = resolve_tz(tz)
    rows = aspect_rows(frame).filter(pl.col("created_at").is_not_null())
    return rows.group_by(period_start(freq, tz).alias("period"), "aspect").agg(_mood()).sort("period", "aspect")


def posts_with_aspect(
    frame: pl.DataFrame, aspect: str, touchpoint: str | None = None, sentiment: str | None = None
) -> pl.DataFrame:
    """The mentions behind a cell: naming ``aspect`` (on ``touchpoint``, with that aspect ``sentiment``), newest first."""
    rows = aspect_rows(frame).filter(pl.col("aspect") == aspect)
    if touchpoint is not None:
        rows = rows.filter(pl.col("touchpoint").fill_null("other") == touchpoint)
    if sentiment is not None:
        rows = rows.filter(pl.col("aspect_sentiment") == sentiment)
    return rows.sort("created_at", descending=True, nulls_last=True)
