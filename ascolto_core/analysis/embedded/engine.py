"""The embedded (offline, lexicon + rules) sentiment and emotion engine, vectorised.

The whole column is processed at once as a tidy token frame (one row per token,
from :func:`ascolto_core.analysis.text.token_frame`). Each step is a Polars
expression over that frame, never a Python loop over posts:

1. lexicon look-up on the DISTINCT tokens only (inside ``token_frame``'s own join):
   the token as written first, then its lemma; hashtags read as their word;
2. multi-word expressions: lemma n-grams (n = 2..5) gathered by index only for
   tokens that can start one, extended only while they are a known prefix; the
   longest match wins and covers the following tokens;
3. an opening salutation ("Gentile cliente", "Dear team") and brand names
   (``config/analysis.yaml: brand_terms``) carry no sentiment;
4. negation: the last negator of the same clause is forward-filled; a sentiment word
   within ``negation_scope`` content tokens of it is flipped and dampened (x -0.74);
   punctuation, contrast words and subordinators ("se", "perché", "because") end a clause;
5. boosters/downtoners on the one or two previous tokens of the clause ("poco" flips);
6. capitals and elongation push a term further from zero;
7. contrast ("ma", "però", "but"...): the part after weighs 1.5, before 0.5;
8. sarcasm and manners (:func:`read_irony`, window expressions per post): in a post
   whose other terms complain, an ironic-praise marker ("complimenti", "grazie eh",
   "👏", "record") turns negative and angry, and a courtesy formula ("grazie",
   "cordiali saluti") counts nothing; courtesy also counts nothing in a question or an
   indirect request ("vorrei sapere se...", "could you...");
9. per post: sum of contributions + exclamation emphasis, damped for questions
   (they ask more than they judge), normalised with ``x / sqrt(x^2 + 15)`` into
   [-1, 1]; labels by asymmetric thresholds (+0.4 / -0.15: praise words are used
   loosely, complaints are often mild in words); confidence from the distance to the
   threshold;
10. emotions: the same negation (negated joy counts as sadness, other negated
    emotions are dropped), the strongest emotion above a floor wins unless it
    contradicts a clearly polar post (joy in a complaint, anger in praise); with no
    (consistent) emotion word a positive post reads as joy, a negative one as anger,
    with a lower confidence; else "none";
11. drivers: the surface terms (with their negator/downtoner, "non male",
    "poco gentile") with the largest positive / negative contributions, max 5.

Known limitations (documented in tests): irony with no complaint word in the post
("complimenti davvero, bravissimi", "adoro quando il caffè arriva tiepido"), domain
words whose polarity depends on the object ("caldo", "in 10 minuti"), and negation
beyond a clause.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, EngineInfo, ProgressCallback
from ascolto_core.analysis.embedded.lexicon import MAX_EXPRESSION_TOKENS, Lexicon, lexicon_fingerprint, load_lexicon
from ascolto_core.analysis.text import normalise_lang, token_frame

ENGINE_NAME = "embedded"
LEXICON_NAME = "embedded"
VERSION = "1.0.0"

NORMALISATION_ALPHA = 15.0
# Asymmetric on purpose: praise words are used loosely (courtesy, wishes, product names),
# while complaints are often phrased with few, mild words (negativity is said indirectly).
POSITIVE_THRESHOLD = 0.4
NEGATIVE_THRESHOLD = -0.15
CAPS_BOOST = 0.733
ELONGATION_BOOST = 0.5
EXCLAMATION_BOOST = 0.292
MAX_EXCLAMATIONS = 4
QUESTION_DAMPING = 0.5
EMOTION_FLOOR = 0.75
# With no emotion word: joy only from a post as positive as the positive threshold, anger
# already from a mildly negative one (a complaint about a business is mostly annoyance).
EMOTION_FROM_SENTIMENT = 0.4
ANGER_FROM_SENTIMENT = 0.2
MAX_DRIVERS = 5
CHUNK_ROWS = 25_000
# Chunks analysed at once (the machines we run on have two cores or more).
CHUNK_THREADS = 2
# An indirect question or request ("vorrei sapere se...", "could you..."): its courtesy
# formulas ("grazie", "thanks") are manners, not praise.
REQUEST_PATTERN = (
    r"(?i)\b(?:vorrei|volevo|vorremmo|volevamo) (?:sapere|chiedere|capire|informazioni)"
    r"|\b(?:sarebbe|è|e') possibile\b|\bpotreste\b|\bmi (?:sapete|sapreste) dire\b|\bchiedo se\b"
    r"|\b(?:could|can|would) you\b|\bis it possible\b|\bi was wondering\b|\bi(?:'d| would) like to know\b"
    r"|\bplease let me know\b"
)


class EmbeddedEngine:
    """Offline Italian + English lexicon engine; implements ``analysis.base.Engine``.

    Never returns ``None``: it is the fallback every other engine falls back to.
    """

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self._lexicon = lexicon

    @property
    def info(self) -> EngineInfo:
        """``EngineInfo("embedded", "embedded", "<VERSION>-<digest of lexicon data and code>")``."""
        return EngineInfo(name=ENGINE_NAME, model_id=LEXICON_NAME, version=f"{VERSION}-{lexicon_fingerprint()}")

    @property
    def lexicon(self) -> Lexicon:
        """The lexicon in use (loaded lazily, once per process)."""
        if self._lexicon is None:
            self._lexicon = load_lexicon()
        return self._lexicon

    def analyze(
        self,
        texts: pl.Series,
        langs: pl.Series,
        progress: ProgressCallback | None = None,
    ) -> pl.DataFrame:
        """Sentiment, emotion and drivers for every text, in input order.

        Args:
            texts: String series (nulls count as empty texts).
            langs: same length; "it", "en" or anything else (treated as "other").
            progress: optional ``progress(done, total)`` callback, called per chunk.

        Returns:
            A frame with exactly ``ENGINE_OUTPUT_SCHEMA``, ``len(texts)`` rows.

        Raises:
            ValueError: if ``texts`` and ``langs`` differ in length (a caller bug).
        """
        n = len(texts)
        if len(langs) != n:
            raise ValueError(f"texts and langs differ in length: {n} != {len(langs)}")
        texts = texts.cast(pl.String).fill_null("")
        langs = normalise_lang(langs)
        if progress is not None:
            progress(0, n)
        starts = range(0, n, CHUNK_ROWS)
        if not starts:
            return pl.DataFrame(schema=ENGINE_OUTPUT_SCHEMA)
        lexicon = self.lexicon  # loaded once, before the threads share it

        def chunk(start: int) -> pl.DataFrame:
            return self._analyze_chunk(texts.slice(start, CHUNK_ROWS), langs.slice(start, CHUNK_ROWS), lexicon)

        if len(starts) == 1:
            parts = [chunk(0)]
        else:
            # Chunks are independent and their work is Polars (which releases the GIL): two run at once.
            with ThreadPoolExecutor(max_workers=CHUNK_THREADS, thread_name_prefix="ascolto-engine") as pool:
                parts = []
                for part in pool.map(chunk, starts):
                    parts.append(part)
                    if progress is not None:
                        progress(min(len(parts) * CHUNK_ROWS, n), n)
        if progress is not None and len(parts) == 1:
            progress(n, n)
        return pl.concat(parts)

    # ------------------------------------------------------------------ internals

    def _analyze_chunk(self, texts: pl.Series, langs: pl.Series, lexicon: Lexicon) -> pl.DataFrame:
        tokens = token_frame(
            texts, langs, annotate=lambda vocab: annotate_vocabulary(vocab, lexicon), columns=_SCORED_COLUMNS
        )
        scored = score_tokens(tokens, lexicon)
        n = len(texts)
        rows = pl.DataFrame(
            {
                "row": pl.Series(range(n), dtype=pl.UInt32),
                "exclamations": texts.str.count_matches("!").clip(0, MAX_EXCLAMATIONS).cast(pl.Float64),
                "question": texts.str.contains(r"\?"),
            }
        )
        # The request pattern only matters where a courtesy formula occurs: test those rows alone.
        polite_rows = scored.filter(pl.col("is_courtesy"))["row"].unique()
        requests = polite_rows.filter(texts.gather(polite_rows).str.contains(REQUEST_PATTERN))
        rows = rows.with_columns(pl.col("row").is_in(requests.implode()).alias("request"))
        return _aggregate(rows, scored)


# The token columns score_tokens reads (the normalised ``token`` only matters per distinct token).
_SCORED_COLUMNS: tuple[str, ...] = (
    "row", "pos", "kind", "surface", "lemma", "is_stopword", "is_elongated", "is_caps", "lang"
)

LEXICON_COLUMNS: tuple[str, ...] = (
    "valence",
    "emotion",
    "is_negator",
    "booster",
    "is_contrast",
    "is_salutation",
    "is_breaker",
    "is_irony",
    "is_courtesy",
)


def annotate_vocabulary(vocab: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """Lexicon attributes of distinct tokens (``lang, kind, token, lemma`` ...): token first, then lemma.

    A hashtag counts as its word ("#vergogna" is "vergogna"); a generated inflection
    matches a token as written, never a lemma.
    """
    words = lexicon.words
    hashtag = pl.col("kind") == "hashtag"
    keyed = vocab.with_columns(
        pl.when(hashtag).then(pl.col("token").str.slice(1)).otherwise(pl.col("token")).alias("_key_token"),
        pl.when(hashtag).then(pl.col("lemma").str.slice(1)).otherwise(pl.col("lemma")).alias("_key_lemma"),
    )
    by_token = words.drop("is_form").rename({"term": "_key_token"})
    by_lemma = (
        words.filter(~pl.col("is_form"))
        .drop("is_form")
        .rename({c: f"{c}_l" for c in words.columns if c not in ("lang", "is_form", "term")})
        .rename({"term": "_key_lemma"})
    )
    keyed = keyed.join(by_token, on=["lang", "_key_token"], how="left").join(
        by_lemma, on=["lang", "_key_lemma"], how="left"
    )
    return keyed.with_columns(
        pl.col("valence").fill_null(pl.col("valence_l")).alias("valence"),
        # "none" in an emotion file blocks the lemma's emotion ("rider" is not "ridere").
        pl.col("emotion").fill_null(pl.col("emotion_l")).replace("none", None).alias("emotion"),
        (pl.col("is_negator").fill_null(False) | pl.col("is_negator_l").fill_null(False)).alias("is_negator"),
        pl.col("booster").fill_null(pl.col("booster_l")).fill_null(0.0).alias("booster"),
        (pl.col("is_contrast").fill_null(False) | pl.col("is_contrast_l").fill_null(False)).alias(
            "is_contrast"
        ),
        (pl.col("is_salutation").fill_null(False) | pl.col("is_salutation_l").fill_null(False)).alias(
            "is_salutation"
        ),
        (pl.col("is_breaker").fill_null(False) | pl.col("is_breaker_l").fill_null(False)).alias("is_breaker"),
        (pl.col("is_irony").fill_null(False) | pl.col("is_irony_l").fill_null(False)).alias("is_irony"),
        (pl.col("is_courtesy").fill_null(False) | pl.col("is_courtesy_l").fill_null(False)).alias(
            "is_courtesy"
        ),
    ).select(*vocab.columns, *LEXICON_COLUMNS)


def _lookup(tokens: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """Attach the lexicon attributes to a token frame that does not have them yet."""
    if all(c in tokens.columns for c in LEXICON_COLUMNS):
        return tokens
    vocab = annotate_vocabulary(tokens.select("lang", "kind", "token", "lemma").unique(), lexicon)
    return tokens.join(vocab, on=["lang", "kind", "token", "lemma"], how="left", maintain_order="left")


def score_tokens(tokens: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """Per-token contributions: ``row, term, contribution, emotion, emotion_weight, is_irony, is_courtesy``.

    ``tokens`` is :func:`ascolto_core.analysis.text.token_frame` output (sorted by row, pos).
    Only tokens that carry sentiment or emotion are returned.
    """
    rules = lexicon.rules
    scope = int(rules["negation_scope"])
    factor = float(rules["negation_factor"])
    frame = _lookup(tokens, lexicon).with_row_index("i")
    is_punct = pl.col("kind") == "punct"
    # "Gentile cliente", "Dear team": an opening salutation is not a judgement.
    frame = frame.with_columns(
        pl.when((pl.col("pos") == 0) & pl.col("is_salutation"))
        .then(None)
        .otherwise(pl.col("valence"))
        .alias("valence"),
        pl.when((pl.col("pos") == 0) & pl.col("is_salutation"))
        .then(None)
        .otherwise(pl.col("emotion"))
        .alias("emotion"),
    )

    # --- multi-word expressions: lemma n-grams built only where an expression can start
    matches = _match_expressions(frame, lexicon)
    frame = frame.join(matches, on="i", how="left", maintain_order="left").with_columns(
        pl.col("mwe_len").fill_null(0)
    )
    covered_idx = (
        matches.select((pl.col("i") + pl.int_ranges(1, pl.col("mwe_len"), dtype=pl.UInt32)).alias("c"))
        .explode("c")
        .drop_nulls()["c"]
    )
    frame = frame.with_columns(pl.col("i").is_in(covered_idx.implode()).alias("covered"))
    is_mwe = pl.col("mwe_len") > 0
    frame = frame.with_columns(
        pl.when(pl.col("covered"))
        .then(None)
        .when(is_mwe)
        .then(pl.col("mwe_valence"))
        .otherwise(pl.col("valence"))
        .alias("valence"),
        pl.when(pl.col("covered"))
        .then(None)
        .when(is_mwe)
        .then(pl.col("mwe_emotion"))
        .otherwise(pl.col("emotion"))
        .alias("emotion"),
        pl.when(is_mwe).then(pl.col("mwe_surface")).otherwise(pl.col("surface")).alias("term"),
        (
            (pl.col("is_negator") | pl.col("surface").str.ends_with("n't")) & ~pl.col("covered") & ~is_mwe
        ).alias("is_negator"),
        # An expression that opens with its own negator ("senza risposta", "mai arrivato") is
        # already a negation: an earlier negator ("senza app e senza risposte") must not flip it.
        (is_mwe & (pl.col("is_negator") | pl.col("surface").str.ends_with("n't"))).alias("self_negated"),
        pl.when(pl.col("covered") | is_mwe).then(0.0).otherwise(pl.col("booster")).alias("booster"),
        (pl.col("is_contrast") & ~pl.col("covered") & ~is_mwe).alias("is_contrast"),
    )

    # --- clauses: punctuation, contrast words, subordinators ("se", "because") and post boundaries
    new_row = pl.col("row") != pl.col("row").shift(1)
    frame = frame.with_columns(
        (is_punct | pl.col("is_contrast") | pl.col("is_breaker") | new_row.fill_null(True))
        .cum_sum()
        .alias("clause"),
        (~is_punct & ~pl.col("is_stopword") | pl.col("valence").is_not_null())
        .cast(pl.Int32)
        .cum_sum()
        .alias("content"),
    )
    # --- negation: nearest previous negator in the same clause, within `scope` content tokens
    frame = frame.with_columns(
        pl.when(pl.col("is_negator")).then(pl.col("clause")).forward_fill().alias("neg_clause"),
        pl.when(pl.col("is_negator")).then(pl.col("content")).forward_fill().alias("neg_content"),
        pl.when(pl.col("is_negator")).then(pl.col("i")).forward_fill().alias("neg_i"),
    )
    distance = pl.col("content") - pl.col("neg_content")
    # Emoji and emoticons keep their meaning after a negator ("no 😄" is still a smile).
    negated = (
        (pl.col("neg_clause") == pl.col("clause"))
        & ~pl.col("is_negator")
        & ~pl.col("self_negated")
        & (distance >= 0)
        & (distance <= scope)
        & pl.col("kind").is_in(["word", "hashtag"])
    ).fill_null(False)
    # --- boosters on the previous one or two tokens of the same clause
    same1 = pl.col("clause").shift(1) == pl.col("clause")
    same2 = pl.col("clause").shift(2) == pl.col("clause")
    boost = (
        1.0
        + pl.when(same1).then(pl.col("booster").shift(1)).otherwise(0.0).fill_null(0.0)
        + 0.5
        * pl.when(same2 & (pl.col("booster").shift(1) != 0))
        .then(pl.col("booster").shift(2))
        .otherwise(0.0)
        .fill_null(0.0)
    )
    # --- contrast: later clause weighs more
    contrast_before = float(rules["contrast_before"])
    contrast_after = float(rules["contrast_after"])
    contrast_row_next = pl.when(pl.col("is_contrast")).then(pl.col("row")).backward_fill().shift(-1)
    contrast_row_prev = pl.when(pl.col("is_contrast")).then(pl.col("row")).forward_fill()
    weight = (
        pl.when(contrast_row_next.fill_null(-1) == pl.col("row"))
        .then(contrast_before)
        .when(contrast_row_prev.fill_null(-1) == pl.col("row"))
        .then(contrast_after)
        .otherwise(1.0)
    )
    base = pl.col("valence")
    sign = base.sign()
    emphasised = (
        base
        + pl.when(pl.col("is_caps")).then(sign * CAPS_BOOST).otherwise(0.0)
        + pl.when(pl.col("is_elongated")).then(sign * ELONGATION_BOOST).otherwise(0.0)
    )
    surfaces = frame["surface"]
    # Everything above needs the whole token sequence; what follows only the few tokens
    # that carry sentiment or emotion, so the strings are built for those alone.
    frame = frame.with_columns(
        negated.alias("negated"),
        boost.alias("boost"),
        weight.alias("weight"),
    ).filter(pl.col("valence").is_not_null() | pl.col("emotion").is_not_null())
    negator_surface = surfaces.gather(frame["neg_i"].fill_null(0))
    previous_surface = surfaces.gather((frame["i"].cast(pl.Int64) - 1).clip(0, None))
    frame = frame.with_columns(
        # Covered tokens were filtered out above; an expression brings its own roles.
        pl.when(is_mwe).then(pl.col("mwe_irony")).otherwise(pl.col("is_irony")).alias("is_irony"),
        pl.when(is_mwe).then(pl.col("mwe_courtesy")).otherwise(pl.col("is_courtesy")).alias("is_courtesy"),
        (
            emphasised
            * pl.col("boost")
            * pl.when(pl.col("negated")).then(factor).otherwise(1.0)
            * pl.col("weight")
        ).alias("contribution"),
        # Emotions: intensity from boosters/contrast; negated joy reads as sadness, other negated emotions vanish.
        pl.when(pl.col("negated") & (pl.col("emotion") == "joy"))
        .then(pl.lit("sadness"))
        .when(pl.col("negated"))
        .then(None)
        .otherwise(pl.col("emotion"))
        .alias("emotion"),
        (
            pl.col("boost").abs().clip(0.25, 2.0)
            * pl.col("weight")
            * pl.when(pl.col("is_caps") | pl.col("is_elongated")).then(1.25).otherwise(1.0)
        ).alias("emotion_weight"),
        # The driver reads as written: "non male", "poco gentile".
        pl.when(pl.col("negated"))
        .then(pl.concat_str([negator_surface, pl.col("term")], separator=" "))
        .when(pl.col("boost") < 0)
        .then(pl.concat_str([previous_surface, pl.col("term")], separator=" "))
        .otherwise(pl.col("term"))
        .alias("term"),
    )
    frame = read_irony(frame, rules)
    return frame.select(
        "row", "term", "contribution", "emotion", "emotion_weight", "is_irony", "is_courtesy"
    )


def read_irony(scored: pl.DataFrame, rules: dict[str, Any]) -> pl.DataFrame:
    """Sarcasm and manners in complaints, per post, as window expressions (no loop over posts).

    A post "complains" when its negative contributions other than the irony markers sum to
    at most ``-irony_complaint_min``. In such a post an ironic-praise marker with a
    positive contribution ("complimenti", "grazie eh", "👏") is read as sarcasm: its
    contribution is multiplied by ``irony_factor`` and its emotion becomes anger; a
    courtesy formula ("grazie", "cordiali saluti") counts nothing and carries no emotion.

    Args:
        scored: token contributions with ``row, contribution, emotion, is_irony, is_courtesy``.
        rules: the constants of ``rules.yaml`` (``irony_complaint_min``, ``irony_factor``).
    """
    complaint_min = float(rules["irony_complaint_min"])
    irony_factor = float(rules["irony_factor"])
    contribution = pl.col("contribution").fill_null(0.0)
    complaint = (
        pl.when(~pl.col("is_irony") & (contribution < 0)).then(contribution).otherwise(0.0).sum().over("row")
        <= -complaint_min
    )
    scored = scored.with_columns(complaint.alias("_complaint"))
    ironic = pl.col("_complaint") & pl.col("is_irony") & (contribution > 0)
    # A marker that is also a courtesy word ("grazie eh" is irony, "grazie" manners): irony wins.
    polite = pl.col("_complaint") & pl.col("is_courtesy") & ~pl.col("is_irony") & (contribution > 0)
    # A marker that only carries an emotion (no valence) is left alone.
    return scored.with_columns(
        pl.when(ironic)
        .then(contribution * irony_factor)
        .when(polite)
        .then(0.0)
        .otherwise(pl.col("contribution"))
        .alias("contribution"),
        pl.when(ironic)
        .then(pl.lit("anger"))
        .when(polite)
        .then(None)
        .otherwise(pl.col("emotion"))
        .alias("emotion"),
    ).drop("_complaint")


# Columns of an expression match (one row per token that starts the longest expression there).
_EXPRESSION_MATCH_SCHEMA: dict[str, pl.DataType] = {
    "i": pl.UInt32(),
    "mwe_len": pl.Int32(),
    "mwe_valence": pl.Float64(),
    "mwe_emotion": pl.String(),
    "mwe_surface": pl.String(),
    "mwe_irony": pl.Boolean(),
    "mwe_courtesy": pl.Boolean(),
}


def _match_expressions(frame: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """Longest expression starting at each candidate token: ``i, mwe_len, mwe_valence, mwe_emotion, mwe_surface``.

    Candidates are the (few) tokens whose lemma starts some expression; the following
    lemmas are gathered by index, so the work is proportional to the candidates only.
    """
    total = frame.height
    # Only the columns used below: the candidates are a large share of all tokens.
    starts = frame.select("i", "row", "lang", "lemma", "surface").filter(
        pl.col("lemma").is_in(lexicon.prefixes[1].implode()) & (frame["kind"] != "punct")
    )
    if starts.height == 0 or total == 0:
        return pl.DataFrame(schema=_EXPRESSION_MATCH_SCHEMA)
    lemma, surface, row, kind = frame["lemma"], frame["surface"], frame["row"], frame["kind"]
    idx = starts["i"]
    cand = starts.select("i", "lang", pl.col("lemma").alias("g1"), pl.col("surface").alias("s1"))
    ok = pl.Series([True] * starts.height)
    found = []
    for k in range(1, MAX_EXPRESSION_TOKENS):
        n_tok = k + 1
        at = (idx + k).clip(0, total - 1)
        ok = ok & ((idx + k) < total) & (row.gather(at) == starts["row"]) & (kind.gather(at) != "punct")
        # Most candidates die here: only a lemma that follows a space in some n-gram worth building
        # can extend one, so the strings are joined for those alone.
        ok = ok & lemma.gather(at).is_in(_continuations(lexicon, n_tok).implode()).fill_null(False)
        cand, idx, starts, at, ok = cand.filter(ok), idx.filter(ok), starts.filter(ok), at.filter(ok), ok.filter(ok)
        if cand.height == 0:
            break
        cand = cand.with_columns(
            pl.when(ok)
            .then(pl.concat_str([pl.col(f"g{k}"), lemma.gather(at)], separator=" "))
            .alias(f"g{n_tok}"),
            pl.when(ok)
            .then(pl.concat_str([pl.col(f"s{k}"), surface.gather(at)], separator=" "))
            .alias(f"s{n_tok}"),
        )
        table = lexicon.expressions.filter(pl.col("n") == n_tok).select(
            "lang",
            pl.col("key").alias("g"),
            pl.col("valence").fill_null(0.0).alias("mwe_valence"),
            pl.col("emotion").alias("mwe_emotion"),
            pl.col("is_irony").alias("mwe_irony"),
            pl.col("is_courtesy").alias("mwe_courtesy"),
        )
        hits = cand.select(
            "i", "lang", pl.col(f"g{n_tok}").alias("g"), pl.col(f"s{n_tok}").alias("mwe_surface")
        ).join(table, on=["lang", "g"], how="inner")
        found.append(
            hits.select(
                "i",
                pl.lit(n_tok, dtype=pl.Int32).alias("mwe_len"),
                "mwe_valence",
                "mwe_emotion",
                "mwe_surface",
                "mwe_irony",
                "mwe_courtesy",
            )
        )
        # Extend only the n-grams that are still the beginning of some longer expression.
        alive = cand[f"g{n_tok}"].is_in(lexicon.prefixes[n_tok].implode()).fill_null(False)
        cand, idx, ok, starts = cand.filter(alive), idx.filter(alive), ok.filter(alive), starts.filter(alive)
        if cand.height == 0:
            break
    matches = (
        pl.concat(found)
        if found
        else pl.DataFrame(schema=_EXPRESSION_MATCH_SCHEMA)
    )
    matches = matches.sort(["i", "mwe_len"], descending=[False, True]).unique("i", keep="first")
    # An expression starting inside an earlier, longer one is dropped (the earlier one covers it).
    matches = matches.sort("i").with_columns(
        (pl.col("i") + pl.col("mwe_len")).cum_max().shift(1).fill_null(0).alias("reach")
    )
    return matches.filter(pl.col("i") >= pl.col("reach")).drop("reach")


def _continuations(lexicon: Lexicon, n_tok: int) -> pl.Series:
    """Every tail after a space of an ``n_tok``-token prefix or expression key.

    ``g + " " + lemma`` can only be such a prefix or key if ``lemma`` is one of these tails:
    a necessary condition, so filtering on it changes no match.
    """
    keys = lexicon.expressions.filter(pl.col("n") == n_tok)["key"].to_list()
    targets = set(lexicon.prefixes[n_tok].to_list()) | set(keys)
    tails = {target[i + 1 :] for target in targets for i, char in enumerate(target) if char == " "}
    return pl.Series(sorted(tails), dtype=pl.String)


def _drivers(scored: pl.DataFrame, positive: bool) -> pl.DataFrame:
    name = "drivers_pos" if positive else "drivers_neg"
    picked = scored.filter(pl.col("contribution") > 0 if positive else pl.col("contribution") < 0)
    return (
        picked.group_by("row", "term")
        .agg(pl.col("contribution").abs().sum().alias("strength"))
        .sort(["row", "strength", "term"], descending=[False, True, False])
        .group_by("row", maintain_order=True)
        .agg(pl.col("term").head(MAX_DRIVERS).alias(name))
    )


def _aggregate(rows: pl.DataFrame, scored: pl.DataFrame) -> pl.DataFrame:
    """Per-post scores, labels, emotions and drivers, one row per input row, in order."""
    # A question or request thanks in advance: its courtesy formulas count nothing.
    asking = rows.filter(pl.col("question") | pl.col("request"))["row"]
    courteous = pl.col("is_courtesy") & (pl.col("contribution") > 0) & pl.col("row").is_in(asking.implode())
    scored = scored.with_columns(
        pl.when(courteous).then(0.0).otherwise(pl.col("contribution")).alias("contribution"),
        pl.when(courteous).then(None).otherwise(pl.col("emotion")).alias("emotion"),
    )
    totals = scored.group_by("row").agg(pl.col("contribution").sum().alias("raw"))
    emotions = (
        scored.filter(pl.col("emotion").is_not_null())
        .group_by("row", "emotion")
        .agg(pl.col("emotion_weight").sum().alias("weight"))
        .sort(["row", "weight", "emotion"], descending=[False, True, False])
        .group_by("row", maintain_order=True)
        .agg(
            pl.col("emotion").first().alias("top_emotion"),
            pl.col("weight").first().alias("top_weight"),
            pl.col("weight").sum().alias("all_weight"),
        )
    )
    frame = (
        rows.join(totals, on="row", how="left", maintain_order="left")
        .join(emotions, on="row", how="left", maintain_order="left")
        .join(_drivers(scored, True), on="row", how="left", maintain_order="left")
        .join(_drivers(scored, False), on="row", how="left", maintain_order="left")
    )
    raw = pl.col("raw").fill_null(0.0)
    emphasis = pl.when(raw != 0).then(raw.sign() * pl.col("exclamations") * EXCLAMATION_BOOST).otherwise(0.0)
    # A question mostly asks rather than judges ("is there a gluten-free cake? thanks!"): damp it.
    damp = pl.when(pl.col("question")).then(QUESTION_DAMPING).otherwise(1.0)
    frame = frame.with_columns(((raw + emphasis) * damp).alias("raw"))
    score = (pl.col("raw") / (pl.col("raw") ** 2 + NORMALISATION_ALPHA).sqrt()).clip(-1.0, 1.0)
    frame = frame.with_columns(score.alias("sentiment_score"))
    s = pl.col("sentiment_score")
    top = pl.col("top_weight").fill_null(0.0)
    # An emotion word that contradicts a clearly polar post ("refund" in "thanks for the quick
    # refund!", "adoravo" in a complaint) yields to the post's polarity.
    # Sadness is the exception: grief and farewells are said with praise ("ci mancherai, eri
    # una persona meravigliosa"), so a sadness word stands in a positive post.
    contradicts = ((pl.col("top_emotion") == "joy") & (s <= NEGATIVE_THRESHOLD)) | (
        ~pl.col("top_emotion").is_in(["joy", "sadness"]) & (s >= POSITIVE_THRESHOLD)
    )
    consistent = (top >= EMOTION_FLOOR) & ~contradicts.fill_null(False)
    return frame.select(
        pl.when(s >= POSITIVE_THRESHOLD)
        .then(pl.lit("positive"))
        .when(s <= NEGATIVE_THRESHOLD)
        .then(pl.lit("negative"))
        .otherwise(pl.lit("neutral"))
        .alias("sentiment"),
        s.cast(pl.Float64),
        # Polar labels: 0.5 at the threshold up to 1 at |score| = 1; neutral: 1 at 0 down to 0.5 at the threshold.
        pl.when(s >= POSITIVE_THRESHOLD)
        .then(0.5 + 0.5 * (s - POSITIVE_THRESHOLD) / (1 - POSITIVE_THRESHOLD))
        .when(s <= NEGATIVE_THRESHOLD)
        .then(0.5 + 0.5 * (s.abs() + NEGATIVE_THRESHOLD) / (1 + NEGATIVE_THRESHOLD))
        .when(s >= 0)
        .then(1.0 - 0.5 * s / POSITIVE_THRESHOLD)
        .otherwise(1.0 - 0.5 * s / NEGATIVE_THRESHOLD)
        .clip(0.0, 1.0)
        .cast(pl.Float64)
        .alias("sentiment_confidence"),
        # No emotion word: a clearly polar post is read as joy (praise) or anger (complaint),
        # with a lower confidence; this is what mentions of a business mostly are.
        pl.when(consistent)
        .then(pl.col("top_emotion"))
        .when(s >= EMOTION_FROM_SENTIMENT)
        .then(pl.lit("joy"))
        .when(s <= -ANGER_FROM_SENTIMENT)
        .then(pl.lit("anger"))
        .otherwise(pl.lit("none"))
        .alias("emotion"),
        pl.when(consistent)
        .then(top / (pl.col("all_weight") + 0.5))
        .when((s >= EMOTION_FROM_SENTIMENT) | (s <= -ANGER_FROM_SENTIMENT))
        .then(0.3 + 0.3 * s.abs())
        .otherwise(1.0 / (1.0 + top))
        .clip(0.0, 1.0)
        .cast(pl.Float64)
        .alias("emotion_confidence"),
        pl.col("drivers_pos").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        pl.col("drivers_neg").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    )
