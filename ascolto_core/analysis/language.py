"""Per-mention language: "it", "en" or "other".

Two stages, both offline:

1. A vectorised stopword vote in Polars over the whole column. Stopword lists
   come from ``stopwordsiso`` for Italian, English and the neighbouring languages
   most likely to be confused with them (es, fr, pt, de); a stopword shared by k
   of those lists gives 1/k of a vote to each. A text is decided here when one
   language has at least 1.5 votes and at least twice as many as any other.
2. The rest (short or mixed texts, other languages) goes to ``py3langid``
   (a maintained offline language identifier) text by text.

Empty, emoji-only and URL-only texts have no letters and are "other".
"""

from __future__ import annotations

import functools

import polars as pl
import stopwordsiso

from ascolto_core.analysis.text import strip_urls

VOTING_LANGS: tuple[str, ...] = ("it", "en", "es", "fr", "pt", "de")
_MIN_VOTES = 1.5
_MARGIN = 2.0


@functools.cache
def _weighted_stopwords() -> pl.DataFrame:
    """(word, vote, weight): a stopword shared by k of ``VOTING_LANGS`` gives 1/k to each."""
    rows = [(w, lang) for lang in VOTING_LANGS for w in stopwordsiso.stopwords(lang)]
    frame = pl.DataFrame(rows, schema={"word": pl.String, "vote": pl.String}, orient="row").unique()
    return frame.with_columns((1.0 / pl.len().over("word")).alias("weight"))


@functools.cache
def _identifier():  # noqa: ANN202 - py3langid has no public type for it
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    # Our own instance: py3langid's module-level one is global state other code may restrict.
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE)


def _identify(text: str) -> str:
    try:
        code, _ = _identifier().classify(text)
    except Exception:  # py3langid on odd input: we cannot tell
        return "other"
    return code if code in ("it", "en") else "other"


def detect_languages(texts: pl.Series) -> pl.Series:
    """The language of each text: "it", "en" or "other".

    Args:
        texts: String series (nulls allowed).

    Returns:
        String series named ``lang``, same length and order as ``texts``.
    """
    n = len(texts)
    clean = strip_urls(texts).str.replace_all(r"[@#][\p{L}\p{N}_.]+", " ")
    words = (
        pl.DataFrame({"row": pl.Series(range(n), dtype=pl.UInt32), "word": clean.str.to_lowercase().str.extract_all(r"\p{L}+")})
        .explode("word", empty_as_null=False, keep_nulls=False)
        .filter(pl.col("word").is_not_null())
    )
    # One pass: per text, the number of words and the weighted votes of each language.
    weighted = words.join(_weighted_stopwords(), on="word", how="left")
    per_row = weighted.group_by("row").agg(
        pl.col("word").n_unique().alias("n_words"),
        *(pl.col("weight").filter(pl.col("vote") == lang).sum().alias(lang) for lang in VOTING_LANGS),
    )
    best_votes = pl.max_horizontal(*VOTING_LANGS)
    ranked = per_row.with_columns(best_votes.alias("best_votes")).with_columns(
        # The winning language (first in VOTING_LANGS order on ties) and the runner-up's votes.
        pl.coalesce(*(pl.when(pl.col(lang) == pl.col("best_votes")).then(pl.lit(lang)) for lang in VOTING_LANGS)).alias(
            "best"
        ),
        (
            pl.concat_list(*VOTING_LANGS).list.sort(descending=True).list.get(1, null_on_oob=True).fill_null(0.0)
        ).alias("second_votes"),
    )
    decided = (
        pl.DataFrame({"row": pl.Series(range(n), dtype=pl.UInt32), "text": clean})
        .join(ranked.select("row", "n_words", "best", "best_votes", "second_votes"), on="row", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("n_words").fill_null(0) == 0)
            .then(pl.lit("other"))
            .when((pl.col("best_votes") >= _MIN_VOTES) & (pl.col("best_votes") >= _MARGIN * pl.col("second_votes")))
            .then(pl.when(pl.col("best").is_in(["it", "en"])).then(pl.col("best")).otherwise(pl.lit("other")))
            .alias("lang")
        )
    )
    undecided = decided.filter(pl.col("lang").is_null())
    if undecided.height:
        # py3langid once per distinct text (social data repeats itself: retweets, templates).
        distinct = undecided.select("text").unique()
        guesses = distinct.with_columns(
            pl.Series("guess", [_identify(t) for t in distinct["text"].to_list()], dtype=pl.String)
        )
        fill = undecided.join(guesses, on="text", how="left").select("row", "guess")
        decided = decided.join(fill, on="row", how="left", maintain_order="left").with_columns(
            pl.col("lang").fill_null(pl.col("guess"))
        )
    return decided["lang"].alias("lang")
