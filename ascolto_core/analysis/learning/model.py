"""The adapted model: a linear classifier over n-grams and the engine's reading, honest about its quality.

Trained on a person's labels (weight 1) plus, where the data has star ratings, the
ratings as weak labels (1-2 negative, 3 neutral, 4-5 positive; weight ``WEAK_WEIGHT``).
Its quality is estimated by stratified cross-validation on the person's labels ONLY
(weak labels join the training folds, never the scored ones), against the base engine
on the same posts. It replaces the engine only where that estimate says it is better
in at least ``CONFIDENCE`` of bootstrap resamples (a noisy win does not count);
with too few labels it says so and gives no number. The same holds for emotions.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA
from ascolto_core.analysis.evaluation import evaluate_labels
from ascolto_core.analysis.learning.features import FeatureBuilder
from ascolto_core.schema import EMOTIONS, SENTIMENTS

# Below these, cross-validation cannot say anything useful: the app shows "too few labels".
MIN_LABELS = 30
MIN_PER_CLASS = 3
# With at least this many labels drawn at random by the queue, the estimate is scored on
# them alone: chosen posts are the engine's hard cases, a biased sample of the data.
MIN_RANDOM_LABELS = 20
# The model replaces the engine only when it wins in this share of bootstrap resamples of the
# scored labels (a one-sided paired test): a lucky split of 30 labels must not switch it on.
CONFIDENCE = 0.9
BOOTSTRAP_RESAMPLES = 300
CV_FOLDS = 5
# A star rating says less about a post's text than a person reading it.
WEAK_WEIGHT = 0.3
REGULARISATION_C = 2.0
MAX_DRIVERS = 5
PERSON = "person"
RATING = "rating"

# Columns of a training frame (plus the base engine's ENGINE_OUTPUT_SCHEMA columns).
TRAINING_SCHEMA: dict[str, pl.DataType] = {
    "text": pl.String(),
    "sentiment_label": pl.String(),  # one of SENTIMENTS or null
    "emotion_label": pl.String(),  # one of EMOTIONS or null
    "source": pl.String(),  # PERSON or RATING
}
# Optional column: ``at_random`` (Boolean), True for labels the queue drew at random.


@dataclass(frozen=True)
class QualityEstimate:
    """Cross-validated quality of the engine and of the adapted model on the person's labels.

    Attributes:
        target: "sentiment" or "emotion".
        labels: person's labels the model is trained on.
        scored: labels the estimate is scored on (the randomly drawn ones when there are
            enough, else all of them).
        base_macro_f1: the engine's macro-F1 on those posts; ``None`` with too few labels.
        adapted_macro_f1: the adapted model's out-of-fold macro-F1; ``None`` with too few labels.
        in_use: "adapted" or "engine".
        reason: i18n key saying why (``learning.quality.*``).
    """

    target: str
    labels: int
    base_macro_f1: float | None
    adapted_macro_f1: float | None
    in_use: str
    reason: str
    scored: int = 0

    @property
    def enough_labels(self) -> bool:
        """Whether the estimate holds numbers at all."""
        return self.adapted_macro_f1 is not None


def rating_labels(ratings: pl.Series) -> pl.Series:
    """Star ratings as weak sentiment labels: 1-2 negative, 3 neutral, 4-5 positive, else null."""
    r = ratings.cast(pl.Float64)
    return (
        pl.select(
            pl.when((r >= 1) & (r < 2.5))
            .then(pl.lit("negative"))
            .when((r >= 2.5) & (r < 3.5))
            .then(pl.lit("neutral"))
            .when((r >= 3.5) & (r <= 5))
            .then(pl.lit("positive"))
            .otherwise(None)
            .alias("rating_label")
        )
        .to_series()
    )


def _classes_of(target: str) -> tuple[str, ...]:
    return SENTIMENTS if target == "sentiment" else EMOTIONS


def _fit(builder: FeatureBuilder, frame: pl.DataFrame, target: str) -> LogisticRegression:
    x = builder.transform(frame["text"], frame)
    y = frame[f"{target}_label"].to_numpy()
    weights = np.where(frame["source"].to_numpy() == PERSON, 1.0, WEAK_WEIGHT)
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=2000)
    # One BLAS thread: on a busy 2-core laptop, threads fighting over a small problem made
    # fitting 15x slower (measured: 144 s vs 9 s on 2,000 labels under load).
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")  # convergence chatter on tiny folds
        model.fit(x, y, sample_weight=weights)
    return model


def _labelled(frame: pl.DataFrame, target: str) -> pl.DataFrame:
    return frame.filter(pl.col(f"{target}_label").is_in(list(_classes_of(target))))


def estimate_quality(frame: pl.DataFrame, target: str = "sentiment", seed: int = 0) -> QualityEstimate:
    """Cross-validate engine vs adapted model on the person's labels of ``target``.

    Args:
        frame: training frame (``TRAINING_SCHEMA`` + the base engine's output columns).
        target: "sentiment" or "emotion".
        seed: fold shuffling seed.
    """
    data = _labelled(frame, target)
    person = data.filter(pl.col("source") == PERSON)
    weak = data.filter(pl.col("source") != PERSON)
    gold = person[f"{target}_label"]
    counts = gold.value_counts()
    present = counts.filter(pl.col("count") >= MIN_PER_CLASS)
    if person.height < MIN_LABELS or present.height < 2:
        return QualityEstimate(target, person.height, None, None, "engine", "learning.quality.too_few")
    # Posts of a class too rare to split are scored but never a fold's only example.
    folds = min(CV_FOLDS, int(present["count"].min()))
    strata = gold.replace_strict(
        {c: c for c in present[gold.name].to_list()}, default="_rare", return_dtype=pl.String
    ).to_numpy()
    predicted = np.empty(person.height, dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a rare class missing from a fold is expected
        for train_idx, test_idx in splitter.split(np.zeros(person.height), strata):
            train = pl.concat([person[train_idx], weak])
            if train[f"{target}_label"].n_unique() < 2:
                predicted[test_idx] = person[test_idx][_engine_column(target)].to_numpy()
                continue
            builder = FeatureBuilder.fit(train["text"], train)
            model = _fit(builder, train, target)
            test = person[test_idx]
            predicted[test_idx] = model.predict(builder.transform(test["text"], test))
    scored = pl.Series([True] * person.height)
    if "at_random" in person.columns:
        drawn = person["at_random"].fill_null(False)
        if int(drawn.sum()) >= MIN_RANDOM_LABELS and gold.filter(drawn).n_unique() >= 2:
            scored = drawn
    gold_scored = gold.filter(scored)
    base = _macro_f1(target, gold_scored, person[_engine_column(target)].fill_null("none").filter(scored))
    adapted = _macro_f1(target, gold_scored, pl.Series(predicted.tolist(), dtype=pl.String).filter(scored))
    n_scored = int(scored.sum())
    classes = _classes_of(target)
    used = sorted(set(gold_scored.to_list())) if target == "emotion" else list(classes)
    wins = bootstrap_wins(
        gold_scored.to_list(),
        person[_engine_column(target)].fill_null("none").filter(scored).to_list(),
        [p for p, keep in zip(predicted.tolist(), scored.to_list(), strict=True) if keep],
        used,
        seed,
    )
    if adapted > base and wins >= CONFIDENCE:
        return QualityEstimate(
            target, person.height, base, adapted, "adapted", "learning.quality.adapted_better", n_scored
        )
    return QualityEstimate(target, person.height, base, adapted, "engine", "learning.quality.engine_better", n_scored)


def bootstrap_wins(
    gold: Sequence[str], base: Sequence[str], adapted: Sequence[str], classes: Sequence[str], seed: int = 0
) -> float:
    """Share of bootstrap resamples of the posts where the adapted predictions beat the base ones (macro-F1)."""
    index = {label: i for i, label in enumerate(classes)}
    k = len(classes)

    def codes(values: Sequence[str]) -> np.ndarray:
        return np.array([index.get(v, k) for v in values], dtype=np.int64)

    g, b, a = codes(gold), codes(base), codes(adapted)
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, len(g), size=(BOOTSTRAP_RESAMPLES, len(g)))
    return float(np.mean(_macro_f1_rows(g[samples], a[samples], k) > _macro_f1_rows(g[samples], b[samples], k)))


def _macro_f1_rows(gold: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """Macro-F1 over classes 0..k-1 for each row of (resamples x posts) code matrices."""
    scores = []
    for c in range(k):
        tp = ((gold == c) & (predicted == c)).sum(axis=1)
        support = (gold == c).sum(axis=1)
        called = (predicted == c).sum(axis=1)
        denominator = support + called
        scores.append(np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0))
    return np.mean(scores, axis=0)


def _engine_column(target: str) -> str:
    return "sentiment" if target == "sentiment" else "emotion"


def _macro_f1(target: str, gold: pl.Series, predicted: pl.Series) -> float:
    """Sentiment: over the three classes (as ``evaluate``); emotions: over those the person used."""
    evaluation = evaluate_labels(gold, predicted, _classes_of(target))
    if target == "sentiment":
        return evaluation.macro_f1
    used = set(gold.to_list())
    scores = [score.f1 for score in evaluation.classes if score.label in used]
    return float(sum(scores) / len(scores))


@dataclass
class AdaptedModel:
    """The fitted model(s) and the estimates that decide where they are used.

    Attributes:
        builder: the feature vectorisers (``None`` when nothing could be fitted).
        sentiment_model: fitted classifier, or ``None``.
        emotion_model: fitted classifier, or ``None``.
        sentiment_quality: cross-validated estimate for sentiment.
        emotion_quality: cross-validated estimate for emotion.
    """

    builder: FeatureBuilder | None
    sentiment_model: LogisticRegression | None
    emotion_model: LogisticRegression | None
    sentiment_quality: QualityEstimate
    emotion_quality: QualityEstimate

    @classmethod
    def fit(cls, frame: pl.DataFrame, seed: int = 0, *, estimate: bool = True) -> AdaptedModel:
        """Fit on a training frame; with ``estimate`` also cross-validate (decides use).

        Args:
            frame: ``TRAINING_SCHEMA`` columns plus the base engine's outputs for those texts.
            seed: cross-validation seed.
            estimate: ``False`` skips cross-validation and uses the model whenever it
                could be fitted (benchmarks, experiments).

        Raises:
            ValueError: if a required column is missing.
        """
        missing = (set(TRAINING_SCHEMA) | set(ENGINE_OUTPUT_SCHEMA)) - set(frame.columns)
        if missing:
            raise ValueError(f"training frame lacks columns {sorted(missing)}")
        qualities = {}
        for target in ("sentiment", "emotion"):
            if estimate:
                qualities[target] = estimate_quality(frame, target, seed)
            else:
                n = _labelled(frame, target).filter(pl.col("source") == PERSON).height
                qualities[target] = QualityEstimate(target, n, None, None, "adapted", "learning.quality.not_estimated")
        usable = {
            target: _labelled(frame, target)
            for target in ("sentiment", "emotion")
            if qualities[target].in_use == "adapted"
        }
        usable = {t: d for t, d in usable.items() if d[f"{t}_label"].n_unique() >= 2}
        if not usable:
            return cls(None, None, None, qualities["sentiment"], qualities["emotion"])
        everything = pl.concat(list(usable.values())).unique("text", keep="first", maintain_order=True)
        builder = FeatureBuilder.fit(everything["text"], everything)
        models = {t: _fit(builder, d, t) for t, d in usable.items()}
        return cls(
            builder, models.get("sentiment"), models.get("emotion"), qualities["sentiment"], qualities["emotion"]
        )

    def predict(self, texts: pl.Series, analysis: pl.DataFrame) -> pl.DataFrame:
        """The engine's outputs where the engine is better, the model's where it is.

        Args:
            texts: the posts.
            analysis: the base engine's outputs for ``texts`` (``ENGINE_OUTPUT_SCHEMA``).

        Returns:
            A frame with exactly ``ENGINE_OUTPUT_SCHEMA``, one row per text.
        """
        out = analysis.select(list(ENGINE_OUTPUT_SCHEMA))
        if self.builder is None or len(texts) == 0:
            return out
        with threadpool_limits(limits=1, user_api="blas"):
            return self._predict(out, self.builder, texts, analysis)

    def _predict(
        self, out: pl.DataFrame, builder: FeatureBuilder, texts: pl.Series, analysis: pl.DataFrame
    ) -> pl.DataFrame:
        x = builder.transform(texts, analysis)
        if self.sentiment_model is not None:
            proba = _full_proba(self.sentiment_model, x, SENTIMENTS)
            labels = np.asarray(SENTIMENTS, dtype=object)[proba.argmax(axis=1)]
            drivers_pos, drivers_neg = self._explain(x)
            out = out.with_columns(
                pl.Series("sentiment", labels.tolist(), dtype=pl.String),
                pl.Series("sentiment_score", proba[:, 2] - proba[:, 0], dtype=pl.Float64),
                pl.Series("sentiment_confidence", proba.max(axis=1), dtype=pl.Float64),
                drivers_pos,
                drivers_neg,
            )
        if self.emotion_model is not None:
            proba = _full_proba(self.emotion_model, x, EMOTIONS)
            labels = np.asarray(EMOTIONS, dtype=object)[proba.argmax(axis=1)]
            out = out.with_columns(
                pl.Series("emotion", labels.tolist(), dtype=pl.String),
                pl.Series("emotion_confidence", proba.max(axis=1), dtype=pl.Float64),
            )
        return out.select(list(ENGINE_OUTPUT_SCHEMA))

    def _explain(self, x: object) -> tuple[pl.Series, pl.Series]:
        """Drivers: readable features with the largest push towards positive / negative."""
        assert self.builder is not None and self.sentiment_model is not None
        coef = _full_coef(self.sentiment_model, SENTIMENTS)
        direction = coef[2] - coef[0]
        names = self.builder.explainable_names()
        columns = np.fromiter(names.keys(), dtype=np.int64)
        sub = x[:, columns].tocoo()  # type: ignore[index]
        frame = pl.DataFrame(
            {
                "row": sub.row.astype(np.int64),
                "term": np.asarray(list(names.values()), dtype=object)[sub.col].tolist(),
                "push": sub.data * direction[columns][sub.col],
            },
            schema={"row": pl.Int64, "term": pl.String, "push": pl.Float64},
        )
        pushes = frame.group_by("row", "term").agg(pl.col("push").sum())
        n = x.shape[0]  # type: ignore[attr-defined]
        rows = pl.DataFrame({"row": np.arange(n, dtype=np.int64)})

        def top(positive: bool, name: str) -> pl.Series:
            chosen = (
                pushes.filter(pl.col("push") > 0 if positive else pl.col("push") < 0)
                .sort(["row", "push", "term"], descending=[False, positive, False])
                .group_by("row", maintain_order=True)
                .agg(pl.col("term").head(MAX_DRIVERS).alias(name))
            )
            joined = rows.join(chosen, on="row", how="left", maintain_order="left")
            return joined[name].fill_null(pl.lit([], dtype=pl.List(pl.String))).cast(pl.List(pl.String))

        return top(True, "drivers_pos"), top(False, "drivers_neg")


def _full_proba(model: LogisticRegression, x: object, classes: Sequence[str]) -> np.ndarray:
    """Probabilities over ``classes`` (a class the model never saw gets 0)."""
    proba = model.predict_proba(x)
    full = np.zeros((proba.shape[0], len(classes)))
    for j, label in enumerate(model.classes_):
        full[:, classes.index(label)] = proba[:, j]
    return full


def _full_coef(model: LogisticRegression, classes: Sequence[str]) -> np.ndarray:
    """Coefficients per class of ``classes``; a binary model's single row is split +/-."""
    coef = model.coef_
    full = np.zeros((len(classes), coef.shape[1]))
    if coef.shape[0] == 1:
        full[classes.index(model.classes_[1])] = coef[0] / 2
        full[classes.index(model.classes_[0])] = -coef[0] / 2
        return full
    for j, label in enumerate(model.classes_):
        full[classes.index(label)] = coef[j]
    return full
