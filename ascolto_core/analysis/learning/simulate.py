"""Simulated teaching (``evaluate --learn N``): a person labels what the queue asks, the model is scored on the rest.

The simulated person answers with the file's reference labels, in batches, exactly
through :func:`labelling_queue` as the app asks: half of each batch drawn at random,
half chosen by the engine's doubt (the first batch) or the adapted model's (later ones). The adapted model is then fitted
(with its cross-validated choice between engine and model, as in the app) and both it
and the engine alone are scored on the posts that were NOT labelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA
from ascolto_core.analysis.evaluation import Evaluation, evaluate_labels
from ascolto_core.analysis.learning.model import (
    MIN_LABELS,
    PERSON,
    RATING,
    AdaptedModel,
    QualityEstimate,
    rating_labels,
)
from ascolto_core.analysis.learning.queue import (
    labelling_queue,
    uncertainty_from_confidence,
    uncertainty_from_probabilities,
)
from ascolto_core.schema import SENTIMENTS

# Posts asked per round between two retrainings (the app's page shows about as many).
BATCH_SIZE = 25


@dataclass(frozen=True)
class LearningRun:
    """Outcome of :func:`simulate_learning`.

    Attributes:
        labelled: posts the simulated person labelled.
        evaluated: posts scored (the others).
        adapted: evaluation of what the app would show (adapted model where it is used).
        base: evaluation of the engine alone on the same posts.
        quality: the cross-validated estimate that chose between engine and model.
        asked: row indices of the labelled posts, in asking order.
    """

    labelled: int
    evaluated: int
    adapted: Evaluation
    base: Evaluation
    quality: QualityEstimate
    asked: tuple[int, ...]

    def summary_line(self) -> str:
        """The last line of ``evaluate --learn``."""
        return (
            f"macro_f1={self.adapted.macro_f1:.3f} base_macro_f1={self.base.macro_f1:.3f} "
            f"labelled={self.labelled} evaluated={self.evaluated}"
        )


def training_frame(
    mentions: pl.DataFrame,
    analysis: pl.DataFrame,
    person: pl.Series,
    emotion: pl.Series | None = None,
    at_random: pl.Series | None = None,
) -> pl.DataFrame:
    """Training rows: the person's labels, plus star ratings as weak labels where no person label exists.

    Args:
        mentions: posts (``text``; ``rating`` optional), aligned with ``analysis``.
        analysis: the base engine's outputs for those posts.
        person: the person's sentiment label per post, or null.
        emotion: the person's emotion label per post, or null (optional).
        at_random: per post, whether the queue drew it at random (optional; default False).
    """
    emotion = emotion if emotion is not None else pl.Series([None] * mentions.height, dtype=pl.String)
    base = analysis.select(list(ENGINE_OUTPUT_SCHEMA)).with_columns(
        mentions["text"].cast(pl.String).fill_null("").alias("text"),
        person.cast(pl.String).alias("sentiment_label"),
        emotion.cast(pl.String).alias("emotion_label"),
        pl.lit(PERSON).alias("source"),
        (
            at_random.cast(pl.Boolean).fill_null(False)
            if at_random is not None
            else pl.Series([False] * mentions.height, dtype=pl.Boolean)
        ).alias("at_random"),
    )
    has_person = person.is_not_null() | emotion.is_not_null()
    rows = [base.filter(has_person)]
    if "rating" in mentions.columns:
        weak = base.with_columns(
            rating_labels(mentions["rating"]).alias("sentiment_label"),
            pl.lit(None, dtype=pl.String).alias("emotion_label"),
            pl.lit(RATING).alias("source"),
            pl.lit(False).alias("at_random"),
        ).filter(~has_person & pl.col("sentiment_label").is_not_null())
        rows.append(weak)
    return pl.concat(rows)


def simulate_learning(
    mentions: pl.DataFrame,
    analysis: pl.DataFrame,
    gold: pl.Series,
    n: int,
    seed: int = 0,
    batch_size: int = BATCH_SIZE,
) -> LearningRun:
    """Label ``n`` posts through the queue with ``gold`` and score the adapted model on the rest.

    Args:
        mentions: the posts (``text``; ``lang``, ``touchpoint``, ``rating`` optional).
        analysis: the base engine's outputs, aligned with ``mentions``.
        gold: reference sentiment per post (SENTIMENTS values, no nulls).
        n: posts the simulated person labels.
        seed: queue and cross-validation seed.
        batch_size: posts labelled between two retrainings.

    Raises:
        ValueError: if ``n`` is negative or leaves no post to evaluate, or lengths differ.
    """
    total = mentions.height
    if len(gold) != total or analysis.height != total:
        raise ValueError(f"expected aligned inputs, got {total} posts, {len(gold)} labels, {analysis.height} results")
    if n < 0 or n >= total:
        raise ValueError(f"expected 0 <= learn < {total} posts, got {n}")
    labelled = np.zeros(total, dtype=bool)
    drawn = np.zeros(total, dtype=bool)
    asked: list[int] = []
    uncertainty = uncertainty_from_confidence(analysis["sentiment_confidence"])
    round_no = 0
    while len(asked) < n:
        queue = labelling_queue(
            mentions, uncertainty, pl.Series(labelled), min(batch_size, n - len(asked)), seed + round_no
        )
        if queue.height == 0:  # only near-duplicates of labelled posts (or empty texts) are left
            queue = labelling_queue(
                mentions,
                uncertainty,
                pl.Series(labelled),
                min(batch_size, n - len(asked)),
                seed + round_no,
                allow_duplicates=True,
            )
        if queue.height == 0:
            break
        chosen = queue["index"].to_list()
        asked.extend(chosen)
        labelled[chosen] = True
        drawn[queue.filter(pl.col("at_random"))["index"].to_list()] = True
        round_no += 1
        if len(asked) >= MIN_LABELS and len(asked) < n:
            person = gold.zip_with(pl.Series(labelled), pl.Series([None] * total, dtype=pl.String))
            model = AdaptedModel.fit(training_frame(mentions, analysis, person), seed, estimate=False)
            if model.sentiment_model is not None and model.builder is not None:
                x = model.builder.transform(mentions["text"], analysis)
                uncertainty = uncertainty_from_probabilities(model.sentiment_model.predict_proba(x))
    person = gold.zip_with(pl.Series(labelled), pl.Series([None] * total, dtype=pl.String))
    model = AdaptedModel.fit(training_frame(mentions, analysis, person, at_random=pl.Series(drawn)), seed)
    rest = pl.Series(~labelled)
    if not rest.any():
        raise ValueError("no post left to evaluate")
    predicted = model.predict(mentions["text"].filter(rest), analysis.filter(rest))
    gold_rest = gold.filter(rest)
    return LearningRun(
        labelled=len(asked),
        evaluated=int(rest.sum()),
        adapted=evaluate_labels(gold_rest, predicted["sentiment"], SENTIMENTS),
        base=evaluate_labels(gold_rest, analysis.filter(rest)["sentiment"], SENTIMENTS),
        quality=model.sentiment_quality,
        asked=tuple(asked),
    )
