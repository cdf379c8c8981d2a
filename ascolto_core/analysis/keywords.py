"""Keywords of a set of mentions: term occurrences, top terms, distinctive terms.

Terms are built from the tidy token frame of :mod:`ascolto_core.analysis.text`:

* single words by LEMMA ("tempi" and "tempo" are one term), at least 3 characters,
  stopwords (stopwordsiso + social additions), numbers, emoji, @mentions and URLs
  left out; hashtags are kept as written, ``#tag`` (lower-case);
* bigrams ("servizio clienti", "tempi di attesa") from the normalised tokens as
  written (lemmatised phrases read oddly): two content words of the same clause,
  next to each other or with ONE stopword between them, which is kept in the term
  ("tempi di attesa"); punctuation breaks a bigram;
* brand names from ``config/analysis.yaml: brand_terms`` plus the ``exclude``
  argument are removed: a one-word name removes that word (and the hashtag
  ``#fornobrio``), a multi-word name removes the words only where they appear
  together ("dolce sosta" goes, "dolce" alone stays).

``top_terms`` counts MENTIONS containing a term (a post repeating a word ten
times counts once, so one spammy post cannot dominate a word cloud);
``distinctive_terms`` counts occurrences, as Monroe et al. do.

Tokenising is the costly part. A :class:`TermIndex` built once per dataset by
:func:`term_index` lets every filtered view of that dataset select its rows by
mention ``id`` instead of tokenising again (``index=`` on the functions below);
the results are the same as computing from scratch.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from ascolto_core.analysis.text import lemma_of, normalise_lang, stopwords, token_frame
from ascolto_core.config import load_config

MIN_WORD_CHARS = 3
DEFAULT_PRIOR_STRENGTH = 1000.0
_TERM_TABLE_SCHEMA = {"row": pl.UInt32, "term": pl.String}
_TERMS_SCHEMA = {"row": pl.UInt32, "form": pl.String, "key": pl.String}


@dataclass(frozen=True)
class TermIndex:
    """Term occurrences of a whole dataset, by mention id (see :func:`term_index`).

    Attributes:
        terms: ``id, form, key, is_bigram``, one row per occurrence (as ``_terms``).
        ids: ``id, fingerprint`` of the mentions it covers (unique, non-null ids);
            the fingerprint hashes text and language, so an id with another text
            is not taken for the indexed one.
        brands: the brand names that were left out (``brand_terms(exclude)``).
    """

    terms: pl.DataFrame
    ids: pl.DataFrame
    brands: tuple[str, ...]


def _fingerprints(mentions: pl.DataFrame) -> pl.DataFrame:
    """``id, fingerprint``: what a mention's terms depend on (text and language), hashed."""
    lang = pl.col("lang").cast(pl.String) if "lang" in mentions.columns else pl.lit(None, dtype=pl.String)
    return mentions.select(
        pl.col("id").cast(pl.String),
        pl.struct(pl.col("text").cast(pl.String), lang).hash(seed=0).alias("fingerprint"),
    )


def brand_terms(exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Brand names to leave out: ``config/analysis.yaml: brand_terms`` + ``exclude``, lower-case."""
    configured = load_config("analysis").get("brand_terms") or []
    names = [str(t) for t in configured] + [str(t) for t in exclude]
    return tuple(dict.fromkeys(n.strip().lower().lstrip("#") for n in names if str(n).strip()))


def _langs_of(mentions: pl.DataFrame) -> pl.Series:
    if "lang" in mentions.columns:
        langs = mentions["lang"].cast(pl.String)
        if langs.null_count():
            from ascolto_core.analysis.language import detect_languages

            langs = pl.select(pl.coalesce(langs, detect_languages(mentions["text"]))).to_series()
        return normalise_lang(langs)
    from ascolto_core.analysis.language import detect_languages

    return detect_languages(mentions["text"])


def _texts_of(mentions: pl.DataFrame) -> pl.Series:
    if not isinstance(mentions, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(mentions).__name__}")
    if "text" not in mentions.columns:
        raise ValueError("mentions have no 'text' column")
    return mentions["text"].cast(pl.String)


@functools.cache
def _stop_lemmas() -> pl.Series:
    """Stopwords (it + en) plus lemmas of function verbs stopwordsiso lists only in some forms."""
    extra = {
        "volere",
        "potere",
        "dovere",
        "sapere",
        "essere",
        "avere",
        "fare",
        "stare",
        "andare",
        "dire",
        "buongiorno",
        "buonasera",
        "salve",
        "ciao",
        "hello",
        "thanks",
        "get",
        "got",
        "would",
        "could",
    }
    return pl.Series(sorted(stopwords("other") | extra), dtype=pl.String)


def _brand_mask(frame: pl.DataFrame, brands: tuple[str, ...]) -> pl.Series:
    """True on tokens that are (part of) a brand name.

    One ``is_in`` pass for one-word names and joined spellings ("fornobrio",
    "#fornobrio"); multi-word names are checked only where their first word occurs.
    """
    height = frame.height
    if not brands or height == 0:
        return pl.Series("is_brand", [False] * height, dtype=pl.Boolean)
    whole = {b.replace(" ", "") for b in brands} | {b for b in brands if " " not in b}
    whole |= {"#" + w for w in whole}
    token, row = frame["token"], frame["row"]
    mask = token.is_in(pl.Series(sorted(whole), dtype=pl.String).implode()).alias("is_brand")
    phrases = [b.split() for b in brands if " " in b]
    if phrases:
        firsts = pl.Series(sorted({p[0] for p in phrases}), dtype=pl.String)
        starts = pl.Series(range(height), dtype=pl.UInt32).filter(token.is_in(firsts.implode()))
        hits: list[pl.Series] = []
        for parts in phrases:
            ok = token.gather(starts) == parts[0]
            for k, part in enumerate(parts[1:], start=1):
                at = (starts + k).clip(0, height - 1)
                ok = (
                    ok
                    & ((starts + k) < height)
                    & (token.gather(at) == part)
                    & (row.gather(at) == row.gather(starts))
                )
            found = starts.filter(ok)
            hits.extend(found + k for k in range(len(parts)))
        if hits:
            covered = pl.concat(hits).cast(pl.UInt32)
            mask = mask.scatter(covered, True) if covered.len() else mask
    return mask


def term_index(mentions: pl.DataFrame, *, exclude: Iterable[str] = ()) -> TermIndex:
    """Tokenise a whole dataset once, so filtered views of it reuse the work.

    Mentions whose ``id`` is null or repeated are left out of the index (two texts
    could share it); a view containing one of them is computed from scratch.

    Args:
        mentions: the full dataset: ``text`` and ``id`` columns (``lang`` used when present).
        exclude: extra names to leave out, merged with ``brand_terms`` from the config.

    Raises:
        TypeError: if ``mentions`` is not a Polars DataFrame.
        ValueError: if it has no ``text`` or no ``id`` column.
    """
    _texts_of(mentions)
    if "id" not in mentions.columns:
        raise ValueError("mentions have no 'id' column")
    known = _fingerprints(mentions)
    ids = known["id"]
    unique_ok = ids.is_not_null() & ~ids.is_duplicated()
    terms = _terms(mentions, exclude=exclude)
    terms = terms.select(
        ids.gather(terms["row"]).alias("id"),
        "form",
        "key",
        # A token never holds a space (see text._TOKEN_PATTERN); a bigram always does.
        pl.col("form").str.contains(" ", literal=True).alias("is_bigram"),
    ).filter(unique_ok.gather(terms["row"]))
    return TermIndex(terms=terms, ids=known.filter(unique_ok), brands=brand_terms(exclude))


def _terms_via_index(
    mentions: pl.DataFrame, index: TermIndex | None, *, exclude: Iterable[str], bigrams: bool
) -> pl.DataFrame:
    """``_terms(mentions)``, selected from ``index`` when it covers every mention (same rows)."""
    if index is None or "id" not in mentions.columns or index.brands != brand_terms(exclude):
        return _terms(mentions, exclude=exclude, bigrams=bigrams)
    _texts_of(mentions)
    seen = _fingerprints(mentions)
    if seen.join(index.ids, on=["id", "fingerprint"], how="semi").height != seen.height:
        return _terms(mentions, exclude=exclude, bigrams=bigrams)
    terms = index.terms if bigrams else index.terms.filter(~pl.col("is_bigram"))
    rows = seen.select("id").with_row_index("row")
    return rows.join(terms, on="id", how="inner", maintain_order="left").select("row", "form", "key").cast(
        _TERMS_SCHEMA
    )


def term_table(
    mentions: pl.DataFrame,
    *,
    exclude: Iterable[str] = (),
    bigrams: bool = True,
    index: TermIndex | None = None,
) -> pl.DataFrame:
    """One row per term occurrence per mention: ``row`` (UInt32 position in ``mentions``), ``term``.

    Single words are grouped by lemma and shown in their most frequent written form
    within ``mentions`` ("torta", "tempi di attesa", "#colazione").

    Args:
        mentions: a frame with a ``text`` column (``lang`` used when present; missing
            languages are detected).
        exclude: extra names to leave out, merged with ``brand_terms`` from the config.
        bigrams: also emit two-word terms.
        index: :func:`term_index` of the dataset ``mentions`` was filtered from
            (same ``exclude``); used when it covers every ``id``, else ignored.

    Raises:
        TypeError: if ``mentions`` is not a Polars DataFrame.
        ValueError: if it has no ``text`` column.
    """
    terms = _terms_via_index(mentions, index, exclude=exclude, bigrams=bigrams)
    labelled = terms.join(_labels(terms), on="key", how="left", maintain_order="left")
    return labelled.sort("row", maintain_order=True).select("row", "term")


def _terms(
    mentions: pl.DataFrame,
    *,
    exclude: Iterable[str] = (),
    bigrams: bool = True,
) -> pl.DataFrame:
    """``row, form, key``: ``key`` is the lemma of a single word (the term itself otherwise),
    ``form`` the normalised written token.

    Args:
        mentions: a frame with a ``text`` column (``lang`` used when present; missing
            languages are detected).
        exclude: extra names to leave out, merged with ``brand_terms`` from the config.
        bigrams: also emit two-word terms.

    Raises:
        TypeError: if ``mentions`` is not a Polars DataFrame.
        ValueError: if it has no ``text`` column.
    """
    texts = _texts_of(mentions)
    if mentions.height == 0:
        return pl.DataFrame(schema=_TERMS_SCHEMA)
    frame = token_frame(texts, _langs_of(mentions))
    frame = frame.with_columns(_brand_mask(frame, brand_terms(exclude)).alias("is_brand")).with_row_index("i")
    is_word = pl.col("kind") == "word"
    content = (
        is_word
        & ~pl.col("is_stopword")
        & ~pl.col("is_brand")
        & (pl.col("token").str.len_chars() >= MIN_WORD_CHARS)
        & ~pl.col("token").str.contains(r"\d")
    )
    frame = frame.with_columns(content.alias("is_content"))
    unigrams = frame.filter(
        (pl.col("is_content") & ~pl.col("lemma").is_in(_stop_lemmas().implode()))
        | ((pl.col("kind") == "hashtag") & ~pl.col("is_brand"))
    ).select(
        "row",
        "token",
        pl.when(pl.col("kind") == "hashtag").then(pl.col("token")).otherwise(pl.col("lemma")).alias("key"),
    )
    unigrams = unigrams.select("row", pl.col("token").alias("form"), "key")
    parts = [unigrams]
    if bigrams and frame.height:
        # Consecutive content words of a mention, at most one position apart; the word in
        # between (if any) must be a stopword of the same clause, and is kept in the term.
        words = frame.filter(pl.col("is_content")).select("i", "row", "token")
        pairs = words.with_columns(
            pl.col("i").shift(-1).alias("j"),
            pl.col("row").shift(-1).alias("row_j"),
            pl.col("token").shift(-1).alias("tok_j"),
        ).filter((pl.col("row_j") == pl.col("row")) & ((pl.col("j") - pl.col("i")) <= 2))
        bridge_ok = (frame["is_stopword"] & (frame["kind"] == "word") & ~frame["is_brand"]).gather(
            pairs["i"] + 1
        )
        pairs = pairs.with_columns(
            frame["token"].gather(pairs["i"] + 1).alias("mid"), bridge_ok.alias("mid_ok")
        )
        adjacent = pl.col("j") - pl.col("i") == 1
        pairs = (
            pairs.filter(adjacent | pl.col("mid_ok"))
            .select(
                "row",
                pl.when(adjacent)
                .then(pl.concat_str([pl.col("token"), pl.col("tok_j")], separator=" "))
                .otherwise(pl.concat_str([pl.col("token"), pl.col("mid"), pl.col("tok_j")], separator=" "))
                .alias("form"),
            )
            .with_columns(pl.col("form").alias("key"))
        )
        parts.append(pairs)
    return pl.concat(parts).cast(_TERMS_SCHEMA)


def _labels(terms: pl.DataFrame) -> pl.DataFrame:
    """``key -> term``: each key shown as its most frequent written form.

    Counted by lemma, shown as written: simplemma's lemma can read oddly or be wrong
    for a noun ("torta" -> "torto"); the written form never is.
    """
    return (
        terms.group_by("key", "form")
        .agg(pl.len().alias("n"))
        .sort(["key", "n", "form"], descending=[False, True, False])
        .unique("key", keep="first")
        .select("key", pl.col("form").alias("term"))
    )


def top_terms(
    mentions: pl.DataFrame, *, n: int = 50, exclude: Iterable[str] = (), index: TermIndex | None = None
) -> pl.DataFrame:
    """The ``n`` terms in most mentions, with the mood of those mentions (for word clouds).

    ``index``: :func:`term_index` of the full dataset, to skip tokenising (same result).

    Returns:
        ``term, mentions, share_negative, share_positive, net_sentiment`` sorted by
        ``mentions`` desc (ties by term). Without a ``sentiment`` column the three
        sentiment columns are null.
    """
    schema = {
        "term": pl.String,
        "mentions": pl.UInt32,
        "share_negative": pl.Float64,
        "share_positive": pl.Float64,
        "net_sentiment": pl.Float64,
    }
    terms = _terms_via_index(mentions, index, exclude=exclude, bigrams=True)
    if terms.height == 0 or n <= 0:
        return pl.DataFrame(schema=schema)
    labels = _labels(terms)
    # A number per shown term (two keys may share one): "once per mention" is then a unique
    # over integers, not over a million (row, string) pairs.
    names = labels.select("term").unique().sort("term").with_row_index("tid")
    tids = labels.join(names, on="term").select("key", "tid")
    width = names.height
    pairs = (
        terms.select("row", "key")
        .join(tids, on="key", how="left")
        .select((pl.col("row").cast(pl.UInt64) * width + pl.col("tid")).unique().alias("pair"))
    )
    terms = pairs.select(
        (pl.col("pair") // width).cast(pl.UInt32).alias("row"),
        (pl.col("pair") % width).cast(pl.UInt32).alias("tid"),
    )
    if "sentiment" in mentions.columns:
        mood = mentions["sentiment"].cast(pl.String)
        terms = terms.with_columns(mood.gather(terms["row"]).alias("sentiment"))
        neg = (pl.col("sentiment") == "negative").sum() / pl.len()
        pos = (pl.col("sentiment") == "positive").sum() / pl.len()
    else:
        neg = pos = pl.lit(None, dtype=pl.Float64)
    out = (
        terms.group_by("tid")
        .agg(
            pl.len().cast(pl.UInt32).alias("mentions"),
            neg.cast(pl.Float64).alias("share_negative"),
            pos.cast(pl.Float64).alias("share_positive"),
        )
        .join(names, on="tid")
    )
    return (
        out.with_columns((pl.col("share_positive") - pl.col("share_negative")).alias("net_sentiment"))
        .sort(["mentions", "term"], descending=[True, False])
        .head(n)
        .select(list(schema))
    )


def _in_group_mask(mentions: pl.DataFrame, in_group: pl.Series | pl.Expr) -> pl.Series:
    if isinstance(in_group, pl.Expr):
        mask = mentions.select(in_group.alias("in_group")).to_series()
    elif isinstance(in_group, pl.Series):
        mask = in_group
    else:
        raise TypeError(f"in_group: expected polars Series or Expr, got {type(in_group).__name__}")
    if len(mask) != mentions.height:
        raise ValueError(f"in_group has {len(mask)} values for {mentions.height} mentions")
    return mask.cast(pl.Boolean).fill_null(False).alias("in_group")


def distinctive_terms(
    mentions: pl.DataFrame,
    in_group: pl.Series | pl.Expr,
    *,
    n: int = 20,
    min_count: int = 3,
    exclude: Iterable[str] = (),
    prior_strength: float = DEFAULT_PRIOR_STRENGTH,
    index: TermIndex | None = None,
) -> pl.DataFrame:
    """Terms that set the in-group apart: weighted log-odds with an informative Dirichlet prior.

    Monroe, Colaresi & Quinn (2008), "Fightin' words": for each term w with counts
    ``y_in``, ``y_out`` (mentions containing the term, i.e. document frequencies, so
    the table agrees with :func:`mentions_with_term`) and group sizes ``n_in``,
    ``n_out`` (total term occurrences per group), the prior is ``alpha_w = prior_strength * p_w``
    with ``p_w`` the term's share of the whole corpus, ``alpha_0 = prior_strength``;

        delta = log((y_in + a_w) / (n_in + a_0 - y_in - a_w))
              - log((y_out + a_w) / (n_out + a_0 - y_out - a_w))
        z     = delta / sqrt(1 / (y_in + a_w) + 1 / (y_out + a_w))

    All in one group-by and a few column expressions (vectorised).

    Args:
        mentions: frame with ``text`` (and ideally ``lang``).
        in_group: Boolean Series (one value per mention) or expression on ``mentions``;
            null counts as out-group.
        n: how many terms to return.
        min_count: minimum number of in-group mentions containing the term.
        exclude: extra names to leave out (merged with the configured brand terms).
        prior_strength: ``alpha_0``, how strongly rare terms are pulled to the corpus rate.
        index: :func:`term_index` of the full dataset, to skip tokenising (same result).

    Returns:
        ``term, count_in, count_out, z`` sorted by ``z`` desc (empty when a group is empty);
        ``count_in + count_out`` is the height of ``mentions_with_term(mentions, term)``.

    Raises:
        TypeError / ValueError: if ``in_group`` is not a Series/Expr or has the wrong length.
    """
    schema = {"term": pl.String, "count_in": pl.UInt32, "count_out": pl.UInt32, "z": pl.Float64}
    mask = _in_group_mask(mentions, in_group)
    terms = _terms_via_index(mentions, index, exclude=exclude, bigrams=True)
    if terms.height == 0:
        return pl.DataFrame(schema=schema)
    # A term counts once per mention (not per occurrence): the counts are then the same
    # numbers as the posts behind the term (mentions_with_term) and the page's sentence.
    once = terms.select("row", "key").unique()
    counts = (
        once.select("key", mask.gather(once["row"]).alias("in_group"))
        .group_by("key")
        .agg(
            pl.col("in_group").sum().cast(pl.UInt32).alias("count_in"),
            (~pl.col("in_group")).sum().cast(pl.UInt32).alias("count_out"),
        )
    )
    y_in = pl.col("count_in").cast(pl.Float64)
    y_out = pl.col("count_out").cast(pl.Float64)
    n_in = y_in.sum()
    n_out = y_out.sum()
    total = n_in + n_out
    alpha = prior_strength * (y_in + y_out) / total
    a0 = float(prior_strength)
    delta = ((y_in + alpha) / (n_in + a0 - y_in - alpha)).log() - (
        (y_out + alpha) / (n_out + a0 - y_out - alpha)
    ).log()
    z = delta / (1.0 / (y_in + alpha) + 1.0 / (y_out + alpha)).sqrt()
    scored = counts.with_columns(z.alias("z"))
    if scored["count_in"].sum() == 0 or scored["count_out"].sum() == 0:
        return pl.DataFrame(schema=schema)
    best = (
        scored.filter((pl.col("count_in") >= min_count) & pl.col("z").is_finite())
        .sort(["z", "key"], descending=[True, False])
        .head(n)
    )
    # Labels only for the winners: the written-form vote is the costly part on big inputs.
    labels = _labels(terms.filter(pl.col("key").is_in(best["key"].implode())))
    return best.join(labels, on="key", how="left", maintain_order="left").select(list(schema))


def mentions_with_term(mentions: pl.DataFrame, term: str, *, index: TermIndex | None = None) -> pl.DataFrame:
    """The mentions that contain ``term`` (a top/distinctive term, a word in any form, a hashtag).

    Lemma-aware: "tempi" finds mentions with "tempo" and "tempi". Order is kept.
    Brand names are not terms (they are excluded everywhere), so they find nothing.
    ``index``: :func:`term_index` of the full dataset, to skip tokenising (same result).
    """
    if not isinstance(term, str):
        raise TypeError(f"term: expected str, got {type(term).__name__}")
    wanted = " ".join(term.strip().lower().replace("’", "'").split())
    if not wanted or mentions.height == 0:
        return mentions.head(0)
    candidates = {wanted}
    if " " not in wanted and not wanted.startswith("#"):
        candidates |= {lemma_of(wanted, "it"), lemma_of(wanted, "en")}
    terms = _terms_via_index(mentions, index, exclude=(), bigrams=" " in wanted)
    # A term shown by top_terms / distinctive_terms is the label of one or more keys: exactly
    # those keys' mentions (so the counts agree). Any other word: its forms and lemmas.
    keys = _labels(terms).filter(pl.col("term") == wanted)["key"]
    if keys.len():
        match = pl.col("key").is_in(keys.implode())
    else:
        wanted_series = pl.Series(sorted(candidates), dtype=pl.String).implode()
        match = pl.col("form").is_in(wanted_series) | pl.col("key").is_in(wanted_series)
    rows = terms.filter(match)["row"].unique()
    return mentions.with_row_index("__row").filter(pl.col("__row").is_in(rows.implode())).drop("__row")
