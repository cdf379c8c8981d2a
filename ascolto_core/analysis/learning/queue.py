"""The labelling queue: which posts to ask a person about next, to teach the most per click.

Half of the queue is drawn uniformly at random (``RANDOM_SHARE``): the chosen posts
alone would be a biased sample (the engine's hard cases), and the adapted model's quality
is estimated on the random ones. The other half is chosen: a post is worth asking about
when the current model (or the engine, before any model) is unsure of it, when it is unlike the posts already labelled or queued, and when its
touchpoint and language are under-represented among the labels. Near-duplicates
(retweets, copy-pasted complaints, the same text with another link) are asked once:
a post whose normalised text was already labelled or queued is skipped. The order is
deterministic for a given seed (ties are broken by a seeded random draw, which also
keeps a little exploration in the queue).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.feature_extraction.text import TfidfVectorizer

from ascolto_core.analysis.learning.features import normalise_texts

# Weights of the selection score, chosen a priori (not tuned on any evaluation file).
UNCERTAINTY_WEIGHT = 1.0
EXPLORATION_WEIGHT = 0.3
SIMILARITY_PENALTY = 0.7
COVERAGE_BONUS = 0.3
# Beyond this many candidates only the most promising are compared with each other.
MAX_POOL = 4000
QUEUE_SCHEMA: dict[str, pl.DataType] = {
    "index": pl.Int64(),  # row of the candidates frame
    "uncertainty": pl.Float64(),
    "similarity": pl.Float64(),  # highest similarity to a labelled/queued post when chosen
    "stratum": pl.String(),  # "touchpoint|lang"
    "at_random": pl.Boolean(),  # drawn at random (a representative sample for the estimate)
}
# Share of the queue drawn uniformly at random: chosen posts alone are a biased sample (the
# engine's hard cases), so the model's quality is estimated on the random ones.
RANDOM_SHARE = 0.5


@dataclass(frozen=True)
class QueueSettings:
    """Weights of the queue score (defaults are the app's)."""

    uncertainty: float = UNCERTAINTY_WEIGHT
    exploration: float = EXPLORATION_WEIGHT
    similarity: float = SIMILARITY_PENALTY
    coverage: float = COVERAGE_BONUS
    random_share: float = RANDOM_SHARE


def duplicate_key(texts: pl.Series) -> pl.Series:
    """A key equal for near-duplicates: lower-case words only, no links, users, digits, 'rt'.

    A post with no word at all (emoji only) keys on its symbols; an empty post keys on "".
    """
    normal = normalise_texts(texts)
    words = (
        normal.str.replace_all(r"\bhttp\b|@user|\brt\b|\d+", " ")
        .str.replace_all(r"[^\w]+|_", " ")
        .str.strip_chars()
        .str.replace_all(r"\s+", " ")
    )
    symbols = normal.str.replace_all(r"\s+", "")
    return pl.select(pl.when(words != "").then(words).otherwise(symbols)).to_series().alias("duplicate_key")


def uncertainty_from_confidence(confidence: pl.Series) -> pl.Series:
    """The engine's doubt: ``1 - sentiment_confidence`` (null -> fully uncertain)."""
    return (1.0 - confidence.cast(pl.Float64).fill_null(0.0)).clip(0.0, 1.0).alias("uncertainty")


def uncertainty_from_probabilities(proba: np.ndarray) -> pl.Series:
    """A model's doubt: ``1 - (p_first - p_second)`` (small margin = unsure)."""
    if proba.shape[1] < 2:
        return pl.Series("uncertainty", np.zeros(proba.shape[0]))
    ordered = np.sort(proba, axis=1)
    return pl.Series("uncertainty", 1.0 - (ordered[:, -1] - ordered[:, -2]))


def labelling_queue(
    candidates: pl.DataFrame,
    uncertainty: pl.Series,
    labelled: pl.Series,
    size: int,
    seed: int = 0,
    settings: QueueSettings = QueueSettings(),
    *,
    allow_duplicates: bool = False,
) -> pl.DataFrame:
    """The next ``size`` posts to ask about, best first.

    Args:
        candidates: posts with a ``text`` column; ``touchpoint`` and ``lang`` are used when present.
        uncertainty: one value in [0, 1] per candidate (see ``uncertainty_from_*``).
        labelled: one boolean per candidate, ``True`` where a person already labelled it.
        size: how many posts to return (fewer when fewer are left).
        seed: seed of the tie-breaking/exploration draw (same seed, same queue).
        settings: the score's weights.
        allow_duplicates: also offer near-duplicates of labelled/queued posts (when nothing
            else is left to ask).

    Returns:
        ``QUEUE_SCHEMA`` rows in asking order.

    Raises:
        ValueError: if the lengths differ, ``size`` is negative or there is no ``text`` column.
    """
    n = candidates.height
    if "text" not in candidates.columns:
        raise ValueError("candidates need a 'text' column")
    if len(uncertainty) != n or len(labelled) != n:
        raise ValueError(f"expected {n} uncertainties and labelled flags, got {len(uncertainty)}, {len(labelled)}")
    if size < 0:
        raise ValueError(f"expected size >= 0, got {size}")
    empty = pl.DataFrame(schema=QUEUE_SCHEMA)
    if n == 0 or size == 0:
        return empty
    rng = np.random.default_rng(seed)
    exploration = rng.random(n)
    done = labelled.fill_null(False).to_numpy().astype(bool)
    keys = duplicate_key(candidates["text"])
    strata = _strata(candidates)

    # Near-duplicates: one representative per key, and none for a key already labelled.
    taken_keys = set() if allow_duplicates else set(keys.filter(pl.Series(done)).to_list())
    frame = pl.DataFrame(
        {
            "index": np.arange(n, dtype=np.int64),
            "key": keys,
            "u": uncertainty.cast(pl.Float64).fill_null(1.0).clip(0.0, 1.0),
            "r": exploration,
            "done": done,
        }
    )
    eligible = (
        frame.filter(
            ~pl.col("done") & (pl.col("key") != "") & ~pl.col("key").is_in(list(taken_keys))
        )
        .with_columns((pl.col("u") * settings.uncertainty + pl.col("r") * settings.exploration).alias("prior"))
        .sort(["prior", "index"], descending=[True, False])
        .pipe(lambda f: f if allow_duplicates else f.unique("key", keep="first", maintain_order=True))
    )
    pool = eligible.head(max(MAX_POOL, size))
    # The random half: eligible posts in the order of the seeded draw.
    random_order = eligible.sort(["r", "index"], descending=[True, False])["index"].to_list()
    if pool.height == 0:
        return empty
    pool_idx = pool["index"].to_numpy()
    labelled_idx = np.flatnonzero(done)
    texts = normalise_texts(candidates["text"])
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, lowercase=False)
    matrix = vectoriser.fit_transform(texts.gather(np.concatenate([pool_idx, labelled_idx])).to_list())
    pool_x = matrix[: len(pool_idx)]
    labelled_x = matrix[len(pool_idx) :]
    max_sim = np.zeros(len(pool_idx))
    if labelled_x.shape[0]:
        max_sim = np.asarray((pool_x @ labelled_x.T).max(axis=1).todense()).ravel()

    stratum_of = np.asarray(strata.to_list(), dtype=object)
    pool_strata = stratum_of[pool_idx]
    share = {s: c / n for s, c in zip(*np.unique(stratum_of, return_counts=True), strict=True)}
    picked_per = {s: int(c) for s, c in zip(*np.unique(stratum_of[labelled_idx], return_counts=True), strict=True)}
    total_picked = len(labelled_idx)
    prior = pool["prior"].to_numpy()
    available = np.ones(len(pool_idx), dtype=bool)
    rows = []
    position = {int(index): i for i, index in enumerate(pool_idx)}
    chosen: set[int] = set()
    for k in range(min(size, eligible.height)):
        at_random = int((k + 1) * settings.random_share) > int(k * settings.random_share)
        if at_random:
            pick = next(index for index in random_order if index not in chosen)
            best = position.get(pick, -1)
        else:
            deficit = np.array(
                [share[s] * (total_picked + 1) - picked_per.get(s, 0) for s in pool_strata]
            ).clip(0.0, 1.0)
            score = prior - settings.similarity * max_sim + settings.coverage * deficit
            score[~available] = -np.inf
            best = int(np.argmax(score))
            if not np.isfinite(score[best]):
                at_random = True
                pick = next(index for index in random_order if index not in chosen)
                best = position.get(pick, -1)
            else:
                pick = int(pool_idx[best])
        chosen.add(pick)
        stratum = str(stratum_of[pick])
        uncertain = float(frame["u"][pick])
        if best >= 0:
            available[best] = False
            rows.append((pick, uncertain, float(max_sim[best]), stratum, at_random))
            sims = np.asarray((pool_x @ pool_x[best].T).todense()).ravel()
            max_sim = np.maximum(max_sim, sims)
        else:  # a random pick beyond the compared pool
            rows.append((pick, uncertain, 0.0, stratum, at_random))
        picked_per[stratum] = picked_per.get(stratum, 0) + 1
        total_picked += 1
    return pl.DataFrame(rows, schema=QUEUE_SCHEMA, orient="row")


def _strata(candidates: pl.DataFrame) -> pl.Series:
    touchpoint = (
        candidates["touchpoint"].cast(pl.String).fill_null("?")
        if "touchpoint" in candidates.columns
        else pl.Series(["?"] * candidates.height)
    )
    lang = (
        candidates["lang"].cast(pl.String).fill_null("?")
        if "lang" in candidates.columns
        else pl.Series(["?"] * candidates.height)
    )
    return (touchpoint + "|" + lang).alias("stratum")
